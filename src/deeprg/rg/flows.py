r"""RG flows: repeated decimation from any start (Lee, Lee & Yi, Figs 4-5).

On E (any model) the flow is :math:`E_{k+1} = E_k (K^\top E_k)^{p-1} / s_k` with :math:`s_k` the largest modulus,
so :math:`T_k = K E_k^\top \propto T_0^{p^k}` and :math:`\sum_k p^{-k-1} \log s_k` accumulates the free energy.
For binary N = L = 1 models the flow of the exp-couplings :math:`(e^A, e^B, e^C)` is the rational map of eq 27.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..exact.transfer import constraint_factor, correlation_length
from ..results import complex_or_real
from .couplings import exp_couplings, matrix
from .decimation import check_pair, decimate, transfer
from .fixed_points import canonical

FLOW_BETA_VS = (0.25, 1.0, 4.0, math.inf)  # flows from the model's own E(beta_v) drawn per catalog model
FLOW_STEPS = 12


class MatrixFlow(NamedTuple):
    """E_0..E_n (each with largest modulus 1) and the log scales divided out at each step."""

    E: np.ndarray  # (n + 1, S, S)
    log_scales: np.ndarray  # (n,)


class CouplingFlow(NamedTuple):
    """(e^A, e^B, e^C) at steps 0..n, complex."""

    exp_couplings: np.ndarray  # (n + 1, 3)

    @property
    def couplings(self) -> np.ndarray:
        """(A, B, C) on the principal branch (complex where a weight is negative)."""
        with np.errstate(divide="ignore"):
            return np.log(self.exp_couplings)

    @property
    def is_real(self) -> bool:
        """True when every (A, B, C) is real: all weights real and positive."""
        z = self.exp_couplings
        return bool(np.all(z.imag == 0) and np.all(z.real > 0))

    def steps(self) -> list[dict]:
        """[{"A", "B", "C"}] per step: plain numbers when the whole flow is real, else {"re", "im"} pairs."""
        logs = self.couplings
        if self.is_real:
            return [{k: float(v.real) for k, v in zip("ABC", row)} for row in logs]
        return [{k: {"re": float(v.real), "im": float(v.imag)} for k, v in zip("ABC", row)} for row in logs]

    def to_dict(self) -> dict:
        return {"steps": self.steps(), "real": self.is_real,
                "exp_couplings": [[complex_or_real(z) for z in row] for row in self.exp_couplings]}


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps: must be an integer >= 0, got {steps!r}")
    return int(steps)


def matrix_flow(E0: np.ndarray, K: np.ndarray, steps: int, factor: int = 2) -> MatrixFlow:
    """Iterate the decimation map ``steps`` times from E0."""
    steps = _check_steps(steps)
    E, K = check_pair(E0, K)
    E = E / np.abs(E).max()
    out = np.empty((steps + 1,) + E.shape, dtype=E.dtype)
    out[0] = E
    scales = np.empty(steps, dtype=complex)
    for k in range(steps):
        try:
            out[k + 1], scales[k] = decimate(out[k], K, factor)
        except ValueError as err:
            raise ValueError(f"steps: the flow becomes singular at step {k + 1}: {err}") from None
    if np.all(scales.imag == 0):
        scales = scales.real
    return MatrixFlow(out, scales)


def coupling_flow(exp_start, K: np.ndarray, steps: int, factor: int = 2) -> CouplingFlow:
    """The flow of (e^A, e^B, e^C) from ``exp_start`` (complex allowed); raises where a coupling becomes infinite."""
    flow = matrix_flow(matrix(exp_start), K, steps, factor)
    out = np.empty((len(flow.E), 3), dtype=complex)
    out[0] = exp_start  # exactly the start (the normalized E[0] would add round-off)
    for k, E in enumerate(flow.E[1:], start=1):
        try:
            out[k] = exp_couplings(E)
        except ValueError:
            raise ValueError(f"steps: at step {k} the factor E has a zero entry, so the couplings (A, B, C) are "
                             f"infinite; E = {np.round(E, 12).tolist()}; use fewer steps") from None
    return CouplingFlow(out)


def identity_point(K: np.ndarray) -> np.ndarray:
    """(e^A, e^B, e^C) of E proportional to K^{-T}, where T = K E^T is proportional to I (eq 30 for the toy)."""
    K = np.asarray(K, dtype=float)
    if K.shape != (2, 2):
        raise ValueError(f"K: couplings need a binary N = L = 1 model (2 x 2 K), got {K.shape}")
    if abs(np.linalg.det(K)) < 1e-12 * max(1.0, np.abs(K).max() ** 2):
        raise ValueError("K: is singular, so no factor E makes T = K E^T proportional to the identity")
    return exp_couplings(np.linalg.inv(K).T)


def plane_examples(K: np.ndarray, steps: int = 6) -> list[np.ndarray]:
    """Flows of real positive couplings towards the plane e^A = 1 (starts on both sides of it), cf. Fig 4."""
    starts = ((0.4, 1.2, 0.8), (2.5, 0.6, 1.4), (1.6, 1.5, 0.5), (0.7, 0.5, 1.6), (3.0, 1.0, 1.0))
    return [coupling_flow(s, K, steps).exp_couplings for s in starts]


def fictitious_examples(K: np.ndarray, radius: float = 0.05, count: int = 10, steps: int = 4) -> list[np.ndarray]:
    """Flows from a ring around the point where T is proportional to I, in its (e^A, e^B) plane, cf. Fig 5."""
    center = identity_point(K)
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return [coupling_flow(center + radius * np.array([np.cos(t), np.sin(t), 0]), K, steps).exp_couplings
            for t in angles]


def flow_limit(E0: np.ndarray, K: np.ndarray, max_steps: int = 200, tol: float = 1e-14):
    """Iterate the decimation from E0 until the canonical E stops changing; returns (E, steps, converged)."""
    E = canonical(E0)
    for n in range(1, max_steps + 1):
        nxt = canonical(decimate(E, K).E)
        if np.abs(nxt - E).max() < tol:
            return nxt, n, True
        E = nxt
    return E, max_steps, False


def flow_observables(K: np.ndarray, states: np.ndarray, p: float) -> dict:
    """xi of T_n and sigma_2/sigma_1 of E_n along the flows from E(beta_v) (data of the per-model figure)."""
    out = {}
    for beta_v in FLOW_BETA_VS:
        E = constraint_factor(states, beta_v, p)
        xis, ratios = [], []
        for _ in range(FLOW_STEPS + 1):
            s = np.linalg.svd(E, compute_uv=False)
            xis.append(correlation_length(transfer(E, K)))
            ratios.append(float(s[1] / s[0]) if len(s) > 1 else 0.0)
            E = decimate(E, K).E
        out[f"{beta_v:g}"] = {"xi": xis, "sigma_ratio": ratios}
    return out
