"""Figures of ``deeprg wide``, drawn from its result dictionary."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _finite(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def xi_vs_width(result: dict) -> plt.Figure:
    """Exact decay lengths against N, with the mean-field (N = infinity) values as dashed lines."""
    N = np.array(result["widths"], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    curves = [("overlap_xi", "overlap q", "C0", "o-"), ("magnetization_xi", "magnetization m", "C2", "s-"),
              ("xi", "single unit h (= m for r >= 1)", "C1", "x--")]
    for key, label, color, style in curves:
        if result.get(key) is None:
            continue
        y = _finite(result[key])
        ax.plot(N, y, style, color=color, ms=5, label=f"exact, {label}")
        inf = [n for n, v in zip(N, result[key]) if v is None]
        if inf:
            ax.plot(inf, [np.nanmax(y[np.isfinite(y)]) if np.isfinite(y).any() else 1.0] * len(inf), "^", color=color,
                    label=f"{label}: xi infinite")
    mf = result.get("mean_field") or {}
    for key, label, color in (("overlap_xi", "overlap", "C0"), ("magnetization_xi", "magnetization", "C2")):
        if mf.get(key) is not None and (key != "overlap_xi" or result.get("overlap_xi") is not None):
            ax.axhline(mf[key], ls="--", color=color, lw=1, label=f"mean field, {label}: {mf[key]:.4g}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width N")
    ax.set_ylabel(r"decay length $\xi$ (layers)")
    spec = result["spec"]
    ax.set_title(f"bulk decay lengths vs width (L={spec['rows']}, {spec['activation']}, "
                 f"beta_v={spec['beta_v'] if spec['beta_v'] is not None else 'inf'})", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return fig


def mean_field_map(result: dict) -> plt.Figure:
    """The infinite-width overlap map q -> f(q) with the diagonal and its fixed points."""
    mf = result["mean_field"]
    fig, ax = plt.subplots(figsize=(5, 4.6))
    q, f = np.array(mf["map"]["q"]), np.array(mf["map"]["f"])
    ax.plot(q, f, color="C0", label="f(q), N = infinity")
    ax.plot(q, q, color="0.5", ls=":", label="q' = q")
    for k, p in enumerate(mf["fixed_points"]):
        slope = "inf" if p["slope"] is None else f"{p['slope']:.3g}"
        ax.plot([p["value"]], [p["value"]], "o", ms=8, mfc="C3" if p["stable"] else "white", mec="C3",
                label=f"{'stable' if p['stable'] else 'unstable'} q*={p['value'] + 0.0:.4f}, slope {slope}")
    ax.set_xlabel("overlap q of layer m")
    ax.set_ylabel("overlap q' of layer m+1")
    xi = mf.get("overlap_xi")
    ax.set_title(f"mean-field overlap map (epsilon={mf['epsilon']:.3g}); xi_MF = "
                 f"{'inf' if xi is None else f'{xi:.4g}'}", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return fig


def crossover(result: dict) -> plt.Figure:
    """Exact overlap xi(N) for several beta_v, each with its mean-field value, and N* against 1/epsilon."""
    rows = result["crossover"]
    N = np.array(result["widths"], dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for k, r in enumerate(rows):
        color = f"C{k}"
        ax1.plot(N, _finite(r["overlap_xi"]), "o-", ms=3, color=color, label=f"beta_v={r['beta_v']:g}")
        if r["xi_mf"] is not None:
            ax1.axhline(r["xi_mf"], ls="--", lw=1, color=color)
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xlabel("width N")
    ax1.set_ylabel("overlap decay length xi (layers)")
    ax1.set_title("exact xi(N) (solid) and mean field (dashed)", fontsize=10)
    ax1.legend(fontsize=7)
    ax1.grid(alpha=0.3)
    pts = [(1 / r["epsilon"], r["n_star"]) for r in rows if r["n_star"] is not None and r["epsilon"] > 0]
    if pts:
        x, y = np.array(pts).T
        ax2.loglog(x, y, "o", label="N* (first width within 5% of mean field)")
        ax2.loglog(x, x, ":", color="0.5", label="N* = 1/epsilon")
        ax2.legend(fontsize=7)
    ax2.set_xlabel("1 / epsilon (inverse flip probability)")
    ax2.set_ylabel("crossover width N*")
    ax2.set_title("width needed for mean field as beta_v grows", fontsize=10)
    ax2.grid(alpha=0.3, which="both")
    return fig


def overlap_correlations(result: dict) -> plt.Figure:
    """Normalized overlap correlations G(r)/G(0) at each width against the mean-field decay slope^r."""
    fig, ax = plt.subplots(figsize=(6.4, 4))
    widths = result["widths"]
    cmap = plt.get_cmap("viridis")
    for k, (n, G) in enumerate(zip(widths, result["overlap_G"])):
        G = np.asarray(G, dtype=float)
        if G[0] <= 0:
            continue
        r = np.arange(len(G))
        ax.plot(r, np.abs(G / G[0]), "o-", ms=3, color=cmap(k / max(len(widths) - 1, 1)), label=f"N={n}")
    mf = result.get("mean_field") or {}
    stable = [p for p in mf.get("fixed_points", []) if p["stable"] and p["slope"] is not None]
    if stable:
        slope = abs(stable[0]["slope"])
        r = np.arange(len(result["overlap_G"][0]))
        ax.plot(r, slope**r, "k--", lw=1.5, label=f"mean field |f'(q*)|^r, slope {slope:.4g}")
    ax.set_yscale("log")
    ax.set_xlabel("separation r (layers)")
    ax.set_ylabel("|G_q(r) / G_q(0)|")
    ax.set_title("overlap correlations of the exact bulk vs the infinite-width slope", fontsize=10)
    ax.legend(fontsize=6, ncol=2)
    ax.grid(alpha=0.3)
    return fig
