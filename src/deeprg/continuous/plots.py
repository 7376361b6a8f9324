"""Figures of the continuous checks (Appendix A limit and training, Appendix B replica overlap)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def appendix_a(limit: dict, runs: list[dict], seeds) -> plt.Figure:
    """Left: |theta_DNA - theta_bp| against lambda with 1/lambda; right: final test accuracy per seed."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    lam = np.array(limit["lambda"])
    ax1.loglog(lam, limit["distance"], "o-", label="|theta_DNA - theta_bp|")
    ax1.loglog(lam, limit["distance"][-1] * lam[-1] / lam, ":", label="1/lambda")
    ax1.set(xlabel="lambda = beta_v / beta", ylabel="distance of the minimizers", title="beta_v -> inf limit")
    ax1.legend()
    for k, method in enumerate(("dna", "backprop")):
        ax2.plot(np.arange(len(seeds)) + 0.1 * k, [100 * r[method]["test_accuracy"] for r in runs], "o",
                 label=method)
    ax2.set_xticks(range(len(seeds)), [str(s) for s in seeds])
    ax2.set(xlabel="seed", ylabel="final test accuracy (%)", title="digits 64-64-64-10")
    ax2.legend()
    fig.tight_layout()
    return fig


def replica_overlap(overlap) -> plt.Figure:
    """q_EA and q_aa from MALA chains against the exact Gaussian values, against beta."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.errorbar(overlap.betas, overlap.q_ea, yerr=overlap.q_ea_stderr, fmt="o", label="q_EA (MALA, a != b)")
    ax.plot(overlap.betas, overlap.q_ea_exact, "-", label="|mu|^2/N (exact)")
    ax.plot(overlap.betas, overlap.q_self, "s", label="q_aa (MALA)")
    ax.plot(overlap.betas, overlap.q_self_exact, "--", label="q_aa (exact)")
    ax.set(xscale="log", xlabel="beta", ylabel="overlap", title="Appendix B: replica overlap")
    ax.legend()
    fig.tight_layout()
    return fig
