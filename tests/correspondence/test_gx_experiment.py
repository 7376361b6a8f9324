"""The network experiment: validation, measurement against exact RG data, and an end-to-end run per family."""

import math

import numpy as np
import pytest

from deeprg.correspondence.data import one_parameter_family
from deeprg.correspondence.experiment import ExperimentConfig, _matches, measure, run_experiment
from deeprg.correspondence.rg_maps import OneParameterRG


def exact_coarse_graining(family, x, b, rng):
    """One step of each family's RG rule applied to data (what a network implementing RG would output)."""
    if family in ("ising", "gaussian"):
        return x[:, ::b]
    blocks = x.reshape(len(x), -1, b)
    if family == "poisson":
        return blocks.sum(axis=2)
    ones = blocks.sum(axis=2)
    ties = 2 * ones == b
    return np.where(ties, rng.random(ones.shape) < 0.5, 2 * ones > b).astype(float)


@pytest.mark.parametrize("family, param, b", [("ising", 0.9, 2), ("gaussian", 0.7, 2), ("bernoulli", 0.35, 3),
                                              ("poisson", 1.5, 2)])
def test_measurement_of_exactly_coarse_grained_data_matches_the_rg_iterates(family, param, b):
    """The pipeline can say 'agrees': on exactly renormalized data every layer matches its RG iterate (eq. 7)."""
    rng = np.random.default_rng(0)
    x = one_parameter_family(family, param, b ** 3 * 2)(rng, 3000)
    rg = OneParameterRG(family, b)
    flow = rg.flow(param, 3)
    for level in range(1, 4):
        x = exact_coarse_graining(family, x, b, rng)
        measured = measure(family, x)
        assert _matches(measured, rg.coordinate.to_c(flow[level]), tolerance=0.0), (level, measured, flow[level])


def test_matching_rule_uses_the_measured_error():
    from deeprg.correspondence.experiment import Measurement

    m = Measurement(0.5, 0.01, 0.5, 0.01, {})
    assert _matches(m, 0.52, 0.0) and not _matches(m, 0.6, 0.05) and _matches(m, 0.6, 0.08)
    assert _matches(Measurement(None, None, None, None, {}), 0.0, 0.1) is None


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(family="ising", param=1.0, depth=7), "log_b(n)"), (dict(family="ising", param=1.0, depth=5, n=16), "log_b(n)"),
    (dict(family="ising", param=1.0, depth=0), "depth"), (dict(family="poisson", param=-1.0, depth=2), "rate"),
    (dict(family="gaussian", param=1.0, depth=2), "rho"), (dict(family="bernoulli", param=2.0, depth=2), "[0, 1]"),
    (dict(family="ising", param=None, depth=2), "param"), (dict(family="digits", param=0.5, depth=2), "param"),
    (dict(family="ising", param=1.0, depth=2, objective="x"), "objective"),
    (dict(family="cats", param=1.0, depth=2), "family"), (dict(family="ising", param=1.0, depth=3, n=12, b=2), "n")])
def test_bad_experiment_configs(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        ExperimentConfig(**kwargs)
    assert fragment in str(err.value)


@pytest.mark.parametrize("family, param", [("ising", 1.0), ("gaussian", 0.8), ("bernoulli", 0.3), ("poisson", 2.0),
                                           ("digits", None)])
def test_small_experiment_runs_end_to_end(family, param):
    objective = "likelihood" if family in ("bernoulli", "digits") else "reconstruction"
    config = ExperimentConfig(family, param, 2, objective, seed=1, n=64 if family == "digits" else 16,
                              samples=300, steps=40)
    result = run_experiment(config).to_dict()
    assert [layer["features"] for layer in result["layers"]] == [config.n // 2, config.n // 4]
    rg = OneParameterRG("ising" if family == "digits" else family)
    for layer in result["layers"]:
        for key in ("estimate", "stderr", "rg_prediction", "untrained", "information_r2"):
            assert key in layer
        assert layer["loss_final"] < layer["loss_initial"]  # training did something
        if layer["coordinate"] is not None:  # verdicts are recomputed from the numbers
            expected = abs(layer["coordinate"] - rg.coordinate.to_c(layer["rg_prediction"])) \
                <= 3 * layer["coordinate_stderr"] + config.tolerance
            assert layer["matches_rg"] == expected
    if family != "digits":
        assert result["rg_flow"] == pytest.approx(rg.flow(param, 2))
    assert math.isfinite(result["input"]["estimate"])


@pytest.mark.slow
def test_report_checks_shape_and_verdicts(tmp_path):
    from deeprg.correspondence import report_checks

    checks = report_checks(out_dir=tmp_path)
    ids = [c["id"] for c in checks]
    assert {"gx-rg-exact", "gx-ising", "gx-gaussian", "gx-bernoulli", "gx-poisson", "gx-digits"} <= set(ids)
    for check in checks:
        assert {"id", "claim", "paper", "computed", "verdict", "detail"} <= set(check)
        assert check["verdict"] in {"agrees", "disagrees", "not-checkable"}
        for path in check.get("figures", []):
            assert (tmp_path / path.split("/")[-1]).exists()
    assert checks[0]["verdict"] == "agrees"
