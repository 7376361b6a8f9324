"""Benchmark of `deeprg mc`: every sampler against the scalar baseline, in one run.

Prints:
1. site updates per ns of the heat baths at (N, L) = (1, 1), (8, 4), (64, 16), (256, 64): the scalar baseline
   (a per-site Python/NumPy heat bath of the Fig 7 toy, N = L = 1 only), today's joint-table Gibbs kernel (only
   where its tables fit), the local kernel; kernel time only, and the whole run (`deeprg.sampling.run`, with
   measurement) on the toy at depth 1e4 with 256 chains. A site update is one variable W, b or h given a new
   value (`deeprg.sampling.tables.variables_per_sweep`: 3M + 2 per sweep of the toy);
2. exact draws: ancestral (bit-packed) vs FFBS in configurations per second on the toy at depth 1e4;
3. DNN Metropolis moves per second at depth 1e2 and 1e4 (its cost must not grow with depth);
4. ratios to the baselines; a JSON record in results/bench/bench_mc.json.

The multispin heat bath (64 chains per word) only runs the toy (N = L = 1); its kernel column uses 256 chains
(fewer would leave lanes of its words empty); benchmarks/bench_multispin.py compares it with Gibbs in detail.
Timings are best of a few repeats; the machine may be shared, so compare ratios within one run.
Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_mc.py
"""

from __future__ import annotations

import os
import sys
import time

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import best_time, record  # noqa: E402

from deeprg import hamiltonian as ham  # noqa: E402
from deeprg.exact import neuron_states  # noqa: E402
from deeprg.model import NetworkSpec, ValueSets  # noqa: E402
from deeprg.sampling import MCConfig, ancestral, ffbs, gibbs, local, multispin, original, run  # noqa: E402
from deeprg.sampling import _kernels  # noqa: E402
from deeprg.sampling.registry import SAMPLERS  # noqa: E402
from deeprg.sampling.tables import variables_per_sweep  # noqa: E402

SIZES = ((1, 1), (8, 4), (64, 16), (256, 64))
DEPTH = {(1, 1): 10_000, (8, 4): 200, (64, 16): 8, (256, 64): 2}


def naive_sweep(spec, out, E_ext, h, c, rng):
    """One checkerboard heat-bath sweep of one chain, site by site in Python with NumPy conditionals."""
    M, S = spec.depth, out.shape[1]
    E = E_ext[:S]
    for m in range(M + 1):
        w = E_ext[h[m + 1], out[:, h[m]]]
        c[m] = rng.choice(len(w), p=w / w.sum())
    for parity in (1, 2):
        for m in range(parity, M + 1, 2):
            t = out[c[m - 1], h[m - 1]]
            w = E[:, t] * E_ext[h[m + 1], out[c[m], :]]
            h[m] = rng.choice(S, p=w / w.sum())


def scalar_baseline() -> float:
    spec = NetworkSpec(depth=300)
    tables = gibbs.prepare(spec)
    states = neuron_states(spec)
    distance = ham.mismatch(states[:, None], states[None, :], spec.p)
    cost = spec.beta * ham.mismatch(spec.y_array, states, spec.p)
    E_ext = np.vstack([np.exp(-spec.beta_v * distance), np.exp(-cost)[None]])
    st = gibbs.init(tables, spec.depth, 1, np.random.default_rng(1))
    h, c, rng = st.h[0].copy(), st.c[0].copy(), np.random.default_rng(2)
    return variables_per_sweep(spec) / best_time(lambda: naive_sweep(spec, tables.out, E_ext, h, c, rng), 3) / 1e9


def wide_spec(N: int, L: int, depth: int) -> NetworkSpec:
    rng = np.random.default_rng(0)
    x = rng.choice([-1, 1], size=(L, N)).tolist()
    return NetworkSpec(width=N, depth=depth, x=x, y=x, beta_v=0.8, activation="sign",
                       values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1)))


def kernel_rates(chains: int = 4) -> dict:
    rows = {}
    for N, L in SIZES:
        M = DEPTH[(N, L)]
        spec = NetworkSpec(depth=M) if (N, L) == (1, 1) else wide_spec(N, L, M)
        gibbs_rate = None
        if SAMPLERS["gibbs"].invalid(spec) is None:
            tables = gibbs.prepare(spec)
            state = gibbs.init(tables, M, chains, np.random.default_rng(0))
            sweeps = 5
            gibbs_rate = chains * sweeps * gibbs.sites_per_sweep(spec) / best_time(
                lambda: _kernels.gibbs_sweeps(state.h, state.c, state.keys, 0, sweeps, tables.out,
                                              tables.config_cdf, tables.neuron_cdf), 3) / 1e9
        tables = local.prepare(spec, bridge_moves=False)  # the single-site kernel (bench_bridge.py: the moves)
        state = local.init(tables, M, chains, np.random.default_rng(0))
        local.step(tables, state, 1)
        sweeps = 5 if N < 64 else 1
        local_rate = chains * sweeps * local.sites_per_sweep(spec) / best_time(
            lambda: local.step(tables, state, sweeps), 3 if N < 256 else 1) / 1e9
        multispin_rate = None
        if SAMPLERS["multispin"].invalid(spec) is None:
            mt = multispin.prepare(spec)
            ms_state = multispin.step(mt, multispin.init(mt, M, 256, np.random.default_rng(0)), 1)
            multispin_rate = 256 * 5 * multispin.sites_per_sweep(spec) / best_time(lambda: multispin.step(mt, ms_state, 5), 3) / 1e9
        rows[f"N={N},L={L},M={M}"] = {"gibbs_kernel": gibbs_rate, "local_kernel": local_rate,
                                      "multispin_kernel": multispin_rate}
    return rows


def whole_runs(chains: int = 256, depth: int = 10_000) -> dict:
    spec = NetworkSpec(depth=depth)
    out = {}
    for method, sweeps in (("gibbs", 20), ("multispin", 20), ("local", 20), ("ancestral", 20)):
        common = dict(rmax=5, bridge_moves=False)  # local: the heat bath alone
        run(MCConfig(spec.replace(depth=100), "dna", method, chains=2, sweeps=2, burn_in=0, **common))  # compile
        result = run(MCConfig(spec, "dna", method, chains=chains, sweeps=sweeps, burn_in=0, seed=1, **common))
        out[method] = result.to_dict()["site_updates_per_ns"]
    return out


def exact_rates(chains: int = 256, depth: int = 10_000) -> dict:
    """Configurations per second with 4 and with 1 draw per call (each call returns a new state holding the
    last draw: bit-packed for the ancestral sampler of one binary neuron per layer, int32 for FFBS)."""
    spec = NetworkSpec(depth=depth)
    ta, tf = ancestral.prepare(spec), ffbs.prepare(spec)
    sa = ancestral.init(ta, depth, chains, np.random.default_rng(0))
    sf = ffbs.init(tf, depth, chains, np.random.default_rng(0))
    out = {}
    for draws in (4, 1):
        a = chains * draws / best_time(lambda: ancestral.step(ta, sa, draws), 3)
        f = chains * draws / best_time(lambda: ffbs.step(tf, sf, draws), 3)
        out[draws] = {"ancestral_configs_per_s": a, "ffbs_configs_per_s": f, "ratio": a / f}
    return out


def metropolis_rates(chains: int = 16) -> dict:
    rates = {}
    for depth in (100, 10_000):
        spec = NetworkSpec(depth=depth)
        tables = original.prepare(spec)
        state = original.step(tables, original.init(tables, depth, chains, np.random.default_rng(0)), 20)
        sweeps = max(10, 200_000 // depth)
        rates[depth] = chains * sweeps * (depth + 1) / best_time(lambda: original.step(tables, state, sweeps))
    return rates


def main():
    os.environ.setdefault("DEEPRG_PROGRESS", "0")
    print(f"threads: {numba.get_num_threads()}, load average: {os.getloadavg()[0]:.2f} (shared machine)",
          file=sys.stderr)
    start = time.perf_counter()
    scalar = scalar_baseline()
    kernels = kernel_rates()
    print(f"{'(N, L, M)':18s} {'scalar':>10s} {'gibbs(today)':>13s} {'multispin':>10s} {'local':>10s}  "
          "site updates/ns (kernel only, 4 chains)")
    for key, row in kernels.items():
        g = "n/a" if row["gibbs_kernel"] is None else f"{row['gibbs_kernel']:.3g}"
        s = f"{scalar:.2e}" if key.startswith("N=1,") else "n/a"
        ms = "n/a" if row["multispin_kernel"] is None else f"{row['multispin_kernel']:.3g}"
        print(f"{key:18s} {s:>10s} {g:>13s} {ms:>10s} {row['local_kernel']:10.3g}")
    whole = whole_runs()
    print("whole run (deeprg.sampling.run, toy, depth 1e4, 256 chains, with measurement), site updates/ns: "
          + ", ".join(f"{k} {v:.3g} ({v / scalar:.0f}x scalar)" for k, v in whole.items()))
    exact = exact_rates()
    for draws, row in exact.items():
        print(f"exact draws (toy, depth 1e4, 256 chains, {draws} per call): ancestral "
              f"{row['ancestral_configs_per_s']:.3g} configs/s, FFBS {row['ffbs_configs_per_s']:.3g} configs/s, "
              f"ratio {row['ratio']:.1f}x")
    metro = metropolis_rates()
    print(f"DNN Metropolis: {metro[100]:.3g} moves/s at depth 1e2, {metro[10_000]:.3g} at depth 1e4 "
          f"(ratio 1e4/1e2 = {metro[10_000] / metro[100]:.2f})")
    record("bench_mc", {"scalar_updates_per_ns": scalar, "kernels": str(kernels),
                        "whole_run_updates_per_ns": str(whole),
                        "gibbs_kernel_over_scalar": kernels["N=1,L=1,M=10000"]["gibbs_kernel"] / scalar,
                        "local_kernel_over_scalar": kernels["N=1,L=1,M=10000"]["local_kernel"] / scalar,
                        "ancestral_over_ffbs": exact[4]["ratio"],
                        "ancestral_over_ffbs_one_draw_per_call": exact[1]["ratio"],
                        "metropolis_moves_per_s": str(metro),
                        "load_average": os.getloadavg()[0], "seconds": time.perf_counter() - start})


if __name__ == "__main__":
    main()
