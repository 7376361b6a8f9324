"""Energy definition, validation, and the beta_v -> inf limit (independent numpy oracles)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from deeprg.continuous import MLPSpec, energy, forward, init_params, loss
from deeprg.continuous.data import Dataset
from deeprg.continuous.experiments import beta_v_limit
from deeprg.continuous.model import validate_data


def _numpy_energy(params, hidden, x, y, lam, p, c_w, c_b):
    sig = lambda z: 1 / (1 + np.exp(-z))
    inputs, targets = [x, *hidden], [*hidden, y]
    total = 0.0
    for m, layer in enumerate(params):
        W, b = np.asarray(layer["W"], float), np.asarray(layer["b"], float)
        total += lam[m] * np.sum(np.abs(targets[m] - sig(inputs[m] @ W.T + b)) ** p)
        total += c_w * np.sum(W ** 2) + c_b * np.sum(b ** 2)
    return total


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
def test_energy_matches_numpy_oracle(p):
    spec = MLPSpec((3, 4, 5, 2), activation="sigmoid", p=p, beta=2.0, beta_v=5.0, c_w=0.1, c_b=0.2)
    params = init_params(jax.random.PRNGKey(0), spec)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 2))
    hidden = (rng.normal(size=(6, 4)), rng.normal(size=(6, 5)))
    expected = _numpy_energy(params, hidden, x, y, (2.5, 2.5, 1.0), p, 0.1, 0.2)
    got = float(energy(params, tuple(map(jnp.asarray, hidden)), jnp.asarray(x), jnp.asarray(y), spec))
    assert got == pytest.approx(expected, rel=1e-5)


def test_forward_pass_zeroes_constraints_and_gives_loss():
    spec = MLPSpec((3, 4, 4, 2), activation="tanh", beta_v=7.0)
    params = init_params(jax.random.PRNGKey(2), spec)
    x = jax.random.normal(jax.random.PRNGKey(3), (5, 3))
    y = jax.random.uniform(jax.random.PRNGKey(4), (5, 2))
    hidden = forward(params, x, spec)[:-1]
    assert float(energy(params, hidden, x, y, spec)) == pytest.approx(float(loss(params, x, y, spec)), rel=1e-6)


@pytest.mark.parametrize("kwargs, field", [
    (dict(widths=(3,)), "widths"), (dict(widths=(3, 0, 1)), "widths"), (dict(widths=(2, 2), p=0.5), "p"),
    (dict(widths=(2, 2), beta=-1.0), "beta"), (dict(widths=(2, 2), beta_v=float("nan")), "beta_v"),
    (dict(widths=(2, 2), activation="softplus"), "activation"), (dict(widths=(2, 2), c_w=-1.0), "c_w"),
])
def test_bad_spec_names_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        MLPSpec(**kwargs)


def test_bad_data():
    spec = MLPSpec((3, 2))
    with pytest.raises(ValueError, match="^widths:"):
        validate_data(spec, np.zeros((4, 5)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="^widths:"):
        validate_data(spec, np.zeros((4, 3)), np.zeros((4, 3)))
    bad = np.zeros((4, 3))
    bad[1, 1] = math.nan
    with pytest.raises(ValueError, match="^data:"):
        validate_data(spec, bad, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="^data:"):
        Dataset("d", bad, np.zeros((4, 2)), np.zeros((4, 3)), np.zeros((4, 2)))


def test_beta_v_limit_approaches_backprop_minimizer():
    """As lambda = beta_v/beta grows, the DNA minimizer tends to the backprop one like 1/lambda."""
    out = beta_v_limit(lambdas=(1e3, 1e4), descent_steps=200)
    assert all(g < 1e-3 for g in out["max_grad"]) and out["backprop_max_grad"] < 1e-4
    assert out["distance"][0] / out["distance"][1] == pytest.approx(10.0, rel=0.1)
    assert all(gap >= -1e-9 for gap in out["energy_gap"])  # minimizing over h can only lower the cost
    assert out["energy_gap"][0] / out["energy_gap"][1] == pytest.approx(10.0, rel=0.1)


@pytest.mark.slow
def test_beta_v_limit_slope_over_three_decades():
    out = beta_v_limit()
    assert out["log_log_slope"] == pytest.approx(-1.0, abs=0.05)
