r"""The continuous DNA bulk with Gaussian priors is a noisy forward pass: Langevin of eq 15 against ancestral sampling.

A bulk of ``depth`` weight layers of width :math:`N` above fixed inputs ``x`` (rows = data rows) has the DNA energy
(Lee, Lee & Yi eq 14 with every constraint weighed by :math:`\beta_v`, Appendix B regularizers as Gaussian priors)

.. math::  \beta_v \sum_{m=0}^{M-1} |h^{(m+1)} - \phi(W^{(m)} h^{(m)} + b^{(m)})|^2
           + \frac{N}{2\sigma_w^2} \sum_m |W^{(m)}|^2 + \frac{1}{2\sigma_b^2} \sum_m |b^{(m)}|^2 ,

all :math:`h^{(1..M)}` dynamic (no output cost). This is :func:`deeprg.continuous.model.energy` at
:math:`\beta = \beta_v` (so :math:`\lambda = 1` for every constraint) with :math:`c_W = N/(2\beta\sigma_w^2)`,
:math:`c_b = 1/(2\beta\sigma_b^2)` and the top layer passed as the "target" ``y``. Its Gibbs density
:math:`e^{-\beta H}` over :math:`(W, b, h)` factorizes (see :mod:`deeprg.continuous.signal_prop`) into the noisy
forward pass :math:`h^{(m+1)} = \phi(W h^{(m)} + b) + N(0, 1/(2\beta_v))` with
:math:`W_{ij}\sim N(0,\sigma_w^2/N)`, :math:`b_i \sim N(0,\sigma_b^2)`. :func:`langevin_moments` samples the energy
with MALA (:func:`deeprg.continuous.dynamics.sample_chains`); :func:`ancestral_moments` samples the forward pass with
explicit matrices. Both report, per layer, :math:`\frac{1}{NL}\sum_{i,l} (h_i^{(m)[l]})^2` and the cross-row
product :math:`\frac1N\sum_i h_i^{(m)[1]} h_i^{(m)[2]}`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..stats import Estimate, estimate
from .signal_prop import NUMPY_ACTIVATIONS, check_activation, noise_variance


class BulkProblem(NamedTuple):
    """A DNA bulk: ``x`` shaped (2, width) (two data rows), ``depth`` dynamic layers above it."""

    activation: str
    sigma_w2: float
    sigma_b2: float
    beta_v: float
    width: int
    depth: int
    x: np.ndarray


def _observables(layers):
    """layers: sequence of arrays (..., 2, N) -> (..., 2 * depth): per layer mean h^2, cross-row product."""
    out = []
    for h in layers:
        out.append(np.mean(h ** 2, axis=(-2, -1)))
        out.append(np.mean(h[..., 0, :] * h[..., 1, :], axis=-1))
    return np.stack(out, axis=-1)


def ancestral_moments(rng: np.random.Generator, problem: BulkProblem, samples: int) -> Estimate:
    """Observables of the noisy forward pass with explicit random matrices (independent draws)."""
    check_activation(problem.activation)
    phi = NUMPY_ACTIVATIONS[problem.activation]
    n = problem.width
    noise = math.sqrt(noise_variance(problem.beta_v))
    h = np.broadcast_to(problem.x, (samples, 2, n))
    layers = []
    for _ in range(problem.depth):
        w = rng.standard_normal((samples, n, n)) * math.sqrt(problem.sigma_w2 / n)
        b = rng.standard_normal((samples, 1, n)) * math.sqrt(problem.sigma_b2)
        h = phi(np.einsum("sij,slj->sli", w, h) + b) + noise * rng.standard_normal((samples, 2, n))
        layers.append(h)
    return estimate(_observables(layers), chains=False, independent=True)


def langevin_moments(key, problem: BulkProblem, *, chains: int = 64, n_samples: int = 400, thin: int = 10,
                     burn_in: int = 1000, step: float = 0.05) -> tuple[Estimate, float]:
    """MALA on the DNA energy of the bulk (module docstring); returns the estimate and the acceptance rate."""
    import jax
    import jax.numpy as jnp

    from .dynamics import sample_chains
    from .model import MLPSpec, energy

    if math.isinf(problem.beta_v):
        raise ValueError("beta_v: Langevin needs a finite beta_v (at inf the constraints are hard)")
    if problem.depth < 1:
        raise ValueError(f"depth: need at least one dynamic layer, got {problem.depth}")
    n, beta = problem.width, float(problem.beta_v)
    spec = MLPSpec((n,) * (problem.depth + 1), activation=problem.activation, beta=beta, beta_v=beta,
                   c_w=n / (2 * beta * problem.sigma_w2), c_b=1 / (2 * beta * problem.sigma_b2))
    x = jnp.asarray(problem.x, jnp.float32)

    def energy_fn(position):
        params, hidden = position
        return energy(params, hidden[:-1], x, hidden[-1], spec)

    k_w, k_h, k_run = jax.random.split(key, 3)
    params = tuple({"W": jax.random.normal(k, (chains, n, n)) * math.sqrt(problem.sigma_w2 / n),
                    "b": jnp.zeros((chains, n))} for k in jax.random.split(k_w, problem.depth))
    hidden = tuple(0.5 * jax.random.normal(k, (chains, 2, n)) for k in jax.random.split(k_h, problem.depth))

    def observe(position):
        return jnp.stack([f for h in position[1] for f in (jnp.mean(h ** 2), jnp.mean(h[0] * h[1]))])

    samples, acceptance, _ = sample_chains(k_run, energy_fn, (params, hidden), beta=beta, step_size=step,
                                           n_samples=n_samples, thin=thin, burn_in=burn_in, observe=observe,
                                           metropolis=True)
    return estimate(np.asarray(samples, float)), float(np.mean(acceptance))
