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
(:mod:`deeprg.sampling._bits`); chains are then grouped by 64 and each group uses the key of its first chain.
Only the neurons are drawn (``c`` is empty): given the neurons, the weight layers are independent draws from
the table of :mod:`deeprg.sampling.tables` when they are needed (:mod:`deeprg.sampling.ffbs` draws them).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..exact import FiniteChain, neuron_states
from ..model import NetworkSpec
from . import _bits, _kernels
from .tables import ChainState, layer_observables, measure, neuron_values, variables_per_sweep

State = ChainState
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


def init(tables: AncestralTables, depth: int, chains: int, rng: np.random.Generator) -> ChainState:
    """Keys for ``chains`` streams and an empty weight array; every :func:`step` redraws all neurons."""
    if isinstance(chains, bool) or not isinstance(chains, (int, np.integer)) or chains < 1:
        raise ValueError(f"chains: must be an integer >= 1, got {chains!r}")
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=chains, dtype=np.uint64, endpoint=True)
    # one byte per neuron for two-state layers: the unpacked draws are written 4x faster than int32
    h = np.zeros((chains, depth + 2), dtype=np.int8 if len(tables.states) == 2 else np.int32)
    h[:, -1] = len(tables.states)
    state = ChainState(h, np.zeros((chains, 0), dtype=np.int32), keys, 0, np.zeros(chains, dtype=np.int64))
    return step(tables, state, 1)._replace(sweep=0)


def step(tables: AncestralTables, state: ChainState, draws: int = 1) -> ChainState:
    """Advance by ``draws`` independent exact draws (only the last is kept); returns a new state."""
    h = np.empty_like(state.h)  # every draw overwrites the neurons h[:, 1..M]: only the ends are copied
    h[:, [0, -1]] = state.h[:, [0, -1]]
    new = state._replace(h=h, keys=state.keys.copy(), accepted=state.accepted.copy())
    if len(tables.states) == 2:
        _bits.ancestral_binary(new.h, new.keys, state.sweep, draws, tables.first_thr, tables.thr, tables.table_of)
    else:
        _kernels.ancestral_draws(new.h, new.keys, state.sweep, draws, tables.first_cdf, tables.cdfs,
                                 tables.table_of)
    return new._replace(sweep=state.sweep + draws)


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """A draw gives the neurons h_{l,i} only."""
    return variables_per_sweep(spec, weights=False)


__all__ = ["AncestralTables", "State", "init", "layer_observables", "measure", "neuron_values", "prepare",
           "sites_per_sweep", "step"]
