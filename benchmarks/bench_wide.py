"""Wide networks: the symmetric block chain vs the full transfer matrix, and time and memory at N = 1000.

Run: .venv/bin/python benchmarks/bench_wide.py
Both engines compute the same bulk (free energy, single-unit G, magnetization and overlap G); the comparison is at
the largest width the full engine builds in reasonable time (N = 4, one row: 2^20 weight matrices). Timings on a
shared machine: the ratio, taken in one run, is the robust number.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.exact import build, build_blocks, solve_symmetric  # noqa: E402
from deeprg.exact.observables import full_bulk_observables, symmetric_bulk_observables  # noqa: E402
from deeprg.model import NetworkSpec, ValueSets  # noqa: E402


def timed_peak(fn):
    """Wall time and peak traced memory (MB) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    rows = {}
    spec = NetworkSpec(width=4, depth=10, x=[[1, 0, 1, 1]], y=[[1, 1, 0, 1]], beta_v=1.0)  # the toy layer
    full = best_time(lambda: full_bulk_observables(build(spec), 20), repeat=1)
    lumped = best_time(lambda: symmetric_bulk_observables(build_blocks(spec), 20), repeat=3)
    a, b = full_bulk_observables(build(spec), 20), symmetric_bulk_observables(build_blocks(spec), 20)
    rows["toy N=4 L=1 bulk: full engine (s)"] = full
    rows["toy N=4 L=1 bulk: symmetric engine (s)"] = lumped
    rows["toy N=4 L=1 bulk: speedup full/symmetric"] = full / lumped
    rows["toy N=4 L=1 bulk: max |G_full - G_symmetric|"] = float(np.abs(a["single"].G - b["single"].G).max())

    toy = NetworkSpec(width=1000, depth=10**6)
    seconds, peak = timed_peak(lambda: (solve_symmetric(toy, blocks=(blk := build_blocks(toy))),
                                        symmetric_bulk_observables(blk, 20)))
    rows["toy N=1000 L=1 depth 1e6 (log Z, <h>, bulk): time (s)"] = seconds
    rows["toy N=1000 L=1 depth 1e6: peak traced memory (MB)"] = peak
    sign = NetworkSpec(width=1000, x=np.ones((2, 1000)), y=np.ones((2, 1000)), activation="sign",
                       values=ValueSets(biases=(0.0,), neurons=(-1, 1)))
    seconds, peak = timed_peak(lambda: symmetric_bulk_observables(build_blocks(sign), 20))
    rows["sign N=1000 L=2 gauge bulk (overlap, magnetization): time (s)"] = seconds
    rows["sign N=1000 L=2 gauge bulk: peak traced memory (MB)"] = peak
    record("bench_wide", rows)


if __name__ == "__main__":
    main()
