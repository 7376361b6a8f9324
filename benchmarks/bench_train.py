"""DNA training vs backprop at depth (wall time per epoch and test accuracy), and Langevin steps/s.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_train.py [--quick]
Writes results/bench/train.json.

1. Depth (the acceptance of DNA at depth): tanh MLPs of width 64 with 6 and 10 weight layers on digits, 10 epochs,
   batch 32, Adam at the default rate: test accuracy of backprop and DNA (one top-down sweep per batch, the default)
   for seeds 0, 1, 2. Time per epoch: the compiled epoch that ``deeprg train`` times (one ``lax.scan`` over the
   batches), run alternately for backprop, DNA and the previous DNA relaxation (M Jacobi steps with the
   power-iteration step cap) on the same batches, so a load change on the shared machine hits all of them; the
   ratio is DNA's over backprop's, of the minima (the cost without interference) and the median of paired rounds.
2. Langevin (ULA) on (W, b, h) of a ~1e5-parameter MLP against plain gradient steps of the same energy.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DEEPRG_PROGRESS", "0")

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import record  # noqa: E402

from deeprg.continuous import MLPSpec, TrainConfig, energy, forward, init_params, load_dataset, train  # noqa: E402
from deeprg.continuous.dynamics import langevin_init, preconditioner, ula_step  # noqa: E402
from deeprg.continuous.training import epoch_batches, make_epoch  # noqa: E402


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved_epoch_times(spec, data, rounds: int) -> dict:
    """Wall time of one compiled epoch (the same batches and initial state) for each method, alternating
    backprop, DNA (sweep), DNA (Jacobi) for ``rounds`` rounds, so a load change on the shared machine hits all."""
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    params = init_params(jax.random.PRNGKey(0), spec)
    batches = epoch_batches(np.random.default_rng(0), len(x), 32)
    runners = {"backprop": make_epoch(spec, TrainConfig(method="backprop"), params),
               "dna": make_epoch(spec, TrainConfig(method="dna"), params),
               "jacobi": make_epoch(spec, TrainConfig(method="dna", relaxation="jacobi"), params)}
    for run_epoch, state in runners.values():
        jax.block_until_ready(run_epoch(state, batches, x, y))  # compile
    times = {name: [] for name in runners}
    for _ in range(rounds):
        for name, (run_epoch, state) in runners.items():
            start = time.perf_counter()
            jax.block_until_ready(run_epoch(state, batches, x, y))
            times[name].append(time.perf_counter() - start)
    return {name: np.array(t) for name, t in times.items()}


def depth_comparison(depth: int, seeds=(0, 1, 2), epochs: int = 10, rounds: int = 30) -> dict:
    spec = MLPSpec((64, *[64] * (depth - 1), 10), activation="tanh")
    data = load_dataset("digits", spec.widths, 0)
    acc = {m: [train(spec, data, TrainConfig(method=m, epochs=epochs, seed=s)).test_accuracy[-1] for s in seeds]
           for m in ("backprop", "dna")}
    t = interleaved_epoch_times(spec, data, rounds)
    paired = t["dna"] / t["backprop"]
    return {
        "depth": depth, "seeds": list(seeds),
        "backprop_test_accuracy": acc["backprop"], "dna_test_accuracy": acc["dna"],
        "backprop_mean_accuracy": float(np.mean(acc["backprop"])), "dna_mean_accuracy": float(np.mean(acc["dna"])),
        "accuracy_gap_points": 100 * float(np.mean(acc["dna"]) - np.mean(acc["backprop"])),
        "rounds": rounds,
        "backprop_s_per_epoch_min": float(t["backprop"].min()), "dna_s_per_epoch_min": float(t["dna"].min()),
        "backprop_s_per_epoch_median": float(np.median(t["backprop"])),
        "dna_s_per_epoch_median": float(np.median(t["dna"])),
        "ratio_min": float(t["dna"].min() / t["backprop"].min()),
        "ratio_paired_median": float(np.median(paired)),
        "ratio_paired_quartiles": [float(q) for q in np.percentile(paired, [25, 75])],
        "jacobi_ratio_min": float(t["jacobi"].min() / t["backprop"].min()),
    }


def langevin_rate(chains):
    spec = MLPSpec((64, 256, 256, 10), activation="tanh", output_activation="sigmoid", beta=100.0, beta_v=100.0)
    n_params = sum(l["W"].size + l["b"].size for l in init_params(jax.random.PRNGKey(0), spec))
    data = load_dataset("digits", spec.widths, 0)
    x, y = jnp.asarray(data.x_train[:512]), jnp.asarray(data.y_train[:512])
    params = init_params(jax.random.PRNGKey(1), spec)
    hidden = forward(params, x, spec)[:-1]
    step_size = preconditioner(spec, params, hidden, x, 0.1)
    energy_fn = lambda pos: energy(pos[0], pos[1], x, y, spec)
    steps = 50

    @jax.jit
    def run(key, states):
        def one(key, state):
            return jax.lax.scan(lambda s, k: (ula_step(k, s, energy_fn, spec.beta, step_size), None), state,
                                jax.random.split(key, steps))[0]
        return jax.vmap(one)(jax.random.split(key, chains), states)

    @jax.jit
    def run_descent(states):  # baseline: the same number of plain full-batch gradient steps, no noise
        def one(state):
            def body(s, _):
                g = jax.grad(energy_fn)(s)
                return jax.tree_util.tree_map(lambda a, b, e: a - e * b, s, g, step_size), None
            return jax.lax.scan(body, state, None, length=steps)[0]
        return jax.vmap(one)(states)

    stack = lambda t: jax.tree_util.tree_map(lambda a: jnp.broadcast_to(a, (chains, *a.shape)), t)
    states = jax.vmap(lambda p: langevin_init(energy_fn, p))(stack((params, hidden)))
    jax.block_until_ready(run(jax.random.PRNGKey(2), states))
    jax.block_until_ready(run_descent(states.position))
    t_lv = best_of(lambda: run(jax.random.PRNGKey(2), states), 3)
    t_gd = best_of(lambda: run_descent(states.position), 3)
    return n_params, chains * steps / t_lv, chains * steps / t_gd


def main():
    quick = "--quick" in sys.argv
    rows = {}
    print("tanh, width 64, digits (standardized), 10 epochs, batch 32, Adam at the default rate; "
          "DNA = one top-down sweep per batch (timings on a shared, busy machine: compare the ratios)")
    for depth in ((6,) if quick else (6, 10)):
        r = depth_comparison(depth, seeds=(0,) if quick else (0, 1, 2))
        print(f"depth {depth}: best of {r['rounds']} interleaved epochs: backprop "
              f"{1e3 * r['backprop_s_per_epoch_min']:.2f} ms, DNA {1e3 * r['dna_s_per_epoch_min']:.2f} ms; "
              f"ratio DNA/backprop = {r['ratio_min']:.2f} (minima), {r['ratio_paired_median']:.2f} (median of "
              f"paired rounds, quartiles {r['ratio_paired_quartiles'][0]:.2f}-{r['ratio_paired_quartiles'][1]:.2f}); "
              f"previous Jacobi relaxation {r['jacobi_ratio_min']:.2f}x")
        print(f"  test accuracy after 10 epochs, seeds {r['seeds']}: backprop "
              + ", ".join(f"{100 * a:.2f}%" for a in r["backprop_test_accuracy"]) + "; DNA "
              + ", ".join(f"{100 * a:.2f}%" for a in r["dna_test_accuracy"])
              + f"; means {100 * r['backprop_mean_accuracy']:.2f}% vs {100 * r['dna_mean_accuracy']:.2f}% "
              f"(DNA - backprop = {r['accuracy_gap_points']:+.2f} points)")
        rows[f"depth{depth}"] = r
    if not quick:
        for chains in (1, 4):
            n_params, rate, rate_gd = langevin_rate(chains)
            print(f"Langevin (ULA) on (W, b, h), MLP 64-256-256-10 ({n_params} parameters, h of 512 rows), "
                  f"{chains} chain(s): {rate:.0f} steps/s; plain gradient steps: {rate_gd:.0f} steps/s; "
                  f"ratio = {rate_gd / rate:.2f}")
            rows[f"langevin_{chains}_chains"] = {"steps_per_s": rate, "gradient_steps_per_s": rate_gd}
    path = record("train", {})
    path.write_text(json.dumps({**json.loads(path.read_text()), **rows}, indent=1))


if __name__ == "__main__":
    main()
