"""The continuous report checks: each verdict rule flips with the evidence fed to it."""

import pytest

from deeprg.continuous import checks


def test_eqA1_rule_flips_with_the_limit():
    assert checks.approaches([1.1, 0.2, 0.025, 0.0025, 0.00026])  # the computed distances fall like 1/lambda
    assert not checks.approaches([1.1, 0.2, 0.2, 0.2, 0.2])  # a DNA minimizer that stalls
    assert not checks.approaches([0.1, 0.2, 0.4])


def test_appB_rule_flips_with_the_coefficients():
    exact = {"coupling_ratio": 1.0, "intra_over_inter": 0.0, "field_slope": 1.0}
    assert checks.b2_holds(exact)
    for key, value in (("coupling_ratio", 0.5), ("intra_over_inter", 0.1), ("field_slope", 1.25)):
        assert not checks.b2_holds({**exact, key: value})


@pytest.mark.slow
def test_report_checks_are_typed_with_seeds(tmp_path):
    a1, b, *signal = checks.report_checks(tmp_path)
    assert a1.id == "eqA1" and a1.seeds == checks.A1_SEEDS and "qualitative" in a1.computed
    assert b.id == "appB" and b.could_fail_if and (tmp_path / "eqA1.png").exists()
    assert [c.id for c in signal] == ["dna-noisy-forward", "dna-edge-beta-v-inf", "dna-edge-finite-beta-v"]
