r"""Fig 7 of seed 003: the DNA against the plain network (DNN), the beta_v sweep, and the ``fig7`` check.

Eq 13 turns into the original cost as :math:`\beta_v \to \infty`, so the DNA's G(r) should approach the DNN's.
Fig 7 claims a "close resemblance" already at :math:`\beta = \beta_v = 1`. We quantify it by

- :math:`\Delta = \max_r |G_\text{DNA}(r) - G_\text{DNN}(r)|` and the correlation lengths :math:`\xi` of both,
- and call the resemblance close when (rule fixed before looking at the numbers)
  :math:`\Delta \le 0.25 \max(G_\text{DNA}(0), G_\text{DNN}(0))` and
  :math:`1/2 \le \xi_\text{DNA}/\xi_\text{DNN} \le 2`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..model import NetworkSpec
from .run import MCConfig, MCResult, run

RELATIVE_TOLERANCE = 0.25
XI_FACTOR = 2.0
RULE = (f"close resemblance := max_r |G_DNA - G_DNN| <= {RELATIVE_TOLERANCE} * max(G_DNA(0), G_DNN(0)) "
        f"and 1/{XI_FACTOR:g} <= xi_DNA / xi_DNN <= {XI_FACTOR:g}")
Z_LIMIT = 3.0  # "within error bars" for the 2 x 6 points r <= 5 of the check


def resemblance(G_dna, G_dnn, xi_dna: float, xi_dnn: float) -> dict:
    """Numbers behind Fig 7's "close resemblance" and the verdict of :data:`RULE`."""
    G_dna, G_dnn = np.asarray(G_dna, dtype=float), np.asarray(G_dnn, dtype=float)
    diff = float(np.max(np.abs(G_dna - G_dnn)))
    scale = float(max(G_dna[0], G_dnn[0]))
    ratio = xi_dna / xi_dnn if xi_dnn > 0 else math.nan
    close = diff <= RELATIVE_TOLERANCE * scale and 1 / XI_FACTOR <= ratio <= XI_FACTOR
    return {"max_abs_diff": diff, "relative_diff": diff / scale, "xi_dna": xi_dna, "xi_dnn": xi_dnn,
            "xi_ratio": ratio, "close": bool(close), "rule": RULE}


def compare(spec: NetworkSpec, *, chains: int, sweeps: int, burn_in: int, seed: int, rmax: int,
            exact: bool = False, checkpoint=None) -> tuple[MCResult, MCResult]:
    """Run the DNN (metropolis) and the DNA (gibbs) at ``spec``'s couplings, or both with the exact sampler."""
    common = dict(chains=chains, sweeps=sweeps, burn_in=burn_in, seed=seed, rmax=rmax)
    dnn = run(MCConfig(spec, "dnn", "exact" if exact else "metropolis", **common))
    dna = run(MCConfig(spec, "dna", "exact" if exact else "gibbs", **common))
    return dnn, dna


def sweep_beta_v(spec: NetworkSpec, beta_vs, *, chains: int, sweeps: int, burn_in: int, seed: int, rmax: int,
                 exact: bool = False) -> dict:
    """DNA G(r) for each beta_v against the DNN's: Monte Carlo, exact bulk curves and the resemblance numbers."""
    beta_vs = sorted({float(b) for b in beta_vs})
    common = dict(chains=chains, sweeps=sweeps, burn_in=burn_in, seed=seed, rmax=rmax)
    configs = [MCConfig(spec.replace(beta_v=b), "dna", "exact" if exact else "gibbs", **common) for b in beta_vs]
    dnn = run(MCConfig(spec, "dnn", "exact" if exact else "metropolis", **common))
    points = []
    for config in configs:
        dna = run(config)
        points.append({"beta_v": config.spec.beta_v, "result": dna.to_dict(),
                       "mc": resemblance(dna.correlation.G, dnn.correlation.G, dna.xi_mc, dnn.xi_mc),
                       "exact": resemblance(dna.G_exact, dnn.G_exact, dna.xi_exact, dnn.xi_exact)})
    return {"beta_v": beta_vs, "dnn": dnn.to_dict(), "points": points, "rule": RULE}


# -- figures -----------------------------------------------------------------------------------------------
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
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, log in zip(axes, (False, True)):
        for name, result in results.items():
            style = dict(STYLE.get(name, dict(color=None, linestyle="-", label=name)))
            _curve(ax, result, **style)
        ax.set_xlabel("separation r (layers)")
        ax.set_ylabel(r"$G(r) = \langle h_m h_{m+r}\rangle - \langle h_m\rangle\langle h_{m+r}\rangle$")
        if log:
            ax.set_yscale("symlog", linthresh=1e-5)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def sweep_figure(sweep: dict):
    """Left: DNA G(r) for each beta_v with the DNN's; right: max |G_DNA - G_DNN| against beta_v."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    left.set_yscale("symlog", linthresh=1e-5)
    left.set_xlabel("separation r")
    left.set_ylabel("G(r)")
    left.legend(fontsize=7)
    bv = [p["beta_v"] for p in sweep["points"]]
    right.plot(bv, [p["mc"]["max_abs_diff"] for p in sweep["points"]], "o-", label="Monte Carlo")
    right.plot(bv, [p["exact"]["max_abs_diff"] for p in sweep["points"]], "x--", label="exact bulk")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel(r"$\beta_v$")
    right.set_ylabel(r"$\max_r |G_{DNA} - G_{DNN}|$")
    right.legend(fontsize=8)
    fig.suptitle("DNA -> DNN as beta_v grows (eq 13)")
    return fig


# -- the reproduction report -------------------------------------------------------------------------------
CHECK_DEPTH, CHECK_CHAINS, CHECK_SWEEPS, CHECK_BURN_IN, CHECK_RMAX = 2000, 8, 600, 50, 10


def report_checks(out_dir=None) -> list[dict]:
    """The ``fig7`` check: Monte Carlo of both systems against the exact bulk curves, and the resemblance.

    Runs at depth 2000 with 8 chains x 600 sweeps (the CLI default is depth 10^4, 16 chains x 2000 sweeps) so
    that it takes well under 60 s; the bulk window excludes 100 layers at each end either way.
    """
    import os

    from ..results import save_figure, write_json

    quiet = os.environ.get("DEEPRG_PROGRESS")
    os.environ["DEEPRG_PROGRESS"] = "0"
    try:
        spec = NetworkSpec(depth=CHECK_DEPTH, beta=1.0, beta_v=1.0)
        dnn, dna = compare(spec, chains=CHECK_CHAINS, sweeps=CHECK_SWEEPS, burn_in=CHECK_BURN_IN, seed=7,
                           rmax=CHECK_RMAX)
    finally:
        if quiet is None:
            os.environ.pop("DEEPRG_PROGRESS")
        else:
            os.environ["DEEPRG_PROGRESS"] = quiet
    z = {name: float(np.max(np.abs(res.z[:6]))) for name, res in (("dnn", dnn), ("dna", dna))}
    mc_ok = all(v <= Z_LIMIT for v in z.values())
    close = resemblance(dna.G_exact, dnn.G_exact, dna.xi_exact, dnn.xi_exact)
    close_mc = resemblance(dna.correlation.G, dnn.correlation.G, dna.xi_mc, dnn.xi_mc)
    verdict = "agrees" if mc_ok and close["close"] else "disagrees"  # the MC certifies the exact curves
    check = {
        "id": "fig7",
        "claim": "Monte Carlo at beta = beta_v = 1: the time-averaged, position-averaged neuron correlation G(r) "
                 "of the simple network and of its dynamic-neuron counterpart closely resemble each other",
        "paper": "Fig 7 (Sec. V): depth 10^4, beta = beta_v = 1, 'the two systems exhibit a close resemblance'",
        "computed": {"max_abs_diff_mc": close_mc["max_abs_diff"], "max_abs_diff_exact": close["max_abs_diff"],
                     "relative_diff_exact": close["relative_diff"], "xi_dna_exact": dna.xi_exact,
                     "xi_dnn_exact": dnn.xi_exact, "xi_dna_mc": dna.xi_mc, "xi_dnn_mc": dnn.xi_mc,
                     "max_abs_z_r_le_5": z, "G_dna": dna.correlation.G[:6], "G_dnn": dnn.correlation.G[:6]},
        "verdict": verdict,
        "detail": (f"Depth {CHECK_DEPTH} (paper 10^4; smaller to stay < 60 s), {CHECK_CHAINS} chains x "
                   f"{CHECK_SWEEPS} sweeps after {CHECK_BURN_IN} burn-in, seed 7. Monte Carlo vs exact bulk "
                   f"(T = K E^T for the DNA, T = K for the DNN): max |z| over r <= 5 = {z['dna']:.2f} (DNA "
                   f"gibbs), {z['dnn']:.2f} (DNN metropolis); within error bars means |z| <= {Z_LIMIT:g}. "
                   f"Resemblance: max_r |G_DNA - G_DNN| = {close['max_abs_diff']:.4f} exact "
                   f"({close_mc['max_abs_diff']:.4f} Monte Carlo) = {100 * close['relative_diff']:.1f}% of "
                   f"G(0); xi_DNA = {dna.xi_exact:.3f}, xi_DNN = {dnn.xi_exact:.3f} (ratio "
                   f"{close['xi_ratio']:.2f}). Rule: {RULE}."),
    }
    if out_dir is not None:
        out = Path(out_dir)
        fig = correlation_figure({"dnn": dnn.to_dict(), "dna": dna.to_dict()},
                                 f"Fig 7: depth {CHECK_DEPTH}, beta = beta_v = 1")
        check["figures"] = [str(save_figure(fig, out / "fig7.png"))]
        write_json(out / "fig7.json", {"dnn": dnn, "dna": dna, "resemblance": close, "resemblance_mc": close_mc})
    return [check]
