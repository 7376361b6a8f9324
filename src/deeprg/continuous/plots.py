"""Figures of the continuous package: the Appendix A/B checks, training curves, signal propagation and trainability."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..results import save_figure  # noqa: E402


def appendix_a(limit: dict, runs: list[dict], seeds, epochs: int) -> plt.Figure:
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
    ax2.set(xlabel="seed", ylabel="final test accuracy (%)", title=f"digits 64-64-64-10, sigmoid, {epochs} epochs")
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


def _none_to_nan(values):
    return np.array([np.nan if v is None else v for v in values], float)


def phase_diagram(activation: str, sigma_b2_grid, critical, points, path: Path) -> Path:
    """Edge of chaos :math:`\\sigma_w^2_c(\\sigma_b^2)` (chi1 = 1) with the requested points marked."""
    fig, ax = plt.subplots(figsize=(5.5, 4))
    crit = _none_to_nan(critical)
    ax.plot(crit, sigma_b2_grid, "k-", lw=2, label="edge of chaos ($\\chi_1 = 1$, no noise)")
    right = np.nanmax(np.concatenate([crit, [p[0] for p in points]])) * 1.3
    ax.fill_betweenx(sigma_b2_grid, 0, crit, color="tab:blue", alpha=0.15, label="ordered ($\\chi_1 < 1$)")
    ax.fill_betweenx(sigma_b2_grid, crit, right, color="tab:red", alpha=0.15, label="chaotic ($\\chi_1 > 1$)")
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], "o", color="tab:green", label="requested")
    ax.set(xlim=(0, right), ylim=(min(sigma_b2_grid), max(sigma_b2_grid)), xlabel="$\\sigma_w^2$",
           ylabel="$\\sigma_b^2$", title=f"{activation}: phase diagram of signal propagation")
    ax.legend(loc="upper left", fontsize=8)
    return save_figure(fig, path)


def xi_curves(activation: str, sigma_b2: float, curves: dict, critical, path: Path, measured=None,
              measured_label: str = "measured (finite width)") -> Path:
    """:math:`\\xi_c` against :math:`\\sigma_w^2`, one curve per :math:`\\beta_v` (label -> (x, xi))."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, (x, xi) in curves.items():
        ax.semilogy(x, _none_to_nan(xi), "-", label=label)
    if critical is not None:
        ax.axvline(critical, color="k", ls=":", label=f"edge $\\sigma_w^2$ = {critical:.3f}")
    if measured:
        x, y, err = zip(*measured)
        ax.errorbar(x, y, yerr=err, fmt="o", color="k", ms=4, label=measured_label)
    ax.set(xlabel="$\\sigma_w^2$", ylabel="$\\xi_c$ (layers)",
           title=f"{activation}, $\\sigma_b^2$ = {sigma_b2}: correlation depth scale vs DNA noise")
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def correlation_vs_depth(activation: str, rows, path: Path) -> Path:
    """Measured mean correlation per layer (error bars) against the iterated correlation map.

    ``rows``: list of (sigma_w2, c_mean, c_err, c_map).
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (sw2, c, err, c_map) in enumerate(rows):
        color = f"C{i % 10}"
        m = np.arange(len(c))
        ax.errorbar(m, c, yerr=err, fmt="o", ms=3, color=color, label=f"$\\sigma_w^2$ = {sw2:g} (measured)")
        ax.plot(m, c_map, "-", color=color, lw=1)
    ax.set(xlabel="layer m", ylabel="correlation $c^{(m)}$",
           title=f"{activation}: finite-width networks (dots) vs mean-field map (lines)")
    ax.legend(fontsize=7)
    return save_figure(fig, path)


def _log_edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges on a log axis: geometric midpoints, extended by half a step at both ends."""
    c = np.log(np.asarray(centres, float))
    if len(c) == 1:
        return np.exp(c[0] + np.array([-0.5, 0.5]))
    mid = (c[1:] + c[:-1]) / 2
    return np.exp(np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]]))


def trainability(result: dict, path: Path) -> Path:
    """Test-accuracy heat maps over (sigma_w2, depth) for each method (log axes), with n * xi_c overlaid."""
    sw2 = np.array(result["sigma_w2"], float)
    depths = np.array(result["depths"], float)
    methods = result["methods"]
    order = np.argsort(sw2)
    fig, axes = plt.subplots(1, len(methods), figsize=(5.5 * len(methods), 4.2), squeeze=False)
    curve = result.get("xi_curve") or {"sigma_w2": result["sigma_w2"], "xi_c": result["xi_c"]}
    xs, xi = np.array(curve["sigma_w2"], float), _none_to_nan(curve["xi_c"])
    for ax, method in zip(axes[0], methods):
        acc = np.array(result["accuracy"][method], float)[:, order]  # (depth, sigma_w2)
        mesh = ax.pcolormesh(_log_edges(sw2[order]), _log_edges(depths), acc, vmin=0, vmax=1, cmap="viridis")
        for factor, style in ((1, "-"), (3, "--"), (6, ":")):
            ax.plot(xs, factor * xi, style, color="w", lw=1.5, label=f"{factor} $\\xi_c$ (init)")
        if result.get("critical_sigma_w2") is not None:
            ax.axvline(result["critical_sigma_w2"], color="r", ls=":", label="edge ($\\chi_1$ = 1)")
        ax.set(xscale="log", yscale="log", xlabel="$\\sigma_w^2$ at initialization", ylabel="weight layers (depth)",
               title=f"{method}: test accuracy after {result['epochs']} epochs")
        ax.set_xticks(sw2[order], [f"{v:g}" for v in sw2[order]])
        ax.set_yticks(depths, [f"{int(d)}" for d in depths])
        ax.minorticks_off()
        ax.set_xlim(*_log_edges(sw2[order])[[0, -1]])
        ax.set_ylim(*_log_edges(depths)[[0, -1]])
        ax.legend(fontsize=7, loc="lower left", framealpha=0.6)
        fig.colorbar(mesh, ax=ax, label="test accuracy")
    fig.suptitle(f"{result['activation']}, width {result['width']}, $\\sigma_b^2$ = {result['sigma_b2']}, "
                 f"{result['dataset']}")
    return save_figure(fig, path)


def edge_rounding(activation: str, sigma_b2: float, rounding, path: Path) -> Path:
    """Typical :math:`\\xi` at the noise-free edge against width (log-log), with error bars."""
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ok = [(w, x, e) for w, x, e in zip(rounding.widths, rounding.xi, rounding.xi_err) if x is not None]
    w, x, e = (np.array(a, float) for a in zip(*ok))
    ax.errorbar(w, x, yerr=e, fmt="o", label="measured (random networks)")
    ax.plot(w, x[-1] * w / w[-1], ":", color="gray", label="$\\propto N$")
    ax.set(xscale="log", yscale="log", xlabel="width N", ylabel="typical $\\xi_c$ at the edge (layers)",
           title=f"{activation}, $\\sigma_b^2$ = {sigma_b2}, $\\sigma_w^2$ = {rounding.sigma_w2:.3f}: finite width "
                 f"(slope {rounding.exponent:.2f})")
    ax.set_xticks(w, [f"{int(n)}" for n in w], minor=False)
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.legend(fontsize=8)
    return save_figure(fig, path)
