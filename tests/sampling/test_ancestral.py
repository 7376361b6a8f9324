"""Exact ancestral draws against the transfer engine (marginals, covariances) and a full chi-square histogram
against the Gibbs weights enumerated configuration by configuration; bit-exact resume."""

import itertools

import numpy as np
import pytest
from numba import njit
from scipy import stats as sps

from deeprg import hamiltonian as ham
from deeprg.exact import FiniteChain, enumerate_spec
from deeprg.model import NetworkSpec, ValueSets, weight_configurations
from deeprg.sampling import MCConfig, ancestral
from deeprg.sampling._bits import BITS, bernoulli_word

from .helpers import assert_moments_match, assert_resumes_bit_for_bit, neuron_trace

SPECS = {
    "toy-binary-packed": NetworkSpec(depth=7, beta=1.3, beta_v=0.7),
    "toy-dnn": NetworkSpec(depth=5, beta=1.1, hamiltonian="original"),
    "width-2-scalar": NetworkSpec(width=2, depth=4, x=[[1, 0]], y=[[0, 1]], beta=1.0, beta_v=0.8),
    "two-rows-scalar": NetworkSpec(depth=3, x=[[0], [1]], y=[[1], [0]], beta=2.0, beta_v=1.5),
}


def draws(spec, chains, n, seed):
    tables = ancestral.prepare(spec)
    return neuron_trace(ancestral, tables, ancestral.init(tables, spec.depth, chains, np.random.default_rng(seed)), n)


@pytest.mark.parametrize("name", SPECS)
def test_means_and_covariances_match_exact(name):
    spec = SPECS[name]
    x = draws(spec, 200, 200, seed=3)
    exact = enumerate_spec(spec) if spec.depth * spec.rows * spec.width <= 8 else None
    assert_moments_match(x, FiniteChain.solve(spec).mean_h().ravel(), None if exact is None else exact.cov_h)


@pytest.mark.parametrize("spec", [NetworkSpec(depth=4, beta=1.5, beta_v=0.8),
                                  NetworkSpec(width=2, depth=2, x=[[1, 0]], y=[[1, 1]], beta_v=0.6,
                                              values=ValueSets(biases=(0,)))])
def test_full_histogram_of_the_neurons(spec):
    """Chi-square of the joint neuron histogram against weights summed over W, b by enumeration."""
    W, b, log_prior = weight_configurations(spec)
    states = np.array(list(itertools.product(spec.values.neurons, repeat=spec.depth * spec.width)))
    M, N = spec.depth, spec.width
    cs = np.array(list(itertools.product(range(len(W)), repeat=M + 1)))
    lp = log_prior[cs].sum(axis=1)
    probs = []
    for h in states:
        hh = np.broadcast_to(h.reshape(1, M, 1, N), (len(cs), M, 1, N))
        log_w = lp - ham.dna_energy(spec, W[cs], b[cs], hh)
        probs.append(np.exp(log_w).sum())
    p = np.array(probs) / sum(probs)
    x = draws(spec, 640, 25, seed=5).reshape(-1, M * N)
    index = {tuple(s): k for k, s in enumerate(states)}
    counts = np.bincount([index[tuple(r)] for r in x], minlength=len(p))
    expected = p * len(x)
    keep = expected >= 5
    obs, exp = counts[keep], expected[keep]
    if expected[~keep].sum() > 0:
        obs, exp = np.append(obs, counts[~keep].sum()), np.append(exp, expected[~keep].sum())
    assert sps.chisquare(obs, exp).pvalue > 1e-3


def test_interrupted_run_resumes_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")
    config = MCConfig(NetworkSpec(depth=120), "dna", "ancestral", chains=70, sweeps=30, burn_in=3, rmax=5,
                      block=7, seed=4)
    whole, _ = assert_resumes_bit_for_bit(tmp_path, config, stop=2)
    assert np.all(np.abs(whole.z) <= 4)


@njit
def _select_draw_chain(key, first_thr, thr, table_of, M):
    """The chain drawn layer by layer with the lane-wise threshold select (the definition the kernel's
    candidate pairs must reproduce): layer m + 1 = [U < thr[k, h_m]]."""
    out = np.empty(M, np.uint64)
    cur = bernoulli_word(key, np.uint64(0), np.uint64(0), first_thr, first_thr)
    out[0] = cur
    for m in range(1, M):
        k = table_of[m - 1]
        cur = bernoulli_word(key, np.uint64(BITS * m), cur, thr[k, 0], thr[k, 1])
        out[m] = cur
    return out


@pytest.mark.parametrize("depth", [1, 2, 70, 300])
def test_binary_kernel_equals_the_lane_wise_select(depth):
    """Drawing both candidates [U < thr[k, 0]], [U < thr[k, 1]] per layer in SIMD blocks and selecting
    afterwards gives the per-layer select draw bit for bit (tables near the output included)."""
    tables = ancestral.prepare(NetworkSpec(depth=depth, beta_v=2.5))
    state = ancestral.init(tables, depth, 64, np.random.default_rng(4))
    drawn = ancestral.step(tables, state._replace(sweep=0), 1)
    words = _select_draw_chain(state.keys[0], tables.first_thr, tables.thr, tables.table_of, depth)
    assert np.array_equal(drawn.H[0, 1:-1], words)
    bits = (words[None, :] >> np.arange(64, dtype=np.uint64)[:, None]) & np.uint64(1)  # the unpacked view
    assert np.array_equal(ancestral.neuron_values(tables, drawn)[..., 0], tables.states.ravel()[bits])
