"""Signal propagation of the DNA bulk against independent oracles.

Oracles: SymPy fixed points of the affine (linear) maps; scipy adaptive quadrature of the Gaussian integrals;
finite differences of the correlation map (Price's theorem); explicit random matrices of width 1024 (Monte Carlo
with error bars from deeprg.stats.estimate); MALA sampling of the DNA energy (eq 14/15) against ancestral sampling
of the noisy forward pass; the asymptotic expansion of the correlation map at the edge.
"""

import math

import jax
import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
import sympy as sp

from deeprg.continuous import signal_prop as spp
from deeprg.continuous.noisy_forward import BulkProblem, ancestral_moments, langevin_moments
from deeprg.report.check import family_wise_z
from deeprg.stats import estimate

INF = math.inf


@pytest.mark.parametrize("sigma_w2, sigma_b2, beta_v", [(0.5, 0.1, INF), (0.8, 0.05, 3.0), (0.3, 0.0, 1.0)])
def test_linear_case_in_closed_form(sigma_w2, sigma_b2, beta_v):
    """Linear phi: q' = s_w q + s_b + eps and c' q* = s_w c q* + s_b solved by SymPy; slope s_w."""
    q, c = sp.symbols("q c")
    eps = 0 if math.isinf(beta_v) else sp.Rational(1, 2) / sp.nsimplify(beta_v)
    sw, sb = sp.nsimplify(sigma_w2), sp.nsimplify(sigma_b2)
    q_exact = sp.solve(sp.Eq(q, sw * q + sb + eps), q)[0]
    c_exact = sp.solve(sp.Eq(c * q_exact, sw * c * q_exact + sb), c)[0]
    got = spp.signal_prop("linear", sigma_w2, sigma_b2, beta_v)
    assert got.q_star == pytest.approx(float(q_exact), rel=1e-12)
    assert got.c_star == pytest.approx(float(c_exact), rel=1e-9, abs=1e-12)
    assert got.chi1 == pytest.approx(sigma_w2, rel=1e-12)
    assert got.xi_c == pytest.approx(-1 / math.log(sigma_w2), rel=1e-9)
    assert got.critical_sigma_w2 == pytest.approx(1.0, rel=1e-10)


def test_linear_diverges_above_the_edge():
    got = spp.signal_prop("linear", 1.5, 0.1, INF)
    assert got.q_star is None and got.c_star is None and got.xi_c is None


def _gauss_1d(fn, v):
    return scipy.integrate.quad(lambda u: fn(u) * math.exp(-u * u / (2 * v)) / math.sqrt(2 * math.pi * v),
                                -np.inf, np.inf, epsabs=1e-12, limit=200)[0]


def _gauss_2d(f1, f2, v, rho):
    s = math.sqrt(v)
    r = math.sqrt(1 - rho * rho)
    def g(z2, z1):
        return f1(s * z1) * f2(s * (rho * z1 + r * z2)) * math.exp(-(z1 * z1 + z2 * z2) / 2) / (2 * math.pi)

    return scipy.integrate.dblquad(g, -12, 12, -12, 12, epsabs=1e-10)[0]


FUNCS = {"tanh": (math.tanh, lambda u: 1 - math.tanh(u) ** 2),
         "sigmoid": (lambda u: scipy.special.expit(u), lambda u: scipy.special.expit(u) * scipy.special.expit(-u)),
         "relu": (lambda u: max(u, 0.0), lambda u: float(u > 0)),
         "linear": (lambda u: u, lambda u: 1.0)}


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_kernels_against_adaptive_quadrature(activation):
    phi, dphi = FUNCS[activation]
    k = spp.kernel(activation)
    for v, rho in [(0.7, 0.3), (2.5, -0.6), (1.3, 0.95)]:
        assert float(k.second(v)) == pytest.approx(_gauss_1d(lambda u: phi(u) ** 2, v), rel=1e-7, abs=1e-10)
        assert float(k.cross(v, rho)) == pytest.approx(_gauss_2d(phi, phi, v, rho), rel=1e-6, abs=1e-9)
        if activation == "relu":  # phi' is a step: E[phi'phi'] is the orthant probability P(u1 > 0, u2 > 0)
            oracle = scipy.stats.multivariate_normal(cov=[[v, v * rho], [v * rho, v]]).cdf([0.0, 0.0])
        else:
            oracle = _gauss_2d(dphi, dphi, v, rho)
        assert float(k.cross_slope(v, rho)) == pytest.approx(oracle, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_slopes_are_derivatives_of_the_maps(activation):
    """Price's theorem: dc'/dc and dq'/dq equal finite differences of the maps themselves."""
    sw, sb, bv = 1.7, 0.2, 4.0
    q = spp.q_star(activation, sw, sb, bv)
    h = 1e-5
    for c in (0.2, 0.7):
        up, down = (float(spp.correlation_map(activation, sw, sb, q, c + s)[0]) for s in (h, -h))
        assert float(spp.correlation_map(activation, sw, sb, q, c)[1]) == pytest.approx((up - down) / (2 * h),
                                                                                          rel=1e-6)
    dq = (spp.length_map(activation, sw, sb, bv, q + h) - spp.length_map(activation, sw, sb, bv, q - h)) / (2 * h)
    got = spp.signal_prop(activation, sw, sb, bv)
    assert got.xi_q == pytest.approx(-1 / math.log(dq), rel=1e-6)
    assert float(spp.length_map(activation, sw, sb, bv, got.q_star)) == pytest.approx(got.q_star, rel=1e-12)


@pytest.mark.parametrize("activation, sigma_b2", [("tanh", 0.05), ("tanh", 0.3), ("sigmoid", 0.1), ("relu", 0.05),
                                                  ("linear", 0.2)])
def test_chi1_is_one_at_critical_sigma_w2(activation, sigma_b2):
    crit = spp.critical_sigma_w2(activation, sigma_b2)
    q = spp.q_star(activation, crit, sigma_b2, INF)
    assert spp.chi1(activation, crit, sigma_b2, q) == pytest.approx(1.0, abs=1e-10)
    below = spp.signal_prop(activation, 0.9 * crit, sigma_b2, INF, critical=crit)
    assert below.chi1 < 1 and below.c_star == 1.0  # ordered: nearly equal inputs become equal


def test_tanh_zero_bias_edge_is_one():
    """sigma_b2 = 0: q* = 0 for sigma_w2 <= 1 and chi1 = sigma_w2 * tanh'(0)^2 there, so the edge is at 1."""
    assert spp.critical_sigma_w2("tanh", 0.0) == pytest.approx(1.0, abs=1e-9)


def _explicit_networks(rng, activation, sigma_w2, sigma_b2, beta_v, width, depth, samples, q0, c0):
    """Two inputs through explicit Gaussian matrices (the oracle for the Gram-matrix sampler)."""
    phi = spp.NUMPY_ACTIVATIONS[activation]
    ones = np.ones(width)
    alt = np.resize([1.0, -1.0], width)  # orthogonal to ones for even width
    x = np.sqrt(q0) * np.stack([ones, c0 * ones + np.sqrt(1 - c0 ** 2) * alt])
    noise = math.sqrt(spp.noise_variance(beta_v))
    cs = np.empty((samples, depth + 1))
    qs = np.empty((samples, depth + 1))
    for s in range(samples):
        h = x
        cs[s, 0], qs[s, 0] = c0, q0
        for m in range(1, depth + 1):
            w = rng.standard_normal((width, width), dtype=np.float32) * np.float32(math.sqrt(sigma_w2 / width))
            b = rng.standard_normal(width) * math.sqrt(sigma_b2)
            h = phi(h @ w.T + b) + noise * rng.standard_normal(h.shape)
            g = h @ h.T / width
            cs[s, m], qs[s, m] = g[0, 1] / math.sqrt(g[0, 0] * g[1, 1]), 0.5 * (g[0, 0] + g[1, 1])
    return qs, cs


@pytest.mark.slow
@pytest.mark.parametrize("activation, sigma_w2, beta_v", [("tanh", 2.5, INF), ("tanh", 1.5, 5.0),
                                                          ("relu", 1.2, 2.0)])
def test_maps_against_explicit_random_networks_of_width_1024(activation, sigma_w2, beta_v):
    """Explicit 1024 x 1024 Gaussian matrices, 100 networks (about 20 s each case)."""
    sigma_b2, depth = 0.05, 6
    theory = spp.signal_prop(activation, sigma_w2, sigma_b2, beta_v)
    c0 = theory.c_star - 0.3 if theory.c_star > 0.5 else theory.c_star + 0.3
    q, c = _explicit_networks(np.random.default_rng(1), activation, sigma_w2, sigma_b2, beta_v, 1024, depth, 100,
                              theory.q_star, c0)
    q_map, c_map = spp.iterate_maps(activation, sigma_w2, sigma_b2, beta_v, theory.q_star, c0, depth)
    est_q, est_c = (estimate(a[:, 1:], chains=False, independent=True) for a in (q, c))
    z = np.concatenate([(est_q.mean - q_map[1:]) / est_q.stderr, (est_c.mean - c_map[1:]) / est_c.stderr])
    assert np.abs(z).max() < family_wise_z(list(z)), z
    assert abs(c_map[-1] - c0) > 10 * est_c.stderr[-1]  # the signal moved: the comparison could fail


def test_gram_sampler_matches_explicit_networks():
    """The O(N) Gram-matrix sampler has the distribution of explicit networks (small width, many samples)."""
    args = ("tanh", 2.0, 0.1, 3.0, 8, 4)
    q0, c0 = 0.4, 0.5
    qe, ce = _explicit_networks(np.random.default_rng(2), *args, 3000, q0, c0)
    qg, cg = spp.sample_networks(np.random.default_rng(3), *args, 3000, q0, c0)
    pairs = ((qe[:, 1:], ce[:, 1:]), (qg[:, 1:], cg[:, 1:]))
    a, b = (estimate(np.hstack(pair), chains=False, independent=True) for pair in pairs)
    z = (a.mean - b.mean) / np.hypot(a.stderr, b.stderr)
    assert np.abs(z).max() < family_wise_z(list(z)), z


def test_width_1024_monte_carlo_over_depth_30():
    """The acceptance sizes: width 1024, depth 30; every layer's mean c and q within error bars of the maps."""
    activation, sw, sb, bv = "tanh", 3.0, 0.05, INF
    theory = spp.signal_prop(activation, sw, sb, bv)
    c0 = spp.start_correlation(theory.c_star)
    m = spp.measure(np.random.default_rng(4), activation, sw, sb, bv, 1024, 30, 200, theory.q_star, c0)
    q_map, c_map = spp.iterate_maps(activation, sw, sb, bv, theory.q_star, c0, 30)
    z = (m.c_layers[1:] - c_map[1:]) / m.c_layers_err[1:]
    assert np.abs(z).max() < family_wise_z(list(z)), z
    assert m.q == pytest.approx(q_map[-1], abs=5 * m.q_err)
    assert m.xi_c is not None and m.xi_c_err > 0


def test_noise_keeps_xi_finite_and_c_below_one():
    """At finite beta_v: c* < 1 and xi_c finite at every sigma_w2, including the noise-free edge (convexity bound)."""
    crit = spp.critical_sigma_w2("tanh", 0.05)
    for sw in np.linspace(0.5, 4.0, 15).tolist() + [crit]:
        got = spp.signal_prop("tanh", sw, 0.05, 50.0, critical=crit)
        assert got.c_star < 1 and got.xi_c is not None
        c1 = float(spp.correlation_map("tanh", sw, 0.05, got.q_star, 1.0)[0])
        assert got.c_slope <= (c1 - got.c_star) / (1 - got.c_star) + 1e-9
    assert spp.signal_prop("tanh", crit, 0.05, INF, critical=crit).xi_c is None or \
        spp.signal_prop("tanh", crit, 0.05, INF, critical=crit).xi_c > 1e4


def test_xi_at_the_edge_follows_the_expansion():
    """At the noise-free edge xi_c ~ (2 a eps)^(-1/2), eps = 1/(2 beta_v q*), a = c''(1) by finite differences."""
    sb = 0.05
    crit = spp.critical_sigma_w2("tanh", sb)
    beta_v = 1e5
    got = spp.signal_prop("tanh", crit, sb, beta_v, critical=crit)
    q0 = spp.q_star("tanh", crit, sb, INF)
    h = 1e-3
    f = lambda c: float(spp.correlation_map("tanh", crit, sb, q0, c)[0])  # noqa: E731
    a = (f(1.0) - 2 * f(1 - h) + f(1 - 2 * h)) / h ** 2
    eps = 1 / (2 * beta_v * got.q_star)
    assert got.xi_c == pytest.approx((2 * a * eps) ** -0.5, rel=0.05)
    edge = spp.edge_with_noise("tanh", sb, [1e2, 1e3, 1e4])
    assert edge.exponent == pytest.approx(0.5, abs=0.06)
    assert all(x > y for x, y in zip(edge.xi_max[1:], edge.xi_max[:-1]))


@pytest.mark.slow
def test_noisy_forward_pass_against_langevin_of_the_dna():
    """MALA on the DNA energy (Gaussian priors, no output cost) samples the noisy forward pass (~15-30 s)."""
    x = np.array([[1.0, -0.5], [0.3, 0.8]])
    problem = BulkProblem("tanh", 1.5, 0.3, 2.0, 2, 2, x)
    exact = ancestral_moments(np.random.default_rng(0), problem, 400_000)
    lang, acceptance = langevin_moments(jax.random.PRNGKey(0), problem, step=0.08, burn_in=1500, n_samples=300)
    z = (lang.mean - exact.mean) / np.hypot(lang.stderr, exact.stderr)
    assert np.abs(z).max() < family_wise_z(list(z)), z
    assert 0.2 < acceptance < 0.9 and np.all(lang.r_hat < 1.05)
    # the claim could fail: without the DNA noise the moments differ by far more than the error bars
    noiseless = ancestral_moments(np.random.default_rng(1), problem._replace(beta_v=INF), 100_000)
    assert np.abs((lang.mean - noiseless.mean) / lang.stderr).max() > 10


@pytest.mark.parametrize("kwargs, name", [(dict(sigma_w2=0.0), "sigma_w2"), (dict(sigma_w2=-1.0), "sigma_w2"),
                                          (dict(sigma_b2=-0.1), "sigma_b2"), (dict(beta_v=0.0), "beta_v"),
                                          (dict(sigma_w2=float("nan")), "sigma_w2"),
                                          (dict(activation="softplus"), "activation")])
def test_bad_input_names_the_parameter(kwargs, name):
    args = dict(activation="tanh", sigma_w2=1.0, sigma_b2=0.1, beta_v=INF) | kwargs
    with pytest.raises(ValueError, match=name):
        spp.signal_prop(**args)


def test_finite_width_rounds_the_edge():
    """At the noise-free edge the infinite-width slope is 1 (xi infinite); at width N the typical xi is finite and
    grows with N (the divergence returns as N -> infinity)."""
    rounding = spp.edge_rounding(np.random.default_rng(5), "tanh", 0.05, [16, 64, 256], depth=30, samples=400)
    assert all(x is not None for x in rounding.xi)
    assert rounding.xi[0] + 3 * rounding.xi_err[0] < rounding.xi[1] and \
        rounding.xi[1] + 3 * rounding.xi_err[1] < rounding.xi[2]
