r"""Parallel tempering (replica exchange) in :math:`\beta_v` around the local heat bath of the DNA.

Each chain carries R replicas at :math:`\beta_v^{(0)} > \beta_v^{(1)} > \dots > \beta_v^{(R-1)}` (a geometric
ladder from the target :math:`\beta_v^{(0)} = \beta_v` down to ``beta_v_min``). A sweep is one local heat-bath
sweep of every replica (:mod:`deeprg.sampling.local`) followed by exchange attempts between neighbouring levels
(even pairs on even sweeps, odd pairs on odd sweeps). With the constraint energy
:math:`C = \sum_{m<M}\sum_{l,i} |h^{(m+1)}_{li} - \sigma(a^{(m)}_{li})|^p` (Lee, Lee & Yi, eq 14 at
:math:`\beta_v = 1`), the product of the replicas' DNA weights changes under the exchange of the configurations
at levels k and k+1 by

.. math::

    \frac{P_\text{new}}{P_\text{old}} = e^{(\beta_v^{(k)} - \beta_v^{(k+1)})(C_k - C_{k+1})},

the prior and the output cost being the same for both; accepting with :math:`\min(1, \cdot)` is Metropolis on the
product ensemble, so every level keeps its own DNA distribution and the target level mixes through the hot ones
(large :math:`\beta_v` and sign models, where single-site updates are slow). Exchanges swap the levels of two
replicas, not their arrays. Measurements use, in every chain, the replica at level 0.

Limitation: C is extensive (it grows with M L N), so neighbouring levels must differ by about
:math:`1/\sqrt{M L N}` in :math:`\beta_v` for exchanges to be accepted; a few levels suit shallow or narrow
networks only (width 8, two rows, depth 200: no exchange accepted with 4 levels from 0.8 to 0.2). The
acceptance of every pair is reported (``sampler.swap_acceptance`` in ``result.json``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model import NetworkSpec
from . import _kernels, _local_kernels, local

_SWAP_SALT = np.uint64(0xD1B54A32D192ED03)


class TemperingTables(NamedTuple):
    local: local.LocalTables
    ladder: np.ndarray  # (R,) beta_v of each level, ladder[0] the target


class TemperingState(NamedTuple):
    """R replicas per chain in local layout (slot c R + r); ``level`` the ladder level of each slot."""

    h: np.ndarray
    W: np.ndarray
    b: np.ndarray
    pre: np.ndarray
    keys: np.ndarray  # (C R,) one per slot; the key of slot c R also drives chain c's exchanges
    level: np.ndarray  # (C R,) int64
    swaps: np.ndarray  # (R - 1,) accepted exchanges between levels k and k + 1
    sweep: int

    def copy(self) -> "TemperingState":
        return TemperingState(self.h.copy(), self.W.copy(), self.b.copy(), self.pre.copy(), self.keys.copy(),
                              self.level.copy(), self.swaps.copy(), self.sweep)

    def replicas(self) -> local.LocalState:
        return local.LocalState(self.h, self.W, self.b, self.pre, self.keys, self.sweep)


State = TemperingState


def ladder(beta_v: float, beta_v_min: float, replicas: int) -> np.ndarray:
    """Geometric ladder of ``replicas`` values from beta_v down to beta_v_min."""
    if isinstance(replicas, bool) or not isinstance(replicas, (int, np.integer)) or replicas < 2:
        raise ValueError(f"replicas: parallel tempering needs an integer >= 2, got {replicas!r}")
    if not (0 < beta_v_min < beta_v):
        raise ValueError(f"beta_v_min: must lie in (0, beta_v = {beta_v:g}), got {beta_v_min!r}")
    return beta_v * (beta_v_min / beta_v) ** (np.arange(replicas) / (replicas - 1))


def prepare(spec: NetworkSpec, replicas: int = 4, beta_v_min: float | None = None) -> TemperingTables:
    """``beta_v_min`` defaults to beta_v / 4."""
    tables = local.prepare(spec)
    return TemperingTables(tables, ladder(spec.beta_v, spec.beta_v / 4 if beta_v_min is None else beta_v_min,
                                          replicas))


def init(tables: TemperingTables, depth: int, chains: int, rng: np.random.Generator) -> TemperingState:
    R = len(tables.ladder)
    if isinstance(chains, bool) or not isinstance(chains, (int, np.integer)) or chains < 1:
        raise ValueError(f"chains: must be an integer >= 1, got {chains!r}")
    level = np.tile(np.arange(R), chains)
    s = local.init(tables.local, depth, chains * R, rng, beta_v=tables.ladder[level])  # each at its own beta_v
    return TemperingState(s.h, s.W, s.b, s.pre, s.keys, level, np.zeros(R - 1, np.int64), 0)


def _exchange(tables: TemperingTables, state: TemperingState, sweep: int) -> None:
    R = len(tables.ladder)
    t = tables.local
    cost = np.empty(len(state.keys))
    _local_kernels.constraint_costs(state.h, state.pre, t.D, t.cuts, t.outs, cost)
    for c in range(len(state.keys) // R):
        slots = np.arange(c * R, (c + 1) * R)
        at = slots[np.argsort(state.level[slots])]  # at[k]: slot at level k
        key = state.keys[c * R] ^ _SWAP_SALT
        for k in range(sweep % 2, R - 1, 2):
            a, b = at[k], at[k + 1]
            log_ratio = (tables.ladder[k] - tables.ladder[k + 1]) * (cost[a] - cost[b])
            u = _kernels.uniform(key, np.uint64(sweep * R + k))
            if log_ratio >= 0 or u < np.exp(log_ratio):
                state.level[a], state.level[b] = k + 1, k
                state.swaps[k] += 1


def step(tables: TemperingTables, state: TemperingState, sweeps: int = 1) -> TemperingState:
    """``sweeps`` tempering sweeps, IN PLACE (as :func:`deeprg.sampling.local.step`)."""
    for k in range(sweeps):
        sweep = state.sweep + k
        local.step(tables.local, state.replicas()._replace(sweep=sweep), 1, tables.ladder[state.level])
        _exchange(tables, state, sweep)
    return state._replace(sweep=state.sweep + sweeps)


def target(tables: TemperingTables, state: TemperingState) -> local.LocalState:
    """The replicas at level 0 (the target beta_v), one per chain, in chain order (copies)."""
    R = len(tables.ladder)
    order = np.flatnonzero(state.level == 0)
    order = order[np.argsort(order // R)]
    return local.LocalState(state.h[order], state.W[order], state.b[order], state.pre[order], state.keys[order],
                            state.sweep)


def layer_observables(tables: TemperingTables, state: TemperingState, row: int, unit: int, lo: int,
                      hi: int) -> np.ndarray:
    return local.layer_observables(tables.local, target(tables, state), row, unit, lo, hi)


def neuron_values(tables: TemperingTables, state: TemperingState) -> np.ndarray:
    return local.neuron_values(tables.local, target(tables, state))


def sites_per_sweep(spec: NetworkSpec, tables: TemperingTables | None = None) -> int:
    """Site updates of one chain's sweep: every replica's local sweep."""
    return local.sites_per_sweep(spec) * (4 if tables is None else len(tables.ladder))


def diagnostics(tables: TemperingTables, state: TemperingState, sweeps: int, chains: int) -> dict:
    """Exchange acceptance between levels k and k + 1 (each pair is tried every other sweep)."""
    tries = np.array([(sweeps - k % 2 + 1) // 2 for k in range(len(tables.ladder) - 1)]) * chains
    return {"ladder": tables.ladder, "swap_acceptance": state.swaps / np.maximum(tries, 1)}
