"""gx: one chunk of Adam steps of a locally connected layer (likelihood objective), two layouts in one run.

* ours, a masked full matrix (shape (m/b, m), times the block-diagonal mask): a dense matmul, O(N m^2 / b)
  work, but one BLAS call per product;
* the baseline, per-block weights (shape (m/b, b)): a reshape and a sum over each block, O(N m) work, which XLA
  on CPU runs slower at the sizes of ``deeprg reproduce`` (m = 64, b = 2; m = 81, b = 3; N = 2000).

Both start from the same weights and give the same losses up to float rounding (checked below).

Run: .venv/bin/python benchmarks/bench_gx_training.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402


def main() -> None:
    import jax
    import jax.numpy as jnp
    import optax

    from deeprg.correspondence import experiment as E
    from deeprg.correspondence.families import REGISTRY, one_parameter_family

    def block_loss(params, z_std, z_raw, kind):  # the baseline layout
        blocks = z_std.reshape(z_std.shape[0], *params["W"].shape)
        f = E._activation(kind, (blocks * params["W"]).sum(axis=-1) + params["c"], jnp)
        eta = (f[:, :, None] * params["V"]).reshape(z_std.shape) + params["d"]
        nll = jnp.logaddexp(eta, -eta) - eta * z_raw if kind == "spin" else jax.nn.softplus(eta) - eta * z_raw
        return jnp.mean(nll)

    def chunk(loss_fn):
        optimizer = optax.adam(0.01)
        grad = jax.value_and_grad(loss_fn)

        @jax.jit
        def run(params, *data):
            def step(carry, _):
                p, s = carry
                value, g = grad(p, *data)
                updates, s = optimizer.update(g, s, p)
                return (optax.apply_updates(p, updates), s), value

            (p, _), history = jax.lax.scan(step, (params, optimizer.init(params)), None, length=E.CHUNK)
            return p, history
        return run

    rows = {}
    for family, param, m, b in (("ising", 1.0, 64, 2), ("bernoulli", 0.3, 81, 3)):
        x = one_parameter_family(family, param, m)(np.random.default_rng(0), 2000)
        z_std = jnp.asarray((x - x.mean(0)) / x.std(0), jnp.float32)
        z_raw = jnp.asarray(x, jnp.float32)
        kind = REGISTRY[family].kind
        mask = E._block_mask(m, b)
        full = {k: jnp.asarray(v, jnp.float32) for k, v in E._init(jax.random.PRNGKey(0), mask).items()}
        rows_of = np.arange(m // b)[:, None] * b + np.arange(b)  # the block entries of each row
        block = dict(full, W=full["W"][np.arange(m // b)[:, None], rows_of],
                     V=full["V"][np.arange(m // b)[:, None], rows_of])
        mask = jnp.asarray(mask, jnp.float32)
        ours = chunk(lambda p, mk, z, r: E._layer_loss(p, mk, z, r, kind, "likelihood"))
        base = chunk(lambda p, z, r: block_loss(p, z, r, kind))
        h_ours, h_base = ours(full, mask, z_std, z_raw)[1], base(block, z_std, z_raw)[1]
        t_ours = best_time(lambda: jax.block_until_ready(ours(full, mask, z_std, z_raw)), repeat=5)
        t_base = best_time(lambda: jax.block_until_ready(base(block, z_std, z_raw)), repeat=5)
        label = f"{family} m={m} b={b}, {E.CHUNK} Adam steps"
        rows[f"{label}: masked full matrix (ours) [s]"] = t_ours
        rows[f"{label}: per-block weights (baseline) [s]"] = t_base
        rows[f"{label}: speed-up (per-block / masked)"] = t_base / t_ours
        rows[f"{label}: max |loss difference|"] = float(np.max(np.abs(np.asarray(h_ours) - np.asarray(h_base))))
    record("gx_training", rows)


if __name__ == "__main__":
    main()
