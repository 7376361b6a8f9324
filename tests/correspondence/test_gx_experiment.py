"""The network experiment: validation, exact-RG layers against an independent coarse-graining, positive and
negative controls, seed statistics and the stated tests."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from deeprg.correspondence.experiment import (ExperimentConfig, _rule_layer, _layer_output, compare, run_experiment,
                                              run_seed, seed_average)
from deeprg.correspondence.families import REGISTRY, one_parameter_family
from deeprg.correspondence.readout import measure
from deeprg.correspondence.rg_maps import OneParameterRG


def exact_coarse_graining(family, x, b, rng):
    """One step of each family's RG rule applied to data, written independently of the library."""
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
    """The readout can say 'agrees': on exactly renormalized data every layer sits within 3.5 se of R^k(P)."""
    rng = np.random.default_rng(0)
    x = one_parameter_family(family, param, b ** 3 * 2)(rng, 3000)
    rg = OneParameterRG(family, b)
    flow = rg.flow(param, 3)
    for level in range(1, 4):
        x = exact_coarse_graining(family, x, b, rng)
        m = measure(family, x)
        assert abs(m.coordinate - rg.coordinate.to_c(flow[level])) <= 3.5 * m.coordinate_stderr, (level, m)


@pytest.mark.parametrize("family, b", [("ising", 2), ("gaussian", 3), ("bernoulli", 3), ("poisson", 2)])
def test_rg_architecture_layers_are_the_exact_coarse_graining(family, b):
    """The rg architecture's fixed-weight layers reproduce the independent coarse-graining sample by sample."""
    rng = np.random.default_rng(1)
    x = one_parameter_family(family, {"ising": 0.8, "gaussian": 0.5, "bernoulli": 0.4, "poisson": 2.0}[family],
                             b * 6)(rng, 200)
    weights, bias = _rule_layer(REGISTRY[family].rule, x.shape[1], b)
    out = _layer_output(weights, bias, x, REGISTRY[family].kind, REGISTRY[family].rule)
    assert np.array_equal(out, exact_coarse_graining(family, x, b, rng))


@pytest.mark.parametrize("family, param", [("ising", 1.0), ("gaussian", 0.8), ("bernoulli", 0.3), ("poisson", 2.0)])
def test_positive_control_matches_the_iterate_at_every_layer(family, param):
    config = ExperimentConfig(family, param, 2, arch="rg", seeds=3, samples=600)
    result = run_experiment(config)
    rg = OneParameterRG(family, config.b)
    for layer, value in zip(result.layers, rg.flow(param, 2)[1:]):
        assert layer["rg_iterate"]["mean"] == pytest.approx(rg.coordinate.to_c(value), abs=1e-12)
        assert layer["matches_iterate"], layer


def test_negative_control_random_local_weights_miss_a_far_iterate():
    """Random local weights on Poisson counts (softplus of a random mix) do not carry the block sum's rate at
    layer 1, where R(P) (u = 0.8) is far from the fixed point (u = 1)."""
    result = run_experiment(ExperimentConfig("poisson", 2.0, 1, arch="rg", seeds=3, samples=1000))
    layer = result.layers[0]
    assert layer["matches_iterate"] and layer["untrained_matches_iterate"] is False
    assert abs(layer["rg_iterate"]["mean"] - layer["fixed_point"]["mean"]) > 0.1


def test_seed_average_is_the_mean_with_the_floored_standard_error():
    stat = seed_average([0.1, 0.3, 0.2], [0.01, 0.01, 0.01])
    assert stat["mean"] == pytest.approx(0.2)
    assert stat["stderr"] == pytest.approx(0.1 / math.sqrt(3))  # sample sd 0.1 over sqrt(3) seeds
    floor = seed_average([0.2, 0.2], [0.3, 0.4])  # identical seeds: the pooled per-seed error remains
    assert floor["stderr"] == pytest.approx(math.sqrt((0.09 + 0.16) / 2 / 2))
    assert seed_average([None], [None])["mean"] is None


def test_compare_uses_bonferroni_z_thresholds():
    z2, z1 = norm.isf(0.01 / 4), norm.isf(0.01 / 2)  # two layers, alpha 0.01
    s = {"mean": 0.5, "stderr": 0.01}
    assert compare(s, s, 0.5 + 0.999 * z2 * 0.01, 2, 0.01)["matches"]
    assert not compare(s, s, 0.5 + 1.001 * z2 * 0.01, 2, 0.01)["matches"]
    joint = math.hypot(0.01, 0.01)
    far = {"mean": 0.5 + 1.001 * z1 * joint, "stderr": 0.01}
    near = {"mean": 0.5 + 0.999 * z1 * joint, "stderr": 0.01}
    assert compare(s, far, 0.5, 2, 0.01)["closer"] and not compare(s, near, 0.5, 2, 0.01)["closer"]


def test_a_seed_is_reproducible_and_seeds_differ():
    params = dict(family="bernoulli", param=0.3, depth=1, arch="local", samples=200, steps=100, n=27)
    a, b = (run_seed(params, 4) for _ in range(2))
    assert a == b
    assert run_seed(params, 5)["layers"][0]["trained"] != a["layers"][0]["trained"]


def test_rerun_reuses_the_seeds_already_written(tmp_path):
    config = ExperimentConfig("gaussian", 0.6, 1, arch="rg", seeds=2, n=16, samples=200)
    first = run_experiment(config, out_dir=tmp_path)
    files = sorted((tmp_path / "points").iterdir())
    assert len(files) == 2
    assert run_experiment(config, out_dir=tmp_path).layers == first.layers
    other = ExperimentConfig("gaussian", 0.5, 1, arch="rg", seeds=2, n=16, samples=200)  # not reused
    run_experiment(other, out_dir=tmp_path)
    assert len(list((tmp_path / "points").iterdir())) == 4


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(family="ising", param=1.0, depth=7), "log_b(n)"), (dict(family="ising", param=1.0, depth=5, n=16), "log_b(n)"),
    (dict(family="ising", param=1.0, depth=0), "depth"), (dict(family="poisson", param=-1.0, depth=2), "rate"),
    (dict(family="gaussian", param=1.0, depth=2), "rho"), (dict(family="bernoulli", param=2.0, depth=2), "[0, 1]"),
    (dict(family="bernoulli", param=0.3, depth=2, b=2), "odd"),
    (dict(family="ising", param=None, depth=2), "param"), (dict(family="digits", param=0.5, depth=2), "param"),
    (dict(family="ising", param=1.0, depth=2, objective="x"), "objective"),
    (dict(family="ising", param=1.0, depth=2, arch="conv"), "arch"),
    (dict(family="ising", param=1.0, depth=2, seeds=0), "seeds"),
    (dict(family="cats", param=1.0, depth=2), "family"), (dict(family="ising", param=1.0, depth=3, n=12, b=2), "n")])
def test_bad_experiment_configs_name_the_parameter(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        ExperimentConfig(**kwargs)
    assert fragment in str(err.value) and "--" not in str(err.value)


def test_default_sizes_follow_the_family():
    assert ExperimentConfig("bernoulli", 0.3, 3).b == 3 and ExperimentConfig("bernoulli", 0.3, 3).n == 81
    assert ExperimentConfig("ising", 1.0, 3).b == 2 and ExperimentConfig("ising", 1.0, 3).n == 64


@pytest.mark.parametrize("family, param, arch, objective", [
    ("ising", 1.0, "local", "reconstruction"), ("gaussian", 0.8, "dense", "likelihood"),
    ("bernoulli", 0.3, "local", "likelihood"), ("poisson", 2.0, "dense", "reconstruction"),
    ("digits", None, "local", "likelihood")])
def test_small_experiment_runs_end_to_end(family, param, arch, objective):
    config = ExperimentConfig(family, param, 2, objective, arch, seeds=2, n=64 if family == "digits" else None,
                              samples=300, steps=200)
    result = run_experiment(config).to_dict()
    width = config.n
    for layer in result["layers"]:
        width //= config.b
        assert layer["features"] == width
        for key in ("rg_iterate", "fixed_point", "trained", "untrained"):
            assert {"mean", "stderr"} <= set(layer[key])
        assert layer["loss_final"]["mean"] is not None and len(layer["train_steps"]) == 2
        assert all(r["layers"][layer["layer"] - 1]["loss"]["loss_final"] < r["layers"][layer["layer"] - 1]["loss"]
                   ["loss_initial"] for r in result["runs"])  # training did something
        for name in ("trained", "untrained"):
            assert 0.0 <= layer["information"][name]["mean"] <= 1.0
    assert math.isfinite(result["runs"][0]["input"]["estimate"])
