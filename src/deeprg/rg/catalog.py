r"""A catalog of RG fixed points over a family of discrete networks (issue 8; seed 003, Sec IV and footnote 12).

The family: width :math:`N \in \{1, 2\}`, data rows :math:`L \in \{1, 2\}`, weights :math:`\{-1, 1\}` or
:math:`\{-1, 0, 1\}`, biases :math:`\{-1, 1\}`, :math:`\{-1, 0, 1\}` or none (the single value 0), neurons
:math:`\{0, 1\}` or :math:`\{-1, 1\}` with the Heaviside or sign activation (a model whose activation leaves its
neuron set is invalid and listed as skipped, with the reason from :class:`deeprg.model.NetworkSpec`), and a uniform
or a tilted prior over the weight values (weight value number k gets prior weight k + 1).

For each model the multiplicity K of one layer (:func:`deeprg.exact.build`) determines everything. The fixed points
of the normalized decimation map :math:`E \to E K^\top E / n` are known in closed form
(:mod:`deeprg.rg.catalog_theory`): for every rank :math:`1 \le r \le \operatorname{rank} K` a manifold
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

import itertools
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..exact import build
from ..exact.transfer import constraint_factor, correlation_length as exact_correlation_length
from ..model import NetworkSpec, ValueSets
from . import catalog_theory as theory
from .decimation import decimate, gauge, transfer
from .fixed_points import FixedPoint, canonical, find_fixed_points, is_physical, numerical_rank, residual
from .linearize import linearize
from .scaling import fit_power

WIDTHS = (1, 2)
ROWS = (1, 2)
WEIGHT_SETS = ((-1.0, 1.0), (-1.0, 0.0, 1.0))
BIAS_SETS = ((-1.0, 1.0), (-1.0, 0.0, 1.0), (0.0,))  # (0,) is "no bias"
NEURON_SETS = ((0.0, 1.0), (-1.0, 1.0))
ACTIVATIONS = ("heaviside", "sign")
PRIORS = ("uniform", "tilted")
LIMIT_BETA_VS = (1.0, math.inf)  # flow limits listed as fixed points
FLOW_BETA_VS = (0.25, 1.0, 4.0, math.inf)  # flows drawn in the figure
FLOW_STEPS = 12
NEAR_EPSILONS = (1e-3, 1e-4, 1e-5)
RESIDUAL_TOL = 1e-10
SYMBOLIC_MAX_RANK = 8
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # exact SymPy verification of coordinate points up to this rank


# -- the family -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogModel:
    """One model of the family; :meth:`spec` raises ValueError (with the reason) when it is invalid."""

    width: int = 1
    rows: int = 1
    weights: tuple[float, ...] = (-1.0, 1.0)
    biases: tuple[float, ...] = (-1.0, 1.0)
    neurons: tuple[float, ...] = (0.0, 1.0)
    activation: str = "heaviside"
    prior: str = "uniform"

    def __post_init__(self):
        if self.prior not in PRIORS:
            raise ValueError(f"prior: must be one of {PRIORS}, got {self.prior!r}")

    @property
    def weight_prior(self) -> tuple[float, ...] | None:
        return None if self.prior == "uniform" else tuple(float(k + 1) for k in range(len(self.weights)))

    @property
    def name(self) -> str:
        def fmt(values):
            return ",".join(f"{v:g}" for v in values)

        biases = "none" if self.biases == (0.0,) else fmt(self.biases)
        return (f"N{self.width}-L{self.rows}-W[{fmt(self.weights)}]-b[{biases}]-h[{fmt(self.neurons)}]"
                f"-{self.activation}-{self.prior}")

    @property
    def slug(self) -> str:
        """The name with only letters, digits, '-', '_' and '.' (a file name)."""
        return self.name.replace("[", "").replace("]", "").replace(",", "_")

    def spec(self) -> NetworkSpec:
        ones = np.ones((self.rows, self.width))
        values = ValueSets(weights=self.weights, biases=self.biases, neurons=self.neurons,
                           weight_prior=self.weight_prior)
        return NetworkSpec(width=self.width, depth=2, x=ones, y=ones, values=values, activation=self.activation)

    def to_dict(self) -> dict:
        return {"name": self.name, "width": self.width, "rows": self.rows, "weights": list(self.weights),
                "biases": list(self.biases), "neurons": list(self.neurons), "activation": self.activation,
                "prior": self.prior, "weight_prior": self.weight_prior}


def model_family(priors: tuple[str, ...] = PRIORS) -> list[CatalogModel]:
    """Every combination of the family (invalid ones included: :func:`analyze` skips them with the reason)."""
    return [CatalogModel(n, l, w, b, h, act, prior)
            for n, l, w, b, h, act, prior in itertools.product(WIDTHS, ROWS, WEIGHT_SETS, BIAS_SETS, NEURON_SETS,
                                                               ACTIVATIONS, priors)]


def toy_model() -> CatalogModel:
    """The paper's toy (assumptions i-iii)."""
    return CatalogModel()


# -- fixed points -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogPoint:
    """A verified fixed point with where it came from and the correlation length at and near it."""

    point: FixedPoint
    sources: tuple[str, ...]
    reached_from: tuple[float, ...]  # beta_v whose flow converges here
    exact: bool | None  # E K^T E = E proved in exact arithmetic (coordinate points), None if not tried
    predicted: dict  # universal spectrum for its rank
    spectrum_matches: bool
    xi: float
    xi_near: tuple[float, ...]
    nu_near: float | None

    @property
    def unstable(self) -> bool:
        return not self.point.stable

    @property
    def finite_couplings(self) -> bool:
        """All weights nonzero and of one phase: every coupling -ln E finite and real."""
        C = self.point.E
        return bool(self.point.physical and np.all(np.abs(C) > 1e-12))

    def to_dict(self) -> dict:
        out = self.point.to_dict()
        S = len(self.point.E)
        out.update({
            "sources": list(self.sources), "reached_from_beta_v": list(self.reached_from), "exact": self.exact,
            "family_dimension": theory.family_dimension(S, self.point.rank),
            "predicted_spectrum": {f"{k:g}": v for k, v in self.predicted.items()},
            "spectrum_matches": self.spectrum_matches, "finite_couplings": self.finite_couplings,
            "xi": self.xi, "xi_near": {"epsilon": list(NEAR_EPSILONS), "xi": list(self.xi_near)},
            "nu_near": self.nu_near,
        })
        return out


def flow_limit(E0: np.ndarray, K: np.ndarray, max_steps: int = 200, tol: float = 1e-14):
    """Iterate the decimation from E0 until the canonical E stops changing; returns (E, steps, converged)."""
    E = canonical(E0)
    for n in range(1, max_steps + 1):
        nxt = canonical(decimate(E, K).E)
        if np.abs(nxt - E).max() < tol:
            return nxt, n, True
        E = nxt
    return E, max_steps, False


def correlation_length(T: np.ndarray, tol: float = 1e-12) -> float:
    """xi = 1 / ln(|lambda_1| / |lambda_2|), with |lambda_2| < tol |lambda_1| read as 0 (round-off of rank 1)."""
    values = np.linalg.eigvals(np.asarray(T, dtype=complex))
    values = values[np.argsort(-np.abs(values), kind="stable")]
    if len(values) < 2 or abs(values[1]) < tol * abs(values[0]):
        return 0.0
    return exact_correlation_length(values)


def _xi_near(E: np.ndarray, K: np.ndarray, rank: int) -> tuple[tuple[float, ...], float | None]:
    """xi at E + eps D along a fixed generic positive direction D, and nu of xi ~ eps^-nu (rank >= 2 only:
    near a rank-1 point xi -> 0 and there is no power law)."""
    direction = gauge(len(K)).reshape(len(K), len(K))
    values = tuple(correlation_length(transfer(E + eps * direction, K)) for eps in NEAR_EPSILONS)
    ok = rank >= 2 and all(math.isfinite(v) and v > 0 for v in values)
    return values, (fit_power(np.array(NEAR_EPSILONS), np.array(values))[0] if ok else None)


def catalog_point(E: np.ndarray, K: np.ndarray, sources: tuple[str, ...], reached_from=(), exact=None,
                  found: int = 1) -> CatalogPoint:
    """Verify (residual < 1e-10), linearize and measure xi at a fixed point; ValueError if it is not one."""
    C = canonical(E)
    res = residual(C, K)
    if not res < RESIDUAL_TOL:
        raise ValueError(f"E: not a fixed point (relative residual {res:.3g} >= {RESIDUAL_TOL})")
    rank = numerical_rank(C)
    point = FixedPoint(C, linearize(C, K), rank, is_physical(C), res, found)
    predicted = theory.universal_spectrum(len(K), rank)
    xi_near, nu = _xi_near(C, K, rank)
    return CatalogPoint(point, tuple(sources), tuple(reached_from), exact, predicted,
                        theory.spectrum_counts(point.linearization.eigenvalues) == predicted,
                        correlation_length(transfer(C, K)), xi_near, nu)


def _merge(points: list[CatalogPoint], new: CatalogPoint, tol: float = 1e-7) -> None:
    for i, old in enumerate(points):
        if old.point.E.shape == new.point.E.shape and np.abs(old.point.E - new.point.E).max() < tol:
            exact = old.exact if new.exact is None else new.exact
            points[i] = CatalogPoint(
                FixedPoint(old.point.E, old.point.linearization, old.point.rank, old.point.physical,
                           old.point.residual, old.point.found + new.point.found),
                tuple(dict.fromkeys(old.sources + new.sources)),
                tuple(sorted(set(old.reached_from + new.reached_from))), exact, old.predicted,
                old.spectrum_matches, old.xi, old.xi_near, old.nu_near)
            return
    points.append(new)


# -- one model ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelEntry:
    """Everything the catalog knows about one model (``skipped`` holds the reason for an invalid model)."""

    model: CatalogModel
    skipped: str | None = None
    K: np.ndarray | None = None
    rank_K: int = 0
    closed_classes: tuple = ()
    limit_rank_predicted: int | None = None
    witness: theory.Witness | None = None
    points: tuple[CatalogPoint, ...] = ()
    newton: dict = field(default_factory=dict)
    positive_flows: dict = field(default_factory=dict)
    symbolic: list = field(default_factory=list)
    flows: dict = field(default_factory=dict)
    beta_v_scaling: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def states(self) -> int:
        return 0 if self.K is None else len(self.K)

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
        if self.skipped:
            return True
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
        out = {"model": self.model, "name": self.model.name, "skipped": self.skipped}
        if self.skipped:
            return out
        out.update({
            "states": self.states, "K": self.K, "rank_K": self.rank_K,
            "closed_classes": [{"states": list(c.states), "period": c.period} for c in self.closed_classes],
            "limit_rank_predicted": self.limit_rank_predicted,
            "max_nonnegative_rank": self.witness.rank,
            "private_columns": {"rows": list(self.witness.rows), "cols": list(self.witness.cols)},
            "families": self.families(), "fixed_points": list(self.points),
            "physical_unstable": self.physical_unstable, "reached_unstable": self.reached_unstable,
            "finite_coupling_unstable": self.finite_coupling_unstable, "consistent": self.consistent,
            "newton": self.newton, "positive_flows": self.positive_flows, "symbolic": self.symbolic,
            "flows": self.flows, "beta_v_scaling": self.beta_v_scaling, "seconds": self.seconds,
        })
        return out


def _flows(K: np.ndarray, states: np.ndarray, p: float) -> dict:
    """xi of T_n and sigma_2/sigma_1 of E_n along the flows from E(beta_v) (data of the per-model figure)."""
    out = {}
    for beta_v in FLOW_BETA_VS:
        E = constraint_factor(states, beta_v, p)
        xis, ratios = [], []
        for _ in range(FLOW_STEPS + 1):
            s = np.linalg.svd(E, compute_uv=False)
            xis.append(correlation_length(transfer(E, K)))
            ratios.append(float(s[1] / s[0]) if len(s) > 1 else 0.0)
            E = decimate(E, K).E
        out[f"{beta_v:g}"] = {"xi": xis, "sigma_ratio": ratios}
    return out


LARGE_BETA_VS = (3.0, 4.0, 5.0)


def large_beta_v_scaling(K: np.ndarray, states: np.ndarray, p: float) -> dict:
    """xi of the bare chain as beta_v grows, and nu from xi ~ delta^-nu with delta = exp(-beta_v g).

    g is the smallest nonzero mismatch energy |h - t|^p, so delta is the weight of the cheapest violated constraint:
    the distance from the beta_v = inf point. nu = 1 = 1/y where that point is an unstable fixed point of rank >= 2;
    nu = 0 (xi bounded) where beta_v = inf flows to rank 1.
    """
    from ..hamiltonian import mismatch

    distances = mismatch(states[:, None], states[None, :], p)
    gap = float(distances[distances > 0].min())
    values = [correlation_length(transfer(constraint_factor(states, b, p), K)) for b in LARGE_BETA_VS]
    slope = float(np.polyfit(LARGE_BETA_VS, np.log(values), 1)[0]) if all(v > 0 for v in values) else 0.0
    return {"beta_v": list(LARGE_BETA_VS), "xi": values, "gap": gap, "nu": slope / gap}


def _symbolic(spec: NetworkSpec) -> list:
    """Exact solutions of eq 28 in (e^A, e^B, e^C) for N = L = 1 models with uniform prior."""
    from . import symbolic

    solutions = symbolic.fixed_points(spec)
    out = []
    for sol in solutions:
        eig = symbolic.eigenvalues_at(sol, spec)
        out.append({"exp_couplings": {k: str(v) for k, v in sol.items()},
                    "eigenvalues": {str(k): v for k, v in eig.items()}})
    return out


def analyze(model: CatalogModel, newton_starts: int | None = None, seed: int = 0) -> ModelEntry:
    """The catalog entry of one model (see the module docstring)."""
    start = time.perf_counter()
    try:
        spec = model.spec()
    except ValueError as err:
        return ModelEntry(model, skipped=str(err))
    tm = build(spec)
    K = tm.K
    S = len(K)
    rng = np.random.default_rng(seed)
    classes = tuple(theory.closed_classes(K))
    witness = theory.private_column_witness(K)
    rows, cols = theory.independent_pivots(K)
    K_exact = theory.exact_matrix(K)
    points: list[CatalogPoint] = []

    for beta_v in LIMIT_BETA_VS:  # what the model's own couplings flow to
        E, _, converged = flow_limit(constraint_factor(tm.states, beta_v, spec.p), K)
        if converged:
            _merge(points, catalog_point(E, K, (f"flow limit from beta_v={beta_v:g}",), (beta_v,)))

    for r in range(1, len(rows) + 1):  # one coordinate point per rank, nonnegative where Theorem 2 allows
        a, t = (witness.rows[:r], witness.cols[:r]) if r <= witness.rank else (rows[:r], cols[:r])
        exact = theory.exact_coordinate_fixed_point(K_exact, a, t)[1] if r <= SYMBOLIC_MAX_RANK else None
        kind = "nonnegative (private columns)" if r <= witness.rank else "coordinate"
        if r == S:
            kind = "K^-T (T proportional to I)"
        _merge(points, catalog_point(theory.coordinate_fixed_point(K, a, t), K, (f"{kind}, rank {r}",),
                                     exact=exact))

    starts = (24 if S <= 4 else 2) if newton_starts is None else newton_starts
    search = find_fixed_points(K, starts=starts, rng=rng)
    for fp in search.fixed_points:
        _merge(points, catalog_point(fp.E, K, ("newton",), found=fp.found))
    newton = {"starts": search.starts, "converged": search.converged, "non_converged": search.non_converged,
              "failures": dict(search.failures), "distinct": len(search.fixed_points)}

    positive_ranks = []  # Theorem 1: flows from strictly positive E end at rank 1
    for _ in range(4):
        E, _, converged = flow_limit(rng.uniform(0.05, 1.0, (S, S)), K)
        positive_ranks.append(numerical_rank(E) if converged else -1)
    positive = {"starts": len(positive_ranks), "rank_1": positive_ranks.count(1), "ranks": positive_ranks}

    symbolic = []
    if S == 2 and model.prior == "uniform":
        symbolic = _symbolic(spec)

    points.sort(key=lambda p: (p.point.rank, not p.point.physical))
    return ModelEntry(model, None, K, len(rows), classes, theory.predicted_limit_rank(list(classes)), witness,
                      tuple(points), newton, positive, symbolic, _flows(K, tm.states, spec.p),
                      large_beta_v_scaling(K, tm.states, spec.p), time.perf_counter() - start)


# -- the whole catalog ----------------------------------------------------------------------------------------
def _analyze_star(args) -> ModelEntry:
    model, newton_starts, seed, figure_dir = args
    entry = analyze(model, newton_starts, seed)
    if figure_dir is not None and not entry.skipped:
        from ..results import save_figure

        save_figure(flow_figure(entry), Path(figure_dir) / f"{model.slug}.png")
    return entry


def run_catalog(models: list[CatalogModel], workers: int = 2, address: str | None = None,
                newton_starts: int | None = None, progress=None, figure_dir=None) -> list[ModelEntry]:
    """Analyze ``models`` in a local process pool (``workers``; 1 = in process) or on a Ray cluster.

    With ``figure_dir`` the flow figure of every valid model is saved there as ``<slug>.png`` (drawn by the local
    workers; with Ray, drawn here after the results come back).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers: must be an integer >= 1, got {workers!r}")
    local_figures = None if address else figure_dir
    jobs = [(m, newton_starts, i, local_figures) for i, m in enumerate(models)]
    if address:
        try:
            import ray
        except ImportError:
            raise ValueError("--address: running on a cluster needs Ray, which is not installed; "
                             "install it with pip install 'deeprg[cluster]'") from None
        ray.init(address=address, ignore_reinit_error=True)
        remote = ray.remote(_analyze_star)
        futures = [remote.remote(job) for job in jobs]
        out = []
        for future in futures:
            out.append(ray.get(future))
            if progress:
                progress(1)
        if figure_dir is not None:
            from ..results import save_figure

            for entry in out:
                if not entry.skipped:
                    save_figure(flow_figure(entry), Path(figure_dir) / f"{entry.model.slug}.png")
        return out
    if workers == 1:
        out = []
        for job in jobs:
            out.append(_analyze_star(job))
            if progress:
                progress(1)
        return out
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    # One BLAS thread per worker: the eigenproblems are small, and threaded OpenBLAS on an oversubscribed
    # machine is slower by orders of magnitude. Spawned workers read these variables when numpy starts.
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARIABLES}
    os.environ.update({k: "1" for k in BLAS_THREAD_VARIABLES})
    try:
        out = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for entry in pool.map(_analyze_star, jobs):
                out.append(entry)
                if progress:
                    progress(1)
        return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def answer(entries: list[ModelEntry]) -> dict:
    """Which models have a physical unstable fixed point, which reach one, and why (the issue's question 2)."""
    valid = [e for e in entries if not e.skipped]
    return {
        "models": len(entries), "valid": len(valid), "skipped": len(entries) - len(valid),
        "physical_unstable": [e.model.name for e in valid if e.physical_unstable],
        "reached_unstable": [e.model.name for e in valid if e.reached_unstable],
        "finite_coupling_unstable": [e.model.name for e in valid if e.finite_coupling_unstable],
        "inconsistent_with_theory": [e.model.name for e in valid if not e.consistent],
        "fixed_points": sum(len(e.points) for e in valid),
        "max_residual": max((p.point.residual for e in valid for p in e.points), default=0.0),
        "newton_non_converged": sum(e.newton.get("non_converged", 0) for e in valid),
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


def csv_rows(entries: list[ModelEntry]) -> tuple[list[str], list[list]]:
    """Header and rows of fixed_points.csv: one row per (model, fixed point); skipped models get one row."""
    header = ["model", "width", "rows", "weights", "biases", "neurons", "activation", "prior", "skipped",
              "states", "rank_K", "max_nonnegative_rank", "closed_classes", "source", "rank", "family_dimension",
              "physical", "finite_couplings", "stable", "relevant", "marginal", "irrelevant", "max_eigenvalue",
              "spectrum_matches", "exact", "residual", "xi", "nu_near", "reached_from_beta_v"]
    out = []
    for e in entries:
        m = e.model
        base = [m.name, m.width, m.rows, " ".join(f"{v:g}" for v in m.weights),
                " ".join(f"{v:g}" for v in m.biases), " ".join(f"{v:g}" for v in m.neurons), m.activation, m.prior]
        if e.skipped:
            out.append(base + [e.skipped] + [""] * (len(header) - len(base) - 1))
            continue
        for p in e.points:
            counts = p.point.linearization.counts()
            lam = p.point.linearization.eigenvalues
            out.append(base + ["", e.states, e.rank_K, e.witness.rank, len(e.closed_classes), "; ".join(p.sources),
                               p.point.rank, theory.family_dimension(e.states, p.point.rank), p.point.physical,
                               p.finite_couplings, p.point.stable, counts["relevant"], counts["marginal"],
                               counts["irrelevant"], float(np.abs(lam).max(initial=0.0)), p.spectrum_matches,
                               p.exact, f"{p.point.residual:.3g}", p.xi, p.nu_near,
                               " ".join(f"{b:g}" for b in p.reached_from)])
    return header, out


def model_rows(entries: list[ModelEntry]) -> tuple[list[str], list[list]]:
    """Header and rows of models.csv: one row per model."""
    header = ["model", "skipped", "states", "rank_K", "closed_classes", "max_nonnegative_rank", "fixed_points",
              "physical_unstable", "reached_unstable", "finite_coupling_unstable", "consistent",
              "newton_starts", "newton_non_converged", "seconds"]
    rows = []
    for e in entries:
        if e.skipped:
            rows.append([e.model.name, e.skipped] + [""] * (len(header) - 2))
            continue
        rows.append([e.model.name, "", e.states, e.rank_K, len(e.closed_classes), e.witness.rank, len(e.points),
                     e.physical_unstable, e.reached_unstable, e.finite_coupling_unstable, e.consistent,
                     e.newton["starts"], e.newton["non_converged"], round(e.seconds, 3)])
    return header, rows


def flow_figure(entry: ModelEntry):
    """xi of T_n and sigma_2/sigma_1 of E_n along the flows from E(beta_v), with the fixed points' ranks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    for label, flow in entry.flows.items():
        n = np.arange(len(flow["xi"]))
        values = np.array(flow["xi"], dtype=float)
        shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
        ax1.semilogy(n, shown, marker=".", label=f"beta_v = {label}")
        ax2.semilogy(n, np.maximum(flow["sigma_ratio"], 1e-17), marker=".", label=f"beta_v = {label}")
    ax1.set_xlabel("RG step n")
    ax1.set_ylabel("xi of T_n (halves per step)")
    ax1.legend(fontsize=7)
    ax2.set_xlabel("RG step n")
    ax2.set_ylabel("sigma_2 / sigma_1 of E_n")
    ax2.set_title("-> 0: flow to rank 1 (stable); const: rank >= 2", fontsize=8)
    ranks = sorted({p.point.rank for p in entry.points if p.point.physical and p.unstable})
    fig.suptitle(f"{entry.model.name}\nphysical unstable ranks: {ranks or 'none'}", fontsize=9)
    fig.tight_layout()
    return fig


# -- reproduction report -------------------------------------------------------------------------------------
def report_checks(out_dir=None) -> list[dict]:
    """Checks "catalog" (footnote 12 / Sec IV) and "fig6" (renormalized DNN) for ``deeprg reproduce``.

    Uses the models with at most 4 layer states and uniform prior (36 models; the theorems behind the verdicts
    hold for every K, and the full catalog is ``deeprg rg catalog``).
    """
    from ..results import save_figure
    from .renormalized_network import report_checks as fig6_checks

    models = [m for m in model_family(("uniform",)) if m.width * m.rows <= 2]
    entries = run_catalog(models, workers=1, newton_starts=8)
    summary = answer(entries)
    valid = summary["valid"]
    claim = ("models beyond assumptions (i)-(iii) exhibit unstable fixed points, or critical points, where RG flows "
             "diverge within realistic coupling regions")
    paper = ("Sec IV: 'we anticipate that more general and complex deep learning models ... will exhibit unstable "
             "fixed points, or critical points, where RG flows diverge within realistic coupling regions' "
             "(footnote 12)")
    detail = (f"{valid} valid models of the family with S <= 4 layer states ({summary['skipped']} invalid "
              f"combinations skipped), {summary['fixed_points']} fixed points, max residual "
              f"{summary['max_residual']:.2g}, spectra equal to the universal {{2,1,0}} prediction in "
              f"{valid - len(summary['inconsistent_with_theory'])}/{valid} models. Physical unstable (nonnegative, "
              f"rank >= 2): {summary['physical_unstable']}. Reached from the model's own beta_v: "
              f"{summary['reached_unstable']}. With finite real couplings: {summary['finite_coupling_unstable']}. "
              + summary["reason"])
    reached = [e for e in entries if e.reached_unstable]
    nus = {e.model.name: round(e.beta_v_scaling["nu"], 4) for e in reached}
    others = max((abs(e.beta_v_scaling["nu"]) for e in entries if not e.skipped and not e.reached_unstable),
                 default=0.0)
    detail += (f" Scaling near the reached point: xi(beta_v) ~ exp(nu g beta_v) (g the cheapest mismatch energy) "
               f"gives nu = {nus} (1/y = 1); for every other model |nu| <= {others:.3g} (xi stays finite as "
               "beta_v -> inf).")
    figures = []
    if out_dir is not None and reached:
        path = Path(out_dir) / "catalog_flow.png"
        save_figure(flow_figure(reached[0]), path)
        figures.append(str(path))
    checks = [
        {"id": "catalog", "claim": claim + " (any physical coupling, infinite ones allowed)", "paper": paper,
         "computed": f"{len(summary['physical_unstable'])} of {valid} models have a physical unstable fixed point; "
                     f"{len(summary['reached_unstable'])} reach one from their own beta_v (at beta_v = inf)",
         "verdict": "agrees" if summary["physical_unstable"] else "disagrees", "detail": detail,
         "figures": figures},
        {"id": "catalog-finite", "claim": claim + " (finite real couplings)", "paper": paper,
         "computed": f"{len(summary['finite_coupling_unstable'])} of {valid} models have an unstable fixed point "
                     "with finite real couplings",
         "verdict": "agrees" if summary["finite_coupling_unstable"] else "disagrees", "detail": detail},
    ]
    return checks + fig6_checks(out_dir)

