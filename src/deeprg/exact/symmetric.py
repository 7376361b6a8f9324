r"""Exact transfer matrices of wide layers: the permutation-symmetric (orbit) engine.

Under the iid prior the rows :math:`(W_{j\cdot}, b_j)` of different output units are independent, so with the
separable constraint (Lee, Lee & Yi, eq 14 and footnote 7: the :math:`L^p` norm sums over units) every layer factor
splits over output units. Write :math:`h_{\cdot j}\in V^L` for the column of unit j over the L data rows. Then

.. math::

    K[h, t] = \prod_j k(h, t_{\cdot j}), \qquad
    k(h, c) = \sum_{w, b} \pi(w)\pi(b)\,[\sigma(\textstyle\sum_i w_i h_{\cdot i} + b) = c],\qquad
    E[h', t] = \prod_j e(h'_{\cdot j}, t_{\cdot j}),\ e(c', c) = e^{-\beta_v \sum_l |c'_l - c_l|^p},

and :math:`T = K E^\top` has the product form :math:`T[h, h'] = \prod_j \tau(h, h'_{\cdot j})` with
:math:`\tau(h, c') = \sum_c k(h, c)\,e(c', c)`. The pre-activation vector :math:`a = b + \sum_i w_i h_{\cdot i}`
depends on :math:`h` only through the multiset of its columns: grouping the columns by type d with counts
:math:`n_d`, :math:`a = b + \sum_d S_d\,c_d` with independent :math:`S_d` = sum of :math:`n_d` iid weights, whose law
is the :math:`n_d`-fold convolution of the weight prior (never an enumeration of weight matrices).

**Lumping.** Let G be a group acting on layer states with :math:`T[gh, h'] = T[h, h']` and :math:`v(gh) = v(h)`.
Then :math:`(Tf)(h)` is G-invariant for *every* f, so every eigenvector with non-zero eigenvalue is G-invariant and
the chain of blocks (G-orbits) :math:`\tilde A[n, n'] = \sum_{h' \in n'} T[h, h']` (any :math:`h \in n`) carries
the whole non-zero spectrum, log Z and the law of block sequences. Two groups are used:

- ``permutation``: permutations of units (always). Blocks are the counts :math:`n_c` of each column type,
  :math:`\binom{N + |V|^L - 1}{N}` of them.
- ``gauge``: permutations and the flips :math:`h_{\cdot i} \to -h_{\cdot i}` of single columns, valid when the
  weight prior is symmetric under :math:`w \to -w` and the neuron set under :math:`h \to -h` (then
  :math:`w_i h_{\cdot i}` and :math:`w_i(-h_{\cdot i})` have the same law, for any bias and activation). Blocks count
  columns up to sign: for neurons :math:`\{-1, 1\}` and L = 2 they are the N + 1 values of the overlap.

With block counts :math:`n'_d` and :math:`\bar\tau(n, d) = \sum_{c \in d}\tau(n, c)`,
:math:`\tilde A[n, n'] = \binom{N}{n'}\prod_d \bar\tau(n, d)^{n'_d}`. The input boundary is a row of the same
matrix, :math:`u = T[x, \cdot]`, and the output boundary :math:`v(h) = \prod_j \sum_c k(h, c)\,e^{-\beta|y_{\cdot j}
- c|^p}` depends on h through its block.

**Observables.** Given the transition :math:`n \to n'`, the columns of :math:`h'` are independent: unit j of class
d takes the member c with probability :math:`\tau(n, c)/\bar\tau(n, d)`. So for a per-unit function f and
:math:`X = \frac1N\sum_j f(h'_{\cdot j})`, :math:`E[X \mid n \to n'] = \frac1N\sum_d n'_d\,\mu_f(n, d)` and the
second moment adds :math:`\frac1{N^2}\sum_d n'_d\,\mathrm{Var}_f(n, d)`. Such "edge" observables cover the
magnetization (:math:`f(c) = c_0`), the overlap (:math:`f(c) = c_0 c_1`), layer means and covariances, also in the
gauge-lumped chain where the magnetization is not a function of the block. In the bulk, with
:math:`\ell \tilde A = \lambda\ell`, :math:`\tilde A\rho = \lambda\rho` and :math:`M_f = \tilde A \circ E[X\mid\cdot]`,

.. math::  \langle X\rangle = \frac{\ell M_f \rho}{\lambda\,\ell\rho},\qquad
           \langle X_0 X_r\rangle = \frac{\ell M_f (\tilde A/\lambda)^{r-1} M_f \rho}{\lambda^2\,\ell\rho}
           \quad (r \ge 1).

Because the columns of a layer are exchangeable given the previous layer, the single-unit correlation
:math:`\mathrm{Cov}(h^{(m)}_{0,0}, h^{(m+r)}_{0,0})` equals the magnetization's for :math:`r \ge 1`.

Scaling: :math:`\tilde A` is stored divided by :math:`(Z_w s_{\max})^N` (:math:`Z_w` the total prior weight of a
weight row and its bias, :math:`s_{\max} = \max_c\sum_{c'} e(c', c)`), so every entry and row sum is at most 1
and N = 1000 neither overflows nor underflows; the constants are restored in log space.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from scipy.special import gammaln

from .. import hamiltonian as ham
from ..model import NetworkSpec

MAX_ORBITS = 7000  # 6545 blocks for L = 2, N = 32, binary neurons (permutation lumping)
MAX_GRID_POINTS = 4 * 10**8  # total pre-activation support points visited while building the block table
DENSE_EIG_LIMIT = 2600  # blocks up to which the bulk uses a dense eigendecomposition (ARPACK beyond)
REDUCTIONS = ("auto", "gauge", "permutation")
_LOG_ZERO = -1e250  # log of a vanishing tau: finite, so that 0 * log(0) stays 0 in matrix products


class BlockChain(NamedTuple):
    """The lumped layer chain of a spec (see the module docstring); all log constants are per layer."""

    reduction: str  # "permutation" or "gauge"
    columns: np.ndarray  # (C, L) all column types V^L, lexicographic
    classes: np.ndarray  # (C,) class index d of each column type
    reps: np.ndarray  # (D, L) one representative column per class
    counts: np.ndarray  # (B, D) block = counts of columns per class
    tau: np.ndarray  # (B, C) tau(n, c) / s_max, k normalized to probabilities
    A: np.ndarray  # (B, B) lumped transfer matrix / (Z_w s_max)^N
    log_scale: float  # log((Z_w s_max)^N): log T_full = log A + log_scale
    x_block: int  # block of the input data x
    log_v: np.ndarray  # (B,) log of the output boundary / Z_w^N
    log_v_scale: float  # N log Z_w


# -- applicability and sizes ------------------------------------------------------------------------------
def lattice_scale(values: tuple[float, ...]) -> int | None:
    """Smallest q <= 1000 with every value * q an integer (to 1e-12), or None."""
    denominators = []
    for v in values:
        f = Fraction(v).limit_denominator(1000)
        if abs(float(f) - v) > 1e-12:
            return None
        denominators.append(f.denominator)
    return math.lcm(*denominators)


def gauge_applies(spec: NetworkSpec) -> bool:
    """Column flips are a symmetry of T: weight prior even under w -> -w and neuron set even under h -> -h."""
    v = spec.values
    prior = dict(zip(v.weights, v.weight_prior or (1.0,) * len(v.weights)))
    weights_even = all(-w in prior and math.isclose(prior[-w], p, rel_tol=1e-14) for w, p in prior.items())
    return weights_even and set(v.neurons) == {-h for h in v.neurons}


def choose_reduction(spec: NetworkSpec, reduction: str = "auto") -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction: must be one of {REDUCTIONS}, got {reduction!r}")
    if reduction == "gauge" and not gauge_applies(spec):
        raise ValueError("reduction: 'gauge' needs a weight prior symmetric under w -> -w and a neuron set "
                         f"symmetric under h -> -h; got weights {spec.values.weights}, neurons {spec.values.neurons}")
    if reduction == "auto":
        return "gauge" if gauge_applies(spec) else "permutation"
    return reduction


def _column_types(spec: NetworkSpec) -> np.ndarray:
    values = np.array(spec.values.neurons)
    return np.array(list(itertools.product(values, repeat=spec.rows)), dtype=float).reshape(-1, spec.rows)


def _classes(columns: np.ndarray, reduction: str) -> tuple[np.ndarray, np.ndarray]:
    """Class index of each column type and one representative (the first member) per class."""
    index = {tuple(c): k for k, c in enumerate(columns)}
    cls = -np.ones(len(columns), dtype=int)
    reps = []
    for k, c in enumerate(columns):
        if cls[k] >= 0:
            continue
        cls[k] = len(reps)
        if reduction == "gauge":
            cls[index[tuple(-c + 0.0)]] = len(reps)
        reps.append(c)
    return cls, np.array(reps, dtype=float)


def count_blocks(spec: NetworkSpec, reduction: str = "auto") -> int:
    """Number of blocks C(N + D - 1, D - 1) of the lumped chain (D classes of columns)."""
    reduction = choose_reduction(spec, reduction)
    _, reps = _classes(_column_types(spec), reduction)
    return math.comb(spec.width + len(reps) - 1, len(reps) - 1)


def check_limits(spec: NetworkSpec, reduction: str = "auto") -> str:
    """Raise ValueError (count and limit) if the symmetric engine cannot handle ``spec``; return the reduction."""
    reduction = choose_reduction(spec, reduction)
    types = len(spec.values.neurons) ** spec.rows
    if types > 2 * MAX_ORBITS:  # at least types / 2 classes, so more blocks than the limit: do not list them
        raise ValueError(f"rows: the symmetric engine lumps {types:.3g} column types of L = {spec.rows} rows into at "
                         f"least {types // 2:.3g} classes (limit {MAX_ORBITS} blocks); reduce --rows, or use Monte "
                         "Carlo (deeprg mc)")
    if lattice_scale(spec.values.weights) is None:
        raise ValueError(f"weights: the symmetric engine needs weights on a rational lattice (denominators <= 1000), "
                         f"got {spec.values.weights}")
    blocks = count_blocks(spec, reduction)
    if blocks > MAX_ORBITS:
        raise ValueError(f"width/rows: the symmetric engine ({reduction} lumping) needs {blocks} blocks for "
                         f"N = {spec.width}, L = {spec.rows}, |neurons| = {len(spec.values.neurons)} "
                         f"(limit {MAX_ORBITS}); reduce --width or --rows, or use Monte Carlo (deeprg mc)")
    points = _grid_work(spec, reduction)
    if points > MAX_GRID_POINTS:
        raise ValueError(f"width/rows: building the symmetric engine visits about {points:.3g} pre-activation "
                         f"points (limit {MAX_GRID_POINTS:.3g}); reduce --width or --rows")
    return reduction


def _blocks(n: int, d: int) -> np.ndarray:
    """All compositions of n into d non-negative parts, lexicographic: (C(n+d-1, d-1), d)."""
    if d == 1:
        return np.array([[n]], dtype=np.int64)
    out = []
    for bars in itertools.combinations(range(n + d - 1), d - 1):
        edges = (-1,) + bars + (n + d - 1,)
        out.append([edges[k + 1] - edges[k] - 1 for k in range(d)])
    return np.array(out, dtype=np.int64)


def _sum_laws(spec: NetworkSpec, n_max: int) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Laws of S_n = sum of n iid weights, n = 0..n_max, by repeated convolution on the lattice Z / q.

    Returns, per n, the indices of the support in the common lattice ``values`` (n_max lo .. n_max hi) and the
    probabilities there, and ``values`` itself.
    """
    v = spec.values
    q = lattice_scale(v.weights)
    ints = np.rint(np.array(v.weights) * q).astype(np.int64)
    lo, hi = int(ints.min()), int(ints.max())
    step = np.zeros(hi - lo + 1)
    prior = np.array(v.weight_prior or (1.0,) * len(v.weights))
    np.add.at(step, ints - lo, prior / prior.sum())
    law = np.ones(1)
    support, probs = [], []
    for n in range(n_max + 1):
        nz = np.nonzero(law > 0)[0]
        support.append(n * lo + nz - n_max * lo)
        probs.append(law[nz])
        law = np.convolve(law, step)
    return support, probs, (n_max * lo + np.arange(n_max * (hi - lo) + 1)) / q


def _grid_work(spec: NetworkSpec, reduction: str) -> float:
    """Pre-activation points the block table visits: sum over blocks of |biases| prod_d |supp S_{n_d}|."""
    _, reps = _classes(_column_types(spec), reduction)
    active = np.any(reps != 0, axis=1)
    q = lattice_scale(spec.values.weights)
    spread = int(round((max(spec.values.weights) - min(spec.values.weights)) * q))
    n = _blocks(spec.width, len(reps))
    multisets = np.vectorize(lambda k: math.comb(int(k) + len(spec.values.weights) - 1, int(k)))(n)
    sizes = np.where(active[None, :], np.minimum(n * spread + 1, multisets), 1).astype(float)
    return float(np.prod(sizes, axis=1).sum()) * len(spec.values.biases)


# -- building the block chain ------------------------------------------------------------------------------
def _output_labels(spec: NetworkSpec, pre: np.ndarray) -> np.ndarray:
    """Index of the column type act(pre) for pre-activation vectors (P, L)."""
    values = np.array(spec.values.neurons)
    order = np.argsort(values)
    out = spec.act(np.round(pre, 12))
    digits = order[np.searchsorted(values[order], out)]
    base = len(values) ** np.arange(spec.rows - 1, -1, -1)
    return digits @ base


GRID_LIMIT = 3 * 10**7  # label grids over the joint lattice of the S_d up to this many points


def _activation_laws(spec: NetworkSpec, counts: np.ndarray, reps: np.ndarray, n_columns: int,
                     progress=None) -> np.ndarray:
    """k(n, c) as probabilities: (B, C), from the laws of S_d for the block counts (no weight enumeration).

    The output column act(b + sum_d S_d c_d) is tabulated once on the joint lattice of the S_d (when it fits in
    ``GRID_LIMIT``), and each block only gathers its support from that table.
    """
    support, probs, lattice = _sum_laws(spec, spec.width)
    biases = np.array(spec.values.biases)
    bias_prior = np.array(spec.values.bias_prior or (1.0,) * len(biases))
    bias_prior = bias_prior / bias_prior.sum()
    active = [d for d in range(len(reps)) if np.any(reps[d] != 0)]
    zero = support[0]  # lattice index of S = 0
    grid = None
    if len(lattice) ** len(active) * len(biases) <= GRID_LIMIT:
        pre = np.zeros((1,) * len(active) + (spec.rows,))
        for axis, d in enumerate(active):
            shape = [1] * len(active) + [spec.rows]
            shape[axis] = len(lattice)
            pre = pre + (lattice[:, None] * reps[d][None, :]).reshape(shape)
        grid = np.stack([_output_labels(spec, (pre + b).reshape(-1, spec.rows)).reshape(pre.shape[:-1])
                         for b in biases])
    out = np.zeros((len(counts), n_columns))
    for row, n in enumerate(counts):
        weight = bias_prior
        for d in active:
            weight = np.multiply.outer(weight, probs[n[d]])
        if grid is not None:
            labels = grid[np.ix_(np.arange(len(biases)), *[support[n[d]] if n[d] else zero for d in active])]
        else:
            pre = np.zeros((1, spec.rows))
            for d in active:
                pre = (pre[:, None, :] + lattice[support[n[d]]][None, :, None] * reps[d]).reshape(-1, spec.rows)
            labels = np.stack([_output_labels(spec, pre + b) for b in biases])
        out[row] = np.bincount(labels.ravel(), weights=weight.ravel(), minlength=n_columns)
        if progress is not None:
            progress(1)
    return out


def build_blocks(spec: NetworkSpec, reduction: str = "auto", progress=None) -> BlockChain:
    """The lumped chain of ``spec`` (limits checked first, before anything is allocated)."""
    reduction = check_limits(spec, reduction)
    N, v = spec.width, spec.values
    columns = _column_types(spec)
    classes, reps = _classes(columns, reduction)
    D = len(reps)
    counts = _blocks(N, D)
    k = _activation_laws(spec, counts, reps, len(columns), progress)  # (B, C), rows sum to 1
    distance = (np.abs(columns[:, None, :] - columns[None, :, :]) ** spec.p).sum(axis=-1)
    e = np.exp(-ham.constraint_energy(distance, spec.effective_beta_v))  # e[c', c]
    s_max = e.sum(axis=0).max()
    tau = k @ e.T / s_max  # tau[n, c'] = sum_c k(n, c) e(c', c) / s_max
    tau_bar = np.zeros((len(counts), D))
    np.add.at(tau_bar.T, classes, tau.T)
    with np.errstate(divide="ignore"):
        log_tau_bar = np.where(tau_bar > 0, np.log(np.where(tau_bar > 0, tau_bar, 1.0)), _LOG_ZERO)
    log_multinomial = gammaln(N + 1) - gammaln(counts + 1).sum(axis=1)
    A = np.exp(log_tau_bar @ counts.T.astype(float) + log_multinomial[None, :])
    w_total = sum(v.weight_prior or (1.0,) * len(v.weights))
    b_total = sum(v.bias_prior or (1.0,) * len(v.biases))
    log_zw = N * math.log(w_total) + math.log(b_total)
    # output boundary: prod_j sum_c k(n, c) exp(-beta |y_j - c|^p), grouped by distinct target columns
    y_cols = spec.y_array.T
    out_dist = (np.abs(y_cols[:, None, :] - columns[None, :, :]) ** spec.p).sum(axis=-1)
    omega = np.exp(-spec.beta * out_dist)  # (N, C)
    with np.errstate(divide="ignore"):
        log_v = np.log(k @ omega.T).sum(axis=1)
    x_counts = np.bincount(classes[_column_index(spec, spec.x_array.T)], minlength=D)
    x_block = int(np.nonzero((counts == x_counts).all(axis=1))[0][0])
    return BlockChain(reduction, columns, classes, reps, counts, tau, A, N * (log_zw + math.log(s_max)), x_block,
                      log_v, N * log_zw)


def _column_index(spec: NetworkSpec, cols: np.ndarray) -> np.ndarray:
    values = np.array(spec.values.neurons)
    order = np.argsort(values)
    digits = order[np.searchsorted(values[order], cols)]
    return digits @ (len(values) ** np.arange(spec.rows - 1, -1, -1))


# -- edge observables --------------------------------------------------------------------------------------
class EdgeObservable(NamedTuple):
    r"""A unit average :math:`X = \frac1N\sum_j f(h_{\cdot j})` seen through the block chain.

    ``mu[n, d]`` and ``second[n, d]`` are the mean of f and of f^2 over the members of class d after a
    transition out of block n (weights :math:`\tau(n, c)/\bar\tau(n, d)`).
    """

    mu: np.ndarray  # (B, D)
    second: np.ndarray  # (B, D)


def edge_observable(chain: BlockChain, f: np.ndarray, g: np.ndarray | None = None) -> EdgeObservable:
    """The class means of f (and of the product f g for a mixed second moment) after each block."""
    g = f if g is None else g
    D = len(chain.reps)
    tau_bar = np.zeros((len(chain.counts), D))
    np.add.at(tau_bar.T, chain.classes, chain.tau.T)
    safe = np.where(tau_bar > 0, tau_bar, 1.0)

    def class_mean(values):
        acc = np.zeros_like(tau_bar)
        np.add.at(acc.T, chain.classes, (chain.tau * values[None, :]).T)
        return acc / safe

    return EdgeObservable(class_mean(np.asarray(f, float)), class_mean(np.asarray(f, float) * np.asarray(g, float)))


def apply_right(chain: BlockChain, obs: EdgeObservable, vec: np.ndarray) -> np.ndarray:
    """(A o E[X | n -> n']) @ vec."""
    N = chain.counts.sum(axis=1)[0]
    out = np.zeros(len(vec))
    for d in range(chain.counts.shape[1]):
        out += obs.mu[:, d] * (chain.A @ (chain.counts[:, d] * vec))
    return out / N


def apply_left(chain: BlockChain, obs: EdgeObservable, vec: np.ndarray) -> np.ndarray:
    """vec @ (A o E[X | n -> n'])."""
    N = chain.counts.sum(axis=1)[0]
    out = np.zeros(len(vec))
    for d in range(chain.counts.shape[1]):
        out += chain.counts[:, d] * ((vec * obs.mu[:, d]) @ chain.A)
    return out / N


def apply_second(chain: BlockChain, f: EdgeObservable, g: EdgeObservable, fg: EdgeObservable,
                 vec: np.ndarray) -> np.ndarray:
    r"""(A o E[X_f X_g | n -> n']) @ vec.

    X_f X_g = (1/N^2)[(sum_d n'_d mu_f)(sum_d n'_d mu_g) + sum_d n'_d cov_fg] given the transition.
    """
    N = chain.counts.sum(axis=1)[0]
    c = chain.counts.astype(float)
    D = c.shape[1]
    out = np.zeros(len(vec))
    for d in range(D):
        out += (fg.second[:, d] - f.mu[:, d] * g.mu[:, d]) * (chain.A @ (c[:, d] * vec))
        for e in range(D):
            out += f.mu[:, d] * g.mu[:, e] * (chain.A @ (c[:, d] * c[:, e] * vec))
    return out / N**2


# -- spectra and decay lengths (shared with the full engine) -------------------------------------------------
class Spectrum(NamedTuple):
    """Eigen-decomposition of a non-negative matrix, sorted by decreasing modulus, with its Perron data."""

    values: np.ndarray  # (k,) complex, decreasing modulus
    right: np.ndarray  # (B, k): A right[:, k] = values[k] right[:, k]
    left: np.ndarray  # (B, k): left[:, k] @ A = values[k] left[:, k]
    lam: float  # Perron root
    ell: np.ndarray  # left Perron vector (non-negative, sums to 1)
    rho: np.ndarray  # right Perron vector (non-negative, sums to 1)
    complete: bool  # all B modes (dense) or only the slowest ones (ARPACK)


def spectrum(A: np.ndarray, modes: int = 40) -> Spectrum:
    """Dense eigen-decomposition up to :data:`DENSE_EIG_LIMIT` states, else the ``modes`` slowest by ARPACK."""
    if A.shape[0] <= DENSE_EIG_LIMIT:
        import scipy.linalg

        values, vl, vr = scipy.linalg.eig(A, left=True, right=True)  # R^-1 fails: T has a defective kernel
        left, complete = vl.conj(), True
    else:
        from scipy.sparse.linalg import eigs

        k = min(modes, A.shape[0] - 2)
        values, vr = eigs(A, k=k, which="LM", tol=1e-13)
        lvalues, vl = eigs(A.T, k=k, which="LM", tol=1e-13)
        match = [int(np.argmin(np.abs(lvalues - z))) for z in values]
        left, complete = vl[:, match], False
    order = np.argsort(-np.abs(values), kind="stable")
    values, right, left = values[order], vr[:, order], left[:, order]
    top = int(np.argmax(np.where(np.abs(values) >= np.abs(values[0]) * (1 - 1e-12), values.real, -np.inf)))
    if top != 0:  # put the Perron root first among equal moduli
        perm = [top] + [k for k in range(len(values)) if k != top]
        values, right, left = values[perm], right[:, perm], left[:, perm]
    ell, rho = np.abs(left[:, 0].real), np.abs(right[:, 0].real)
    return Spectrum(values, right, left, float(values[0].real), ell / ell.sum(), rho / rho.sum(), complete)


WEIGHT_TOL = 1e-9  # a mode counts in G(r) when its weight exceeds this fraction of max(G(0), <X>^2)
ZERO_MODE = 1e-12  # |lambda_k / lambda_1| below this is a numerically zero eigenvalue (decay length 0)


def decay_length(spec_: Spectrum, h: np.ndarray, g: np.ndarray, scale: float) -> float:
    r"""Decay length of :math:`G(r) \propto h^\top (A/\lambda)^r g`: the slowest non-Perron mode whose weight
    :math:`(h\cdot r_k)(\ell_k\cdot g)/(\ell_k\cdot r_k)` exceeds ``WEIGHT_TOL * scale``; 0 if none (or if that
    mode's eigenvalue is numerically zero, below ``ZERO_MODE`` lambda_1), inf if it is as slow as the Perron mode."""
    lam = spec_.lam
    for k in range(1, len(spec_.values)):
        r, l = spec_.right[:, k], spec_.left[:, k]
        norm = l @ r
        if abs(norm) == 0:
            continue
        weight = (h @ r) * (l @ g) / norm
        if abs(weight) <= WEIGHT_TOL * scale:
            continue
        ratio = abs(spec_.values[k]) / lam
        if ratio <= ZERO_MODE:
            return 0.0
        return math.inf if ratio >= 1 - 1e-13 else -1.0 / math.log(ratio)
    return 0.0


class Series(NamedTuple):
    """A bulk observable: its mean, G(r) for r = 0..rmax and the decay length of G."""

    mean: float
    G: np.ndarray
    xi: float

    def to_dict(self) -> dict:
        return {"mean": self.mean, "G": self.G, "xi": self.xi}


def _bulk_series(chain: BlockChain, sp: Spectrum, f: np.ndarray, rmax: int) -> Series:
    """Mean, G(r) and decay length of X = (1/N) sum_j f(h_j) in the bulk of the block chain."""
    obs = edge_observable(chain, f)
    lam, ell, rho = sp.lam, sp.ell, sp.rho
    norm = ell @ rho
    g, h = apply_right(chain, obs, rho), apply_left(chain, obs, ell)
    mean = float(ell @ g / (lam * norm))
    G = np.empty(rmax + 1)
    G[0] = ell @ apply_second(chain, obs, obs, obs, rho) / (lam * norm) - mean**2
    w = g / lam
    for r in range(1, rmax + 1):
        G[r] = h @ w / (lam * norm) - mean**2
        w = chain.A @ w / lam
    scale = max(abs(G[0]), mean**2, 1e-300) * lam**2 * norm
    return Series(mean, G, decay_length(sp, h, g, scale))


class SymmetricBulk(NamedTuple):
    """Bulk of the block chain: free energy, xi of T, single-unit G, and the unit-averaged observables."""

    free_energy_per_layer: float
    xi: float  # 1 / ln(lambda_1 / |lambda_2|) over the non-zero spectrum of T
    eigenvalue_ratios: np.ndarray  # lambda_k / lambda_1 of the slowest modes
    single: Series  # h of (row 0, unit 0)
    magnetization: Series  # m = (1/N) sum_i h_{0,i}
    overlap: Series | None  # q = (1/N) sum_i h_{0,i} h_{1,i} (L >= 2)


def bulk_blocks(chain: BlockChain, rmax: int = 20, sp: Spectrum | None = None) -> SymmetricBulk:
    """The bulk of the block chain (see the module docstring for the formulas)."""
    sp = spectrum(chain.A) if sp is None else sp
    cols = chain.columns
    magnetization = _bulk_series(chain, sp, cols[:, 0], rmax)
    square = _bulk_series(chain, sp, cols[:, 0] ** 2, 0)
    single_G = magnetization.G.copy()
    single_G[0] = square.mean - magnetization.mean**2
    overlap = _bulk_series(chain, sp, cols[:, 0] * cols[:, 1], rmax) if cols.shape[1] >= 2 else None
    from .transfer import correlation_length

    ratios = sp.values / sp.lam
    return SymmetricBulk(math.log(sp.lam) + chain.log_scale, correlation_length(ratios), ratios[:20],
                         Series(magnetization.mean, single_G, magnetization.xi), magnetization, overlap)


# -- finite chains -----------------------------------------------------------------------------------------
MAX_CHAIN_WORK = 2e11  # multiply-adds spent on forward/backward vectors before an unmixed chain is refused
MIXED_TOL = 1e-15  # forward/backward vectors (scaled to max 1) closer than this are stationary


class ChainVectors(NamedTuple):
    """Vectors proportional to start A^k (k = 0, 1, ...), stored until they stop changing."""

    head: np.ndarray  # (K, B); entry k for k >= K equals head[-1]
    log_norms: np.ndarray  # (K,) log of the scale removed at each step (entry 0: of the start vector)
    stationary: bool


def _chain_vectors(start: np.ndarray, A: np.ndarray, steps: int) -> ChainVectors:
    """start A^k for k = 0..steps, scaled to max 1, stopping early once the vector is stationary."""
    B = len(start)
    limit = max(1, int(MAX_CHAIN_WORK // (B * B)))
    top = np.abs(start).max()
    if top == 0:
        raise ValueError("the ensemble has zero total weight (every configuration is forbidden)")
    head, logs = [start / top], [math.log(top)]
    for k in range(steps):
        if k >= limit:
            raise ValueError(f"depth: the chain has not mixed after {limit} layers (N = {B} blocks); exact values "
                             f"at depth {steps} need a smaller --depth")
        nxt = head[-1] @ A
        top = np.abs(nxt).max()
        if top == 0:  # a non-zero vector times A vanished: its weights underflowed, nothing is forbidden
            raise ValueError(f"width: the boundary weights of the {B} blocks underflow double precision (they "
                             "span more than e^700); use a smaller width or a smaller beta")
        nxt = nxt / top
        head.append(nxt)
        logs.append(math.log(top))
        if np.max(np.abs(nxt - head[-2])) <= MIXED_TOL:
            return ChainVectors(np.array(head), np.array(logs), True)
    return ChainVectors(np.array(head), np.array(logs), False)


def _at(vectors: ChainVectors, k: int) -> np.ndarray:
    return vectors.head[min(k, len(vectors.head) - 1)]


def _log_norm_sum(vectors: ChainVectors, k: int) -> float:
    """Sum of the log scales of steps 1..k (the stationary scale repeats)."""
    K = len(vectors.log_norms) - 1
    return float(vectors.log_norms[1:min(k, K) + 1].sum() + max(0, k - K) * vectors.log_norms[-1])


class SymmetricChain(NamedTuple):
    """A depth-M chain over blocks: forward vectors alpha_m ~ e_x A^m and backward beta_m ~ A^(M-m) v."""

    spec: NetworkSpec
    blocks: BlockChain
    forward: ChainVectors
    backward: ChainVectors
    v_top: float

    @classmethod
    def solve(cls, spec: NetworkSpec, blocks: BlockChain | None = None) -> "SymmetricChain":
        blocks = build_blocks(spec) if blocks is None else blocks
        start = np.zeros(len(blocks.A))
        start[blocks.x_block] = 1.0
        v_top = float(blocks.log_v.max())
        v = np.exp(blocks.log_v - v_top)
        return cls(spec, blocks, _chain_vectors(start, blocks.A, spec.depth),
                   _chain_vectors(v, blocks.A.T, spec.depth), v_top)

    def alpha(self, m: int) -> np.ndarray:  # proportional to e_x A^m
        return _at(self.forward, m)

    def beta(self, m: int) -> np.ndarray:  # proportional to A^(M-m) v, m = 1..M
        return _at(self.backward, self.spec.depth - m)

    def log_z(self) -> float:
        M, b = self.spec.depth, self.blocks
        log_alpha = _log_norm_sum(self.forward, M)
        return (log_alpha + math.log(self.alpha(M) @ np.exp(b.log_v - self.v_top)) + self.v_top
                + M * b.log_scale + b.log_v_scale)

    def _layers(self) -> list[int]:
        """Layers whose (alpha_{m-1}, beta_m) pair differ; the others repeat the middle one."""
        M = self.spec.depth
        kf, kb = len(self.forward.head), len(self.backward.head)
        layers = set(range(1, min(M, kf + 1) + 1)) | set(range(max(1, M - kb), M + 1))
        return sorted(layers)

    def unit_means(self, f: np.ndarray) -> np.ndarray:
        """(M,) array of E[(1/N) sum_j f(h^(m)_j)] for m = 1..M."""
        obs = edge_observable(self.blocks, f)
        M = self.spec.depth
        out = np.empty(M + 1)
        for m in self._layers():
            a, b = self.alpha(m - 1), self.beta(m)
            out[m] = a @ apply_right(self.blocks, obs, b) / (a @ (self.blocks.A @ b))
        known = self._layers()
        if len(known) < M:  # the stationary middle: every missing layer equals the first one after the head
            kf = len(self.forward.head)
            middle = min(kf + 1, M)
            fill = np.setdiff1d(np.arange(1, M + 1), known)
            out[fill] = out[middle]
        return out[1:]

    def mean_h(self) -> np.ndarray:
        """(M, L, N) array of <h^(m)[l]_i> (the same for every unit i by permutation symmetry)."""
        means = np.stack([self.unit_means(self.blocks.columns[:, l]) for l in range(self.spec.rows)], axis=1)
        return np.broadcast_to(means[:, :, None], means.shape + (self.spec.width,))

    def full_covariance(self) -> np.ndarray:
        """Covariance of all dynamic neurons in (m, l, i) order (small M L N only)."""
        spec, b = self.spec, self.blocks
        M, L, N = spec.depth, spec.rows, spec.width
        cols = b.columns
        obs = [edge_observable(b, cols[:, l]) for l in range(L)]
        mean = self.mean_h()[:, :, 0]
        cov = np.empty((M, L, N, M, L, N))
        for m in range(1, M + 1):
            a = self.alpha(m - 1)
            for n in range(m, M + 1):
                beta_n = self.beta(n)
                for l in range(L):
                    for k in range(L):
                        if n == m:
                            fg = edge_observable(b, cols[:, l], cols[:, k])
                            den = a @ (b.A @ beta_n)
                            product = edge_observable(b, cols[:, l] * cols[:, k])
                            same = a @ apply_right(b, product, beta_n) / den  # E[(1/N) sum_j f g]
                            pair = a @ apply_second(b, obs[l], obs[k], fg, beta_n) / den  # E[X_l X_k]
                            other = (N * N * pair - N * same) / (N * (N - 1)) if N > 1 else 0.0
                            block = np.full((N, N), other - mean[m - 1, l] * mean[n - 1, k])
                            np.fill_diagonal(block, same - mean[m - 1, l] * mean[n - 1, k])
                        else:
                            w = apply_right(b, obs[k], beta_n)
                            den = b.A @ beta_n
                            for _ in range(n - m - 1):
                                w, den = b.A @ w, b.A @ den
                            value = a @ apply_right(b, obs[l], w) / (a @ (b.A @ den))
                            block = np.full((N, N), value - mean[m - 1, l] * mean[n - 1, k])
                        cov[m - 1, l, :, n - 1, k, :] = block
                        cov[n - 1, k, :, m - 1, l, :] = block.T
        return cov.reshape(M * L * N, M * L * N)


def solve_symmetric(spec: NetworkSpec, covariance: bool | None = None, reduction: str = "auto",
                    blocks: BlockChain | None = None):
    """log Z, <h> of every layer (and the covariance when M L N <= 64) from the block chain."""
    from .result import ExactResult
    from .transfer import COVARIANCE_LIMIT

    chain = SymmetricChain.solve(spec, build_blocks(spec, reduction) if blocks is None else blocks)
    if covariance is None:
        covariance = spec.depth * spec.rows * spec.width <= COVARIANCE_LIMIT
    cov = chain.full_covariance() if covariance else None
    return ExactResult(chain.log_z(), chain.mean_h(), cov, "symmetric")
