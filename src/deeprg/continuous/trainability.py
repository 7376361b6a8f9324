r"""Trainability against the initial weight scale and depth: does DNA training obey the depth scale :math:`\xi_c`?

For backprop, random networks initialized at :math:`W_{ij} \sim N(0, \sigma_w^2/n_{in})`,
:math:`b_i \sim N(0, \sigma_b^2)` train only while the depth is within a few correlation depth scales
:math:`\xi_c(\sigma_w^2)` of signal-propagation theory (:mod:`deeprg.continuous.signal_prop`), which diverges on the
edge of chaos. DNA training starts its dynamic neurons at the same forward pass, so the same :math:`\xi_c` (noise-free:
the relaxation is deterministic, no :math:`1/(2\beta_v)` noise enters it) sets how far the forward signal carries;
whether the DNA's weight updates obey it is the question.

Each point of the grid (method, depth, :math:`\sigma_w^2`) is one training run on digits, evaluated by the pure
:func:`train_point` through :func:`deeprg.sweep.run_sweep`; the seed of every point is the sweep seed, so DNA and
backprop at the same point share data split, initial weights and batches.
"""

from __future__ import annotations

import math

import numpy as np

from ..sweep import Point, run_sweep

METHODS = ("dna", "backprop")


def train_point(params: dict, seed: int) -> dict:
    """One training run (pure; JSON in and out). ``params``: method, depth (weight layers), width, sigma_w2,
    sigma_b2, activation, epochs, batch_size, learning_rate, dataset."""
    from .data import load_dataset
    from .model import MLPSpec
    from .training import TrainConfig, train

    depth, width = int(params["depth"]), int(params["width"])
    data = load_dataset(params["dataset"], (64, 10), seed)
    n_in, n_out = data.widths
    spec = MLPSpec((n_in, *([width] * (depth - 1)), n_out), activation=params["activation"])
    config = TrainConfig(method=params["method"], epochs=int(params["epochs"]), batch_size=int(params["batch_size"]),
                         seed=seed, learning_rate=float(params["learning_rate"]), sigma_w2=float(params["sigma_w2"]),
                         sigma_b2=float(params["sigma_b2"]))
    result = train(spec, data, config)
    final = result.test_accuracy[-1]
    return {**params, "seed": seed, "test_accuracy": final if math.isfinite(final) else None,
            "train_accuracy": result.train_accuracy[-1], "time_per_epoch": float(np.median(result.time_per_epoch))}


def validate(sigma_w2s, depths, methods, width, epochs, sigma_b2, activation) -> None:
    from .signal_prop import ACTIVATIONS, check_params

    if not sigma_w2s or not depths:
        raise ValueError("sigma_w2/depths: need at least one value each")
    for sw in sigma_w2s:
        check_params(sw, sigma_b2, math.inf)
    if any(int(d) != d or d < 2 for d in depths):
        raise ValueError(f"depths: weight layers must be integers >= 2, got {list(depths)}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"methods: {unknown or methods} not among {', '.join(METHODS)}")
    if width < 1 or epochs < 1:
        raise ValueError(f"width/epochs: must be >= 1, got {width}/{epochs}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: {activation!r} is not one of {', '.join(ACTIVATIONS)}")


def edge_of_chaos_sweep(sigma_w2s, depths, *, methods=METHODS, sigma_b2: float = 0.05, activation: str = "tanh",
                        width: int = 64, epochs: int = 5, batch_size: int = 32, learning_rate: float = 3e-3,
                        dataset: str = "digits", seed: int = 0, out_dir=None, address=None, workers=None,
                        progress=None) -> dict:
    """Test accuracy over (method, depth, sigma_w2) with :math:`\\xi_c(\\sigma_w^2)` of the initial network.

    ``accuracy[method]`` is a (len(depths), len(sigma_w2s)) list of lists (``None`` where training diverged).
    ``trainable_depth_ratio``: for each method, the largest depth reaching ``threshold`` accuracy divided by
    :math:`\\xi_c`, per :math:`\\sigma_w^2` (``None`` where no depth reaches it or :math:`\\xi_c` diverges).
    """
    from .signal_prop import critical_sigma_w2, signal_prop

    validate(sigma_w2s, depths, methods, width, epochs, sigma_b2, activation)
    points = [Point(f"{m}_d{d}_w{sw:g}", {"method": m, "depth": int(d), "sigma_w2": float(sw), "sigma_b2": sigma_b2,
                                          "width": width, "activation": activation, "epochs": epochs,
                                          "batch_size": batch_size, "learning_rate": learning_rate,
                                          "dataset": dataset}, seed)
              for m in methods for d in depths for sw in sigma_w2s]
    results = run_sweep(train_point, points, out_dir=out_dir, address=address, workers=workers, progress=progress)
    crit = critical_sigma_w2(activation, sigma_b2)
    theory = [signal_prop(activation, float(sw), sigma_b2, math.inf, critical=crit) for sw in sigma_w2s]
    accuracy = {m: [[None] * len(sigma_w2s) for _ in depths] for m in methods}
    for p, r in zip(points, results):
        accuracy[p.params["method"]][list(depths).index(p.params["depth"])][
            list(sigma_w2s).index(p.params["sigma_w2"])] = r["test_accuracy"]
    fine = np.geomspace(min(sigma_w2s), max(sigma_w2s), 60)
    if crit is not None and fine[0] < crit < fine[-1]:
        fine = np.unique(np.concatenate([fine, crit * (1 + np.outer([-1, 1], np.logspace(-4, -1, 5)).ravel())]))
    curve = [signal_prop(activation, float(sw), sigma_b2, math.inf, critical=crit).xi_c for sw in fine]
    chance = 0.1
    threshold = chance + 0.5 * (1 - chance)  # halfway between chance and perfect
    ratios = {}
    for m in methods:
        ratios[m] = []
        for j, t in enumerate(theory):
            ok = [d for i, d in enumerate(depths) if (accuracy[m][i][j] or 0.0) >= threshold]
            ratios[m].append(max(ok) / t.xi_c if ok and t.xi_c else None)
    return {"activation": activation, "sigma_b2": sigma_b2, "width": width, "epochs": epochs, "dataset": dataset,
            "seed": seed, "methods": list(methods), "sigma_w2": [float(s) for s in sigma_w2s],
            "depths": [int(d) for d in depths], "accuracy": accuracy, "xi_c": [t.xi_c for t in theory],
            "xi_curve": {"sigma_w2": fine.tolist(), "xi_c": curve},
            "chi1": [t.chi1 for t in theory], "critical_sigma_w2": crit, "threshold": threshold,
            "trainable_depth_over_xi_c": ratios, "points": results,
            "nulls": "accuracy null: training diverged (NaN); xi_c null: diverges (edge of chaos); "
                     "trainable_depth_over_xi_c null: no depth reached the threshold or xi_c diverges"}
