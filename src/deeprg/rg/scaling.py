r"""Scaling near fixed points: xi from the spectrum of T, nu from xi ~ |delta|^-nu, G(r) (Lee, Lee & Yi, eqs 35-40).

Two different things are computed here and kept apart:

- **Probabilities** (:func:`exact_bulk`): for real non-negative weights, T = K E^T is a transfer matrix of a
  Gibbs measure and the exact engine (:func:`deeprg.exact.bulk`) gives xi and
  :math:`G(r) = \langle h_0 h_r\rangle - \langle h\rangle^2`. Complex or negative weights are refused with a
  :class:`ValueError` that says why: they are not Boltzmann weights.
- **Algebra** (:func:`algebraic_correlation`, :func:`deeprg.exact.transfer.correlation_length`): the same spectral formulas continued to any
  diagonalizable T with a unique dominant eigenvalue :math:`\lambda_1`. With right/left eigenvectors
  :math:`T = \sum_k \lambda_k \rho_k \ell_k^\top`, :math:`\ell_k^\top \rho_j = \delta_{kj}`, and
  :math:`F = \mathrm{diag}(f)`,

  .. math:: G(r) = \sum_{k \ge 2} (\lambda_k/\lambda_1)^r\, (\ell_1^\top F \rho_k)(\ell_k^\top F \rho_1),
            \qquad \xi = 1/\ln(|\lambda_1|/|\lambda_2|),

  which for a positive T is the exact engine's G. Near the fictitious point of eq 30 T is not positive, so
  these are algebraic continuations, not correlations of any ensemble.

One RG step maps T to :math:`T^p`, so every eigenvalue ratio is raised to the power p and :math:`\xi' = \xi/p`
exactly, and :math:`G'(r) = G(p r)` exactly (the kept neurons are untouched by decimation).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..exact import TransferMatrices
from ..exact import bulk as exact_engine_bulk
from ..exact.transfer import constraint_factor, correlation_length
from . import couplings as cp
from .decimation import check_pair, transfer
from .fixed_points import is_physical


def _spectral(T: np.ndarray):
    values, right = np.linalg.eig(np.asarray(T, dtype=complex))
    order = np.argsort(-np.abs(values), kind="stable")
    values, right = values[order], right[:, order]
    return values, right, np.linalg.inv(right)  # rows of the inverse are the dual left vectors


def algebraic_correlation(T: np.ndarray, f: np.ndarray, r) -> np.ndarray:
    """G(r) from the spectral decomposition of T (complex allowed); r may be non-integer (principal powers)."""
    values, right, left = _spectral(T)
    if len(values) > 1 and abs(values[1]) >= abs(values[0]) * (1 - 1e-14):
        raise ValueError("T: the top eigenvalue is not unique in modulus, so the bulk G(r) is undefined "
                         f"(|lambda_1|, |lambda_2| = {abs(values[0]):.6g}, {abs(values[1]):.6g})")
    F = np.asarray(f, dtype=complex)
    r = np.asarray(r, dtype=float)
    amplitudes = (left[0] * F) @ right[:, 1:] * ((left[1:] * F) @ right[:, 0])  # (S-1,)
    ratios = values[1:] / values[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        powers = np.where(ratios[None, :] == 0, (r[:, None] == 0).astype(float),
                          ratios[None, :] ** r.reshape(-1, 1))
    G = powers @ amplitudes
    return G.reshape(r.shape)


def check_boltzmann(E: np.ndarray, what: str = "E") -> None:
    """Raise unless E holds Boltzmann weights (real, >= 0, not all zero)."""
    E = np.asarray(E)
    if np.iscomplexobj(E) and np.any(E.imag != 0) or np.any(np.real(E) < 0):
        raise ValueError(
            f"{what}: weights {np.round(np.asarray(E), 6).tolist()} are complex or negative, i.e. couplings "
            "(A, B, C) with imaginary parts: they are not Boltzmann weights, so the probabilistic exact engine "
            "(deeprg.exact) and the samplers refuse them. The spectrum of such a T (e.g. near the fictitious "
            "fixed point of eq 30) is algebra, not probability: use deeprg.rg.scaling.xi and "
            "deeprg.rg.scaling.algebraic_correlation")


def exact_bulk(E: np.ndarray, K: np.ndarray, states: np.ndarray, rmax: int = 20):
    """Bulk xi and G(r) of the Gibbs measure with factor E, by the exact engine (positive weights only)."""
    check_boltzmann(E)
    E, K = check_pair(np.real(E), K)
    T = transfer(E, K)
    S = len(K)
    tm = TransferMatrices(np.asarray(states), K, E, T, np.ones(S), np.ones(S), 0.0)
    return exact_engine_bulk(tm, rmax)


class LineScan(NamedTuple):
    """xi along a line approaching a point in coupling space, and the fitted nu of xi ~ |delta|^-nu."""

    name: str
    deltas: np.ndarray
    xi: np.ndarray
    nu: float
    nu_stderr: float

    def to_dict(self) -> dict:
        return {"name": self.name, "deltas": self.deltas, "xi": self.xi, "nu": self.nu, "nu_stderr": self.nu_stderr}


def fit_power(deltas: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """Least-squares slope s of ln(values) against ln|delta| and its standard error: returns (-s, stderr)."""
    x, y = np.log(np.abs(deltas)), np.log(values)
    design = np.vstack([x, np.ones_like(x)]).T
    coef, res, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = max(len(x) - 2, 1)
    sigma2 = float(res[0]) / dof if len(res) else 0.0
    cov = sigma2 * np.linalg.inv(design.T @ design)
    return float(-coef[0]), float(math.sqrt(cov[0, 0]))


def line_points(center_exp, direction, deltas) -> np.ndarray:
    """Exp-couplings along (A, B, C) = (A*, B*, C*) + delta * direction: center * exp(delta * direction)."""
    return np.asarray(center_exp, dtype=complex)[None, :] * np.exp(np.outer(deltas, direction))


def scan_line(K: np.ndarray, center_exp, direction, deltas, name: str = "") -> LineScan:
    """xi of T = K E^T along a line in log-coupling space approaching ``center_exp``; nu fitted."""
    deltas = np.asarray(deltas, dtype=float)
    values = np.array([correlation_length(transfer(cp.matrix(z), K)) for z in line_points(center_exp, direction, deltas)])
    nu, err = fit_power(deltas, values)
    return LineScan(name, deltas, values, nu, err)


def xi_step_ratio(K: np.ndarray, exp_points, factor: int = 2) -> np.ndarray:
    """xi(T(R(K))) / xi(T(K)) at each point: 1/p when one RG step divides xi by p."""
    out = []
    for z in exp_points:
        before = correlation_length(transfer(cp.matrix(z), K))
        after = correlation_length(transfer(cp.matrix(cp.step(z, K, factor)), K))
        out.append(after / before)
    return np.array(out)


def correlation_step_ratio(K: np.ndarray, exp_point, f: np.ndarray, r, factor: int = 2) -> np.ndarray:
    """G_{T(R(K))}(r) / G_{T(K)}(p r): eq 37's left side over its right side without the factor."""
    r = np.asarray(r, dtype=float)
    before = algebraic_correlation(transfer(cp.matrix(exp_point), K), f, factor * r)
    after = algebraic_correlation(transfer(cp.matrix(cp.step(exp_point, K, factor)), K), f, r)
    if np.any(np.abs(before) < 1e-300):
        raise ValueError(f"exp_point: G vanishes at {np.asarray(exp_point).tolist()} (zero amplitude), so the "
                         "ratio of correlations is undefined there")
    return after / before


def decay_scale(T: np.ndarray, f: np.ndarray, level: float = math.exp(-1)) -> float:
    """The separation r (continuous) at which |G(r)| / |G(0)| first falls to ``level`` (algebraic G)."""
    from scipy.optimize import brentq

    def excess(r):
        G = algebraic_correlation(T, f, [0.0, r])
        return abs(G[1]) / abs(G[0]) - level

    if excess(0.0) < 0 or not np.isfinite(excess(0.0)):
        raise ValueError("T: G(0) vanishes for this observable, there is no decay scale")
    hi = 1.0
    while excess(hi) > 0:
        hi *= 2
        if hi > 1e15:
            raise ValueError("T: G(r) does not decay")
    return float(brentq(excess, 0.0, hi, xtol=1e-12 * hi, rtol=1e-14))


def collapse(K: np.ndarray, center_exp, direction, f: np.ndarray, deltas, x, exponent: float) -> tuple[float, float]:
    r"""Test of eq 38, :math:`G(r, \delta) \propto \Psi(r |\delta|^{1/y_A})`, along a line.

    Returns (kappa, spread): kappa from the fit of the decay scale r_e(delta) ~ |delta|^-kappa (where |G| has
    fallen by e), and the largest spread across ``deltas`` of G(x |delta|^-exponent, delta) / G(0, delta) over the
    scaled separations ``x`` (zero for a perfect collapse with the given exponent).
    """
    deltas = np.asarray(deltas, dtype=float)
    matrices = [transfer(cp.matrix(z), K) for z in line_points(center_exp, direction, deltas)]
    scales = np.array([decay_scale(T, f) for T in matrices])
    kappa, _ = fit_power(deltas, scales)
    x = np.asarray(x, dtype=float)
    curves = []
    for T, d in zip(matrices, deltas):
        G = algebraic_correlation(T, f, np.concatenate([[0.0], x * abs(d) ** -exponent]))
        curves.append(np.abs(G[1:]) / np.abs(G[0]))
    curves = np.array(curves)
    return kappa, float((curves.max(axis=0) - curves.min(axis=0)).max())


def is_boltzmann(exp_values) -> bool:
    return is_physical(cp.matrix(exp_values))


AXES = {"A": (1.0, 0.0, 0.0), "B": (0.0, 1.0, 0.0), "C": (0.0, 0.0, 1.0), "A=C": (1.0, 0.0, 1.0)}


def axis_exponents(jacobian: np.ndarray, factor: int = 2) -> dict:
    """y_A, y_B, y_C: log_p of the eigenvalue whose eigenvector leans most on each coupling axis."""
    values, vectors = np.linalg.eig(jacobian)
    return {name: float(np.log(abs(values[np.argmax(np.abs(vectors[i]))])) / np.log(factor))
            for i, name in enumerate("ABC")}


def near_identity_point(K: np.ndarray, magnitudes, f: np.ndarray, factor: int = 2) -> dict:
    """xi, nu and G(r) along lines approaching the point where T is proportional to I (algebra, not probability).

    For the toy this is the fictitious fixed point of eq 30. Lines are (A, B, C) = (A*, B*, C*) + delta * axis,
    delta = +-magnitudes; nu is fitted on each line and compared with 1/y of the linearized map.
    """
    from .flows import identity_point
    from .linearize import spectrum

    center = identity_point(K)
    J = cp.jacobian(center, K, factor)
    y = axis_exponents(J, factor)
    magnitudes = np.sort(np.asarray(magnitudes, dtype=float))
    deltas = np.concatenate([-magnitudes[::-1], magnitudes])
    scans = [scan_line(K, center, np.array(axis), deltas, name) for name, axis in AXES.items()]
    line = np.array(AXES["A=C"])
    G = {}
    for d in magnitudes[-3:]:
        T = transfer(cp.matrix(line_points(center, line, [d])[0]), K)
        r = np.unique(np.concatenate([[0.0], np.round(np.logspace(0, np.log10(5 * correlation_length(T)), 60))]))
        G[f"delta = {d:.3g}"] = {"delta": float(d), "r": r, "G": algebraic_correlation(T, f, r).real,
                                 "xi": correlation_length(T)}
    probe = line_points(center, line, [magnitudes[-1], -magnitudes[-1]])
    return {
        "fixed_point": center, "jacobian": J, "linearization": spectrum(J, factor).to_dict(), "y": y,
        "nu_expected": {k: 1 / y[k[0]] for k in AXES}, "lines": [s.to_dict() for s in scans],
        "nu": {s.name: s.nu for s in scans}, "xi_step_ratio": xi_step_ratio(K, probe, factor),
        "G_step_ratio": [correlation_step_ratio(K, z, f, np.arange(1, 21), factor).real for z in probe],
        "G": G,
    }


def plane_approach(K: np.ndarray, states: np.ndarray, b: float, c: float, magnitudes) -> dict:
    """xi of the Gibbs measure (exact engine) on the physical line e^A = e^delta, e^B = b, e^C = c -> the plane."""
    magnitudes = np.sort(np.asarray(magnitudes, dtype=float))
    deltas = np.concatenate([-magnitudes[::-1], magnitudes])
    values = np.array([exact_bulk(cp.matrix((math.exp(d), b, c)).real, K, states, rmax=0).xi for d in deltas])
    return {"deltas": deltas, "xi": values, "xi_log_inverse_delta": values * np.log(1 / np.abs(deltas)),
            "b": b, "c": c}


LARGE_BETA_VS = (3.0, 4.0, 5.0)


def large_beta_v_scaling(K: np.ndarray, states: np.ndarray, p: float) -> dict:
    """xi of the bare chain as beta_v grows, and nu from xi ~ delta^-nu with delta = exp(-beta_v g).

    g is the smallest nonzero mismatch energy |h - t|^p, so delta is the weight of the cheapest violated constraint:
    the distance from the beta_v = inf point. nu = 1 = 1/y where that point is an unstable fixed point of rank >= 2;
    nu = 0 (xi bounded) where beta_v = inf flows to rank 1.
    """
    from ..hamiltonian import mismatch

    distances = mismatch(states[:, None], states[None, :], p)
    gap = float(distances[distances > 0].min())
    values = [correlation_length(transfer(constraint_factor(states, b, p), K)) for b in LARGE_BETA_VS]
    slope = float(np.polyfit(LARGE_BETA_VS, np.log(values), 1)[0]) if all(v > 0 for v in values) else 0.0
    return {"beta_v": list(LARGE_BETA_VS), "xi": values, "gap": gap, "nu": slope / gap}


NEAR_EPSILONS = (1e-3, 1e-4, 1e-5)


def xi_near(E: np.ndarray, K: np.ndarray, rank: int) -> dict:
    """xi at E + eps D along a fixed generic positive direction D (eps in :data:`NEAR_EPSILONS`), and nu of
    xi ~ eps^-nu (rank >= 2 only: near a rank-1 point xi -> 0 and there is no power law; None there)."""
    from .decimation import gauge

    direction = gauge(len(K)).reshape(len(K), len(K))
    values = [correlation_length(transfer(E + eps * direction, K)) for eps in NEAR_EPSILONS]
    ok = rank >= 2 and all(math.isfinite(v) and v > 0 for v in values)
    nu = fit_power(np.array(NEAR_EPSILONS), np.array(values))[0] if ok else None
    return {"epsilon": list(NEAR_EPSILONS), "xi": values, "nu": nu}
