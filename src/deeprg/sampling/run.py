r"""A Monte Carlo run: burn-in, measured sweeps, checkpoint and resume, and the result of Fig 7.

Work proceeds in blocks of ``block`` sweeps. The state and the accumulators are committed together at the end
of every block, so Ctrl-C (KeyboardInterrupt) always finds a consistent pair: it is written to the checkpoint
file atomically and the interrupt is re-raised. A later run with the same checkpoint file and the same
configuration continues from there. Because every random number is a pure function of the chain key and the
sweep counter (:mod:`deeprg.sampling._kernels`), the resumed run reproduces the uninterrupted one bit for bit.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from ..display import compact_repr
from ..memory import require_memory
from ..model import NetworkSpec
from ..results import atomic_write
from ..validation import check_int
from . import registry
from .observables import OBSERVABLES, Correlation, ExactBulk, bulk_window, correlation, correlation_length, exact_bulk

SYSTEMS = ("dna", "dnn")


def system_spec(system: str, spec: NetworkSpec) -> NetworkSpec:
    """The ensemble of a system: the DNA (eq 13) or the plain network with the original cost (eqs 8-9)."""
    if system not in SYSTEMS:
        raise ValueError(f"system: must be one of {SYSTEMS}, got {system!r}")
    return spec.replace(hamiltonian="dna" if system == "dna" else "original")


@dataclass(frozen=True)
class MCConfig:
    """What to sample and how long; validated at construction.

    ``sweeps`` measured sweeps (exact draws for ``method="exact"``) follow ``burn_in`` unmeasured ones, for each
    of ``chains`` independent chains seeded from ``numpy.random.default_rng(seed)``. G(r) is measured for
    r = 0..rmax on the neuron (``row``, ``unit``), and on the magnetization and overlap of every layer.
    ``method`` None or "auto" picks a sampler from :mod:`deeprg.sampling.registry` (for the Fig 7 toy with at
    least 64 chains the multispin kernel, else the joint-table heat bath when its tables fit, else the local
    one); the resolved name is stored.
    """

    spec: NetworkSpec
    system: str = "dna"
    method: str | None = None
    chains: int = 16
    sweeps: int = 2000
    burn_in: int = 200
    seed: int = 0
    rmax: int = 20
    block: int = 50
    row: int = 0
    unit: int = 0
    replicas: int = 4
    beta_v_min: float | None = None
    bridge_moves: bool = True  # local: segment moves of deeprg.sampling.bridge where they apply

    def __post_init__(self):
        if not isinstance(self.spec, NetworkSpec):
            raise TypeError(f"spec: must be a NetworkSpec, got {type(self.spec).__name__}")
        object.__setattr__(self, "spec", system_spec(self.system, self.spec))
        for name, minimum in (("chains", 1), ("sweeps", 2), ("burn_in", 0), ("rmax", 0), ("block", 1),
                              ("row", 0), ("unit", 0), ("seed", 0)):
            object.__setattr__(self, name, check_int(name, getattr(self, name), minimum))
        object.__setattr__(self, "method", registry.resolve(self.system, self.method, self.spec, self.chains).name)
        if self.row >= self.spec.rows or self.unit >= self.spec.width:
            raise ValueError(f"row/unit: ({self.row}, {self.unit}) outside rows {self.spec.rows}, "
                             f"width {self.spec.width}")
        bulk_window(self.spec.depth, self.rmax)
        if not isinstance(self.bridge_moves, bool):
            raise TypeError(f"bridge_moves: must be True or False, got {self.bridge_moves!r}")
        if self.method == "tempering":
            object.__setattr__(self, "replicas", check_int("replicas", self.replicas, 2))
            low = self.spec.beta_v / 4 if self.beta_v_min is None else self.beta_v_min
            if isinstance(low, bool) or not isinstance(low, (int, float, np.integer, np.floating)) or not (
                    0 < low < self.spec.beta_v):
                raise ValueError(f"beta_v_min: must lie in (0, beta_v = {self.spec.beta_v:g}), got {low!r}")
        spec = self.spec
        per_depth = 8.0 * (2 * self.chains * (spec.depth + 2) + spec.depth * spec.rows * spec.width)
        per_sweep = 8.0 * self.chains * self.sweeps * (self.rmax + 2)  # the stored time series
        name, value = ("depth", spec.depth) if per_depth >= per_sweep else ("sweeps", self.sweeps)
        require_memory(per_depth + per_sweep, name, value, f"{self.chains} chains of depth {spec.depth} and "
                       f"{self.sweeps} measured sweeps")

    @property
    def total_sweeps(self) -> int:
        return self.burn_in + self.sweeps

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "spec"} | {
            "spec": self.spec.to_dict()}


class Progress(NamedTuple):
    """What a checkpoint holds: the chains and everything accumulated from them."""

    state: NamedTuple  # the sampler's state (its rule's ``state_type``)
    series: np.ndarray  # (3, chains, sweeps, rmax + 2) position-averaged products and mean of each observable
    sums: np.ndarray  # (M, L N) sum over chains and measured sweeps of the neuron values
    seconds: float  # sampling time spent so far


def z_scores(G: np.ndarray, G_exact, G_err: np.ndarray) -> np.ndarray | None:
    """(G - G_exact) / G_err, NaN (null in JSON) where G_err = 0 (an observable without fluctuations, e.g.
    h^2 = 1 for neurons +-1 at r = 0); None without an exact overlay."""
    if G_exact is None:
        return None
    diff = np.asarray(G, dtype=float) - np.asarray(G_exact, dtype=float)
    return np.divide(diff, G_err, out=np.full_like(diff, np.nan), where=np.asarray(G_err) > 0)


def _observable(corr: Correlation, exact: ExactBulk | None, name: str) -> dict:
    """JSON block of one observable; ``G_exact``/``mean_exact`` are null when no exact engine holds the spec."""
    G_exact = None if exact is None else exact.G.get(name)
    return {"G": corr.G, "G_err": corr.G_err, "mean": corr.mean, "mean_err": corr.mean_err,
            "tau_int": corr.tau_int, "ess": corr.ess, "r_hat": corr.r_hat, "G_exact": G_exact,
            "mean_exact": None if exact is None else exact.mean.get(name),
            "z": z_scores(corr.G, G_exact, corr.G_err)}


@dataclass(frozen=True)
class MCResult:
    """A finished run. ``G_exact``, ``mean_exact``, ``xi_exact`` and ``z`` are None when the exact engine cannot
    hold the spec; ``observables`` maps "magnetization" and (two or more rows) "overlap" to their G(r)."""

    config: MCConfig
    correlation: Correlation
    G_exact: np.ndarray | None
    mean_exact: float | None
    xi_exact: float | None
    xi_mc: float
    mean_h: np.ndarray
    acceptance: float | None
    seconds: float
    site_updates: int
    series: np.ndarray  # (chains, sweeps, rmax + 2) time series of P(r) and H (diagnostics; not in to_dict)
    observables: dict  # name -> Correlation
    exact: ExactBulk | None
    sampler: dict | None = None  # sampler diagnostics (e.g. tempering's ladder and exchange acceptance)

    __repr__ = compact_repr  # shapes and ends of the series, not the whole time series

    @property
    def z(self) -> np.ndarray | None:
        """(G_MC - G_exact) / G_err for each r (None without an exact overlay)."""
        return z_scores(self.correlation.G, self.G_exact, self.correlation.G_err)

    def to_dict(self) -> dict:
        c = self.correlation
        spec = self.config.spec
        out = {"G": c.G, "G_err": c.G_err, "G_exact": self.G_exact, "z": self.z,
               "mean": c.mean, "mean_err": c.mean_err, "mean_exact": self.mean_exact,
               "xi_exact": self.xi_exact, "xi_mc": self.xi_mc, "mean_h": self.mean_h,
               "tau_int": c.tau_int, "ess": c.ess, "r_hat": c.r_hat, "acceptance": self.acceptance,
               "window": bulk_window(spec.depth, self.config.rmax),
               "seconds": self.seconds, "site_updates": self.site_updates,
               "site_updates_per_ns": self.site_updates / max(self.seconds, 1e-12) / 1e9,
               "system": self.config.system, "method": self.config.method,
               "exact_source": None if self.exact is None else self.exact.source, "sampler": self.sampler,
               "config": self.config.to_dict(), "spec": spec.to_dict()}
        for name in OBSERVABLES[1:]:
            corr = self.observables.get(name)
            out[name] = None if corr is None else _observable(corr, self.exact, name)
        return out


def _fresh(config: MCConfig, rule: registry.SamplerRule, tables) -> Progress:
    spec = config.spec
    state = rule.init(tables, spec.depth, config.chains, np.random.default_rng(config.seed))
    series = np.zeros((len(OBSERVABLES), config.chains, config.sweeps, config.rmax + 2))
    return Progress(state, series, np.zeros((spec.depth, spec.rows * spec.width)), 0.0)


def _fingerprint(config: MCConfig) -> str:
    return json.dumps(config.to_dict() | {"block": None}, sort_keys=True, default=str)


def save_checkpoint(path: Path, config: MCConfig, progress: Progress) -> None:
    """Write the chains and accumulators atomically (npz)."""
    fields = {f"state_{k}": v for k, v in progress.state._asdict().items()}

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **fields, series=progress.series, sums=progress.sums, seconds=progress.seconds,
                     config=_fingerprint(config))

    atomic_write(Path(path), write)


def load_checkpoint(path: Path, config: MCConfig) -> Progress:
    """Read a checkpoint written by :func:`save_checkpoint` for the same ``config``.

    Raises ValueError naming the file when it is empty, corrupt, not a checkpoint, or from other options.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            fingerprint = str(data["config"])
            state_type = registry.SAMPLERS[config.method].State
            state = state_type(**{k: data[f"state_{k}"] for k in state_type._fields})
            state = state._replace(sweep=int(state.sweep))
            progress = Progress(state, data["series"], data["sums"], float(data["seconds"]))
    except Exception:  # numpy raises EOFError, BadZipFile, KeyError, ValueError, OSError, ...
        what = "is empty" if Path(path).stat().st_size == 0 else "is not a deeprg checkpoint (unreadable npz)"
        raise ValueError(f"checkpoint: {path} {what}; delete it or give another --checkpoint file") from None
    if fingerprint != _fingerprint(config):
        raise ValueError(f"checkpoint: {path} was written by a run with other options; rerun with those "
                         "options or give a new --checkpoint file")
    return progress


def run(config: MCConfig, checkpoint: str | Path | None = None,
        on_block: Callable[[int], None] | None = None,
        progress: Callable[[int], None] | None = None) -> MCResult:
    """Sample ``config``; resume from ``checkpoint`` if it exists, write it on Ctrl-C and at the end.

    A checkpoint that already holds all ``config.total_sweeps`` sweeps is a finished run: its numbers are
    returned without sampling. Any KeyboardInterrupt (the CLI also turns SIGTERM into one) writes the last
    committed block before it propagates.

    ``on_block(k)`` is called after the k-th committed block (k = 1, 2, ...), e.g. to interrupt a test run;
    ``progress(n)`` after every n sweeps done (the CLI passes a progress bar's ``advance``).
    The exact overlay (G_exact) is computed only when the exact engine holds the spec, else left None.
    """
    from ._kernels import position_averages  # loads Numba: imported on use

    spec = config.spec
    rule = registry.SAMPLERS[config.method]

    def _measure(tables, state, row, unit, lo, hi, rmax, series, sums, t):  # samplers without their own
        position_averages(rule.layer_observables(tables, state, row, unit, lo, hi), rmax, series, t)
        sums += rule.neuron_values(tables, state).sum(axis=0)

    tables = rule.prepare(spec, **{name: getattr(config, name) for name in rule.options})
    lo, hi = bulk_window(spec.depth, config.rmax)
    path = Path(checkpoint) if checkpoint is not None else None
    advance = progress if progress is not None else (lambda n: None)
    progress = load_checkpoint(path, config) if path is not None and path.exists() else _fresh(config, rule, tables)
    total = config.total_sweeps
    blocks_done = 0
    run_block = getattr(rule.impl, "run_block", None)  # samplers that sweep and measure inside compiled code
    measure = getattr(rule.impl, "measure", _measure)
    try:
        advance(progress.state.sweep)
        while progress.state.sweep < total:
            start = time.perf_counter()
            # a copy per block: samplers may step in place, and Ctrl-C must find the committed pair
            state, series, sums = progress.state.copy(), progress.series, progress.sums.copy()
            if run_block is not None:
                state = run_block(tables, state, min(config.block, total - state.sweep), config.burn_in, series,
                                  sums, lo, hi, config.rmax)
            for _ in range(0 if run_block is not None else min(config.block, total - state.sweep)):
                state = rule.step(tables, state, 1)
                t = state.sweep - 1 - config.burn_in
                if t >= 0:
                    measure(tables, state, config.row, config.unit, lo, hi, config.rmax, series, sums, t)
            progress = Progress(state, series, sums, progress.seconds + time.perf_counter() - start)
            advance(config.block)
            blocks_done += 1
            if on_block is not None:
                on_block(blocks_done)
    except KeyboardInterrupt:
        if path is not None:
            save_checkpoint(path, config, progress)
        raise
    if path is not None:
        save_checkpoint(path, config, progress)

    state = progress.state
    exact = exact_bulk(spec, config.rmax, config.row, config.unit)
    corr = correlation(progress.series[0])
    observables = {name: correlation(progress.series[k]) for k, name in enumerate(OBSERVABLES)
                   if k > 0 and (name != "overlap" or spec.rows > 1)}
    measured = config.chains * config.sweeps
    acceptance = (float(state.accepted.sum()) / (config.chains * total * (spec.depth + 1))  # DNN Metropolis
                  if config.system == "dnn" and not rule.exact else None)
    mean_h = (progress.sums / measured).reshape(spec.depth, spec.rows, spec.width)
    diagnostics = getattr(rule.impl, "diagnostics", None)
    return MCResult(config, corr, None if exact is None else exact.G.get("unit"),
                    None if exact is None else exact.mean.get("unit"), None if exact is None else exact.xi,
                    correlation_length(corr.G, corr.G_err), mean_h, acceptance, progress.seconds,
                    config.chains * total * rule.sites_per_sweep(spec, tables), progress.series[0], observables,
                    exact, None if diagnostics is None else diagnostics(tables, state, total, config.chains))
