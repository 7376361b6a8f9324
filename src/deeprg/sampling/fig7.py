r"""Fig 7 of Lee, Lee & Yi: the DNA against the plain network (DNN) and the beta_v sweep.

Eq 13 turns into the original cost as :math:`\beta_v \to \infty`, so the DNA's G(r) should approach the DNN's.
Fig 7 claims a "close resemblance" already at :math:`\beta = \beta_v = 1`. We quantify it by

- :math:`\Delta = \max_r |G_\text{DNA}(r) - G_\text{DNN}(r)|` and the correlation lengths :math:`\xi` of both,
- and call the resemblance close when (rule fixed before looking at the numbers)
  :math:`\Delta \le 0.25 \max(G_\text{DNA}(0), G_\text{DNN}(0))` and
  :math:`1/2 \le \xi_\text{DNA}/\xi_\text{DNN} \le 2`.
"""

from __future__ import annotations

import math

import numpy as np

from ..model import NetworkSpec
from .run import MCConfig, MCResult, run

RELATIVE_TOLERANCE = 0.25
XI_FACTOR = 2.0
RULE = (f"close resemblance := max_r |G_DNA - G_DNN| <= {RELATIVE_TOLERANCE} * max(G_DNA(0), G_DNN(0)) "
        f"and 1/{XI_FACTOR:g} <= xi_DNA / xi_DNN <= {XI_FACTOR:g}")


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
            exact: bool = False) -> tuple[MCResult, MCResult]:
    """Run the DNN (metropolis) and the DNA (gibbs) at ``spec``'s couplings, or both with the exact sampler."""
    common = dict(chains=chains, sweeps=sweeps, burn_in=burn_in, seed=seed, rmax=rmax)
    dnn = run(MCConfig(spec, "dnn", "exact" if exact else "metropolis", **common))
    dna = run(MCConfig(spec, "dna", "exact" if exact else "gibbs", **common))
    return dnn, dna


def mc_point(params: dict, seed: int) -> dict:
    """One Monte Carlo run as a sweep point (:func:`deeprg.sweep.run_sweep`): ``params`` holds the spec
    (``NetworkSpec.to_dict``), ``system``, ``method``, ``chains``, ``sweeps``, ``burn_in`` and ``rmax``."""
    config = MCConfig(NetworkSpec.from_dict(params["spec"]), params["system"], params["method"],
                      chains=params["chains"], sweeps=params["sweeps"], burn_in=params["burn_in"], seed=seed,
                      rmax=params["rmax"])
    return run(config).to_dict()


def sweep_beta_v(spec: NetworkSpec, beta_vs, *, chains: int, sweeps: int, burn_in: int, seed: int, rmax: int,
                 exact: bool = False, out_dir=None, address: str | None = None, workers: int | None = None,
                 progress=None) -> dict:
    """DNA G(r) for each beta_v against the DNN's: Monte Carlo, exact bulk curves and the resemblance numbers.

    The DNN and each DNA run are points of one :func:`deeprg.sweep.run_sweep` (``out_dir``, ``address`` and
    ``workers`` as there), all with the same ``seed``; the resemblance numbers are computed here from the runs.
    ``progress(1)`` is called after each of the ``len(beta_vs) + 1`` runs.
    """
    from ..sweep import Point, run_sweep

    beta_vs = sorted({float(b) for b in beta_vs})
    common = dict(chains=chains, sweeps=sweeps, burn_in=burn_in, rmax=rmax)
    configs = [MCConfig(spec, "dnn", "exact" if exact else "metropolis", seed=seed, **common)]
    configs += [MCConfig(spec.replace(beta_v=b), "dna", "exact" if exact else "gibbs", seed=seed, **common)
                for b in beta_vs]
    points = [Point("dnn" if c.system == "dnn" else f"dna_beta_v={c.spec.beta_v!r}",
                    {"spec": c.spec.to_dict(), "system": c.system, "method": c.method, **common}, seed)
              for c in configs]
    dnn, *runs = run_sweep(mc_point, points, out_dir=out_dir, address=address, workers=workers,
                           progress=progress)
    points = []
    for beta_v, dna in zip(beta_vs, runs):
        points.append({"beta_v": beta_v, "result": dna,
                       "mc": resemblance(dna["G"], dnn["G"], dna["xi_mc"], dnn["xi_mc"]),
                       "exact": resemblance(dna["G_exact"], dnn["G_exact"], dna["xi_exact"], dnn["xi_exact"])})
    return {"beta_v": beta_vs, "dnn": dnn, "points": points, "rule": RULE}
