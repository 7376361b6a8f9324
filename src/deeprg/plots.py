"""Figures drawn from saved result dictionaries, so that any figure can be redrawn from its JSON."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def layer_means(mean_h, title: str = "") -> plt.Figure:
    """<h^(m)[l]_i> against m, one line per (row, unit)."""
    mean = np.asarray(mean_h, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    m = np.arange(1, len(mean) + 1)
    for l in range(mean.shape[1]):
        for i in range(mean.shape[2]):
            ax.plot(m, mean[:, l, i], marker="." if len(m) <= 60 else None, label=f"row {l}, unit {i}")
    ax.set_xlabel("layer m")
    ax.set_ylabel(r"$\langle h^{(m)}\rangle$")
    if len(m) > 1000:
        ax.set_xscale("log")
    if mean.shape[1] * mean.shape[2] <= 8:
        ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def correlation(curves: dict, title: str = "", errors: dict | None = None) -> plt.Figure:
    """|G(r)| on a log scale for several named curves (optionally with error bars)."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, G in curves.items():
        G = np.asarray(G, dtype=float)
        r = np.arange(len(G))
        if errors and name in errors:
            ax.errorbar(r, G, yerr=np.asarray(errors[name], dtype=float), fmt="o", ms=3, capsize=2, label=name)
        else:
            ax.plot(r, G, marker=".", label=name)
    ax.set_yscale("symlog", linthresh=1e-6)
    ax.set_xlabel("separation r (layers)")
    ax.set_ylabel("G(r)")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
