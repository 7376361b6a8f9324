"""Langevin (eq 4) against the exact Gaussian conditional of h given (W, b) for a linear activation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from deeprg.continuous import MLPSpec, init_params, quadratic_form, sample_chains
from deeprg.continuous.model import energy
from deeprg.stats import estimate


def _problem():
    spec = MLPSpec((2, 3, 2, 1), activation="linear", beta=2.0, beta_v=3.0)
    params = init_params(jax.random.PRNGKey(0), spec)
    x = jax.random.normal(jax.random.PRNGKey(1), (2, 2))
    y = jax.random.normal(jax.random.PRNGKey(2), (2, 1))
    return spec, params, x, y


def test_quadratic_form_matches_completed_square():
    """One hidden layer: E = lam|h - (W0 x + b0)|^2 + |y - W1 h - b1|^2 has mean (lam + W1'W1)^-1 (...)."""
    spec = MLPSpec((2, 3, 2), activation="linear", beta=1.0, beta_v=2.5)
    params = init_params(jax.random.PRNGKey(5), spec)
    x, y = np.array([[0.3, -1.2]]), np.array([[0.7, 0.1]])
    form = quadratic_form(params, jnp.asarray(x), jnp.asarray(y), spec)
    W0, b0, W1, b1 = (np.asarray(a, float) for a in (params[0]["W"], params[0]["b"], params[1]["W"], params[1]["b"]))
    precision = 2.5 * np.eye(3) + W1.T @ W1
    mean = np.linalg.solve(precision, 2.5 * (W0 @ x[0] + b0) + W1.T @ (y[0] - b1))
    np.testing.assert_allclose(form.mean(), mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(form.covariance(beta=1.0), np.linalg.inv(2 * precision), rtol=1e-4, atol=1e-6)


def _moments(samples):
    n = samples.shape[-1]
    iu = np.triu_indices(n)
    second = samples[..., iu[0]] * samples[..., iu[1]]
    return np.concatenate([samples, second], axis=-1), iu


@pytest.mark.parametrize("metropolis, step", [(True, 0.5), (False, 0.02)])
def test_langevin_moments_match_gaussian(metropolis, step):
    spec, params, x, y = _problem()
    form = quadratic_form(params, x, y, spec)
    mean, cov = form.mean(), form.covariance(spec.beta)
    top = np.linalg.eigvalsh(2 * form.J)[-1]

    def energy_fn(flat):
        return energy(params, form.unravel(flat), x, y, spec)

    chains = 8
    starts = jnp.asarray(mean, jnp.float32) + jax.random.normal(jax.random.PRNGKey(3), (chains, mean.size))
    samples, acceptance, _ = sample_chains(jax.random.PRNGKey(4), energy_fn, starts, beta=spec.beta,
                                           step_size=step / (spec.beta * top), n_samples=2000, thin=10,
                                           burn_in=500, metropolis=metropolis)
    observables, iu = _moments(np.asarray(samples, float))
    est = estimate(observables)
    exact = np.concatenate([mean, (cov + np.outer(mean, mean))[iu]])
    z = np.abs(est.mean - exact) / est.stderr
    assert z.max() < 4.0, (z.max(), float(np.mean(acceptance)))
    assert np.all(est.r_hat < 1.1)
