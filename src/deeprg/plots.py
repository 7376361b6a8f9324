"""Figures drawn from saved result dictionaries, so that any figure can be redrawn from its JSON."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PLOTTED_LAYERS = 4000  # deeper chains are drawn at this many log-spaced layers (the curves are smooth in m)


def integer_axis(axis) -> None:
    """Integer ticks only, for axes that count layers, separations, steps or epochs."""
    axis.set_major_locator(MaxNLocator(integer=True))


def plotted_layers(depth: int, count: int = PLOTTED_LAYERS) -> np.ndarray:
    """1-based layers to draw: all of them up to ``count``, else log-spaced ones (always the first and last)."""
    if depth <= count:
        return np.arange(1, depth + 1)
    return np.unique(np.round(np.geomspace(1, depth, count)).astype(int))


def layer_means(mean_h, title: str = "") -> plt.Figure:
    """<h^(m)[l]_i> against m, one line per (row, unit); log-spaced layers on a log axis beyond 1000 layers."""
    mean = np.asarray(mean_h, dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    m = plotted_layers(len(mean))
    styles = ("-", "--", ":", "-.")
    for k, (l, i) in enumerate(np.ndindex(mean.shape[1], mean.shape[2])):
        ax.plot(m, mean[m - 1, l, i], marker="." if len(m) <= 60 else None, linestyle=styles[k % 4],
                label=f"row {l}, unit {i}", zorder=3 + k)
    ax.set_xlabel("layer m")
    ax.set_ylabel(r"$\langle h^{(m)}\rangle$")
    if len(mean) > 1000:
        ax.set_xscale("log")
    else:
        integer_axis(ax.xaxis)
    if mean.shape[1] * mean.shape[2] <= 8:
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    return fig


def correlation(curves: dict, title: str = "") -> plt.Figure:
    """|G(r)| on a log axis (a pure exponential is a straight line); hollow markers where G(r) < 0.

    Exact zeros cannot be drawn on a log axis and are left out (the axis is linear when every value is zero).
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    drawn = False
    for name, G in curves.items():
        G = np.asarray(G, dtype=float)
        r = np.arange(len(G))
        size = np.abs(G)
        shown = size > 0
        (line,) = ax.plot(r[shown], size[shown], marker=".", label=f"|{name}|")
        negative = G < 0
        if negative.any():
            ax.plot(r[negative], size[negative], "o", mfc="none", color=line.get_color(), label=f"{name} < 0")
        if not shown.all():
            zeros = ", ".join(str(k) for k in r[~shown][:4]) + (", ..." if (~shown).sum() > 4 else "")
            ax.plot([], [], " ", label=f"{name} = 0 at r = {zeros} (not drawn)")
        drawn |= bool(shown.any())
        ax.set_xlim(-0.5, max(len(G) - 0.5, ax.get_xlim()[1]))
    if drawn:
        ax.set_yscale("log")
    integer_axis(ax.xaxis)
    ax.set_xlabel("separation r (layers)")
    ax.set_ylabel("|G(r)|")
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    return fig
