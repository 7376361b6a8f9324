"""The local heat bath's start (the noisy forward pass of prior networks) against exact oracles, with no sweeps:
far from the output its layers are an exact draw of the bulk, so the unit, magnetization and overlap marginals
and their G(r) across layers must equal the transfer engine (width 2), the permutation-symmetric engine and the
closed-form overlap chain (width 16) within a few standard errors over many independent chains. The start does
not see the output cost, so only the distance from the input matters (a layer ~20 past the input is in the bulk
for these specs, whose correlation length is ~1-3 layers)."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from deeprg.model import NetworkSpec, ValueSets
from deeprg.sampling import local, tempering
from deeprg.sampling.observables import OBSERVABLES, exact_bulk, state_observables
from deeprg.stats import estimate

from .test_local import sign_overlap_bulk  # the closed-form overlap chain

SIGN = ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1))


def start_correlations(spec, chains, m0, rmax, seed, start="forward"):
    """{name: (mean, mean_err, G, G_err)} of each observable at layer m0 and m0 + r across independent chains
    (one start each: independent draws)."""
    tables = local.prepare(spec)
    state = local.init(tables, spec.depth, chains, np.random.default_rng(seed), start=start)
    obs = local.layer_observables(tables, state, 0, 0, m0, m0 + rmax)  # (3, chains, rmax + 1)
    out = {}
    for k, name in enumerate(OBSERVABLES):
        f = obs[k]
        centred = f - f.mean(axis=0)
        products = centred[:, :1] * centred  # (chains, rmax + 1): delta-method samples of G(r)
        mean = estimate(f[:, 0], chains=False, independent=True)
        G = estimate(products, chains=False, independent=True)
        out[name] = (mean.mean, mean.stderr, G.mean, G.stderr)
    return out


def test_start_is_the_exact_bulk_of_the_transfer_engine():
    """Width 2, two rows, sign: the full transfer engine's bulk G(r) of unit, magnetization and overlap."""
    spec = NetworkSpec(width=2, depth=60, x=[[1, 1], [1, -1]], y=[[1, 1], [1, -1]], beta_v=0.8,
                       activation="sign", values=SIGN)
    rmax = 5
    exact = exact_bulk(spec, rmax, 0, 0)
    assert exact.source == "full"
    got = start_correlations(spec, 20000, 25, rmax, seed=3)
    for name in OBSERVABLES:
        mean, mean_err, G, G_err = got[name]
        assert abs(mean - exact.mean[name]) <= 4 * mean_err, (name, mean, exact.mean[name], mean_err)
        assert np.all(np.abs(G - exact.G[name]) <= 4 * G_err), (name, G, exact.G[name], G_err)


def test_plain_start_is_not_the_bulk():
    """The oracle can fail: the noise-free forward pass keeps the two rows' overlap near 1, far from the bulk."""
    spec = NetworkSpec(width=2, depth=60, x=[[1, 1], [1, -1]], y=[[1, 1], [1, -1]], beta_v=0.8,
                       activation="sign", values=SIGN)
    exact = exact_bulk(spec, 0, 0, 0)
    mean, mean_err, _, _ = start_correlations(spec, 2000, 25, 0, seed=3, start="plain")["overlap"]
    assert abs(mean - exact.mean["overlap"]) > 20 * mean_err


def test_wide_start_matches_the_symmetric_engine_and_closed_form_overlap():
    """Width 16 (beyond the full engine): the overlap of the start against the symmetric engine and the
    closed-form chain of the overlap (the run's acceptance spec at a smaller width)."""
    N, rmax = 16, 4
    x = [[1] * N, [1, -1] * (N // 2)]
    spec = NetworkSpec(width=N, depth=26, x=x, y=x, beta_v=0.8, activation="sign", values=SIGN)
    exact = exact_bulk(spec, rmax, 0, 0)
    assert exact.source == "symmetric"
    G_closed, mean_closed = sign_overlap_bulk(N, 0.8, rmax)
    mean, mean_err, G, G_err = start_correlations(spec, 3000, 20, rmax, seed=5)["overlap"]
    for G_exact, mean_exact in ((exact.G["overlap"], exact.mean["overlap"]), (G_closed, mean_closed)):
        assert abs(mean - mean_exact) <= 4 * mean_err, (mean, mean_exact, mean_err)
        assert np.all(np.abs(G - G_exact) <= 4 * G_err), (G, G_exact, G_err)


def test_noisy_neurons_follow_the_constraint_factor():
    """Ternary neurons, p = 2: the draws from each noise-free value t follow exp(-beta_v |v - t|^2) / Z(t)
    (chi-square), with a per-chain beta_v."""
    neurons = np.array([-1.0, 0.0, 1.0])
    D = np.abs(neurons[:, None] - neurons[None, :]) ** 2
    rng = np.random.default_rng(11)
    beta_v = np.array([0.3, 1.5])
    t = np.broadcast_to(np.arange(3)[None, :, None], (2, 3, 20000)).copy()
    v = local.noisy_neurons(D, beta_v, t, rng.random(t.shape))
    for c in range(2):
        for k in range(3):
            counts = np.bincount(v[c, k], minlength=3)
            p = np.exp(-beta_v[c] * D[:, k])
            p /= p.sum()
            assert sps.chisquare(counts, p * counts.sum()).pvalue > 1e-3, (c, k, counts, p)


def test_plain_start_satisfies_every_constraint_and_both_starts_share_weights_and_keys():
    spec = NetworkSpec(width=3, depth=8, x=[[1, 0, 1], [0, 1, 1]], y=[[1, 1, 0], [0, 1, 0]], beta_v=0.8)
    tables = local.prepare(spec)
    plain = local.init(tables, spec.depth, 5, np.random.default_rng(2), start="plain")
    noisy = local.init(tables, spec.depth, 5, np.random.default_rng(2))
    out = tables.outs[np.searchsorted(tables.cuts, plain.pre[:, :-1], side="right")]
    assert np.array_equal(plain.h[:, 1:-1], out)
    for name in ("W", "b", "keys"):
        assert np.array_equal(getattr(plain, name), getattr(noisy, name))
    fresh = np.empty_like(noisy.pre)
    from deeprg.sampling import _local_kernels
    _local_kernels.preactivations(noisy.h, noisy.W, noisy.b, tables.weights, tables.biases, tables.neurons, fresh)
    assert np.array_equal(fresh, noisy.pre)  # the cache matches the noisy neurons


def test_tempering_replicas_start_at_their_own_beta_v():
    """A replica at level k starts from the noisy forward pass at ladder[k]: the flip rate of binary neurons
    is e^{-4 beta_v} / (1 + e^{-4 beta_v}) (p = 2)."""
    spec = NetworkSpec(width=4, depth=40, x=[[1, 1, 1, 1]], y=[[1, 1, 1, 1]], beta_v=1.0, activation="sign",
                       values=SIGN)
    tables = tempering.prepare(spec, replicas=2, beta_v_min=0.2)
    state = tempering.init(tables, spec.depth, 400, np.random.default_rng(0))
    t = tables.local
    clean = t.outs[np.searchsorted(t.cuts, state.pre[:, :-1], side="right")]
    flipped = (state.h[:, 1:-1] != clean).reshape(len(state.keys), -1)
    for k, b in enumerate(tables.ladder):
        rate = flipped[state.level == k]
        eps = math.exp(-4 * b) / (1 + math.exp(-4 * b))
        err = math.sqrt(eps * (1 - eps) / rate.size)
        assert abs(rate.mean() - eps) <= 4 * err, (k, rate.mean(), eps, err)


@pytest.mark.parametrize("bad", ["noisy", None, 3])
def test_bad_start_is_refused(bad):
    tables = local.prepare(NetworkSpec(depth=3, beta_v=0.7))
    with pytest.raises(ValueError, match="start"):
        local.init(tables, 3, 2, np.random.default_rng(0), start=bad)


def test_gibbs_start_is_the_exact_bulk_of_the_transfer_engine():
    """The joint-table heat bath's noisy start (one categorical per layer state) against the transfer engine."""
    from deeprg.sampling import gibbs

    spec = NetworkSpec(width=1, depth=30, x=[[0], [1]], y=[[1], [0]], beta=2.0, beta_v=1.5)
    rmax = 4
    exact = exact_bulk(spec, rmax, 0, 0)
    tables = gibbs.prepare(spec)
    state = gibbs.init(tables, spec.depth, 20000, np.random.default_rng(6))
    values = state_observables(tables.states, 0, 0)[:, state.h[:, 15:16 + rmax]]  # (3, chains, rmax + 1)
    for k, name in enumerate(OBSERVABLES):
        f = values[k]
        centred = f - f.mean(axis=0)
        G = estimate(centred[:, :1] * centred, chains=False, independent=True)
        mean = estimate(f[:, 0], chains=False, independent=True)
        assert abs(mean.mean - exact.mean[name]) <= 4 * mean.stderr, (name, mean, exact.mean[name])
        assert np.all(np.abs(G.mean - exact.G[name]) <= 4 * G.stderr), (name, G.mean, exact.G[name])
    plain = gibbs.init(tables, spec.depth, 2000, np.random.default_rng(6), start="plain")
    assert np.array_equal(plain.c, gibbs.init(tables, spec.depth, 2000, np.random.default_rng(6)).c)
