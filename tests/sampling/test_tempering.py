"""Parallel tempering in beta_v: every level samples its own DNA distribution (enumeration oracle), the exchange
move satisfies detailed balance (flux symmetry from exact stationary pairs), bit-exact resume."""


import numpy as np
import pytest

from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets
from deeprg.sampling import MCConfig, estimate, local, tempering

from .helpers import assert_resumes_bit_for_bit

SPEC = NetworkSpec(width=2, depth=3, x=[[1, -1]], y=[[1, 1]], beta=1.0, beta_v=2.5, activation="sign",
                   values=ValueSets(weights=(-1, 1), biases=(-1, 1), neurons=(-1, 1)))


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


@pytest.mark.slow
def test_every_level_samples_its_own_distribution():
    tables = tempering.prepare(SPEC, replicas=3, beta_v_min=0.5)
    state = tempering.init(tables, SPEC.depth, 6, np.random.default_rng(1))
    state = tempering.step(tables, state, 20)
    R = len(tables.ladder)
    per_level = [[] for _ in range(R)]
    for _ in range(800):
        state = tempering.step(tables, state, 1)
        values = local.neuron_values(tables.local, state.replicas()).reshape(len(state.keys), -1)
        for k in range(R):
            order = np.flatnonzero(state.level == k)
            per_level[k].append(values[order[np.argsort(order // R)]])
    assert state.swaps.min() > 0
    for k, bv in enumerate(tables.ladder):
        exact = enumerate_spec(SPEC.replace(beta_v=float(bv)))
        x = np.stack(per_level[k], axis=1)
        est = estimate(x)
        assert np.all(np.abs(est.mean - exact.mean_h.ravel()) <= 4 * est.stderr + 1e-12), (k, bv)


def test_resume_bit_for_bit_and_diagnostics(tmp_path):
    config = MCConfig(SPEC.replace(depth=40), "dna", "tempering", chains=2, sweeps=20, burn_in=3, rmax=3,
                      block=6, seed=3, replicas=3)
    whole, _ = assert_resumes_bit_for_bit(tmp_path, config, stop=2)
    a = whole.to_dict()
    assert len(a["sampler"]["swap_acceptance"]) == 2 and np.allclose(a["sampler"]["ladder"][0], 2.5)


@pytest.mark.parametrize("kwargs,match", [(dict(replicas=1), "replicas"), (dict(beta_v_min=3.0), "beta_v_min"),
                                          (dict(beta_v_min=0.0), "beta_v_min")])
def test_bad_ladders(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MCConfig(SPEC.replace(depth=50), "dna", "tempering", **kwargs)
