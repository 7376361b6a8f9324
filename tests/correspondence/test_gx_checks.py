"""The gx verdict rule flips when synthetic evidence crosses each of its tests; the report's Check records."""

import math

import pytest
from scipy.stats import norm

from deeprg.correspondence.checks import ALPHA, exact_rg_errors, gx_verdict
from deeprg.report.check import Check, Evidence

SE = 0.01
JOINT = math.hypot(SE, SE)
Z2, Z1 = norm.isf(ALPHA / 2), norm.isf(ALPHA)  # one test: two-sided and one-sided critical values


def test_agrees_when_trained_matches_and_is_significantly_closer_than_the_control():
    assert gx_verdict(Evidence((0.58, SE), (0.0, SE), 0.58)) == "agrees"


def test_flips_to_disagrees_when_the_trained_mean_leaves_the_target():
    inside = Evidence((0.58 + 0.99 * Z2 * SE, SE), (0.0, SE), 0.58)
    outside = Evidence((0.58 + 1.01 * Z2 * SE, SE), (0.0, SE), 0.58)
    assert gx_verdict(inside) == "agrees" and gx_verdict(outside) == "disagrees"


def test_flips_to_not_checkable_when_trained_and_control_cannot_be_told_apart():
    apart = Evidence((0.58, SE), (0.58 - 1.01 * Z2 * JOINT, SE), 0.58)
    together = Evidence((0.58, SE), (0.58 - 0.99 * Z2 * JOINT, SE), 0.58)
    assert gx_verdict(apart) == "agrees" and gx_verdict(together) == "not-checkable"


def test_disagrees_when_distinguishable_but_not_significantly_closer():
    # trained within its error of the target, the control on the other side, distinguishable from the trained
    # mean, but farther from the target by less than the one-sided threshold
    evidence = Evidence((0.58 + 0.9 * Z2 * SE, SE), (0.58 - 0.9 * Z2 * SE - 0.5 * Z1 * JOINT, SE), 0.58)
    assert abs(evidence.trained[0] - evidence.control[0]) > Z2 * JOINT  # distinguishable
    assert gx_verdict(evidence) == "disagrees"


def test_family_wise_level_widens_the_thresholds():
    evidence = Evidence((0.58 + 1.1 * Z2 * SE, SE), (0.0, SE), 0.58)
    assert gx_verdict(evidence, tests=1) == "disagrees"
    assert gx_verdict(evidence, tests=3) == "agrees"  # Bonferroni over 3 layers: z = isf(alpha / 6)


def test_exact_maps_against_enumeration():
    assert max(exact_rg_errors(2).values()) < 1e-10


@pytest.mark.slow
def test_report_checks_are_check_records_with_evidence(tmp_path):
    from deeprg.correspondence import report_checks

    checks = report_checks(out_dir=tmp_path)
    ids = [c.id for c in checks]
    assert {"gx-rg-exact", "gx-positive-control", "gx-ising", "gx-gaussian", "gx-bernoulli", "gx-poisson",
            "gx-digits"} <= set(ids)
    by_id = {c.id: c for c in checks}
    assert by_id["gx-rg-exact"].verdict == "agrees" and by_id["gx-positive-control"].verdict == "agrees"
    for check in checks:
        assert isinstance(check, Check) and check.source == "gx" and check.could_fail_if
        for path in check.figures:
            assert (tmp_path / path.split("/")[-1]).exists()
    for family in ("ising", "gaussian", "bernoulli", "poisson"):
        evidence = by_id[f"gx-{family}"].to_dict()["evidence"]
        assert set(evidence) == {"trained", "control", "target"} and len(evidence["trained"]) == 2
