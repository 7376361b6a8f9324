r"""Closed forms where the DNA energy is quadratic in the dynamic neurons.

With an affine activation (``linear`` or Appendix B's ``linearized_sigmoid``) and :math:`p = 2`, :math:`H_{new}` at
fixed :math:`(W, b)` is a quadratic form in the flattened dynamic neurons :math:`h`,

.. math::  H(h) = \tfrac12 h^\top A h + g^\top h + H(0), \qquad A = \nabla^2_h H, \quad g = \nabla_h H(0),

so the conditional Gibbs density :math:`e^{-\beta H}` is Gaussian with mean :math:`-A^{-1} g` and covariance
:math:`(\beta A)^{-1}`. ``A`` and ``g`` come from ``jax.hessian`` / ``jax.grad`` of the one energy function, never
from hand-expanded formulas. In Edwards-Anderson notation (eq B1, sum over ordered pairs)
:math:`H = \sum_{ij} J_{ij} h_i h_j + \sum_i K_i h_i + \text{const}` with :math:`J = A/2`, :math:`K = g`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .model import MLPSpec, energy

AFFINE = ("linear", "linearized_sigmoid")


class QuadraticForm(NamedTuple):
    """:math:`H(h) = h^\\top J h + K^\\top h + c` over the flattened dynamic neurons; ``unravel`` rebuilds layers."""

    J: np.ndarray
    K: np.ndarray
    constant: float
    unravel: object

    def mean(self) -> np.ndarray:
        return np.linalg.solve(2.0 * self.J, -self.K)

    def covariance(self, beta: float) -> np.ndarray:
        return np.linalg.inv(2.0 * beta * self.J)


def quadratic_form(params, x, y, spec: MLPSpec) -> QuadraticForm:
    """Expand :math:`H_{new}` in the dynamic neurons at fixed ``params`` (affine activations, p = 2 only)."""
    acts = {spec.activation, spec.output_activation or spec.activation}
    if not acts <= set(AFFINE) or spec.p != 2:
        raise ValueError(f"activation: the conditional of h is Gaussian only for {' or '.join(AFFINE)} with p = 2, "
                         f"got {sorted(acts)} with p = {spec.p}")
    if spec.n_hidden == 0:
        raise ValueError("widths: a network without hidden layers has no dynamic neurons")
    rows = x.shape[0]
    zero, unravel = ravel_pytree(tuple(jnp.zeros((rows, n)) for n in spec.widths[1:-1]))

    def h_energy(flat):
        return energy(params, unravel(flat), x, y, spec)

    hessian = np.asarray(jax.hessian(h_energy)(zero), dtype=float)
    grad = np.asarray(jax.grad(h_energy)(zero), dtype=float)
    return QuadraticForm(0.5 * (hessian + hessian.T) / 2.0, grad, float(h_energy(zero)), unravel)
