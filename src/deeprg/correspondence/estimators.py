r"""Estimators of the characteristic parameters, with standard errors.

Exact maximum likelihood for the chains (1)
-------------------------------------------
For :math:`N` independent samples the average log-likelihood of (1) is
:math:`\ell(\theta,J) = \theta\bar S_1 + J\bar S_2 + \overline{\log\nu} - \log Z_n(\theta,J)`, concave
because :math:`\log Z_n` is convex; :math:`\log Z_n` is exact (transfer matrix, open or periodic). The
maximizer solves :math:`E_{\theta,J}[S] = \bar S` and the standard errors are the square roots of the diagonal
of :math:`I^{-1}/N` with the Fisher information :math:`I = \nabla^2 \log Z_n = \mathrm{Cov}(S)`. Gradients and
Hessians of :math:`\log Z_n` are taken by central differences of the exact :math:`\log Z_n`
(steps :math:`10^{-5}`, :math:`10^{-4}`), which is accurate to about :math:`10^{-8}` relative. Parameters
are kept in :math:`[-30, 30]`; when the likelihood still rises toward that edge the data are degenerate
(e.g. all bonds aligned) and the MLE is at infinity: it is reported as :math:`\pm\infty` with an infinite
standard error.

Pseudo-likelihood
-----------------
:math:`\mathrm{PL}(\theta,J) = \sum_i \log P(x_i \mid x_{i-1}, x_{i+1})`, with
:math:`P(x_i = x\mid\cdot) \propto \nu(x)\,e^{x\,\eta_i}`, :math:`\eta_i = \theta + J(x_{i-1}+x_{i+1})`. For the
Poisson chain the conditional is exactly Poisson(:math:`e^{\eta_i}`), so the pseudo-likelihood needs no
truncated support. Its standard errors are sandwich (Godambe) errors: the estimator is, to first order, the mean over samples
of the influence values :math:`H^{-1} \nabla \mathrm{PL}_s` (:math:`H` the Hessian of the mean
pseudo-likelihood), whose standard error of the mean comes from :func:`deeprg.stats.estimate`.
The same sandwich errors (``robust=True``) are used for network features, which need not belong to the family.

Closed forms
------------
* i.i.d. Bernoulli: :math:`\hat p = \bar x`, :math:`\mathrm{se} = \sqrt{\hat p(1-\hat p)/N}`.
* i.i.d. Poisson: :math:`\hat\lambda = \bar x`, :math:`\mathrm{se} = \sqrt{\hat\lambda/N}`.
* i.i.d. Gaussian: :math:`\hat\mu = \bar x`, :math:`\hat\sigma^2 = \overline{(x-\bar x)^2}`,
  :math:`\mathrm{se} = (\hat\sigma/\sqrt N, \hat\sigma^2\sqrt{2/N})`.
* Gaussian chain (AR(1)): the conditional maximum likelihood (conditioning on each sample's first site, exact
  in closed form) after centring and scaling each site, :math:`\hat\rho = \sum x_ix_{i+1}/\sum x_i^2` over the
  :math:`P` pairs :math:`(i,i+1)`, :math:`\mathrm{se} = \sqrt{(1-\hat\rho^2)/P}` (its Fisher information).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp

from deeprg.correspondence.data import NearestNeighbourChain
from deeprg.stats import estimate

BOUND = 30.0


class Fit(NamedTuple):
    """Estimated parameters and their standard errors, by name."""

    value: dict
    stderr: dict
    method: str

    def to_dict(self):
        return {"value": self.value, "stderr": self.stderr, "method": self.method}


def _check_samples(x, name="samples", min_sites=1) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < min_sites:
        raise ValueError(f"{name}: need shape (samples >= 2, sites >= {min_sites}), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: contain NaN or infinity")
    return x


# -- i.i.d. closed forms ------------------------------------------------------------------------------------------
def fit_bernoulli(x) -> Fit:
    x = _check_samples(x).ravel()
    p = x.mean()
    return Fit({"p": p}, {"p": math.sqrt(p * (1 - p) / x.size)}, "mle")


def fit_poisson(x) -> Fit:
    x = _check_samples(x).ravel()
    lam = x.mean()
    return Fit({"lambda": lam}, {"lambda": math.sqrt(lam / x.size)}, "mle")


def fit_gaussian(x) -> Fit:
    x = _check_samples(x).ravel()
    mu, var = x.mean(), x.var()
    return Fit({"mean": mu, "variance": var},
               {"mean": math.sqrt(var / x.size), "variance": var * math.sqrt(2 / x.size)}, "mle")


def fit_gaussian_chain(x, standardize: bool = True, robust: bool = False) -> Fit:
    """Conditional MLE of the AR(1) correlation over all rows (independent samples) of ``x``.

    ``robust``: sandwich standard error (per-sample influence through ``estimate``) instead of Fisher's.
    """
    x = _check_samples(x, min_sites=2)
    if standardize:
        sd = x.std(axis=0)
        if np.any(sd == 0):
            raise ValueError("samples: a site has zero variance; the correlation is undefined")
        x = (x - x.mean(axis=0)) / sd
    num = np.sum(x[:, :-1] * x[:, 1:], axis=1)
    den = np.sum(x[:, :-1] ** 2, axis=1)
    rho = float(np.clip(num.sum() / den.sum(), -1.0, 1.0))
    if robust:
        se = float(sandwich_stderr(((num - rho * den) / den.mean())[:, None])[0])
    else:
        se = math.sqrt(max(1 - rho ** 2, 0.0) / x[:, :-1].size)
    return Fit({"rho": rho}, {"rho": se}, "conditional-mle")


# -- nearest-neighbour chains ----------------------------------------------------------------------------------------
def _with(chain: NearestNeighbourChain, params) -> NearestNeighbourChain:
    return NearestNeighbourChain(chain.support, chain.log_base, float(params[0]), float(params[1]),
                                 chain.n, chain.periodic)


def _gradient(f, p, h):
    return np.array([(f(p + h * e) - f(p - h * e)) / (2 * h) for e in np.eye(len(p))])


def fit_chain_mle(x, template: NearestNeighbourChain, fixed_field: float | None = None,
                  robust: bool = False) -> Fit:
    """Exact MLE of (field, coupling) of the chain family of ``template`` (support, n, boundary) from ``x``.

    ``fixed_field``: hold the field at this value and fit the coupling only. ``robust``: sandwich standard
    errors (valid when the data do not come from the family, e.g. network features) instead of Fisher's.
    """
    x = _check_samples(x, min_sites=2)
    if x.shape[1] != template.n:
        raise ValueError(f"samples: need {template.n} sites per sample, got {x.shape[1]}")
    stats = template.statistics(x).mean(axis=0)[:2]
    free = [0, 1] if fixed_field is None else [1]

    def full(p):
        return np.array([fixed_field, p[0]]) if fixed_field is not None else np.asarray(p)

    def log_z(p):
        return _with(template, full(p)).log_partition()

    def negative(p):
        value = log_z(p) - full(p) @ stats
        return value, _gradient(log_z, np.asarray(p, float), 1e-5) - stats[free]

    start = np.zeros(len(free))
    bounds = [(-BOUND, 0.0 if len(template.support) > 2 and k == 1 else BOUND) for k in free]
    fit = minimize(negative, start, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000})
    p = fit.x
    best = negative(p)[0]
    for k in range(len(p)):  # a likelihood still rising toward the box edge: the MLE is at infinity
        edge = p.copy()
        edge[k] = bounds[k][1] if p[k] > 0 else bounds[k][0]
        if abs(p[k]) > BOUND / 3 and abs(edge[k]) == BOUND and negative(edge)[0] <= best + 1e-9:
            p[k] = math.copysign(math.inf, p[k])
    if not np.all(np.isfinite(p)):
        names = ["field", "coupling"]
        value = {names[k]: float(full(p)[k]) for k in range(2)}
        return Fit(value, {names[k]: (math.inf if k in free else 0.0) for k in range(2)}, "mle (degenerate data)")
    hessian = np.array([_gradient(log_z, p + 1e-4 * e, 1e-5) - _gradient(log_z, p - 1e-4 * e, 1e-5)
                        for e in np.eye(len(p))]) / 2e-4
    try:
        inverse = np.linalg.inv((hessian + hessian.T) / 2)
    except np.linalg.LinAlgError:
        inverse = np.full((len(p), len(p)), math.inf)
    if robust and np.all(np.isfinite(inverse)):
        se = sandwich_stderr(template.statistics(x)[:, free] @ inverse)
    else:
        se = np.sqrt(np.maximum(np.diag(inverse) / len(x), 0.0))
    names = ["field", "coupling"]
    value = {names[k]: float(full(p)[k]) for k in range(2)}
    stderr = {names[k]: (float(se[free.index(k)]) if k in free else 0.0) for k in range(2)}
    return Fit(value, stderr, "mle")


def _pseudo_terms(params, x, support, log_base, periodic):
    """Per-sample pseudo-log-likelihood and its gradient in (field, coupling): shapes (N,), (N, 2)."""
    field, coupling = params
    left = np.roll(x, 1, axis=1)
    right = np.roll(x, -1, axis=1)
    if not periodic:
        left[:, 0] = 0.0
        right[:, -1] = 0.0
    eta = field + coupling * (left + right)
    if support is None:  # Poisson conditionals, exact on all of N
        log_p = x * eta - np.exp(eta) - gammaln(x + 1)
        mean = np.exp(eta)
    else:
        logits = eta[..., None] * support + log_base
        log_norm = logsumexp(logits, axis=-1)
        log_p = np.take(log_base, np.searchsorted(support, x)) + x * eta - log_norm
        mean = np.sum(np.exp(logits - log_norm[..., None]) * support, axis=-1)
    resid = x - mean
    return log_p.sum(axis=1), np.stack([resid.sum(axis=1), (resid * (left + right)).sum(axis=1)], axis=1)


def sandwich_stderr(influence: np.ndarray) -> np.ndarray:
    """Standard errors of an M-estimator from its per-sample influence values, shaped (N, params).

    The estimator is, to first order, the mean of the influence values over independent samples, so its
    error bar is their standard error of the mean, computed by :func:`deeprg.stats.estimate`
    (which also checks that the samples are uncorrelated: tau_int close to 1).
    """
    return np.asarray(estimate(np.asarray(influence, dtype=float)[None]).stderr)


def fit_chain_pseudolikelihood(x, template: NearestNeighbourChain, exact_poisson: bool = False) -> Fit:
    """Maximum pseudo-likelihood of (field, coupling) with sandwich standard errors.

    ``exact_poisson``: use the untruncated Poisson conditionals instead of ``template``'s support.
    """
    x = _check_samples(x, min_sites=2)
    support = None if exact_poisson else template.values
    log_base = np.asarray(template.log_base)
    poisson_like = exact_poisson or len(template.support) > 2
    bounds = [(-BOUND, BOUND), (-BOUND, 0.0 if poisson_like else BOUND)]
    args = (x, support, log_base, template.periodic)

    def negative(p):
        value, grad = _pseudo_terms(p, *args)
        return -value.mean(), -grad.mean(axis=0)

    p = minimize(negative, np.zeros(2), jac=True, method="L-BFGS-B", bounds=bounds,
                 options={"ftol": 1e-14, "gtol": 1e-10}).x
    hessian = np.array([negative(p + 1e-5 * e)[1] - negative(p - 1e-5 * e)[1] for e in np.eye(2)]) / 2e-5
    influence = _pseudo_terms(p, *args)[1] @ np.linalg.inv((hessian + hessian.T) / 2)
    se = sandwich_stderr(influence)
    return Fit({"field": float(p[0]), "coupling": float(p[1])},
               {"field": float(se[0]), "coupling": float(se[1])}, "pseudo-likelihood")
