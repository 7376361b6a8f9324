r"""Exact transfer-matrix engine over depth (Lee, Lee & Yi, eqs 13-16).

A layer state :math:`h` is the joint value of all L rows and N units of one neuron layer (:math:`S = |V|^{LN}`
states, lexicographic order over (l, i), last unit fastest). Because :math:`W^{(m)}, b^{(m)}` are shared by all
rows and enter only the m-th term of eq 14, summing them out gives one matrix per layer:

.. math::

    K[h, t] &= \sum_{W, b} \pi(W)\pi(b)\,[\sigma(W h + b) = t]            \quad\text{(multiplicity)}\\
    E[h', t] &= e^{-\beta_v |h' - t|^p} \quad (E = I \text{ at } \beta_v = \infty) \quad\text{(constraint factor)}\\
    T &= K E^\top, \qquad u = K_x E^\top, \qquad v[h] = \sum_t K[h, t]\,e^{-\beta |y - t|^p},

and :math:`Z = u^\top T^{M-1} v`, with :math:`K_x` the multiplicity row of the input data x. Marginals follow
from forward vectors :math:`\alpha_m = u^\top T^{m-1}` and backward vectors :math:`\beta_m = T^{M-m} v`:
:math:`P(h^{(m)} = s) \propto \alpha_m[s]\beta_m[s]`, and for :math:`m < n`,
:math:`P(h^{(m)} = s, h^{(n)} = s') \propto \alpha_m[s] (T^{n-m})_{ss'} \beta_n[s']`.

The bulk (infinitely deep chain) is governed by the spectrum of :math:`T`: free energy per layer
:math:`\ln\lambda_1`, correlation length :math:`\xi = 1/\ln(\lambda_1/|\lambda_2|)` and, with left and right Perron
vectors :math:`\ell, \rho`, :math:`G(r) = \ell^\top F (T/\lambda_1)^r F\rho / \ell^\top\rho - \langle h\rangle^2`.

Stability: every product is rescaled by its maximum and the scales are kept in log space, so depth
:math:`10^6` and large :math:`\beta, \beta_v` neither overflow nor underflow; log Z at depth M costs
:math:`O(\log M)` matrix products.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import numpy as np

from .. import hamiltonian as ham
from ..display import compact_repr
from ..memory import require_memory
from ..model import NetworkSpec, weight_configurations
from .result import ExactResult

MAX_STATES = 4096
COVARIANCE_LIMIT = 64  # full (m, l, i) covariance only when M * L * N <= this


class TransferMatrices(NamedTuple):
    """Layer matrices of a spec; see the module docstring for the definitions."""

    states: np.ndarray  # (S, L, N) neuron values of each joint layer state
    K: np.ndarray  # (S, S) multiplicity
    E: np.ndarray  # (S, S) constraint factor E[h', t]
    T: np.ndarray  # (S, S) layer transfer matrix K E^T, rows h^(m), columns h^(m+1)
    u: np.ndarray  # (S,) input boundary: weight of h^(1) given x
    v: np.ndarray  # (S,) output boundary divided by exp(log_v_scale)
    log_v_scale: float


def neuron_states(spec: NetworkSpec) -> np.ndarray:
    """All joint states of one layer: (S, L, N), lexicographic, last unit fastest."""
    values = np.array(spec.values.neurons)
    n_sites = spec.rows * spec.width
    count = len(values) ** n_sites
    if count > MAX_STATES:
        raise ValueError(f"width/rows: a layer has {count} joint states (> {MAX_STATES}); the exact engine needs "
                         "|neurons|^(L*N) <= 4096; use Monte Carlo (deeprg mc) for larger networks")
    digits = (np.arange(count)[:, None] // len(values) ** np.arange(n_sites - 1, -1, -1)) % len(values)
    return values[digits].reshape(count, spec.rows, spec.width)


def state_index(spec: NetworkSpec, configs: np.ndarray) -> np.ndarray:
    """Index of each layer configuration (..., L, N) in :func:`neuron_states` order."""
    values = np.array(spec.values.neurons)
    order = np.argsort(values)
    flat = np.asarray(configs).reshape(*np.shape(configs)[:-2], -1)
    digits = order[np.searchsorted(values[order], flat)]
    base = len(values) ** np.arange(flat.shape[-1] - 1, -1, -1)
    return (digits * base).sum(axis=-1)


def multiplicity(spec: NetworkSpec, inputs: np.ndarray) -> np.ndarray:
    """Rows of K for layer configurations ``inputs`` (R, L, N): prior-weighted counts over output states."""
    W, b, log_prior = weight_configurations(spec)
    prior = np.exp(log_prior - log_prior.max())  # a common factor; restored below
    n_states = len(spec.values.neurons) ** (spec.rows * spec.width)
    rows = np.zeros((len(inputs), n_states))
    for r, h in enumerate(inputs):
        targets = state_index(spec, spec.act(ham.preactivation(W, b, h)))
        rows[r] = np.bincount(targets, weights=prior, minlength=n_states)
    return rows * np.exp(log_prior.max())


def constraint_factor(states: np.ndarray, beta_v: float, p: float) -> np.ndarray:
    """E[h', t] = exp(-beta_v |h' - t|^p); the identity at beta_v = inf."""
    distance = ham.mismatch(states[:, None], states[None, :], p)
    return np.exp(-ham.constraint_energy(distance, beta_v))


def build(spec: NetworkSpec) -> TransferMatrices:
    """K, E, T and the boundary vectors of ``spec``."""
    states = neuron_states(spec)
    K = multiplicity(spec, states)
    E = constraint_factor(states, spec.effective_beta_v, spec.p)
    T = K @ E.T
    u = multiplicity(spec, spec.x_array[None])[0] @ E.T
    out_energy = spec.beta * ham.mismatch(spec.y_array, states, spec.p)
    reachable = K.sum(axis=0) > 0
    shift = out_energy[reachable].min()
    v = K @ np.exp(-(out_energy - shift))
    return TransferMatrices(states, K, E, T, u, v, float(-shift))


# -- products with rescaling ------------------------------------------------------------------------------
def normalized_powers(T: np.ndarray, n: int) -> np.ndarray:
    """(n, S, S) array whose k-th entry is proportional to T^k (each scaled to maximum 1), by doubling."""
    S = T.shape[0]
    powers = np.empty((max(n, 1), S, S), dtype=T.dtype)
    powers[0] = np.eye(S)
    filled = 1
    while filled < n:
        top = powers[filled - 1] @ T  # proportional to T^filled
        top = top / np.abs(top).max()
        k = min(filled, n - filled)
        block = powers[:k] @ top  # proportional to T^(filled + j), j < k
        powers[filled:filled + k] = block / np.abs(block).max(axis=(1, 2), keepdims=True)
        filled += k
    return powers[:n]


def chain_vectors(start: np.ndarray, T: np.ndarray, n: int) -> np.ndarray:
    """Rows proportional to start^T T^k for k = 0..n-1, each scaled to maximum 1: shape (n, S)."""
    S = len(start)
    out = np.empty((n, S))
    block = max(1, min(n, (1 << 21) // (S * S)))
    powers = normalized_powers(T, block)
    vec = start / np.abs(start).max()
    for i0 in range(0, n, block):
        k = min(block, n - i0)
        rows = vec @ powers[:k]
        top = np.abs(rows).max(axis=1, keepdims=True)
        if np.any(top == 0):
            raise ValueError("the ensemble has zero total weight (every configuration is forbidden)")
        out[i0:i0 + k] = rows / top
        vec = out[i0 + k - 1] @ T
        vec = vec / np.abs(vec).max()
    return out


def log_partition(tm: TransferMatrices, depth: int) -> float:
    """log Z = log(u^T T^(depth-1) v) by repeated squaring with log-scaled products."""
    r = tm.v / tm.v.max()
    log_z = math.log(tm.v.max()) + tm.log_v_scale
    P, log_p = tm.T / tm.T.max(), math.log(tm.T.max())
    k = depth - 1
    while k:
        if k & 1:
            r = P @ r
            top = r.max()
            r, log_z = r / top, log_z + log_p + math.log(top)
        k >>= 1
        if k:
            P = P @ P
            top = P.max()
            P, log_p = P / top, 2 * log_p + math.log(top)
    return log_z + math.log(tm.u @ r)


# -- finite chains ----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FiniteChain:
    """Exact marginals of a depth-M chain: forward and backward vectors of every layer (1-based m)."""

    spec: NetworkSpec
    tm: TransferMatrices
    alpha: np.ndarray  # (M, S): alpha[m-1] proportional to u^T T^(m-1)
    beta: np.ndarray  # (M, S): beta[m-1] proportional to T^(M-m) v

    @classmethod
    def solve(cls, spec: NetworkSpec, tm: TransferMatrices | None = None) -> "FiniteChain":
        tm = build(spec) if tm is None else tm
        M = spec.depth
        # forward and backward vectors, marginals and <h>: about three (M, S) float arrays
        require_memory(8.0 * M * (3 * len(tm.states) + spec.rows * spec.width), "depth", M,
                       "the exact marginals of every layer (the bulk needs no depth)")
        return cls(spec, tm, chain_vectors(tm.u, tm.T, M), chain_vectors(tm.v, tm.T.T, M)[::-1])

    def marginal(self, m: int) -> np.ndarray:
        """P(h^(m) = s) over the S joint states."""
        p = self.alpha[m - 1] * self.beta[m - 1]
        return p / p.sum()

    def marginals(self) -> np.ndarray:
        p = self.alpha * self.beta
        return p / p.sum(axis=1, keepdims=True)

    def mean_h(self) -> np.ndarray:
        """(M, L, N) array of <h^(m)[l]_i>."""
        return np.einsum("ms,sli->mli", self.marginals(), self.tm.states)

    def joint(self, m: int, n: int, power: np.ndarray | None = None) -> np.ndarray:
        """P(h^(m) = s, h^(n) = s') for m <= n; ``power`` may pass a matrix proportional to T^(n-m)."""
        if m > n:
            return self.joint(n, m).T
        if m == n:
            return np.diag(self.marginal(m))
        if power is None:
            power = normalized_powers(self.tm.T, n - m + 1)[n - m]
        p = self.alpha[m - 1][:, None] * power * self.beta[n - 1][None, :]
        return p / p.sum()

    def covariance(self, m: int, n: int, power: np.ndarray | None = None) -> np.ndarray:
        """Connected covariance between all (l, i) of layer m and all (l, i) of layer n: (L N, L N)."""
        f = self.tm.states.reshape(len(self.tm.states), -1)
        joint = self.joint(m, n, power)
        mean_m, mean_n = joint.sum(axis=1) @ f, joint.sum(axis=0) @ f
        return f.T @ joint @ f - np.outer(mean_m, mean_n)

    def pair_covariance(self, m: int, n: int) -> np.ndarray:
        """:meth:`covariance` of one layer pair at any separation (a matrix power, not all the powers)."""
        if not (1 <= m <= self.spec.depth and 1 <= n <= self.spec.depth):
            raise ValueError(f"layers: ({m}, {n}) outside 1..{self.spec.depth}")
        lo, hi = min(m, n), max(m, n)
        scale = np.abs(np.linalg.eigvals(self.tm.T)).max()
        block = self.covariance(lo, hi, np.linalg.matrix_power(self.tm.T / scale, hi - lo))
        return block if m <= n else block.T

    def full_covariance(self) -> np.ndarray:
        """Covariance of all dynamic neurons in (m, l, i) order: (M L N, M L N)."""
        M, D = self.spec.depth, self.spec.rows * self.spec.width
        powers = normalized_powers(self.tm.T, M)
        cov = np.empty((M * D, M * D))
        for m in range(1, M + 1):
            for n in range(m, M + 1):
                block = self.covariance(m, n, powers[n - m])
                cov[(m - 1) * D:m * D, (n - 1) * D:n * D] = block
                cov[(n - 1) * D:n * D, (m - 1) * D:m * D] = block.T
        return cov


def solve(spec: NetworkSpec, covariance: bool | None = None) -> ExactResult:
    """log Z, <h> for every layer, row and unit, and (by default when M L N <= 64) the full covariance."""
    chain = FiniteChain.solve(spec)
    size = spec.depth * spec.rows * spec.width
    if covariance is None:
        covariance = size <= COVARIANCE_LIMIT
    if covariance:
        require_memory(8.0 * (size**2 + spec.depth * len(chain.tm.states) ** 2), "depth", spec.depth,
                       f"the full ({size} x {size}) covariance")
    cov = chain.full_covariance() if covariance else None
    return ExactResult(log_partition(chain.tm, spec.depth), chain.mean_h(), cov, "transfer")


# -- bulk ------------------------------------------------------------------------------------------------
class Bulk(NamedTuple):
    """Properties of the infinitely deep chain."""

    eigenvalues: np.ndarray  # sorted by decreasing modulus
    free_energy_per_layer: float  # ln lambda_1
    xi: float  # 1 / ln(lambda_1 / |lambda_2|)
    G: np.ndarray  # G(r), r = 0..rmax, for one (row, unit)
    mean: float  # <h> of that (row, unit) in the bulk

    __repr__ = compact_repr

    def to_dict(self) -> dict:
        return {"eigenvalues": list(self.eigenvalues), "free_energy_per_layer": self.free_energy_per_layer,
                "xi": self.xi, "G": self.G, "mean": self.mean}


def perron(T: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues sorted by modulus, and the Perron root with its left and right vectors (nonnegative T)."""
    if np.iscomplexobj(T) or np.any(T < 0) or not np.all(np.isfinite(T)):
        raise ValueError("T: the exact engine needs finite nonnegative real Gibbs weights; complex or negative "
                         "couplings (e.g. the fictitious fixed point) belong to the RG algebra in deeprg.rg, "
                         "whose spectra need no probabilistic interpretation")
    values, right = np.linalg.eig(T)
    order = np.argsort(-np.abs(values), kind="stable")
    values, right = values[order], right[:, order]
    lam = float(values[0].real)
    left_values, left = np.linalg.eig(T.T)
    left_vec = left[:, np.argmin(np.abs(left_values - lam))]
    rho = np.abs(right[:, 0].real)
    ell = np.abs(left_vec.real)
    return lam, values, ell / ell.sum(), rho / rho.sum()


def correlation_length(T_or_values: np.ndarray, tol: float = 1e-12) -> float:
    """xi = 1 / ln(|lambda_1| / |lambda_2|) of a square matrix T, or of its eigenvalues given as a vector.

    0 for a rank-1 (or 1-state) T, including |lambda_2| < ``tol`` |lambda_1| (round-off of rank 1); inf when the
    top modulus is degenerate. The one correlation length of the package: the exact engine, the RG and the
    catalog all use it.
    """
    values = np.asarray(T_or_values)
    if values.ndim == 2:
        values = np.linalg.eigvals(values.astype(complex))
    values = values[np.argsort(-np.abs(values), kind="stable")]
    if len(values) < 2 or abs(values[1]) <= tol * abs(values[0]):
        return 0.0
    ratio = abs(values[0]) / abs(values[1])
    return math.inf if ratio <= 1 + 1e-14 else 1.0 / math.log(ratio)


def stationary_correlation(T: np.ndarray, lam: float, ell: np.ndarray, rho: np.ndarray, f: np.ndarray,
                           rmax: int) -> tuple[float, np.ndarray]:
    r"""Mean and :math:`G(r) = \langle f_0 f_r\rangle - \langle f\rangle^2`, r = 0..rmax, of a state function
    ``f`` in the bulk of the chain with Perron value ``lam`` and left/right Perron vectors ``ell``, ``rho``:
    :math:`\langle f_0 f_r\rangle = \ell\,\mathrm{diag}(f)\,(T/\lambda)^r\,\mathrm{diag}(f)\,\rho / \ell\rho`."""
    norm = ell @ rho
    mean = float((ell * f) @ rho / norm)
    G = np.empty(rmax + 1)
    w = rho * f
    for r in range(rmax + 1):
        G[r] = (ell * f) @ w / norm - mean**2
        w = T @ w / lam
    return mean, G


def bulk(tm: TransferMatrices, rmax: int = 20, row: int = 0, unit: int = 0) -> Bulk:
    """Bulk free energy per layer, xi, and G(r) = <h_0 h_r> - <h>^2 of one (row, unit) for r = 0..rmax."""
    lam, values, ell, rho = perron(tm.T)
    mean, G = stationary_correlation(tm.T, lam, ell, rho, tm.states[:, row, unit], rmax)
    return Bulk(values, math.log(lam), correlation_length(values), G, mean)
