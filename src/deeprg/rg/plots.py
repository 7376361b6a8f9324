"""Figures of the RG (flows like the paper's Figs 4-6, scaling, spectra, the catalog), from plain arrays/dicts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..results import as_complex  # noqa: E402


def plane_flows(trajectories, title: str = "RG flows near the plane e^A = 1 (cf. Fig 4)") -> plt.Figure:
    """3D flows of real (e^A, e^B, e^C) with the fixed plane e^A = 1, and |e^A - 1| against the step."""
    fig = plt.figure(figsize=(10, 4.2))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    trajectories = [np.real(np.asarray(t)) for t in trajectories]
    b_all = np.concatenate([t[:, 1] for t in trajectories])
    c_all = np.concatenate([t[:, 2] for t in trajectories])
    bb, cc = np.meshgrid(np.linspace(b_all.min(), b_all.max(), 2), np.linspace(c_all.min(), c_all.max(), 2))
    ax.plot_surface(bb, cc, np.ones_like(bb), alpha=0.2, color="tab:green")
    for t in trajectories:
        ax.plot(t[:, 1], t[:, 2], t[:, 0], marker=".", lw=1)
        ax.scatter(t[0, 1], t[0, 2], t[0, 0], marker="o", s=12, color="k")
    ax.set_xlabel("$e^B$")
    ax.set_ylabel("$e^C$")
    ax.set_zlabel("$e^A$")
    ax.set_title("flows (dots: starts; plane: fixed points)", fontsize=9)
    ax2 = fig.add_subplot(1, 2, 2)
    for t in trajectories:
        gap = np.abs(t[:, 0] - 1)
        steps = np.arange(len(gap))
        keep = gap > 0
        ax2.semilogy(steps[keep], gap[keep], marker=".")
    ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax2.set_xlabel("RG step")
    ax2.set_ylabel("$|e^A - 1|$")
    ax2.set_title("distance to the fixed plane", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def fictitious_flows(trajectories, center, title: str = "RG flows near the fictitious fixed point (cf. Fig 5)"
                     ) -> plt.Figure:
    """Flows in the (e^A, e^B) plane at fixed e^C, from starts around ``center``; arrows along each step."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for t in trajectories:
        t = np.real(np.asarray(t))
        ax.plot(t[:, 0], t[:, 1], lw=0.8, color="tab:blue")
        for k in range(len(t) - 1):
            ax.annotate("", xy=(t[k + 1, 0], t[k + 1, 1]), xytext=(t[k, 0], t[k, 1]),
                        arrowprops=dict(arrowstyle="->", color="tab:blue", lw=0.6))
    ax.plot([np.real(center[0])], [np.real(center[1])], "r*", ms=12, label="fixed point (eq 30)")
    ax.set_xlabel("$e^A$")
    ax.set_ylabel("$e^B$")
    ax.legend(fontsize=8)
    ax.set_title(title + f"\n$e^C$ = {np.real(center[2]):.4g} for all flows", fontsize=9)
    fig.tight_layout()
    return fig


def trajectory(steps: list[dict], title: str = "RG flow of (A, B, C)") -> plt.Figure:
    """Re and Im of A, B, C against the step (from result.json's ``steps``)."""
    fig, ax = plt.subplots(figsize=(6, 3.5))

    n = np.arange(len(steps))
    # couplings often meet (A and C both flow to 0): distinct markers and dashes keep every curve visible
    for (name, marker, dashes), size in zip((("A", "o", "-"), ("B", "s", "--"), ("C", "x", ":")), (7, 5, 6)):
        values = np.array([as_complex(s[name]) for s in steps])
        re, im = values.real, values.imag
        line, = ax.plot(n, re, marker=marker, ms=size, mfc="none", ls=dashes, label=f"Re {name}")
        if np.any(im != 0):
            ax.plot(n, im, marker=marker, ms=size, ls="-.", lw=0.8, color=line.get_color(), label=f"Im {name}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("RG step")
    ax.set_ylabel("coupling")
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def xi_scaling(scans: list[dict], title: str = "xi along lines approaching the fixed point") -> plt.Figure:
    """log-log xi against |delta| per line, with the fitted power law."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for s in scans:
        d, x = np.abs(np.asarray(s["deltas"], dtype=float)), np.asarray(s["xi"], dtype=float)
        points, = ax.loglog(d, x, "o", ms=3, label=f"{s['name']}: nu = {s['nu']:.5f}")
        ax.loglog(d, x[0] * (d / d[0]) ** -s["nu"], "-", lw=0.8, color=points.get_color())
    ax.set_xlabel(r"$|\delta|$")
    ax.set_ylabel(r"$\xi$")
    ax.legend(fontsize=7)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def correlation_near(curves: dict, title: str = "G(r) near the fixed point, A - A* = C - C* = delta"
                     ) -> plt.Figure:
    """|G(r)| against r for several deltas (left) and against r |delta| (right, eq 38 collapse)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for label, c in curves.items():
        r, G, d = np.asarray(c["r"], dtype=float), np.abs(np.asarray(c["G"], dtype=float)), abs(c["delta"])
        ax1.loglog(r[r > 0], G[r > 0], label=label)
        ax2.semilogx(r[r > 0] * d, G[r > 0] / G[0], label=label)
    ax1.set_xlabel("r (layers)")
    ax1.set_ylabel("|G(r)|")
    ax2.set_xlabel(r"$r\,|\delta|$ (the $y_A = 1$ scaling variable)")
    ax2.set_ylabel("G(r) / G(0)")
    ax1.legend(fontsize=7)
    ax2.set_title("scaling collapse (eq 38)", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def spectra(points: list[dict], factor: float = 2,
            title: str = "linearized RG at the fixed points") -> plt.Figure:
    """Eigenvalues of each fixed point in the complex plane, with |lambda| = 1 and |lambda| = b (the RG factor).

    Fixed points often share eigenvalues: each gets its own hollow marker, larger ones first, so that
    coinciding points stay visible as nested rings.
    """
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    angle = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(angle), np.sin(angle), "k:", lw=0.8, label="|lambda| = 1")
    ax.plot(factor * np.cos(angle), factor * np.sin(angle), "k--", lw=0.5, label=f"|lambda| = b = {factor:g}")
    shown = points[:12]
    for i, fp in enumerate(shown):
        lam = np.array([as_complex(z) for z in fp["eigenvalues"]])
        ax.scatter(lam.real, lam.imag, s=20 + 220 * (len(shown) - i) / len(shown), marker="osD^v<>ph*Xd"[i % 12],
                   facecolors="none", edgecolors=f"C{i % 10}", linewidths=1.2, zorder=3 + i,
                   label=f"#{i}: rank {fp['rank']}{', physical' if fp['physical'] else ''}")
    ax.set_aspect("equal")
    ax.set_xlabel("Re lambda")
    ax.set_ylabel("Im lambda")
    ax.legend(fontsize=7, markerscale=0.4, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def catalog_flows(entry: dict) -> plt.Figure:
    """xi of T_n and sigma_2/sigma_1 of E_n along the flows from E(beta_v), with the fixed points' ranks
    (``entry``: one plain-dict catalog entry)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    styles = ("-", "--", "-.", ":")
    for k, (label, flow) in enumerate(entry["flows"].items()):
        n = np.arange(len(flow["xi"]))
        values = np.array([np.inf if v is None else v for v in flow["xi"]], dtype=float)
        shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
        note = " (xi = inf, not drawn)" if np.all(np.isinf(values)) else ""
        style = dict(marker=".", linestyle=styles[k % len(styles)], label=f"beta_v = {label}{note}")
        ax1.semilogy(n, shown, **style)
        ax2.semilogy(n, np.maximum(flow["sigma_ratio"], 1e-17), **{**style, "label": f"beta_v = {label}"})
    ax1.set_xlabel("RG step n")
    ax1.set_ylabel("xi of T_n (halves per step)")
    ax1.legend(fontsize=7)
    ax2.set_xlabel("RG step n")
    ax2.set_ylabel("sigma_2 / sigma_1 of E_n")
    ax2.legend(fontsize=7)
    ax2.set_title("-> 0: flow to rank 1 (stable); const: rank >= 2", fontsize=8)
    ranks = sorted({p["rank"] for p in entry["fixed_points"] if p["physical"] and p["unstable"]})
    fig.suptitle(f"{entry['name']}\nphysical unstable ranks: {ranks or 'none'}", fontsize=9)
    fig.tight_layout()
    return fig


def renormalized_dnn(depth: int, result) -> plt.Figure:
    """Kept-layer moments (exact lines, sampled points with error bars) and the bulk G(r) of a depth-``depth``
    network and its renormalization (``result``: a :class:`deeprg.rg.renormalized_network.Verification`)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    x = np.arange(len(result.names))
    ax1.plot(x, result.exact_original, "k-", lw=1, label="exact (both)")
    ax1.errorbar(x - 0.1, result.sampled_original[0], result.sampled_original[1], fmt="o", ms=3,
                 label=f"samples: even layers of depth {depth}")
    ax1.errorbar(x + 0.1, result.sampled_renormalized[0], result.sampled_renormalized[1], fmt="s", ms=3,
                 label=f"samples: renormalized depth {depth // 2}")
    ax1.set_xticks(x, result.names, rotation=90, fontsize=6)
    ax1.set_ylabel("moment")
    ax1.legend(fontsize=7)
    r = np.arange(len(result.bulk_G_renormalized))
    ax2.semilogy(r, np.abs(result.bulk_G_original), "o-", label="|G(2r)|, original bulk")
    ax2.semilogy(r, np.abs(result.bulk_G_renormalized), "x--", label="|G(r)|, renormalized bulk")
    ax2.set_xlabel("r (renormalized layers)")
    ax2.legend(fontsize=7)
    fig.suptitle(f"renormalized DNN (Fig 6): max |z| = {result.max_z:.2f}, "
                 f"max exact difference = {result.max_exact_difference:.1e}", fontsize=9)
    fig.tight_layout()
    return fig
