"""xi, G(r) and nu: the algebraic spectrum against the exact engine, and the refusal of non-Boltzmann weights."""

import math

import numpy as np
import pytest
import sympy as sp

from deeprg.exact import FiniteChain, build, bulk
from deeprg.exact.transfer import correlation_length
from deeprg.model import NetworkSpec
from deeprg.rg import couplings as cp
from deeprg.rg import scaling as sc
from deeprg.rg import symbolic as sym
from deeprg.rg.decimation import model_matrices, transfer

from .models import MODELS, TOY


@pytest.mark.parametrize("name", ["toy", "L2", "p1-custom", "ternary-weights-prior"])
def test_algebraic_G_is_the_exact_engines_for_positive_T(name):
    tm = build(MODELS[name].replace(beta_v=0.8))
    f = tm.states[:, 0, 0]
    G = sc.algebraic_correlation(tm.T, f, np.arange(8))
    np.testing.assert_allclose(G.real, bulk(tm, 7).G, atol=1e-12)
    assert correlation_length(tm.T) == pytest.approx(bulk(tm, 1).xi, rel=1e-12)


def test_algebraic_G_is_the_covariance_deep_inside_a_long_chain():
    spec = TOY.replace(depth=81, beta_v=1.4)
    chain = FiniteChain.solve(spec)
    G = sc.algebraic_correlation(chain.tm.T, chain.tm.states[:, 0, 0], np.arange(5)).real
    for r in range(5):
        assert chain.covariance(40, 40 + r)[0, 0] == pytest.approx(G[r], abs=1e-12)


@pytest.mark.parametrize("factor", [2, 3])
def test_one_rg_step_divides_xi_by_p(factor):
    K, _ = model_matrices(TOY)
    points = [np.exp(cp.toy_bulk_couplings(0.7)), sc.line_points([3, -2 / 3, -1 / 3], np.array([1.0, 0, 1.0]), [3e-3])[0], np.array([1.5, 0.2, 4.0])]
    np.testing.assert_allclose(sc.xi_step_ratio(K, points, factor), 1 / factor, rtol=1e-9)
    ratio = sc.correlation_step_ratio(K, points[1], np.array([0.0, 1.0]), np.arange(1, 6), factor)
    np.testing.assert_allclose(ratio, 1, rtol=1e-9)


def test_nu_agrees_with_the_exact_exponent_within_one_percent():
    """Acceptance: nu fitted from xi ~ |A - A*|^-nu equals 1/y_A, y_A from the exact Jacobian (SymPy)."""
    isolated = [p for p in sym.fixed_points() if all(v.is_number for v in p.values())][0]
    J = sym.jacobian_at(isolated)
    y_A = math.log(float(J[0, 0])) / math.log(2)
    assert all(J[i, j] == 0 for i in range(3) for j in range(3) if i != j)
    K, _ = model_matrices(TOY)
    center = [complex(isolated[k]) for k in "abc"]
    deltas = np.concatenate([-np.logspace(-3, -6, 10), np.logspace(-6, -3, 10)])
    scan = sc.scan_line(K, center, np.array([1.0, 0.0, 0.0]), deltas)
    assert abs(scan.nu * y_A - 1) < 0.01


def test_xi_near_the_fictitious_point_closed_form():
    """On the A line a = 3 e^d, T = T* + (a - 3) [[0, 4/9], [0, 2/3]] with T* = (4/3) I: eigenvalues 4/3 and
    (4/3)(1 + (a - 3)/2) (computed by hand from K and E^T = [[1, b], [c, abc]])."""
    K, _ = model_matrices(TOY)
    for d in (1e-4, -3e-3):
        z = sc.line_points([3, -2 / 3, -1 / 3], np.array([1.0, 0, 0]), [d])[0]
        expected = 1 / abs(math.log(1 + 3 * (math.exp(d) - 1) / 2))
        assert correlation_length(transfer(cp.matrix(z), K)) == pytest.approx(expected, rel=1e-8)


def test_complex_couplings_are_refused_by_the_probabilistic_engine():
    K, _ = model_matrices(TOY)
    states = np.array([[[0.0]], [[1.0]]])
    with pytest.raises(ValueError, match="not Boltzmann weights.*probabilistic exact engine"):
        sc.exact_bulk(cp.matrix([3, -2 / 3, -1 / 3]), K, states)
    with pytest.raises(ValueError, match="algebraic_correlation"):
        sc.exact_bulk(cp.matrix([1 + 1j, 1, 1]), K, states)
    with pytest.raises(TypeError, match="complex couplings are allowed only in the RG algebra"):
        NetworkSpec(beta_v=1 + 0.5j)  # every exact method and sampler starts from a NetworkSpec
    assert sc.exact_bulk(cp.matrix(np.exp(cp.toy_bulk_couplings(1.0))).real, K, states).xi > 0


def test_G_needs_a_unique_top_eigenvalue():
    with pytest.raises(ValueError, match="not unique in modulus"):
        sc.algebraic_correlation(np.eye(2), np.array([0.0, 1.0]), [1])


def test_collapse_and_near_point_summary():
    K, _ = model_matrices(TOY)
    center = np.array([3, -2 / 3, -1 / 3])
    kappa, spread = sc.collapse(K, center, np.array([1.0, 0, 1.0]), np.array([0.0, 1.0]),
                                [1e-4, 3e-4, 1e-3], np.logspace(-2, 0, 5), 1.0)
    assert kappa == pytest.approx(1.0, rel=1e-3) and spread < 1e-2
    near = sc.near_identity_point(K, np.logspace(-6, -3, 5), np.array([0.0, 1.0]))
    assert set(near["nu"]) == {"A", "B", "C", "A=C"}
    np.testing.assert_allclose(near["fixed_point"], center, atol=1e-12)
    assert near["y"] == pytest.approx({"A": 1.0, "B": 1.0, "C": 1.0})
