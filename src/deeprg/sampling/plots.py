"""Figures of the Monte Carlo runs (Fig 7 of Lee, Lee & Yi and the beta_v sweep), drawn from result dicts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator, NullFormatter  # noqa: E402

STYLE = {"dnn": dict(color="tab:red", linestyle="-", label="DNN (original cost)"),
         "dna": dict(color="tab:blue", linestyle="--", label="DNA (dynamic neurons)")}


def _curve(ax, result: dict, label: str | None = None, **style):
    r = np.arange(len(result["G"]))
    label = label or style.pop("label")
    ax.errorbar(r, result["G"], yerr=result["G_err"], fmt="o", ms=3, capsize=2, color=style["color"],
                label=f"{label}: Monte Carlo")
    ax.plot(r, result["G_exact"], linestyle=style["linestyle"], color=style["color"], label=f"{label}: exact bulk")


def correlation_figure(results: dict, title: str):
    """G(r) of each named result (keys 'dnn'/'dna' get Fig 7's styles), linear and log scales."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, log in zip(axes, (False, True)):
        for name, result in results.items():
            style = dict(STYLE.get(name, dict(color=None, linestyle="-", label=name)))
            _curve(ax, result, **style)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("separation r (layers)")
        ax.set_ylabel(r"$G(r) = \langle h_m h_{m+r}\rangle - \langle h_m\rangle\langle h_{m+r}\rangle$")
        if log:
            ax.set_yscale("symlog", linthresh=1e-5)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def sweep_figure(sweep: dict):
    """Left: DNA G(r) for each beta_v with the DNN's; right: max |G_DNA - G_DNN| against beta_v."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(sweep["points"])))
    for color, point in zip(colors, sweep["points"]):
        res = point["result"]
        r = np.arange(len(res["G"]))
        left.errorbar(r, res["G"], yerr=res["G_err"], fmt="o", ms=2, color=color, label=f"DNA beta_v={point['beta_v']:g}")
        left.plot(r, res["G_exact"], "--", color=color, lw=0.8)
    dnn = sweep["dnn"]
    left.plot(np.arange(len(dnn["G_exact"])), dnn["G_exact"], "-", color="tab:red", label="DNN exact")
    left.errorbar(np.arange(len(dnn["G"])), dnn["G"], yerr=dnn["G_err"], fmt="s", ms=2, color="tab:red",
                  label="DNN Monte Carlo")
    left.set_yscale("symlog", linthresh=1e-5)  # Monte Carlo noise crosses zero: a log axis would drop it
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel("separation r (layers)")
    left.set_ylabel("G(r)")
    left.legend(fontsize=7)
    bv = [p["beta_v"] for p in sweep["points"]]
    right.plot(bv, [p["mc"]["max_abs_diff"] for p in sweep["points"]], "o-", label="Monte Carlo")
    right.plot(bv, [p["exact"]["max_abs_diff"] for p in sweep["points"]], "x--", label="exact bulk")
    right.set_xscale("log")
    right.set_xticks(bv, [f"{b:g}" for b in bv])  # label the sampled beta_v only: no run-together minor labels
    right.xaxis.set_minor_formatter(NullFormatter())
    right.set_yscale("log")
    right.set_xlabel(r"$\beta_v$")
    right.set_ylabel(r"$\max_r |G_{DNA} - G_{DNN}|$")
    right.legend(fontsize=8)
    fig.suptitle("DNA -> DNN as beta_v grows (eq 13)")
    return fig


PANELS = (("unit", "single unit h_(row, unit)"), ("magnetization", "magnetization m = (1/N) sum_i h_0i"),
          ("overlap", "overlap q = (1/N) sum_i h_0i h_1i"))


def observables_figure(result: dict, title: str):
    """G(r) of the unit, the magnetization and the overlap (when present) of one run's ``to_dict()``: Monte
    Carlo with error bars, the exact bulk as a line where it is known."""
    config = result.get("config", {})
    unit_label = f"single unit h_(row {config.get('row', 0)}, unit {config.get('unit', 0)})"
    blocks = [(name, unit_label if name == "unit" else label, result if name == "unit" else result.get(name))
              for name, label in PANELS]
    blocks = [b for b in blocks if b[2] is not None]
    fig, axes = plt.subplots(1, len(blocks), figsize=(4.6 * len(blocks), 3.8), squeeze=False)
    for ax, (name, label, block) in zip(axes[0], blocks):
        G, err = np.asarray(block["G"], float), np.asarray(block["G_err"], float)
        r = np.arange(len(G))
        ax.errorbar(r, G, yerr=err, fmt="o", ms=3, capsize=2, color="tab:blue", label="Monte Carlo")
        if block.get("G_exact") is not None:
            ax.plot(r, np.asarray(block["G_exact"], float), "-", color="k", lw=1, label="exact bulk")
        else:
            ax.text(0.97, 0.97, "no exact overlay\n(spec too large)", transform=ax.transAxes, ha="right",
                    va="top", fontsize=8, color="0.4")
        ax.axhline(0, color="0.7", lw=0.6)
        ax.set(xlabel="separation r (layers)", ylabel="G(r)", title=label)
        ax.title.set_fontsize(9)
        ax.legend(fontsize=8, loc="center right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
