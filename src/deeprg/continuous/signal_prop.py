r"""Signal propagation through the DNA bulk: length and correlation maps, edge of chaos, finite width.

**The DNA bulk is a noisy forward pass.** Give the weights and biases of a continuous DNA network Gaussian priors,
:math:`W_{ij} \sim N(0, \sigma_w^2/N)` and :math:`b_i \sim N(0, \sigma_b^2)` (the Appendix B regularizers
:math:`c_W |W|^2 + c_b |b|^2` at :math:`c_W = N/(2\beta\sigma_w^2)`, :math:`c_b = 1/(2\beta\sigma_b^2)`). The
hidden constraint of Lee, Lee & Yi eq 14 weighs layer :math:`m+1` by
:math:`e^{-\beta_v |h^{(m+1)} - \phi(W^{(m)} h^{(m)} + b^{(m)})|^2}`, a normalized Gaussian density in
:math:`h^{(m+1)}` up to a constant that depends on nothing else. Summing out the layers from the top down (the bulk,
without an output cost), the Gibbs measure of eq 15 is therefore exactly a Markov chain over depth,

.. math::  h^{(m+1)} = \phi(W^{(m)} h^{(m)} + b^{(m)}) + \varepsilon^{(m)}, \qquad
           \varepsilon_i^{(m)} \sim N(0, 1/(2\beta_v)),

a forward pass of a random network with noise :math:`1/(2\beta_v)` per neuron (none at :math:`\beta_v = \infty`).

**Infinite width** (the signal-propagation theory of random networks of Poole et al. 2016 and Schoenholz et al.
2017, with the DNA noise added). For two inputs the
mean squared neuron value :math:`q = \frac1N\sum_i h_i^2` and the correlation :math:`c = \frac1N \sum_i h_i^{[1]}
h_i^{[2]} / q` obey

.. math::  q' = E[\phi(u)^2] + \frac{1}{2\beta_v}, \quad u \sim N(0, v), \ v = \sigma_w^2 q + \sigma_b^2,

.. math::  c' = \frac{E[\phi(u_1)\phi(u_2)]}{q^*}, \quad \mathrm{Var}\,u_a = v^*, \
           \mathrm{Cov}(u_1, u_2) = \sigma_w^2 c\, q^* + \sigma_b^2,

at the length fixed point :math:`q^*`. By Price's theorem (:math:`\partial E[g_1(u_1) g_2(u_2)]/\partial\,
\mathrm{Cov} = E[g_1' g_2']`) the slope of the correlation map is
:math:`\partial c'/\partial c = \sigma_w^2 E[\phi'(u_1)\phi'(u_2)]`, which equals
:math:`\chi_1 = \sigma_w^2 E[\phi'(u)^2]` at :math:`c = 1`, and the slope of the length map is
:math:`\partial q'/\partial q = \sigma_w^2 E[\phi'(u)^2 + \phi(u)\phi''(u)]`. The depth scales are
:math:`\xi_c = -1/\ln(\partial c'/\partial c|_{c^*})` and :math:`\xi_q = -1/\ln(\partial q'/\partial q|_{q^*})`.
Without noise :math:`c = 1` is a fixed point, stable while :math:`\chi_1 < 1` (ordered); :math:`\chi_1 = 1` is the
edge of chaos, where :math:`\xi_c` diverges.

**The DNA removes the divergence.** With noise, :math:`c'(1) = 1 - 1/(2\beta_v q^*) < 1`. The map
:math:`c \mapsto c'` is increasing and convex on :math:`[0, 1]` (its Hermite expansion
:math:`\sum_n a_n^2 \rho^n` has non-negative coefficients), so :math:`c' - c` has one zero below 1, and by convexity
:math:`\partial c'/\partial c|_{c^*} \le (c'(1) - c^*)/(1 - c^*) < 1`: :math:`\xi_c` is finite at every
:math:`\sigma_w^2`. Expanding :math:`c'(c) = 1 - \epsilon - \chi_1 (1-c) + \tfrac a2 (1-c)^2` at the noise-free edge
(:math:`\chi_1 = 1`, :math:`\epsilon = 1/(2\beta_v q^*)`) gives :math:`1 - c^* = \sqrt{2\epsilon/a}` and
:math:`\xi_c \approx (2 a \epsilon)^{-1/2} \propto \beta_v^{1/2}`.

Expectations are Gauss-Hermite quadrature (tanh, sigmoid; derivatives of the activation by SymPy) or SymPy closed
forms (linear; relu's arc-cosine kernel, integrated in polar coordinates). ReLU and linear are positively homogeneous,
so their length map is affine, :math:`q' = \kappa(\sigma_w^2 q + \sigma_b^2) + 1/(2\beta_v)` with
:math:`\kappa = E[\phi(u)^2]/v`, and :math:`q^*` diverges (``None``) for :math:`\kappa\sigma_w^2 \ge 1`.

**Finite width.** Two inputs through a random network of width :math:`N`: given the Gram matrix
:math:`G_{ab} = h^{[a]}\cdot h^{[b]}/N` of layer :math:`m`, the pre-activations of the next layer are, unit by unit,
independent Gaussian pairs with covariance :math:`\sigma_w^2 G + \sigma_b^2` (the rows of :math:`W^{(m)}` are
independent of :math:`h^{(m)}`). :func:`sample_networks` samples them directly: exactly the distribution of the
explicit network, at :math:`O(N)` per layer instead of :math:`O(N^2)`.
"""

from __future__ import annotations

import functools
import math
from typing import Callable, NamedTuple

import numpy as np
import scipy.optimize
import scipy.special

from ..stats import estimate

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
_GRID = 21  # grid over c in [-1, 1] that brackets the correlation fixed point before brentq
# NumPy twins of deeprg.continuous.model.ACTIVATIONS for sampling (no JAX dispatch on small arrays)
NUMPY_ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z,
                     "sigmoid": lambda z: scipy.special.expit(z)}


def noise_variance(beta_v: float) -> float:
    """Variance :math:`1/(2\\beta_v)` of the DNA constraint noise per neuron; 0 at :math:`\\beta_v = \\infty`."""
    return 0.0 if math.isinf(beta_v) else 1.0 / (2.0 * beta_v)


# --------------------------------------------------------------------------------------------- Gaussian kernels

class Kernel(NamedTuple):
    """Gaussian expectations of one activation; ``v`` a variance, ``rho`` a correlation of the pair.

    ``second(v) = E[phi(u)^2]``, ``dsecond(v) = d second / dv = E[phi'^2 + phi phi'']``,
    ``cross(v, rho) = E[phi(u1) phi(u2)]``, ``cross_slope(v, rho) = E[phi'(u1) phi'(u2)]``;
    ``homogeneous``: positively homogeneous of degree 1 (then ``second(v) = second(1) v``).
    """

    second: Callable
    dsecond: Callable
    cross: Callable
    cross_slope: Callable
    homogeneous: bool


def _sympy_activation(name: str):
    import sympy as sp

    x = sp.symbols("x", real=True)
    # the sigmoid 1/(1 + e^-x) written as (1 + tanh(x/2))/2: the same function, derivatives free of inf/inf
    expr = {"tanh": sp.tanh(x), "sigmoid": (1 + sp.tanh(x / 2)) / 2}[name]
    return [sp.lambdify(x, sp.diff(expr, x, k), "numpy") for k in range(3)]


# distance of the nearest complex pole of the activation from the real axis (tanh: i pi/2; the sigmoid, i pi)
_POLES = {"tanh": math.pi / 2, "sigmoid": math.pi}
_NODE_LEVELS = (81, 121, 181, 241, 301)


@functools.lru_cache(maxsize=None)
def _hermite(n: int):
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / math.sqrt(2.0 * math.pi)


def quadrature_nodes(activation: str, v: float) -> int:
    r"""Gauss-Hermite nodes for variance ``v``: the error falls like :math:`e^{-1.36\, d\sqrt{2n}}` with
    :math:`d` the pole distance in standard deviations (measured against mpmath for tanh), so
    :math:`n = 250/d^2` keeps it below :math:`10^{-9}`; rounded up to one of 81, 121, 181, 241, 301 nodes. Beyond
    301 nodes it grows: against adaptive quadrature E[tanh^2] is off by 1e-9 at v = 5, 2e-4 at v = 28, 3e-3 at
    v = 60; E[sigmoid^2] by 8e-9 at v = 28 (the sigmoid's edge, sigma_w2 ~ 93, sits near v = 28)."""
    d = _POLES[activation] / math.sqrt(max(float(v), 1e-12))
    wanted = 250.0 / d ** 2
    return next((n for n in _NODE_LEVELS if n >= wanted), _NODE_LEVELS[-1])  # few levels: rules are cached


def _quadrature_kernel(name: str) -> Kernel:
    phi, dphi, d2phi = _sympy_activation(name)

    def one(fn, v):
        v = np.asarray(v, float)
        z, w = _hermite(quadrature_nodes(name, np.max(v)))
        return np.sum(w * fn(np.sqrt(v)[..., None] * z), axis=-1)

    def two(f1, f2, v, rho):
        v, rho = np.broadcast_arrays(np.asarray(v, float), np.clip(np.asarray(rho, float), -1.0, 1.0))
        z, w = _hermite(quadrature_nodes(name, np.max(v)))
        s = np.sqrt(v)[..., None, None]
        r = rho[..., None, None]
        u2 = s * (r * z[:, None] + np.sqrt(1.0 - r ** 2) * z[None, :])
        inner = f2(u2) @ w  # E over z2 at each z1
        return np.sum(inner * f1(s[..., 0] * z) * w, axis=-1)

    return Kernel(second=lambda v: one(lambda u: phi(u) ** 2, v),
                  dsecond=lambda v: one(lambda u: dphi(u) ** 2 + phi(u) * d2phi(u), v),
                  cross=lambda v, rho: two(phi, phi, v, rho),
                  cross_slope=lambda v, rho: two(dphi, dphi, v, rho),
                  homogeneous=False)


def _closed_form_kernel(name: str) -> Kernel:
    """SymPy: E[phi(u1) phi(u2)] for linear (Gaussian moments) and relu (polar coordinates), then derivatives."""
    import sympy as sp

    v = sp.symbols("v", positive=True)
    c = sp.symbols("c", real=True)
    if name == "linear":
        z1, z2 = sp.symbols("z1 z2", real=True)
        density = sp.exp(-(z1 ** 2 + z2 ** 2) / 2) / (2 * sp.pi)
        u1, u2 = sp.sqrt(v) * z1, sp.sqrt(v) * (c * z1 + sp.sqrt(1 - c ** 2) * z2)
        cross = sp.integrate(u1 * u2 * density, (z1, -sp.oo, sp.oo), (z2, -sp.oo, sp.oo))
    else:  # relu: z = r (cos t, sin t); u1 = sqrt(v) r cos t, u2 = sqrt(v) r cos(t - theta), c = cos theta
        r, t, theta = sp.symbols("r t theta", positive=True)
        radial = sp.integrate(r ** 3 * sp.exp(-r ** 2 / 2), (r, 0, sp.oo))
        angular = sp.integrate(sp.cos(t) * sp.cos(t - theta), (t, theta - sp.pi / 2, sp.pi / 2))  # both > 0
        cross = (v * radial * angular / (2 * sp.pi)).subs(theta, sp.acos(c))
    cross = sp.simplify(cross)
    second = sp.simplify(cross.subs(c, 1))
    slope = sp.simplify(sp.diff(cross, c) / v)  # d/dCov = (1/v) d/dc  (Price's theorem: E[phi' phi'])
    fn = lambda e, *args: np.vectorize(sp.lambdify(args, e, "numpy"), otypes=[float])  # noqa: E731
    return Kernel(second=fn(second, v), dsecond=fn(sp.diff(second, v), v),
                  cross=lambda vv, rho, _f=fn(cross, v, c): _f(vv, np.clip(rho, -1.0, 1.0)),
                  cross_slope=lambda vv, rho, _f=fn(slope, v, c): _f(vv, np.clip(rho, -1.0, 1.0)),
                  homogeneous=True)


@functools.lru_cache(maxsize=None)
def kernel(activation: str) -> Kernel:
    """The :class:`Kernel` of ``activation`` (one of :data:`ACTIVATIONS`)."""
    check_activation(activation)
    return _closed_form_kernel(activation) if activation in ("linear", "relu") else _quadrature_kernel(activation)


# ------------------------------------------------------------------------------------------------- the maps

def check_activation(activation) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: {activation!r} is not one of {', '.join(ACTIVATIONS)}")


def check_params(sigma_w2, sigma_b2, beta_v) -> None:
    for name, value, low in (("sigma_w2", sigma_w2, "> 0"), ("sigma_b2", sigma_b2, ">= 0")):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or (
                value <= 0 if low == "> 0" else value < 0):
            raise ValueError(f"{name}: must be a finite number {low}, got {value!r}")
    if not isinstance(beta_v, (int, float)) or isinstance(beta_v, bool) or math.isnan(beta_v) or beta_v <= 0:
        raise ValueError(f"beta_v: must be a number > 0 or inf, got {beta_v!r}")


def length_map(activation: str, sigma_w2: float, sigma_b2: float, beta_v: float, q):
    """:math:`q' = E[\\phi(u)^2] + 1/(2\\beta_v)`, :math:`u \\sim N(0, \\sigma_w^2 q + \\sigma_b^2)`."""
    return kernel(activation).second(sigma_w2 * np.asarray(q, float) + sigma_b2) + noise_variance(beta_v)


def q_star(activation: str, sigma_w2: float, sigma_b2: float, beta_v: float) -> float | None:
    """Stable fixed point of :func:`length_map` (the largest one); ``None`` where q grows without bound."""
    check_params(sigma_w2, sigma_b2, beta_v)
    k = kernel(activation)
    eps = noise_variance(beta_v)
    if k.homogeneous:
        kappa = float(k.second(1.0))
        slope = kappa * sigma_w2
        return (kappa * sigma_b2 + eps) / (1.0 - slope) if slope < 1.0 else None
    gap = lambda q: float(length_map(activation, sigma_w2, sigma_b2, beta_v, q)) - q  # noqa: E731
    top = float(k.second(1e12)) + eps + 1.0  # bounded activation: q' < sup phi^2 + eps
    grid = np.linspace(0.0, top, 401)
    values = np.asarray(length_map(activation, sigma_w2, sigma_b2, beta_v, grid)) - grid
    down = np.nonzero((values[:-1] > 0) & (values[1:] <= 0))[0]
    if len(down) == 0:
        return 0.0  # gap <= 0 everywhere: q -> 0 (zero bias, no noise, ordered)
    i = down[-1]
    return float(scipy.optimize.brentq(gap, grid[i], grid[i + 1], xtol=1e-15, rtol=1e-14))


def chi1(activation: str, sigma_w2: float, sigma_b2: float, q: float | None) -> float:
    """:math:`\\chi_1 = \\sigma_w^2 E[\\phi'(u)^2]`, :math:`u \\sim N(0, \\sigma_w^2 q + \\sigma_b^2)`.

    For homogeneous activations :math:`E[\\phi'^2]` does not depend on the variance, so ``q`` may be ``None``.
    """
    k = kernel(activation)
    v = 1.0 if (k.homogeneous and q is None) else sigma_w2 * q + sigma_b2
    return float(sigma_w2 * k.cross_slope(v, 1.0))


def correlation_map(activation: str, sigma_w2: float, sigma_b2: float, q: float, c):
    """:math:`c' = E[\\phi(u_1)\\phi(u_2)]/q` and its slope :math:`\\sigma_w^2 E[\\phi'(u_1)\\phi'(u_2)]`."""
    k = kernel(activation)
    v = sigma_w2 * q + sigma_b2
    rho = (sigma_w2 * np.asarray(c, float) * q + sigma_b2) / v
    return k.cross(v, rho) / q, sigma_w2 * k.cross_slope(v, rho)


def c_star(activation: str, sigma_w2: float, sigma_b2: float, q: float) -> tuple[float, float]:
    """The stable fixed point of the correlation map that attracts nearly equal inputs, and its slope there.

    Noise-free and ordered (:math:`c'(1) = 1`, slope :math:`\\chi_1 \\le 1` there) it is :math:`c^* = 1`;
    otherwise the largest zero of :math:`c' - c` below 1 where :math:`c' - c` falls through 0.
    """
    def gap(c):
        return float(correlation_map(activation, sigma_w2, sigma_b2, q, c)[0]) - c

    top_value, top_slope = (float(a) for a in correlation_map(activation, sigma_w2, sigma_b2, q, 1.0))
    if abs(top_value - 1.0) < 1e-12 and top_slope <= 1.0:
        return 1.0, top_slope
    upper, delta = 1.0, 1e-3
    if gap(upper) >= 0:  # c = 1 a repelling fixed point: step below it until c' < c
        while delta > 1e-15 and gap(1.0 - delta) >= 0:
            delta /= 4
        if delta <= 1e-15:  # marginal within rounding (the edge itself): c* = 1 with slope chi1 ~ 1
            return 1.0, top_slope
        upper = 1.0 - delta
    grid = np.linspace(upper, -1.0, _GRID)
    values = np.asarray(correlation_map(activation, sigma_w2, sigma_b2, q, grid)[0]) - grid
    above = np.nonzero(values > 0)[0]
    if len(above) == 0:
        root = -1.0
    else:
        j = above[0]
        root = float(scipy.optimize.brentq(gap, grid[j], grid[j - 1], xtol=1e-15, rtol=1e-14))
    return root, float(correlation_map(activation, sigma_w2, sigma_b2, q, root)[1])


def depth_scale(slope: float) -> float | None:
    """:math:`\\xi = -1/\\ln(\\text{slope})`; ``None`` where it diverges (slope >= 1), 0 for slope <= 0."""
    if slope >= 1.0 - 1e-12:
        return None
    return 0.0 if slope <= 0 else -1.0 / math.log(slope)


def critical_sigma_w2(activation: str, sigma_b2: float, *, upper: float = 1e4) -> float | None:
    """:math:`\\sigma_w^2` with :math:`\\chi_1 = 1` at this :math:`\\sigma_b^2` without noise (the edge of chaos).

    ``None`` when :math:`\\chi_1 < 1` up to ``upper``.
    """
    check_params(1.0, sigma_b2, math.inf)

    def excess(log_sw2):
        sw2 = math.exp(log_sw2)
        return chi1(activation, sw2, sigma_b2, q_star(activation, sw2, sigma_b2, math.inf)) - 1.0

    lo, hi = math.log(1e-6), math.log(upper)
    if excess(hi) < 0:
        return None
    return math.exp(scipy.optimize.brentq(excess, lo, hi, xtol=1e-14, rtol=1e-13))


class SignalProp(NamedTuple):
    """Infinite-width signal propagation at one :math:`(\\sigma_w^2, \\sigma_b^2, \\beta_v)`.

    ``None`` marks a quantity that does not exist there: ``q_star`` where q grows without bound; ``c_star``,
    ``xi_c`` where :math:`q^* \\in \\{0, \\infty\\}` (no signal to correlate); ``xi_c``, ``xi_q`` where they
    diverge; ``critical_sigma_w2`` where :math:`\\chi_1 < 1` for every :math:`\\sigma_w^2`.
    """

    sigma_w2: float
    q_star: float | None
    chi1: float
    c_star: float | None
    c_slope: float | None
    xi_c: float | None
    xi_q: float | None
    critical_sigma_w2: float | None

    def to_dict(self) -> dict:
        return self._asdict()


def signal_prop(activation: str, sigma_w2: float, sigma_b2: float, beta_v: float,
                critical: float | None | str = "compute") -> SignalProp:
    """The fixed points and depth scales of the module docstring; ``critical`` reuses a known edge."""
    check_activation(activation)
    q = q_star(activation, sigma_w2, sigma_b2, beta_v)
    crit = critical_sigma_w2(activation, sigma_b2) if critical == "compute" else critical
    x1 = chi1(activation, sigma_w2, sigma_b2, q)
    if q is None or q == 0.0:
        xi_q = None if q is None else depth_scale(x1)  # q -> 0: linearized map q' = chi1 q near 0
        return SignalProp(sigma_w2, q, x1, None, None, None, xi_q, crit)
    c, slope = c_star(activation, sigma_w2, sigma_b2, q)
    dq = float(sigma_w2 * kernel(activation).dsecond(sigma_w2 * q + sigma_b2))
    return SignalProp(sigma_w2, q, x1, c, slope, depth_scale(slope), depth_scale(dq), crit)


def iterate_maps(activation: str, sigma_w2: float, sigma_b2: float, beta_v: float, q0: float, c0: float,
                 depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean-field :math:`q^{(m)}` and :math:`c^{(m)}`, ``m = 0..depth``, from two inputs with ``(q0, c0)``.

    Both inputs keep the same q, so the correlation map is applied at the current :math:`q^{(m)}` with
    :math:`c^{(m+1)} = E[\\phi(u_1)\\phi(u_2)]/q^{(m+1)}`.
    """
    k = kernel(activation)
    qs, cs = [float(q0)], [float(c0)]
    eps = noise_variance(beta_v)
    for _ in range(depth):
        v = sigma_w2 * qs[-1] + sigma_b2
        rho = (sigma_w2 * cs[-1] * qs[-1] + sigma_b2) / v
        q_next = float(k.second(v)) + eps
        cs.append(float(k.cross(v, rho)) / q_next)
        qs.append(q_next)
    return np.array(qs), np.array(cs)


# --------------------------------------------------------------------------------------- edge with DNA noise

class EdgeWithNoise(NamedTuple):
    """Largest :math:`\\xi_c` over :math:`\\sigma_w^2` at each :math:`\\beta_v`, where it sits, and the power law."""

    beta_v: list
    sigma_w2_at_max: list
    xi_max: list
    exponent: float  # d ln xi_max / d ln beta_v over the largest beta_v (module docstring: 1/2)
    critical_sigma_w2: float | None

    def to_dict(self) -> dict:
        return self._asdict()


def edge_with_noise(activation: str, sigma_b2: float, beta_vs, *, span: float = 0.5) -> EdgeWithNoise:
    """Maximize :math:`\\xi_c(\\sigma_w^2)` at each finite :math:`\\beta_v` within ``span`` (relative) of the edge."""
    crit = critical_sigma_w2(activation, sigma_b2)
    if crit is None:
        raise ValueError(f"activation: {activation!r} has no edge of chaos at sigma_b2 = {sigma_b2}")
    where, best = [], []
    for beta_v in beta_vs:
        if math.isinf(beta_v):
            raise ValueError("beta_vs: must be finite (at beta_v = inf xi_c diverges at the edge)")

        def neg_xi(log_sw2, beta_v=beta_v):
            xi = signal_prop(activation, math.exp(log_sw2), sigma_b2, beta_v, critical=crit).xi_c
            return -(xi if xi is not None else 0.0)

        found = scipy.optimize.minimize_scalar(neg_xi, bounds=(math.log(crit * (1 - span)),
                                                                math.log(crit * (1 + span))),
                                               method="bounded", options={"xatol": 1e-7})
        where.append(math.exp(found.x))
        best.append(-found.fun)
    tail = slice(-3, None) if len(beta_vs) >= 3 else slice(None)
    exponent = float(np.polyfit(np.log(np.asarray(beta_vs, float)[tail]), np.log(np.asarray(best)[tail]), 1)[0]) \
        if len(beta_vs) >= 2 else float("nan")
    return EdgeWithNoise([float(b) for b in beta_vs], where, best, exponent, crit)


# ------------------------------------------------------------------------------------------------ finite width

def sample_networks(rng: np.random.Generator, activation: str, sigma_w2: float, sigma_b2: float, beta_v: float,
                    width: int, depth: int, samples: int, q0: float, c0: float) -> tuple[np.ndarray, np.ndarray]:
    """Gram matrices of two inputs through ``samples`` random networks of ``width`` (module docstring).

    Returns ``(q, c)`` shaped ``(samples, depth + 1)``: per network and layer the mean of the two inputs'
    :math:`|h|^2/N` and their correlation coefficient :math:`G_{12}/\\sqrt{G_{11}G_{22}}`. The inputs have
    :math:`|x|^2/N = q_0` and correlation :math:`c_0`.
    """
    check_activation(activation)
    phi = NUMPY_ACTIVATIONS[activation]
    noise = math.sqrt(noise_variance(beta_v))
    gram = np.broadcast_to(q0 * np.array([[1.0, c0], [c0, 1.0]]), (samples, 2, 2)).copy()
    qs, cs = [np.full(samples, float(q0))], [np.full(samples, float(c0))]
    for _ in range(depth):
        k = sigma_w2 * gram + sigma_b2
        l11 = np.sqrt(np.maximum(k[:, 0, 0], 0.0))
        l21 = np.divide(k[:, 0, 1], l11, out=np.zeros(samples), where=l11 > 0)
        l22 = np.sqrt(np.maximum(k[:, 1, 1] - l21 ** 2, 0.0))
        z = rng.standard_normal((2, samples, width))
        pre1 = l11[:, None] * z[0]
        pre2 = l21[:, None] * z[0] + l22[:, None] * z[1]
        h = np.stack([np.asarray(phi(pre1)), np.asarray(phi(pre2))], axis=1)
        if noise:
            h = h + noise * rng.standard_normal(h.shape)
        gram = np.einsum("sai,sbi->sab", h, h) / width
        qs.append(0.5 * (gram[:, 0, 0] + gram[:, 1, 1]))
        cs.append(gram[:, 0, 1] / np.sqrt(np.maximum(gram[:, 0, 0] * gram[:, 1, 1], 1e-300)))
    return np.stack(qs, axis=1), np.stack(cs, axis=1)


def fit_depth_scale(c: np.ndarray) -> float | None:
    """Fit :math:`c^{(m)} = c_\\infty + A e^{-m/\\xi}` to a mean trajectory; ``None`` when the fit fails or
    :math:`\\xi` exceeds ten times the depth (the approach is not resolved: a longer network is needed)."""
    m = np.arange(len(c), dtype=float)
    span = c[0] - c[-1]
    if not np.isfinite(span) or abs(span) < 1e-12:
        return None

    def model(m, c_inf, amp, log_xi):
        return c_inf + amp * np.exp(-m / np.exp(log_xi))

    try:
        params, _ = scipy.optimize.curve_fit(model, m, c, p0=(c[-1], span, math.log(max(len(c) / 4, 1.0))),
                                             maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    xi = float(np.exp(params[2]))
    return xi if math.isfinite(xi) and xi <= 10 * len(c) else None  # longer: not resolved within the depth


class Measured(NamedTuple):
    """Finite-width estimates at the last layer (``c``, ``q``) and the fitted depth scale, with error bars.

    ``c_err``, ``q_err``: standard errors over the sampled networks; ``xi_c``, ``xi_c_err``: batch means of the
    fit over ``batches`` groups of networks (``None`` where a fit fails). ``c_layers``, ``c_layers_err``,
    ``q_layers`` are the per-layer means (the command writes them to ``arrays.npz``).
    """

    c: float
    c_err: float
    q: float
    q_err: float
    xi_c: float | None
    xi_c_err: float | None
    batches: int
    c_layers: np.ndarray
    c_layers_err: np.ndarray
    q_layers: np.ndarray

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("c", "c_err", "q", "q_err", "xi_c", "xi_c_err", "batches")}


def start_correlation(c_fixed: float | None) -> float:
    """Initial input correlation near the attracting ``c_fixed``, so that the approach is nearly linear and the
    fitted depth scale is the slope's :math:`\\xi_c`: :math:`1 - 0.005` in the ordered phase (:math:`c^* = 1`,
    where finite-width fluctuations shrink with :math:`1 - c`), :math:`c^* + 0.3(1 - c^*)` otherwise (a signal well
    above the :math:`N^{-1/2}` fluctuations); 0.5 without a fixed point."""
    if c_fixed is None:
        return 0.5
    if c_fixed == 1.0:
        return 1.0 - 0.005
    return c_fixed + 0.3 * (1.0 - c_fixed)


def measure(rng: np.random.Generator, activation: str, sigma_w2: float, sigma_b2: float, beta_v: float, width: int,
            depth: int, samples: int, q0: float, c0: float, batches: int = 10) -> Measured:
    """Sample networks (:func:`sample_networks`) and estimate c, q at the last layer and :math:`\\xi_c`."""
    if samples < 2 * batches:
        raise ValueError(f"samples: need at least {2 * batches} networks for {batches} batches, got {samples}")
    q, c = sample_networks(rng, activation, sigma_w2, sigma_b2, beta_v, width, depth, samples, q0, c0)
    est_c = estimate(c, chains=False, independent=True)
    est_q = estimate(q[:, -1], chains=False, independent=True)
    per_batch = [fit_depth_scale(part.mean(axis=0)) for part in np.array_split(c, batches)]
    if any(x is None for x in per_batch):
        xi, xi_err = None, None
    else:
        est_xi = estimate(np.array(per_batch), chains=False, independent=True)
        xi, xi_err = float(est_xi.mean), float(est_xi.stderr)
    return Measured(float(est_c.mean[-1]), float(est_c.stderr[-1]), float(est_q.mean), float(est_q.stderr), xi,
                    xi_err, batches, est_c.mean, est_c.stderr, q.mean(axis=0))


class EdgeRounding(NamedTuple):
    """Typical depth scale at the noise-free edge against width: ``xi = -1/slope`` of the mean over networks of
    :math:`\\ln(1 - c^{(m)})` against m (inputs at :math:`1 - c = ` ``delta``, the linear regime, where the
    infinite-width map has slope exactly :math:`\\chi_1 = 1`, i.e. :math:`\\xi = \\infty`). ``exponent``:
    :math:`d\\ln\\xi/d\\ln N` (least squares over the widths)."""

    sigma_w2: float
    widths: list
    slope: list
    slope_err: list
    xi: list
    xi_err: list
    exponent: float

    def to_dict(self) -> dict:
        return self._asdict()


def edge_rounding(rng: np.random.Generator, activation: str, sigma_b2: float, widths, depth: int = 30,
                  samples: int = 400, delta: float = 1e-6) -> EdgeRounding:
    """How finite width rounds the divergence of :math:`\\xi_c` at the edge (see :class:`EdgeRounding`).

    Each network's least-squares slope of :math:`\\ln(1-c^{(m)})` over m is an independent draw; the mean and its
    error come from :func:`deeprg.stats.estimate`, and :math:`\\xi` carries the propagated error
    :math:`\\delta\\xi = \\delta s / s^2`.
    """
    crit = critical_sigma_w2(activation, sigma_b2)
    if crit is None:
        raise ValueError(f"activation: {activation!r} has no edge of chaos at sigma_b2 = {sigma_b2}")
    q = q_star(activation, crit, sigma_b2, math.inf)
    if not q:
        raise ValueError(f"sigma_b2: the edge of {activation} at sigma_b2 = {sigma_b2} has q* = {q}; no signal")
    m = np.arange(depth + 1, dtype=float)
    centred = m - m.mean()
    out = {"slope": [], "slope_err": [], "xi": [], "xi_err": []}
    for width in widths:
        _, c = sample_networks(rng, activation, crit, sigma_b2, math.inf, int(width), depth, samples, q, 1 - delta)
        logs = np.log(np.maximum(1.0 - c, 1e-300))
        est = estimate(logs @ centred / (centred @ centred), chains=False, independent=True)
        s, ds = float(est.mean), float(est.stderr)
        out["slope"].append(s)
        out["slope_err"].append(ds)
        out["xi"].append(-1.0 / s if s < 0 else None)
        out["xi_err"].append(ds / s ** 2 if s < 0 else None)
    ok = [(w, x) for w, x in zip(widths, out["xi"]) if x is not None]
    exponent = float(np.polyfit(np.log([w for w, _ in ok]), np.log([x for _, x in ok]), 1)[0]) if len(ok) >= 2 \
        else float("nan")
    return EdgeRounding(crit, [int(w) for w in widths], out["slope"], out["slope_err"], out["xi"], out["xi_err"],
                        exponent)
