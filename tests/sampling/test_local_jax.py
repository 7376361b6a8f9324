"""The JAX local heat bath (CPU) against enumeration and against the Numba kernel's statistics."""

import numpy as np
import pytest

from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets
from deeprg.sampling import estimate, local

from .helpers import neuron_trace

pytest.importorskip("jax")
from deeprg.sampling import local_jax  # noqa: E402

SPECS = {
    "width-2-ternary": NetworkSpec(width=2, depth=2, x=[[1, 0]], y=[[0, 1]], beta=1.0, beta_v=0.8,
                                   values=ValueSets(weights=(-1, 0, 1), weight_prior=(1, 2, 1))),
    "two-rows-sign": NetworkSpec(width=2, depth=2, x=[[1, -1], [1, 1]], y=[[1, 1], [-1, 1]], beta=1.1,
                                 beta_v=0.6, activation="sign",
                                 values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1))),
}


def jax_trace(spec, chains, sweeps):
    tables = local_jax.prepare(spec)
    return neuron_trace(local_jax, tables, local_jax.step(tables, local_jax.init(spec, chains, 7), 10), sweeps)


def numba_trace(spec, chains, sweeps):
    """The same single-site heat bath in Numba (without the bridge moves, which the JAX path does not have)."""
    tables = local.prepare(spec, bridge_moves=False)
    return neuron_trace(local, tables, local.step(tables, local.init(tables, spec.depth, chains,
                                                                     np.random.default_rng(7)), 10), sweeps)


@pytest.mark.parametrize("name", [pytest.param("width-2-ternary", marks=pytest.mark.slow), "two-rows-sign"])
def test_jax_matches_enumeration_and_numba(name):
    spec = SPECS[name]
    exact = enumerate_spec(spec).mean_h.ravel()
    j = estimate(jax_trace(spec, 32, 250))
    n = estimate(numba_trace(spec, 32, 250))
    assert np.all(np.abs(j.mean - exact) <= 4 * j.stderr + 1e-12)
    assert np.all(np.abs(j.mean - n.mean) <= 4 * np.hypot(j.stderr, n.stderr) + 1e-12)
