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
import math
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
from . import ffbs, gibbs, original
from ._kernels import position_averages
from .observables import Correlation, bulk_window, correlation, correlation_length
from .tables import ChainState

SYSTEMS = ("dna", "dnn")
METHODS = {"dna": ("gibbs", "exact"), "dnn": ("metropolis", "exact")}
DEFAULT_METHOD = {"dna": "gibbs", "dnn": "metropolis"}


class Sampler(NamedTuple):
    prepare: Callable
    init: Callable
    step: Callable


SAMPLERS = {"gibbs": Sampler(gibbs.prepare, gibbs.init, gibbs.step),
            "metropolis": Sampler(original.prepare, original.init, original.step),
            "exact": Sampler(ffbs.prepare, ffbs.init, ffbs.step)}


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
    r = 0..rmax on the neuron (``row``, ``unit``).
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

    def __post_init__(self):
        if not isinstance(self.spec, NetworkSpec):
            raise TypeError(f"spec: must be a NetworkSpec, got {type(self.spec).__name__}")
        object.__setattr__(self, "spec", system_spec(self.system, self.spec))
        method = DEFAULT_METHOD[self.system] if self.method is None else self.method
        if method not in METHODS[self.system]:
            raise ValueError(f"method: {method!r} does not sample system {self.system!r}; allowed: "
                             f"{METHODS[self.system]} (gibbs is the DNA's heat bath, metropolis the DNN's)")
        object.__setattr__(self, "method", method)
        if method == "gibbs" and math.isinf(self.spec.beta_v):
            raise ValueError("beta_v: the DNA Gibbs sampler needs a finite beta_v; beta_v = inf is the plain "
                             "network: use system 'dnn' (or method 'exact')")
        for name, minimum in (("chains", 1), ("sweeps", 2), ("burn_in", 0), ("rmax", 0), ("block", 1),
                              ("row", 0), ("unit", 0), ("seed", 0)):
            object.__setattr__(self, name, check_int(name, getattr(self, name), minimum))
        if self.row >= self.spec.rows or self.unit >= self.spec.width:
            raise ValueError(f"row/unit: ({self.row}, {self.unit}) outside rows {self.spec.rows}, "
                             f"width {self.spec.width}")
        bulk_window(self.spec.depth, self.rmax)
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

    state: ChainState
    series: np.ndarray  # (chains, sweeps, rmax + 2) position-averaged products and mean, first `filled` valid
    sums: np.ndarray  # (M, L N) sum over chains and measured sweeps of the neuron values
    seconds: float  # sampling time spent so far


@dataclass(frozen=True)
class MCResult:
    config: MCConfig
    correlation: Correlation
    G_exact: np.ndarray
    mean_exact: float
    xi_exact: float
    xi_mc: float
    mean_h: np.ndarray
    acceptance: float | None
    seconds: float
    site_updates: int
    series: np.ndarray  # (chains, sweeps, rmax + 2) time series of P(r) and H (diagnostics; not in to_dict)

    __repr__ = compact_repr  # shapes and ends of the series, not the whole time series

    @property
    def z(self) -> np.ndarray:
        """(G_MC - G_exact) / G_err for each r."""
        return (self.correlation.G - self.G_exact) / self.correlation.G_err

    def to_dict(self) -> dict:
        c = self.correlation
        return {"G": c.G, "G_err": c.G_err, "G_exact": self.G_exact, "z": self.z,
                "mean": c.mean, "mean_err": c.mean_err, "mean_exact": self.mean_exact,
                "xi_exact": self.xi_exact, "xi_mc": self.xi_mc, "mean_h": self.mean_h,
                "tau_int": c.tau_int, "ess": c.ess, "r_hat": c.r_hat, "acceptance": self.acceptance,
                "window": bulk_window(self.config.spec.depth, self.config.rmax),
                "seconds": self.seconds, "site_updates": self.site_updates,
                "site_updates_per_ns": self.site_updates / max(self.seconds, 1e-12) / 1e9,
                "system": self.config.system, "method": self.config.method,
                "config": self.config.to_dict(), "spec": self.config.spec.to_dict()}


def _neuron_values(states: np.ndarray, row: int, unit: int) -> np.ndarray:
    return np.ascontiguousarray(states[:, row, unit], dtype=float)


def _fresh(config: MCConfig, sampler: Sampler, tables) -> Progress:
    spec = config.spec
    state = sampler.init(tables, spec.depth, config.chains, np.random.default_rng(config.seed))
    series = np.zeros((config.chains, config.sweeps, config.rmax + 2))
    return Progress(state, series, np.zeros((spec.depth, spec.rows * spec.width)), 0.0)


def _fingerprint(config: MCConfig) -> str:
    return json.dumps(config.to_dict() | {"block": None}, sort_keys=True, default=str)


def save_checkpoint(path: Path, config: MCConfig, progress: Progress) -> None:
    """Write the chains and accumulators atomically (npz)."""
    s = progress.state

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, h=s.h, c=s.c, keys=s.keys, sweep=s.sweep, accepted=s.accepted, series=progress.series,
                     sums=progress.sums, seconds=progress.seconds, config=_fingerprint(config))

    atomic_write(Path(path), write)


def load_checkpoint(path: Path, config: MCConfig) -> Progress:
    """Read a checkpoint written by :func:`save_checkpoint` for the same ``config``.

    Raises ValueError naming the file when it is empty, corrupt, not a checkpoint, or from other options.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            fingerprint = str(data["config"])
            state = ChainState(data["h"], data["c"], data["keys"], int(data["sweep"]), data["accepted"])
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
    """
    from ..exact import build, bulk

    spec = config.spec
    sampler = SAMPLERS[config.method]
    tables = sampler.prepare(spec)
    layer = getattr(tables, "layer", tables)
    value = _neuron_values(layer.states, config.row, config.unit)
    flat_states = layer.states.reshape(len(layer.states), -1)
    lo, hi = bulk_window(spec.depth, config.rmax)
    path = Path(checkpoint) if checkpoint is not None else None
    advance = progress if progress is not None else (lambda n: None)
    progress = load_checkpoint(path, config) if path is not None and path.exists() else _fresh(config, sampler,
                                                                                               tables)
    total = config.total_sweeps
    blocks_done = 0
    try:
        advance(progress.state.sweep)
        while progress.state.sweep < total:
            start = time.perf_counter()
            state, series, sums = progress.state, progress.series, progress.sums.copy()
            for _ in range(min(config.block, total - state.sweep)):
                state = sampler.step(tables, state, 1)
                t = state.sweep - 1 - config.burn_in
                if t >= 0:
                    position_averages(state.h, value, lo, hi, config.rmax, series, t)
                    sums += flat_states[state.h[:, 1:spec.depth + 1]].sum(axis=0)
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
    tm = build(spec)
    exact_bulk = bulk(tm, config.rmax, config.row, config.unit)
    corr = correlation(progress.series)
    measured = config.chains * config.sweeps
    acceptance = (float(state.accepted.sum()) / (config.chains * total * (spec.depth + 1))
                  if config.method == "metropolis" else None)
    sites_per_sweep = spec.depth + 1 if config.method == "metropolis" else 2 * spec.depth + 1
    mean_h = (progress.sums / measured).reshape(spec.depth, spec.rows, spec.width)
    return MCResult(config, corr, exact_bulk.G, exact_bulk.mean, exact_bulk.xi,
                    correlation_length(corr.G, corr.G_err), mean_h, acceptance, progress.seconds,
                    config.chains * total * sites_per_sweep, progress.series)
