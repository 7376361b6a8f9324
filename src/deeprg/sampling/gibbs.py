r"""Heat-bath (Gibbs) sampler of the DNA ensemble (Lee, Lee & Yi, eqs 13-15), many chains at once.

One sweep updates every weight layer's :math:`(W^{(m)}, b^{(m)})` jointly from its exact conditional given
:math:`h^{(m)}, h^{(m+1)}` (a categorical over all C configurations of the layer), then every odd and then
every even neuron layer :math:`h^{(m)}` from its exact conditional given :math:`s^{(m-1)} = \sigma(W^{(m-1)}
h^{(m-1)} + b^{(m-1)})`, :math:`W^{(m)}, b^{(m)}` and :math:`h^{(m+1)}` (a categorical over the S joint states
of the layer; the conditionals are tabulated in :mod:`deeprg.sampling.tables`). Given all h the weight layers
are independent, and given the weights the odd (even) neuron layers are independent of each other, so this
checkerboard scan is a product of exact block updates and leaves the DNA distribution invariant.

The DNA needs a finite :math:`\beta_v`; :math:`\beta_v = \infty` is the plain network, sampled by
:mod:`deeprg.sampling.original` or :mod:`deeprg.sampling.ffbs`.
"""

from __future__ import annotations

import numpy as np

from ..model import NetworkSpec
from . import _kernels
from .tables import (ChainState, LayerTables, check_finite_beta_v, layer_observables, layer_tables, measure,
                     neuron_values, prior_start, variables_per_sweep)


def prepare(spec: NetworkSpec) -> LayerTables:
    check_finite_beta_v(spec)
    return layer_tables(spec)


def init(tables: LayerTables, depth: int, chains: int, rng: np.random.Generator, start: str = "forward"
         ) -> ChainState:
    """Chains started at the noisy forward pass of prior (W, b) (``start="forward"``: an exact draw of the bulk
    far from the output when the constraint factor's column sums are equal, see :func:`deeprg.sampling.local.init`)
    or at the noise-free one (``"plain"``)."""
    state = prior_start(tables, depth, chains, rng, start)
    state.h[:, -1] = len(tables.states)
    return state


def step(tables: LayerTables, state: ChainState, sweeps: int = 1) -> ChainState:
    """``sweeps`` checkerboard heat-bath sweeps; returns a new state (the input is not modified)."""
    new = state.copy()
    _kernels.gibbs_sweeps(new.h, new.c, new.keys, state.sweep, sweeps, tables.out, tables.config_cdf,
                          tables.neuron_cdf)
    return new._replace(sweep=state.sweep + sweeps)


State = ChainState
__all__ = ["State", "init", "layer_observables", "measure", "neuron_values", "prepare", "sites_per_sweep", "step"]


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """Every W_ij, b_i and h_{l,i} (:func:`deeprg.sampling.tables.variables_per_sweep`)."""
    return variables_per_sweep(spec)
