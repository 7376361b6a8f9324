r"""Metropolis sampler of the plain network with the original cost (Lee, Lee & Yi, eqs 8-9): the DNN of Fig 7.

The state is the weights :math:`(W^{(m)}, b^{(m)})` of every layer; the neurons are the forward pass (eq 1)
and the Gibbs weight is :math:`\prod_m \pi(W^{(m)}, b^{(m)})\, e^{-\beta |y - z|^p}`. A move at layer m draws
:math:`(W', b')` from the prior and accepts with :math:`\min(1, e^{-\beta\Delta H})` (independence proposal
within the layer, so the prior ratio cancels and detailed balance holds move by move).

Cost that does not grow with depth: after the proposal, only the downstream forward pass can change, and it is
recomputed layer by layer only until the new value of some :math:`h^{(k)}` equals the old one -- from there on
the two passes coalesce, nothing else changes and :math:`\Delta H = 0`. Only a change that survives to the
output moves the energy. With discrete neurons most layers are many-to-one (in the paper's toy three of the
four (W, b) are constant maps), so a change dies out within a few layers and a move costs O(1) in the bulk;
for bijective layer maps it costs up to O(M), which the docstring of :func:`step` warns about. Storing the
forward pass makes both the proposal and the acceptance O(length of the change), with no caching of
per-layer energies needed.
"""

from __future__ import annotations

import numpy as np

from ..model import NetworkSpec
from . import _kernels
from .tables import (ChainState, LayerTables, forward_states, layer_observables, layer_tables, measure, neuron_values,
                     prior_start)


def prepare(spec: NetworkSpec) -> LayerTables:
    return layer_tables(spec.replace(hamiltonian="original"))


def init(tables: LayerTables, depth: int, chains: int, rng: np.random.Generator) -> ChainState:
    """Chains started from prior (W, b) with their forward pass."""
    return prior_start(tables, depth, chains, rng)


def from_configs(tables: LayerTables, c: np.ndarray, keys: np.ndarray) -> ChainState:
    """A state at given weight configurations c (chains, M+1) (e.g. exact draws), with their forward pass.

    ``keys`` must be fresh: reusing the keys that produced ``c`` would replay the same random numbers.
    """
    c = np.ascontiguousarray(c, dtype=np.int32)
    return ChainState(forward_states(tables, c), c, np.asarray(keys, dtype=np.uint64).copy(), 0,
                      np.zeros(len(c), dtype=np.int64))


def step(tables: LayerTables, state: ChainState, sweeps: int = 1, layers: np.ndarray | None = None) -> ChainState:
    """``sweeps`` sweeps of one move per layer in ``layers`` (default 0..M in order); returns a new state.

    A move costs the length of the downstream change (O(1) when passes coalesce quickly, O(M) at worst).
    """
    new = state.copy()
    depth = state.c.shape[1] - 1
    layers = np.arange(depth + 1) if layers is None else np.asarray(layers, dtype=np.int64)
    _kernels.metropolis_sweeps(new.h, new.c, new.keys, new.accepted, state.sweep, sweeps, layers, tables.out,
                               tables.prior_cdf, tables.cost)
    return new._replace(sweep=state.sweep + sweeps)


State = ChainState
__all__ = ["State", "init", "layer_observables", "measure", "neuron_values", "prepare", "sites_per_sweep", "step"]


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    return spec.depth + 1
