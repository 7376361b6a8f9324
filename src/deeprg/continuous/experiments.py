r"""Experiments: the beta_v -> inf limit, depth and beta_v sweeps, and a translational-symmetry diagnostic.

**beta_v limit.** On a small regression problem (tanh hidden layer, linear output) the backprop minimizer
:math:`\theta^*` of :math:`\sum_l |y - f(x)|^2 + c_W|W|^2 + c_b|b|^2` (the Appendix B regularizers make
both problems coercive: without them the DNA energy can creep to 0 at infinite weights) is found by gradient descent polished with L-BFGS. For each
:math:`\lambda = \beta_v/\beta` the DNA energy is minimized over :math:`(W, b, h)` by eq A1 descent started at
:math:`(\theta^*, h = \text{forward pass})`, polished with L-BFGS (all in float64). Because
:math:`\nabla_\theta H_{new} = \nabla_\theta C + O(1/\lambda)` near the forward pass, the DNA minimizer moves by
:math:`O(1/\lambda)`: the distance :math:`|\theta_{DNA}-\theta^*|` must fall like :math:`\lambda^{-1}`.

**Translational symmetry.** In a deep DNA net trained on the teacher task, the layer-wise mean and spread of the
dynamic neurons :math:`h^{(m)}`, of :math:`\sigma^{(m)}` and of the constraint error :math:`h^{(m+1)}-\sigma^{(m)}`
are compared along depth; a bulk that is statistically the same layer after layer shows the homogeneity of the
equations of motion the paper appeals to (Appendix A).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from jax.flatten_util import ravel_pytree

from .data import load_dataset
from .dynamics import joint_descent, relax
from .model import MLPSpec, energy, forward, init_params, loss
from .training import TrainConfig, train


def _lbfgs(fn, flat0, tol=1e-12):
    value_and_grad = jax.jit(jax.value_and_grad(fn))

    def objective(v):
        value, grad = value_and_grad(jnp.asarray(v))
        return float(value), np.asarray(grad, dtype=float)

    res = scipy.optimize.minimize(objective, np.asarray(flat0, float), jac=True, method="L-BFGS-B",
                                  options={"maxiter": 20000, "gtol": tol, "ftol": 1e-16})
    return jnp.asarray(res.x), float(np.abs(objective(res.x)[1]).max())


def beta_v_limit(lambdas=(1.0, 10.0, 100.0, 1e3, 1e4, 1e5), seed: int = 0, rows: int = 64, hidden: int = 2,
                 descent_steps: int = 2000, c_w: float = 0.1) -> dict:
    """Distance of the DNA minimizer from the backprop minimizer against lambda (module docstring).

    ``log_log_slope`` is fitted on the three largest lambdas (the asymptotic regime); it should be -1.
    """
    with jax.enable_x64(True):
        k_x, k_p = jax.random.split(jax.random.PRNGKey(seed))
        x = jax.random.normal(k_x, (rows, 2), dtype=jnp.float64)
        y = jnp.sin(x[:, :1]) + 0.5 * x[:, 1:] ** 2 - 0.3
        base = MLPSpec((2, hidden, 1), activation="tanh", output_activation="linear", c_w=c_w, c_b=c_w)
        flat0, unravel = ravel_pytree(jax.tree_util.tree_map(lambda a: a.astype(jnp.float64), init_params(k_p, base)))
        star, bp_grad = _lbfgs(lambda v: loss(unravel(v), x, y, base), flat0)
        params_star = unravel(star)
        out = {"lambda": [], "distance": [], "energy": [], "max_grad": [], "backprop_loss": float(loss(params_star, x, y, base)),
               "backprop_max_grad": bp_grad}
        for lam in lambdas:
            spec = dataclasses.replace(base, beta_v=float(lam))
            hidden0 = forward(params_star, x, spec)[:-1]
            params, hid, _ = joint_descent(params_star, hidden0, x, y, spec, 1e-3 / max(lam, 1.0), descent_steps)
            flat, unravel_all = ravel_pytree((params, hid))
            sol, grad = _lbfgs(lambda v: energy(*unravel_all(v), x, y, spec), flat)
            params_dna = unravel_all(sol)[0]
            out["lambda"].append(float(lam))
            out["distance"].append(float(jnp.linalg.norm(ravel_pytree(params_dna)[0] - star)))
            out["energy"].append(float(energy(*unravel_all(sol), x, y, spec)))
            out["max_grad"].append(grad)
    out["energy_gap"] = [out["backprop_loss"] - e for e in out["energy"]]
    tail = slice(-3, None)
    out["log_log_slope"] = (float(np.polyfit(np.log(out["lambda"][tail]), np.log(out["distance"][tail]), 1)[0])
                            if len(lambdas) >= 3 else None)
    return out


def accuracy_pair(spec, data, epochs, batch_size, seed, learning_rate, methods=("dna", "backprop")) -> dict:
    """Final test accuracy and median time per epoch of DNA and of backprop training of ``spec`` on ``data``."""
    runs = {}
    for method in methods:
        result = train(spec, data, TrainConfig(method=method, epochs=epochs, batch_size=batch_size, seed=seed,
                                               learning_rate=learning_rate))
        runs[method] = {"test_accuracy": result.test_accuracy[-1],
                        "time_per_epoch": float(np.median(result.time_per_epoch))}
    return runs


def training_point(params: dict, seed: int) -> dict:
    """:func:`accuracy_pair` as a :func:`deeprg.sweep.run_sweep` point.

    ``params``: ``dataset``, ``spec`` (the :class:`MLPSpec` fields), ``methods`` and ``config`` (``epochs``,
    ``batch_size``, ``learning_rate``).
    """
    spec = MLPSpec(**params["spec"])
    data = load_dataset(params["dataset"], spec.widths, seed)
    return accuracy_pair(spec, data, seed=seed, methods=params["methods"], **params["config"])


def _training_points(dataset: str, specs: dict, methods, config: dict, seed: int):
    from ..sweep import Point

    return [Point(key, {"dataset": dataset, "spec": dataclasses.asdict(spec), "methods": list(methods),
                        "config": config}, seed) for key, spec in specs.items()]


def depth_sweep(dataset: str = "digits", depths=range(2, 11), width: int = 64, epochs: int = 10,
                batch_size: int = 32, seed: int = 0, activation: str = "sigmoid", learning_rate: float = 3e-3,
                advance=lambda n=1: None, out_dir=None, address: str | None = None,
                workers: int | None = None) -> dict:
    """Final test accuracy and median time per epoch of DNA and backprop for nets with ``depth`` weight layers.

    Each depth is one point of :func:`deeprg.sweep.run_sweep` (``out_dir``, ``address``, ``workers`` as there).
    """
    from ..sweep import run_sweep

    n_in, n_out = load_dataset(dataset, (64 if dataset == "digits" else width, 10), seed).widths
    depths = list(depths)
    specs = {f"depth={d}": MLPSpec((n_in, *([width] * (d - 1)), n_out), activation=activation) for d in depths}
    config = dict(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
    runs = run_sweep(training_point, _training_points(dataset, specs, ("dna", "backprop"), config, seed),
                     out_dir=out_dir, address=address, workers=workers, progress=advance)
    rows = [{"depth": d, **r} for d, r in zip(depths, runs)]
    return {"dataset": dataset, "width": width, "epochs": epochs, "rows": rows}


def beta_v_sweep(dataset: str = "digits", beta_vs=(0.1, 0.3, 1.0, 3.0, 10.0, 100.0), widths=(64, 64, 64, 10),
                 epochs: int = 10, batch_size: int = 32, seed: int = 0, activation: str = "sigmoid",
                 learning_rate: float = 1e-2, advance=lambda n=1: None, out_dir=None, address: str | None = None,
                 workers: int | None = None) -> dict:
    """DNA test accuracy against beta_v (beta = 1), with the backprop (beta_v = inf) accuracy for reference.

    The backprop run and each beta_v are points of :func:`deeprg.sweep.run_sweep` (``advance`` is called
    ``len(beta_vs) + 1`` times).
    """
    from ..sweep import run_sweep

    config = dict(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
    beta_vs = [float(b) for b in beta_vs]
    reference = _training_points(dataset, {"backprop": MLPSpec(tuple(widths), activation=activation)},
                                 ("backprop",), config, seed)
    dna = _training_points(dataset, {f"beta_v={b!r}": MLPSpec(tuple(widths), activation=activation, beta_v=b)
                                     for b in beta_vs}, ("dna",), config, seed)
    backprop, *runs = run_sweep(training_point, reference + dna, out_dir=out_dir, address=address,
                                workers=workers, progress=advance)
    rows = [{"beta_v": b, "test_accuracy": r["dna"]["test_accuracy"]} for b, r in zip(beta_vs, runs)]
    return {"dataset": dataset, "widths": list(widths),
            "backprop_test_accuracy": backprop["backprop"]["test_accuracy"], "rows": rows}


def symmetry_diagnostic(depth: int = 20, width: int = 32, epochs: int = 10, batch_size: int = 32, seed: int = 0,
                        activation: str = "tanh", learning_rate: float = 1e-3) -> dict:
    """Layer-wise statistics of h, sigma and the constraint error in a trained DNA net of ``depth`` weight layers."""
    if depth < 3:
        raise ValueError(f"depth: need at least 3 weight layers for a bulk, got {depth}")
    spec = MLPSpec((width, *([width] * (depth - 1)), 4), activation=activation, output_activation="sigmoid")
    data = load_dataset("teacher", spec.widths, seed)
    result = train(spec, data, TrainConfig(method="dna", epochs=epochs, batch_size=batch_size, seed=seed,
                                           learning_rate=learning_rate))
    x, y = jnp.asarray(data.x_test), jnp.asarray(data.y_test)
    params = result.params
    hidden = relax(params, x, y, spec)  # the relaxation training used
    sigmas = [spec.act(m)(h @ layer["W"].T + layer["b"]) for m, (layer, h) in enumerate(zip(params, (x, *hidden)))]
    layers = []
    for m, h in enumerate(hidden, start=1):
        error = h - sigmas[m - 1]
        layers.append({"layer": m, "h_mean": float(jnp.mean(h)), "h_std": float(jnp.std(h)),
                       "sigma_mean": float(jnp.mean(sigmas[m - 1])), "sigma_std": float(jnp.std(sigmas[m - 1])),
                       "error_rms": float(jnp.sqrt(jnp.mean(error ** 2))),
                       "weight_norm": float(jnp.linalg.norm(params[m - 1]["W"]) / np.sqrt(params[m - 1]["W"].size))})
    bulk = layers[len(layers) // 4: 3 * len(layers) // 4]
    h_std = np.array([row["h_std"] for row in bulk])
    return {"depth": depth, "width": width, "test_accuracy": result.test_accuracy[-1], "layers": layers,
            "bulk_layers": [row["layer"] for row in bulk],
            "bulk_h_std_variation": float(h_std.std() / h_std.mean())}
