"""Couplings (A, B, C) <-> E for binary N = L = 1 models, the coupling map and its Jacobian."""

import numpy as np
import pytest
import sympy as sp

from deeprg.exact import build
from deeprg.rg import couplings as cp
from deeprg.rg import symbolic as sym
from deeprg.rg.decimation import model_matrices, renormalized_factor

from .models import MODELS

POINTS = [(0.5, 1.7, 0.3), (3.2, -0.6, -0.3), (1 + 1j, 0.4 - 0.2j, -2.0), (0.9, 2.0, 5.0)]


@pytest.mark.parametrize("beta_v", [0.0, 0.3, 1.0, 4.0])
def test_toy_factor_has_the_bulk_couplings(beta_v):
    # -beta_v (h - t)^2 = 2 beta_v h t - beta_v h - beta_v t for h, t in {0, 1}
    E = build(MODELS["toy"].replace(beta_v=beta_v)).E
    np.testing.assert_allclose(cp.log_couplings(cp.exp_couplings(E)).real, [2 * beta_v, -beta_v, -beta_v],
                               atol=1e-13)
    np.testing.assert_allclose(cp.toy_bulk_couplings(beta_v), [2 * beta_v, -beta_v, -beta_v])


@pytest.mark.parametrize("point", POINTS)
def test_round_trip(point):
    np.testing.assert_allclose(cp.exp_couplings(3.7 * cp.matrix(point)), point, rtol=1e-14)
    E = cp.matrix(point, exp_d=0.25)
    assert cp.exp_constant(E) == 0.25
    for h in (0, 1):  # E[h, t] = exp(A h t + B h + C t + D)
        for t in (0, 1):
            assert E[h, t] == pytest.approx(np.exp(np.dot(cp.log_couplings(point), [h * t, h, t]) + np.log(0.25)))
    np.testing.assert_allclose(cp.from_log(cp.log_couplings(point)), point, rtol=1e-14)


def test_principal_branch():
    logs = cp.log_couplings([3, -2 / 3, -1 / 3])
    assert logs[0].imag == 0 and logs[1].imag == pytest.approx(np.pi) and logs[2].imag == pytest.approx(np.pi)
    assert logs[1].real == pytest.approx(np.log(2 / 3))


@pytest.mark.parametrize("point", POINTS)
def test_step_matches_the_sympy_recursion(point):
    K, _ = model_matrices(MODELS["toy"])
    derived = [complex(sp.N(r.subs({sym.a: point[0], sym.b: point[1], sym.c: point[2]}))) for r in sym.recursion()]
    np.testing.assert_allclose(cp.step(point, K), derived, rtol=1e-12)


@pytest.mark.parametrize("name", ["toy", "sign", "ternary-weights-prior"])
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("factor", [2, 3])
def test_jacobian_against_finite_differences(name, point, factor):
    K, _ = model_matrices(MODELS[name])
    J = cp.jacobian(point, K, factor)
    h = 1e-6
    z = np.array(point, dtype=complex)
    numeric = np.empty((3, 3), dtype=complex)
    for j in range(3):
        dz = np.zeros(3, dtype=complex)
        dz[j] = h * max(1.0, abs(z[j]))
        numeric[:, j] = (cp.step(z + dz, K, factor) - cp.step(z - dz, K, factor)) / (2 * dz[j])
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-7 * np.abs(J).max())


def test_step_is_couplings_of_renormalized_factor():
    K, _ = model_matrices(MODELS["sign"])
    point = (0.7, 1.3, 0.4)
    np.testing.assert_allclose(cp.step(point, K), cp.exp_couplings(renormalized_factor(cp.matrix(point), K)), rtol=1e-14)


def test_bad_input():
    K, _ = model_matrices(MODELS["toy"])
    with pytest.raises(ValueError, match="exp_couplings: values must be non-zero"):
        cp.matrix((1, 0, 1))
    with pytest.raises(ValueError, match=r"exp_couplings: need three values"):
        cp.step((1, 2), K)
    with pytest.raises(ValueError, match="only for binary N = L = 1 models"):
        cp.exp_couplings(np.ones((4, 4)))
    K4, _ = model_matrices(MODELS["L2"])
    with pytest.raises(ValueError, match="E: must have the shape of K"):
        cp.step((1, 2, 3), K4)
