"""Figures of the Gong-Xia experiments: the one-parameter RG flows and the network experiment."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .rg_maps import OneParameterRG  # noqa: E402


def rg_flow(rg_map, result: dict) -> plt.Figure:
    """The one-parameter RG map against the identity with the cobweb of the flow, and the flow against the step."""
    coord = rg_map.coordinate
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 4))
    c = np.linspace(coord.lo, coord.hi, 401)
    ax.plot(c, [rg_map.step_coordinate(x) for x in c], "k-", label="RG map")
    ax.plot(c, c, color="gray", lw=0.8, label="identity")
    path = result["steps_coordinate"]
    for start, end in zip(path[:-1], path[1:]):
        ax.plot([start, start, end], [start, end, end], "C0-", lw=0.8)
    for point in result["fixed_points"]:
        if np.isfinite(point["coordinate"]):
            ax.plot(point["coordinate"], point["coordinate"], "o",
                    color="C2" if point["stability"] == "stable" else "C3")
    ax.set_xlabel(coord.name)
    ax.set_ylabel(f"{coord.name} after one step")
    ax.set_title(f"{result['family']}, b = {result['b']}")
    ax.legend(fontsize=8)
    bx.plot(range(len(path)), path, "C0o-")
    bx.xaxis.set_major_locator(MaxNLocator(integer=True))
    bx.set_xlabel("RG step")
    bx.set_ylabel(coord.name)
    bx.set_title("flow (green: stable, red: unstable fixed points)")
    fig.tight_layout()
    return fig


def experiment(result) -> plt.Figure:
    """Trained and untrained estimates over depth, with the RG flow and its fixed point; information retained
    (``result``: an :class:`deeprg.correspondence.experiment.ExperimentResult`)."""
    config = result.config
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    depth = np.arange(config.depth + 1)
    flow_c = [OneParameterRG(config.rg_family, config.b).coordinate.to_c(v) for v in result.rg_flow]
    ax.plot(depth, flow_c, "k-o", label=f"RG flow (b={config.b})")
    ax.axhline(OneParameterRG(config.rg_family, config.b).coordinate.to_c(result.fixed_point), color="gray",
               ls="--", label="fixed point of the flow")
    for name, style, fmt in (("trained", "C0", "o-"), ("untrained", "C3", "s--")):
        rows = [(r["layer"], r if name == "trained" else r["untrained"]) for r in result.layers]
        rows = [(level, r) for level, r in rows if r["coordinate"] is not None]
        if result.input.coordinate is not None:
            rows = [(0, result.input.to_dict())] + rows
        if rows:
            ax.errorbar([lv for lv, _ in rows], [r["coordinate"] for _, r in rows],
                        yerr=[3 * r["coordinate_stderr"] if math.isfinite(r["coordinate_stderr"]) else 0
                              for _, r in rows], fmt=fmt, mfc="none", color=style, capsize=3,
                        label=f"{name} network")
    ax.set_xlabel("layer (RG step)")
    ax.set_ylabel(result.coordinate)
    ax.set_title(f"{config.family}: {config.objective}, seed {config.seed}")
    ax.legend(fontsize=8)
    bx.plot([r["layer"] for r in result.layers], [r["information_r2"] for r in result.layers], "C0o-",
            mfc="none", label="trained")
    bx.plot([r["layer"] for r in result.layers], [r["untrained"]["information_r2"] for r in result.layers],
            "C3s--", mfc="none", label="untrained")
    for axis in (ax, bx):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # layers are whole numbers
    bx.set_xlabel("layer")
    bx.set_ylabel("R^2 of linear readout of the input")
    bx.set_title("information retained")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return fig
