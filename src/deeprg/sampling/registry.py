r"""The one registry of Monte Carlo samplers: one :class:`SamplerRule` record per sampler.

:func:`deeprg.sampling.run`, the ``--method`` choices of ``deeprg mc`` and the ``auto`` choice all read
:data:`SAMPLERS`; a new sampler is one :func:`register` call with its record (NetKet-style rules). A rule says
which system it samples, when it is valid for a spec (``invalid(spec)`` returns the reason it is not, or None),
its pure ``prepare``/``init``/``step`` functions, how to read the per-layer observables off its state, and
whether its draws are exact and independent. ``auto`` takes the first valid rule in :data:`AUTO_ORDER` that
also has enough chains (:data:`AUTO_MIN_CHAINS`: the multispin kernels pack 64 chains per machine word).

Observables of a layer m (Lee, Lee & Yi's neurons; definitions shared with the exact engine): the single unit
:math:`h^{(m)}_{\text{row},\text{unit}}`, the magnetization :math:`\frac1N\sum_i h^{(m)}_{0i}` and the overlap of
the first two data rows :math:`\frac1N\sum_i h^{(m)}_{0i} h^{(m)}_{1i}` (zero when L = 1).
"""

from __future__ import annotations

import importlib
import math
from types import ModuleType
from typing import Callable, NamedTuple

MAX_STATE_BYTES = 3 << 30  # chains of one run must fit a shared machine


class SamplerRule(NamedTuple):
    """One sampler. Its module (``deeprg.sampling.<module>``, imported on first use so that reading the
    registry stays cheap) provides ``prepare(spec)``, ``init(tables, depth, chains, rng)``,
    ``step(tables, state, sweeps)``, ``layer_observables(tables, state, row, unit, lo, hi)`` -> (3, chains,
    hi - lo + 1), ``neuron_values(tables, state)`` -> (chains, M, L N), ``sites_per_sweep(spec, tables)``, the
    state type ``State`` and optionally ``diagnostics(tables, state, sweeps, chains)`` -> dict."""

    name: str
    systems: tuple[str, ...]  # of "dna", "dnn"
    exact: bool  # independent exact draws (one "sweep" = one draw)
    help: str
    module: str
    invalid: Callable  # spec -> why the sampler cannot run it, or None
    options: tuple[str, ...] = ()  # MCConfig fields passed to prepare(spec, **options)

    @property
    def impl(self) -> ModuleType:
        return importlib.import_module(f"deeprg.sampling.{self.module}")

    def __getattr__(self, name):  # prepare, init, step, ... of the sampler module
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.impl, name)


SAMPLERS: dict[str, SamplerRule] = {}
AUTO_ORDER = {"dna": ("multispin", "gibbs", "local"), "dnn": ("multispin", "metropolis")}  # tempering: explicitly
AUTO_MIN_CHAINS = {"multispin": 64}  # fewer chains would leave most lanes of its words idle


def register(rule: SamplerRule) -> SamplerRule:
    if rule.name in SAMPLERS or rule.name == "auto":
        raise ValueError(f"name: sampler {rule.name!r} is already registered")
    SAMPLERS[rule.name] = rule
    return rule


def methods(system: str) -> tuple[str, ...]:
    """Names of the samplers of ``system`` (besides "auto")."""
    return tuple(name for name, rule in SAMPLERS.items() if system in rule.systems)


def resolve(system: str, method: str | None, spec, chains: int | None = None) -> SamplerRule:
    """The rule for ``method`` ("auto"/None: the first valid one of :data:`AUTO_ORDER` for ``chains`` chains,
    None counting as few); ValueError naming the reason when it cannot sample ``spec``."""
    allowed = methods(system)
    if method is None or method == "auto":
        reasons = []
        for name in AUTO_ORDER[system]:
            if (chains or 0) < AUTO_MIN_CHAINS.get(name, 0):
                continue
            reason = SAMPLERS[name].invalid(spec)
            if reason is None:
                return SAMPLERS[name]
            reasons.append(reason)
        if len(set(reasons)) == 1:  # one reason for all (e.g. beta_v = inf for every DNA sampler)
            raise ValueError(reasons[0])
        tried = [n for n in AUTO_ORDER[system] if (chains or 0) >= AUTO_MIN_CHAINS.get(n, 0)]
        raise ValueError(f"method: no sampler of system {system!r} can run this spec: "
                         + "; ".join(f"{n}: {r}" for n, r in zip(tried, reasons)))
    if method not in allowed:
        raise ValueError(f"method: {method!r} does not sample system {system!r}; allowed: auto, "
                         f"{', '.join(allowed)} (gibbs/local are the DNA's heat baths, metropolis the DNN's)")
    reason = SAMPLERS[method].invalid(spec)
    if reason is not None:
        raise ValueError(f"method: {method} cannot run this spec: {reason}")
    return SAMPLERS[method]


# -- validity ----------------------------------------------------------------------------------------------
def _finite_beta_v(spec) -> str | None:
    if math.isinf(spec.beta_v):
        return ("beta_v: the DNA Gibbs sampler needs a finite beta_v; beta_v = inf is the plain network: use "
                "system 'dnn' (or method 'exact')")
    return None


def _tables_fit(spec) -> str | None:
    from .tables import MAX_TABLE_ENTRIES, magnitude, table_entries

    size = table_entries(spec)
    if size > MAX_TABLE_ENTRIES:
        return (f"width/rows: the sampler tables would hold {magnitude(size)} entries (> {MAX_TABLE_ENTRIES:.3g}); "
                "use --method local (DNA), fewer rows, a smaller width or smaller value sets")
    return None


def _exact_fits(spec) -> str | None:
    from ..exact.transfer import MAX_STATES
    from .tables import magnitude

    states = len(spec.values.neurons) ** (spec.rows * spec.width)
    if states > MAX_STATES:
        return f"width/rows: a layer has {magnitude(states)} joint states (> {MAX_STATES}); exact draws need fewer"
    return _tables_fit(spec)


def _transfer_fits(spec) -> str | None:
    from ..exact.transfer import MAX_STATES
    from ..model import count_weight_configurations
    from .observables import MAX_EXACT_WORK
    from .tables import magnitude

    states = len(spec.values.neurons) ** (spec.rows * spec.width)
    if states > MAX_STATES or states * count_weight_configurations(spec) > MAX_EXACT_WORK:
        return (f"width/rows: the transfer matrices need {magnitude(states)} joint states x "
                f"{magnitude(count_weight_configurations(spec))} weight configurations (too many)")
    return None


def _local_fits(spec) -> str | None:
    reason = _finite_beta_v(spec)
    N, M, L = spec.width, spec.depth, spec.rows
    chain_bytes = (M + 2) * L * N + (M + 1) * (N * N + N) + 8 * (M + 1) * L * N  # int8 h, W, b; float64 cache
    if reason is None and chain_bytes > MAX_STATE_BYTES:
        reason = f"width/depth: one chain would take {chain_bytes / 2**30:.1f} GiB (> {MAX_STATE_BYTES / 2**30:.0f} GiB)"
    return reason


def _multispin_fits(spec) -> str | None:
    from .multispin import unsupported  # imported on use: it loads Numba

    return unsupported(spec)


def _first(*checks):
    def invalid(spec):
        for check in checks:
            reason = check(spec)
            if reason is not None:
                return reason
        return None
    return invalid


register(SamplerRule("gibbs", ("dna",), False, "DNA heat bath drawing each layer's (W, b) and h jointly from "
                     "tables (small N L)", "gibbs", _first(_finite_beta_v, _tables_fit)))
register(SamplerRule("local", ("dna",), False, "DNA single-site heat bath with cached pre-activations (any N, L), "
                     "plus segment regrowth with an exact bridge where it applies", "local", _local_fits,
                     ("bridge_moves",)))
register(SamplerRule("multispin", ("dna", "dnn"), False, "DNA heat bath / DNN Metropolis of the Fig 7 toy (N = L "
                     "= 1, two values of W, b and h), 64 chains per machine word; auto's choice from 64 chains", "multispin",
                     _multispin_fits))
register(SamplerRule("metropolis", ("dnn",), False, "DNN Metropolis with prior proposals per weight layer",
                     "original", _tables_fit))
register(SamplerRule("exact", ("dna", "dnn"), True, "independent exact draws (forward filter, backward sample)",
                     "ffbs", _exact_fits))
register(SamplerRule("ancestral", ("dna", "dnn"), True, "independent exact draws of the neurons, forward with "
                     "the backward vectors (64 chains per word for one binary neuron per layer)", "ancestral",
                     _transfer_fits))
register(SamplerRule("tempering", ("dna",), False, "parallel tempering in beta_v (--replicas levels down to "
                     "--beta-v-min) around the local heat bath, for slow large-beta_v and sign models",
                     "tempering", _local_fits, ("replicas", "beta_v_min")))
