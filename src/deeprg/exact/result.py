"""The result type shared by the exact methods (transfer matrices and enumeration)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..display import compact_repr


class ExactResult(NamedTuple):
    """Exact thermodynamics of a finite network.

    log_z : log of the sum of Gibbs weights (no Gaussian normalization constants).
    mean_h : (M, L, N) array, <h^(m)[l]_i> for m = 1..M.
    cov_h : (M L N, M L N) connected covariance in (m, l, i) order, or None when not computed.
    method : "transfer" or "enumerate".
    """

    log_z: float
    mean_h: np.ndarray
    cov_h: np.ndarray | None
    method: str

    __repr__ = compact_repr  # a summary of the per-layer arrays, not all M of them
