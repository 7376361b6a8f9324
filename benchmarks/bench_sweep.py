"""Benchmark of deeprg.sweep: in process vs local process pool vs Ray, on sweeps of 16 points.

1. Start-up: a spawned pool worker's first (trivial) point, i.e. the SPAWN_SECONDS of deeprg.sweep's rule.
2. A synthetic CPU-bound point (eigenvalues of random 120 x 120 matrices) at several costs per point: wall time
   of the 16 points in process (workers=1, the baseline), in a pool of 2 (workers=2), on Ray (a local 2-CPU
   cluster, already connected, its workers warm) and with the default rule (workers=None), best of 2 interleaved;
   the crossover is the smallest cost per point at which the pool beats the baseline.
3. The real thing: `deeprg mc --sweep-beta-v` points (depth 1000, 4 chains) in process vs pool vs Ray.

Every executor must return identical results (checked). Timings are wall times on whatever machine runs this;
ratios are taken within the run. Run: .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import math
import os
import sys
import time

os.environ.setdefault("DEEPRG_PROGRESS", "0")
# Every executor runs one BLAS and one Numba thread per process (the pool and Ray workers do so anyway), so the
# in-process baseline is not slowed by threads fighting over the cores of a busy machine.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"
# the throw-away local clusters here need no token (Ray would otherwise leave one in ~/.ray/auth_token)
os.environ.setdefault("RAY_AUTH_MODE", "disabled")

import numpy as np  # noqa: E402

from _timing import record  # noqa: E402
from deeprg import sweep  # noqa: E402
from deeprg.sampling.fig7 import mc_point  # noqa: E402
from deeprg.model import NetworkSpec  # noqa: E402
from deeprg.sweep import Point, run_sweep  # noqa: E402

POINTS = 16
WORKERS = 2


def eig_work(params, seed):
    """``params["n"]`` symmetric eigenproblems of size 120: CPU-bound, cost linear in n."""
    rng = np.random.default_rng(seed)
    total = 0.0
    for _ in range(params["n"]):
        a = rng.standard_normal((120, 120))
        total += float(np.linalg.eigvalsh(a + a.T)[-1])
    return {"top": total}


def trivial(params, seed):
    return {"seed": seed}


def timed(fn, points, **kwargs):
    start = time.perf_counter()
    out = run_sweep(fn, points, log=lambda _: None, **kwargs)
    return time.perf_counter() - start, out


EXECUTORS = {"serial": dict(workers=1), "pool": dict(workers=WORKERS), "ray": dict(address="auto"), "auto": {}}


def compare(fn, points, repeat=2):
    """Best wall time of each executor over ``repeat`` interleaved rounds; checks they all agree."""
    best, results = {}, {}
    for _ in range(repeat):
        for name, kwargs in EXECUTORS.items():
            t, results[name] = timed(fn, points, **kwargs)
            best[name] = min(best.get(name, float("inf")), t)
    return best, results


def main():
    rows = {"points": POINTS, "workers": WORKERS, "cpus": sweep._cpus(), "load_average_1min": os.getloadavg()[0],
            "free_cpus": sweep.free_cpus(), "spawn_seconds_rule": sweep.SPAWN_SECONDS}
    print(f"machine: {rows['cpus']} cpus, load average {rows['load_average_1min']:.1f} "
          f"({rows['free_cpus']} free by deeprg.sweep.free_cpus)")
    print("1. fixed costs: spawned pool worker start-up; a throw-away local Ray cluster (--address local)")
    pair = [Point(f"t{i}", {}, i) for i in range(WORKERS)]
    rows["pool_startup_s"] = min(timed(trivial, pair, workers=WORKERS)[0] for _ in range(2))
    rows["ray_local_cluster_s"] = timed(trivial, pair, address="local")[0]
    print(f"  pool start-up {rows['pool_startup_s']:.2f} s; local Ray cluster start + stop "
          f"{rows['ray_local_cluster_s']:.2f} s")

    calibration = [Point("c", {"n": 50}, 0)]
    per_unit = min(timed(eig_work, calibration, workers=1)[0] for _ in range(3)) / 50

    import ray

    ray.init(address="local", num_cpus=WORKERS, object_store_memory=200_000_000, include_dashboard=False,
             log_to_driver=False, runtime_env={"env_vars": {k: "1" for k in (*sweep.BLAS_THREAD_VARIABLES,
                                                                             sweep.NUMBA_THREADS)}})
    try:
        timed(trivial, pair, address="auto")  # the connected cluster's workers are up, as after a first sweep
        print(f"2. synthetic points, {POINTS} per sweep, best of 2 (speed-up over in process)")
        crossover = None
        for target in (0.01, 0.03, 0.1, 0.3, 1.0):
            points = [Point(f"p{i}", {"n": max(1, round(target / per_unit))}, i) for i in range(POINTS)]
            best, results = compare(eig_work, points)
            assert len({repr(r) for r in results.values()}) == 1, "executors disagree"
            cost = best["serial"] / POINTS
            rows[f"eig_{target}_point_s"] = cost
            for name, t in best.items():
                rows[f"eig_{target}_{name}_s"] = t
                rows[f"eig_{target}_{name}_speedup"] = best["serial"] / t
            if crossover is None and best["pool"] < best["serial"]:
                crossover = cost
            print(f"  {cost * 1e3:7.1f} ms/point: serial {best['serial']:6.2f} s, " + ", ".join(
                f"{name} {best[name]:6.2f} s (x{best['serial'] / best[name]:.2f})" for name in ("pool", "ray", "auto")))
        rows["pool_crossover_point_s"] = crossover if crossover is not None else "none up to 1 s"
        # where the pool would pay with WORKERS idle cores: s0 + ceil(R/w) t = R t (warm points, no margin)
        predicted = rows["pool_startup_s"] / (POINTS - math.ceil(POINTS / WORKERS))
        rows["pool_crossover_predicted_idle_s"] = predicted
        print(f"  measured: the pool starts to pay at ~{crossover * 1e3:.0f} ms per point" if crossover else
              "  measured: the pool never paid (the machine has no idle core for it)")
        print(f"  predicted with {WORKERS} idle cores from the start-up: {predicted * 1e3:.0f} ms per point")

        print("3. mc --sweep-beta-v points (depth 1000, 4 chains, 2000 sweeps), best of 2")
        spec = NetworkSpec(depth=1000)
        common = dict(chains=4, sweeps=2000, burn_in=100, rmax=20)
        points = [Point(f"bv{i}", {"spec": spec.replace(beta_v=float(b)).to_dict(), "system": "dna",
                                   "method": "gibbs", **common}, 5)
                  for i, b in enumerate(np.geomspace(0.25, 8, POINTS))]
        best, results = compare(mc_point, points)
        for key in ("G", "G_err", "mean_h"):
            assert len({repr([r[key] for r in out]) for out in results.values()}) == 1, "executors disagree"
        rows["mc_point_s"] = best["serial"] / POINTS
        for name, t in best.items():
            rows[f"mc_{name}_s"] = t
            rows[f"mc_{name}_speedup"] = best["serial"] / t
        print(f"  {best['serial'] / POINTS * 1e3:.0f} ms/point: serial {best['serial']:.2f} s, " + ", ".join(
            f"{name} {best[name]:.2f} s (x{best['serial'] / best[name]:.2f})" for name in ("pool", "ray", "auto")))
    finally:
        ray.shutdown()
    print(f"wrote {record('bench_sweep', rows)}")


if __name__ == "__main__":
    sys.exit(main())
