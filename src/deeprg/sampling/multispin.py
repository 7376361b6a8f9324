r"""Multispin DNA heat bath of the Fig 7 toy: 64 chains per machine word (Lee, Lee & Yi, eqs 13-15, Fig 7).

For one binary neuron per layer (N = L = 1) and two-valued W and b, a layer holds three bits per chain: the
neuron :math:`h^{(m)}` and the two bits of the weight configuration index :math:`c_m = 2\,c^\text{hi}_m +
c^\text{lo}_m` (:func:`deeprg.model.weight_configurations`). The state stores each as bit-planes, one uint64 word
per 64 chains and layer, and a sweep is the checkerboard heat bath of :mod:`deeprg.sampling.gibbs` done lane-wise:

.. math::

    P(c^\text{hi}_m = 1 \mid h_m, h_{m+1}) &= \sum_{c \ge 2} P(c_m = c \mid h_m, h_{m+1}), \\
    P(c^\text{lo}_m = 1 \mid c^\text{hi}_m, h_m, h_{m+1}) &= \frac{P(c_m = 2 c^\text{hi}_m + 1 \mid \cdot)}
        {\sum_{l} P(c_m = 2 c^\text{hi}_m + l \mid \cdot)}, \\
    P(h_m = 1 \mid t, c_m, h_{m+1}) &= \frac{E[1, t]\, E_\text{ext}[h_{m+1}, z_1]}
        {\sum_v E[v, t]\, E_\text{ext}[h_{m+1}, z_v]}, \qquad t = \mathrm{out}[c_{m-1}, h_{m-1}],\ z_v =
        \mathrm{out}[c_m, v],

the first two being the joint conditional of :math:`c_m` factored into two Bernoulli draws. For two neuron
values the constraint factor depends only on whether its arguments agree, so the neuron's conditional depends
on :math:`(t, [h_{m+1} = z_0], [h_{m+1} = z_1])` (on :math:`(t, z_0, z_1)` at the output layer): 8 contexts.
Every probability is read off the tables of :mod:`deeprg.sampling.tables` (:func:`prepare` checks that the
reduction to 8 contexts holds for the spec), so a lane's draw is a Bernoulli with one of at most 8 thresholds,
compared bit-sliced against counter-based random words (:mod:`deeprg.sampling._multispin`). Chains are grouped
by 64 and each word uses one key, so a run depends only on the keys and the sweep counter and resumes bit for
bit. :func:`run_block` sweeps and measures a block of sweeps inside the compiled code.

The plain network (original cost, eqs 8-9) of the same toy is sampled by the Metropolis moves of
:mod:`deeprg.sampling.original` done lane-wise: a move at layer m proposes :math:`c'_m` from the prior (two
Bernoulli bits), carries the change of the forward pass downstream as XOR words until every lane has coalesced,
and accepts the lanes whose output z flips with probability :math:`\min(1, e^{-\beta(|y - z'|^p - |y - z|^p)})`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model import NetworkSpec
from . import _bits, _multispin
from .tables import LayerTables, check_finite_beta_v, layer_tables, variables_per_sweep

_SCALE = float(1 << _bits.BITS)


class MultispinTables(NamedTuple):
    layer: LayerTables  # the joint tables the probabilities are read from
    out_leaves: np.ndarray  # (8,) uint64: out[c, s] at entry s + 2c as _multispin.select8 leaves
    levels: np.ndarray  # (3, 2, BITS, 8) uint64: bit BITS-1-k of the 8 thresholds as select8 leaves
    probs: np.ndarray  # (3, 2, 8) P(bit = 1 | context) of the site types (c_hi: ctx h_m + 2 h_{m+1}; c_lo:
    #                    ctx h_m + 2 h_{m+1} + 4 c_hi; neuron: ctx t + 2 g_0 + 4 g_1) x (bulk, output layer)
    dnn: bool = False  # the plain network (original cost, Metropolis) instead of the DNA heat bath
    prior_levels: np.ndarray = np.zeros((2, _bits.BITS, 8), dtype=np.uint64)  # DNN: P(c_hi = 1), P(c_lo = 1 | 4 c_hi)
    accept_levels: np.ndarray = np.zeros((_bits.BITS, 8), dtype=np.uint64)  # DNN: min(1, e^{cost[z] - cost[1 - z]})


class MultispinState(NamedTuple):
    """H: (words, M+2) uint64 neuron bits (H[:, 0] = x; H[:, M+1] the output z for the DNN); CH, CL: (words, M+1)
    bits of c; keys: (words,) one per 64 chains; chains: number of chains (lanes past it in the last word are
    simulated and ignored); accepted: (words,) accepted Metropolis moves (DNN; zeros for the DNA)."""

    H: np.ndarray
    CH: np.ndarray
    CL: np.ndarray
    keys: np.ndarray
    chains: np.ndarray  # 0-d int64 (an array, so that checkpoints store it like the others)
    accepted: np.ndarray
    sweep: int

    def copy(self) -> "MultispinState":
        return MultispinState(self.H.copy(), self.CH.copy(), self.CL.copy(), self.keys.copy(),
                              np.array(self.chains), self.accepted.copy(), self.sweep)


State = MultispinState


def unsupported(spec: NetworkSpec) -> str | None:
    """Why the multispin kernel cannot run ``spec`` (None when it can): it needs the DNA with a finite beta_v,
    one neuron per layer (N = L = 1), two neuron values and two values each of W and b (the plain network with
    the original cost is sampled by Metropolis)."""
    if spec.hamiltonian == "dna" and np.isinf(spec.beta_v):
        return "beta_v: the multispin heat bath samples the DNA at finite beta_v"
    if spec.width != 1 or spec.rows != 1:
        return (f"width/rows: the multispin heat bath needs one neuron per layer (width 1, one data row), got "
                f"width {spec.width}, {spec.rows} rows")
    v = spec.values
    if len(v.neurons) != 2 or len(v.weights) != 2 or len(v.biases) != 2:
        return ("values: the multispin heat bath needs two neuron, two weight and two bias values, got "
                f"{len(v.neurons)}, {len(v.weights)}, {len(v.biases)}")
    return None


def _leaves(bits: np.ndarray) -> np.ndarray:
    """(..., 8) 0/1 table -> (..., 8) uint64 leaves of :func:`deeprg.sampling._multispin.select8`."""
    words = np.uint64(0) - bits.astype(np.uint64)
    out = words.copy()
    out[..., 1::2] = words[..., 0::2] ^ words[..., 1::2]
    return out


def _levels(probs: np.ndarray) -> np.ndarray:
    """(..., 8) probabilities -> (..., BITS, 8) leaves of bit BITS-1-k of the thresholds floor(p 2^53)."""
    thr = np.minimum(np.floor(probs * _SCALE), _SCALE - 1).astype(np.uint64)
    shifts = np.arange(_bits.BITS - 1, -1, -1, dtype=np.uint64)
    return _leaves((thr[..., None, :] >> shifts[:, None]) & np.uint64(1))


def _prepare_dnn(spec: NetworkSpec) -> MultispinTables:
    """Tables of the original-cost Metropolis: the prior of c factored into two bits, and the acceptance of a
    move that flips the output z (:mod:`deeprg.sampling.original`)."""
    t = layer_tables(spec)
    prior = np.diff(t.prior_cdf, prepend=0.0)
    p_hi = prior[2] + prior[3]
    lo_given = [prior[2 * h + 1] / (prior[2 * h] + prior[2 * h + 1]) for h in (0, 1)]
    prior_probs = np.array([np.full(8, p_hi), [lo_given[ctx >> 2] for ctx in range(8)]])
    accept = np.array([min(1.0, np.exp(t.cost[ctx & 1] - t.cost[1 - (ctx & 1)])) for ctx in range(8)])
    out_table = np.array([t.out[ctx >> 1, ctx & 1] for ctx in range(8)])
    return MultispinTables(t, _leaves(out_table), np.zeros((3, 2, _bits.BITS, 8), dtype=np.uint64),
                           np.full((3, 2, 8), np.nan), True, _levels(prior_probs), _levels(accept))


def prepare(spec: NetworkSpec) -> MultispinTables:
    reason = unsupported(spec)
    if reason is not None:
        raise ValueError(reason)
    if spec.hamiltonian != "dna":
        return _prepare_dnn(spec)
    check_finite_beta_v(spec)
    t = layer_tables(spec)
    S = 2
    cfg = np.diff(t.config_cdf, axis=-1, prepend=0.0)  # (S, S+1, 4) P(c | h_m, h_{m+1})
    nrn = 1.0 - t.neuron_cdf[..., 0]  # (t, c, s'') -> P(h = 1)
    probs = np.full((3, 2, 8), 0.5)
    for kind, nxt in ((0, (0, 1)), (1, (S,))):
        for s in (0, 1):
            for s2 in nxt:
                ctx = s + 2 * (s2 if kind == 0 else 0)
                p = cfg[s, s2]
                probs[0, kind, ctx] = p[2] + p[3]
                for hi in (0, 1):
                    pair = p[2 * hi: 2 * hi + 2]
                    probs[1, kind, ctx + 4 * hi] = pair[1] / pair.sum() if pair.sum() > 0 else 0.5
    seen = np.zeros((2, 8), dtype=bool)
    for tt in (0, 1):
        for c in range(4):
            z = t.out[c]
            for kind, nxt in ((0, (0, 1)), (1, (S,))):
                for s2 in nxt:
                    g = (z == s2).astype(int) if kind == 0 else z
                    ctx = tt + 2 * g[0] + 4 * g[1]
                    p = nrn[tt, c, s2]
                    if seen[kind, ctx] and not np.isclose(probs[2, kind, ctx], p, rtol=1e-12, atol=1e-15):
                        raise ValueError("spec: the neuron conditional is not a function of the agreements "
                                         "(t, [h' = z_0], [h' = z_1]); use --method gibbs")
                    probs[2, kind, ctx], seen[kind, ctx] = p, True
    out_table = np.array([t.out[ctx >> 1, ctx & 1] for ctx in range(8)])
    return MultispinTables(t, _leaves(out_table), _levels(probs), probs)


def init(tables: MultispinTables, depth: int, chains: int, rng: np.random.Generator) -> MultispinState:
    """Chains started at the forward pass of prior (W, b) (as :func:`deeprg.sampling.gibbs.init`); one key per
    word of 64 chains, the key the word's first chain would get."""
    from .tables import prior_start

    start = prior_start(tables.layer, depth, chains, rng)
    h = start.h.copy()
    if not tables.dnn:
        h[:, -1] = 0  # the DNA's output pseudo-state is not a neuron
    c = start.c
    keys = start.keys[::64].copy()
    return MultispinState(_bits.pack_lanes(h), _bits.pack_lanes(c >> 1), _bits.pack_lanes(c & 1), keys, np.array(chains, dtype=np.int64),
                          np.zeros(len(keys), dtype=np.int64), 0)


def _last_level(levels: np.ndarray) -> int:
    """1 + the last bit level with a nonzero threshold bit (a level's leaves are all zero iff its bits are)."""
    nonzero = np.flatnonzero((levels != 0).reshape(-1, levels.shape[-2], 8).any(axis=(0, 2)))
    return int(nonzero[-1]) + 1 if len(nonzero) else 1


def _kernel(tables, state, sweeps, burn_in, series, counts, lo, hi, rmax):
    values = tables.layer.states.ravel()
    v0, dv = float(values[0]), float(values[1] - values[0])
    if tables.dnn:
        _multispin.metropolis_sweeps(state.H, state.CH, state.CL, state.keys, int(state.chains), state.sweep,
                                     sweeps, burn_in, tables.out_leaves, tables.prior_levels.ravel(),
                                     _last_level(tables.prior_levels), tables.accept_levels.ravel(), lo, hi, rmax, v0, dv, series, counts,
                                     state.accepted)
    else:
        _multispin.sweeps(state.H, state.CH, state.CL, state.keys, int(state.chains), state.sweep, sweeps,
                          burn_in, tables.out_leaves, tables.levels.ravel(), lo, hi, rmax, v0, dv, series, counts)


def step(tables: MultispinTables, state: MultispinState, sweeps: int = 1) -> MultispinState:
    """``sweeps`` heat-bath sweeps without measurement; returns a new state."""
    new = state.copy()
    M = state.H.shape[1] - 2
    _kernel(tables, new, sweeps, np.iinfo(np.int64).max, np.zeros((2, 0, 0, 1)),
            np.zeros((len(state.keys), M), dtype=np.int64), 1, M, 0)
    return new._replace(sweep=state.sweep + sweeps)


def run_block(tables: MultispinTables, state: MultispinState, sweeps: int, burn_in: int, series: np.ndarray,
              sums: np.ndarray, lo: int, hi: int, rmax: int) -> MultispinState:
    """``sweeps`` sweeps that write, for every sweep numbered >= ``burn_in``, the position-averaged series
    (:mod:`deeprg.sampling.observables`) of the unit and the magnetization into ``series[:2, :, sweep -
    burn_in]`` and add the neuron values to ``sums`` (M, 1); the overlap (one data row) stays zero. In place on
    ``series`` and ``sums``; returns the new state."""
    new = state.copy()
    M = state.H.shape[1] - 2
    counts = np.zeros((len(state.keys), M), dtype=np.int64)
    _kernel(tables, new, sweeps, burn_in, series, counts, lo, hi, rmax)
    measured = max(0, state.sweep + sweeps - max(burn_in, state.sweep))
    add_counted_values(sums, counts, measured * int(state.chains), tables.layer.states.ravel())
    return new._replace(sweep=state.sweep + sweeps)


def add_counted_values(sums: np.ndarray, counts: np.ndarray, samples: int, values: np.ndarray) -> None:
    """sums[:, 0] += the neuron values of ``samples`` chain-sweeps of which ``counts`` (words, M) were in
    state 1 (two neuron values)."""
    sums[:, 0] += samples * values[0] + (values[1] - values[0]) * counts.sum(axis=0)


def neuron_values(tables: MultispinTables, state: MultispinState) -> np.ndarray:
    """(chains, M, 1) values of the dynamic neurons."""
    bits = _bits.unpack_lanes(state.H[:, 1:-1], int(state.chains))
    return tables.layer.states.ravel()[bits][..., None]


def configurations(state: MultispinState) -> np.ndarray:
    """(chains, M+1) weight configuration indices c_m."""
    chains = int(state.chains)
    return 2 * _bits.unpack_lanes(state.CH, chains).astype(np.int32) + _bits.unpack_lanes(state.CL, chains)


def layer_observables(tables: MultispinTables, state: MultispinState, row: int, unit: int, lo: int,
                      hi: int) -> np.ndarray:
    """(3, chains, hi - lo + 1) unit, magnetization and overlap (zero: one data row) of layers lo..hi."""
    f = neuron_values(tables, state)[:, lo - 1:hi, 0]
    return np.stack([f, f, np.zeros_like(f)])


def sites_per_sweep(spec: NetworkSpec, tables=None) -> int:
    """DNA: 3M + 2 (every W, b and h, :func:`deeprg.sampling.tables.variables_per_sweep`); DNN: M + 1 moves
    (as :mod:`deeprg.sampling.original`)."""
    return variables_per_sweep(spec) if spec.hamiltonian == "dna" else spec.depth + 1


__all__ = ["MultispinState", "MultispinTables", "State", "configurations", "init", "layer_observables",
           "neuron_values", "prepare", "run_block", "sites_per_sweep", "step", "unsupported"]
