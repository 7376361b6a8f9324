r"""Numba kernels of the local heat bath (:mod:`deeprg.sampling.local`), compiled once and cached on disk.

Layout, for ``chains`` chains of a spec with width N, depth M and L rows (all value indices int8):

- ``h`` (chains, M+2, L, N): neuron value indices; ``h[:, 0]`` = x, ``h[:, M+1]`` = y (the output target),
- ``W`` (chains, M+1, N, N), ``b`` (chains, M+1, N): weight and bias value indices of layers m = 0..M,
- ``pre`` (chains, M+1, L, N) float64: the cached pre-activations :math:`a^{(m)}_{li} = \sum_j W^{(m)}_{ij}
  h^{(m)}_{lj} + b^{(m)}_i`, kept exact by incremental updates after every accepted change.

The activation enters only through ``cuts`` and ``outs``: :math:`\sigma(a)` is the neuron index
``outs[k]`` with k the number of cuts :math:`\le a` (cuts are midpoints between consecutive reachable
pre-activations where the output changes, so rounding in the cache never changes an output).

Counter-based random numbers (:func:`deeprg.sampling._kernels.uniform`): in sweep k the site with number j (see
:func:`site_counts`) uses the stream position :math:`k\,\mathrm{stride} + j`, so trajectories do not depend on
the order in which independent sites are visited, on threads or on interruptions.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import uniform


@njit(inline="always", cache=True)
def act_index(a, cuts, outs):
    k = 0
    for j in range(cuts.shape[0]):
        k += a >= cuts[j]
    return outs[k]


@njit(inline="always", cache=True)
def draw_energy(energies, n, u):
    """Index k < n drawn with probability proportional to exp(-energies[k])."""
    if n == 2:  # the common binary case with one exp: P(1) = 1 / (1 + e^{E_1 - E_0})
        return 1 if u * (1.0 + np.exp(energies[1] - energies[0])) < 1.0 else 0
    lowest = energies[0]
    for k in range(1, n):
        lowest = min(lowest, energies[k])
    total = 0.0
    for k in range(n):
        total += np.exp(lowest - energies[k])
        energies[k] = total
    target = u * total
    k = 0
    for j in range(n - 1):
        k += energies[j] <= target
    return k


@njit(cache=True)
def site_counts(M, L, N):
    """(sites of one weight layer, first neuron-site number, stride): W_ij is site m (N^2 + N) + i N + j, b_i
    is m (N^2 + N) + N^2 + i and h^(m)_li is (M + 1)(N^2 + N) + (m - 1) L N + l N + i."""
    per_layer = N * N + N
    first_neuron = (M + 1) * per_layer
    return per_layer, first_neuron, first_neuron + M * L * N


@njit(parallel=True, cache=True)
def preactivations(h, W, b, wv, bv, hv, pre):
    """Fill ``pre`` from the state (the cache's definition)."""
    chains, layers, N = W.shape[0], W.shape[1], W.shape[2]
    L = h.shape[2]
    for t in prange(chains * layers):
        c, m = t // layers, t % layers
        for l in range(L):
            for i in range(N):
                acc = bv[b[c, m, i]]
                for j in range(N):
                    acc += wv[W[c, m, i, j]] * hv[h[c, m, l, j]]
                pre[c, m, l, i] = acc


@njit(inline="always", cache=True)
def _row_cost(c, m, i, h, pre, D, cuts, outs, kappa):
    """kappa * sum_l |g_li - sigma(a_li)|^p: the energy of unit i of weight layer m over all rows."""
    e = 0.0
    for l in range(h.shape[2]):
        e += kappa * D[h[c, m + 1, l, i], act_index(pre[c, m, l, i], cuts, outs)]
    return e


@njit(inline="always", cache=True)
def _weight_layer(c, m, h, W, b, pre, keys, base, wv, bv, hv, log_wp, log_bp, D, cuts, outs, kappa, energies):
    """Heat bath of W^(m)_ij (j = 0..N-1) and b^(m)_i for every unit i; the energy of the current value is kept,
    so each candidate other than the current one costs one pass over the L rows."""
    L, N = h.shape[2], h.shape[3]
    nw, nb = wv.shape[0], bv.shape[0]
    per_layer = N * N + N
    key = keys[c]
    for i in range(N):
        current = _row_cost(c, m, i, h, pre, D, cuts, outs, kappa)
        if nw > 1:
            for j in range(N):
                old = W[c, m, i, j]
                for k in range(nw):
                    if k == old:
                        energies[k] = current - log_wp[k]
                        continue
                    dw = wv[k] - wv[old]
                    e = -log_wp[k]
                    for l in range(L):
                        o = act_index(pre[c, m, l, i] + dw * hv[h[c, m, l, j]], cuts, outs)
                        e += kappa * D[h[c, m + 1, l, i], o]
                    energies[k] = e
                u = uniform(key, base + np.uint64(m * per_layer + i * N + j))
                new = draw_energy(energies, nw, u)
                if new != old:
                    dw = wv[new] - wv[old]
                    for l in range(L):
                        pre[c, m, l, i] += dw * hv[h[c, m, l, j]]
                    W[c, m, i, j] = new
                    current = _row_cost(c, m, i, h, pre, D, cuts, outs, kappa)
        if nb > 1:
            old = b[c, m, i]
            for k in range(nb):
                if k == old:
                    energies[k] = current - log_bp[k]
                    continue
                db = bv[k] - bv[old]
                e = -log_bp[k]
                for l in range(L):
                    e += kappa * D[h[c, m + 1, l, i], act_index(pre[c, m, l, i] + db, cuts, outs)]
                energies[k] = e
            new = draw_energy(energies, nb, uniform(key, base + np.uint64(m * per_layer + N * N + i)))
            if new != old:
                db = bv[new] - bv[old]
                for l in range(L):
                    pre[c, m, l, i] += db
                b[c, m, i] = new


@njit(inline="always", cache=True)
def _out_cost(c, m, l, h, pre, D, cuts, outs, kappa):
    """kappa * sum_r |g_lr - sigma(a_lr)|^p: the energy of row l of weight layer m over all units."""
    e = 0.0
    for r in range(h.shape[3]):
        e += kappa * D[h[c, m + 1, l, r], act_index(pre[c, m, l, r], cuts, outs)]
    return e


@njit(inline="always", cache=True)
def _neuron_layer(c, m, h, W, pre, keys, base, first_neuron, wv, hv, D, cuts, outs, kappa_in, kappa_out,
                  energies):
    """Heat bath of h^(m)_li for every row l and unit i (the downstream energy of the current value is kept)."""
    L, N = h.shape[2], h.shape[3]
    nh = hv.shape[0]
    key = keys[c]
    for l in range(L):
        current = _out_cost(c, m, l, h, pre, D, cuts, outs, kappa_out)
        for i in range(N):
            old = h[c, m, l, i]
            o_in = act_index(pre[c, m - 1, l, i], cuts, outs)
            for k in range(nh):
                e = kappa_in * D[k, o_in]
                if k == old:
                    energies[k] = e + current
                    continue
                dv = hv[k] - hv[old]
                for r in range(N):
                    o = act_index(pre[c, m, l, r] + wv[W[c, m, r, i]] * dv, cuts, outs)
                    e += kappa_out * D[h[c, m + 1, l, r], o]
                energies[k] = e
            u = uniform(key, base + np.uint64(first_neuron + ((m - 1) * L + l) * N + i))
            new = draw_energy(energies, nh, u)
            if new != old:
                dv = hv[new] - hv[old]
                for r in range(N):
                    pre[c, m, l, r] += wv[W[c, m, r, i]] * dv
                h[c, m, l, i] = new
                current = _out_cost(c, m, l, h, pre, D, cuts, outs, kappa_out)


@njit(parallel=True, cache=True)
def local_sweeps(h, W, b, pre, keys, first_sweep, n_sweeps, wv, bv, hv, log_wp, log_bp, D, cuts, outs, beta,
                 beta_v):
    """``n_sweeps`` sweeps in place: every weight layer (W row by row, then b), then the odd and then the even
    neuron layers; inside a phase the layers of all chains are independent and run in parallel. ``beta_v`` is
    per chain (replicas of parallel tempering sit at different values)."""
    chains, M = h.shape[0], h.shape[1] - 2
    L, N = h.shape[2], h.shape[3]
    per_layer, first_neuron, stride = site_counts(M, L, N)
    width = max(wv.shape[0], bv.shape[0], hv.shape[0])
    for k in range(n_sweeps):
        base = np.uint64(first_sweep + k) * np.uint64(stride)
        layers = M + 1
        for t in prange(chains * layers):
            c, m = t // layers, t % layers
            energies = np.empty(width)
            _weight_layer(c, m, h, W, b, pre, keys, base, wv, bv, hv, log_wp, log_bp, D, cuts, outs,
                          beta_v[c] if m < M else beta, energies)
        for parity in range(1, 3):
            layers = (M - parity) // 2 + 1
            for t in prange(chains * layers):
                c, m = t // layers, parity + 2 * (t % layers)
                energies = np.empty(width)
                _neuron_layer(c, m, h, W, pre, keys, base, first_neuron, wv, hv, D, cuts, outs, beta_v[c],
                              beta_v[c] if m < M else beta, energies)


@njit(parallel=True, cache=True)
def layer_observables(h, hv, row, unit, lo, hi, out):
    """out[0, c, j] = h^(m)_{row, unit}, out[1, c, j] = (1/N) sum_i h^(m)_{0i},
    out[2, c, j] = (1/N) sum_i h^(m)_{0i} h^(m)_{1i} (0 when L = 1), for m = lo + j in [lo, hi]."""
    chains, L, N = h.shape[0], h.shape[2], h.shape[3]
    for c in prange(chains):
        for j in range(hi - lo + 1):
            m = lo + j
            out[0, c, j] = hv[h[c, m, row, unit]]
            mag, q = 0.0, 0.0
            for i in range(N):
                v = hv[h[c, m, 0, i]]
                mag += v
                if L > 1:
                    q += v * hv[h[c, m, 1, i]]
            out[1, c, j] = mag / N
            out[2, c, j] = q / N


@njit(parallel=True, cache=True)
def constraint_costs(h, pre, D, cuts, outs, out):
    """out[c] = sum_{m<M} sum_{l,i} |h^(m+1)_li - sigma(a^(m)_li)|^p: the constraint energy at beta_v = 1."""
    chains, M = h.shape[0], h.shape[1] - 2
    L, N = h.shape[2], h.shape[3]
    for c in prange(chains):
        e = 0.0
        for m in range(M):
            for l in range(L):
                for i in range(N):
                    e += D[h[c, m + 1, l, i], act_index(pre[c, m, l, i], cuts, outs)]
        out[c] = e
