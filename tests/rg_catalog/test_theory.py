"""The closed-form fixed points of E -> E K^T E and their universal spectrum, against independent oracles:
applying the map, finite-difference Jacobians, brute force over coordinate points, and the paper's toy numbers."""

import itertools

import numpy as np
import pytest
from scipy.linalg import null_space

from deeprg.exact import build
from deeprg.rg import classification as theory
from deeprg.rg.family import CatalogModel, toy_model
from deeprg.rg.flows import flow_limit
from deeprg.rg.couplings import exp_couplings
from deeprg.rg.decimation import gauge, normalize, normalized_map
from deeprg.rg.fixed_points import canonical, is_physical, numerical_rank, residual
from deeprg.rg.linearize import linearize, map_jacobian

TOY_K = np.array([[2.0, 2.0], [1.0, 3.0]])  # exact_engine.md; every (W, b) in {-1, 1}^2 counted by hand
REACHED = CatalogModel(1, 2, (-1.0, 1.0), (0.0,), (-1.0, 1.0), "sign")  # identical / opposite rows stay so


def fd_jacobian(E, K, h=1e-6):
    """Central differences of the normalized map (row-major), the oracle for every Jacobian below."""
    E = normalize(E)
    S2 = E.size
    J = np.empty((S2, S2), dtype=E.dtype)
    for k in range(S2):
        d = np.zeros(S2)
        d[k] = h
        d = d.reshape(E.shape)
        J[:, k] = ((normalized_map(E + d, K) - normalized_map(E - d, K)) / (2 * h)).reshape(-1)
    return J


def tangent_eigenvalues(J, S):
    basis = null_space(gauge(S)[None, :])
    return np.linalg.eigvals(basis.T @ J @ basis)


def random_K(rng, S):
    return rng.integers(0, 4, (S, S)).astype(float) + np.eye(S)


def test_toy_multiplicity_is_the_hand_count():
    assert np.array_equal(build(toy_model().spec()).K, TOY_K)


@pytest.mark.parametrize("S, r", [(2, 1), (2, 2), (3, 1), (3, 2), (3, 3), (4, 2)])
def test_general_solution_is_a_fixed_point_with_the_universal_spectrum(S, r):
    rng = np.random.default_rng(10 * S + r)
    K = random_K(rng, S)
    X, Y = rng.standard_normal((S, r)), rng.standard_normal((S, r))
    E = theory.subspace_fixed_point(K, X, Y)
    assert residual(E, K) < 1e-10
    assert np.allclose(E @ K.T @ E, E, atol=1e-9)
    assert numerical_rank(E) == r
    lam = tangent_eigenvalues(fd_jacobian(E, K), S)  # finite differences, independent of linearize.py
    assert theory.spectrum_counts(lam, tol=1e-5) == theory.universal_spectrum(S, r)
    assert theory.spectrum_counts(linearize(E, K).eigenvalues) == theory.universal_spectrum(S, r)


@pytest.mark.parametrize("rank", [1, 2])
def test_analytic_jacobian_matches_finite_differences_at_catalog_points(rank):
    K = build(REACHED.spec()).K
    witness = theory.private_column_witness(K)
    E = normalize(theory.witness_fixed_point(K, witness, rank) + 0.0)
    assert np.allclose(map_jacobian(E, K), fd_jacobian(E, K), atol=1e-6)


def test_toy_fixed_points_reproduce_eqs_29_30_34():
    E = theory.coordinate_fixed_point(TOY_K, [0, 1], [0, 1])  # rank 2 = K^-T
    assert np.allclose(E, np.linalg.inv(TOY_K).T)
    assert np.allclose(exp_couplings(E), [3, -2 / 3, -1 / 3])  # eq 30
    assert np.allclose(np.sort(tangent_eigenvalues(fd_jacobian(E, TOY_K), 2).real), [2, 2, 2], atol=1e-5)  # eq 34
    assert not is_physical(E)
    for beta_v in (0.3, 1.0, 3.0):  # the toy's own flows end on the plane e^A = 1 (eq 29)
        E0 = np.exp(-beta_v * (np.arange(2)[:, None] - np.arange(2)[None, :]) ** 2)
        limit, _, converged = flow_limit(E0, TOY_K)
        assert converged and residual(limit, TOY_K) < 1e-10
        assert exp_couplings(limit)[0] == pytest.approx(1.0, abs=1e-10)
    # the rank-1 family is 2-dimensional (e^B, e^C free): two marginal directions, as the plane
    x, y = np.array([1.0, 2.5]), np.array([1.0, -0.7])
    point = theory.subspace_fixed_point(TOY_K, x[:, None], y[:, None])
    assert exp_couplings(point)[0] == pytest.approx(1.0)
    assert theory.family_dimension(2, 1) == 2


def test_private_column_witness_matches_brute_force_over_coordinate_points():
    rng = np.random.default_rng(3)
    for _ in range(30):
        S = 4
        K = rng.integers(0, 3, (S, S)).astype(float) * (rng.random((S, S)) < 0.6)
        K[K.sum(axis=1) == 0, 0] = 1.0
        best = 0
        for r in range(1, S + 1):
            for a, t in itertools.product(itertools.combinations(range(S), r), repeat=2):
                block = K[np.ix_(a, t)]
                if abs(np.linalg.det(block)) < 1e-12:
                    continue
                E = theory.coordinate_fixed_point(K, a, t)
                if np.all(E >= -1e-12):
                    best = max(best, r)
        witness = theory.private_column_witness(K)
        assert witness.rank == best
        E = theory.witness_fixed_point(K, witness)
        assert np.all(E >= 0) and residual(E, K) < 1e-12 and numerical_rank(E) == best


def test_positive_couplings_flow_to_rank_one():  # Theorem 1
    rng = np.random.default_rng(5)
    for S in (2, 3, 4):
        K = random_K(rng, S)
        for _ in range(5):
            limit, _, converged = flow_limit(rng.uniform(0.01, 1, (S, S)), K)
            assert converged and numerical_rank(limit) == 1
            assert linearize(limit, K).stable


def test_closed_classes_predict_the_beta_v_infinity_limit():
    K = build(REACHED.spec()).K
    classes = theory.closed_classes(K)
    assert sorted(len(c.states) for c in classes) == [2, 2]
    limit, _, converged = flow_limit(np.eye(len(K)), K)
    assert converged and numerical_rank(limit) == theory.predicted_limit_rank(classes) == 2
    assert is_physical(limit) and not linearize(limit, K).stable
    # a period-2 class (a cyclic permutation of two states) still converges under squaring
    cyclic = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert [c.period for c in theory.closed_classes(cyclic)] == [2]
    assert theory.predicted_limit_rank(theory.closed_classes(np.roll(np.eye(3), 1, axis=1))) is None


def test_exact_sympy_verification_and_rejections():
    import sympy as sp

    E, ok = theory.exact_coordinate_fixed_point(TOY_K, [0, 1], [0, 1])
    # (K^T)^-1 = [[2, 1], [2, 3]]^-1 = [[3, -1], [-2, 2]] / 4, by hand
    assert ok and E == sp.Matrix([[3, -1], [-2, 2]]) / 4
    with pytest.raises(ValueError, match="X, Y"):
        theory.subspace_fixed_point(TOY_K, np.ones((2, 1)), np.array([[1.0], [-1.0]]) * 0)
    with pytest.raises(ValueError, match="rank"):
        theory.universal_spectrum(2, 3)
    assert canonical(theory.coordinate_fixed_point(TOY_K, [1], [1]))[1, 1] == 1
