"""Exact engine: transfer matrices vs brute-force enumeration, and log Z at depth 10^6 vs a naive loop.

Run: .venv/bin/python benchmarks/bench_exact.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.exact import build, count_terms, enumerate_spec, log_partition, solve  # noqa: E402
from deeprg.model import NetworkSpec, ValueSets  # noqa: E402


def naive_log_partition(tm, depth: int) -> float:
    """Baseline: one normalized vector-matrix product per layer in a Python loop."""
    r, log_z = tm.v.copy(), tm.log_v_scale
    for _ in range(depth - 1):
        r = tm.T @ r
        top = r.max()
        r /= top
        log_z += math.log(top)
    return log_z + math.log(tm.u @ r)


def main() -> None:
    rows = {}
    largest = {
        "dna N=2 L=2 M=3 W in {-1,0,1}": NetworkSpec(width=2, depth=3, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]],
                                                     values=ValueSets(weights=(-1, 0, 1))),
        "original N=1 L=2 M=10": NetworkSpec(depth=10, x=[[1], [0]], y=[[0], [1]], hamiltonian="original"),
    }
    for name, spec in largest.items():
        t_enum = best_time(lambda: enumerate_spec(spec), repeat=1)
        t_transfer = best_time(lambda: solve(spec, covariance=True), repeat=5)
        a, b = solve(spec, covariance=True), enumerate_spec(spec)
        rows[f"{name}: enumeration terms"] = count_terms(spec)
        rows[f"{name}: enumeration s"] = t_enum
        rows[f"{name}: transfer s (log Z, <h>, full cov)"] = t_transfer
        rows[f"{name}: speed-up transfer/enumeration"] = t_enum / t_transfer
        rows[f"{name}: max |difference|"] = float(max(abs(a.log_z - b.log_z), np.abs(a.cov_h - b.cov_h).max()))

    depth = 10**6
    for name, spec in {"N=1 L=1": NetworkSpec(),
                       "N=2 L=2": NetworkSpec(width=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]])}.items():
        tm = build(spec)
        t_build = best_time(lambda: build(spec))
        t_ours = best_time(lambda: log_partition(tm, depth), repeat=20)
        t_naive = best_time(lambda: naive_log_partition(tm, depth), repeat=1)
        rows[f"log Z depth 1e6 {name}: build T s"] = t_build
        rows[f"log Z depth 1e6 {name}: ours s (target < 0.1 for N=L=1)"] = t_ours
        rows[f"log Z depth 1e6 {name}: naive loop s"] = t_naive
        rows[f"log Z depth 1e6 {name}: speed-up"] = t_naive / t_ours
        rows[f"log Z depth 1e6 {name}: relative difference"] = abs(
            log_partition(tm, depth) / naive_log_partition(tm, depth) - 1)
    record("bench_exact", rows)


if __name__ == "__main__":
    main()
