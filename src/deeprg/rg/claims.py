"""Checks of every printed claim of seed 003, Secs IV-V, for ``deeprg reproduce``.

Each check compares what deeprg derives or computes (SymPy from the definitions, the numerical RG, the exact
engine) with the printed formula from :mod:`deeprg.rg.paper_claims`. Verdicts are decided only by those
comparisons: ``agrees`` / ``disagrees`` from numbers and simplified expressions, ``not-checkable`` where the paper
prints nothing to compare with.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import sympy as sp

from . import couplings as cp
from . import paper_claims as paper
from . import scaling as sc
from . import symbolic as sym
from .decimation import model_matrices, renormalized, transfer
from .fixed_points import find_fixed_points
from .flows import coupling_flow, fictitious_examples, plane_examples
from .linearize import spectrum
from .renormalized import constraint_rule

U_POINTS = (1.5, math.e, 10.0)  # u = e^{beta_v} at which expressions are also compared numerically
COUPLING_POINTS = ((0.3, -0.7, 1.1), (2.0, -1.0, -1.0), (-0.4, 0.25, 0.9), (1.0 + 0.5j, -0.2, 0.3 - 1.0j))
SYMBOLIC_TOL = 1e-12
F_NEURON = np.array([0.0, 1.0])  # the observable h of the toy's two states
# Lines through the fictitious point in (A, B, C): the paper's (B = B*, C = C*) and one where G_h is not zero.
PAPER_LINE = np.array([1.0, 0.0, 0.0])
AMPLITUDE_LINE = np.array([1.0, 0.0, 1.0])


def _check(id_, claim, printed, computed, verdict_ok, detail, figures=None) -> dict:
    verdict = "not-checkable" if verdict_ok is None else "agrees" if verdict_ok else "disagrees"
    out = {"id": id_, "claim": claim, "paper": printed, "computed": computed, "verdict": verdict, "detail": detail}
    if figures:
        out["figures"] = [str(f) for f in figures]
    return out


def _is_zero(expr) -> bool:
    return sp.simplify(sp.expand_log(sp.logcombine(expr, force=True), force=True)) == 0


def _numbers(expr, symbol, points) -> list:
    return [complex(sp.N(expr.subs(symbol, p))) for p in points]


def _fmt(z) -> str:
    z = complex(z)
    return f"{z.real:.10g}" if abs(z.imag) < 1e-14 else f"{z.real:.6g}{z.imag:+.6g}j"


def _context():
    K, _ = model_matrices(sym.toy_spec())
    point = tuple(complex(v) for v in paper.EQ30_POINT)
    J = cp.jacobian(point, K)
    lin = spectrum(J)
    return {"K": K, "point": np.array(point), "J": J, "lin": lin, "y": sc.axis_exponents(J)}


def check_eq22() -> dict:
    derived, printed = sym.z_m(), paper.eq22()
    d_table, p_table = sym.table(derived), sym.table(printed)
    equal = all(sp.simplify(p_table[k] - d_table[k]) == 0 for k in d_table)
    log_ratio = sym.multilinear({k: sp.expand_log(sp.log(sp.simplify(p_table[k] / d_table[k])), force=True)
                                 for k in d_table})
    log_sum = (log_ratio["A"] * sym.h * sym.sigma + log_ratio["B"] * sym.h + log_ratio["C"] * sym.sigma
               + log_ratio["D"])
    power = sp.simplify(log_sum / sp.log(sym.u))
    ratio = sym.u ** power if not power.has(sym.u) else sp.simplify(sp.exp(log_sum))
    rows = "\n".join(
        f"  (h, sigma) = {k}: derived {sp.factor(d_table[k])}, printed {sp.factor(p_table[k])}, "
        f"ratio {sp.simplify(p_table[k] / d_table[k])}; at u = {U_POINTS}: derived "
        f"{[_fmt(v) for v in _numbers(d_table[k], sym.u, U_POINTS)]}, printed "
        f"{[_fmt(v) for v in _numbers(p_table[k], sym.u, U_POINTS)]}" for k in d_table)
    return _check(
        "eq22", "Z_m, the sum of exp(-beta H_{m-1} - beta H_m) over W^(m), b^(m), h^(m) (eq 21), in closed form",
        str(printed), f"Z_m(h, sigma) on (h, sigma) = 00, 01, 10, 11: "
        + ", ".join(str(sp.expand(d_table[k])) for k in d_table) + f"; printed/derived = {ratio}",
        equal,
        "Derived by SymPy from eq 21 with K from enumerating W, b in {-1, 1} (Heaviside, eq 17): "
        "Z_m = sum_{W,b,h^(m)} u^{-(h^(m) - sigma)^2} u^{-(h - H(W h^(m) + b))^2}, u = e^{beta_v} (eq 23). "
        "Eq 21 prints H_{m+1} + H_m; only H_{m-1} + H_m contain h^(m) and the sigma of eq 23, so that reading "
        "is used.\n" + rows + f"\nThe printed Z_m equals the derived one times {ratio} (not a constant), i.e. "
        "the printed exponents 2h, 2sigma should be h, sigma (the -h^2, -sigma^2 of the squares are missing).")


def check_eq25() -> dict:
    derived = sym.renormalized_hamiltonian()["coefficients"]
    printed = paper.eq25_coefficients()
    diffs = {k: sp.simplify(sp.expand_log(sp.logcombine(printed[k] - derived[k], force=True), force=True))
             for k in "ABC"}
    four = sym.multilinear(sym.table(paper.eq25_four_terms()))
    consistent = all(_is_zero(four[k] - printed[k]) for k in "ABC")
    rows = "\n".join(
        f"  {k}: derived {derived[k]}; printed {printed[k]}; printed - derived = {diffs[k]}; at u = {U_POINTS}: "
        f"derived {[_fmt(v) for v in _numbers(derived[k], sym.u, U_POINTS)]}, printed "
        f"{[_fmt(v) for v in _numbers(printed[k], sym.u, U_POINTS)]}" for k in "ABC")
    return _check(
        "eq25", "-beta H'_m = ln Z_m written as A h sigma + B h + C sigma + constant",
        f"A = {printed['A']}, B = {printed['B']}, C = {printed['C']}",
        f"A = {derived['A']}, B = {derived['B']}, C = {derived['C']}",
        all(v == 0 for v in diffs.values()),
        "Derived: the multilinear coefficients of ln Z_m(h, sigma) over h, sigma in {0, 1} (Z_m from eq 21, "
        "see eq22).\n" + rows + "\nThe two printed forms of eq 25 are " + ("" if consistent else "NOT ")
        + "consistent with each other (the four-term line gives the same A, B, C as the second form); both "
        "inherit eq 22's extra factor u^(h + sigma): A agrees, B and C are each larger by ln u = beta_v.")


def check_eq27() -> dict:
    derived = sym.recursion()
    A, B, C = paper.A, paper.B, paper.C
    to_exp = {A: sp.log(sym.a), B: sp.log(sym.b), C: sp.log(sym.c)}
    printed_exp = [sp.simplify(sp.exp(p.subs(to_exp))) for p in paper.eq27()]
    symbolic_equal = all(sp.cancel(sp.together(p - d)) == 0 for p, d in zip(printed_exp, derived))
    K, _ = model_matrices(sym.toy_spec())
    worst, rows = 0.0, []
    for point in COUPLING_POINTS:
        numeric = cp.step(np.exp(np.array(point, dtype=complex)), K)
        printed_values = np.exp([complex(sp.N(p.subs({A: point[0], B: point[1], C: point[2]})))
                                 for p in paper.eq27()])
        gap = float(np.abs(numeric - printed_values).max() / np.abs(numeric).max())
        worst = max(worst, gap)
        rows.append(f"  (A, B, C) = {point}: map E K^T E -> {[_fmt(z) for z in numeric]}, printed eq 27 -> "
                    f"{[_fmt(z) for z in printed_values]}")
    return _check(
        "eq27", "The recursion (A, B, C) -> (A', B', C') of the couplings of eq 26 under decimation",
        "A' = ln[...], B' = B + ln[...], C' = C + ln[...] (eq 27)",
        f"e^A' = {derived[0]}; e^B' = {derived[1]}; e^C' = {derived[2]} (a, b, c = e^A, e^B, e^C); "
        f"max relative gap to the printed map at {len(COUPLING_POINTS)} points: {worst:.2g}",
        symbolic_equal and worst < SYMBOLIC_TOL,
        "Derived by SymPy from E' = E K^T E with E = [[1, c], [b, abc]] (eq 26, rows h^(m+1), columns "
        "sigma^(m)) and K = [[2, 2], [1, 3]] enumerated; the printed eq 27 (exponentiated, a = e^A) simplifies "
        f"to the derived rational functions: {symbolic_equal}. Numerically (numpy map with K from the exact "
        "engine):\n" + "\n".join(rows))


def _symbolic_fixed_points():
    solutions = sym.fixed_points()
    plane = [s for s in solutions if s["a"] == 1 and s["b"] == sym.b and s["c"] == sym.c]
    isolated = [s for s in solutions if all(v.is_number for v in s.values())]
    return solutions, plane, isolated


def check_eq29(ctx, search) -> dict:
    solutions, plane, isolated = _symbolic_fixed_points()
    images = [sp.simplify(r.subs(sym.a, 1)) for r in sym.recursion()]
    plane_fixed = sp.simplify(images[0] - 1) == 0 and images[1] == sym.b and images[2] == sym.c
    positive_isolated = [s for s in isolated if all(v.is_positive for v in s.values())]
    physical = [fp for fp in search.fixed_points if fp.physical]
    off_plane = [fp for fp in physical if abs(fp.exp_couplings[0] - 1) > 1e-8]
    plane_eigs = sym.eigenvalues_at({"a": 1, "b": sym.b, "c": sym.c})
    singular = sp.factor(sp.fraction(sp.together(sym.recursion()[1]))[1].subs(sym.a, 1))
    ok = bool(plane and plane_fixed and not positive_isolated and not off_plane)
    return _check(
        "eq29", "Fixed points: e^A* = 1 for arbitrary e^B*, e^C*; for real couplings no other fixed points",
        f"e^A* = {paper.EQ29_PLANE_EXP_A} (any e^B*, e^C*); no other real fixed point",
        f"solutions of (a', b', c') = (a, b, c): {solutions}; real-positive isolated solutions: "
        f"{positive_isolated}; numeric: {len(physical)} physical fixed points found, {len(off_plane)} off the plane",
        ok,
        f"SymPy solve of the derived recursion (eq 28, a, b, c != 0): {solutions}. On a = 1 the map is the "
        f"identity (a', b', c') = {tuple(images)}, except where its denominator {singular} vanishes. Jacobian "
        f"eigenvalues on the plane {{eigenvalue: multiplicity}} = {plane_eigs}: e^A is superstable "
        "(eigenvalue 0, y = -inf), e^B and e^C marginal (1). Newton on E -> E K^T E from "
        f"{search.starts} random real starts: {search.converged} converged ({len(search.fixed_points)} distinct), "
        f"failures {search.failures}; every physical one has |e^A - 1| < 1e-8: {not off_plane}.")


def check_eq30(ctx, search) -> dict:
    _, _, isolated = _symbolic_fixed_points()
    printed = tuple(paper.EQ30_POINT)
    derived = [tuple(s[k] for k in "abc") for s in isolated]
    numeric = [fp for fp in search.fixed_points if fp.rank == 2]
    numeric_gap = min((float(np.abs(fp.exp_couplings - np.array(printed, dtype=float)).max()) for fp in numeric),
                      default=math.inf)
    logs = cp.log_couplings(np.array(printed, dtype=complex))
    imaginary = bool(np.any(np.abs(logs.imag) > 0))
    return _check(
        "eq30", "With negative weights allowed there is exactly one more fixed point, (3, -2/3, -1/3); it needs "
                "imaginary couplings",
        f"(e^A*, e^B*, e^C*) = {printed}",
        f"isolated solutions {derived}; Newton (rank-2 E) {[ [_fmt(z) for z in fp.exp_couplings] for fp in numeric]}"
        f"; (A*, B*, C*) = {[_fmt(z) for z in logs]} (principal log)",
        derived == [printed] and numeric_gap < 1e-8 and imaginary,
        f"Exact solve: the only fixed point off the plane a = 1 is {derived}. Numeric Newton search found it "
        f"(max coordinate gap {numeric_gap:.2g}, rank(E) = 2: T = K E^T is proportional to the identity, "
        "xi = infinity) and it is not physical (negative weights). With the principal branch, B* = ln(2/3) + i pi, "
        "C* = ln(1/3) + i pi.")


def check_eq34(ctx) -> dict:
    point = dict(zip("abc", paper.EQ30_POINT))
    derived = sym.jacobian_at(point)
    equal = derived == paper.EQ34_MATRIX
    lin = ctx["lin"]
    numeric_gap = float(np.abs(ctx["J"] - np.array(paper.EQ34_MATRIX, dtype=float)).max())
    exponents_gap = max(abs(ctx["y"][k] - paper.EQ34_EXPONENTS[k]) for k in "ABC")
    return _check(
        "eq34", "Linearized RG at the fictitious point: d(e^A', e^B', e^C')/d(e^A, e^B, e^C) = 2 I, y_A = y_B = "
                "y_C = 1",
        f"{paper.EQ34_MATRIX.tolist()}, y = {paper.EQ34_EXPONENTS}",
        f"SymPy Jacobian {derived.tolist()}; numeric eigenvalues {[_fmt(z) for z in lin.eigenvalues]}, "
        f"exponents y_A, y_B, y_C = {[round(ctx['y'][k], 12) for k in 'ABC']}",
        bool(equal) and numeric_gap < 1e-9 and exponents_gap < 1e-9,
        "Exact Jacobian of the derived recursion at (3, -2/3, -1/3); the numeric Jacobian (chain rule through "
        f"E K^T E) differs from the printed matrix by {numeric_gap:.2g}; classes {lin.classes}. In general at a "
        "fixed point with T = lambda P (P idempotent of rank r) the map has eigenvalues 2 (r^2 - 1 times), 1 "
        "(2 r (S - r)) and 0 ((S - r)^2): here r = S = 2.")


def _physical_points():
    return {bv: np.exp(cp.toy_bulk_couplings(bv)).astype(complex) for bv in (0.5, 1.0, 3.0)}


def _decay_length(G: np.ndarray) -> float:
    """1/slope of ln|G(r)| over the r where |G| is well above round-off."""
    r = np.arange(len(G))
    keep = (np.abs(G) > 1e-9 * np.abs(G[0])) & (r >= 1)
    slope = np.polyfit(r[keep], np.log(np.abs(G[keep])), 1)[0]
    return -1 / slope


def check_eq36(ctx) -> dict:
    K, states = ctx["K"], np.array([[[0.0]], [[1.0]]])
    rows, worst = [], 0.0
    for bv, z in _physical_points().items():
        bulk = sc.exact_bulk(cp.matrix(z).real, K, states, rmax=40)
        fit = _decay_length(bulk.G)
        worst = max(worst, abs(fit / bulk.xi - 1))
        rows.append(f"  toy beta_v = {bv} (exact engine): xi from eigenvalues {bulk.xi:.10g}, from the decay of G "
                    f"{fit:.10g}")
    for delta in (1e-2, 1e-3):
        z = sc.line_points(ctx["point"], AMPLITUDE_LINE, [delta])[0]
        T = transfer(cp.matrix(z), K)
        x = sc.xi(T)
        G = sc.algebraic_correlation(T, F_NEURON, np.arange(0, int(6 * x))).real
        fit = _decay_length(G)
        worst = max(worst, abs(fit / x - 1))
        rows.append(f"  near the fictitious point, A - A* = C - C* = {delta} (algebraic): xi {x:.10g}, "
                    f"decay of G {fit:.10g}")
    return _check(
        "eq36", "G_h(m - n) ∝ exp(-|m - n| / xi) for large |m - n|", "G_h ∝ exp(-|m-n|/xi)",
        f"max relative gap between xi from the spectrum of T and from the decay of G: {worst:.2g}",
        worst < 1e-6, "xi = 1/ln(|lambda_1|/|lambda_2|) of T = K E^T; G fitted as ln|G(r)| linear in r.\n"
        + "\n".join(rows))


def check_eq37(ctx) -> dict:
    K, y_B = ctx["K"], ctx["y"]["B"]
    predicted = paper.eq37_factor(y_B)
    r = np.arange(1, 51)
    rows, ratios = [], []
    for delta in (1e-2, 1e-3, -1e-3):
        z = sc.line_points(ctx["point"], AMPLITUDE_LINE, [delta])[0]
        ratio = sc.correlation_step_ratio(K, z, F_NEURON, r)
        ratios.append(ratio)
        rows.append(f"  A - A* = C - C* = {delta}: G'(r)/G(2r) for r = 1..50 in [{ratio.real.min():.12g}, "
                    f"{ratio.real.max():.12g}]")
    ratios = np.concatenate(ratios)
    gap = float(np.abs(ratios - predicted).max())
    physical = sc.exact_bulk(cp.matrix(_physical_points()[1.0]).real, K, np.array([[[0.0]], [[1.0]]]), rmax=8)
    renorm = sc.exact_bulk(cp.matrix(cp.step(_physical_points()[1.0], K)).real, K, np.array([[[0.0]], [[1.0]]]),
                           rmax=4)
    return _check(
        "eq37", "G_h((m-n)/p, A' - A*) = p^(2d - 2 y_B) G_h(m-n, A - A*) near the critical point",
        f"factor p^(2d - 2 y_B) = {predicted:.12g} with p = {paper.P_RG}, d = {paper.DIMENSION}, y_B = {y_B:.12g}",
        f"G'(r)/G(2r) near the fictitious point: max |ratio - factor| = {gap:.2g}",
        gap < 1e-6,
        "G' is computed from T(R(K)) built from the renormalized couplings of one RG step, G from T(K) (algebraic "
        "spectral formula; T is not positive there). Decimation leaves the kept neurons untouched, so G'(r) = "
        "G(2r) for any couplings: the printed factor must be 1, which p^(2d-2y_B) is exactly when y_B = d = 1, as "
        "computed here.\n" + "\n".join(rows) + "\n  physical toy beta_v = 1 (exact engine): G'(1..4)/G(2..8) = "
        + ", ".join(f"{v:.12g}" for v in renorm.G[1:5] / physical.G[2:9:2])
        + " (the factor 1 holds everywhere; on the fixed plane y_B = 0 would give p^2 = 4, but there G(r >= 1) = 0)")


def check_eq38(ctx) -> dict:
    K, y_A = ctx["K"], ctx["y"]["A"]
    predicted = paper.eq38_collapse_exponent(y_A)
    deltas = np.array([1e-4, 2e-4, 4e-4, 8e-4, 1.6e-3])
    x = np.logspace(-2, 0.5, 12)
    kappa, spread = sc.collapse(K, ctx["point"], AMPLITUDE_LINE, F_NEURON, deltas, x, predicted)
    on_paper_line = max(float(np.abs(sc.algebraic_correlation(
        transfer(cp.matrix(z), K), F_NEURON, [0, 1, 10, 1000])).max())
        for z in sc.line_points(ctx["point"], PAPER_LINE, [1e-3, -1e-3]))
    return _check(
        "eq38", "G_h(m-n, A-A*) ∝ Psi((m-n)|A-A*|^(1/y_A)) (scaling form)",
        f"separations scale as |A - A*|^(-1/y_A), 1/y_A = {predicted:.12g}",
        f"decay scale r_e ~ |delta|^-kappa with kappa = {kappa:.8f}; collapse of G/G(0) against r |delta|^(1/y_A): "
        f"max spread {spread:.2g}",
        abs(kappa - predicted) < 0.01 * abs(predicted) and spread < 1e-2,
        f"On the line A - A* = C - C* = delta (B = B*), delta = {deltas.tolist()}: r_e(delta) is where |G(r)| has "
        "fallen to G(0)/e (algebraic G, continuous r), fitted against |delta|; the spread is the largest difference "
        f"across delta of G(x |delta|^(-1/y_A))/G(0) for x in [0.01, 3.2]. On the paper's own line (B = B*, C = C*) "
        f"the algebraic G_h vanishes identically (max |G| = {on_paper_line:.2g}): there the dominant left "
        "eigenvector of T sits on one state, so eq 38 holds trivially, and the line with a non-zero amplitude is "
        "used.")


def check_eq39(ctx) -> tuple[dict, list]:
    K, y_A = ctx["K"], ctx["y"]["A"]
    predicted = paper.eq39_nu(y_A)
    magnitudes = np.logspace(-6, -3, 13)
    deltas = np.concatenate([-magnitudes[::-1], magnitudes])
    scans = [sc.scan_line(K, ctx["point"], d, deltas, name) for name, d in (
        ("A (B = B*, C = C*)", PAPER_LINE), ("B", np.array([0.0, 1.0, 0.0])), ("C", np.array([0.0, 0.0, 1.0])),
        ("A = C", AMPLITUDE_LINE))]
    nu = scans[0].nu
    ratios = sc.xi_step_ratio(K, sc.line_points(ctx["point"], AMPLITUDE_LINE, [1e-3, -1e-2]))
    return _check(
        "eq39", "xi ∝ |A - A*|^(-1/y_A)", f"nu = 1/y_A = {predicted:.12g}",
        f"nu fitted along A: {nu:.8f} ± {scans[0].nu_stderr:.1g}; relative gap {abs(nu / predicted - 1):.2g}",
        abs(nu / predicted - 1) < 0.01,
        "xi from the spectrum of T = K E^T (algebraic: T has negative entries near the fictitious point) at "
        f"|A - A*| = 1e-6..1e-3, both signs; fitted ln xi = -nu ln|delta| + c. Other lines: "
        + ", ".join(f"{s.name}: nu = {s.nu:.8f}" for s in scans[1:])
        + f". One RG step: xi'/xi = {', '.join(f'{v:.12g}' for v in ratios)} (1/p = 0.5).", ), scans


def check_eq40(ctx) -> dict:
    K, y_B = ctx["K"], ctx["y"]["B"]
    predicted = paper.eq40_exponent(y_B)
    r = np.logspace(0, 3, 16)
    z = sc.line_points(ctx["point"], AMPLITUDE_LINE, [1e-6])[0]
    T = transfer(cp.matrix(z), K)
    G = sc.algebraic_correlation(T, F_NEURON, r).real
    slope = float(np.polyfit(np.log(r), np.log(np.abs(G)), 1)[0])
    return _check(
        "eq40", "G_h(m - n) ∝ |m - n|^(-2d + 2 y_B) near the critical point",
        f"exponent -2d + 2 y_B = {predicted:.12g}", f"fitted exponent {slope:.3g} for r = 1..1000 at xi = "
        f"{sc.xi(T):.4g}", abs(slope - predicted) < 0.01,
        "ln|G(r)| fitted against ln r for 1 <= r <= 1000 << xi on the line A - A* = C - C* = 1e-6 (algebraic G). "
        "At the fixed point T is proportional to I, so G does not decay at all: exponent 0 = -2d + 2 y_B with "
        "y_B = 1.")


def check_fig4(ctx, search, out_dir) -> dict:
    K = ctx["K"]
    rng = np.random.default_rng(4)
    starts = np.exp(rng.uniform(-2, 2, size=(200, 3)))
    steps = 12
    flows = [coupling_flow(s, K, steps).exp_couplings for s in starts]
    gaps = np.array([abs(f[-1, 0] - 1) for f in flows])
    first = [int(np.argmax(np.abs(f[:, 0] - 1) < 1e-10)) for f in flows]
    stable = all(fp.stable for fp in search.fixed_points if fp.physical)
    figures = []
    if out_dir is not None:
        from ..results import save_figure
        from .plots import plane_flows

        figures.append(save_figure(plane_flows(plane_examples(K)), Path(out_dir) / "fig4_plane_flows.png"))
    return _check(
        "fig4", "RG flows converge to the plane of fixed points e^A* = 1 (no phase transition)",
        "flows converge to e^A = 1", f"200 random positive starts (e^A, e^B, e^C in [e^-2, e^2]): max |e^A - 1| "
        f"after {steps} steps = {gaps.max():.2g}; steps to |e^A - 1| < 1e-10: max {max(first)}",
        bool(gaps.max() < 1e-10) and stable,
        "For positive weights T = K E^T has a unique Perron eigenvalue, so T^(2^n) tends to a rank-1 matrix "
        "(e^A = 1) super-exponentially (the plane's eigenvalue along e^A is 0). All physical fixed points found "
        f"by Newton are stable (no relevant direction): {stable}.", figures)


def check_fig5(ctx, out_dir) -> dict:
    K, point = ctx["K"], ctx["point"]
    radius, steps = 0.01, 5
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    starts = [point + radius * np.array([np.cos(t), np.sin(t), 0]) for t in angles]
    flows = [coupling_flow(s, K, steps).exp_couplings for s in starts]
    distances = np.array([[float(np.linalg.norm(z[:2] - point[:2])) for z in f] for f in flows])
    growth = distances[:, 1:] / distances[:, :-1]
    c_drift = max(float(np.abs(f[:, 2] - point[2]).max()) for f in flows)
    diverging = bool(np.all(growth > 1))
    figures = []
    if out_dir is not None:
        from ..results import save_figure
        from .plots import fictitious_flows

        figures.append(save_figure(fictitious_flows(fictitious_examples(K), point),
                                   Path(out_dir) / "fig5_fictitious_flows.png"))
    return _check(
        "fig5", "RG flows diverge from the fictitious fixed point (3, -2/3, -1/3); e^C = -1/3 held fixed",
        "flows diverge", f"12 starts at distance {radius} in the (e^A, e^B) plane: distance grows at every step by "
        f"factors {growth.min():.4g}..{growth.max():.4g} over {steps} steps; |e^C + 1/3| stays <= {c_drift:.2g}",
        diverging,
        "The plane e^C = -1/3 is invariant under the exact map (c' = c there), so holding e^C fixed loses nothing; "
        "the growth factor per step tends to the eigenvalue 2 of eq 34 near the point.", figures)


def check_eq31() -> dict:
    rows, ok = [], True
    for bv in (0.5, 1.0, 5.0):
        rule = constraint_rule(cp.matrix(np.exp(cp.toy_bulk_couplings(bv))).real)
        ok &= set(rule.minimal_pairs) == {(0, 0), (1, 1)} and rule.rule == ((0,), (1,))
        rows.append(f"  beta_v = {bv}: H_m = 0 on {rule.minimal_pairs}, rule sigma -> h: {rule.rule}")
    return _check("eq31", "H_m = 0 is the network rule h^(m+1) = sigma(W^(m) h^(m) + b^(m)) (eq 1)",
                  "H_m = 0 <=> h^(m+1) = sigma^(m)", "zero set of H_m = {(h, sigma): h = sigma} at every beta_v",
                  ok, "\n".join(rows))


def check_eq32(ctx) -> dict:
    K, rows = ctx["K"], []
    for bv in (0.5, 1.0, 2.0, 5.0, math.inf):
        E = np.eye(2) if math.isinf(bv) else cp.matrix(np.exp(cp.toy_bulk_couplings(bv))).real
        rule = constraint_rule(renormalized(E, K))
        rows.append(f"  beta_v = {bv}: H'_m = 0 on (h, sigma) = {rule.minimal_pairs}; for each sigma the h "
                    f"minimizing H'_m: {rule.rule} ({'deterministic' if rule.deterministic else 'not a function'})"
                    f"; H' - min H' = {np.round(rule.energies, 4).tolist()}")
    return _check(
        "eq32", "H'_m = 0 gives new constraints between h^(m+1) and sigma^(m-1) of the renormalized network",
        "no explicit renormalized constraint is printed", "see detail (minimal pairs and implied rule per beta_v)",
        None, "Renormalized factor E' = E K^T E of the toy; H'_m = -ln E' + const with min H'_m = 0.\n"
        + "\n".join(rows) + "\nThe renormalized constraint is not a deterministic rule: at beta_v = inf it is "
        "E' = K^T, the multiplicity of two composed layers.")


def report_checks(out_dir=None) -> list[dict]:
    """One check per printed claim of Secs IV-V (ids eq22 ... fig5, plus eq31, eq32); figures into out_dir."""
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    ctx = _context()
    search = find_fixed_points(ctx["K"], starts=64, rng=np.random.default_rng(29))
    eq39, scans = check_eq39(ctx)
    if out_dir is not None:
        from ..results import save_figure
        from .plots import xi_scaling

        eq39["figures"] = [str(save_figure(xi_scaling([s.to_dict() for s in scans]),
                                           Path(out_dir) / "xi_scaling.png"))]
    return [check_eq22(), check_eq25(), check_eq27(), check_eq29(ctx, search), check_eq30(ctx, search),
            check_eq31(), check_eq32(ctx), check_eq34(ctx), check_eq36(ctx), check_eq37(ctx), check_eq38(ctx),
            eq39, check_eq40(ctx), check_fig4(ctx, search, out_dir), check_fig5(ctx, out_dir)]
