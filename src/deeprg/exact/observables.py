r"""Bulk observables of the infinitely deep chain from either exact engine, for overlays and comparisons.

For a layer state :math:`h` (L rows, N units) the unit averages

.. math::  m = \frac1N\sum_i h_{0,i} \quad\text{(magnetization of row 0)},\qquad
           q = \frac1N\sum_i h_{0,i} h_{1,i} \quad\text{(overlap of rows 0 and 1, L >= 2)}

have bulk means and correlations :math:`G(r) = \mathrm{Cov}(X^{(m)}, X^{(m+r)})`; their ``xi`` is the decay length of
that G, i.e. the slowest eigenmode of T with non-zero weight in it (which need not be the second eigenvalue of T).
With the full engine, :math:`G(r) = \ell^\top F (T/\lambda)^r F\rho/\ell^\top\rho - \langle X\rangle^2` for the
diagonal matrix F of X; the symmetric engine uses the lumped chain (:mod:`deeprg.exact.symmetric`). Both give
the same numbers wherever both run.
"""

from __future__ import annotations

import math

import numpy as np

from ..model import NetworkSpec, count_weight_configurations
from . import symmetric as sym
from .transfer import MAX_STATES, TransferMatrices, build, correlation_length, stationary_correlation

FULL_ENGINE_BUDGET = 10**7  # |W|^(N^2+N) * |V|^(L N) above which "auto" prefers the symmetric engine
ENGINES = ("auto", "full", "symmetric")


def full_engine_cost(spec: NetworkSpec) -> float:
    """Weight configurations times layer states: the work of building the full T."""
    states = len(spec.values.neurons) ** (spec.rows * spec.width)
    return float(count_weight_configurations(spec)) * states if states <= MAX_STATES else math.inf


def choose_engine(spec: NetworkSpec, engine: str = "auto") -> str:
    """``full`` when the full transfer matrix is cheap (<= 10^7 terms), else ``symmetric``."""
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    if engine == "auto":
        return "full" if full_engine_cost(spec) <= FULL_ENGINE_BUDGET else "symmetric"
    return engine


def _full_series(tm: TransferMatrices, sp: sym.Spectrum, f: np.ndarray, rmax: int) -> sym.Series:
    ell, rho = sp.ell, sp.rho
    mean, G = stationary_correlation(tm.T, sp.lam, ell, rho, f, rmax)
    scale = max(abs(G[0]), mean**2, 1e-300) * (ell @ rho)
    return sym.Series(mean, G, sym.decay_length(sp, ell * f, rho * f, scale))


def full_bulk_observables(tm: TransferMatrices, rmax: int = 20) -> dict:
    """Single-unit, magnetization and overlap series from the full transfer matrix."""
    sp = sym.spectrum(tm.T)
    s = tm.states
    single = _full_series(tm, sp, s[:, 0, 0], rmax)
    out = {"engine": "full", "free_energy_per_layer": math.log(sp.lam), "xi": correlation_length(sp.values),
           "single": single, "magnetization": _full_series(tm, sp, s[:, 0, :].mean(axis=1), rmax),
           "overlap": _full_series(tm, sp, (s[:, 0, :] * s[:, 1, :]).mean(axis=1), rmax) if s.shape[1] >= 2 else None}
    return out


def symmetric_bulk_observables(blocks: sym.BlockChain, rmax: int = 20) -> dict:
    b = sym.bulk_blocks(blocks, rmax)
    return {"engine": "symmetric", "reduction": blocks.reduction, "blocks": len(blocks.A),
            "free_energy_per_layer": b.free_energy_per_layer, "xi": b.xi, "single": b.single,
            "magnetization": b.magnetization, "overlap": b.overlap}


def bulk_observables(spec: NetworkSpec, rmax: int = 20, engine: str = "auto") -> dict:
    """Exact bulk values for overlays: single-unit, magnetization and overlap {mean, G, xi}.

    Parameters
    ----------
    spec : NetworkSpec
        Only the layer model matters (width, rows, value sets, activation, beta_v, p); depth, x, y do not.
    rmax : int
        G(r) for r = 0..rmax.
    engine : {"auto", "full", "symmetric"}
        ``auto`` builds the full T when it is cheap and the permutation-symmetric block chain otherwise.

    Returns
    -------
    dict with ``engine``, ``free_energy_per_layer``, ``xi`` (of T), and :class:`~deeprg.exact.symmetric.Series`
    (``mean``, ``G``, ``xi``; xi may be ``inf``) under ``single`` (row 0, unit 0), ``magnetization`` and
    ``overlap`` (None when L = 1).
    """
    if isinstance(rmax, bool) or not isinstance(rmax, (int, np.integer)) or rmax < 0:
        raise ValueError(f"rmax: must be an integer >= 0, got {rmax!r}")
    if choose_engine(spec, engine) == "full":
        return full_bulk_observables(build(spec), int(rmax))
    return symmetric_bulk_observables(sym.build_blocks(spec), int(rmax))


# -- output helpers ----------------------------------------------------------------------------------------
JSON_ARRAY_LIMIT = 10**5  # mean_h larger than this goes to arrays.npz beside result.json
FULL_ENGINE_LIMIT = 10**9  # weight configurations x layer states the full engine may visit


def check_full_engine(spec: NetworkSpec) -> None:
    """Refuse (count and limit, before allocating) a full transfer matrix that would not fit."""
    cost = full_engine_cost(spec)
    if cost > FULL_ENGINE_LIMIT:
        states = len(spec.values.neurons) ** (spec.rows * spec.width)
        raise ValueError(f"width/rows: the full transfer matrix needs {count_weight_configurations(spec)} weight "
                         f"configurations x {states} layer states (limit {FULL_ENGINE_LIMIT:.0e} terms, "
                         f"{MAX_STATES} states); use --method symmetric")


def finite_or_none(x: float) -> float | None:
    """Strict JSON: an infinite decay length is written as null."""
    return float(x) if math.isfinite(x) else None


def series_json(series: sym.Series | None) -> dict | None:
    """{mean, G, xi} with xi = null when infinite (a degenerate top of T with weight in G)."""
    if series is None:
        return None
    return {"mean": series.mean, "G": series.G, "xi": finite_or_none(series.xi)}

