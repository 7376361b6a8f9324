"""Report checks of Lee, Lee & Yi, Secs IV-V (eqs 22-40, Figs 4-6) and footnote 12, for ``deeprg reproduce``.

Each check compares what deeprg derives or computes (SymPy from the definitions, the numerical RG, the exact
engine, exact samples) with the printed formula from :mod:`deeprg.rg.paper_claims`. Verdicts come only from those
comparisons (:func:`deeprg.report.check.verdict`): identities that hold for any model are marked
``holds-by-construction``, ``not-checkable`` where the paper prints nothing to compare with.
"""


from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import sympy as sp

from ..exact.transfer import correlation_length
from ..report.check import Check, verdict
from . import couplings as cp
from . import paper_claims as paper
from . import scaling as sc
from . import symbolic as sym
from .constraints import constraint_rule
from .decimation import model_matrices, renormalized_factor, transfer
from .fixed_points import find_fixed_points
from .flows import coupling_flow, fictitious_examples, plane_examples
from .linearize import spectrum

U_POINTS = (1.5, math.e, 10.0)  # u = e^{beta_v} at which expressions are also compared numerically
COUPLING_POINTS = ((0.3, -0.7, 1.1), (2.0, -1.0, -1.0), (-0.4, 0.25, 0.9), (1.0 + 0.5j, -0.2, 0.3 - 1.0j))
SYMBOLIC_TOL = 1e-12
F_NEURON = np.array([0.0, 1.0])  # the observable h of the toy's two states
# Lines through the fictitious point in (A, B, C): the paper's (B = B*, C = C*) and one where G_h is not zero.
PAPER_LINE = np.array([1.0, 0.0, 0.0])
AMPLITUDE_LINE = np.array([1.0, 0.0, 1.0])
FIG4_SEED = 4


EXACT = "exact: SymPy simplification to zero; numbers compared to double-precision round-off"


def _check(id_, claim, printed, computed, holds, detail, *, could_fail_if="", tolerance_source=EXACT,
           by_construction=False, figures=(), seeds=()) -> Check:
    return Check(id_, claim, printed, computed, verdict(holds, by_construction=by_construction), detail, "dna",
                 could_fail_if, tolerance_source, tuple(str(f) for f in figures), tuple(seeds))


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


def check_eq22() -> Check:
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
        "the printed exponents 2h, 2sigma should be h, sigma (the -h^2, -sigma^2 of the squares are missing).",
        could_fail_if="the printed Z_m differs from the Z_m derived from eq 21 at any (h, sigma)")


def check_eq25() -> Check:
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
        "inherit eq 22's extra factor u^(h + sigma): A agrees, B and C are each larger by ln u = beta_v.",
        could_fail_if="a printed coefficient A, B or C differs from the one derived from ln Z_m")


def check_eq27() -> Check:
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
        "engine):\n" + "\n".join(rows),
        could_fail_if="the printed recursion differs from the derived map E K^T E at any coupling",
        tolerance_source=EXACT + f" (numerically: relative gap < {SYMBOLIC_TOL:g})")


def _symbolic_fixed_points():
    solutions = sym.fixed_points()
    plane = [s for s in solutions if s["a"] == 1 and s["b"] == sym.b and s["c"] == sym.c]
    isolated = [s for s in solutions if all(v.is_number for v in s.values())]
    return solutions, plane, isolated


def check_eq29(ctx, search) -> Check:
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
        f"failures {search.failures}; every physical one has |e^A - 1| < 1e-8: {not off_plane}.",
        could_fail_if="the exact solve had a real positive fixed point off e^A = 1, or a physical Newton point "
                      "had |e^A - 1| >= 1e-8",
        tolerance_source=EXACT + "; 1e-8 is Newton's verification tolerance on the map")


def check_eq30(ctx, search) -> Check:
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
        "C* = ln(1/3) + i pi.",
        could_fail_if="the only isolated exact solution differed from the printed point, or it had real logs",
        tolerance_source=EXACT + "; 1e-8 is Newton's verification tolerance on the map")


def check_eq34(ctx) -> Check:
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
        "(2 r (S - r)) and 0 ((S - r)^2): here r = S = 2.",
        could_fail_if="the exact Jacobian at the printed point differed from 2 I, or an exponent from 1")


def _physical_points():
    return {bv: np.exp(cp.toy_bulk_couplings(bv)).astype(complex) for bv in (0.5, 1.0, 3.0)}


def _decay_length(G: np.ndarray) -> float:
    """1/slope of ln|G(r)| over the r where |G| is well above round-off."""
    r = np.arange(len(G))
    keep = (np.abs(G) > 1e-9 * np.abs(G[0])) & (r >= 1)
    slope = np.polyfit(r[keep], np.log(np.abs(G[keep])), 1)[0]
    return -1 / slope


DECAY_TOL = 1e-6  # relative: round-off of ln|G| fitted down to |G| = 1e-9 G(0)
EQ36_BETA_VS = (1.0, 2.0, 4.0)


def decays_with_xi(G: np.ndarray, xi: float, tol: float = DECAY_TOL) -> bool:
    """The rule of eq36: the decay length fitted to ln|G(r)| equals xi of the spectrum (relative ``tol``)."""
    return bool(abs(_decay_length(G) / xi - 1) < tol)


def _four_state_models() -> Check:
    """Models with S = 4 layer states (N = 1, L = 2, the toy's value sets), uniform and tilted weight prior."""
    from ..model import NetworkSpec, ValueSets

    ones = np.ones((2, 1))
    return {prior: NetworkSpec(width=1, depth=2, x=ones, y=ones,
                               values=ValueSets(weights=(-1.0, 1.0), biases=(-1.0, 1.0), neurons=(0.0, 1.0),
                                                weight_prior=weights))
            for prior, weights in (("uniform", None), ("tilted", (1.0, 2.0)))}


def check_eq36() -> Check:
    from ..exact import build, bulk

    rows, worst, ok = [], 0.0, True
    for prior, spec in _four_state_models().items():
        for bv in EQ36_BETA_VS:
            b = bulk(build(spec.replace(beta_v=bv)), rmax=80)
            ok &= decays_with_xi(b.G, b.xi)
            worst = max(worst, abs(_decay_length(b.G) / b.xi - 1))
            rows.append(f"  N = 1, L = 2, {prior} prior, beta_v = {bv}: |lambda| = "
                        f"{np.round(np.abs(b.eigenvalues), 4).tolist()}, xi from eigenvalues {b.xi:.10g}, from the decay "
                        f"of G {_decay_length(b.G):.10g}")
    return _check(
        "eq36", "G_h(m - n) ∝ exp(-|m - n| / xi) for large |m - n|, xi from the spectrum of the transfer matrix",
        "G_h ∝ exp(-|m-n|/xi)",
        f"4-state models (N = 1, L = 2), beta_v = {EQ36_BETA_VS}, two priors: max relative gap between xi from "
        f"the spectrum of T and from the decay of G: {worst:.2g}", ok,
        "xi = 1/ln(|lambda_1|/|lambda_2|) of T = K E^T; G(r) from the exact engine, fitted as ln|G(r)| linear in r "
        "for r >= 1 while |G| > 1e-9 G(0). With four states G(r) is a sum of three exponentials, so it decays "
        "with xi only if lambda_2 carries the observable's amplitude: the check could fail. (On the paper's "
        "two-state toy G(r) = a (lambda_2/lambda_1)^r exactly: the agreement holds by construction there, "
        "check eq36-toy.) For instance the L = 2 sign-activation model has xi = 1.3 from the spectrum but G(r) = "
        "0 for r >= 1 in its first neuron: there eq36 fails.\n" + "\n".join(rows),
        could_fail_if="the observable had no amplitude on lambda_2, or subleading eigenvalues dominated the decay, "
                      "so that the fitted decay length differed from 1/ln(lambda_1/lambda_2)",
        tolerance_source=f"round-off: relative {DECAY_TOL:g} for a fit of ln|G| down to 1e-9 G(0)")


def check_eq36_toy(ctx) -> Check:
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
        x = correlation_length(T)
        G = sc.algebraic_correlation(T, F_NEURON, np.arange(0, int(6 * x))).real
        fit = _decay_length(G)
        worst = max(worst, abs(fit / x - 1))
        rows.append(f"  near the fictitious point, A - A* = C - C* = {delta} (algebraic): xi {x:.10g}, "
                    f"decay of G {fit:.10g}")
    return _check(
        "eq36-toy", "G_h(m - n) ∝ exp(-|m - n| / xi) on the paper's two-state toy", "G_h ∝ exp(-|m-n|/xi)",
        f"max relative gap between xi from the spectrum of T and from the decay of G: {worst:.2g}",
        worst < DECAY_TOL, "A 2 x 2 transfer matrix has one subleading eigenvalue, so G(r) = a (lambda_2/lambda_1)^r "
        "exactly and its decay length is xi by construction (the test that could fail is eq36, on 4-state models)."
        "\n" + "\n".join(rows), by_construction=True,
        tolerance_source=f"round-off: relative {DECAY_TOL:g}")


def check_eq37(ctx) -> Check:
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
        + " (the factor 1 holds everywhere; on the fixed plane y_B = 0 would give p^2 = 4, but there G(r >= 1) = 0)",
        by_construction=True, tolerance_source="exact: G'(r) = G(2r) is an identity of decimation; 1e-6 is the "
                                               "round-off of the algebraic G near the fixed point")


def check_eq38(ctx) -> Check:
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
        "used.",
        could_fail_if="the decay scale did not scale as |A - A*|^(-1/y_A) with y_A from the exact Jacobian, or "
                      "the curves did not collapse",
        tolerance_source="corrections to scaling: O(|delta|) <= 1.6e-3 over the fit window; 1% on the exponent "
                         "and 1e-2 on the collapse leave a margin of several times that")


def check_eq39(ctx) -> tuple[Check, list]:
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
        + f". One RG step: xi'/xi = {', '.join(f'{v:.12g}' for v in ratios)} (1/p = 0.5).",
        could_fail_if="the fitted nu along A differed from 1/y_A (y_A from the exact Jacobian) by more than 1%",
        tolerance_source="corrections to scaling: O(|delta|) <= 1e-3 over the fit window, well inside 1%"), scans


def check_eq40(ctx) -> Check:
    K, y_B = ctx["K"], ctx["y"]["B"]
    predicted = paper.eq40_exponent(y_B)
    z = sc.line_points(ctx["point"], AMPLITUDE_LINE, [1e-6])[0]
    T = transfer(cp.matrix(z), K)
    x = correlation_length(T)
    windows = {"r <= 1000 << xi": np.logspace(0, 3, 16), "xi/10 <= r <= 3 xi": np.geomspace(x / 10, 3 * x, 16)}
    slopes = {name: float(np.polyfit(np.log(r), np.log(np.abs(sc.algebraic_correlation(T, F_NEURON, r).real)),
                                     1)[0]) for name, r in windows.items()}
    small = slopes["r <= 1000 << xi"]
    return _check(
        "eq40", "G_h(m - n) ∝ |m - n|^(-2d + 2 y_B) near the critical point",
        f"exponent -2d + 2 y_B = {predicted:.12g}",
        f"fitted exponent {small:.3g} for r = 1..1000 at xi = {x:.4g}; {slopes['xi/10 <= r <= 3 xi']:.3g} for "
        "xi/10 <= r <= 3 xi",
        abs(small - predicted) < 0.01,
        "ln|G(r)| fitted against ln r on the line A - A* = C - C* = 1e-6 (algebraic G). The exponent is trivial: "
        "d = 1 and, at a fixed point where T is proportional to I, every direction has y = 1 for any model "
        "(the linearized map is 2 I there), so -2d + 2 y_B = 0 always; and for r << xi G is flat for any T near "
        "such a point. So the agreement at r << xi holds by construction. In a window comparable to xi the "
        "decay is exponential (eq 36, slope about -r/xi), not a power law: eq 40 has no content beyond the "
        "trivial exponent 0 in a one-dimensional chain.",
        by_construction=True,
        tolerance_source="0.01 on a slope that is 0 up to r/xi <= 2.5e-3 in the window r <= 1000")


def check_fig4(ctx, search, out_dir) -> Check:
    K = ctx["K"]
    rng = np.random.default_rng(FIG4_SEED)
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
        f"by Newton are stable (no relevant direction): {stable}.", figures=figures,
        could_fail_if="a flow from a positive start stayed away from e^A = 1 after 12 steps, or a physical "
                      "fixed point had a relevant direction",
        tolerance_source="convergence is super-exponential (eigenvalue 0 along e^A): 1e-10 is reached long "
                         "before 12 steps unless a flow does not converge", seeds=(FIG4_SEED,))


def check_fig5(ctx, out_dir) -> Check:
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
        "the growth factor per step tends to the eigenvalue 2 of eq 34 near the point.", figures=figures,
        could_fail_if="the distance from the fictitious point shrank at some step for some start",
        tolerance_source="qualitative claim ('diverge'): every step of every start must move away")


def check_eq31() -> Check:
    rows, ok = [], True
    for bv in (0.5, 1.0, 5.0):
        rule = constraint_rule(cp.matrix(np.exp(cp.toy_bulk_couplings(bv))).real)
        ok &= set(rule.minimal_pairs) == {(0, 0), (1, 1)} and rule.rule == ((0,), (1,))
        rows.append(f"  beta_v = {bv}: H_m = 0 on {rule.minimal_pairs}, rule sigma -> h: {rule.rule}")
    return _check("eq31", "H_m = 0 is the network rule h^(m+1) = sigma(W^(m) h^(m) + b^(m)) (eq 1)",
                  "H_m = 0 <=> h^(m+1) = sigma^(m)", "zero set of H_m = {(h, sigma): h = sigma} at every beta_v",
                  ok, "E = exp(-beta_v |h - t|^2) is largest exactly where h = t, so its zero-energy pairs are the "
                  "network rule by the definition of the constraint (eq 14).\n" + "\n".join(rows),
                  by_construction=True)


def check_eq32(ctx) -> Check:
    K, rows = ctx["K"], []
    for bv in (0.5, 1.0, 2.0, 5.0, math.inf):
        E = np.eye(2) if math.isinf(bv) else cp.matrix(np.exp(cp.toy_bulk_couplings(bv))).real
        rule = constraint_rule(renormalized_factor(E, K))
        rows.append(f"  beta_v = {bv}: H'_m = 0 on (h, sigma) = {rule.minimal_pairs}; for each sigma the h "
                    f"minimizing H'_m: {rule.rule} ({'deterministic' if rule.deterministic else 'not a function'})"
                    f"; H' - min H' = {np.round(rule.energies, 4).tolist()}")
    return _check(
        "eq32", "H'_m = 0 gives new constraints between h^(m+1) and sigma^(m-1) of the renormalized network",
        "no explicit renormalized constraint is printed", "see detail (minimal pairs and implied rule per beta_v)",
        None, "Renormalized factor E' = E K^T E of the toy; H'_m = -ln E' + const with min H'_m = 0.\n"
        + "\n".join(rows) + "\nThe renormalized constraint is not a deterministic rule: at beta_v = inf it is "
        "E' = K^T, the multiplicity of two composed layers.",
        tolerance_source="none: the paper prints no renormalized constraint to compare with")


def claim_checks(out_dir=None, progress=None) -> list[Check]:
    """One check per printed claim of Secs IV-V (ids eq22 ... fig5, plus eq31, eq32); figures into out_dir."""
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    ctx = _context()
    search = find_fixed_points(ctx["K"], starts=64, rng=np.random.default_rng(29))
    eq39, scans = check_eq39(ctx)
    if out_dir is not None:
        from ..results import save_figure
        from .plots import xi_scaling

        path = save_figure(xi_scaling([s.to_dict() for s in scans]), Path(out_dir) / "xi_scaling.png")
        eq39 = dataclasses.replace(eq39, figures=(str(path),))
    return [check_eq22(), check_eq25(), check_eq27(), check_eq29(ctx, search), check_eq30(ctx, search),
            check_eq31(), check_eq32(ctx), check_eq34(ctx), check_eq36(), check_eq36_toy(ctx), check_eq37(ctx),
            check_eq38(ctx), eq39, check_eq40(ctx), check_fig4(ctx, search, out_dir), check_fig5(ctx, out_dir)]


# -- Fig 6: the renormalized DNN -----------------------------------------------------------------------------
FIG6_SAMPLES = 40000
FIG6_SEEDS = (6, 16)
FIG6_ALPHA = 0.01


def fig6_checks(out_dir=None, samples: int = FIG6_SAMPLES, seeds=FIG6_SEEDS) -> list[Check]:
    """Checks "fig6" (the full renormalized factor E') and "fig6-constraints" (only the H'_m = 0 rule): the
    paper's toy at beta = beta_v = 1, depth 8 against its depth-4 renormalization, exact samples per seed."""
    from ..exact import FiniteChain
    from ..model import NetworkSpec
    from ..report.check import family_wise_z
    from . import renormalized_network as rn

    spec = NetworkSpec(depth=8, beta=1.0, beta_v=1.0)
    net = rn.renormalize(spec)
    results = [rn.verify(net, samples, np.random.default_rng(seed)) for seed in seeds]
    z = np.concatenate([r.z_scores for r in results])
    threshold = family_wise_z(list(z), FIG6_ALPHA)
    exact_gap = max(r.max_exact_difference for r in results)
    deterministic = rn.renormalize(spec.replace(beta_v=np.inf))
    oracle = rn.two_layer_multiplicity(spec)
    two_layer_ok = bool(np.allclose(deterministic.two_layer, oracle) and
                        np.allclose(deterministic.renormalized.E,
                                    deterministic.original.K.T / deterministic.original.K.max()))
    result = results[0]
    figures = ()
    if out_dir is not None:
        from ..results import save_figure
        from .plots import renormalized_dnn

        figures = (str(save_figure(renormalized_dnn(spec.depth, result),
                                   Path(out_dir) / "fig6_renormalized_dnn.png")),)
    rule = net.constraint
    M = spec.depth // 2
    hard = rn.exact_moments(FiniteChain.solve(net.renormalized_spec, rn.rule_network(net)), list(range(1, M + 1)))
    hard_gap = float(np.abs(hard - result.exact_original).max())
    resolution = float(result.sampled_original[1].max())  # what the samples could resolve
    fig6 = _check(
        "fig6", "decimation gives a renormalized Hamiltonian H'_m (constraint factor E' = e^{-beta H'}) that defines "
                "a DNN of half the depth, statistically equivalent to the even layers of the original",
        "Sec IV, eqs 31-32 and Fig 6: 'the RG transformation suggests statistically equivalent constraints for the "
        "system with reduced depth'",
        f"depth {spec.depth} vs renormalized depth {M}: max exact difference {exact_gap:.1e}, max |z| "
        f"{np.abs(z).max():.2f} over {z.size} comparisons (seeds {list(seeds)}, {result.samples} exact samples "
        f"each; Bonferroni threshold {threshold:.2f}); two-layer rule K_2 = K^2 at beta_v = inf matches "
        f"enumeration: {two_layer_ok}",
        exact_gap < 1e-10 and bool(np.abs(z).max() < threshold) and two_layer_ok,
        f"E' = E K^T E = {np.round(net.renormalized.E, 4).tolist()} (scaled to max 1); H'_m = 0 pairs (h, sigma) = "
        f"{list(rule.minimal_pairs)}; implied rule sigma -> h: {list(rule.rule)} (deterministic: "
        f"{rule.deterministic}). The renormalized network is the same network with E' and u' = K_x E'^T, or "
        "equivalently stochastic two-layer blocks K_2 = K E^T K with the bare E. Exact marginals, covariances and "
        "bulk G(r) of both chains are compared, then exact samples of each against the other and against the "
        "exact values. The maximal-weight pairs alone do not fix the statistics: the full E' does.",
        could_fail_if="the exact moments of the renormalized network differed from the even layers', or samples "
                      "of one network were distinguishable from the other's beyond the family-wise threshold",
        tolerance_source=f"exact moments: round-off 1e-10; samples: error bars (deeprg.stats.estimate) with a "
                         f"Bonferroni family-wise level {FIG6_ALPHA:g}",
        figures=figures, seeds=seeds)
    hard_check = _check(
        "fig6-constraints", "the vanishing conditions H'_m = 0 alone (hard constraints, the rule sigma -> h they "
                            "imply) give a statistically equivalent network of half the depth",
        "Sec IV, eq 32: 'the vanishing conditions of the renormalized Hamiltonian H'_m = 0 can be interpreted as new "
        "constraints ... statistically equivalent constraints for the system with reduced depth'",
        f"rule {list(rule.rule)}: max |moment(rule network) - moment(even layers)| = {hard_gap:.3g} (sampling "
        f"resolution {resolution:.1g})",
        hard_gap < 5 * resolution,
        f"Exact moments {result.names}: even layers of depth {spec.depth} "
        f"{np.round(result.exact_original, 4).tolist()}, network with only the H'_m = 0 rule "
        f"{np.round(hard, 4).tolist()}. The full renormalized factor E' (check fig6) is exact; keeping only its "
        "maximal-weight pairs discards the finite-beta_v weights of the other pairs.",
        could_fail_if="the moments of the network with only the H'_m = 0 rule differed from the even layers' "
                      "by more than 5 standard errors of the samples",
        tolerance_source="'statistically equivalent' read at the resolution of the fig6 samples: 5 standard errors "
                         "of the sampled moments")
    return [fig6, hard_check]


# -- footnote 12: the catalog over models ---------------------------------------------------------------------
CATALOG_NEWTON_STARTS = 8


def footnote12_checks(out_dir=None) -> list[Check]:
    """Checks "catalog" and "catalog-finite", two different readings of footnote 12, over the models with at most
    4 layer states and uniform prior (the theorems behind the verdicts hold for every K; the full catalog is
    ``deeprg rg catalog``)."""
    from .catalog import answer, run_catalog
    from .family import model_family

    entries = run_catalog([m for m in model_family(("uniform",)) if m.states <= 4], CATALOG_NEWTON_STARTS)
    summary = answer(entries)
    n = summary["models"]
    paper_text = ("Sec IV: 'we anticipate that more general and complex deep learning models ... will exhibit unstable "
                  "fixed points, or critical points, where RG flows diverge within realistic coupling regions' "
                  "(footnote 12)")
    reached = [e for e in entries if e["reached_unstable"]]
    nus = {e["name"]: round(e["beta_v_scaling"]["nu"], 4) for e in reached}
    others = max((abs(e["beta_v_scaling"]["nu"]) for e in entries if not e["reached_unstable"]), default=0.0)
    detail = (f"{n} models of the family with S <= 4 layer states, {summary['fixed_points']} fixed points, max "
              f"residual {summary['max_residual']:.2g}, spectra equal to the universal {{2,1,0}} prediction in "
              f"{n - len(summary['inconsistent_with_theory'])}/{n} models. Physical unstable (nonnegative, rank >= "
              f"2): {summary['physical_unstable']}. Reached from the model's own beta_v: "
              f"{summary['reached_unstable']}. With finite real couplings: {summary['finite_coupling_unstable']}. "
              + summary["reason"] + f" Scaling near the reached point: xi(beta_v) ~ exp(nu g beta_v) (g the "
              f"cheapest mismatch energy) gives nu = {nus} (1/y = 1); for every other model |nu| <= {others:.3g} "
              "(xi stays finite as beta_v -> inf). The paper does not say whether 'realistic coupling regions' "
              "include the infinite couplings of beta_v = inf (the original DNN of eq 13): the two checks "
              "'catalog' and 'catalog-finite' are the two readings, and the verdicts differ because the readings "
              "do.")
    figures = ()
    if out_dir is not None and reached:
        from ..results import save_figure
        from .plots import catalog_flows

        figures = (str(save_figure(catalog_flows(reached[0]), Path(out_dir) / "catalog_flow.png")),)
    return [
        _check("catalog", "some model beyond assumptions (i)-(iii) has an unstable (critical) fixed point with "
                          "physical couplings, infinite couplings (hard constraints, beta_v = inf) allowed",
               paper_text,
               f"{len(summary['physical_unstable'])} of {n} models have a physical unstable fixed point; "
               f"{len(summary['reached_unstable'])} reach one from their own beta_v (at beta_v = inf)",
               bool(summary["physical_unstable"]), detail, figures=figures,
               could_fail_if="no model had a nonnegative fixed point of rank >= 2 (every K with pairwise "
                             "comparable row supports)",
               tolerance_source="exact: fixed points verified to residual 1e-10 and in rational arithmetic"),
        _check("catalog-finite", "some model beyond assumptions (i)-(iii) has an unstable fixed point at finite "
                                 "real couplings (finite beta and beta_v)",
               paper_text,
               f"{len(summary['finite_coupling_unstable'])} of {n} models have an unstable fixed point with finite "
               "real couplings",
               bool(summary["finite_coupling_unstable"]), detail,
               could_fail_if="a model had a strictly positive fixed point of rank >= 2",
               tolerance_source="exact: fixed points verified to residual 1e-10; Perron's theorem forbids them"),
    ]


def catalog_checks(out_dir=None, progress=None) -> list[Check]:
    """Footnote 12 (the catalog) and Fig 6 (the renormalized DNN)."""
    return footnote12_checks(out_dir) + fig6_checks(out_dir)


def report_checks(out_dir=None, progress=None) -> list[Check]:
    """Every check of Secs IV-V, footnote 12 and Fig 6."""
    return claim_checks(out_dir) + catalog_checks(out_dir)
