r"""The infinite-width (mean-field) limit of the DNA bulk, derived from the block chain.

**The bulk is a noisy forward pass.** For binary neurons :math:`\{v_0, v_1\}` every column of the constraint
factor sums to the same :math:`1 + e^{-\beta_v |v_1 - v_0|^p}`, and every row of K sums to the total prior weight,
so :math:`T` is a constant times a stochastic matrix (Lee, Lee & Yi, eqs 13-14): layer m+1 is obtained from layer m by
drawing a fresh :math:`(W, b)` from the prior, computing :math:`s = \sigma(W h + b)` and flipping each entry of s
independently with probability

.. math::  \varepsilon = \frac{e^{-\beta_v |v_1 - v_0|^p}}{1 + e^{-\beta_v |v_1 - v_0|^p}} \quad(\varepsilon = 0
           \text{ at } \beta_v = \infty).

**Central limit.** Given layer h, the pre-activations :math:`a_{l} = b + \sum_i w_i h_{l,i}` of one output unit
(zero-mean weights of variance :math:`\sigma_w^2`) have mean 0 and covariance :math:`N\sigma_w^2 Q_{ll'}` with the
overlap matrix :math:`Q_{ll'} = \frac1N\sum_i h_{l,i}h_{l',i}`; the bias is O(1) against :math:`\sqrt N` and drops
out. As :math:`N\to\infty`, :math:`a/\sqrt N` is Gaussian and, for the scale-free step activations (sign,
heaviside), the law of :math:`s` depends only on the correlation :math:`\rho = Q_{01}/\sqrt{Q_{00}Q_{11}}`. Units
are independent given h, so the unit averages of the next layer are deterministic up to :math:`O(1/\sqrt N)`.

- Magnetization: :math:`P(a_0 \ge 0) = \tfrac12` for any :math:`Q_{00} > 0`, so :math:`m' = \tfrac12(v_0 + v_1)`
  whatever m: the map is constant, its slope 0 and :math:`\xi_{MF} = 0` (finite N keeps a slope
  :math:`O(P(a_0 = 0)) = O(N^{-1/2})`).
- Overlap (L = 2): the marginals are then uniform, so the column law is fixed by :math:`\pi = P(h_0 = h_1)` and
  :math:`q = \pi\frac{v_0^2+v_1^2}2 + (1-\pi)v_0v_1`, :math:`\rho = q / \frac{v_0^2+v_1^2}{2}`. With the orthant
  probability :math:`P_{++}(\rho) = \int_0^\infty \phi(x)\,\Phi\big(\rho x/\sqrt{1-\rho^2}\big)\,dx` (evaluated by
  Gauss-Legendre quadrature), :math:`P(s_0 = s_1) = 2P_{++}(\rho)` and the noise gives

  .. math::  \pi' = [(1-\varepsilon)^2 + \varepsilon^2]\,2P_{++}(\rho) + 2\varepsilon(1-\varepsilon)[1 - 2P_{++}(\rho)].

  For sign units this is the correlation map of random sign networks, :math:`q' = (1-2\varepsilon)^2
  \frac2\pi\arcsin q` (the arc-sine kernel: Sheppard's :math:`2P_{++} = \tfrac12 + \arcsin(\rho)/\pi`, checked
  against the quadrature in the tests, never used here). Its slope at a fixed point :math:`q^*`, from
  :math:`dP_{++}/d\rho = \int_0^\infty \phi(x)\phi(\rho x/\sqrt{1-\rho^2})\,x(1-\rho^2)^{-3/2}dx`, gives the depth
  scale :math:`\xi_{MF} = -1/\ln|f'(q^*)|` over which the overlap forgets its initial value.

At :math:`\beta_v = \infty` the point :math:`\rho = 1` ("rows equal") is a fixed point with infinite slope (the
orthant derivative diverges as :math:`(1-\rho^2)^{-1/2}`); it is unstable in the limit but absorbing at every finite
N, which is why finite-N chains at large :math:`\beta_v` need :math:`N\varepsilon \gg 1` to reach mean field.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import optimize
from scipy.stats import norm

from ..model import NetworkSpec


class FixedPoint(NamedTuple):
    """A fixed point of a mean-field map with its slope (``inf`` where the map is not differentiable)."""

    value: float
    slope: float
    stable: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "slope": self.slope if math.isfinite(self.slope) else None,
                "stable": self.stable}


class MeanField(NamedTuple):
    """The N -> infinity maps of a spec: noise epsilon, step values, and the overlap scale Q_00."""

    epsilon: float
    low: float  # act(a < 0)
    high: float  # act(a >= 0)
    neurons: tuple[float, float]
    diagonal: float  # Q_00 = (v0^2 + v1^2) / 2 once the marginals are uniform


def mean_field(spec: NetworkSpec) -> MeanField:
    """Validate that the limit applies (zero-mean weights, binary neurons, step activation) and set it up."""
    v = spec.values
    prior = np.array(v.weight_prior or (1.0,) * len(v.weights))
    mean_w = float(np.dot(prior, v.weights) / prior.sum())
    if abs(mean_w) > 1e-12:
        raise ValueError(f"weight_prior: the mean-field limit needs zero-mean weights (got mean {mean_w:.4g}); "
                         "a non-zero mean makes the pre-activation O(N) and deterministic")
    if len(v.neurons) != 2:
        raise ValueError(f"neurons: the mean-field maps are derived for binary neurons, got {v.neurons}")
    low, high = (float(s) for s in spec.act(np.array([-1.0, 1.0])))
    if float(spec.act(np.array([-1e-9]))[0]) != low or float(spec.act(np.array([1e9]))[0]) != high or low == high:
        raise ValueError(f"activation: the mean-field maps need a step activation (sign, heaviside), "
                         f"got {spec.activation_name}")
    v0, v1 = sorted(v.neurons)
    beta_v = spec.effective_beta_v
    e = 0.0 if math.isinf(beta_v) else math.exp(-beta_v * abs(v1 - v0) ** spec.p)
    return MeanField(e / (1 + e), low, high, (v0, v1), (v0 * v0 + v1 * v1) / 2)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(240)
_CUT = 12.0  # phi and Phi(-y) are below 1e-31 beyond this
_X, _W = (_NODES + 1) * _CUT / 2, _WEIGHTS * _CUT / 2  # Gauss-Legendre on [0, 12]: smooth integrands only


def orthant(rho: float) -> float:
    r""":math:`P(a_0 \ge 0, a_1 \ge 0) = \int_0^\infty \phi(x)\Phi(cx)\,dx`, :math:`c = \rho/\sqrt{1-\rho^2}`.

    For :math:`|c| > 1` the kink of :math:`\Phi(cx)` at 0 is resolved by :math:`x = y/|c|`:
    :math:`\int_0^\infty\phi(x)\Phi(cx)dx = \tfrac12[c>0] \mp \frac1{|c|}\int_0^\infty \phi(y/|c|)\Phi(-y)dy`,
    so every integrand is smooth and a fixed Gauss-Legendre rule is accurate to ~1e-15.
    """
    if rho >= 1:
        return 0.5
    if rho <= -1:
        return 0.0
    c = rho / math.sqrt(1 - rho * rho)
    if abs(c) <= 1:
        return float(_W @ (norm.pdf(_X) * norm.cdf(c * _X)))
    tail = float(_W @ (norm.pdf(_X / abs(c)) * norm.cdf(-_X))) / abs(c)
    return 0.5 - tail if c > 0 else tail


def orthant_slope(rho: float) -> float:
    r""":math:`dP_{++}/d\rho = (1-\rho^2)^{-3/2}\int_0^\infty x\,\phi(x)\phi(cx)\,dx` (differentiating under the
    integral sign; :math:`x = y/|c|` for :math:`|c| > 1`); inf at :math:`|\rho| = 1`."""
    if abs(rho) >= 1:
        return math.inf
    s = 1 - rho * rho
    c = rho / math.sqrt(s)
    if abs(c) <= 1:
        return float(_W @ (_X * norm.pdf(_X) * norm.pdf(c * _X))) / s**1.5
    return float(_W @ (_X * norm.pdf(_X / abs(c)) * norm.pdf(_X))) / (c * c * s**1.5)


def _same_after_noise(mf: MeanField, same: float) -> float:
    e = mf.epsilon
    return ((1 - e) ** 2 + e * e) * same + 2 * e * (1 - e) * (1 - same)


def _q_of_pi(mf: MeanField, pi: float) -> float:
    v0, v1 = mf.neurons
    return pi * mf.diagonal + (1 - pi) * v0 * v1


def overlap_range(mf: MeanField) -> tuple[float, float]:
    """q from 'rows opposite' (pi = 0) to 'rows equal' (pi = 1)."""
    return _q_of_pi(mf, 0.0), _q_of_pi(mf, 1.0)


def _rho(mf: MeanField, q: float) -> float:
    return float(np.clip(q / mf.diagonal, -1.0, 1.0))


def overlap_map(mf: MeanField, q: float) -> float:
    """q' = f(q) of the module docstring."""
    return _q_of_pi(mf, _same_after_noise(mf, 2 * orthant(_rho(mf, q))))


def overlap_slope(mf: MeanField, q: float) -> float:
    """f'(q) by the chain rule through rho, the orthant derivative and the noise channel."""
    v0, v1 = mf.neurons
    d_same = ((1 - mf.epsilon) ** 2 + mf.epsilon**2 - 2 * mf.epsilon * (1 - mf.epsilon)) * 2
    d_rho = orthant_slope(_rho(mf, q))
    if math.isinf(d_rho):
        return math.inf if d_same != 0 else 0.0
    return (mf.diagonal - v0 * v1) * d_same * d_rho / mf.diagonal


def magnetization_map(mf: MeanField, m: float) -> float:
    """m' = E[h'] for a layer of magnetization m (Q_00 > 0): the Gaussian half-line probability times the noise."""
    v0, v1 = mf.neurons
    p_one = (m - v0) / (v1 - v0)
    q00 = v0 * v0 + (v1 * v1 - v0 * v0) * p_one
    p_high = 1.0 - norm.cdf(0.0, scale=math.sqrt(q00)) if q00 > 0 else 1.0  # P(a >= 0), a ~ N(0, Q_00)
    e = mf.epsilon
    p_v1 = p_high if mf.high == v1 else 1 - p_high
    p_v1 = (1 - e) * p_v1 + e * (1 - p_v1)
    return v0 + (v1 - v0) * p_v1


def _xi(slope: float) -> float:
    a = abs(slope)
    if a == 0:
        return 0.0
    return math.inf if a >= 1 else -1.0 / math.log(a)


def overlap_fixed_points(mf: MeanField, grid: int = 81) -> list[FixedPoint]:
    """All solutions of f(q) = q on the overlap range: sign changes on a grid refined by brentq, plus end points."""
    lo, hi = overlap_range(mf)
    qs = np.linspace(lo, hi, grid)
    g = np.array([overlap_map(mf, q) - q for q in qs])
    roots = []
    for k in range(grid - 1):
        if g[k] == 0:
            roots.append(qs[k])
        elif g[k] * g[k + 1] < 0:
            roots.append(optimize.brentq(lambda q: overlap_map(mf, q) - q, qs[k], qs[k + 1], xtol=1e-14))
    if g[-1] == 0 or abs(g[-1]) < 1e-14:
        roots.append(hi)
    out = []
    for q in sorted(set(float(r) for r in roots)):
        slope = overlap_slope(mf, q)
        out.append(FixedPoint(q, slope, abs(slope) < 1))
    return out


def magnetization_fixed_point(mf: MeanField) -> FixedPoint:
    """The fixed point of the magnetization map and its slope (central difference; the map is flat for Q_00 > 0)."""
    v0, v1 = mf.neurons
    m = optimize.brentq(lambda m: magnetization_map(mf, m) - m, v0 + 1e-12, v1)
    h = 1e-6 * (v1 - v0)
    lo, hi = max(v0 + 1e-9, m - h), min(v1, m + h)
    slope = float((magnetization_map(mf, hi) - magnetization_map(mf, lo)) / (hi - lo))
    return FixedPoint(float(m), slope, abs(slope) < 1)


class MeanFieldResult(NamedTuple):
    epsilon: float
    overlap_fixed_points: list[FixedPoint]
    overlap_xi: float | None  # at the stable overlap fixed point (None for L = 1 or no stable point)
    magnetization: FixedPoint
    magnetization_xi: float

    def to_dict(self) -> dict:
        def fin(x):
            return x if x is None or math.isfinite(x) else None

        return {"epsilon": self.epsilon, "overlap_xi": fin(self.overlap_xi),
                "magnetization_xi": fin(self.magnetization_xi),
                "fixed_points": [p.to_dict() for p in self.overlap_fixed_points],
                "magnetization_fixed_point": self.magnetization.to_dict()}


def solve_mean_field(spec: NetworkSpec) -> MeanFieldResult:
    """Fixed points, slopes and depth scales xi_MF = -1/ln|slope| of the overlap and magnetization maps."""
    mf = mean_field(spec)
    points = overlap_fixed_points(mf) if spec.rows >= 2 else []
    stable = [p for p in points if p.stable]
    overlap_xi = max(_xi(p.slope) for p in stable) if stable else None
    mag = magnetization_fixed_point(mf)
    return MeanFieldResult(mf.epsilon, points, overlap_xi, mag, _xi(mag.slope))
