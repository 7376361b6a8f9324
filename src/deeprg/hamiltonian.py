r"""Energies of configurations, vectorized over many configurations at once (Lee, Lee & Yi, eqs 8-9 and 13-14).

All functions return :math:`\beta H` (the negative log of the Gibbs weight, without prior weights), so that
:math:`\beta = 0` or :math:`\beta_v = \infty` need no special casing by the caller. Shapes, for ``C``
configurations of a spec with depth M, width N and L rows:

- ``W``: (C, M+1, N, N), ``b``: (C, M+1, N) -- weight layers m = 0..M,
- ``h``: (C, M, L, N) -- dynamic neurons h^(1..M).
"""

from __future__ import annotations

import math

import numpy as np

from .model import NetworkSpec


def preactivation(W: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
    """:math:`W h + b` row by row: W (..., N, N), b (..., N), h (..., L, N) -> (..., L, N)."""
    return np.einsum("...ij,...lj->...li", W, h) + b[..., None, :]


def mismatch(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    r""":math:`\sum |a - b|^p` over the last two axes (rows and units)."""
    return (np.abs(a - b) ** p).sum(axis=(-2, -1))


def constraint_energy(distance: np.ndarray, coupling: float) -> np.ndarray:
    """``coupling * distance`` with the convention that an infinite coupling is a Kronecker delta."""
    if math.isinf(coupling):
        return np.where(distance == 0, 0.0, np.inf)
    return coupling * distance


def forward_pass(spec: NetworkSpec, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Neurons of the plain network (eq 1): returns (C, M+1, L, N) holding h^(1..M) and the output z."""
    h = np.broadcast_to(spec.x_array, W.shape[:1] + spec.x_array.shape)
    layers = []
    for m in range(spec.depth + 1):
        h = spec.act(preactivation(W[:, m], b[:, m], h))
        layers.append(h)
    return np.stack(layers, axis=1)


def original_energy(spec: NetworkSpec, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    r""":math:`\beta H_\text{orig}` of eqs 8-9 for each configuration: shape (C,)."""
    z = forward_pass(spec, W, b)[:, -1]
    return spec.beta * mismatch(spec.y_array, z, spec.p)


def dna_energy(spec: NetworkSpec, W: np.ndarray, b: np.ndarray, h: np.ndarray) -> np.ndarray:
    r""":math:`\beta H_\text{new}` of eqs 13-14: constraints at :math:`\beta_v`, output cost at :math:`\beta`."""
    x = np.broadcast_to(spec.x_array, h.shape[:1] + (1,) + spec.x_array.shape)
    inputs = np.concatenate([x, h], axis=1)  # h^(0..M)
    s = spec.act(preactivation(W, b, inputs))  # s^(0..M)
    constraints = constraint_energy(mismatch(h, s[:, :-1], spec.p), spec.effective_beta_v).sum(axis=1)
    return constraints + spec.beta * mismatch(spec.y_array, s[:, -1], spec.p)


def log_prior(spec: NetworkSpec, weight_index: np.ndarray, bias_index: np.ndarray) -> np.ndarray:
    """Log prior weight of configurations given as indices into the value sets (summed over all entries)."""
    lw = spec.values.log_weight_prior()[weight_index].reshape(len(weight_index), -1).sum(axis=1)
    lb = spec.values.log_bias_prior()[bias_index].reshape(len(bias_index), -1).sum(axis=1)
    return lw + lb
