r"""Observables of the sampled chains: the position-averaged correlation function of Fig 7 and covariances.

Correlation function (Fig 7: "time-averaged correlation ... as a function of spatial separation, averaged over
all positions"). For the neuron value :math:`f(h_m)` of one (row, unit) and a bulk window
:math:`B = [m_\text{lo}, m_\text{hi}]` (``edge`` layers cut at both ends, so boundary layers do not enter),
each chain c records at every measured sweep t

.. math::

    P_{ct}(r) = \frac{1}{|B| - r} \sum_{m, m+r \in B} f(h_m) f(h_{m+r}), \qquad
    H_{ct} = \frac{1}{|B|} \sum_{m \in B} f(h_m),

the position-averaged products and mean. Translation invariance in the bulk (:math:`\langle h_m\rangle` does
not depend on m) gives :math:`G(r) = \langle P(r)\rangle - \langle H\rangle^2`, with the averages taken over
time within each chain and over chains (the same as the time average of each
:math:`\langle h_m h_{m+r}\rangle - \langle h_m\rangle\langle h_{m+r}\rangle` averaged over positions, up to
the O(1/n) bias of products of per-position time averages, which this form avoids). The error bar is the
delta method done on the time series: :func:`deeprg.stats.estimate` of
:math:`g_{ct}(r) = P_{ct}(r) - 2\bar H H_{ct}` (so that :math:`G(r) = \bar g(r) + \bar H^2`), whose
fluctuations to first order are those of the estimator of G(r).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..stats import Estimate, estimate

MAX_EDGE = 100
OBSERVABLES = ("unit", "magnetization", "overlap")


def state_observables(states: np.ndarray, row: int, unit: int) -> np.ndarray:
    r"""(3, S) values of :data:`OBSERVABLES` for joint layer states (S, L, N): the unit
    :math:`h_{\text{row},\text{unit}}`, the magnetization :math:`\frac1N\sum_i h_{0i}` and the overlap of the first
    two data rows :math:`q = \frac1N\sum_i h_{0i} h_{1i}` (zero when L = 1)."""
    h0 = states[:, 0, :]
    overlap = (h0 * states[:, 1, :]).mean(axis=1) if states.shape[1] > 1 else np.zeros(len(states))
    return np.stack([states[:, row, unit], h0.mean(axis=1), overlap]).astype(float)


def bulk_window(depth: int, rmax: int) -> tuple[int, int]:
    """Positions (1-based layers) [lo, hi] averaged over: ``edge = min(100, depth // 10)`` layers cut each end."""
    edge = min(MAX_EDGE, depth // 10)
    lo, hi = 1 + edge, depth - edge
    if hi - lo + 1 < rmax + 2:
        raise ValueError(f"depth: {depth} layers leave a bulk window of {max(hi - lo + 1, 0)} layers, too short "
                         f"for rmax = {rmax}; use depth >= {int((rmax + 2) * 1.25) + 2} or a smaller --rmax")
    return lo, hi


class Correlation(NamedTuple):
    """G(r), r = 0..rmax, with error bars and diagnostics of the estimator of each G(r)."""

    G: np.ndarray
    G_err: np.ndarray
    mean: float
    mean_err: float
    tau_int: np.ndarray
    ess: np.ndarray
    r_hat: np.ndarray

    def to_dict(self) -> dict:
        return self._asdict()


def correlation(series: np.ndarray) -> Correlation:
    """G(r) from position-averaged series (chains, time, rmax + 2) holding P(r) for r = 0..rmax, then H."""
    series = np.asarray(series, dtype=float)
    H = series[..., -1]
    h_bar = H.mean()
    g = series[..., :-1] - 2.0 * h_bar * H[..., None]
    est = estimate(g)
    mean_est = estimate(H)
    return Correlation(est.mean + h_bar**2, est.stderr, float(h_bar), float(mean_est.stderr), est.tau_int,
                       est.ess, est.r_hat)


def covariance(samples: np.ndarray) -> Estimate:
    """Connected covariance of observables from samples (chains, time, K): an Estimate of shape (K, K).

    Estimated as the mean of centred products (centred at the overall means), whose time series carries the
    first-order (delta-method) error of :math:`\\langle ab\\rangle - \\langle a\\rangle\\langle b\\rangle`.
    """
    x = np.asarray(samples, dtype=float)
    centred = x - x.mean(axis=(0, 1))
    return estimate(centred[..., :, None] * centred[..., None, :])


def correlation_length(G: np.ndarray, G_err: np.ndarray, significance: float = 3.0) -> float:
    """xi from a weighted straight-line fit of ln G(r) for r >= 1 where G(r) > ``significance`` error bars
    (needs two such r; NaN otherwise)."""
    r = np.arange(len(G))
    keep = (r >= 1) & (G > significance * G_err)
    if keep.sum() < 2:
        return float("nan")
    weights = (G[keep] / G_err[keep]) ** 2  # 1 / var(ln G)
    slope = np.polyfit(r[keep], np.log(G[keep]), 1, w=np.sqrt(weights))[0]
    return float(-1.0 / slope) if slope < 0 else float("inf")


MAX_EXACT_WORK = 5e8  # joint states x weight configurations the full transfer engine may enumerate


class ExactBulk(NamedTuple):
    """Exact bulk G(r) and mean of the per-layer observables (keys of :data:`OBSERVABLES`)."""

    G: dict  # name -> (rmax + 1,) array
    mean: dict  # name -> float
    xi: float
    source: str  # "full" (transfer matrix) or "symmetric" (permutation-symmetric block chain)


def exact_bulk(spec, rmax: int, row: int, unit: int) -> ExactBulk | None:
    """Exact bulk of the unit (row, unit), the magnetization and the overlap from
    :func:`deeprg.exact.observables.bulk_observables` (the full transfer engine when it is cheap, else the
    permutation-symmetric one), or None when neither can hold the spec: an overlay never stops a run. The
    symmetric engine gives the single unit at (row 0, unit 0) only, so other units are left out there."""
    from ..exact import symmetric
    from ..exact.observables import bulk_observables, choose_engine, full_engine_cost

    try:
        engine = choose_engine(spec)
        if engine == "full" and full_engine_cost(spec) > MAX_EXACT_WORK:
            return None
        if engine == "symmetric":
            symmetric.check_limits(spec)
        obs = bulk_observables(spec, rmax, engine)
    except ValueError:
        return None
    G, mean = {}, {}
    if (row, unit) == (0, 0):
        G["unit"], mean["unit"] = obs["single"].G, obs["single"].mean
    elif engine == "full":
        from ..exact.transfer import build, bulk

        b = bulk(build(spec), rmax, row, unit)
        G["unit"], mean["unit"] = b.G, b.mean
    for name in ("magnetization", "overlap"):
        if obs.get(name) is not None:
            G[name], mean[name] = obs[name].G, obs[name].mean
    return ExactBulk(G, mean, obs["xi"], obs["engine"])
