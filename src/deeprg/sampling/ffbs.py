r"""Exact sampler: forward-filter backward-sample from the transfer matrices, independent draws.

Summing every :math:`(W^{(m)}, b^{(m)})` out of the DNA weight leaves the Markov chain
:math:`P(h^{(1..M)}) \propto u[h^{(1)}] \prod_{m<M} T[h^{(m)}, h^{(m+1)}]\, v[h^{(M)}]` (eqs 13-16, see
:mod:`deeprg.exact.transfer`). With the forward vectors :math:`\alpha_m \propto u^\top T^{m-1}`
(:class:`deeprg.exact.FiniteChain`),

.. math::

    P(h^{(M)} = s) \propto \alpha_M[s]\, v[s], \qquad
    P(h^{(m)} = s \mid h^{(m+1)}, \dots) \propto \alpha_m[s]\, T[s, h^{(m+1)}],

and given all neurons the weight layers are independent with
:math:`P(c_m \mid h) \propto \pi(c_m) E_\text{ext}[h^{(m+1)}, \mathrm{out}[c_m, h^{(m)}]]` (the same table as
the Gibbs sampler). Each draw is exact and independent of the others. For the plain network (``"original"``
cost, :math:`\beta_v = \infty`) :math:`T = K` and the same recursion gives the forward pass of weights drawn
from the original-cost ensemble.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..exact import FiniteChain
from ..model import NetworkSpec
from . import _kernels
from .tables import (ChainState, LayerTables, layer_observables, layer_tables, measure, neuron_values, prior_start,
                     variables_per_sweep)


class ExactTables(NamedTuple):
    layer: LayerTables
    alpha: np.ndarray  # (M, S) forward vectors, each scaled to maximum 1
    T: np.ndarray  # (S, S)
    last_cdf: np.ndarray  # (S,) cumulative P(h^(M))


def prepare(spec: NetworkSpec) -> ExactTables:
    chain = FiniteChain.solve(spec)
    last = chain.marginal(spec.depth)
    return ExactTables(layer_tables(spec), chain.alpha, chain.tm.T, np.cumsum(last) / last.sum())


def init(tables: ExactTables, depth: int, chains: int, rng: np.random.Generator) -> ChainState:
    """Keys for ``chains`` independent streams; every :func:`step` replaces the whole configuration."""
    state = prior_start(tables.layer, depth, chains, rng)
    state.h[:, -1] = len(tables.layer.states)
    return state


def step(tables: ExactTables, state: ChainState, draws: int = 1) -> ChainState:
    """Advance by ``draws`` independent exact draws (only the last is kept); returns a new state."""
    new = state.copy()
    _kernels.ffbs_draws(new.h, new.c, new.keys, state.sweep, draws, tables.alpha, tables.T, tables.last_cdf,
                        tables.layer.out, tables.layer.config_cdf)
    return new._replace(sweep=state.sweep + draws)


State = ChainState
__all__ = ["State", "init", "layer_observables", "measure", "neuron_values", "prepare", "sites_per_sweep", "step"]


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """A draw gives every W_ij, b_i and h_{l,i} (:func:`deeprg.sampling.tables.variables_per_sweep`)."""
    return variables_per_sweep(spec)
