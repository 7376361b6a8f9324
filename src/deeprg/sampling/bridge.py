r"""Segment regrowth with an exact bridge: a collective Metropolis-Hastings move of the local DNA sampler.

When :math:`Z(t) = \sum_v e^{-\beta_v |v - t|^p}` is the same for every neuron value t (e.g. neurons {-1, 1}),
the DNA factors of layers :math:`m_0 \le m < m_1` are, up to a constant, the noisy forward pass: draw
:math:`(W^{(m)}, b^{(m)})` from the prior, then :math:`h^{(m+1)}_{li}` from
:math:`e^{-\beta_v |v - \sigma(a^{(m)}_{li})|^p} / Z`. The move keeps :math:`h^{(m_0)}` and regrows the
segment forward (proposal = target, so these factors cancel), then draws the junction layer
:math:`(W^{(m_1)}, b^{(m_1)})` from its exact conditional given the new :math:`h'^{(m_1)}` and the kept
targets :math:`g = h^{(m_1+1)}` (y at the output, :math:`\kappa = \beta` there, else :math:`\beta_v`):

.. math::

    P(W_{i\cdot}, b_i \mid h, g) = \frac{\pi(W_{i\cdot})\pi(b_i)\prod_l e^{-\kappa |g_{li} - \sigma(a_{li})|^p}}
        {\tilde T_i(h, g_{\cdot i})}, \qquad a_{li} = \sum_j W_{ij} h_{lj} + b_i .

Rows are independent. The Metropolis-Hastings ratio of the whole move reduces to the junction normalizers,
:math:`\alpha = \min\bigl(1, \prod_i \tilde T_i(h', g_{\cdot i}) / \tilde T_i(h, g_{\cdot i})\bigr)`. The
overlap of wide layers fluctuates by :math:`O(N^{-1/2})` and :math:`\log \tilde T` is a sum of N terms, so
:math:`\log\alpha = O(1)` at any width: whole segments of the slow overlap profile are replaced at once.

:math:`\tilde T_i` is exact: the pre-activation vector :math:`(W_{i\cdot} h_l)_l` depends on :math:`W_{i\cdot}`
only through the sums :math:`S_\tau` of the weights on the columns j of each type :math:`\tau = h_{\cdot j}`, so
its law on the integer lattice (weights on :math:`\mathbb{Z}/q`, integer neuron values) is a convolution over
the column types. A row is drawn backwards through that convolution (the type sums, then which columns of a type
carry the larger of the two weight values: a uniform subset). Needs two weight values and a lattice of at most
:data:`MAX_GRID` points.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

MAX_GRID = 1 << 20  # lattice points of the pre-activation law of one row
SEGMENT = 128  # layers regrown per move at least; the moves of one sweep tile the depth
SEGMENT_WORK = 1 << 17  # and at least this many weights (N^2 L per layer): narrow layers get long segments


class BridgeTables(NamedTuple):
    """What the move adds to :class:`deeprg.sampling.local.LocalTables` (biases, D and the activation lookup
    are read from there)."""

    q: int  # weights times q are integers
    k: np.ndarray  # (2,) the two weights times q
    p1: float  # prior probability of the larger weight (index argmax k)
    hi: int  # index of the larger weight
    neurons: np.ndarray  # (K,) int neuron values
    log_binomial: np.ndarray  # (N+1, N+1) log C(n, c), -inf for c > n


def unsupported(spec, tables) -> str | None:
    """Why the move does not apply to ``spec`` (None when it does)."""
    from ..exact.symmetric import lattice_scale

    v = spec.values
    if len(v.weights) != 2:
        return "weights: the bridge draws rows of two-valued weights"
    if lattice_scale(v.weights) is None:
        return "weights: need a rational lattice"
    neurons = np.array(v.neurons, dtype=float)
    if not np.allclose(neurons, np.round(neurons)):
        return "neurons: need integer neuron values"
    Z = np.exp(-spec.beta_v * tables.D).sum(axis=0)
    if not np.allclose(Z, Z[0], rtol=1e-12):
        return "beta_v: the constraint normalizer Z(t) depends on t, so the forward pass is not the DNA"
    q = lattice_scale(v.weights)
    span = int(round(np.abs(np.array(v.weights)).max() * q)) * int(np.abs(neurons).max()) * spec.width
    if (2 * span + 1) ** spec.rows > MAX_GRID:
        return f"width/rows: the row law would need {(2 * span + 1) ** spec.rows:.3g} lattice points"
    return None


def prepare(spec, tables) -> BridgeTables | None:
    """Tables of the move, or None when it does not apply (:func:`unsupported`)."""
    from scipy.special import gammaln

    from ..exact.symmetric import lattice_scale

    if unsupported(spec, tables) is not None:
        return None
    v = spec.values
    q = lattice_scale(v.weights)
    k = np.rint(np.array(v.weights) * q).astype(np.int64)
    hi = int(np.argmax(k))
    prior = np.exp(tables.log_weight_prior - tables.log_weight_prior.max())
    n = np.arange(spec.width + 1)
    with np.errstate(invalid="ignore"):
        log_binomial = np.where(n[None, :] <= n[:, None], gammaln(n[:, None] + 1) - gammaln(n[None, :] + 1)
                                - gammaln(np.maximum(n[:, None] - n[None, :], 0) + 1), -np.inf)
    return BridgeTables(q, k, float(prior[hi] / prior.sum()), hi, np.rint(tables.neurons).astype(np.int64),
                        log_binomial)


class RowLaw(NamedTuple):
    """Law of the integer pre-activation vector q (W_i. h_l)_l of one row with prior weights, built type by
    type: ``partial[t]`` (flat over the grid ``shape``) after the first t column types; grid index = value -
    ``origin``."""

    types: np.ndarray  # (T, L) int64 column types (integer neuron values)
    columns: np.ndarray  # (N,) int64 the columns grouped by type: type t at columns[starts[t]:starts[t + 1]]
    starts: np.ndarray  # (T + 1,) int64
    partial: np.ndarray  # (T + 1, G)
    shape: np.ndarray  # (L,) int64
    origin: np.ndarray  # (L,)

    @property
    def final(self) -> np.ndarray:
        """The law of the whole row on the grid."""
        return self.partial[-1].reshape(tuple(self.shape))


def row_law(bt: BridgeTables, h: np.ndarray) -> RowLaw:
    """h: (L, N) integer neuron values."""
    types, inverse = np.unique(h.T, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    kmin, kmax = bt.k.min(), bt.k.max()
    lo = np.minimum(0, np.minimum(kmin * h, kmax * h)).sum(axis=1)
    hi = np.maximum(0, np.maximum(kmin * h, kmax * h)).sum(axis=1)
    shape = (hi - lo + 1).astype(np.int64)
    partial = np.zeros((len(types) + 1, int(np.prod(shape))))
    partial[0, np.ravel_multi_index(tuple(-lo), tuple(shape))] = 1.0
    columns = np.argsort(inverse, kind="stable").astype(np.int64)
    starts = np.searchsorted(inverse[columns], np.arange(len(types) + 1)).astype(np.int64)
    types = types.astype(np.int64)
    _convolve_types(partial, shape, types, starts, *_weight_law(bt))
    return RowLaw(types, columns, starts, partial, shape, lo)


def _weight_law(bt: BridgeTables) -> tuple:
    """(lo_w, hi_w, log C, log p1, log p0): the arguments both Numba kernels take for the weights of a type."""
    return int(bt.k[1 - bt.hi]), int(bt.k[bt.hi]), bt.log_binomial, math.log(bt.p1), math.log1p(-bt.p1)


@njit(inline="always", cache=True)
def _decode(flat, shape, coord):
    """coord = the grid coordinates of the flat (C-order) index."""
    for l in range(shape.shape[0] - 1, -1, -1):
        coord[l] = flat % shape[l]
        flat //= shape[l]


@njit(inline="always", cache=True)
def _shifted(coord, d, tau, shape):
    """Flat index of coord + d tau, or -1 off the grid."""
    flat = 0
    for l in range(shape.shape[0]):
        s = coord[l] + d * tau[l]
        if s < 0 or s >= shape[l]:
            return -1
        flat = flat * shape[l] + s
    return flat


@njit(inline="always", cache=True)
def _binomial(log_binomial, n, c, log_p1, log_p0):
    """P(c of n columns carry the larger weight)."""
    return np.exp(log_binomial[n, c] + c * log_p1 + (n - c) * log_p0)


@njit(cache=True)
def _convolve_types(partial, shape, taus, starts, lo_w, hi_w, log_binomial, log_p1, log_p0):
    """partial[t + 1] = partial[t] convolved with the law of type t's contribution: c of its n columns carry
    the larger weight (binomial), shifting the flat L-dimensional grid by (c hi_w + (n - c) lo_w) tau_t."""
    coord = np.empty(shape.shape[0], dtype=np.int64)
    for t in range(taus.shape[0]):
        n = starts[t + 1] - starts[t]
        for src in range(partial.shape[1]):
            p = partial[t, src]
            if p == 0.0:
                continue
            _decode(src, shape, coord)
            for c in range(n + 1):
                flat = _shifted(coord, c * hi_w + (n - c) * lo_w, taus[t], shape)
                if flat >= 0:
                    partial[t + 1, flat] += p * _binomial(log_binomial, n, c, log_p1, log_p0)


def _log_joint(tables, law: RowLaw, targets: np.ndarray, kappa: float) -> tuple[np.ndarray, np.ndarray]:
    """log of law(a) pi(b) prod_l exp(-kappa D[g_l, sigma(a_l + b)]) over (b, lattice point a), one row per
    distinct target pattern g among the units (targets (L, N) value indices): ((P, nb G), unit -> pattern).
    ``tables``: the :class:`deeprg.sampling.local.LocalTables` with the move's tables in ``bridge``."""
    patterns, inverse = np.unique(targets.T, axis=0, return_inverse=True)
    final = law.final
    grids = np.indices(final.shape)
    a = (grids + law.origin.reshape((-1,) + (1,) * final.ndim)) / tables.bridge.q  # (L, *grid)
    pre = a[None] + tables.biases.reshape((-1,) + (1,) * a.ndim)  # (nb, L, *grid)
    o = tables.outs[np.searchsorted(tables.cuts, pre, side="right")]
    cost = tables.D[patterns.reshape(patterns.shape + (1,) * final.ndim)[:, None], o[None]].sum(axis=2)
    with np.errstate(divide="ignore"):
        log_law = np.log(final)
    e = tables.log_bias_prior.reshape((1, -1) + (1,) * final.ndim) - kappa * cost + log_law  # (P, nb, *grid)
    return e.reshape(len(patterns), -1), inverse.ravel()


def log_normalizers(tables, law: RowLaw, targets: np.ndarray, kappa: float) -> np.ndarray:
    """log T~_i for every unit i: targets (L, N) neuron value indices."""
    e, inverse = _log_joint(tables, law, targets, kappa)
    top = e.max(axis=1, keepdims=True)
    return (top[:, 0] + np.log(np.exp(e - top).sum(axis=1)))[inverse]


def draw_rows(tables, law: RowLaw, targets: np.ndarray, kappa: float, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray]:
    """(W (N, N) weight indices, b (N,) bias indices) drawn row by row from the bridge conditional: each row's
    (pre-activation, bias) from the final law times its target weights, then backwards through the types."""
    bt = tables.bridge
    L, N = targets.shape
    points = np.empty(N, dtype=np.int64)
    b = np.empty(N, dtype=np.int8)
    e, inverse = _log_joint(tables, law, targets, kappa)
    u = rng.random((N, 1 + len(law.types) + N))
    for p in range(len(e)):
        cdf = np.cumsum(np.exp(e[p] - e[p].max()))
        units = np.flatnonzero(inverse == p)
        flat = np.minimum(np.searchsorted(cdf, u[units, 0] * cdf[-1], side="right"), len(cdf) - 1)
        b[units], points[units] = np.divmod(flat, law.partial.shape[1])
    W = np.full((N, N), 1 - bt.hi, dtype=np.int8)
    _backward_rows(law.partial, law.shape, law.types, law.starts, law.columns, *_weight_law(bt), points, u[:, 1:],
                   W, bt.hi)
    return W, b


@njit(cache=True)
def _backward_rows(partial, shape, taus, starts, cols, lo_w, hi_w, log_binomial, log_p1, log_p0, points, u, W,
                   hi):
    """Row i: from its lattice point (flat index into the grid ``shape``), draw per column type t = T-1..0
    how many of its columns carry the larger weight (binomial prior times the law of the other types at the
    remainder), then which ones (partial Fisher-Yates); sets W[i, column] = ``hi`` for those."""
    T, L = taus.shape
    coord = np.empty(L, dtype=np.int64)
    w = np.empty(cols.shape[0] + 1)
    for i in range(W.shape[0]):
        _decode(points[i], shape, coord)
        for t in range(T - 1, -1, -1):
            n = starts[t + 1] - starts[t]
            total = 0.0
            for c in range(n + 1):
                flat = _shifted(coord, -(c * hi_w + (n - c) * lo_w), taus[t], shape)
                w[c] = 0.0 if flat < 0 else _binomial(log_binomial, n, c, log_p1, log_p0) * partial[t, flat]
                total += w[c]
            target = u[i, t] * total
            c, acc = 0, w[0]
            while c < n and acc <= target:
                c += 1
                acc += w[c]
            for l in range(L):
                coord[l] -= (c * hi_w + (n - c) * lo_w) * taus[t, l]
            pool = cols[starts[t]:starts[t + 1]].copy()
            for k in range(c):
                j = k + min(int(u[i, T + starts[t] + k] * (n - k)), n - k - 1)
                pool[k], pool[j] = pool[j], pool[k]
                W[i, pool[k]] = hi


@njit(cache=True)
def _forward(h, W, b, values, weights, biases, cuts, outs, noise_cdf, u):
    """Noisy forward pass in place: h[s + 1] from h[s] through weight layer s (value indices; h (K+1, L, N),
    W (K, N, N), b (K, N)); ``noise_cdf[t]`` the cumulative P(v | noise-free t), ``u`` (K, L, N) uniforms."""
    K, L, N = W.shape[0], h.shape[1], h.shape[2]
    for s in range(K):
        for l in range(L):
            for i in range(N):
                a = biases[b[s, i]]
                for j in range(N):
                    a += weights[W[s, i, j]] * values[h[s, l, j]]
                k = 0
                for c in range(cuts.shape[0]):
                    k += a >= cuts[c]
                t = outs[k]
                v = 0
                while v < noise_cdf.shape[1] - 1 and u[s, l, i] >= noise_cdf[t, v]:
                    v += 1
                h[s + 1, l, i] = v


def regrow(tables, h: np.ndarray, W: np.ndarray, b: np.ndarray, m0: int, m1: int, beta_v: float,
           rng: np.random.Generator) -> bool:
    """One move on one chain (h (M+2, L, N), W (M+1, N, N), b (M+1, N) value indices, in place when accepted):
    regrow weight layers m0..m1-1 and neuron layers m0+1..m1 forward, bridge weight layer m1. Returns whether
    the move was accepted. ``tables``: :class:`deeprg.sampling.local.LocalTables` with ``bridge`` set."""
    from .local import prior_indices

    bt = tables.bridge
    M = W.shape[0] - 1
    K = m1 - m0
    new_h = h[m0:m1 + 1].copy()
    new_W = np.empty_like(W[m0:m1 + 1])
    new_b = np.empty_like(b[m0:m1 + 1])
    new_W[:K] = prior_indices(tables.log_weight_prior, rng.random((K,) + W.shape[1:]))
    new_b[:K] = prior_indices(tables.log_bias_prior, rng.random((K,) + b.shape[1:]))
    noise = np.exp(-beta_v * tables.D.T)  # [t, v]
    _forward(new_h, new_W[:K], new_b[:K], tables.neurons, tables.weights, tables.biases, tables.cuts, tables.outs,
             np.cumsum(noise, axis=1) / noise.sum(axis=1, keepdims=True), rng.random((K,) + h.shape[1:]))
    targets = h[m1 + 1]
    kappa = tables.beta if m1 == M else beta_v
    old_law, new_law = row_law(bt, bt.neurons[h[m1]]), row_law(bt, bt.neurons[new_h[-1]])
    log_alpha = (log_normalizers(tables, new_law, targets, kappa)
                 - log_normalizers(tables, old_law, targets, kappa)).sum()
    if math.log(rng.random() + 1e-300) >= log_alpha:
        return False
    new_W[-1], new_b[-1] = draw_rows(tables, new_law, targets, kappa, rng)
    h[m0 + 1:m1 + 1] = new_h[1:]
    W[m0:m1 + 1] = new_W
    b[m0:m1 + 1] = new_b
    return True


def segment_length(N: int, L: int) -> int:
    """Layers per move: :data:`SEGMENT`, more for narrow layers so that the fixed cost of a move (two row laws)
    stays small next to the regrowth."""
    return max(SEGMENT, -(-SEGMENT_WORK // (N * N * L)))


def sweep_moves(tables, state, sweep: int, beta_v: np.ndarray) -> np.ndarray:
    """The moves of one sweep on every chain, in place: segments of :func:`segment_length` layers tiling the
    depth from a random offset (chosen independently of the state). Randomness from (key, sweep): a resumed run
    repeats them. Returns (accepted, proposed) moves."""
    from ._local_kernels import preactivations

    M = state.W.shape[1] - 1
    L, N = state.h.shape[2], state.h.shape[3]
    K = segment_length(N, L)
    accepted = proposed = 0
    for c in range(len(state.keys)):
        rng = np.random.default_rng([int(state.keys[c]), sweep, 0xB41D6E])
        offset = int(rng.integers(K))
        changed = False
        for start in range(offset - K, M, K):
            m0, m1 = max(start, 0), min(start + K, M)
            if m1 <= m0:
                continue
            proposed += 1
            if regrow(tables, state.h[c], state.W[c], state.b[c], m0, m1, float(beta_v[c]), rng):
                accepted += 1
                changed = True
        if changed:
            one = slice(c, c + 1)
            preactivations(state.h[one], state.W[one], state.b[one], tables.weights, tables.biases,
                           tables.neurons, state.pre[one])
    return np.array([accepted, proposed], dtype=np.int64)
