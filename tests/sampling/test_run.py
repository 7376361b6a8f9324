"""Resumable runs, G(r) against the exact bulk, validation, and the Fig 7 resemblance rule."""


import numpy as np
import pytest

from deeprg.model import NetworkSpec
from deeprg.sampling import MCConfig, resemblance, run

from .helpers import assert_resumes_bit_for_bit


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


@pytest.mark.parametrize("system,method", [("dna", "gibbs"), ("dnn", "metropolis"), ("dna", "exact")])
def test_interrupted_run_resumes_bit_for_bit(tmp_path, system, method):
    config = MCConfig(NetworkSpec(depth=300), system, method, chains=3, sweeps=40, burn_in=9, rmax=5, block=7,
                      seed=4)
    assert_resumes_bit_for_bit(tmp_path, config)


def test_checkpoint_of_other_options_is_refused(tmp_path):
    path = tmp_path / "state.npz"
    run(MCConfig(NetworkSpec(depth=100), chains=2, sweeps=4, burn_in=0, rmax=3), path)
    with pytest.raises(ValueError, match="checkpoint"):
        run(MCConfig(NetworkSpec(depth=100), chains=2, sweeps=4, burn_in=0, rmax=3, seed=1), path)


@pytest.mark.parametrize("system,method", [("dna", "gibbs"), ("dnn", "metropolis"), ("dnn", "exact")])
def test_bulk_correlation_matches_transfer_matrices(system, method):
    result = run(MCConfig(NetworkSpec(depth=1500, beta=0.8, beta_v=1.3), system, method, chains=4, sweeps=300,
                          burn_in=30, rmax=6, seed=9))
    assert np.all(np.abs(result.z) <= 4)
    assert abs(result.correlation.mean - result.mean_exact) <= 4 * result.correlation.mean_err
    assert np.all(result.correlation.r_hat < 1.1)


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(spec=NetworkSpec(depth=50, beta_v=float("inf"))), ValueError, "system .dnn."),
    (dict(chains=0), ValueError, "chains"),
    (dict(sweeps=-5), ValueError, "sweeps"),
    (dict(burn_in=-1), ValueError, "burn_in"),
    (dict(system="dnn", method="gibbs"), ValueError, "method"),
    (dict(system="both"), ValueError, "system"),
    (dict(rmax=60), ValueError, "rmax"),
])
def test_bad_configurations(kwargs, error, match):
    kwargs = {"spec": NetworkSpec(depth=50)} | kwargs
    with pytest.raises(error, match=match):
        MCConfig(**kwargs)


def test_complex_coupling_is_refused():
    with pytest.raises(TypeError, match="complex"):
        MCConfig(NetworkSpec(depth=50, beta=1 + 2j))


def test_resemblance_rule():
    G = np.array([0.25, 0.05, 0.01])
    assert resemblance(G, G, 1.0, 1.0)["close"] and resemblance(G, G, 1.0, 1.0)["max_abs_diff"] == 0
    assert not resemblance(G, G + 0.1, 1.0, 1.0)["close"]  # 0.1 > 0.25 * max G(0) = 0.0875
    assert not resemblance(G, G, 1.0, 2.5)["close"]


@pytest.mark.slow
def test_fig7_depth_1e4_matches_exact_bulk():
    """The acceptance run of Fig 7 (depth 10^4, beta = beta_v = 1), both systems, r <= 5 within 4 error bars."""
    spec = NetworkSpec(depth=10_000, beta=1.0, beta_v=1.0)
    for system in ("dna", "dnn"):
        result = run(MCConfig(spec, system, chains=16, sweeps=1000, burn_in=100, rmax=5, seed=3))
        assert np.all(np.abs(result.z) <= 4), (system, result.z)


@pytest.mark.parametrize("method", ["gibbs", "exact", "ancestral"])
@pytest.mark.parametrize("spec", [NetworkSpec(depth=40, beta_v=0.8),
                                  NetworkSpec(width=2, depth=40, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta_v=0.8)])
def test_compiled_measurement_equals_the_per_layer_arrays(method, spec):
    """The fused measurement of joint-state samplers (duplicate and zero observables skipped) gives the
    position averages of the materialized per-layer observables and the summed neuron values."""
    from deeprg.sampling._kernels import position_averages
    from deeprg.sampling.registry import SAMPLERS

    rule = SAMPLERS[method]
    tables = rule.prepare(spec)
    state = rule.step(tables, rule.init(tables, spec.depth, 5, np.random.default_rng(3)), 3)
    lo, hi, rmax = 5, 36, 6
    got, expected = np.zeros((3, 5, 2, rmax + 2)), np.zeros((3, 5, 2, rmax + 2))
    sums = np.zeros((spec.depth, spec.rows * spec.width))
    rule.measure(tables, state, 0, spec.width - 1, lo, hi, rmax, got, sums, 1)
    position_averages(rule.layer_observables(tables, state, 0, spec.width - 1, lo, hi), rmax, expected, 1)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert np.allclose(sums, rule.neuron_values(tables, state).sum(axis=0))
