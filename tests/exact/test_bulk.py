"""Bulk of the paper's toy (N = L = 1): xi and G(r) from T, against a finite chain and a SymPy closed form."""

import math

import numpy as np
import pytest
import sympy as sp

from deeprg.exact import FiniteChain, build, bulk, log_partition
from deeprg.model import NetworkSpec


def sympy_toy_bulk(rmax: int):
    """T = K E^T derived symbolically from the definitions (eqs 17, 20), and G(r) as a function of beta_v."""
    bv = sp.symbols("beta_v", positive=True)
    K = sp.zeros(2, 2)
    for h in (0, 1):
        for W in (-1, 1):
            for b in (-1, 1):
                K[h, 1 if W * h + b >= 0 else 0] += 1
    E = sp.Matrix(2, 2, lambda hp, t: sp.exp(-bv * (hp - t) ** 2))
    T = K * E.T
    lam1, lam2 = sorted(T.eigenvals(), key=lambda e: -float(e.subs(bv, 1.0)))
    right = (T - lam1 * sp.eye(2)).nullspace()[0]
    left = (T.T - lam1 * sp.eye(2)).nullspace()[0]
    F = sp.diag(0, 1)  # h of the single unit in states (0, 1)
    norm = (left.T * right)[0]
    mean = (left.T * F * right)[0] / norm
    G = [sp.simplify((left.T * F * (T / lam1) ** r * F * right)[0] / norm - mean**2) for r in range(rmax + 1)]
    xi = 1 / sp.log(lam1 / sp.Abs(lam2))
    return bv, sp.lambdify(bv, xi), [sp.lambdify(bv, g) for g in G], sp.lambdify(bv, sp.log(lam1))


@pytest.fixture(scope="module")
def closed_form():
    return sympy_toy_bulk(rmax=6)


@pytest.mark.parametrize("beta_v", [0.3, 1.0, 2.5])
def test_toy_bulk_matches_sympy_closed_form(closed_form, beta_v):
    _, xi, G, free = closed_form
    result = bulk(build(NetworkSpec(beta_v=beta_v)), rmax=6)
    assert result.xi == pytest.approx(xi(beta_v), rel=1e-12)
    assert result.free_energy_per_layer == pytest.approx(free(beta_v), rel=1e-12)
    np.testing.assert_allclose(result.G, [g(beta_v) for g in G], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("beta_v", [0.3, 1.0, 2.5])
def test_toy_bulk_matches_the_middle_of_a_long_finite_chain(beta_v):
    spec = NetworkSpec(depth=401, beta_v=beta_v, beta=0.7)
    chain = FiniteChain.solve(spec)
    result = bulk(chain.tm, rmax=10)
    G_chain = [chain.covariance(200, 200 + r)[0, 0] for r in range(11)]
    np.testing.assert_allclose(G_chain, result.G, rtol=0, atol=1e-12)
    assert chain.mean_h()[200, 0, 0] == pytest.approx(result.mean, abs=1e-12)
    # xi: G decays as exp(-r / xi)
    assert -1 / math.log(G_chain[3] / G_chain[2]) == pytest.approx(result.xi, rel=1e-9)


def test_free_energy_is_the_growth_rate_of_log_z():
    tm = build(NetworkSpec(width=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 0]], beta_v=0.9))
    f = bulk(tm).free_energy_per_layer
    assert log_partition(tm, 501) - log_partition(tm, 500) == pytest.approx(f, rel=1e-12)


@pytest.mark.parametrize("spec", [NetworkSpec(), NetworkSpec(width=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]]),
                                  NetworkSpec(beta=40.0, beta_v=60.0)])
def test_depth_one_million_is_finite_and_matches_the_spectral_asymptote(spec):
    """log Z(M) = (M - 1) ln lambda_1 + ln(u.rho ell.v / ell.rho) + O((lambda_2/lambda_1)^M)."""
    from deeprg.exact.transfer import perron

    tm = build(spec)
    depth = 10**6
    lam, _, ell, rho = perron(tm.T)
    asymptote = (depth - 1) * math.log(lam) + math.log((tm.u @ rho) * (ell @ tm.v) / (ell @ rho)) + tm.log_v_scale
    assert log_partition(tm, depth) == pytest.approx(asymptote, rel=1e-11)
    chain = FiniteChain.solve(spec.replace(depth=depth))
    mean = chain.mean_h()
    assert np.all(np.isfinite(mean)) and np.all((mean >= 0) & (mean <= 1))


def test_bulk_refuses_negative_or_complex_weights():
    """Near the fictitious fixed point E ~ (K^T)^-1 has negative entries and T = K E^T can too: no Gibbs
    measure, so the probabilistic engine must refuse rather than return a wrong G(r)."""
    tm = build(NetworkSpec())
    kick = np.linalg.inv(tm.K) @ np.array([[0.0, -0.01], [0.0, 0.0]])  # makes T = I + [[0, -0.01], [0, 0]]
    E = np.linalg.inv(tm.K.T) + kick.T
    assert (tm.K @ E.T)[0, 1] < 0
    for bad_E in (E, np.linalg.inv(tm.K.T).astype(complex)):
        with pytest.raises(ValueError, match="T: the exact engine needs finite nonnegative real"):
            bulk(tm._replace(E=bad_E, T=tm.K @ bad_E.T))
