"""Report checks for wide networks: the symmetric engine, the approach to mean field, and the critical-point answer."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..exact import build_blocks, bulk_observables, solve, solve_symmetric
from ..exact.observables import symmetric_bulk_observables
from ..model import NetworkSpec, ValueSets
from ..report.check import Check, verdict
from .experiment import CROSSOVER_TOL, layer_spec, run_wide
from .experiment import crossover as crossover_widths
from .meanfield import solve_mean_field

EXACT_TOL = 1e-10
SIGN = dict(values=ValueSets(biases=(0.0,), neurons=(-1.0, 1.0)), activation="sign")


def _sign_template(beta_v: float) -> NetworkSpec:
    return NetworkSpec(width=1, x=[[1.0], [1.0]], y=[[1.0], [1.0]], beta_v=beta_v, **SIGN)


def _check_exact() -> Check:
    specs = [NetworkSpec(width=3, depth=3, x=[[1, 0, 1]], y=[[0, 1, 1]], beta=0.7, beta_v=1.3),
             NetworkSpec(width=2, depth=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta_v=0.8,
                         values=ValueSets(weights=(-1, 0, 1))),
             NetworkSpec(width=2, depth=3, x=[[1, -1], [1, 1]], y=[[1, 1], [-1, 1]], beta_v=1.5, **SIGN),
             NetworkSpec(width=3, depth=2, x=[[1, -1, 1], [1, 1, -1]], y=[[1, 1, 1], [-1, 1, 1]], beta_v=0.6,
                         values=ValueSets(biases=(-1, 1), neurons=(-1, 1)), activation="sign")]
    worst = 0.0
    for spec in specs:
        a, b = solve(spec, covariance=True), solve_symmetric(spec, covariance=True)
        worst = max(worst, abs(a.log_z - b.log_z) / max(1, abs(a.log_z)), np.abs(a.mean_h - b.mean_h).max(),
                    np.abs(a.cov_h - b.cov_h).max())
        fa, fb = bulk_observables(spec, 8, "full"), symmetric_bulk_observables(build_blocks(spec), 8)
        for key in ("single", "magnetization", "overlap"):
            if fa[key] is not None:
                worst = max(worst, np.abs(fa[key].G - fb[key].G).max(), abs(fa[key].mean - fb[key].mean))
    return Check(
        id="wide-exact",
        claim="The DNA partition function, layer means, covariances and bulk correlations of a width-N network "
              "follow exactly from the permutation-symmetric (and gauge-symmetric) block chain of T = K E^T.",
        paper="T = K E^T over depth from the DNA Hamiltonian (Lee, Lee & Yi, eqs 13-16); the unit-permutation "
              "lumping is derived here",
        computed=f"max deviation from the full transfer matrix over {len(specs)} specs (log Z relative, <h>, "
                 f"cov, bulk G of h, m and q): {worst:.2e}",
        verdict=verdict(worst <= EXACT_TOL),
        detail="Specs: toy N=3 L=1; weights {-1,0,1} N=2 L=2; sign +-1 no bias N=2 L=2 (gauge lumping); sign +-1 "
               "with biases N=3 L=2 (gauge). The full engine enumerates every weight matrix; the block chain never "
               "does (it convolves weight sums).",
        source="dna",
        could_fail_if="any lumped quantity differed from the full-engine value by more than 1e-10",
        tolerance_source="exact arithmetic: both are floating-point evaluations of the same sums",
    )


def _check_meanfield(out_dir) -> Check:
    template = _sign_template(1.0)
    widths = [64, 128, 256, 512, 1024]
    result = run_wide(template, widths, rmax=4)
    xi_mf = result["mean_field"]["overlap_xi"]
    xi = np.array(result["overlap_xi"], dtype=float)
    n_dev = np.array(widths) * (xi - xi_mf)
    one_over_n = abs(n_dev[-1] / n_dev[-2] - 1) < 0.05 and abs(xi[-1] - xi_mf) < 2e-3
    crossover = crossover_widths(_sign_template(1.0), (0.5, 0.75, 1.0, 1.25), [2**k for k in range(10)])
    figures = ()
    if out_dir is not None:
        from ..results import save_figure
        from .plots import mean_field_map, xi_vs_width

        full = run_wide(template, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], rmax=4)
        figures = (str(save_figure(xi_vs_width(full), Path(out_dir) / "wide_xi_vs_width.png")),
                   str(save_figure(mean_field_map(full), Path(out_dir) / "wide_mean_field_map.png")))
    def n_eps(r):
        return "n/a" if r["n_star_times_epsilon"] is None else f"{r['n_star_times_epsilon']:.2g}"

    table = "; ".join(f"beta_v={r['beta_v']}: eps={r['epsilon']:.3g}, N*={r['n_star']}, N* eps={n_eps(r)}, "
                      f"max xi below N*={r['xi_max_below_n_star']:.3g}" for r in crossover)
    return Check(
        id="wide-meanfield",
        claim="As N grows, the exact overlap decay length of the DNA bulk approaches the infinite-width "
              "(central-limit) map's depth scale xi_MF = -1/ln f'(q*), with a 1/N correction.",
        paper="not in the papers: the infinite-width limit of the DNA bulk (Lee, Lee & Yi, eqs 13-16) derived here",
        computed=f"sign +-1, no bias, L=2, beta_v=1: xi_MF = {xi_mf:.6f}; exact xi(N) at N={widths}: "
                 f"{', '.join(f'{v:.6f}' for v in xi)}; N (xi_N - xi_MF) = {', '.join(f'{v:.3f}' for v in n_dev)}",
        verdict=verdict(bool(one_over_n)),
        detail=f"1/N law: N (xi_N - xi_MF) settles to a constant. Crossover (first width from which |xi_N/xi_MF - 1| "
               f"< {CROSSOVER_TOL}): {table}. Small widths sit near the absorbing 'rows equal/opposite' states, "
               "whose escape rate per layer is about 2 N eps, so mean field needs N eps of order one "
               "(N* eps = 0.2-0.8 measured here).",
        source="dna",
        could_fail_if="N |xi_N - xi_MF| kept growing (no 1/N approach) or xi(1024) missed xi_MF by more than 2e-3",
        tolerance_source="the 1/N law itself: successive N (xi_N - xi_MF) within 5%; 2e-3 is ~3x the measured "
                         "1/N term at N = 1024",
        figures=figures,
    )


def _check_critical() -> Check:
    beta_vs = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    rows = []
    for name, template in (("sign +-1", _sign_template), ("toy heaviside {0,1}", None)):
        for beta_v in beta_vs:
            spec = template(beta_v) if template else NetworkSpec(width=1, x=[[1.0], [1.0]], y=[[1.0], [1.0]],
                                                                 beta_v=beta_v)
            mf = solve_mean_field(spec)
            slopes = [abs(p.slope) for p in mf.overlap_fixed_points if p.stable]
            rows.append((name, beta_v, mf.overlap_xi, max(slopes), mf.magnetization_xi))
    finite = all(r[2] is not None and math.isfinite(r[2]) and r[3] < 1 for r in rows)
    inf_sign = solve_mean_field(_sign_template(math.inf))
    exact_xi_T = {bv: bulk_observables(layer_spec(_sign_template(bv), 16), 4)["xi"] for bv in (2.0, 4.0, math.inf)}
    worst = max(rows, key=lambda r: r[2])
    return Check(
        id="wide-critical",
        claim="No critical point at finite couplings: the finite-N theorem (no divergent xi at finite beta_v) "
              "survives the infinite-width limit.",
        paper="the bulk correlation length is finite at finite couplings for finite networks (the fixed-point "
              "catalog of the DNA RG, Lee, Lee & Yi eq 27 and its generalization)",
        computed=f"largest xi_MF over beta_v in {beta_vs}: {worst[2]:.4f} ({worst[0]}, beta_v={worst[1]}, stable "
                 f"slope {worst[3]:.4f} < 1); magnetization xi_MF = 0 throughout",
        verdict=verdict(finite),
        detail=f"Answer: no. At N = infinity the overlap map has a stable fixed point with |slope| < 1 for every "
               f"finite beta_v; xi_MF grows monotonically with beta_v to {inf_sign.overlap_xi:.4f} = "
               "-1/ln(2/pi) for sign units (the arc-sine kernel's slope at q = 0), still finite. Only beta_v = inf "
               "is special, and only at finite N: there 'rows equal' is absorbing and 'rows opposite' nearly so "
               "(sign(0) = 1 breaks it when the pre-activation vanishes), so exact xi of T at N=16 grows as eps -> 0 ("
               + ", ".join(f"beta_v={bv}: {'inf' if not math.isfinite(x) else f'{x:.4g}'}"
                           for bv, x in exact_xi_T.items())
               + "), while in the limit 'rows equal' is an "
               "unstable fixed point with infinite slope, so the limits N -> inf and beta_v -> inf do not commute. "
               + "; ".join(f"{r[0]} beta_v={r[1]}: xi_MF={r[2]:.4f}" for r in rows),
        source="dna",
        could_fail_if="a stable overlap fixed point reached |slope| = 1 at some finite beta_v (xi_MF diverging)",
        tolerance_source="strict inequality |slope| < 1 from the derived map (quadrature to ~1e-15)",
    )


def report_checks(out_dir=None, progress=None) -> list[Check]:
    """wide-exact, wide-meanfield and wide-critical."""
    checks = []
    for make in (_check_exact, lambda: _check_meanfield(out_dir), _check_critical):
        checks.append(make())
        if progress is not None:
            progress(1)
    return checks
