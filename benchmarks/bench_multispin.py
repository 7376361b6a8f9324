"""Benchmark of the multispin DNA heat bath (64 chains per word) against the joint-table Gibbs kernel, one run.

On the Fig 7 toy (N = L = 1, W, b in {-1, 1}, h in {0, 1}, Heaviside) at depth 1e4 with 256 chains:
1. whole runs (`deeprg.sampling.run`: burn-in, sweeps, measurement of G(r) for r <= 20, result), site updates
   per ns as in result.json (3M + 2 sites per sweep, `variables_per_sweep`, for both);
2. kernels only (sweeps without measurement);
3. the ratios multispin / gibbs, and the G(r) of both runs against the exact bulk (max |z|);
4. the DNN (original cost): Metropolis moves per second, multispin vs the scalar Numba kernel (kernel only, and
   whole runs), depth 1e4, 256 chains.
Targets (issue: Monte Carlo at scale): whole-run ratio >= 10 and multispin >= 5 site updates/ns on 2 cores;
DNN Metropolis >= 20x.
The machine may be shared: compare the ratio within one run. Writes results/bench/bench_multispin.json.
Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_multispin.py [--sweeps N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import best_time, record  # noqa: E402

from deeprg.model import NetworkSpec  # noqa: E402
from deeprg.sampling import MCConfig, gibbs, multispin, original, run  # noqa: E402

DEPTH, CHAINS = 10_000, 256


def whole_run(method: str, sweeps: int, system: str = "dna") -> dict:
    spec = NetworkSpec(depth=DEPTH)
    run(MCConfig(spec.replace(depth=100), system, method, chains=2, sweeps=2, burn_in=0, rmax=5))  # compile
    d = run(MCConfig(spec, system, method, chains=CHAINS, sweeps=sweeps, burn_in=sweeps // 5, rmax=20, block=50,
                     seed=1)).to_dict()
    return {"site_updates_per_ns": d["site_updates_per_ns"], "seconds": d["seconds"],
            "max_abs_z": float(np.max(np.abs(d["z"])))}


def kernel_rate(module, sweeps: int, hamiltonian: str = "dna") -> float:
    """Site updates (DNA) or moves (DNN) per ns, sweeps without measurement."""
    spec = NetworkSpec(depth=DEPTH, hamiltonian=hamiltonian)
    tables = module.prepare(spec)
    state = module.step(tables, module.init(tables, DEPTH, CHAINS, np.random.default_rng(0)), 1)
    sites = 2 * DEPTH + 1 if hamiltonian == "dna" else DEPTH + 1
    return CHAINS * sweeps * sites / best_time(lambda: module.step(tables, state, sweeps), 3) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweeps", type=int, default=100, help="measured sweeps of each whole run")
    args = parser.parse_args()
    os.environ.setdefault("DEEPRG_PROGRESS", "0")
    print(f"threads: {numba.get_num_threads()}, load average: {os.getloadavg()[0]:.2f} (shared machine)",
          file=sys.stderr)
    start = time.perf_counter()
    ms_whole = whole_run("multispin", args.sweeps)
    gibbs_whole = whole_run("gibbs", max(10, args.sweeps // 5))
    ms_kernel, gibbs_kernel = kernel_rate(multispin, 20), kernel_rate(gibbs, 2)
    dnn_ms, dnn_metro = kernel_rate(multispin, 20, "original"), kernel_rate(original, 5, "original")
    dnn_ms_whole = whole_run("multispin", args.sweeps, "dnn")
    dnn_metro_whole = whole_run("metropolis", max(10, args.sweeps // 5), "dnn")
    rows = {"depth": DEPTH, "chains": CHAINS,
            "multispin_whole_updates_per_ns": ms_whole["site_updates_per_ns"],
            "gibbs_whole_updates_per_ns": gibbs_whole["site_updates_per_ns"],
            "whole_ratio": ms_whole["site_updates_per_ns"] / gibbs_whole["site_updates_per_ns"],
            "multispin_kernel_updates_per_ns": ms_kernel, "gibbs_kernel_updates_per_ns": gibbs_kernel,
            "kernel_ratio": ms_kernel / gibbs_kernel,
            "multispin_max_abs_z": ms_whole["max_abs_z"], "gibbs_max_abs_z": gibbs_whole["max_abs_z"],
            "dnn_multispin_kernel_moves_per_s": dnn_ms * 1e9, "dnn_metropolis_kernel_moves_per_s": dnn_metro * 1e9,
            "dnn_kernel_ratio": dnn_ms / dnn_metro,
            "dnn_multispin_whole_moves_per_s": dnn_ms_whole["site_updates_per_ns"] * 1e9,
            "dnn_metropolis_whole_moves_per_s": dnn_metro_whole["site_updates_per_ns"] * 1e9,
            "dnn_whole_ratio": dnn_ms_whole["site_updates_per_ns"] / dnn_metro_whole["site_updates_per_ns"],
            "dnn_multispin_max_abs_z": dnn_ms_whole["max_abs_z"], "dnn_metropolis_max_abs_z": dnn_metro_whole["max_abs_z"],
            "threads": numba.get_num_threads(), "load_average": os.getloadavg()[0],
            "seconds": time.perf_counter() - start}
    record("bench_multispin", rows)


if __name__ == "__main__":
    main()
