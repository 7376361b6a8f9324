"""Figures of the continuous checks (Appendix A limit and training, Appendix B replica overlap)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


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


def learning_curves(result) -> plt.Figure:
    """Accuracy (test and train) and energy per row against the epoch (``result``: a TrainResult)."""
    epochs = range(1, len(result.test_accuracy) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
    ax1.plot(epochs, result.test_accuracy, "o-", label="test")
    ax1.plot(epochs, result.train_accuracy, "s--", label="train")
    ax1.set(xlabel="epoch", ylabel="accuracy", title=f"{result.config.method} on {result.data['name']}")
    ax1.legend()
    ax2.plot(epochs, result.energy_per_row, "o-")
    ax2.set(xlabel="epoch", ylabel="energy per row", yscale="log", title="H_new / L (backprop: cost / L)")
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    spec = result.spec
    fig.suptitle(f"{result.config.method} on {result.data['name']}: widths {','.join(map(str, spec.widths))}, "
                 f"{spec.activation}, {len(result.test_accuracy)} epochs", fontsize=10)
    return fig


def train_sweep(kind: str, result: dict) -> plt.Figure:
    """The figure of ``deeprg train-sweep --kind <kind>`` from its result dict."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    if kind == "depth":
        depths = [r["depth"] for r in result["rows"]]
        for method, style in (("dna", "o-"), ("backprop", "x--")):
            ax.plot(depths, [r[method]["test_accuracy"] for r in result["rows"]], style, label=method)
        ax.set(xlabel="weight layers", ylabel="test accuracy")
    elif kind == "beta-v":
        ax.semilogx([r["beta_v"] for r in result["rows"]], [r["test_accuracy"] for r in result["rows"]], "o-",
                    label="DNA")
        ax.axhline(result["backprop_test_accuracy"], ls="--", color="k", label="backprop")
        ax.set(xlabel="beta_v (beta = 1)", ylabel="test accuracy")
    elif kind == "symmetry":
        layers = [r["layer"] for r in result["layers"]]
        # h_std and sigma_std nearly coincide: distinct markers and dashes keep both visible
        for key, style in (("h_std", "o-"), ("sigma_std", "x--"), ("error_rms", "s-"), ("weight_norm", "^:")):
            ax.plot(layers, [r[key] for r in result["layers"]], style, label=key, mfc="none")
        ax.set(xlabel="layer m", ylabel="statistic", yscale="log")
    elif kind == "limit":
        ax.loglog(result["lambda"], result["distance"], "o-", label="|theta_DNA - theta_bp|")
        ax.set(xlabel="lambda = beta_v/beta", ylabel="distance")
    else:
        overlap = result["overlap"]
        ax.errorbar(overlap["betas"], overlap["q_ea"], yerr=overlap["q_ea_stderr"], fmt="o", label="q_EA (MALA)")
        ax.plot(overlap["betas"], overlap["q_ea_exact"], "-", label="|mu|^2/N")
        ax.plot(overlap["betas"], overlap["q_self"], "s", label="q_aa")
        ax.set(xlabel="beta", ylabel="overlap", xscale="log")
    ax.legend()
    if kind in ("depth", "symmetry"):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"train-sweep {kind}")
    fig.tight_layout()
    return fig
