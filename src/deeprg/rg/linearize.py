r"""Linearization of the RG map at a fixed point: eigenvalues, exponents, classification (Lee, Lee & Yi, eqs 33-34).

For :math:`M(E) = E (K^\top E)^{p-1}` the differential is
:math:`dM = \sum_{j=0}^{p-1} (E K^\top)^j\, dE\, (K^\top E)^{p-1-j}`, and with row-major vectorization
:math:`\mathrm{vec}(A X B) = (A \otimes B^\top)\,\mathrm{vec}(X)`. The normalized map
:math:`F = M / n(M)` (see :mod:`deeprg.rg.decimation`) has

.. math:: J_F = \frac{1}{n(M)} \bigl(I - \mathrm{vec}(F)\, w^\top\bigr) J_M .

Its range lies in :math:`\ker n` (the normalization is preserved) and at a fixed point :math:`J_F E^* = 0` (the
scale direction), so the physical spectrum is that of :math:`J_F` restricted to :math:`\ker n`: :math:`S^2 - 1`
eigenvalues :math:`\lambda_i = p^{y_i}`, :math:`y_i = \log\lambda_i / \log p` (principal branch;
:math:`\lambda = 0` gives :math:`y = -\infty`). A direction is relevant when :math:`|\lambda| > 1`, marginal when
:math:`|\lambda| = 1` and irrelevant when :math:`|\lambda| < 1` (within ``tol``); a fixed point is stable when it
has no relevant direction.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.linalg import null_space

from .decimation import check_factor, check_pair, gauge, normalize, renormalized_factor

RELEVANT, MARGINAL, IRRELEVANT = "relevant", "marginal", "irrelevant"


def product_jacobian(E: np.ndarray, K: np.ndarray, factor: int = 2) -> np.ndarray:
    """d vec(M) / d vec(E) for M = E (K^T E)^(factor-1), row-major, shape (S^2, S^2)."""
    factor = check_factor(factor)
    E, K = check_pair(E, K)
    left, right = E @ K.T, K.T @ E
    S = len(E)
    left_powers = [np.eye(S, dtype=E.dtype)]
    right_powers = [np.eye(S, dtype=E.dtype)]
    for _ in range(factor - 1):
        left_powers.append(left_powers[-1] @ left)
        right_powers.append(right_powers[-1] @ right)
    return sum(np.kron(left_powers[j], right_powers[factor - 1 - j].T) for j in range(factor))


def map_jacobian(E: np.ndarray, K: np.ndarray, factor: int = 2, w: np.ndarray | None = None) -> np.ndarray:
    """Jacobian of the normalized map F(E) = M / n(M) at E, row-major, shape (S^2, S^2)."""
    E, K = check_pair(E, K)
    w = gauge(len(E)) if w is None else w
    M = renormalized_factor(E, K, factor).reshape(-1)
    norm = w @ M
    if norm == 0:
        raise ValueError("E: n(E K^T E) = 0, the normalized map is undefined here")
    F = M / norm
    J = product_jacobian(E, K, factor)
    return (J - np.outer(F, w @ J)) / norm


def tangent_jacobian(E: np.ndarray, K: np.ndarray, factor: int = 2, w: np.ndarray | None = None) -> np.ndarray:
    """J_F restricted to ker n, in an orthonormal real basis of ker n: shape (S^2 - 1, S^2 - 1)."""
    w = gauge(len(np.asarray(E))) if w is None else w
    basis = null_space(w[None, :])
    return basis.T @ map_jacobian(E, K, factor, w) @ basis


def exponents(eigenvalues: np.ndarray, factor: int = 2) -> np.ndarray:
    """y = log(lambda) / log(p), principal branch; -inf for lambda = 0; real when lambda > 0."""
    lam = np.asarray(eigenvalues, dtype=complex)
    y = np.full(lam.shape, -np.inf, dtype=complex)
    nonzero = lam != 0
    y[nonzero] = np.log(lam[nonzero]) / np.log(factor)
    if np.all((lam.imag == 0) & (lam.real >= 0)):
        return y.real
    return y


def classify(eigenvalues: np.ndarray, tol: float = 1e-6) -> tuple[str, ...]:
    """relevant (|lambda| > 1), marginal (|lambda| = 1) or irrelevant (|lambda| < 1), within tol."""
    size = np.abs(np.asarray(eigenvalues))
    return tuple(RELEVANT if s > 1 + tol else MARGINAL if s >= 1 - tol else IRRELEVANT for s in size)


class Linearization(NamedTuple):
    """Spectrum of the linearized RG map at a point, sorted by decreasing modulus."""

    eigenvalues: np.ndarray
    exponents: np.ndarray
    classes: tuple[str, ...]

    @property
    def stable(self) -> bool:
        return RELEVANT not in self.classes

    def counts(self) -> dict:
        return {c: self.classes.count(c) for c in (RELEVANT, MARGINAL, IRRELEVANT)}

    def to_dict(self) -> dict:
        return {"eigenvalues": list(self.eigenvalues), "exponents": list(self.exponents),
                "classes": list(self.classes), "stable": self.stable, "counts": self.counts()}


def spectrum(jacobian: np.ndarray, factor: int = 2, tol: float = 1e-6) -> Linearization:
    """Eigenvalues of a Jacobian (chopped to real when the imaginary part is round-off), exponents, classes."""
    lam = np.linalg.eigvals(jacobian)
    scale = max(1.0, float(np.abs(lam).max(initial=0.0)))
    lam = np.where(np.abs(lam.imag) < 1e-9 * scale, lam.real, lam)
    lam = np.where(np.abs(lam) < 1e-9 * scale, 0, lam)
    lam = lam[np.argsort(-np.abs(lam), kind="stable")]
    if np.all(np.imag(lam) == 0):
        lam = np.real(lam)
    return Linearization(lam, exponents(lam, factor), classify(lam, tol))


def linearize(E: np.ndarray, K: np.ndarray, factor: int = 2, tol: float = 1e-6) -> Linearization:
    """Spectrum of the normalized RG map on E (S^2 - 1 eigenvalues) at E (meant for a fixed point).

    E is first scaled to n(E) = 1: F is homogeneous of degree 0, so its Jacobian at s E is J / s and only the
    normalized representative of a fixed point is a fixed point of F.
    """
    return spectrum(tangent_jacobian(normalize(E), K, factor), factor, tol)
