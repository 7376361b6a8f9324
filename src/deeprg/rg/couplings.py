r"""The couplings (A, B, C, D) of eq 26 for binary models with N = L = 1.

For a model whose single neuron takes two values, index them :math:`h, t \in \{0, 1\}` in the order of
``spec.values.neurons`` (for the paper's toy the index is the value). Any 2 x 2 constraint factor with non-zero
entries can be written

.. math::

    E[h, t] = \exp(A h t + B h + C t + D), \qquad
    e^{A} = \frac{E_{11} E_{00}}{E_{10} E_{01}},\quad e^{B} = \frac{E_{10}}{E_{00}},\quad
    e^{C} = \frac{E_{01}}{E_{00}},\quad e^{D} = E_{00},

with :math:`h = h^{(m+1)}` the row and :math:`t = \sigma^{(m)}` the column. The toy's own bulk factor
:math:`E = e^{-\beta_v (h - t)^2}` has :math:`A = 2\beta_v`, :math:`B = C = -\beta_v`, :math:`D = 0`.

The RG map works on the exp-couplings :math:`(e^A, e^B, e^C)` (eq 28): a rational map, defined for complex
values. The logarithmic couplings use the principal branch :math:`\log z = \ln|z| + i \arg z`,
:math:`\arg z \in (-\pi, \pi]`, so a negative :math:`e^B` gives :math:`B = \ln|e^B| + i\pi`.
"""

from __future__ import annotations

import numpy as np

from .decimation import check_factor, check_pair, renormalized_factor


def _exp_array(exp_couplings) -> np.ndarray:
    z = np.asarray(exp_couplings, dtype=complex)
    if z.shape != (3,):
        raise ValueError(f"exp_couplings: need three values (e^A, e^B, e^C), got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"exp_couplings: values must be finite, got {z.tolist()}")
    if np.any(z == 0):
        raise ValueError(f"exp_couplings: values must be non-zero (a zero weight is an infinite coupling), "
                         f"got {z.tolist()}")
    return z


def matrix(exp_couplings, exp_d: complex = 1.0) -> np.ndarray:
    """E = e^D [[1, e^C], [e^B, e^(A+B+C)]], complex."""
    a, b, c = _exp_array(exp_couplings)
    return exp_d * np.array([[1.0, c], [b, a * b * c]], dtype=complex)


def exp_constant(E: np.ndarray) -> complex:
    """e^D = E[0, 0]: the constant of eq 26, which only shifts the free energy."""
    return complex(np.asarray(E)[0, 0])


def exp_couplings(E: np.ndarray) -> np.ndarray:
    """(e^A, e^B, e^C) of a 2 x 2 factor E with non-zero entries."""
    E = np.asarray(E, dtype=complex)
    if E.shape != (2, 2):
        raise ValueError(f"E: couplings (A, B, C) exist only for binary N = L = 1 models (2 x 2 E), got {E.shape}")
    if np.any(E == 0) or not np.all(np.isfinite(E)):
        raise ValueError(f"E: entries must be finite and non-zero for finite couplings, got {E.tolist()}")
    return np.array([E[1, 1] * E[0, 0] / (E[1, 0] * E[0, 1]), E[1, 0] / E[0, 0], E[0, 1] / E[0, 0]])


def log_couplings(exp_values) -> np.ndarray:
    """(A, B, C) = principal log of (e^A, e^B, e^C); complex when a value is negative or complex."""
    return np.log(_exp_array(exp_values))


def from_log(couplings) -> np.ndarray:
    """(e^A, e^B, e^C) from (A, B, C) (complex allowed)."""
    z = np.asarray(couplings, dtype=complex)
    if z.shape != (3,) or not np.all(np.isfinite(z)):
        raise ValueError(f"couplings: need three finite values (A, B, C), got {np.asarray(couplings).tolist()}")
    return np.exp(z)


def toy_bulk_couplings(beta_v: float) -> np.ndarray:
    """(A, B, C) = (2 beta_v, -beta_v, -beta_v) of E = exp(-beta_v (h - t)^2) with h, t in {0, 1}."""
    return np.array([2.0 * beta_v, -beta_v, -beta_v])


def step(exp_values, K: np.ndarray, factor: int = 2) -> np.ndarray:
    """One RG step on (e^A, e^B, e^C): the couplings of E (K^T E)^(factor-1) (eq 27 for factor 2)."""
    E, K = check_pair(matrix(exp_values), K)
    if K.shape != (2, 2):
        raise ValueError(f"K: couplings need a binary N = L = 1 model (2 x 2 K), got {K.shape}")
    out = renormalized_factor(E, K, factor)
    if np.any(out == 0):
        raise ValueError(f"exp_couplings: {np.asarray(exp_values).tolist()} is mapped onto a factor with a zero "
                         "entry, where the renormalized couplings are infinite")
    return exp_couplings(out)


def _exp_couplings_gradient(E: np.ndarray) -> np.ndarray:
    """d(e^A, e^B, e^C)/d vec(E) (row-major), shape (3, 4)."""
    e00, e01, e10, e11 = E.reshape(-1)
    a = e11 * e00 / (e10 * e01)
    return np.array([
        [a / e00, -a / e01, -a / e10, a / e11],
        [-e10 / e00**2, 0, 1 / e00, 0],
        [-e01 / e00**2, 1 / e00, 0, 0],
    ], dtype=complex)


def jacobian(exp_values, K: np.ndarray, factor: int = 2) -> np.ndarray:
    r"""Analytic Jacobian :math:`\partial(e^{A'}, e^{B'}, e^{C'}) / \partial(e^A, e^B, e^C)` (eq 33), 3 x 3.

    Chain rule through E: E(e^A, e^B, e^C) -> M = E (K^T E)^(p-1) -> couplings of M.
    """
    from .linearize import product_jacobian

    a, b, c = _exp_array(exp_values)
    E = matrix((a, b, c))
    K = np.asarray(K, dtype=float)
    dE = np.zeros((4, 3), dtype=complex)  # d vec(E) / d(a, b, c); vec(E) = (1, c, b, a b c)
    dE[3] = [b * c, a * c, a * b]
    dE[2, 1] = 1
    dE[1, 2] = 1
    M = renormalized_factor(E, K, factor)
    return _exp_couplings_gradient(M) @ product_jacobian(E, K, factor) @ dE
