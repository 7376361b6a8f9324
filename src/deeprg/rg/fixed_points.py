r"""Fixed points of the RG map on E for any discrete model, by Newton's method from many starts (Lee, Lee & Yi, eq 28).

A fixed point up to scale solves :math:`E (K^\top E)^{p-1} = \lambda E`; on the normalized map
:math:`F(E) = M(E) / n(M(E))` of :mod:`deeprg.rg.decimation` it is :math:`F(E) = E` with :math:`n(E) = 1`.
With :math:`T = K E^\top` these are the :math:`T` with :math:`T^p \propto T`: rank-1 factors (:math:`\xi = 0`),
:math:`T \propto` an idempotent of intermediate rank, and :math:`T \propto I` (:math:`\xi = \infty`; for the toy the
fictitious point of eq 30). They come in continuous families, so the Jacobian of :math:`F - I` is singular along
them: each Newton step is the minimum-norm least-squares solution of
:math:`(J_F - I)\,\delta = -(F(E) - E)`, :math:`w^\top \delta = 0`, with step halving when the residual grows.

Every start ends in one of: converged (verified by applying the map once more: relative residual
:math:`\max|F(E) - E| / \max|E| <` ``tol``), or a counted failure (``max_iterations``, ``non_finite``,
``degenerate`` when :math:`n(M) = 0`, i.e. :math:`E K^\top E` leaves the normalizable set). Nothing is dropped
silently. Converged points are deduplicated up to scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..results import complex_or_real
from .couplings import exp_couplings
from .decimation import check_factor, check_pair, gauge, normalize, normalized_map
from .linearize import Linearization, linearize, map_jacobian

MAX_UNKNOWNS = 1024  # S^2: the Newton system is dense
START_KINDS = ("real", "positive", "complex")
POLISHED = 1e-14  # Newton continues below the verification tolerance, to this relative residual


@dataclass(frozen=True)
class FixedPoint:
    """A verified fixed point of the normalized map (E scaled so that its largest-modulus entry is 1)."""

    E: np.ndarray
    linearization: Linearization
    rank: int
    physical: bool
    residual: float
    found: int = 1  # how many starts converged to it

    @property
    def stable(self) -> bool:
        return self.linearization.stable

    @property
    def exp_couplings(self) -> np.ndarray | None:
        """(e^A, e^B, e^C) for binary N = L = 1 models with finite couplings, else None."""
        if self.E.shape != (2, 2) or np.any(np.abs(self.E) < 1e-300):
            return None
        return exp_couplings(self.E)

    def to_dict(self) -> dict:
        out = {
            "E": [[complex_or_real(z, 1e-13) for z in row] for row in self.E],
            "eigenvalues": [complex_or_real(z) for z in self.linearization.eigenvalues],
            "exponents": [complex_or_real(z) for z in self.linearization.exponents],
            "classes": list(self.linearization.classes),
            "counts": self.linearization.counts(),
            "rank": self.rank, "physical": self.physical, "stable": self.stable,
            "residual": self.residual, "found": self.found,
        }
        if self.E.shape == (2, 2):  # binary N = L = 1: null where a zero weight makes a coupling infinite
            couplings = self.exp_couplings
            out["exp_couplings"] = None if couplings is None else [complex_or_real(z, 1e-12) for z in couplings]
        return out


@dataclass(frozen=True)
class FixedPointSearch:
    """All distinct fixed points found, and what happened to every start."""

    fixed_points: tuple[FixedPoint, ...]
    starts: int
    converged: int
    failures: dict = field(default_factory=dict)  # reason -> count

    @property
    def non_converged(self) -> int:
        return sum(self.failures.values())

    def to_dict(self) -> dict:
        return {"fixed_points": list(self.fixed_points), "starts": self.starts, "converged": self.converged,
                "non_converged": self.non_converged, "failures": dict(self.failures),
                "distinct": len(self.fixed_points)}


def canonical(E: np.ndarray) -> np.ndarray:
    """E divided by its largest-modulus entry (the first one on ties): a representative up to complex scale."""
    E = np.asarray(E)
    flat = E.reshape(-1)
    top = np.abs(flat).max()
    pivot = flat[np.flatnonzero(np.abs(flat) >= top * (1 - 1e-9))[0]]
    return E / pivot


def residual(E: np.ndarray, K: np.ndarray, factor: int = 2) -> float:
    """max |F(E) - E| / max |E| after normalizing E: zero exactly at fixed points."""
    E = normalize(E)
    return float(np.abs(normalized_map(E, K, factor) - E).max() / np.abs(E).max())


def is_physical(E: np.ndarray, tol: float = 1e-10) -> bool:
    """All weights real and >= 0 up to a common complex factor (zeros = hard constraints, as at beta_v = inf)."""
    C = canonical(E)
    return bool(np.all(np.abs(C.imag) <= tol) and np.all(C.real >= -tol))


def numerical_rank(E: np.ndarray, tol: float = 1e-8) -> int:
    s = np.linalg.svd(np.asarray(E), compute_uv=False)
    return int((s > tol * s[0]).sum())


def newton(E0: np.ndarray, K: np.ndarray, factor: int = 2, tol: float = 1e-10, max_iter: int = 60):
    """Damped least-squares Newton on F(E) = E, n(E) = 1. Returns (E, residual, status)."""
    w = gauge(len(K))
    S2 = w.size
    try:
        E = normalize(E0, w)
    except ValueError:
        return E0, np.inf, "degenerate"
    for _ in range(max_iter):
        try:
            F = normalized_map(E, K, factor, w)
            J = map_jacobian(E, K, factor, w)
        except ValueError:
            return E, np.inf, "degenerate"
        R = (F - E).reshape(-1)
        size = np.abs(R).max() / np.abs(E).max()
        if not np.isfinite(size):
            return E, np.inf, "non_finite"
        if size < POLISHED:
            break
        A = np.vstack([J - np.eye(S2), w[None, :]])
        delta = np.linalg.lstsq(A, np.concatenate([-R, [0.0]]), rcond=None)[0].reshape(E.shape)
        step = 1.0
        for _ in range(30):  # halve until the residual decreases
            trial = E + step * delta
            try:
                trial_size = np.abs(normalized_map(trial, K, factor, w) - trial).max() / np.abs(trial).max()
            except ValueError:
                trial_size = np.inf
            if np.isfinite(trial_size) and trial_size < size:
                break
            step /= 2
        else:
            break  # no decrease: round-off floor or a stalled start; the verification below decides
        E = normalize(trial, w)
    try:
        final = residual(E, K, factor)
    except ValueError:
        return E, np.inf, "degenerate"
    if not np.isfinite(final):
        return E, np.inf, "non_finite"
    return E, final, "converged" if final < tol else "max_iterations"


def find_fixed_points(K: np.ndarray, starts: int = 64, rng: np.random.Generator | None = None,
                      factor: int = 2, start_kind: str = "real", initial: list | None = None,
                      tol: float = 1e-10, max_iter: int = 60, dedup_tol: float = 1e-7,
                      progress=None) -> FixedPointSearch:
    """Newton from ``starts`` random E plus the ``initial`` guesses.

    ``start_kind``: ``"real"`` (entries N(0, 1)), ``"positive"`` (entries exp(N(0, 1)), Boltzmann weights) or
    ``"complex"`` (real and imaginary parts N(0, 1)).

    Parameters
    ----------
    K : (S, S) multiplicity of the model (from :func:`deeprg.rg.decimation.model_matrices`).
    rng : numpy Generator for the random starts (default ``np.random.default_rng(0)``).
    progress : optional callable ``advance(n)`` (see :func:`deeprg.progress.progress_bar`).
    """
    factor = check_factor(factor)
    K = np.asarray(K, dtype=float)
    check_pair(np.ones_like(K), K)
    if K.size > MAX_UNKNOWNS:
        raise ValueError(f"K: {len(K)} layer states give {K.size} unknowns (> {MAX_UNKNOWNS}); the dense Newton "
                         "search needs |neurons|^(L*N) <= 32")
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 0:
        raise ValueError(f"starts: must be an integer >= 0, got {starts!r}")
    if start_kind not in START_KINDS:
        raise ValueError(f"start_kind: must be one of {START_KINDS}, got {start_kind!r}")
    rng = np.random.default_rng(0) if rng is None else rng
    guesses = [np.asarray(g, dtype=complex if start_kind == "complex" else None) for g in (initial or [])]
    S = len(K)
    for _ in range(starts):
        g = rng.standard_normal((S, S))
        if start_kind == "positive":
            g = np.exp(g)
        elif start_kind == "complex":
            g = g + 1j * rng.standard_normal((S, S))
        guesses.append(g)
    found: list[list] = []  # [canonical E, residual, count]
    failures: dict[str, int] = {}
    for g in guesses:
        E, res, status = newton(g, K, factor, tol, max_iter)
        if status == "converged":
            C = canonical(E)
            for entry in found:
                if np.abs(entry[0] - C).max() < dedup_tol:
                    entry[2] += 1
                    break
            else:
                found.append([C, res, 1])
        else:
            failures[status] = failures.get(status, 0) + 1
        if progress is not None:
            progress(1)
    points = tuple(
        FixedPoint(C, linearize(C, K, factor), numerical_rank(C), is_physical(C), res, count)
        for C, res, count in found)
    return FixedPointSearch(points, len(guesses), len(guesses) - sum(failures.values()), failures)
