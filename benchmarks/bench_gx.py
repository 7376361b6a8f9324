"""gx: exact chain sampler and exact chain MLE against brute-force baselines, timed in the same run.

* sampling: forward-filter backward-sample (``NearestNeighbourChain.sample``) vs building the table of all
  2^n configurations and drawing from it (the obvious exact alternative);
* log-partition: log-space matrix squaring vs the sum over all 2^n Boltzmann weights;
* maximum likelihood: the transfer-matrix MLE vs the same optimizer with the enumerated log Z.

Run: .venv/bin/python benchmarks/bench_gx.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.correspondence.data import NearestNeighbourChain  # noqa: E402
from deeprg.correspondence.estimators import fit_chain_mle  # noqa: E402


def enumerated(n):
    confs = np.array(list(itertools.product((-1.0, 1.0), repeat=n)))
    return confs, confs.sum(1), (confs[:, :-1] * confs[:, 1:]).sum(1)


def main() -> None:
    n, num = 18, 20_000
    chain = NearestNeighbourChain.ising(0.8, 0.2, n)
    confs, s1, s2 = enumerated(n)

    def table_sample():  # the table of all 2^n configurations is part of the baseline's cost
        confs, s1, s2 = enumerated(n)
        log_w = chain.field * s1 + chain.coupling * s2
        p = np.exp(log_w - log_w.max())
        cdf = np.cumsum(p / p.sum())
        return confs[np.searchsorted(cdf, np.random.default_rng(0).random(num))]

    def brute_log_z(field, coupling):
        return np.logaddexp.reduce(field * s1 + coupling * s2)

    rows = {}
    t_ours = best_time(lambda: chain.sample(np.random.default_rng(0), num), repeat=3)
    t_base = best_time(table_sample, repeat=3)
    rows[f"sample {num} Ising chains n={n}: FFBS [s]"] = t_ours
    rows[f"sample {num} Ising chains n={n}: enumerated table [s]"] = t_base
    rows["sampling speed-up (table / FFBS)"] = t_base / t_ours

    t_ours = best_time(chain.log_partition, repeat=20)
    t_base = best_time(lambda: brute_log_z(0.2, 0.8), repeat=5)
    rows[f"log Z n={n}: transfer matrix [s]"] = t_ours
    rows[f"log Z n={n}: enumeration [s]"] = t_base
    rows["log Z speed-up (enumeration / transfer)"] = t_base / t_ours
    rows["log Z agreement |difference|"] = abs(chain.log_partition() - brute_log_z(0.2, 0.8))

    x = chain.sample(np.random.default_rng(1), 4000)
    stats = np.array([x.sum(1).mean(), (x[:, :-1] * x[:, 1:]).sum(1).mean()])

    def brute_mle():
        return minimize(lambda p: brute_log_z(*p) - p @ stats, np.zeros(2), method="L-BFGS-B").x

    t_ours = best_time(lambda: fit_chain_mle(x, chain), repeat=3)
    t_base = best_time(brute_mle, repeat=3)
    ours, base = fit_chain_mle(x, chain), brute_mle()
    rows["MLE (field, coupling): transfer matrix incl. Fisher errors [s]"] = t_ours
    rows["MLE (field, coupling): enumerated log Z, no errors [s]"] = t_base
    rows["MLE speed-up (enumeration / transfer)"] = t_base / t_ours
    rows["MLE agreement max |difference|"] = float(np.max(np.abs([ours.value["field"] - base[0],
                                                                   ours.value["coupling"] - base[1]])))
    record("gx", rows)


if __name__ == "__main__":
    main()
