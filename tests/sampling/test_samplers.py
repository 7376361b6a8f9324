"""Samplers against the enumeration oracle: means, covariances, full histograms and detailed balance."""

import itertools

import numpy as np
import pytest
from scipy import stats as sps

from deeprg import hamiltonian as ham
from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, weight_configurations
from deeprg.sampling import ffbs, gibbs, original

from .helpers import TINY_SPECS, assert_moments_match_enumeration

SAMPLERS = {"gibbs": (gibbs, "dna"), "metropolis": (original, "original"), "exact-dna": (ffbs, "dna"),
            "exact-dnn": (ffbs, "original")}


def trace(module, spec, chains, sweeps, seed):
    """Neuron values (chains, sweeps, M L N) after each sweep."""
    tables = module.prepare(spec)
    states = getattr(tables, "layer", tables).states
    state = module.init(tables, spec.depth, chains, np.random.default_rng(seed))
    state = module.step(tables, state, 20)
    out = []
    for _ in range(sweeps):
        state = module.step(tables, state, 1)
        out.append(states[state.h[:, 1:spec.depth + 1]].reshape(chains, -1))
    return np.stack(out, axis=1)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("name", TINY_SPECS)
def test_means_and_covariances_match_enumeration(name, sampler):
    module, hamiltonian = SAMPLERS[sampler]
    spec = TINY_SPECS[name].replace(hamiltonian=hamiltonian)
    exact = enumerate_spec(spec)
    x = trace(module, spec, chains=8, sweeps=1500, seed=11)
    assert_moments_match_enumeration(x, exact)


def _configurations(spec):
    """Every (c, h) of a tiny spec with its probability (by direct evaluation of the energies)."""
    W, b, log_prior = weight_configurations(spec)
    M = spec.depth
    neurons = np.array(spec.values.neurons)
    cs = np.array(list(itertools.product(range(len(W)), repeat=M + 1)))
    lp = log_prior[cs].sum(axis=1)
    if spec.hamiltonian == "original":
        log_w = lp - ham.original_energy(spec, W[cs], b[cs])
        return {tuple(c): w for c, w in zip(map(tuple, cs), np.exp(log_w - log_w.max()))}
    hs = np.array(list(itertools.product(neurons, repeat=M)))
    out = {}
    for h in hs:
        hh = np.broadcast_to(h[None, :, None, None], (len(cs), M, 1, 1))
        log_w = lp - ham.dna_energy(spec, W[cs], b[cs], hh)
        for c, w in zip(map(tuple, cs), log_w):
            out[c + tuple(h)] = w
    top = max(out.values())
    return {k: np.exp(v - top) for k, v in out.items()}


def _chi_square(counts: dict, probs: dict) -> float:
    keys = list(probs)
    p = np.array([probs[k] for k in keys])
    p /= p.sum()
    n = np.array([counts.get(k, 0) for k in keys])
    assert sum(counts.values()) == n.sum(), "a sampled configuration has zero exact probability"
    expected = p * n.sum()
    keep = expected >= 5  # pool the rare cells (standard chi-square validity)
    obs, exp = n[keep], expected[keep]
    if not keep.all():
        obs, exp = np.append(obs, n[~keep].sum()), np.append(exp, expected[~keep].sum())
    return sps.chisquare(obs, exp).pvalue


@pytest.mark.parametrize("hamiltonian", ["dna", "original"])
def test_exact_sampler_full_histogram(hamiltonian):
    spec = NetworkSpec(depth=2, beta=1.5, beta_v=0.8, hamiltonian=hamiltonian)
    tables = ffbs.prepare(spec)
    state = ffbs.init(tables, spec.depth, 4000, np.random.default_rng(3))
    counts = {}
    neurons = np.array(spec.values.neurons)
    for _ in range(10):
        state = ffbs.step(tables, state, 1)
        h = tables.layer.states[state.h[:, 1:3], 0, 0]
        keys = [tuple(c) + (() if hamiltonian == "original" else tuple(hv)) for c, hv in zip(state.c, h)]
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    assert neurons.tolist() == [0.0, 1.0]
    assert _chi_square(counts, _configurations(spec)) > 1e-3


def test_metropolis_stationary_histogram():
    spec = NetworkSpec(depth=2, beta=2.0, hamiltonian="original")
    tables = original.prepare(spec)
    state = original.init(tables, spec.depth, 64, np.random.default_rng(5))
    counts = {}
    for k in range(600):
        state = original.step(tables, state, 1)
        if k >= 20:
            for c in map(tuple, state.c):
                counts[c] = counts.get(c, 0) + 1
    # successive sweeps are nearly independent here (tau ~ 1); the test keeps every 1 of them
    assert _chi_square(counts, _configurations(spec)) > 1e-3


@pytest.mark.parametrize("layer", [0, 1, 2])
def test_metropolis_detailed_balance(layer):
    """From exact stationary draws, one move at ``layer``: the flux a -> b equals b -> a (binomial test)."""
    spec = NetworkSpec(depth=2, beta=2.0, y=[[0]], hamiltonian="original")
    exact_tables = ffbs.prepare(spec)
    rng = np.random.default_rng(17 + layer)
    start = ffbs.step(exact_tables, ffbs.init(exact_tables, spec.depth, 40000, rng), 1)
    tables = original.prepare(spec)
    fresh_keys = rng.integers(0, 2**63, size=len(start.c), dtype=np.uint64)  # not the keys that drew the start
    state = original.from_configs(tables, start.c, fresh_keys)
    moved = original.step(tables, state, 1, layers=[layer])
    C = len(tables.out)
    a = np.ravel_multi_index(state.c.T, (C,) * 3)
    b = np.ravel_multi_index(moved.c.T, (C,) * 3)
    flux = np.zeros((C**3, C**3))
    np.add.at(flux, (a, b), 1)
    upper, lower = np.triu(flux, 1), np.tril(flux, -1).T
    both = upper + lower
    pairs = both > 0
    assert pairs.sum() > 10
    statistic = ((upper - lower)[pairs] ** 2 / both[pairs]).sum()
    assert sps.chi2.sf(statistic, pairs.sum()) > 1e-3
    changed = (moved.c != state.c).any(axis=1).mean()
    refused = 1 - moved.accepted.mean()
    assert changed > 0.1 and refused > 0.01  # moves happen, and with y = 0 at beta = 2 some are refused


def test_gibbs_refuses_infinite_beta_v():
    with pytest.raises(ValueError, match="--system dnn"):
        gibbs.prepare(NetworkSpec(depth=2, beta_v=float("inf")))


def test_runs_are_reproducible_and_chains_independent_of_scheduling():
    spec = NetworkSpec(depth=50)
    tables = gibbs.prepare(spec)
    a = gibbs.step(tables, gibbs.init(tables, 50, 4, np.random.default_rng(2)), 10)
    b = gibbs.init(tables, 50, 4, np.random.default_rng(2))
    for _ in range(10):
        b = gibbs.step(tables, b, 1)
    assert np.array_equal(a.h, b.h) and np.array_equal(a.c, b.c) and a.sweep == b.sweep == 10
    # the same key gives the same chain whatever other chains run beside it
    single = gibbs.step(tables, gibbs.init(tables, 50, 4, np.random.default_rng(2))._replace(), 10)
    sub = single._replace(h=single.h[:1], c=single.c[:1], keys=single.keys[:1], accepted=single.accepted[:1])
    alone = gibbs.init(tables, 50, 4, np.random.default_rng(2))
    alone = alone._replace(h=alone.h[:1].copy(), c=alone.c[:1].copy(), keys=alone.keys[:1].copy(),
                           accepted=alone.accepted[:1].copy())
    alone = gibbs.step(tables, alone, 10)
    assert np.array_equal(alone.h, sub.h)
