r"""Decimation over depth for every discrete model of the exact engine (Lee, Lee & Yi, eqs 21-27).

With the multiplicity :math:`K[h, t]` of one weight layer and the constraint factor :math:`E[h', t]` of
:mod:`deeprg.exact.transfer`, summing the middle layer's :math:`(W^{(m)}, b^{(m)}, h^{(m)})` out of the two
constraint factors that contain :math:`h^{(m)}` (eq 21, read with :math:`\beta_v H_{m-1} + \beta_v H_m`) gives

.. math::

    E'[h^{(m+1)}, \sigma^{(m-1)}] = \sum_{h^{(m)}, t} E[h^{(m+1)}, t]\, K[h^{(m)}, t]\, E[h^{(m)}, \sigma^{(m-1)}]
                                 = (E K^\top E)[h^{(m+1)}, \sigma^{(m-1)}],

and, with :math:`T = K E^\top`, :math:`K E'^\top = (K E^\top)^2 = T^2`. Decimating ``factor - 1`` of every ``factor``
layers (the paper's :math:`p`, footnote 14) gives :math:`E' = E (K^\top E)^{p-1}`, :math:`T \to T^p`.

The map acts on :math:`E` up to scale (the constant :math:`D` of eq 26 only shifts the free energy). Two
normalizations are used: :func:`decimate` divides by the largest modulus (robust for long flows and keeps the
log of the scale), :func:`normalized_map` divides by a fixed generic linear functional
:math:`n(X) = \sum_k w_k X_k` (smooth, so it can be differentiated and its fixed points solved for). Complex
entries are legitimate in this algebra (the fictitious fixed point of eq 30 needs negative weights); they are
never legitimate Boltzmann weights, see :mod:`deeprg.rg.scaling`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import hamiltonian as ham
from ..model import NetworkSpec, weight_configurations


class Decimation(NamedTuple):
    """One decimation step: ``E`` (largest modulus 1) and the log of the factor divided out (complex allowed)."""

    E: np.ndarray
    log_scale: complex


def check_factor(factor) -> int:
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 2:
        raise ValueError(f"factor: the RG rescaling factor p must be an integer >= 2, got {factor!r}")
    return int(factor)


def check_pair(E, K) -> tuple[np.ndarray, np.ndarray]:
    """Validate E (S x S, finite, complex allowed) against K (S x S, real)."""
    K = np.asarray(K)
    E = np.asarray(E)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"K: must be a square S x S multiplicity matrix, got shape {K.shape}")
    if np.iscomplexobj(K) or not np.all(np.isfinite(K)):
        raise ValueError("K: must be a real finite matrix (prior-weighted counts of (W, b))")
    if E.shape != K.shape:
        raise ValueError(f"E: must have the shape of K {K.shape}, got {E.shape}")
    if not np.all(np.isfinite(E)):
        raise ValueError("E: entries must be finite")
    dtype = np.result_type(E.dtype, np.float64)
    return E.astype(dtype, copy=False), K.astype(np.float64, copy=False)


def model_matrices(spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray]:
    """(K, E) of one bulk layer of ``spec``, from the exact engine."""
    from ..exact import build

    tm = build(spec)
    return tm.K, tm.E


def transfer(E: np.ndarray, K: np.ndarray) -> np.ndarray:
    """T = K E^T (rows h^(m), columns h^(m+1))."""
    return np.asarray(K) @ np.asarray(E).T


def renormalized_factor(E: np.ndarray, K: np.ndarray, factor: int = 2) -> np.ndarray:
    """Unnormalized E (K^T E)^(factor - 1)."""
    factor = check_factor(factor)
    E, K = check_pair(E, K)
    out = E
    KtE = K.T @ E
    for _ in range(factor - 1):
        out = out @ KtE
    return out


def decimate(E: np.ndarray, K: np.ndarray, factor: int = 2) -> Decimation:
    """E -> E (K^T E)^(factor-1), divided by its largest modulus (the decimation map over depth: Lee, Lee & Yi, eq 27 for the toy)."""
    out = renormalized_factor(E, K, factor)
    scale = np.abs(out).max()
    if not np.isfinite(scale) or scale == 0:
        raise ValueError("E: E K^T E vanishes (or overflows), so the decimated couplings are undefined; "
                         "this happens when T = K E^T is nilpotent")
    return Decimation(out / scale, complex(np.log(scale)))


def gauge(n_states: int) -> np.ndarray:
    """Weights w > 0 of the normalizing functional n(X) = sum_k w_k X_k (row-major), generic and fixed."""
    k = np.arange(n_states * n_states)
    return 1.0 + 0.5 * ((k * 0.6180339887498949) % 1.0)


def normalize(E: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """E / n(E)."""
    E = np.asarray(E)
    w = gauge(len(E)) if w is None else w
    norm = w @ E.reshape(-1)
    if norm == 0 or not np.isfinite(norm):
        raise ValueError("E: the normalizing functional n(E) vanishes; E cannot be normalized")
    return E / norm


def normalized_map(E: np.ndarray, K: np.ndarray, factor: int = 2, w: np.ndarray | None = None) -> np.ndarray:
    """The RG map on E up to scale, F(E) = E (K^T E)^(factor-1) / n(E (K^T E)^(factor-1))."""
    return normalize(renormalized_factor(E, K, factor), w)


def decimate_by_summation(E: np.ndarray, spec: NetworkSpec) -> np.ndarray:
    r"""Reference implementation straight from eq 21: explicit sum over the middle layer's (W, b, h).

    .. math:: E'[h', \sigma] = \sum_{h} \sum_{W, b} \pi(W)\pi(b)\, E[h', \sigma(W h + b)]\, E[h, \sigma]

    It evaluates the activation for every (W, b, h) instead of using K; it is the oracle of the tests and the
    naive baseline of ``benchmarks/bench_rg.py``. Returns the unnormalized E'.
    """
    from ..exact import neuron_states, state_index

    states = neuron_states(spec)
    E = np.asarray(E)
    if E.shape != (len(states), len(states)):
        raise ValueError(f"E: must be {len(states)} x {len(states)} for this spec, got {E.shape}")
    W, b, log_prior = weight_configurations(spec)
    prior = np.exp(log_prior)
    out = np.zeros_like(E, dtype=np.result_type(E.dtype, np.float64))
    for h_index, h in enumerate(states):
        targets = state_index(spec, spec.act(ham.preactivation(W, b, h)))  # (C,) sigma(W h + b)
        out += np.outer((E[:, targets] * prior).sum(axis=1), E[h_index])
    return out
