r"""Lookup tables shared by the samplers: one weight layer's maps and every heat-bath conditional.

A layer state is an index ``s`` into :func:`deeprg.exact.neuron_states` (the joint value of all L rows and N
units); a weight configuration is an index ``c`` into :func:`deeprg.model.weight_configurations`
(C = |W|^{N^2} |b|^N of them). With :math:`\mathrm{out}[c, s] = \sigma(W_c h_s + b_c)` and the extended
constraint factor (Lee, Lee & Yi, eqs 13-14)

.. math::

    E_\text{ext}[s'', t] = \begin{cases} e^{-\beta_v |h_{s''} - h_t|^p} & s'' < S \\
                                          e^{-\beta |y - h_t|^p} & s'' = S \text{ (the output: target y)}\end{cases}

the Gibbs weight of the DNA is :math:`\prod_{m=0}^{M} \pi(c_m)\,E_\text{ext}[h_{m+1}, \mathrm{out}[c_m, h_m]]`
with :math:`h_0 = x` and the pseudo-state :math:`h_{M+1} = S`. Its heat-bath conditionals are

.. math::

    P(c_m = c \mid h_m = s, h_{m+1} = s'') &\propto \pi(c)\,E_\text{ext}[s'', \mathrm{out}[c, s]]
        \qquad\text{(table ``config_cdf[s, s'']``)}\\
    P(h_m = s \mid t = \mathrm{out}[c_{m-1}, h_{m-1}], c_m, h_{m+1} = s'') &\propto
        E[s, t]\,E_\text{ext}[s'', \mathrm{out}[c_m, s]] \qquad\text{(table ``neuron_cdf[t, c_m, s'']``)}.

For the original cost (:math:`\beta_v = \infty`) :math:`E = I`, ``config_cdf`` is the same formula and
``neuron_cdf`` is not needed (neurons are the forward pass). Tables hold normalized cumulative sums (last entry
exactly 1), so a draw is one uniform and a binary search; contexts of zero total weight (unreachable from an
allowed configuration) are filled uniformly.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import hamiltonian as ham
from ..exact import neuron_states, state_index
from ..model import NetworkSpec, count_weight_configurations, weight_configurations

MAX_TABLE_ENTRIES = 1 << 25


class LayerTables(NamedTuple):
    """Everything a sampler kernel needs about one spec (see the module docstring)."""

    states: np.ndarray  # (S, L, N) neuron values of each layer state
    out: np.ndarray  # (C, S) int32: out[c, s] = state of act(W_c h_s + b_c)
    prior_cdf: np.ndarray  # (C,) cumulative prior over weight configurations
    config_cdf: np.ndarray  # (S, S+1, C) conditional of c_m given (h_m, h_{m+1})
    neuron_cdf: np.ndarray  # (S, C, S+1, S) conditional of h_m given (t, c_m, h_{m+1}); (0,0,0,0) for "original"
    cost: np.ndarray  # (S,) beta |y - h_t|^p of each output state
    x_index: int  # layer state of the input x = h^(0)
    constraint_cdf: np.ndarray | None = None  # (S, S) DNA only: [t, s] cumulative E[s, t] / sum_s E[s, t]


def _cdf(weights: np.ndarray) -> np.ndarray:
    """Normalized cumulative sums along the last axis (uniform where a row has zero weight)."""
    total = weights.sum(axis=-1, keepdims=True)
    weights = np.where(total > 0, weights, 1.0)
    cdf = np.cumsum(weights, axis=-1)
    cdf /= cdf[..., -1:]
    cdf[..., -1] = 1.0
    return cdf


def magnitude(n: int) -> str:
    """An integer of any size in scientific notation (float formatting overflows above ~1e308)."""
    return f"{n:.3g}" if n < 10**300 else f"~1e{int((n.bit_length() - 1) * math.log10(2))}"


def table_entries(spec: NetworkSpec) -> int:
    """Entries of the conditional tables of ``spec``: S (S+1) C, times S for the DNA's neuron table."""
    S = len(spec.values.neurons) ** (spec.rows * spec.width)
    C = count_weight_configurations(spec)
    return S * (S + 1) * C * (S if spec.hamiltonian == "dna" else 1)


def layer_tables(spec: NetworkSpec) -> LayerTables:
    """Build the tables of ``spec``; neurons are only tabulated for the DNA (``hamiltonian="dna"``)."""
    size = table_entries(spec)
    if size > MAX_TABLE_ENTRIES:
        raise ValueError(f"width/rows: the sampler tables would hold {magnitude(size)} entries (> {MAX_TABLE_ENTRIES:.3g}); "
                         "use --method local (DNA), fewer rows, a smaller width or smaller value sets")
    states = neuron_states(spec)
    W, b, log_prior = weight_configurations(spec)
    S = len(states)
    dna = spec.hamiltonian == "dna"
    out = state_index(spec, spec.act(ham.preactivation(W[:, None], b[:, None], states[None]))).astype(np.int32)
    prior = np.exp(log_prior - log_prior.max())
    cost = spec.beta * ham.mismatch(spec.y_array, states, spec.p)
    distance = ham.mismatch(states[:, None], states[None, :], spec.p)
    E = np.exp(-ham.constraint_energy(distance, spec.effective_beta_v))
    E_ext = np.vstack([E, np.exp(-(cost - cost.min()))[None]])  # (S+1, S)
    config_weights = prior[None, None, :] * E_ext[:, out.T].transpose(1, 0, 2)  # [s, s'', c]: (S, S+1, C)
    config_cdf = _cdf(config_weights)
    if dna:
        # [t, c, s'', s] = E[s, t] * E_ext[s'', out[c, s]]
        neuron_weights = E.T[:, None, None, :] * E_ext[:, out].transpose(1, 0, 2)[None]
        neuron_cdf = _cdf(neuron_weights)
    else:
        neuron_cdf = np.zeros((0, 0, 0, 0))
    x_index = int(state_index(spec, spec.x_array))
    return LayerTables(states, out, _cdf(prior), config_cdf, neuron_cdf, cost, x_index,
                       _cdf(E.T) if dna else None)


def check_finite_beta_v(spec: NetworkSpec) -> None:
    """The DNA heat bath needs a finite beta_v; at beta_v = inf the ensemble is the plain network."""
    if spec.hamiltonian != "dna" or math.isinf(spec.beta_v):
        raise ValueError("beta_v: the DNA Gibbs sampler needs a finite beta_v (got inf, or the original cost); "
                         "beta_v = inf is the plain network: use `--system dnn` (method metropolis or exact)")


def variables_per_sweep(spec: NetworkSpec, weights: bool = True) -> int:
    """Site updates of one sweep, the one count behind every sampler's ``sites_per_sweep``: each variable
    W_ij, b_i (of a value set with more than one value) and h_{l,i} given a new value counts once, whether it is
    drawn alone or in a block; ``weights=False`` counts the neurons only (exact draws of the neurons)."""
    N, M = spec.width, spec.depth
    per_layer = (N * N if len(spec.values.weights) > 1 else 0) + (N if len(spec.values.biases) > 1 else 0)
    return (M + 1) * per_layer * weights + M * spec.rows * N


class ChainState(NamedTuple):
    """State of many independent chains (the samplers' common layout).

    h : (chains, M+2) int32 layer states; h[:, 0] is the input x, h[:, 1..M] the dynamic neurons and
        h[:, M+1] the output slot (the pseudo-state S for the DNA, the forward-pass output z for the DNN).
    c : (chains, M+1) int32 weight configuration of every weight layer m = 0..M.
    keys : (chains,) uint64 random keys (see :mod:`deeprg.sampling._kernels`).
    sweep : number of sweeps (or exact draws) done so far; the position in every chain's random stream.
    accepted : (chains,) int64 accepted moves (Metropolis only; zeros otherwise).
    """

    h: np.ndarray
    c: np.ndarray
    keys: np.ndarray
    sweep: int
    accepted: np.ndarray

    def copy(self) -> "ChainState":
        return ChainState(self.h.copy(), self.c.copy(), self.keys.copy(), self.sweep, self.accepted.copy())


def forward_states(tables: LayerTables, c: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
    """Layer states of the forward pass for configurations c (chains, M+1): (chains, M+2), last = output z.

    With uniforms ``u`` (chains, M) the pass is noisy (DNA): h_{m+1} is drawn from E[., out[c_m, h_m]]
    normalized (:func:`deeprg.sampling.local.init` explains why that starts the bulk in equilibrium)."""
    h = np.empty((c.shape[0], c.shape[1] + 1), dtype=np.int32)
    h[:, 0] = tables.x_index
    for m in range(c.shape[1]):
        h[:, m + 1] = tables.out[c[:, m], h[:, m]]
        if u is not None and m < u.shape[1]:
            cdf = tables.constraint_cdf[h[:, m + 1]]  # (chains, S)
            h[:, m + 1] = np.minimum((u[:, m, None] >= cdf).sum(axis=1), cdf.shape[1] - 1)
    return h


STARTS = ("forward", "plain")


def prior_start(tables: LayerTables, depth: int, chains: int, rng: np.random.Generator,
                start: str = "plain") -> ChainState:
    """Chains started from (W, b) drawn from the prior, neurons from the forward pass (noisy for
    ``start="forward"``, which needs the DNA's ``constraint_cdf``; noise-free for ``"plain"``), fresh keys."""
    if start not in STARTS or (start == "forward" and tables.constraint_cdf is None):
        raise ValueError(f"start: must be one of {STARTS} ('forward' for the DNA only), got {start!r}")
    if isinstance(chains, bool) or not isinstance(chains, (int, np.integer)) or chains < 1:
        raise ValueError(f"chains: must be an integer >= 1, got {chains!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: must be a numpy.random.Generator, got {type(rng).__name__}")
    c = np.searchsorted(tables.prior_cdf, rng.random((chains, depth + 1)), side="right").astype(np.int32)
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=chains, dtype=np.uint64, endpoint=True)
    u = rng.random((chains, depth)) if start == "forward" else None
    return ChainState(forward_states(tables, c, u), c, keys, 0, np.zeros(chains, dtype=np.int64))


def _joint_layer(tables):
    return getattr(tables, "layer", tables)


def layer_observables(tables, state: ChainState, row: int, unit: int, lo: int, hi: int) -> np.ndarray:
    """(3, chains, hi - lo + 1) unit, magnetization and overlap of layers lo..hi
    (:func:`deeprg.sampling.observables.state_observables`)."""
    from .observables import state_observables

    return state_observables(_joint_layer(tables).states, row, unit)[:, state.h[:, lo:hi + 1]]


def measure(tables, state: ChainState, row: int, unit: int, lo: int, hi: int, rmax: int, series: np.ndarray,
            sums: np.ndarray, t: int) -> None:
    """One measured sweep in compiled code, in place: ``series[:, :, t]`` the position averages of
    :func:`layer_observables` (each distinct observable once: for one unit per layer the magnetization is the
    unit, for one data row the overlap is zero) and ``sums`` += :func:`neuron_values` summed over chains."""
    from ._kernels import add_layer_sums, state_position_averages
    from .observables import state_observables

    states = _joint_layer(tables).states
    values = state_observables(states, row, unit)
    source = np.array([next(j for j in range(k + 1) if np.array_equal(values[j], values[k])) if values[k].any()
                       else -1 for k in range(len(values))])
    state_position_averages(values, source, state.h, lo, hi - lo + 1, rmax, series, t)
    add_layer_sums(states.reshape(len(states), -1).astype(float), state.h, sums)


def neuron_values(tables, state: ChainState) -> np.ndarray:
    """(chains, M, L N) values of the dynamic neurons h^(1..M)."""
    states = _joint_layer(tables).states
    return states.reshape(len(states), -1)[state.h[:, 1:-1]]
