"""The local heat bath against independent oracles: enumeration (means, covariances, full histograms), the exact
conditional of single sites (detailed balance of each heat-bath move), the transfer engine at sizes the joint
tables cannot hold, and a closed-form wide-network chain; plus bit-exact resume."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.special import comb

from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets
from deeprg.sampling import MCConfig, local, run
from deeprg.sampling.tables import MAX_TABLE_ENTRIES, table_entries

from .helpers import TINY_SPECS, assert_moments_match_enumeration, assert_resumes_bit_for_bit, neuron_trace

TINY = TINY_SPECS | {
    "width-2-two-rows-no-bias": NetworkSpec(width=2, depth=2, x=[[1, -1], [1, 1]], y=[[1, 1], [-1, 1]],
                                            beta=1.1, beta_v=0.6, activation="sign",
                                            values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1))),
}


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


def trace(spec, chains, sweeps, seed, burn_in=20):
    """Neuron values (chains, sweeps, M L N) after each sweep."""
    tables = local.prepare(spec)
    state = local.step(tables, local.init(tables, spec.depth, chains, np.random.default_rng(seed)), burn_in)
    return neuron_trace(local, tables, state, sweeps)


@pytest.mark.parametrize("name", TINY)
def test_means_and_covariances_match_enumeration(name):
    spec = TINY[name]
    exact = enumerate_spec(spec)
    x = trace(spec, chains=8, sweeps=1000, seed=11)
    assert_moments_match_enumeration(x, exact)


def _log_weights(spec, tables, states):
    return -local.energy(spec, tables, states)


@pytest.mark.parametrize("bridge_moves, chains", [(False, 3000), (True, 600)])
def test_full_histogram_matches_direct_evaluation(bridge_moves, chains):
    """Chi-square of the joint histogram of (W, b, h) over every configuration of a depth-2 toy, against the
    Gibbs weights evaluated configuration by configuration (hamiltonian.dna_energy); the heat bath alone and
    with the bridge moves (:mod:`deeprg.sampling.bridge`)."""
    spec = NetworkSpec(depth=2, beta=1.5, beta_v=0.8)
    tables = local.prepare(spec, bridge_moves=bridge_moves)
    assert (tables.bridge is not None) == bridge_moves
    M = spec.depth
    keys = list(itertools.product(range(2), repeat=2 * (M + 1) + M))  # W_0..2, b_0..2, h_1..2 (indices)
    arr = np.array(keys)
    h = np.zeros((len(arr), M + 2, 1, 1), dtype=np.int8)
    h[:, 0], h[:, -1] = tables.x, tables.y
    h[:, 1:-1, 0, 0] = arr[:, 2 * (M + 1):]
    probe = local.LocalState(h, arr[:, :M + 1].reshape(-1, M + 1, 1, 1).astype(np.int8),
                             arr[:, M + 1:2 * (M + 1)].reshape(-1, M + 1, 1).astype(np.int8), None, None, 0)
    p = np.exp(_log_weights(spec, tables, probe))
    p /= p.sum()
    state = local.step(tables, local.init(tables, M, chains, np.random.default_rng(8)), 10)
    counts = np.zeros(len(keys))
    index = {k: n for n, k in enumerate(keys)}
    for _ in range(8):
        state = local.step(tables, state, 3)
        for row in np.concatenate([state.W.reshape(chains, -1), state.b.reshape(chains, -1),
                                   state.h[:, 1:-1].reshape(chains, -1)], axis=1):
            counts[index[tuple(row)]] += 1
    expected = p * counts.sum()
    assert counts[p == 0].sum() == 0  # nothing forbidden is ever visited
    keep = expected >= 5  # pool the rare cells (standard chi-square validity)
    obs, exp = counts[keep], expected[keep]
    if expected[~keep].sum() > 0:
        obs, exp = np.append(obs, counts[~keep].sum()), np.append(exp, expected[~keep].sum())
    assert sps.chisquare(obs, exp).pvalue > 1e-3


def _conditional(spec, tables, state, chain, field, index, values):
    """Exact conditional of one site given the rest of chain ``chain``: exp(-energy) for each candidate."""
    energies = []
    for v in values:
        trial = local.LocalState(state.h[chain:chain + 1].copy(), state.W[chain:chain + 1].copy(),
                                 state.b[chain:chain + 1].copy(), None, None, 0)
        getattr(trial, field)[(0,) + index] = v
        energies.append(local.energy(spec, tables, trial)[0])
    w = np.exp(-(np.array(energies) - min(energies)))
    return w / w.sum()


@pytest.mark.parametrize("field", ["W", "h"])
def test_single_site_heat_bath_is_the_exact_conditional(field):
    """Detailed balance of each move: a heat-bath move draws from the exact conditional P(site | rest), which
    is reversible. The first site a sweep visits in a layer sees the initial state (W^(m)_00 in every weight
    layer; h^(1)_00 when the weights are frozen to one value), so over many chains started from the same state
    its histogram must follow the conditional computed from the full energy."""
    if field == "W":
        spec = NetworkSpec(width=2, depth=3, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta=1.2, beta_v=0.9,
                           values=ValueSets(weights=(-1, 0, 1), biases=(-1, 1), weight_prior=(1, 2, 3)))
    else:
        spec = NetworkSpec(width=2, depth=3, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta=1.2, beta_v=0.9,
                           values=ValueSets(weights=(1,), biases=(-1,), neurons=(0, 1, 2)),
                           activation=lambda a: np.clip(a + 1, 0, 2))
    tables = local.prepare(spec)
    start = local.step(tables, local.init(tables, spec.depth, 1, np.random.default_rng(4)), 5)
    chains = 6000
    rng = np.random.default_rng(5)
    state = local.LocalState(np.repeat(start.h, chains, 0), np.repeat(start.W, chains, 0),
                             np.repeat(start.b, chains, 0), np.repeat(start.pre, chains, 0),
                             rng.integers(0, 2**63, chains, dtype=np.uint64), 0)
    moved = local.step(tables, state.copy(), 1)
    sites = [(m, 0, 0) for m in range(spec.depth + 1)] if field == "W" else [(1, 0, 0)]
    values = range(len(tables.weights) if field == "W" else len(tables.neurons))
    for site in sites:
        p = _conditional(spec, tables, start, 0, field, site, values)
        counts = np.bincount(getattr(moved, field)[(slice(None),) + site], minlength=len(p))
        keep = p > 0
        assert counts[~keep].sum() == 0
        assert sps.chisquare(counts[keep], p[keep] * chains).pvalue > 1e-3, (site, counts, p * chains)


def test_cache_stays_exact_and_energy_finite():
    spec = TINY["sign-ternary"].replace(width=1, depth=20)
    tables = local.prepare(spec)
    state = local.step(tables, local.init(tables, spec.depth, 3, np.random.default_rng(0)), 30)
    fresh = np.empty_like(state.pre)
    from deeprg.sampling import _local_kernels
    _local_kernels.preactivations(state.h, state.W, state.b, tables.weights, tables.biases, tables.neurons, fresh)
    assert np.array_equal(fresh, state.pre)
    assert np.all(np.isfinite(local.energy(spec, tables, state)))


def test_interrupted_local_run_resumes_bit_for_bit(tmp_path):
    spec = NetworkSpec(width=2, depth=60, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta_v=0.7)
    config = MCConfig(spec, "dna", "local", chains=3, sweeps=30, burn_in=5, rmax=4, block=7, seed=4)
    assert_resumes_bit_for_bit(tmp_path, config)


def test_auto_picks_local_when_tables_do_not_fit_and_matches_the_transfer_engine():
    """Width 3 with two rows: the joint tables would need > 2^25 entries, the transfer engine (64 joint states)
    still holds the spec, so G(r) of the unit, the magnetization and the overlap have exact values."""
    spec = NetworkSpec(width=3, depth=120, x=[[1, 0, 1], [0, 1, 1]], y=[[1, 1, 0], [0, 1, 0]], beta_v=0.8)
    assert table_entries(spec) > MAX_TABLE_ENTRIES
    result = run(MCConfig(spec, chains=4, sweeps=250, burn_in=30, rmax=4, seed=2))
    assert result.config.method == "local"
    assert np.all(np.abs(result.z) <= 4)
    payload = result.to_dict()
    for name in ("overlap", "magnetization"):
        block = payload[name]
        assert set(block) >= {"G", "G_err", "mean", "mean_err", "tau_int", "G_exact"}
        assert np.all(np.abs(block["z"]) <= 4), (name, block["z"])
        assert abs(block["mean"] - block["mean_exact"]) <= 4 * block["mean_err"]


def test_infeasible_exact_overlay_is_null():
    spec = NetworkSpec(width=8, depth=30, x=[[1, 0] * 4, [0, 1] * 4, [1, 1] * 4, [0, 0] * 4],
                       y=[[1] * 8] * 4, beta_v=0.8)
    payload = run(MCConfig(spec, chains=2, sweeps=4, burn_in=1, rmax=3)).to_dict()
    assert payload["method"] == "local"
    assert payload["G_exact"] is None and payload["z"] is None
    assert payload["overlap"]["G_exact"] is None and payload["magnetization"]["G_exact"] is None
    assert np.all(np.isfinite(payload["overlap"]["G"]))


# -- a wide network in closed form ------------------------------------------------------------------------
def sign_overlap_chain(N: int, beta_v: float, p: float = 2.0):
    r"""Transition matrix of the number n of units where two rows agree, for sign activation, W uniform on
    {-1, 1}^(N x N), no biases, neurons {-1, 1}, in the bulk of the DNA.

    The rows of T = K E^T sum to a constant, so the bulk chain is: draw W, s = sign(W h), flip every neuron with
    probability eps = e^{-beta_v 2^p} / (1 + e^{-beta_v 2^p}). For unit i, with a agreeing and d = N - a
    disagreeing coordinates, W_i h_0 = A + B and W_i h_1 = A - B with A, B independent sums of a, d uniform
    signs, so the units agree after the flips independently with probability
    p'(a) = P_s (1 - 2 eps (1 - eps)) + (1 - P_s) 2 eps (1 - eps), P_s = P(sign(A + B) = sign(A - B)), and
    n' ~ Binomial(N, p'(a))."""
    eps = math.exp(-beta_v * 2**p) / (1 + math.exp(-beta_v * 2**p))
    flip = 2 * eps * (1 - eps)
    P = np.zeros((N + 1, N + 1))
    for a in range(N + 1):
        d = N - a
        kA, kB = np.arange(a + 1), np.arange(d + 1)
        A, B = 2 * kA - a, 2 * kB - d
        wA, wB = comb(a, kA) / 2.0**a, comb(d, kB) / 2.0**d
        s0 = np.where(A[:, None] + B[None, :] >= 0, 1, -1)
        s1 = np.where(A[:, None] - B[None, :] >= 0, 1, -1)
        ps = float((wA[:, None] * wB[None, :] * (s0 == s1)).sum())
        agree = ps * (1 - flip) + (1 - ps) * flip
        P[a] = sps.binom.pmf(np.arange(N + 1), N, agree)
    return P


def sign_overlap_bulk(N: int, beta_v: float, rmax: int):
    """(G(r), mean) of q = (2 n - N) / N in the stationary chain of :func:`sign_overlap_chain`."""
    P = sign_overlap_chain(N, beta_v)
    values, vectors = np.linalg.eig(P.T)
    pi = np.abs(vectors[:, np.argmin(np.abs(values - 1))].real)
    pi /= pi.sum()
    q = (2 * np.arange(N + 1) - N) / N
    mean = pi @ q
    G, w = np.empty(rmax + 1), q.copy()
    for r in range(rmax + 1):
        G[r] = (pi * q) @ w - mean**2
        w = P @ w
    return G, mean


def test_closed_form_chain_matches_transfer_engine():
    """The oracle itself, against the full transfer engine at N = 2 (16 joint states) and the symmetric engine
    at N = 16."""
    spec = NetworkSpec(width=2, depth=50, x=[[1, 1], [1, -1]], y=[[1, 1], [1, -1]], beta_v=0.8, activation="sign",
                       values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1)))
    from deeprg.sampling.observables import exact_bulk
    exact = exact_bulk(spec, 5, 0, 0)
    G, mean = sign_overlap_bulk(2, 0.8, 5)
    assert np.allclose(exact.G["overlap"], G, atol=1e-12) and math.isclose(exact.mean["overlap"], mean)
    x = [[1] * 16, [1, -1] * 8]
    wide = spec.replace(width=16, x=x, y=x)
    exact = exact_bulk(wide, 5, 0, 0)
    G, mean = sign_overlap_bulk(16, 0.8, 5)
    assert exact.source == "symmetric"
    assert np.allclose(exact.G["overlap"], G, atol=1e-12) and math.isclose(exact.mean["overlap"], mean)


@pytest.mark.slow
def test_wide_local_overlap_matches_closed_form():
    """Width 16, two rows: far beyond the full transfer engine; overlap G(r) within 4 error bars of the exact
    chain. The overlap relaxes slowly under single-site moves (tau_int ~ 40 sweeps at width 8), hence the long
    burn-in."""
    N = 16
    x = [[1] * N, [1, -1] * (N // 2)]
    spec = NetworkSpec(width=N, depth=100, x=x, y=x, beta_v=0.8, activation="sign",
                       values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1)))
    result = run(MCConfig(spec, chains=4, sweeps=2000, burn_in=800, rmax=4, seed=1))
    G, mean = sign_overlap_bulk(N, 0.8, 4)
    q = result.observables["overlap"]
    assert result.exact.source == "symmetric"  # the permutation-symmetric engine holds it
    assert np.allclose(result.exact.G["overlap"], G, atol=1e-12)  # the two exact routes agree
    assert np.all(np.abs(q.G - G) <= 4 * q.G_err), (q.G, G, q.G_err)
    assert abs(q.mean - mean) <= 4 * q.mean_err
