"""Benchmark of the bridge moves (`deeprg.sampling.bridge`) against the single-site local heat bath alone.

A wide sign network with two data rows (the slow case: the overlap q of the rows relaxes over hundreds of
single-site sweeps): width 32, depth 400, 4 chains, 300 measured sweeps, both samplers from the same start. Prints
per sampler the wall time, the largest tau_int and the error bar of the overlap's mean, the largest |z| of the
overlap G(r) against the exact chain (symmetric engine), and the ratio of effective samples per second
(ESS = chains x sweeps / (2 tau_int), the smallest over r). Writes results/bench/bench_bridge.json.
Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_bridge.py
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import record  # noqa: E402

from deeprg.model import NetworkSpec, ValueSets  # noqa: E402
from deeprg.sampling import MCConfig, run  # noqa: E402


def main():
    os.environ.setdefault("DEEPRG_PROGRESS", "0")
    N = 32
    x = [[1] * N, [1, -1] * (N // 2)]
    spec = NetworkSpec(width=N, depth=400, x=x, y=x, beta_v=0.8, activation="sign",
                       values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1)))
    rows = {}
    for moves in (False, True):
        config = MCConfig(spec, "dna", "local", chains=4, sweeps=300, burn_in=50, rmax=5, seed=3, bridge_moves=moves)
        result = run(config)
        q = result.observables["overlap"]
        z = (q.G - result.exact.G["overlap"]) / q.G_err
        tau = float(np.max(q.tau_int))
        rows["bridge" if moves else "heat bath"] = {
            "seconds": result.seconds, "tau_int_max": tau, "mean_err": float(q.mean_err),
            "max_abs_z": float(np.max(np.abs(z))), "ess_per_s": config.chains * config.sweeps / (2 * tau) / result.seconds,
            "sampler": result.sampler}
    print(f"{'sampler':10s} {'seconds':>8s} {'tau_int':>8s} {'mean err':>9s} {'max|z|':>7s} {'ESS/s':>8s}")
    for name, row in rows.items():
        print(f"{name:10s} {row['seconds']:8.1f} {row['tau_int_max']:8.1f} {row['mean_err']:9.2e} "
              f"{row['max_abs_z']:7.2f} {row['ess_per_s']:8.3g}")
    ratio = rows["bridge"]["ess_per_s"] / rows["heat bath"]["ess_per_s"]
    print(f"effective samples per second of the overlap, bridge / heat bath: {ratio:.0f}x "
          f"(bridge acceptance {rows['bridge']['sampler']['bridge_acceptance']:.2f}; tau_int of the heat bath "
          "is a lower bound when it approaches the run length)")
    record("bench_bridge", {"rows": str(rows), "ess_ratio": ratio, "load_average": os.getloadavg()[0]})


if __name__ == "__main__":
    main()
