"""A sound baseline at depth: the initial-weight scale, standardized digits, deep tanh nets that train, and the
top-down sweep relaxation of the DNA (descent on H_new, same fixed point as Jacobi, backprop limit)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from deeprg.cli import main
from deeprg.continuous import MLPSpec, TrainConfig, energy, forward, init_params, load_dataset, loss, train
from deeprg.continuous.data import _split, standardize
from deeprg.continuous.dynamics import forward_preactivations, relax, relax_hidden, sweep_hidden
from deeprg.stats import estimate


def _raw_digits(seed=0):
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    return _split("digits", bunch.data.astype(np.float32), bunch.target, 10, np.random.default_rng(seed), 0.2)


def _mean_cosine(h):
    h = np.asarray(h, float)
    unit = h / np.linalg.norm(h, axis=1, keepdims=True)
    gram = unit @ unit.T
    return (gram.sum() - len(h)) / (len(h) * (len(h) - 1))


# ------------------------------------------------------------------------------------------ initial weights

@pytest.mark.parametrize("sigma_w2, sigma_b2", [(1.0, 0.0), (2.5, 0.3)])
def test_init_params_variances(sigma_w2, sigma_b2):
    """Sample variances of W and b against sigma_w2 / fan_in and sigma_b2 (chi-square error bars)."""
    spec = MLPSpec((400, 300, 200))
    params = init_params(jax.random.PRNGKey(0), spec, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    for layer, fan_in in zip(params, (400, 300)):
        w = np.asarray(layer["W"], float).ravel()
        target = sigma_w2 / fan_in
        assert abs(w.mean()) < 4 * np.sqrt(target / w.size)
        assert abs(w.var() - target) < 4 * target * np.sqrt(2 / w.size)
        b = np.asarray(layer["b"], float)
        if sigma_b2 == 0:
            assert np.all(b == 0)
        else:
            assert abs(b.var() - sigma_b2) < 5 * sigma_b2 * np.sqrt(2 / b.size)


def test_bad_init_scale_names_field(tmp_path, capsys):
    spec = MLPSpec((3, 2))
    for kwargs, field in ((dict(sigma_w2=0.0), "sigma_w2"), (dict(sigma_w2=float("nan")), "sigma_w2"),
                          (dict(sigma_b2=-1.0), "sigma_b2"), (dict(sigma_b2=float("inf")), "sigma_b2")):
        with pytest.raises(ValueError, match=f"^{field}:"):
            init_params(jax.random.PRNGKey(0), spec, **kwargs)
        with pytest.raises(ValueError, match=f"^{field}:"):
            TrainConfig(**kwargs)
    with pytest.raises(ValueError, match="^relaxation:"):
        TrainConfig(relaxation="newton")
    out = tmp_path / "bad"
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--sigma-w2", "-1", "--out", str(out)])
    assert exit_info.value.code == 2 and "--sigma-w2:" in capsys.readouterr().err and not out.exists()


# ------------------------------------------------------------------------------------------------ the data

def test_digits_standardized_with_training_statistics():
    raw, data = _raw_digits(seed=3), load_dataset("digits", (64, 10), seed=3)
    mean, std = raw.x_train.mean(0), raw.x_train.std(0)
    constant = std == 0
    np.testing.assert_allclose(data.x_train.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(data.x_train.std(0), np.where(constant, 0, 1), atol=1e-4)
    expected_test = (raw.x_test - mean) / np.where(constant, 1, std)
    np.testing.assert_allclose(data.x_test, expected_test, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(data.y_test, raw.y_test)
    assert np.array_equal(standardize(data).x_train.shape, data.x_train.shape)


def test_deep_tanh_init_keeps_digits_apart():
    """The bug class of the 22% baseline: a common mode shared by all inputs, carried to every layer at depth.

    For an odd activation without biases, correlation c = 0 is a fixed point of the correlation map (E[phi(u1)
    phi(u2)] = 0 for independent u1, u2), so standardized digits (mean cosine ~0) stay apart at every layer,
    while raw pixels (mean cosine ~0.7) stay above 0.5 through 9 hidden tanh layers.
    """
    spec = MLPSpec((64, *[64] * 9, 10), activation="tanh")
    params = init_params(jax.random.PRNGKey(0), spec)
    rows = slice(0, 300)
    standardized = forward(params, jnp.asarray(load_dataset("digits", spec.widths, 0).x_train[rows]), spec)[:-1]
    raw = forward(params, jnp.asarray(_raw_digits().x_train[rows] / 16.0), spec)[:-1]
    assert max(abs(_mean_cosine(h)) for h in standardized) < 0.05
    assert min(_mean_cosine(h) for h in raw) > 0.5


def _length_map(q, sigma_w2, sigma_b2, nodes=80):
    """q' = E[tanh(u)^2], u ~ N(0, sigma_w2 q + sigma_b2), by Gauss-Hermite quadrature (independent oracle)."""
    t, w = np.polynomial.hermite.hermgauss(nodes)
    u = np.sqrt(2 * (sigma_w2 * np.asarray(q)[..., None] + sigma_b2)) * t
    return (np.tanh(u) ** 2 * w).sum(-1) / np.sqrt(np.pi)


@pytest.mark.parametrize("sigma_w2, sigma_b2", [(1.0, 0.0), (2.0, 0.05)])
def test_forward_mean_square_follows_length_map(sigma_w2, sigma_b2):
    """At width 1024 the mean squared neuron value per layer follows the infinite-width length map, row by row."""
    width, depth, nets = 1024, 8, 6
    spec = MLPSpec((64, *[width] * depth, 10), activation="tanh")
    x = load_dataset("digits", spec.widths, 0).x_train[:16]
    samples = []
    for seed in range(nets):
        params = init_params(jax.random.PRNGKey(seed), spec, sigma_w2=sigma_w2, sigma_b2=sigma_b2)
        samples.append([np.mean(np.asarray(h) ** 2, axis=1).mean() for h in forward(params, jnp.asarray(x), spec)[:-1]])
    est = estimate(np.asarray(samples), chains=False)  # independent networks: one "chain" of iid samples
    q = np.mean(x.astype(float) ** 2, axis=1)  # per row: the input's mean square
    expected = []
    for _ in range(depth):
        q = _length_map(q, sigma_w2, sigma_b2)
        expected.append(q.mean())
    assert np.all(np.abs(est.mean - expected) < 4 * est.stderr)


# ------------------------------------------------------------------------------------------- deep training

def test_depth10_tanh_backprop_trains():
    """9 hidden tanh layers of 64 on digits, the default settings: >= 90% test accuracy in 10 epochs (was 22%)."""
    spec = MLPSpec((64, *[64] * 9, 10), activation="tanh")
    result = train(spec, load_dataset("digits", spec.widths, 0), TrainConfig(method="backprop", epochs=10, seed=0))
    assert result.test_accuracy[-1] >= 0.90


@pytest.mark.slow
@pytest.mark.parametrize("depth", [6, 10])
def test_dna_within_one_point_of_backprop_at_depth(depth):
    """tanh, width 64, digits, 10 epochs, 3 seeds: backprop >= 90% each, DNA's mean within 1 point of backprop's."""
    spec = MLPSpec((64, *[64] * (depth - 1), 10), activation="tanh")
    data = load_dataset("digits", spec.widths, 0)
    acc = {m: [train(spec, data, TrainConfig(method=m, epochs=10, seed=s)).test_accuracy[-1] for s in (0, 1, 2)]
           for m in ("backprop", "dna")}
    assert min(acc["backprop"]) >= 0.90
    assert abs(np.mean(acc["dna"]) - np.mean(acc["backprop"])) <= 0.01


# ------------------------------------------------------------------------------------ the top-down sweep

def _problem(activation="tanh", beta_v=1.0, seed=0, widths=(5, 6, 6, 6, 3)):
    spec = MLPSpec(widths, activation=activation, output_activation="sigmoid", beta_v=beta_v)
    keys = jax.random.split(jax.random.PRNGKey(seed), 3)
    params = init_params(keys[0], spec, sigma_w2=2.0, sigma_b2=0.1)
    x = jax.random.normal(keys[1], (12, widths[0]))
    y = jax.random.uniform(keys[2], (12, widths[-1]))
    return spec, params, x, y


@pytest.mark.parametrize("activation, beta_v", [("tanh", 1.0), ("tanh", 20.0), ("sigmoid", 1.0), ("relu", 3.0)])
def test_every_layer_update_of_a_sweep_lowers_the_energy(activation, beta_v):
    """Block-coordinate descent: one sweep after another, H_new never rises (from the forward pass and from noise)."""
    spec, params, x, y = _problem(activation, beta_v)
    start = forward(params, x, spec)[:-1]
    noisy = tuple(h + 0.3 * jax.random.normal(jax.random.PRNGKey(9 + m), h.shape) for m, h in enumerate(start))
    one_sweep = jax.jit(lambda h: sweep_hidden(params, h, x, y, spec, sweeps=1))
    for hidden in (start, noisy):
        energies = [float(energy(params, hidden, x, y, spec))]
        for _ in range(15):
            hidden = one_sweep(hidden)
            energies.append(float(energy(params, hidden, x, y, spec)))
        assert np.all(np.diff(energies) <= 1e-6 * energies[0]), energies
        assert energies[-1] < energies[0]


def test_one_sweep_reaches_every_layer_and_matches_backprop_at_the_top():
    """From the forward pass one sweep moves every hidden layer (one Jacobi step moves only the top one); at large
    lambda the top constraint error is the backprop delta: lambda e^(M-1) -> J_M^T (y - sigma^(M)) (to O(1/lambda))."""
    with jax.enable_x64(True):
        _check_one_sweep(*_problem(beta_v=1e4))


def _check_one_sweep(spec, params, x, y):
    params = jax.tree_util.tree_map(lambda a: a.astype(jnp.float64), params)
    x, y = x.astype(jnp.float64), y.astype(jnp.float64)
    start = forward(params, x, spec)[:-1]
    swept = jax.jit(lambda h: sweep_hidden(params, h, x, y, spec, sweeps=1))(start)
    jacobi = jax.jit(lambda h: relax_hidden(params, h, x, y, spec, steps=1))(start)
    moved = lambda new: [float(jnp.abs(a - b).max()) > 1e-6 for a, b in zip(new, start)]
    assert moved(swept) == [True] * 3 and moved(jacobi) == [False, False, True]
    out_error = y - forward(params, x, spec)[-1]
    z_top = start[-1] @ params[-1]["W"].T + params[-1]["b"]
    sig = jax.nn.sigmoid(z_top)
    delta = (out_error * sig * (1 - sig)) @ params[-1]["W"]  # the backprop delta of the top hidden layer, by hand
    np.testing.assert_allclose(spec.lambdas[0] * (swept[-1] - start[-1]), delta, rtol=1e-2, atol=1e-6)


def test_sweeps_and_jacobi_reach_the_same_stationary_point():
    """Many sweeps make dH/dh vanish (the full jax.grad of H_new) at the Jacobi relaxation's fixed point."""
    with jax.enable_x64(True):
        spec, params, x, y = _problem(beta_v=2.0)
        params = jax.tree_util.tree_map(lambda a: a.astype(jnp.float64), params)
        x, y = x.astype(jnp.float64), y.astype(jnp.float64)
        start = forward(params, x, spec)[:-1]
        swept = sweep_hidden(params, start, x, y, spec, sweeps=400)
        jacobi = relax_hidden(params, start, x, y, spec, steps=4000, rate=0.5)
        grad = jax.grad(energy, argnums=1)(params, swept, x, y, spec)
        assert max(float(jnp.abs(g).max()) for g in grad) < 1e-8
        for a, b in zip(swept, jacobi):
            np.testing.assert_allclose(a, b, atol=1e-6)


def test_training_step_relaxation_is_the_forward_pass_plus_one_sweep():
    spec, params, x, y = _problem()
    hidden, z = forward_preactivations(params, x, spec)
    for a, b in zip(hidden, forward(params, x, spec)[:-1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for a, b in zip(relax(params, x, y, spec), sweep_hidden(params, hidden, x, y, spec, sweeps=1)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="^relaxation:"):
        relax(params, x, y, spec, relaxation="newton")


def test_swept_dna_gradient_tends_to_backprop_gradient():
    """At the swept fixed point the DNA weight gradient turns into backprop's as beta_v grows (eq A1 limit)."""
    from jax.flatten_util import ravel_pytree

    cosines = []
    for beta_v in (1.0, 1e3):
        spec, params, x, y = _problem(beta_v=beta_v)
        hidden = sweep_hidden(params, forward(params, x, spec)[:-1], x, y, spec, sweeps=200)
        a = ravel_pytree(jax.grad(energy)(params, hidden, x, y, spec))[0]
        b = ravel_pytree(jax.grad(loss)(params, x, y, spec))[0]
        cosines.append(float(a @ b / jnp.linalg.norm(a) / jnp.linalg.norm(b)))
    assert cosines[1] > 0.999 > cosines[0]


@pytest.mark.parametrize("relaxation", ["sweep", "jacobi"])
def test_training_gradient_is_the_autodiff_gradient_of_the_energy(relaxation):
    """The DNA step's weight gradient, from the pre-activations the sweep keeps up to date, equals jax.grad of the
    whole energy at the relaxed neurons (with regularizers), and those pre-activations are h W^T + b."""
    from deeprg.continuous.dynamics import _relax, energy_and_param_grad

    spec, params, x, y = _problem(beta_v=3.0)
    spec = MLPSpec(spec.widths, activation="tanh", output_activation="sigmoid", beta_v=3.0, c_w=0.05, c_b=0.02, p=2.5)
    hidden, z = _relax(params, x, y, spec, relaxation, 2, None)
    for m, (layer, h) in enumerate(zip(params, (x, *hidden))):
        np.testing.assert_allclose(z[m], h @ layer["W"].T + layer["b"], rtol=1e-5, atol=1e-5)
    value, grads = energy_and_param_grad(params, hidden, z, x, y, spec)
    expected_value, expected = jax.value_and_grad(energy)(params, hidden, x, y, spec)
    assert float(value) == pytest.approx(float(expected_value), rel=1e-5)
    for a, b in zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_cli_train_records_init_scale_and_relaxation(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("DEEPRG_PROGRESS", "0")
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--method", "dna", "--dataset", "teacher", "--widths", "6,8,8,3", "--epochs", "1",
              "--sigma-w2", "2", "--sigma-b2", "0.1", "--relaxation", "jacobi", "--out", str(out)])
    assert exit_info.value.code == 0
    spec = json.loads((out / "result.json").read_text())["spec"]
    assert (spec["sigma_w2"], spec["sigma_b2"], spec["relaxation"]) == (2.0, 0.1, "jacobi")
