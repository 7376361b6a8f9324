"""Figures of ``deeprg gx``, drawn from the saved result dictionaries (the only gx module importing matplotlib)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from deeprg.correspondence.rg_maps import OneParameterRG  # noqa: E402


def plot_flow(result: dict):
    """The one-step map with its fixed points (cobweb of the flow), and the flow against the RG step."""
    rg_map = OneParameterRG(result["family"], result["b"])
    coord = rg_map.coordinate
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 4))
    c = np.linspace(coord.lo, coord.hi, 401)
    ax.plot(c, [rg_map.step_coordinate(x) for x in c], "k-", label="RG map")
    ax.plot(c, c, color="gray", lw=0.8, label="identity")
    path = result["steps_coordinate"]
    for start, end in zip(path[:-1], path[1:]):
        ax.plot([start, start, end], [start, end, end], "C0-", lw=0.8)
    for point in result["fixed_points"]:
        if point["coordinate"] is not None and np.isfinite(point["coordinate"]):
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


def plot_experiment(result: dict):
    """Per layer: trained and untrained (mean ± critical z · stderr over seeds) against the RG iterates and the
    fixed point; and the information each layer keeps."""
    config, layers = result["config"], result["layers"]
    z = result["summary"]["critical_z"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.5, 4))
    depth = [layer["layer"] for layer in layers]
    inputs = [run["input"]["coordinate"] for run in result["runs"] if run["input"]["coordinate"] is not None]
    start = [float(np.mean(inputs))] if inputs else []
    ax.plot([0] * len(start) + depth, start + [layer["rg_iterate"]["mean"] for layer in layers], "k-o",
            label=f"RG iterate R^k(P), b={config['b']} (k = 0: measured input)")
    ax.axhline(layers[0]["fixed_point"]["mean"], color="gray", ls="--", label="fixed point of the flow")
    untrained = "random local weights" if config["arch"] == "rg" else "untrained"
    trained = "exact RG layers" if config["arch"] == "rg" else "trained"
    for key, label, color, shift in (("trained", trained, "C0", -0.06), ("untrained", untrained, "C3", 0.06)):
        rows = [(layer["layer"], layer[key]) for layer in layers if layer[key]["mean"] is not None]
        if rows:
            ax.errorbar([k + shift for k, _ in rows], [s["mean"] for _, s in rows],
                        yerr=[z * s["stderr"] for _, s in rows], fmt="s", color=color, capsize=3,
                        label=f"{label} ({config['seeds']} seeds)")
    ax.set_xticks([0] * len(start) + depth)
    ax.set_xlabel("feature layer k (= RG step; 0 = data)")
    ax.set_ylabel(result["coordinate"])
    net = "exact RG layers (positive control)" if config["arch"] == "rg" else \
        f"{config['arch']} net, {config['objective']}"
    ax.set_title(f"{config['family']}: {net}; bars: {z:.2f} se", fontsize=10)
    ax.legend(fontsize=7)
    for key, label, color in (("trained", trained, "C0"), ("untrained", untrained, "C3")):
        bx.errorbar(depth, [layer["information"][key]["mean"] for layer in layers],
                    yerr=[layer["information"][key]["stderr"] for layer in layers], fmt="s-", color=color,
                    capsize=3, label=label)
    bx.set_xticks(depth)
    bx.set_ylim(0, 1.05)
    bx.set_xlabel("feature layer k")
    bx.set_ylabel("R² of the linear readout of the input")
    bx.set_title("information kept by each layer")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return fig
