r"""One statistics routine for every Monte Carlo error bar in deeprg.

For samples :math:`x_{c,t}` from :math:`C` chains of length :math:`n`, the normalized autocorrelation is
averaged over chains,

.. math::  \rho(t) = \frac{\sum_c \hat\Gamma_c(t)}{\sum_c \hat\Gamma_c(0)}, \qquad
           \hat\Gamma_c(t) = \frac1n \sum_{s=0}^{n-t-1} (x_{c,s}-\bar x_c)(x_{c,s+t}-\bar x_c),

and the integrated autocorrelation time uses Sokal's automatic window
:math:`\tau_{int}(W) = 1 + 2\sum_{t=1}^{W}\rho(t)` with the smallest :math:`W \ge c\,\tau_{int}(W)`, :math:`c=5`.
Then :math:`\mathrm{ESS} = C n / \tau_{int}` and the standard error of the mean is
:math:`\sqrt{\mathrm{Var}(x)\,\tau_{int} / (C n)}`. :math:`\hat R` is the split-chain Gelman-Rubin statistic
(each chain cut in halves), which is close to 1 when chains agree.

Chains that have not mixed (:math:`\hat R >` :data:`R_HAT_MIXED`) stay near their starts for longer than the run,
so the window above, which only sees within-chain fluctuations, understates the error. Then the chains themselves
are the independent samples: the standard error is at least that of the :math:`C` chain means,
:math:`s(\bar x_c)/\sqrt C`, and :math:`\tau_{int}` and the ESS are the effective values that error implies.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

SOKAL_WINDOW = 5.0
R_HAT_MIXED = 1.1  # Gelman-Rubin's customary bound for chains that agree


class Estimate(NamedTuple):
    """Mean of an observable with its error bar; every field has the observable's shape."""

    mean: np.ndarray
    stderr: np.ndarray
    tau_int: np.ndarray
    ess: np.ndarray
    r_hat: np.ndarray


def _autocorrelation(x: np.ndarray) -> np.ndarray:
    """Chain-averaged normalized autocorrelation of ``x`` shaped (C, n, K); returns (n, K)."""
    n = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=1)[:, :n].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = acov / acov[0]
    return np.where(acov[0] > 0, rho, 0.0)


def _tau_sokal(rho: np.ndarray) -> np.ndarray:
    taus = 1.0 + 2.0 * np.cumsum(rho[1:], axis=0)  # tau(W) for W = 1..n-1
    if taus.shape[0] == 0:
        return np.ones(rho.shape[1])
    windows = np.arange(1, taus.shape[0] + 1)[:, None]
    ok = windows >= SOKAL_WINDOW * taus
    first = np.where(ok.any(axis=0), ok.argmax(axis=0), taus.shape[0] - 1)
    tau = taus[first, np.arange(rho.shape[1])]
    return np.maximum(tau, 1.0 / (rho.shape[0]))  # anticorrelated chains can give tau < 1; keep it positive


def _split_r_hat(x: np.ndarray) -> np.ndarray:
    half = x.shape[1] // 2
    if half < 2:
        return np.full(x.shape[2], np.nan)
    halves = np.concatenate([x[:, :half], x[:, half:2 * half]], axis=0)
    within = halves.var(axis=1, ddof=1).mean(axis=0)
    between = half * halves.mean(axis=1).var(axis=0, ddof=1)
    pooled = (half - 1) / half * within + between / half
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt(pooled / within)
    return np.where((within == 0) & (between == 0), 1.0, r)


def estimate(samples, *, chains: bool = True, independent: bool = False) -> Estimate:
    """Mean, standard error, tau_int, ESS and split R-hat of Monte Carlo samples.

    Parameters
    ----------
    samples : array_like
        Shape ``(C, n, *obs)`` (``chains=True``: chain, time, observable axes) or ``(n, *obs)`` for one chain.
    chains : bool
        Whether the first axis indexes independent chains.
    independent : bool
        The samples are known to be independent draws (e.g. one per sampled random network): then
        :math:`\\tau_{int} = 1` exactly instead of Sokal's estimate, which at small sample sizes scatters
        below 1 and understates the error (median stderr 0.44x the true one at n = 10 iid draws).
    """
    x = np.asarray(samples, dtype=float)
    if not chains:
        x = x[None]
    if x.ndim < 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ValueError(f"samples: need shape (chains >= 1, time >= 2, ...), got {np.shape(samples)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples: contain NaN or infinity")
    obs_shape = x.shape[2:]
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    total = flat.shape[0] * flat.shape[1]
    tau = np.ones(flat.shape[2]) if independent else _tau_sokal(_autocorrelation(flat))
    variance = flat.reshape(total, -1).var(axis=0, ddof=1)
    stderr = np.sqrt(variance * tau / total)
    r_hat = _split_r_hat(flat)
    n_chains = flat.shape[0]
    if n_chains > 1 and not independent:
        between = flat.mean(axis=1).std(axis=0, ddof=1) / np.sqrt(n_chains)
        unmixed = (r_hat > R_HAT_MIXED) & (between > stderr)
        stderr = np.where(unmixed, between, stderr)
        with np.errstate(invalid="ignore", divide="ignore"):
            tau = np.where(unmixed, total * stderr**2 / variance, tau)
    ess = total / tau
    mean = flat.mean(axis=(0, 1))
    return Estimate(*(a.reshape(obs_shape) for a in (mean, stderr, tau, ess, r_hat)))
