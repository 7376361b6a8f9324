"""RG by decimation for N = 2, L = 2 (16 layer states): one step and a 100-step flow, ours vs a naive baseline.

Ours: E -> E K^T E with K built once (two 16 x 16 matrix products per step).
Baseline: the definition (eq 21) evaluated directly, i.e. an explicit sum over the middle layer's (W, b, h) with
the activation evaluated for every configuration at every step (deeprg.rg.decimate_by_summation).

Run: .venv/bin/python benchmarks/bench_rg.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.model import NetworkSpec  # noqa: E402
from deeprg.rg import decimate, decimate_by_summation, matrix_flow, model_matrices  # noqa: E402

STEPS = 100


def naive_flow(E0: np.ndarray, spec: NetworkSpec, steps: int) -> np.ndarray:
    """Baseline flow: the explicit sum at every step, normalized by the largest modulus."""
    E = E0 / np.abs(E0).max()
    for _ in range(steps):
        E = decimate_by_summation(E, spec)
        E = E / np.abs(E).max()
    return E


def main() -> None:
    spec = NetworkSpec(width=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta_v=1.0)
    K, E = model_matrices(spec)
    rows = {"model": "N=2, L=2, W, b in {-1, 1}, h in {0, 1}, Heaviside, beta_v = 1 (16 layer states)"}
    t_build = best_time(lambda: model_matrices(spec), repeat=3)
    t_step = best_time(lambda: decimate(E, K), repeat=200)
    t_step_naive = best_time(lambda: decimate_by_summation(E, spec), repeat=20)
    t_flow = best_time(lambda: matrix_flow(E, K, STEPS), repeat=20)
    t_flow_naive = best_time(lambda: naive_flow(E, spec, STEPS), repeat=3)
    ours, naive = matrix_flow(E, K, STEPS).E[-1], naive_flow(E, spec, STEPS)
    one = decimate(E, K).E
    ref = decimate_by_summation(E, spec)
    rows["build K (once) s"] = t_build
    rows["one RG step, ours (E K^T E) s"] = t_step
    rows["one RG step, naive (sum over W, b, h) s"] = t_step_naive
    rows["one RG step speed-up naive/ours"] = t_step_naive / t_step
    rows[f"{STEPS}-step flow, ours s"] = t_flow
    rows[f"{STEPS}-step flow, naive s"] = t_flow_naive
    rows[f"{STEPS}-step flow speed-up naive/ours"] = t_flow_naive / t_flow
    rows["one step max |ours - naive| (normalized)"] = float(np.abs(one - ref / np.abs(ref).max()).max())
    rows[f"{STEPS}-step max |ours - naive|"] = float(np.abs(ours - naive).max())
    record("bench_rg", rows)


if __name__ == "__main__":
    main()
