r"""Numba kernels of the samplers (compiled once, cached on disk).

Random numbers are counter-based: the uniform for site ``j`` of sweep ``k`` of a chain with key ``K`` is the
SplitMix64 output :math:`\mathrm{mix}(K + (k\,\mathrm{stride} + j)\,\gamma)`, i.e. exactly the SplitMix64 stream
of that chain read at position :math:`k\,\mathrm{stride} + j`. So a chain's trajectory depends only on its key
and the sweep counter -- not on thread scheduling, block sizes or interruptions -- which makes runs
reproducible bit for bit across a checkpoint and lets independent sites update in any order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0  # 2^-53


@njit(inline="always", cache=True)
def uniform(key, counter):
    """A uniform in [0, 1) from the 64-bit ``key`` and ``counter`` (both uint64)."""
    z = key + counter * _GAMMA
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return np.float64(z >> _S11) * _UNIT


@njit(inline="always", cache=True)
def draw(cdf, offset, size, u):
    """Smallest k < size with cdf[offset + k] > u: an inverse-CDF draw from a cumulative row stored flat
    (flat indexing avoids creating array views, which costs reference counting in the hot loop). Short rows
    are counted without branches (random outcomes mispredict branches); long rows use binary search."""
    if size <= 16:
        k = 0
        for j in range(size - 1):
            k += cdf[offset + j] <= u
        return k
    lo, hi = 0, size - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cdf[offset + mid] > u:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(parallel=True, cache=True)
def gibbs_sweeps(h, c, keys, first_sweep, n_sweeps, out, config_cdf, neuron_cdf):
    """DNA heat bath in place: per sweep all (W, b) layers, then odd, then even neuron layers (checkerboard).

    h: (chains, M+2) with h[:, 0] = x and h[:, M+1] = S (the output pseudo-state); c: (chains, M+1).
    """
    chains, width = h.shape
    M = width - 2
    S, C = out.shape[1], out.shape[0]
    stride = np.uint64(2 * M + 2)
    out_flat, config_flat, neuron_flat = out.ravel(), config_cdf.ravel(), neuron_cdf.ravel()
    for i in prange(chains):
        key = keys[i]
        for k in range(n_sweeps):
            base = np.uint64(first_sweep + k) * stride
            for m in range(M + 1):
                row = (h[i, m] * (S + 1) + h[i, m + 1]) * C
                c[i, m] = draw(config_flat, row, C, uniform(key, base + np.uint64(m)))
            for parity in range(1, 3):
                for m in range(parity, M + 1, 2):
                    t = out_flat[c[i, m - 1] * S + h[i, m - 1]]
                    row = ((t * C + c[i, m]) * (S + 1) + h[i, m + 1]) * S
                    h[i, m] = draw(neuron_flat, row, S, uniform(key, base + np.uint64(M + 1 + m)))


@njit(parallel=True, cache=True)
def metropolis_sweeps(h, c, keys, accepted, first_sweep, n_sweeps, layers, out, prior_cdf, cost):
    """Original-cost Metropolis in place: one prior-proposal move per entry of ``layers`` per sweep.

    h: (chains, M+2) forward pass with h[:, 0] = x and h[:, M+1] = z (the output). A move at layer m proposes
    c' from the prior and recomputes h[m+1], h[m+2], ... only until the new pass coalesces with the old one;
    the energy changes only if the change reaches z. ``accepted`` counts accepted moves per chain.
    """
    chains, width = h.shape
    M = width - 2
    stride = np.uint64(2 * (M + 1))
    for i in prange(chains):
        key = keys[i]
        hi, ci = h[i], c[i]
        for k in range(n_sweeps):
            base = np.uint64(first_sweep + k) * stride
            for m in layers:
                slot = base + np.uint64(2 * m)
                proposal = draw(prior_cdf, 0, prior_cdf.shape[0], uniform(key, slot))
                if proposal == ci[m]:
                    accepted[i] += 1
                    continue
                t = out[proposal, hi[m]]
                end = m + 1  # first position where the new pass equals the old one (M + 2: none)
                while end <= M + 1 and t != hi[end]:
                    end += 1
                    if end <= M + 1:
                        t = out[ci[end - 1], t]
                delta = 0.0 if end <= M + 1 else cost[t] - cost[hi[M + 1]]
                if delta > 0.0 and uniform(key, slot + np.uint64(1)) >= math.exp(-delta):
                    continue
                accepted[i] += 1
                ci[m] = proposal
                t = out[proposal, hi[m]]
                for j in range(m + 1, min(end, M + 2)):
                    hi[j] = t
                    if j <= M:
                        t = out[ci[j], t]


@njit(parallel=True, cache=True)
def ffbs_draws(h, c, keys, first_draw, n_draws, alpha, T, last_cdf, out, config_cdf):
    """Exact draws in place: h^(M) from ``last_cdf``, h^(m) given h^(m+1) with weight alpha_m[s] T[s, h^(m+1)],
    then every c_m from its conditional given (h_m, h_{m+1}). Same layout as :func:`gibbs_sweeps`."""
    chains, width = h.shape
    M = width - 2
    S, C = T.shape[0], out.shape[0]
    stride = np.uint64(2 * M + 2)
    config_flat = config_cdf.ravel()
    for i in prange(chains):
        key = keys[i]
        hi, ci = h[i], c[i]
        weights = np.empty(S)
        for k in range(n_draws):
            base = np.uint64(first_draw + k) * stride
            hi[M] = draw(last_cdf, 0, S, uniform(key, base + np.uint64(M)))
            for m in range(M - 1, 0, -1):
                total = 0.0
                nxt = hi[m + 1]
                for s in range(S):
                    total += alpha[m - 1, s] * T[s, nxt]
                    weights[s] = total
                u = uniform(key, base + np.uint64(m)) * total
                hi[m] = draw(weights, 0, S, u)
            for m in range(M + 1):
                row = (hi[m] * (S + 1) + hi[m + 1]) * C
                ci[m] = draw(config_flat, row, C, uniform(key, base + np.uint64(M + 1 + m)))


@njit(inline="always", cache=True, fastmath=True)
def _averages(g, rmax, series, k, c, t):
    """series[k, c, t, r] = mean over positions j of g_j g_{j+r} for r = 0..rmax; series[k, c, t, rmax + 1] =
    mean of g (g contiguous)."""
    n = len(g)
    total = 0.0
    for j in range(n):
        total += g[j]
    series[k, c, t, rmax + 1] = total / n
    for r in range(rmax + 1):
        acc = 0.0
        shifted = g[r:]
        for j in range(n - r):
            acc += g[j] * shifted[j]
        series[k, c, t, r] = acc / (n - r)


@njit(parallel=True, cache=True, fastmath=True)
def position_averages(f, rmax, series, t):
    """Per observable k and chain c, from its per-layer values f[k, c, :] over the bulk window:
    series[k, c, t, r] = mean over positions j of f_j f_{j+r} for r = 0..rmax and series[k, c, t, rmax + 1] =
    mean of f_j."""
    K, chains, n = f.shape
    for kc in prange(K * chains):
        k, c = kc // chains, kc % chains
        _averages(np.ascontiguousarray(f[k, c]), rmax, series, k, c, t)  # f may be strided


@njit(parallel=True, cache=True, fastmath=True)
def state_position_averages(values, source, h, lo, n, rmax, series, t):
    """:func:`position_averages` of the observables ``values[k, s]`` of the joint layer states h[c, lo..lo+n-1],
    without materializing them; observable k with ``0 <= source[k] < k`` has the same values as observable
    source[k] and copies its averages; ``source[k] < 0``: identically zero."""
    K, chains = values.shape[0], h.shape[0]
    for c in prange(chains):
        g = np.empty(n)
        for k in range(K):
            if source[k] < 0:
                series[k, c, t, :] = 0.0
                continue
            if source[k] != k:
                series[k, c, t, :] = series[source[k], c, t, :]
                continue
            for j in range(n):
                g[j] = values[k, h[c, lo + j]]
            _averages(g, rmax, series, k, c, t)


@njit(parallel=True, cache=True)
def add_layer_sums(flat_states, h, sums):
    """sums[m - 1, :] += flat_states[h[c, m], :] over chains c, for the dynamic layers m = 1..M."""
    chains, units, M = h.shape[0], flat_states.shape[1], sums.shape[0]
    for b in prange((M + 511) // 512):  # blocks of layers: each thread reads rows of h contiguously
        for c in range(chains):
            for m in range(512 * b, min(512 * b + 512, M)):
                s = h[c, m + 1]
                for u in range(units):
                    sums[m, u] += flat_states[s, u]


@njit(parallel=True, cache=True)
def ancestral_draws(h, keys, first_draw, n_draws, first_cdf, cdfs, table_of):
    """Exact draws of neuron chains forward: h^(1) from ``first_cdf``, h^(m+1) from row h^(m) of table
    ``cdfs[table_of[m - 1]]`` (S, S). Same layout as :func:`ffbs_draws`; one uniform per layer."""
    chains, width = h.shape
    M = width - 2
    S = first_cdf.shape[0]
    stride = np.uint64(M)
    flat = cdfs.ravel()
    for i in prange(chains):
        key = keys[i]
        for k in range(n_draws):
            base = np.uint64(first_draw + k) * stride
            cur = draw(first_cdf, 0, S, uniform(key, base))
            h[i, 1] = cur
            for m in range(1, M):
                cur = draw(flat, (table_of[m - 1] * S + cur) * S, S, uniform(key, base + np.uint64(m)))
                h[i, m + 1] = cur
