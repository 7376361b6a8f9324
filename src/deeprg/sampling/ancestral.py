r"""Exact ancestral sampling of the neurons: forward draws with the backward vectors, bit-packed for two-state
layers (Lee, Lee & Yi, eqs 13-16).

Summing the weights out leaves :math:`P(h^{(1..M)}) \propto u[h^{(1)}] \prod_{m<M} T[h^{(m)}, h^{(m+1)}]\,
v[h^{(M)}]` (:mod:`deeprg.exact.transfer`). With the backward vectors :math:`\beta_m \propto T^{M-m} v`,

.. math::

    P(h^{(1)} = s) \propto u[s]\,\beta_1[s], \qquad
    P(h^{(m+1)} = s' \mid h^{(m)} = s) = \frac{T[s, s']\,\beta_{m+1}[s']}{(T\beta_{m+1})[s]},

a Markov chain drawn forward, one categorical per layer. Far from the output :math:`\beta_m` is the Perron
vector of T, so all bulk layers share one table and only the last few layers (until :math:`\beta_m` has
converged to double precision) need their own: memory O(S^2) instead of O(M S^2). When the rows of T sum to a
constant (e.g. binary neuron values, where :math:`\sum_{h'} E[h', t]` does not depend on t), the bulk table is
T divided by that constant: the forward pass of prior weights followed by independent constraint noise.

Compared with FFBS (:mod:`deeprg.sampling.ffbs`), no forward filtering over S states per layer is needed, and
for S = 2 (one binary neuron per layer, the Fig 7 toy) 64 chains are drawn per machine word
(:mod:`deeprg.sampling._bits`); chains are then grouped by 64 and each group uses the key of its first chain,
the state stays bit-packed and is measured with popcounts (:mod:`deeprg.sampling._multispin`); values are
unpacked only when asked for.
Only the neurons are drawn (``c`` is empty): given the neurons, the weight layers are independent draws from
the table of :mod:`deeprg.sampling.tables` when they are needed (:mod:`deeprg.sampling.ffbs` draws them).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..exact import FiniteChain, neuron_states
from ..model import NetworkSpec
from . import _bits, _kernels
from .tables import ChainState, variables_per_sweep
from .tables import layer_observables as tables_layer_observables
from .tables import measure as tables_measure
from .tables import neuron_values as tables_neuron_values

_SCALE = float(1 << _bits.BITS)


class AncestralTables(NamedTuple):
    states: np.ndarray  # (S, L, N)
    first_cdf: np.ndarray  # (S,) cumulative P(h^(1))
    cdfs: np.ndarray  # (K, S, S) cumulative forward conditionals; table 0 is the bulk
    table_of: np.ndarray  # (M - 1,) int64: table of the transition m -> m + 1
    first_thr: np.uint64  # S = 2: 2^53 P(h^(1) = 1)
    thr: np.ndarray  # S = 2: (K, 2) uint64, 2^53 P(h' = 1 | h)


def _cdf(w: np.ndarray) -> np.ndarray:
    c = np.cumsum(w, axis=-1)
    c /= c[..., -1:]
    c[..., -1] = 1.0
    return c


def prepare(spec: NetworkSpec) -> AncestralTables:
    chain = FiniteChain.solve(spec)
    T, beta, M = chain.tm.T, chain.beta, spec.depth
    bulk = beta[0] / beta[0].sum()
    own = [m for m in range(2, M + 1) if not np.allclose(beta[m - 1] / beta[m - 1].sum(), bulk, rtol=1e-14,
                                                         atol=0)]
    tables = [T * bulk[None, :]] + [T * beta[m - 1][None, :] for m in own]
    table_of = np.zeros(max(M - 1, 0), dtype=np.int64)
    for k, m in enumerate(own, start=1):
        table_of[m - 2] = k  # transition (m - 1) -> m
    cdfs = _cdf(np.array(tables))
    first = chain.tm.u * beta[0]
    first_cdf = _cdf(first)
    S = len(first)
    if S == 2:
        first_thr = np.uint64(min(int((1.0 - first_cdf[0]) * _SCALE), 1 << _bits.BITS))
        thr = np.array([[min(int((1.0 - c[s, 0]) * _SCALE), 1 << _bits.BITS) for s in range(2)] for c in cdfs],
                       dtype=np.uint64)
    else:
        first_thr, thr = np.uint64(0), np.zeros((0, 2), dtype=np.uint64)
    return AncestralTables(neuron_states(spec), first_cdf, cdfs, table_of, first_thr, thr)


class AncestralState(NamedTuple):
    """h: (chains, M+2) state indices (as :class:`deeprg.sampling.tables.ChainState`; (chains, 0) when packed);
    H: (words, M+2) uint64, the same bit-packed 64 chains per word for two-state layers ((0, 0) otherwise);
    keys: (chains,) uint64; chains: 0-d int64; sweep: draws so far; accepted: zeros (exact draws)."""

    h: np.ndarray
    H: np.ndarray
    keys: np.ndarray
    chains: np.ndarray
    sweep: int
    accepted: np.ndarray

    def copy(self) -> "AncestralState":
        return AncestralState(self.h.copy(), self.H.copy(), self.keys.copy(), np.array(self.chains), self.sweep,
                              self.accepted.copy())


State = AncestralState


def _packed(tables: AncestralTables) -> bool:
    return len(tables.states) == 2


def init(tables: AncestralTables, depth: int, chains: int, rng: np.random.Generator) -> AncestralState:
    """Keys for ``chains`` streams; every :func:`step` redraws all neurons."""
    if isinstance(chains, bool) or not isinstance(chains, (int, np.integer)) or chains < 1:
        raise ValueError(f"chains: must be an integer >= 1, got {chains!r}")
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=chains, dtype=np.uint64, endpoint=True)
    packed = _packed(tables)
    h = np.zeros((chains, 0 if packed else depth + 2), dtype=np.int32)
    h[:, -1:] = len(tables.states)
    H = np.zeros(((chains + 63) // 64, depth + 2) if packed else (0, 0), dtype=np.uint64)
    state = AncestralState(h, H, keys, np.array(chains, dtype=np.int64), 0, np.zeros(chains, dtype=np.int64))
    return step(tables, state, 1)._replace(sweep=0)


def step(tables: AncestralTables, state: AncestralState, draws: int = 1) -> AncestralState:
    """Advance by ``draws`` independent exact draws (only the last is kept); returns a new state."""
    new = state.copy()
    if _packed(tables):
        _bits.ancestral_binary(new.H, new.keys, state.sweep, draws, tables.first_thr, tables.thr, tables.table_of)
    else:
        _kernels.ancestral_draws(new.h, new.keys, state.sweep, draws, tables.first_cdf, tables.cdfs,
                                 tables.table_of)
    return new._replace(sweep=state.sweep + draws)


def _joint(tables: AncestralTables, state: AncestralState) -> ChainState:
    """The chains as a :class:`ChainState` of state indices (unpacked from the bit planes)."""
    h = state.h
    if _packed(tables):
        h = np.zeros((int(state.chains), state.H.shape[1]), dtype=np.int8)
        h[:, 1:-1] = _bits.unpack_lanes(state.H[:, 1:-1], int(state.chains))
        h[:, -1] = len(tables.states)  # the output slot holds the pseudo-state S, as in init
    return ChainState(h, np.zeros((len(h), 0), dtype=np.int32), state.keys, state.sweep, state.accepted)


def neuron_values(tables: AncestralTables, state: AncestralState) -> np.ndarray:
    """(chains, M, L N) values of the dynamic neurons."""
    return tables_neuron_values(tables, _joint(tables, state))


def layer_observables(tables: AncestralTables, state: AncestralState, row: int, unit: int, lo: int,
                      hi: int) -> np.ndarray:
    """(3, chains, hi - lo + 1) unit, magnetization and overlap of layers lo..hi."""
    return tables_layer_observables(tables, _joint(tables, state), row, unit, lo, hi)


def measure(tables: AncestralTables, state: AncestralState, row: int, unit: int, lo: int, hi: int, rmax: int,
            series: np.ndarray, sums: np.ndarray, t: int) -> None:
    """One measured draw in compiled code (:func:`deeprg.sampling.tables.measure`); two-state layers are
    measured on the bit planes (popcounts, :func:`deeprg.sampling._multispin.measure_words`)."""
    if not _packed(tables):
        tables_measure(tables, state, row, unit, lo, hi, rmax, series, sums, t)
        return
    from . import _multispin
    from .multispin import add_counted_values

    values = tables.states.ravel()
    counts = np.zeros((len(state.H), state.H.shape[1] - 2), dtype=np.int64)
    _multispin.measure_words(state.H, int(state.chains), lo, hi, rmax, float(values[0]),
                             float(values[1] - values[0]), series, counts, t)
    add_counted_values(sums, counts, int(state.chains), values)


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """A draw gives the neurons h_{l,i} only."""
    return variables_per_sweep(spec, weights=False)


__all__ = ["AncestralState", "AncestralTables", "State", "init", "layer_observables", "measure", "neuron_values",
           "prepare", "sites_per_sweep", "step"]
