r"""Local heat bath of the DNA for any spec: single-site updates with cached pre-activations (Lee, Lee & Yi, eqs
13-14), many chains at once, no table over weight configurations.

The DNA weight is :math:`\prod_m \pi(W^{(m)})\pi(b^{(m)})\,e^{-\beta H_\text{new}}` with

.. math::

    \beta H_\text{new} = \sum_{m=0}^{M} \kappa_m \sum_{l,i} \bigl|g^{(m)}_{li} - \sigma(a^{(m)}_{li})\bigr|^p,
    \qquad a^{(m)}_{li} = \sum_j W^{(m)}_{ij} h^{(m)}_{lj} + b^{(m)}_i,

where the target of layer m is :math:`g^{(m)} = h^{(m+1)}` with :math:`\kappa_m = \beta_v` for m < M and
:math:`g^{(M)} = y` with :math:`\kappa_M = \beta`; :math:`h^{(0)} = x`. The exact conditionals of one site are

.. math::

    P(W^{(m)}_{ij} = w \mid \cdot) &\propto \pi(w)\exp\Bigl(-\kappa_m \sum_l
        \bigl|g^{(m)}_{li} - \sigma\bigl(a^{(m)}_{li} + (w - W^{(m)}_{ij}) h^{(m)}_{lj}\bigr)\bigr|^p\Bigr)
        \qquad O(L)\\
    P(b^{(m)}_i = c \mid \cdot) &\propto \pi(c)\exp\Bigl(-\kappa_m \sum_l
        \bigl|g^{(m)}_{li} - \sigma\bigl(a^{(m)}_{li} + c - b^{(m)}_i\bigr)\bigr|^p\Bigr) \qquad O(L)\\
    P(h^{(m)}_{li} = v \mid \cdot) &\propto \exp\Bigl(-\beta_v\bigl|v - \sigma(a^{(m-1)}_{li})\bigr|^p
        - \kappa_m \sum_k \bigl|g^{(m)}_{lk} - \sigma\bigl(a^{(m)}_{lk} + W^{(m)}_{ki}(v - h^{(m)}_{li})\bigr)
        \bigr|^p\Bigr) \qquad O(N),

since a site enters only the pre-activations it feeds. With the cache of every :math:`a^{(m)}_{li}`, updated after
each change, a sweep over all :math:`(M+1)(N^2+N) + MLN` sites costs :math:`O(M L N^2)`. Every update is a heat
bath (exact conditional draw), so each leaves the DNA distribution invariant and satisfies detailed balance.

Order (blocked/checkerboard): given all neurons the weight layers are independent, and given the weights the
odd (even) neuron layers are independent of each other, so a sweep runs all weight layers, then all odd and then
all even neuron layers, each phase in parallel over (chain, layer). Inside one layer sites share pre-activations
and are visited in order. Random numbers are counter-based (:mod:`deeprg.sampling._local_kernels`), so a run
resumed from a checkpoint reproduces the uninterrupted one bit for bit.

Start (``start="forward"``, the default). With an iid prior, summing out :math:`(W^{(m)}, b^{(m)})` turns the
bulk into a Markov chain over layers whose step is a noisy forward pass of a random network: draw
:math:`W^{(m)}, b^{(m)}` from the prior, :math:`t = \sigma(W^{(m)} h^{(m)} + b^{(m)})`, then every neuron
independently

.. math::

    P(h^{(m+1)}_{li} = v \mid t) = \frac{e^{-\beta_v |v - t_{li}|^p}}{Z(t_{li})}, \qquad
    Z(t) = \sum_{v'} e^{-\beta_v |v' - t|^p}.

When Z(t) is the same for every neuron value t (e.g. neurons {-1, 1}: the transfer matrix is a constant times a
stochastic matrix) this ancestral draw from :math:`h^{(0)} = x` is an exact draw of the DNA with the output
cost removed; the cost :math:`\beta |y - \sigma(a^{(M)})|^p` only reweights the top ~xi layers. Chains started
there begin in equilibrium far from the output, where single-site moves would need many sweeps to relax the
collective overlap of wide layers. Otherwise (Z(t) depends on t) it is an approximate start. ``start="plain"``
is the noise-free forward pass (every constraint satisfied), the start used before.

Collective moves. The same structure gives an exact Metropolis-Hastings move that regrows whole segments of
layers forward and bridges them to the kept layers above (:mod:`deeprg.sampling.bridge`); where it applies,
:func:`prepare` turns it on (``bridge_moves``) and every sweep tiles the depth with such moves after the
single-site updates.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model import NetworkSpec
from . import _local_kernels as kern
from . import bridge
from .tables import STARTS, check_finite_beta_v, variables_per_sweep


class LocalTables(NamedTuple):
    """Value sets and the activation as lookups (see :mod:`deeprg.sampling._local_kernels`)."""

    weights: np.ndarray  # (nW,) weight values
    biases: np.ndarray  # (nb,) bias values
    neurons: np.ndarray  # (K,) neuron values
    log_weight_prior: np.ndarray  # (nW,)
    log_bias_prior: np.ndarray  # (nb,)
    D: np.ndarray  # (K, K) |v_g - v_o|^p
    cuts: np.ndarray  # activation: sigma(a) = outs[#(cuts <= a)]
    outs: np.ndarray  # int64
    x: np.ndarray  # (L, N) int8 value indices of the data
    y: np.ndarray  # (L, N) int8 value indices of the targets
    beta: float
    beta_v: float
    bridge: object = None  # deeprg.sampling.bridge.BridgeTables when the segment moves apply, else None


class LocalState(NamedTuple):
    """Chains of the local sampler (value indices; see :mod:`deeprg.sampling._local_kernels`).

    h : (chains, M+2, L, N) int8 with h[:, 0] = x and h[:, M+1] = y.
    W : (chains, M+1, N, N) int8. b : (chains, M+1, N) int8.
    pre : (chains, M+1, L, N) float64 cached pre-activations (derived from h, W, b).
    keys : (chains,) uint64. sweep : sweeps done (the position in every chain's random stream).
    moves : (2,) int64 bridge moves accepted and proposed so far (:mod:`deeprg.sampling.bridge`).
    """

    h: np.ndarray
    W: np.ndarray
    b: np.ndarray
    pre: np.ndarray
    keys: np.ndarray
    sweep: int
    moves: np.ndarray = np.zeros(2, dtype=np.int64)  # never changed in place: step replaces it

    def copy(self) -> "LocalState":
        return LocalState(self.h.copy(), self.W.copy(), self.b.copy(), self.pre.copy(), self.keys.copy(),
                          self.sweep, self.moves.copy())


def value_index(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Indices into ``values`` of the entries of ``x`` (each must be one of the values)."""
    return np.abs(np.asarray(x, dtype=float)[..., None] - values).argmin(axis=-1)


def activation_lookup(spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray]:
    """(cuts, outs): sigma as a step function over the reachable pre-activations, one cut wherever the output
    changes, placed halfway between the neighbouring pre-activations."""
    neurons = np.array(spec.values.neurons)
    pre = spec.preactivations()
    out = value_index(neurons, spec.act(pre))
    change = np.flatnonzero(out[1:] != out[:-1])
    cuts = (pre[change] + pre[change + 1]) / 2
    outs = np.append(out[change], out[-1]) if len(change) else out[:1]
    return cuts.astype(float), outs.astype(np.int64)


def prepare(spec: NetworkSpec, bridge_moves: bool = True) -> LocalTables:
    """Lookups of ``spec``; with ``bridge_moves`` every sweep adds the segment moves of
    :mod:`deeprg.sampling.bridge` where they apply."""
    check_finite_beta_v(spec)
    v = spec.values
    neurons = np.array(v.neurons, dtype=float)
    cuts, outs = activation_lookup(spec)
    D = np.abs(neurons[:, None] - neurons[None, :]) ** spec.p
    tables = LocalTables(np.array(v.weights, dtype=float), np.array(v.biases, dtype=float), neurons,
                         v.log_weight_prior().astype(float), v.log_bias_prior().astype(float), D, cuts, outs,
                         value_index(neurons, spec.x_array).astype(np.int8),
                         value_index(neurons, spec.y_array).astype(np.int8), float(spec.beta), float(spec.beta_v))
    return tables._replace(bridge=bridge.prepare(spec, tables) if bridge_moves else None)


def prior_indices(log_prior: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Value indices drawn from the prior with uniforms u (the number of cumulative probabilities <= u)."""
    p = np.exp(log_prior - log_prior.max())
    cdf = np.cumsum(p) / p.sum()
    out = np.zeros(u.shape, dtype=np.int8)
    for edge in cdf[:-1]:
        out += u >= edge
    return out


def noisy_neurons(D: np.ndarray, beta_v, t: np.ndarray, u: np.ndarray) -> np.ndarray:
    r"""Value indices drawn from :math:`P(v \mid t) \propto e^{-\beta_v D[v, t]}` for every site.

    ``t`` (chains, ...) indices of the noise-free values, ``u`` uniforms of the same shape, ``beta_v`` a number
    or one per chain (chains,); ``D[v, t] = |v - t|^p`` (:class:`LocalTables`)."""
    beta_v = np.broadcast_to(np.asarray(beta_v, dtype=float), (t.shape[0],))
    logw = -beta_v[:, None, None] * D[None]  # (chains, v, t)
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    cdf = np.cumsum(w, axis=1) / w.sum(axis=1, keepdims=True)  # (chains, v, t)
    cdf = cdf.transpose(0, 2, 1)  # (chains, t, v)
    rows = cdf[np.arange(t.shape[0]).reshape((-1,) + (1,) * (t.ndim - 1)), t]  # (chains, ..., v)
    return np.minimum((u[..., None] >= rows).sum(axis=-1), D.shape[0] - 1).astype(np.int8)


def init(tables: LocalTables, depth: int, chains: int, rng: np.random.Generator, start: str = "forward",
         beta_v: np.ndarray | None = None) -> LocalState:
    """Chains at prior (W, b) with the noisy forward pass (``start="forward"``, see the module docstring; at
    ``beta_v`` (chains,) when given, else the spec's) or the noise-free one (``"plain"``), fresh random keys.

    Everything comes from ``rng`` (the keys before the noise, so both starts give the same keys)."""
    if isinstance(chains, bool) or not isinstance(chains, (int, np.integer)) or chains < 1:
        raise ValueError(f"chains: must be an integer >= 1, got {chains!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: must be a numpy.random.Generator, got {type(rng).__name__}")
    if start not in STARTS:
        raise ValueError(f"start: must be one of {STARTS}, got {start!r}")
    beta_v = np.full(chains, tables.beta_v) if beta_v is None else np.asarray(beta_v, dtype=float)
    if beta_v.shape != (chains,):
        raise ValueError(f"beta_v: need one value per chain, shape ({chains},), got {beta_v.shape}")
    L, N = tables.x.shape
    W = prior_indices(tables.log_weight_prior, rng.random((chains, depth + 1, N, N)))
    b = prior_indices(tables.log_bias_prior, rng.random((chains, depth + 1, N)))
    keys = rng.integers(0, np.iinfo(np.uint64).max, size=chains, dtype=np.uint64, endpoint=True)
    h = np.empty((chains, depth + 2, L, N), dtype=np.int8)
    h[:, 0], h[:, -1] = tables.x, tables.y
    pre = np.empty((chains, depth + 1, L, N))
    for m in range(depth):
        a = (np.matmul(tables.neurons[h[:, m]], tables.weights[W[:, m]].transpose(0, 2, 1))
             + tables.biases[b[:, m]][:, None, :])
        t = tables.outs[np.searchsorted(tables.cuts, a, side="right")]
        h[:, m + 1] = t if start == "plain" else noisy_neurons(tables.D, beta_v, t, rng.random(t.shape))
    kern.preactivations(h, W, b, tables.weights, tables.biases, tables.neurons, pre)
    return LocalState(h, W, b, pre, keys, 0)


def step(tables: LocalTables, state: LocalState, sweeps: int = 1, beta_v: np.ndarray | None = None) -> LocalState:
    """``sweeps`` sweeps, updating the arrays of ``state`` IN PLACE (no copies of a possibly large state);
    returns the state with the advanced sweep counter. ``beta_v`` (chains,) overrides the spec's per chain."""
    beta_v = np.full(len(state.keys), tables.beta_v) if beta_v is None else np.asarray(beta_v, dtype=float)
    moves = np.asarray(state.moves, dtype=np.int64).copy()
    for first, count in ([(state.sweep, sweeps)] if tables.bridge is None else
                         [(state.sweep + k, 1) for k in range(sweeps)]):
        kern.local_sweeps(state.h, state.W, state.b, state.pre, state.keys, first, count, tables.weights,
                          tables.biases, tables.neurons, tables.log_weight_prior, tables.log_bias_prior, tables.D,
                          tables.cuts, tables.outs, tables.beta, beta_v)
        if tables.bridge is not None:
            moves += bridge.sweep_moves(tables, state, first, beta_v)
    return state._replace(sweep=state.sweep + sweeps, moves=moves)


def diagnostics(tables: LocalTables, state: LocalState, sweeps: int, chains: int) -> dict | None:
    """Bridge moves: their acceptance and how many each chain tried per sweep (None without them)."""
    if tables.bridge is None:
        return None
    accepted, proposed = (int(v) for v in state.moves)
    return {"bridge_acceptance": accepted / max(proposed, 1), "bridge_moves_per_sweep": proposed / (chains * sweeps)}


State = LocalState


def layer_observables(tables: LocalTables, state: LocalState, row: int, unit: int, lo: int, hi: int) -> np.ndarray:
    """(3, chains, hi - lo + 1) unit, magnetization and overlap of layers lo..hi
    (:func:`deeprg.sampling.observables.state_observables`)."""
    out = np.empty((3, state.h.shape[0], hi - lo + 1))
    kern.layer_observables(state.h, tables.neurons, row, unit, lo, hi, out)
    return out


def neuron_values(tables: LocalTables, state: LocalState) -> np.ndarray:
    """(chains, M, L N) values of the dynamic neurons h^(1..M)."""
    h = state.h[:, 1:-1]
    return tables.neurons[h.reshape(h.shape[0], h.shape[1], -1)]


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """Site updates in one sweep: (M+1)(N^2 [if |W| > 1] + N [if |b| > 1]) + M L N."""
    return variables_per_sweep(spec)


def energy(spec: NetworkSpec, tables: LocalTables, state: LocalState) -> np.ndarray:
    r""":math:`\beta H_\text{new} - \ln\pi(W, b)` of every chain, from scratch (for tests of the kernels)."""
    from .. import hamiltonian as ham

    W = tables.weights[state.W]
    b = tables.biases[state.b]
    h = tables.neurons[state.h[:, 1:-1]]
    lp = (tables.log_weight_prior[state.W].reshape(len(W), -1).sum(axis=1)
          + tables.log_bias_prior[state.b].reshape(len(W), -1).sum(axis=1))
    return ham.dna_energy(spec, W, b, h) - lp


