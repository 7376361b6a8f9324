r"""Readout: the characteristic parameter of a layer of features, in the family's compact coordinate.

A feature layer is a set of :math:`m` feature values per held-out sample, already ordered in space (local
architectures fix the order by their receptive fields). Two steps turn it into a parameter of the family
(Gong & Xia's "characteristic parameter of the feature-layer output"):

Gauge fixing (orientation)
    Flipping the sign of a feature (or swapping 0 and 1 of a bit) is a relabelling that the next layer and the
    decoder absorb, but it flips the sign of the neighbour couplings it touches. Each feature is therefore
    oriented so that it correlates non-negatively with its receptive field, :math:`r_j = \sum_i |W_{ji}| z_i`
    (:func:`orient`). The exact coarse-graining rules (decimation, majority, block sum) are already oriented.

Calibration and estimation, by variable kind
    * ``spin`` (±1): exact maximum likelihood of the open Ising chain :math:`(\hat h, \hat K)` on the signs;
      coordinate :math:`t = \tanh\hat K` (delta-method error).
    * ``real``: each feature standardized (an affine calibration per feature), then the AR(1) conditional
      MLE :math:`\hat\rho`.
    * ``bit`` (0/1): the neuron's own threshold (sigmoid 1/2, i.e. pre-activation 0 with a learned bias),
      oriented; :math:`\hat p` is the fraction of ones.
    * ``count``: a feature of a network is a count only up to units, so each feature is calibrated by the
      affine map that standardizes it, and the rate is read from the shape of the distribution, which no
      affine map changes: for :math:`f = \alpha + \beta Y`, :math:`Y\sim\mathrm{Poisson}(\lambda)`, the
      skewness is :math:`\gamma = \lambda^{-1/2}`, so

      .. math::  \hat u = \frac{\hat\lambda}{1+\hat\lambda} = \frac{1}{1 + \hat\gamma^2},            \tag{R1}

      with :math:`\hat\gamma` the skewness pooled over the standardized features and :math:`\hat\gamma^2`
      corrected for its estimation bias (:math:`E\hat\gamma^2 = \gamma^2 + \mathrm{se}^2`). Rounding
      ``softplus`` outputs and taking their mean (the uncalibrated readout) lands near :math:`\lambda=1`
      whatever the input; (R1) does not depend on the feature's units. A Gaussian-like feature reads
      :math:`u = 1`, the block-sum flow's limit (the central limit theorem).

Standard errors are sandwich errors from per-sample influence values
(:func:`deeprg.correspondence.estimators.sandwich_stderr`, i.e. :func:`deeprg.stats.estimate` over
independent held-out samples).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from deeprg.correspondence.data import NearestNeighbourChain
from deeprg.correspondence.estimators import fit_chain_mle, fit_gaussian_chain, sandwich_stderr
from deeprg.correspondence.families import REGISTRY

KINDS = ("spin", "real", "bit", "count")


class Measurement(NamedTuple):
    """A layer's characteristic parameter, its error, and both in the compact coordinate (None: undefined)."""

    estimate: float | None
    stderr: float | None
    coordinate: float | None
    coordinate_stderr: float | None
    detail: dict

    def to_dict(self):
        return self._asdict()


def _undefined(note: str) -> Measurement:
    return Measurement(None, None, None, None, {"note": note})


def orient(features: np.ndarray, reference: np.ndarray, kind: str) -> np.ndarray:
    """Flip each feature (column) that correlates negatively with its ``reference`` column (same shape)."""
    f = np.asarray(features, dtype=float)
    centred = (f - f.mean(axis=0)) * (reference - reference.mean(axis=0))
    flip = centred.mean(axis=0) < 0
    if kind == "bit":
        return np.where(flip, 1.0 - f, f)
    if kind == "count":  # the skewness readout (R1) is invariant under f -> -f
        return f
    return np.where(flip, -f, f)


def _spin(z):
    if z.shape[1] < 2:
        return _undefined("a nearest-neighbour coupling needs >= 2 features")
    fit = fit_chain_mle(z, NearestNeighbourChain.ising(0.0, 0.0, z.shape[1]), robust=True)
    value, se = fit.value["coupling"], fit.stderr["coupling"]
    detail = {"field": fit.value["field"], "field_stderr": fit.stderr["field"]}
    if math.isinf(value):  # degenerate features (MLE at infinity): t = +-1 exactly
        return Measurement(value, se, math.copysign(1.0, value), 0.0, detail)
    t = math.tanh(value)
    return Measurement(value, se, t, (1 - t * t) * se, detail)


def _real(z):
    if z.shape[1] < 2:
        return _undefined("a nearest-neighbour correlation needs >= 2 features")
    if np.any(z.std(axis=0) == 0):
        return _undefined("a feature is constant: correlation undefined")
    fit = fit_gaussian_chain(z, robust=True)
    return Measurement(fit.value["rho"], fit.stderr["rho"], fit.value["rho"], fit.stderr["rho"], {})


def _bit(z):
    per_sample = z.mean(axis=1)  # per-sample means carry any dependence between features
    p, se = float(per_sample.mean()), float(sandwich_stderr(per_sample[:, None])[0])
    return Measurement(p, se, p, se, {})


def _count(z):
    sd = z.std(axis=0)
    live = sd > 0
    if not live.any():
        return _undefined("every feature is constant: the rate is undefined")
    x = (z[:, live] - z[:, live].mean(axis=0)) / sd[live]
    gamma = float(np.mean(x ** 3))
    # influence of one value on the skewness of standardized data; averaged over a sample's features
    influence = (x ** 3 - gamma - 3 * x - 1.5 * gamma * (x ** 2 - 1)).mean(axis=1)
    gamma_se = float(sandwich_stderr(influence[:, None])[0])
    gamma2 = max(gamma ** 2 - gamma_se ** 2, 0.0)
    u = 1.0 / (1.0 + gamma2)
    u_se = 2 * abs(gamma) * gamma_se / (1.0 + gamma2) ** 2
    lam = math.inf if gamma2 == 0 else 1.0 / gamma2
    lam_se = math.inf if gamma2 == 0 else 2 * gamma_se / abs(gamma) ** 3
    return Measurement(lam, lam_se, u, u_se, {"skewness": gamma, "skewness_stderr": gamma_se,
                                              "constant_features": int((~live).sum())})


_READOUTS = {"spin": _spin, "real": _real, "bit": _bit, "count": _count}


def measure(family: str, z: np.ndarray) -> Measurement:
    """The characteristic parameter of oriented features ``z`` (held-out samples, features) of ``family``."""
    z = np.asarray(z, dtype=float)
    return _READOUTS[REGISTRY[family].kind](z)
