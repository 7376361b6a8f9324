"""Numeric fixed points and linearization against the exact solution of the toy and the rank structure."""

import numpy as np
import pytest

from deeprg.rg import couplings as cp
from deeprg.rg import find_fixed_points, linearize, map_jacobian, model_matrices, normalized_map
from deeprg.rg import symbolic as sym
from deeprg.rg.decimation import gauge, normalize
from deeprg.rg.fixed_points import newton

from .models import MODELS, TOY

FICTITIOUS = np.array([3, -2 / 3, -1 / 3])


@pytest.fixture(scope="module")
def toy_search():
    K, _ = model_matrices(TOY)
    return K, find_fixed_points(K, starts=48, rng=np.random.default_rng(7))


def test_every_start_is_accounted_for(toy_search):
    _, search = toy_search
    assert search.converged + search.non_converged == search.starts == 48
    assert sum(fp.found for fp in search.fixed_points) == search.converged


def test_numeric_fixed_points_are_the_exact_ones(toy_search):
    """Each point is on the plane a = 1 or is the isolated exact solution, with the exact eigenvalues."""
    K, search = toy_search
    exact_isolated = [p for p in sym.fixed_points() if all(v.is_number for v in p.values())]
    isolated = np.array([[complex(p[k]) for k in "abc"] for p in exact_isolated])
    plane_eigs = sorted(float(k) for k, m in sym.eigenvalues_at({"a": 1, "b": sym.b, "c": sym.c}).items()
                        for _ in range(m))
    isolated_eigs = sorted(float(k) for k, m in sym.eigenvalues_at(exact_isolated[0]).items() for _ in range(m))
    seen_isolated = 0
    for fp in search.fixed_points:
        z = fp.exp_couplings
        assert fp.residual < 1e-10
        E = normalize(fp.E)
        assert np.abs(normalized_map(E, K) - E).max() < 1e-10 * np.abs(E).max()  # verified independently
        eigs = sorted(np.real(fp.linearization.eigenvalues))
        if abs(z[0] - 1) < 1e-8:
            np.testing.assert_allclose(eigs, plane_eigs, atol=1e-7)
            assert fp.rank == 1 and fp.stable
            # the 3 x 3 coupling Jacobian has the same spectrum as the map on E
            np.testing.assert_allclose(sorted(np.linalg.eigvals(cp.jacobian(z, K)).real), plane_eigs, atol=1e-7)
        else:
            np.testing.assert_allclose(z, isolated[0], atol=1e-9)
            np.testing.assert_allclose(eigs, isolated_eigs, atol=1e-8)
            assert fp.rank == 2 and not fp.physical and not fp.stable
            np.testing.assert_allclose(fp.linearization.exponents, np.log2(isolated_eigs), atol=1e-8)
            seen_isolated += 1
    assert seen_isolated == 1
    assert any(fp.physical for fp in search.fixed_points)


def test_non_convergence_is_counted():
    K, _ = model_matrices(TOY)
    search = find_fixed_points(K, starts=10, rng=np.random.default_rng(1), max_iter=1)
    assert search.non_converged > 0
    assert search.converged + search.non_converged == 10
    assert set(search.failures) <= {"max_iterations", "degenerate", "non_finite"}
    assert search.to_dict()["non_converged"] == search.non_converged


def test_degenerate_start_is_reported():
    K = np.array([[1.0, 0.0], [0.0, 0.0]])
    E, res, status = newton(np.array([[0.0, 1.0], [0.0, 0.0]]), K)
    assert status in ("degenerate", "max_iterations") and not res < 1e-10


@pytest.mark.parametrize("name", ["toy", "sign", "L2", "N2-no-bias", "ternary-weights-prior"])
@pytest.mark.parametrize("factor", [2, 3])
def test_jacobian_against_finite_differences(name, factor):
    K, _ = model_matrices(MODELS[name])
    rng = np.random.default_rng(3)
    S = len(K)
    E = normalize(rng.standard_normal((S, S)) + 1j * rng.standard_normal((S, S)))
    J = map_jacobian(E, K, factor)
    h = 1e-6
    numeric = np.empty_like(J)
    for k in range(S * S):
        d = np.zeros(S * S, dtype=complex)
        d[k] = h
        d = d.reshape(S, S)
        numeric[:, k] = ((normalized_map(E + d, K, factor) - normalized_map(E - d, K, factor)) / (2 * h)).reshape(-1)
    np.testing.assert_allclose(J, numeric, rtol=1e-5, atol=1e-6 * np.abs(J).max())


@pytest.mark.parametrize("name", ["L2", "p1-custom", "ternary-weights-prior"])
def test_rank_structure_of_the_spectrum(name):
    """At T = lambda P (P idempotent of rank r, K invertible) the normalized map has eigenvalue 2 on the
    r^2 - 1 directions inside P, 1 on the 2 r (S - r) mixed ones and 0 on the (S - r)^2 outside."""
    K, _ = model_matrices(MODELS[name])
    if abs(np.linalg.det(K)) < 1e-9:
        pytest.skip("K singular")
    S = len(K)
    rng = np.random.default_rng(5)
    for r in range(1, S + 1):
        X = rng.standard_normal((S, S))
        P = X[:, :r] @ np.linalg.inv(X)[:r]  # idempotent of rank r
        E = (np.linalg.inv(K) @ P).T  # T = K E^T = P
        lin = linearize(E, K)
        expected = sorted([2.0] * (r * r - 1) + [1.0] * (2 * r * (S - r)) + [0.0] * (S - r) ** 2)
        np.testing.assert_allclose(sorted(np.abs(lin.eigenvalues)), expected, atol=1e-6)
        assert lin.counts()["relevant"] == r * r - 1


def test_larger_model_fixed_points_are_verified():
    K, _ = model_matrices(MODELS["N2-no-bias"])
    search = find_fixed_points(K, starts=6, rng=np.random.default_rng(2), start_kind="positive")
    assert search.converged + search.non_converged == 6
    for fp in search.fixed_points:
        E = normalize(fp.E)
        assert np.abs(normalized_map(E, K) - E).max() < 1e-10 * np.abs(E).max()
        assert len(fp.linearization.eigenvalues) == len(K) ** 2 - 1
    assert gauge(4).shape == (16,)


def test_bad_input():
    K, _ = model_matrices(TOY)
    with pytest.raises(ValueError, match="starts: must be an integer >= 0"):
        find_fixed_points(K, starts=-1)
    with pytest.raises(ValueError, match="start_kind: must be one of"):
        find_fixed_points(K, starts=1, start_kind="imaginary")
    with pytest.raises(ValueError, match="dense Newton search"):
        find_fixed_points(np.eye(64))
