"""Benchmark of the fixed-point catalog.

1. Closed-form representatives of every fixed-point rank (E = X (Y^T K^T X)^-1 Y^T on coordinate subspaces,
   deeprg.rg.classification) against the baseline, damped Newton from random starts
   (deeprg.rg.fixed_points.find_fixed_points): time and which ranks each finds.
2. The catalog of the S <= 4 models through deeprg.sweep.run_sweep with 2 workers against 1 (where the sweep
   runner has a pool).

Run: .venv/bin/python benchmarks/bench_catalog.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DEEPRG_PROGRESS", "0")

import numpy as np  # noqa: E402

from _timing import record  # noqa: E402
from deeprg.exact import build  # noqa: E402
from deeprg.rg import catalog as cat  # noqa: E402
from deeprg.rg import classification as theory  # noqa: E402
from deeprg.rg import family  # noqa: E402
from deeprg.rg.fixed_points import find_fixed_points, numerical_rank, residual  # noqa: E402

MODELS = [
    family.toy_model(),
    family.CatalogModel(1, 2, (-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    family.CatalogModel(2, 1, (-1.0, 0.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    family.CatalogModel(2, 2, (-1.0, 1.0), (0.0,), (0.0, 1.0), "heaviside"),
]


def closed_form(K):
    rows, cols = theory.independent_pivots(K)
    points = [theory.coordinate_fixed_point(K, rows[:r], cols[:r]) for r in range(1, len(rows) + 1)]
    assert all(residual(E, K) < 1e-10 for E in points)
    return sorted({numerical_rank(E) for E in points})


def newton(K, starts):
    search = find_fixed_points(K, starts=starts, rng=np.random.default_rng(0))
    return sorted({fp.rank for fp in search.fixed_points}), search.non_converged


def main():
    rows = {}
    print("1. fixed points of every rank: closed form vs Newton from random starts")
    for model in MODELS:
        K = build(model.spec()).K
        t0 = time.perf_counter()
        ours = closed_form(K)
        t_ours = time.perf_counter() - t0
        starts = 24 if len(K) <= 4 else 3
        t0 = time.perf_counter()
        found, failed = newton(K, starts)
        t_newton = time.perf_counter() - t0
        print(f"  {model.name}: S = {len(K)}, rank K = {len(ours)}")
        print(f"    closed form: ranks {ours} in {t_ours * 1e3:.1f} ms")
        print(f"    Newton ({starts} starts, {failed} not converged): ranks {found} in {t_newton * 1e3:.1f} ms")
        print(f"    speed-up {t_newton / t_ours:.0f}x; ranks missed by Newton: {sorted(set(ours) - set(found))}")
        rows[f"{model.name} closed form s"] = t_ours
        rows[f"{model.name} newton s"] = t_newton
        rows[f"{model.name} newton/closed-form ratio"] = t_newton / t_ours
        rows[f"{model.name} ranks missed by newton"] = sorted(set(ours) - set(found))

    print("2. catalog of the S <= 4 models (uniform prior): 2 processes vs 1")
    models = [m for m in family.model_family(("uniform",)) if m.states <= 4]
    timings = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        try:
            entries = cat.run_catalog(models, 8, workers=workers)
        except ValueError as err:  # the sweep runner without a pool
            print(f"  workers = {workers}: {err}")
            record("catalog", rows)
            return
        timings[workers] = time.perf_counter() - t0
        print(f"  workers = {workers}: {len(entries)} models in {timings[workers]:.2f} s")
    print(f"  pool speed-up {timings[1] / timings[2]:.2f}x (2 cores; includes starting the spawned workers)")
    rows.update({"catalog S<=4 one process s": timings[1], "catalog S<=4 two processes s": timings[2],
                 "catalog pool speed-up": timings[1] / timings[2]})
    record("catalog", rows)


if __name__ == "__main__":
    main()
