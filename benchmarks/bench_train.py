"""DNA training vs backprop wall time per epoch (digits, 64-64-64-10), and Langevin steps/s for a ~1e5-parameter MLP.

Run: .venv/bin/python benchmarks/bench_train.py
Two timings of the same updates: (a) what `deeprg train` runs (a whole epoch compiled as one lax.scan over
batches: pure compute), and (b) one jitted update per batch dispatched from Python (dispatch-bound).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DEEPRG_PROGRESS", "0")

import jax
import jax.numpy as jnp
import numpy as np
import optax

from deeprg.continuous import MLPSpec, TrainConfig, energy, forward, init_params, load_dataset, train
from deeprg.continuous.dynamics import langevin_init, make_backprop_step, make_dna_step, preconditioner, train_init, ula_step


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


def training_loop(spec, data):
    out = {}
    for method in ("backprop", "dna"):
        result = train(spec, data, TrainConfig(method=method, epochs=10, batch_size=32, seed=0))
        out[method] = (float(np.median(result.time_per_epoch)), result.test_accuracy[-1])
    return out


def dispatch_loop(spec, data):
    """The same updates, one jitted call per batch from Python (dispatch-bound on small nets)."""
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    batches = np.random.default_rng(0).permutation(len(x))[: len(x) // 32 * 32].reshape(-1, 32)
    optimizer = optax.adam(1e-2)
    state = train_init(init_params(jax.random.PRNGKey(0), spec), optimizer)
    out = {}
    for method, step in (("backprop", make_backprop_step(spec, optimizer)), ("dna", make_dna_step(spec, optimizer))):
        def epoch(step=step):
            s = state
            for idx in batches:
                s, _ = step(s, x[idx], y[idx])
            return s
        jax.block_until_ready(epoch())
        out[method] = best_of(epoch)
    return out


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
    spec = MLPSpec((64, 64, 64, 10), activation="sigmoid")
    data = load_dataset("digits", spec.widths, 0)
    train_runs = training_loop(spec, data)
    loop = dispatch_loop(spec, data)
    print("digits 64-64-64-10, batch 32, 44 batches/epoch, Adam 1e-2, DNA T=2 relaxation steps, gamma=0.5")
    t = train_runs
    print(f"  deeprg train (one compiled scan per epoch, median of 10): backprop {t['backprop'][0]*1e3:.2f} ms/epoch "
          f"(test acc {100*t['backprop'][1]:.2f}%), DNA {t['dna'][0]*1e3:.2f} ms/epoch "
          f"(test acc {100*t['dna'][1]:.2f}%); ratio DNA/backprop = {t['dna'][0]/t['backprop'][0]:.2f}")
    print(f"  per-batch Python dispatch loop (best of 5): backprop {loop['backprop']*1e3:.2f} ms/epoch, "
          f"DNA {loop['dna']*1e3:.2f} ms/epoch; ratio DNA/backprop = {loop['dna']/loop['backprop']:.2f}")
    for chains in (1, 4):
        n_params, rate, rate_gd = langevin_rate(chains)
        print(f"Langevin (ULA) on (W, b, h), MLP 64-256-256-10 ({n_params} parameters, h of 512 rows), "
              f"{chains} chain(s): {rate:.0f} steps/s; plain gradient steps: {rate_gd:.0f} steps/s; "
              f"ratio = {rate_gd / rate:.2f}")


if __name__ == "__main__":
    main()
