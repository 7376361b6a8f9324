r"""A catalog of RG fixed points over a family of discrete networks (Lee, Lee & Yi, Sec IV and footnote 12).

The family is :mod:`deeprg.rg.family`.

For each model the multiplicity K of one layer (:func:`deeprg.exact.build`) determines everything. The fixed points
of the normalized decimation map :math:`E \to E K^\top E / n` are known in closed form
(:mod:`deeprg.rg.classification`): for every rank :math:`1 \le r \le \operatorname{rank} K` a manifold
:math:`E = X (Y^\top K^\top X)^{-1} Y^\top` of dimension :math:`2r(S - r)`, with the K-independent spectrum
:math:`\{2^{(r^2 - 1)}, 1^{(2r(S-r))}, 0^{((S-r)^2)}\}` (p = 2). The catalog lists, per model,

- the families (rank, dimension, predicted spectrum, whether they contain nonnegative members),
- representatives, each verified by applying the map (residual < 1e-10) and linearized numerically
  (:func:`deeprg.rg.linearize.linearize`), with the predicted spectrum compared: the flow limits from the model's
  own :math:`E(\beta_v)` (:math:`\beta_v` in :data:`LIMIT_BETA_VS`, including :math:`\infty`), one coordinate point
  per rank (nonnegative whenever Theorem 2 allows; exact rational arithmetic in SymPy proves
  :math:`E K^\top E = E`), and every distinct point found by damped Newton from random starts
  (:func:`deeprg.rg.fixed_points.find_fixed_points`, failures counted),
- for N = L = 1 models with uniform prior, the exact solution of eq 28 in couplings (:mod:`deeprg.rg.symbolic`),
- the correlation length at and near each point: :math:`\xi` of :math:`T = K E^\top` at
  :math:`E^* + \epsilon D` (D a fixed generic positive direction), and :math:`\nu` fitted from
  :math:`\xi \propto \epsilon^{-\nu}` (expected 1 = 1/y at points of rank >= 2).

The answer (:func:`answer`) sorts the models by: physical unstable fixed point (nonnegative, rank >= 2; exists iff
two rows of K have incomparable supports), reached from the model's own line :math:`\beta_v \in [0, \infty]`
(only at :math:`\beta_v = \infty` and only with >= 2 closed classes of the one-layer state graph), and
unstable points with finite real couplings (none: Theorem 1), each checked numerically per model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from ..exact import build
from ..exact.transfer import constraint_factor, correlation_length
from ..results import jsonable
from ..sweep import Point, run_sweep
from . import classification as theory
from .decimation import transfer
from .family import CatalogModel
from .fixed_points import (FixedPoint, FixedPointSearch, canonical, find_fixed_points, is_physical, numerical_rank,
                           residual)
from .flows import flow_limit, flow_observables
from .linearize import linearize
from .scaling import large_beta_v_scaling, xi_near

LIMIT_BETA_VS = (1.0, math.inf)  # flow limits listed as fixed points
RESIDUAL_TOL = 1e-10
SYMBOLIC_MAX_RANK = 8  # exact SymPy verification of coordinate points up to this rank


@dataclass(frozen=True)
class CatalogPoint:
    """A verified fixed point with where it came from and the correlation length at and near it."""

    point: FixedPoint
    sources: tuple[str, ...]
    reached_from: tuple[float, ...]  # beta_v whose flow converges here
    exact: bool | None  # E K^T E = E proved in exact arithmetic (coordinate points), None if not tried
    predicted: dict  # universal spectrum for its rank (p = 2; empty for other factors)
    spectrum_matches: bool | None  # None where no prediction exists (factor != 2)
    xi: float
    xi_near: dict  # {"epsilon": [...], "xi": [...]}
    nu_near: float | None

    @property
    def unstable(self) -> bool:
        return not self.point.stable

    @property
    def finite_couplings(self) -> bool:
        """All weights nonzero and of one phase: every coupling -ln E finite and real."""
        return bool(self.point.physical and np.all(np.abs(self.point.E) > 1e-12))

    def to_dict(self) -> dict:
        out = self.point.to_dict()
        out.update({
            "sources": list(self.sources), "reached_from_beta_v": list(self.reached_from), "exact": self.exact,
            "family_dimension": theory.family_dimension(len(self.point.E), self.point.rank),
            "predicted_spectrum": {f"{k:g}": v for k, v in self.predicted.items()},
            "spectrum_matches": self.spectrum_matches, "finite_couplings": self.finite_couplings,
            "unstable": self.unstable, "xi": self.xi, "xi_near": self.xi_near, "nu_near": self.nu_near,
        })
        return out


def catalog_point(E: np.ndarray, K: np.ndarray, sources: tuple[str, ...], reached_from=(), exact=None,
                  found: int = 1, factor: int = 2) -> CatalogPoint:
    """Verify (residual < 1e-10), linearize and measure xi at a fixed point; ValueError if it is not one."""
    C = canonical(E)
    res = residual(C, K, factor)
    if not res < RESIDUAL_TOL:
        raise ValueError(f"E: not a fixed point (relative residual {res:.3g} >= {RESIDUAL_TOL})")
    rank = numerical_rank(C)
    point = FixedPoint(C, linearize(C, K, factor), rank, is_physical(C), res, found)
    predicted = theory.universal_spectrum(len(K), rank) if factor == 2 else {}
    near = xi_near(C, K, rank)
    return CatalogPoint(point, tuple(sources), tuple(reached_from), exact, predicted,
                        theory.spectrum_counts(point.linearization.eigenvalues) == predicted if factor == 2 else None,
                        correlation_length(transfer(C, K)), {"epsilon": near["epsilon"], "xi": near["xi"]},
                        near["nu"])


def _merge(points: list[CatalogPoint], new: CatalogPoint, tol: float = 1e-7) -> None:
    for i, old in enumerate(points):
        if old.point.E.shape == new.point.E.shape and np.abs(old.point.E - new.point.E).max() < tol:
            points[i] = replace(
                old, point=replace(old.point, found=old.point.found + new.point.found),
                sources=tuple(dict.fromkeys(old.sources + new.sources)),
                reached_from=tuple(sorted(set(old.reached_from + new.reached_from))),
                exact=old.exact if new.exact is None else new.exact)
            return
    points.append(new)


@dataclass(frozen=True)
class ModelEntry:
    """Everything the catalog knows about one model."""

    model: CatalogModel
    K: np.ndarray
    rank_K: int
    closed_classes: tuple
    limit_rank_predicted: int | None
    witness: theory.Witness
    points: tuple[CatalogPoint, ...] = ()
    newton: dict = field(default_factory=dict)
    positive_flows: dict = field(default_factory=dict)
    symbolic: list = field(default_factory=list)
    flows: dict = field(default_factory=dict)
    beta_v_scaling: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def states(self) -> int:
        return len(self.K)

    @property
    def physical_unstable(self) -> bool:
        return any(p.point.physical and p.unstable for p in self.points)

    @property
    def reached_unstable(self) -> bool:
        return any(p.reached_from and p.unstable for p in self.points)

    @property
    def finite_coupling_unstable(self) -> bool:
        return any(p.finite_couplings and p.unstable for p in self.points)

    @property
    def consistent(self) -> bool:
        """Numbers agree with the theory: spectra, max nonnegative rank, flow-limit rank at beta_v = inf."""
        spectra = all(p.spectrum_matches for p in self.points)
        nonneg = max((p.point.rank for p in self.points if p.point.physical), default=0) == self.witness.rank
        at_inf = [p.point.rank for p in self.points if math.inf in p.reached_from]
        limit = self.limit_rank_predicted is None or at_inf == [self.limit_rank_predicted]
        positive = self.positive_flows.get("rank_1", 0) == self.positive_flows.get("starts", 0)
        return spectra and nonneg and limit and positive

    def families(self) -> list[dict]:
        S = self.states
        return [{"rank": r, "dimension": theory.family_dimension(S, r),
                 "spectrum": {f"{k:g}": v for k, v in theory.universal_spectrum(S, r).items()},
                 "stable": r == 1, "nonnegative_members": r <= self.witness.rank,
                 "parametrization": "E = X (Y^T K^T X)^-1 Y^T, X, Y of rank r"}
                for r in range(1, self.rank_K + 1)]

    def to_dict(self) -> dict:
        return {
            "model": self.model, "name": self.model.name, "states": self.states, "K": self.K,
            "rank_K": self.rank_K,
            "closed_classes": [{"states": list(c.states), "period": c.period} for c in self.closed_classes],
            "limit_rank_predicted": self.limit_rank_predicted,
            "max_nonnegative_rank": self.witness.rank,
            "private_columns": {"rows": list(self.witness.rows), "cols": list(self.witness.cols)},
            "families": self.families(), "fixed_points": list(self.points),
            "physical_unstable": self.physical_unstable, "reached_unstable": self.reached_unstable,
            "finite_coupling_unstable": self.finite_coupling_unstable, "consistent": self.consistent,
            "newton": self.newton, "positive_flows": self.positive_flows, "symbolic": self.symbolic,
            "flows": self.flows, "beta_v_scaling": self.beta_v_scaling, "seconds": self.seconds,
        }


def _symbolic(spec) -> list:
    """Exact solutions of eq 28 in (e^A, e^B, e^C) for N = L = 1 models with uniform prior."""
    from . import symbolic

    out = []
    for sol in symbolic.fixed_points(spec):
        eig = symbolic.eigenvalues_at(sol, spec)
        out.append({"exp_couplings": {k: str(v) for k, v in sol.items()},
                    "eigenvalues": {str(k): v for k, v in eig.items()}})
    return out


def classified_points(K: np.ndarray, states: np.ndarray, p: float = 2.0, factor: int = 2) -> list[CatalogPoint]:
    """The fixed points known in closed form, verified: the flow limits from the model's own E(beta_v) and one
    coordinate point per rank 1..rank K (nonnegative wherever the private-column witness allows). ``p`` is the
    exponent of the constraint |h - t|^p, ``factor`` the RG factor (each point makes T = K E^T idempotent, so it
    is fixed for every factor)."""
    points: list[CatalogPoint] = []
    for beta_v in LIMIT_BETA_VS:  # what the model's own couplings flow to
        E, _, converged = flow_limit(constraint_factor(states, beta_v, p), K)
        if converged:
            _merge(points, catalog_point(E, K, (f"flow limit from beta_v={beta_v:g}",), (beta_v,), factor=factor))
    witness = theory.private_column_witness(K)
    rows, cols = theory.independent_pivots(K)
    K_exact = theory.exact_matrix(K)
    for r in range(1, len(rows) + 1):
        a, t = (witness.rows[:r], witness.cols[:r]) if r <= witness.rank else (rows[:r], cols[:r])
        exact = theory.exact_coordinate_fixed_point(K_exact, a, t)[1] if r <= SYMBOLIC_MAX_RANK else None
        kind = "nonnegative (private columns)" if r <= witness.rank else "coordinate"
        if r == len(K):
            kind = "K^-T (T proportional to I)"
        _merge(points, catalog_point(theory.coordinate_fixed_point(K, a, t), K, (f"{kind}, rank {r}",),
                                     exact=exact, factor=factor))
    return points


class Classification(NamedTuple):
    """The fixed points of one model: closed-form ones first, Newton's as a cross-check merged in."""

    points: list[CatalogPoint]
    search: FixedPointSearch

    def cross_check(self) -> dict:
        """Whether every Newton point is a verified fixed point whose spectrum is the universal one of its rank,
        and which ranks Newton reached compared with the classification's."""
        newton = [p for p in self.points if "newton" in p.sources]
        return {"newton_points": len(newton),
                "newton_only": sum(p.sources == ("newton",) for p in newton),
                "spectra_match_classification": all(p.spectrum_matches is not False for p in newton),
                "ranks_classified": sorted({p.point.rank for p in self.points if p.sources != ("newton",)}),
                "ranks_newton": sorted({p.point.rank for p in newton})}


def classify(K: np.ndarray, states: np.ndarray, p: float = 2.0, *, starts: int = 64,
             rng: np.random.Generator | None = None, factor: int = 2, start_kind: str = "real",
             progress=None) -> Classification:
    """:func:`classified_points` plus Newton from ``starts`` random starts (:func:`find_fixed_points`) as a
    cross-check; points sorted by rank, physical first."""
    search = find_fixed_points(K, starts, rng, factor, start_kind, progress=progress)
    points = classified_points(K, states, p, factor)
    for fp in search.fixed_points:
        _merge(points, catalog_point(fp.E, K, ("newton",), found=fp.found, factor=factor))
    points.sort(key=lambda q: (q.point.rank, not q.point.physical))
    return Classification(points, search)


def analyze(model: CatalogModel, newton_starts: int | None = None, seed: int = 0) -> ModelEntry:
    """The catalog entry of one model (see the module docstring)."""
    start = time.perf_counter()
    spec = model.spec()
    tm = build(spec)
    K = tm.K
    S = len(K)
    rng = np.random.default_rng(seed)
    classes = tuple(theory.closed_classes(K))
    starts = (24 if S <= 4 else 2) if newton_starts is None else newton_starts
    points, search = classify(K, tm.states, spec.p, starts=starts, rng=rng)
    newton = {"starts": search.starts, "converged": search.converged, "non_converged": search.non_converged,
              "failures": dict(search.failures), "distinct": len(search.fixed_points)}

    positive_ranks = []  # Theorem 1: flows from strictly positive E end at rank 1
    for _ in range(4):
        E, _, converged = flow_limit(rng.uniform(0.05, 1.0, (S, S)), K)
        positive_ranks.append(numerical_rank(E) if converged else -1)
    positive = {"starts": len(positive_ranks), "rank_1": positive_ranks.count(1), "ranks": positive_ranks}

    symbolic = _symbolic(spec) if S == 2 and model.prior == "uniform" else []
    return ModelEntry(model, K, len(theory.independent_pivots(K)[0]), classes,
                      theory.predicted_limit_rank(list(classes)), theory.private_column_witness(K), tuple(points),
                      newton, positive, symbolic, flow_observables(K, tm.states, spec.p),
                      large_beta_v_scaling(K, tm.states, spec.p), time.perf_counter() - start)


def analyze_point(params: dict, seed: int) -> dict:
    """The sweep function of the catalog: ``params`` = {"model": CatalogModel fields, "newton_starts"}; returns
    the entry as plain JSON types (what ``result.json`` lists under "models")."""
    model = CatalogModel(**{k: tuple(v) if isinstance(v, list) else v for k, v in params["model"].items()})
    return jsonable(analyze(model, params.get("newton_starts"), seed))


def run_catalog(models: list[CatalogModel], newton_starts: int | None = None, *, workers: int | None = None,
                address: str | None = None, progress=None, out_dir=None) -> list[dict]:
    """Analyze ``models`` with :func:`deeprg.sweep.run_sweep` (``workers`` / ``address`` select its executor;
    with ``out_dir`` each entry is saved as it finishes and a rerun skips those); the entries come back as plain
    dicts (:meth:`ModelEntry.to_dict`), model ``i`` with seed ``i``."""
    fields = ("width", "rows", "weights", "biases", "neurons", "activation", "prior")
    points = [Point(m.slug, {"model": {f: getattr(m, f) for f in fields}, "newton_starts": newton_starts}, i)
              for i, m in enumerate(models)]
    return run_sweep(analyze_point, points, out_dir=out_dir, address=address, workers=workers, progress=progress)


def answer(entries: list[dict]) -> dict:
    """Which models have a physical unstable fixed point, which reach one, and why (footnote 12's question)."""
    return {
        "models": len(entries), "valid": len(entries),
        "physical_unstable": [e["name"] for e in entries if e["physical_unstable"]],
        "reached_unstable": [e["name"] for e in entries if e["reached_unstable"]],
        "finite_coupling_unstable": [e["name"] for e in entries if e["finite_coupling_unstable"]],
        "inconsistent_with_theory": [e["name"] for e in entries if not e["consistent"]],
        "fixed_points": sum(len(e["fixed_points"]) for e in entries),
        "max_residual": max((p["residual"] for e in entries for p in e["fixed_points"]), default=0.0),
        "newton_non_converged": sum(e["newton"]["non_converged"] for e in entries),
        "reason": (
            "Every fixed point is E = X (Y^T K^T X)^-1 Y^T; at rank r the linearized map has eigenvalues 2 "
            "(r^2 - 1 times, y = 1), 1 (2r(S-r), along the family) and 0 ((S-r)^2), for every K. So a fixed "
            "point is unstable iff r >= 2. (1) Finite real couplings (E > 0) make T = K E^T > 0, and a positive "
            "matrix with T^2 ∝ T has rank 1 (Perron): no unstable fixed point at finite couplings, and every "
            "flow from finite beta_v ends on a stable rank-1 point. (2) A nonnegative fixed point of rank r >= 2 "
            "(infinite couplings: zeros of E) exists iff r rows of K have private columns (Flor's structure "
            "of nonnegative idempotents); for r = 2: two rows with incomparable supports. (3) The model's own "
            "line reaches one only at beta_v = inf (E = I, T = K^(2^n)), when the one-layer state graph has >= "
            "2 closed classes, e.g. L = 2 with the sign activation and no bias, where identical rows stay "
            "identical and opposite rows stay opposite: a zero-temperature-like critical point (xi = inf, y = 1, "
            "nu = 1), as T = 0 in the 1D Ising chain."),
    }
