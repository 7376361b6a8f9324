"""Benchmark of `deeprg mc` (seed 003, Fig 7 toy: N = L = 1, W, b in {-1, 1}, h in {0, 1}, beta = beta_v = 1).

Prints, from one run:
1. site updates per ns of the numba DNA Gibbs kernel vs a naive per-site Python/NumPy heat bath (ratio),
2. moves per second of the DNN Metropolis sampler at depth 10^2 vs 10^4 (its cost must not grow with depth),
3. effective samples per second of the exact (FFBS) sampler vs Gibbs on the depth-10^4 chain (ESS of G(1)).

Timings are the best of several repeats (the machine may be shared). Run: .venv/bin/python benchmarks/bench_mc.py
"""

from __future__ import annotations

import json
import os
import sys
import time

import numba
import numpy as np

from deeprg import hamiltonian as ham
from deeprg.exact import neuron_states
from deeprg.model import NetworkSpec
from deeprg.sampling import MCConfig, gibbs, original, run
from deeprg.sampling import _kernels

CHAINS = 16


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def naive_sweep(spec, out, prior, E_ext, h, c, rng):
    """One checkerboard heat-bath sweep of one chain, site by site in Python with NumPy conditionals."""
    M, S = spec.depth, out.shape[1]
    E = E_ext[:S]
    for m in range(M + 1):
        w = prior * E_ext[h[m + 1], out[:, h[m]]]
        c[m] = rng.choice(len(w), p=w / w.sum())
    for parity in (1, 2):
        for m in range(parity, M + 1, 2):
            t = out[c[m - 1], h[m - 1]]
            w = E[:, t] * E_ext[h[m + 1], out[c[m], :]]
            h[m] = rng.choice(S, p=w / w.sum())


def bench_gibbs():
    spec = NetworkSpec(depth=10_000)
    tables = gibbs.prepare(spec)
    state = gibbs.init(tables, spec.depth, CHAINS, np.random.default_rng(0))
    h, c = state.h.copy(), state.c.copy()
    sweeps = 10
    kernel = lambda: _kernels.gibbs_sweeps(h, c, state.keys, 0, sweeps, tables.out, tables.config_cdf,
                                           tables.neuron_cdf)
    kernel()  # compile (cached)
    sites = CHAINS * sweeps * (2 * spec.depth + 1)
    fast = sites / best_of(kernel) / 1e9
    small = spec.replace(depth=500)
    states = neuron_states(small)
    distance = ham.mismatch(states[:, None], states[None, :], small.p)
    cost = small.beta * ham.mismatch(small.y_array, states, small.p)
    E_ext = np.vstack([np.exp(-small.beta_v * distance), np.exp(-cost)[None]])
    st = gibbs.init(tables, small.depth, 1, np.random.default_rng(1))
    hh, cc, rng = st.h[0].copy(), st.c[0].copy(), np.random.default_rng(2)
    prior = np.ones(len(tables.out))
    naive = (2 * small.depth + 1) / best_of(lambda: naive_sweep(small, tables.out, prior, E_ext, hh, cc, rng), 3) / 1e9
    return fast, naive


def bench_metropolis():
    rates = {}
    for depth in (100, 10_000):
        spec = NetworkSpec(depth=depth)
        tables = original.prepare(spec)
        state = original.init(tables, depth, CHAINS, np.random.default_rng(0))
        state = original.step(tables, state, 20)
        sweeps = max(10, 200_000 // depth)
        rates[depth] = CHAINS * sweeps * (depth + 1) / best_of(lambda: original.step(tables, state, sweeps))
    return rates


def bench_ess():
    spec = NetworkSpec(depth=10_000)
    out = {}
    for method, sweeps in (("gibbs", 300), ("exact", 100)):
        run(MCConfig(spec, "dna", method, chains=2, sweeps=2, burn_in=0, rmax=5))  # nothing left to compile
        result = run(MCConfig(spec, "dna", method, chains=CHAINS, sweeps=sweeps, burn_in=20, rmax=5, seed=1))
        ess = float(result.correlation.ess[1])
        out[method] = {"ess_G1": ess, "seconds": result.seconds, "ess_per_s": ess / result.seconds,
                       "tau_int_G1": float(result.correlation.tau_int[1])}
    return out


def main():
    os.environ.setdefault("DEEPRG_PROGRESS", "0")
    print(f"threads: {numba.get_num_threads()}, load average: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    fast, naive = bench_gibbs()
    print(f"DNA Gibbs kernel: {fast:.3f} site updates/ns (depth 1e4, {CHAINS} chains); naive per-site "
          f"Python/NumPy loop: {naive:.2e} site updates/ns; ratio {fast / naive:.0f}x")
    rates = bench_metropolis()
    print(f"DNN Metropolis: {rates[100]:.3g} moves/s at depth 1e2, {rates[10_000]:.3g} moves/s at depth 1e4 "
          f"(ratio 1e4/1e2 = {rates[10_000] / rates[100]:.2f})")
    ess = bench_ess()
    print(f"depth-1e4 DNA chain, ESS of G(1) per second: exact (FFBS) {ess['exact']['ess_per_s']:.3g}, "
          f"Gibbs {ess['gibbs']['ess_per_s']:.3g} (tau_int {ess['gibbs']['tau_int_G1']:.2f}); ratio exact/Gibbs "
          f"{ess['exact']['ess_per_s'] / ess['gibbs']['ess_per_s']:.2f}")
    print(json.dumps({"gibbs_updates_per_ns": fast, "naive_updates_per_ns": naive, "ratio": fast / naive,
                      "metropolis_moves_per_s": rates, "ess": ess}))


if __name__ == "__main__":
    main()
