r"""The renormalized DNN (Lee, Lee & Yi, eqs 31-32 and Fig 6), built and verified statistically.

A depth-2M DNA network has the neuron chain :math:`P(h^{(1..2M)}) \propto u[h^{(1)}] \prod_m T[h^{(m)}, h^{(m+1)}]
\, v[h^{(2M)}]` with :math:`T = K E^\top`, :math:`u = K_x E^\top` (:mod:`deeprg.exact.transfer`). Summing the odd
layers (their :math:`W, b, h`) leaves the even layers :math:`h'^{(k)} = h^{(2k)}` with

.. math::

    P(h'^{(1..M)}) \propto u'[h'^{(1)}] \prod_k T'[h'^{(k)}, h'^{(k+1)}]\, v[h'^{(M)}], \qquad
    T' = T^2 = K E'^\top,\quad u' = u^\top T = K_x E'^\top,\quad E' = E K^\top E,

so the renormalized network is *the same network at depth M with the constraint factor* :math:`E'` (eq 32 reads
:math:`E' = e^{-\beta H'}`) and unchanged boundaries. Two readings of the new constraint:

- **Maximal-weight pairs** (:math:`H'_m = 0`): the pairs :math:`(h^{(m+1)}, \sigma^{(m-1)})` where :math:`E'` is
  largest, and the map :math:`\sigma \mapsto h` they imply (:func:`deeprg.rg.constraints.constraint_rule`).
- **A two-layer rule**: :math:`T' = K_2 E^\top` with :math:`K_2 = K E^\top K`, i.e. each renormalized layer is a
  stochastic two-layer block :math:`h \to \sigma(W' \tilde h + b')`, :math:`\tilde h \sim E[\cdot, \sigma(W h + b)]`,
  followed by the original constraint. At :math:`\beta_v = \infty` (:math:`E = I`) it is deterministic:
  :math:`K_2 = K^2` counts the :math:`(W, b, W', b')` with :math:`\sigma(W' \sigma(W h + b) + b') = t`, and
  :math:`E' = K^\top`, i.e. :math:`E'[h, \sigma] = \#\{(W, b): \sigma(W \sigma + b) = h\}`.

Verification (:func:`verify`): exact marginals of every kept layer and the connected covariances between kept layers
(finite chain and bulk :math:`G(r)`) from both chains, and independent exact samples from both (backward filtering,
forward sampling: :math:`h^{(1)} \sim u \odot b_1`, :math:`h^{(m+1)} \mid h^{(m)} \propto T[h^{(m)}, \cdot] \odot
b_{m+1}` with :math:`b_m \propto T^{M-m} v`) compared with each other and with the exact values through
:func:`deeprg.stats.estimate`.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from .. import hamiltonian as ham
from ..exact import FiniteChain, TransferMatrices, build, bulk, neuron_states, state_index
from ..exact.transfer import chain_vectors, multiplicity
from ..model import NetworkSpec, weight_configurations
from ..stats import estimate
from .decimation import renormalized_factor
from .constraints import ConstraintRule, constraint_rule


class RenormalizedNetwork(NamedTuple):
    """A depth-2M network and its depth-M renormalization (see the module docstring)."""

    spec: NetworkSpec  # the original, depth 2M
    original: TransferMatrices
    renormalized: TransferMatrices  # same K and v, constraint E' = E K^T E, u' = K_x E'^T
    two_layer: np.ndarray  # K_2 = K E^T K, the multiplicity of one stochastic two-layer block
    constraint: ConstraintRule  # H'_m = 0 pairs and the implied rule, from E'

    @property
    def renormalized_spec(self) -> NetworkSpec:
        return self.spec.replace(depth=self.spec.depth // 2)


def renormalize(spec: NetworkSpec) -> RenormalizedNetwork:
    """Decimate every odd layer of ``spec`` (depth 2M, effective beta_v any, inf allowed)."""
    if spec.depth % 2:
        raise ValueError(f"depth: the original network needs an even depth 2M to be halved, got {spec.depth}")
    tm = build(spec)
    E_new = renormalized_factor(tm.E, tm.K)
    E_new = E_new / E_new.max()  # a constant factor per layer: it changes Z only
    K_x = multiplicity(spec, spec.x_array[None])[0]
    T_new = tm.K @ E_new.T
    renorm = TransferMatrices(tm.states, tm.K, E_new, T_new, K_x @ E_new.T, tm.v, tm.log_v_scale)
    return RenormalizedNetwork(spec, tm, renorm, tm.K @ tm.E.T @ tm.K, constraint_rule(E_new))


def two_layer_multiplicity(spec: NetworkSpec) -> np.ndarray:
    """K_2[h, t] = prior-weighted number of (W, b, W', b') with act(W' act(W h + b) + b') = t, by enumeration.

    The deterministic two-layer rule of the renormalized network at beta_v = inf (an oracle for K @ K).
    """
    states = neuron_states(spec)
    W, b, log_prior = weight_configurations(spec)
    prior = np.exp(log_prior)
    S = len(states)
    out = np.zeros((S, S))
    for h_index, h in enumerate(states):
        middle = spec.act(ham.preactivation(W, b, h))  # (C, L, N) first layer of the block
        for c, first in enumerate(middle):
            ends = state_index(spec, spec.act(ham.preactivation(W, b, first)))
            out[h_index] += prior[c] * np.bincount(ends, weights=prior, minlength=S)
    return out


def rule_network(net: RenormalizedNetwork) -> TransferMatrices:
    """The depth-M network whose constraint keeps only the rule of H'_m = 0: E_rule[h, sigma] = 1 if h minimizes
    H'_m(., sigma), else 0 (the hard-constraint reading of eq 32, with the dynamic neurons integrated out)."""
    S = len(net.renormalized.E)
    E_rule = np.zeros((S, S))
    for sigma, hs in enumerate(net.constraint.rule):
        E_rule[list(hs), sigma] = 1.0
    K_x = multiplicity(net.spec, net.spec.x_array[None])[0]
    return TransferMatrices(net.renormalized.states, net.renormalized.K, E_rule, net.renormalized.K @ E_rule.T,
                            K_x @ E_rule.T, net.renormalized.v, net.renormalized.log_v_scale)


# -- exact sampling of a chain --------------------------------------------------------------------------------
def sample_chain(tm: TransferMatrices, depth: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent exact draws of the layer states (n, depth) of the chain u, T, v."""
    if depth < 1 or n < 1:
        raise ValueError(f"depth, n: must be >= 1, got {depth}, {n}")
    S = len(tm.T)
    backward = chain_vectors(tm.v, tm.T.T, depth)[::-1]  # backward[m] proportional to T^(depth-1-m) v
    draws = rng.random((n, depth))
    out = np.empty((n, depth), dtype=int)
    first = np.cumsum(tm.u * backward[0])
    out[:, 0] = np.searchsorted(first / first[-1], draws[:, 0], side="right")
    for m in range(1, depth):
        cdf = np.cumsum(tm.T * backward[m][None, :], axis=1)
        cdf /= cdf[:, -1:]
        rows = cdf[out[:, m - 1]]
        out[:, m] = (rows <= draws[:, m, None]).sum(axis=1)
    return np.minimum(out, S - 1)


def _moments(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """First and second moments of the kept layers: <h_k,site> and <h_k,0 h_j,0> (k < j). values: (n, M, D)."""
    n, M, D = values.shape
    pairs = list(itertools.combinations(range(M), 2))
    obs = np.concatenate([values.reshape(n, M * D),
                          np.stack([values[:, k, 0] * values[:, j, 0] for k, j in pairs], axis=1)], axis=1)
    names = [f"<h'({k + 1})[{d}]>" for k in range(M) for d in range(D)] + \
            [f"<h'({k + 1})[0] h'({j + 1})[0]>" for k, j in pairs]
    return obs, names


def exact_moments(chain: FiniteChain, layers: list[int]) -> np.ndarray:
    f = chain.tm.states.reshape(len(chain.tm.states), -1)
    means = np.concatenate([chain.marginal(m) @ f for m in layers])
    seconds = [f[:, 0] @ chain.joint(m, n) @ f[:, 0] for m, n in itertools.combinations(layers, 2)]
    return np.concatenate([means, seconds])


class Verification(NamedTuple):
    """Exact and sampled comparison of the even layers of depth 2M with the depth-M renormalized network."""

    names: list[str]
    exact_original: np.ndarray  # moments of the even layers, exact
    exact_renormalized: np.ndarray
    sampled_original: np.ndarray  # (2, K): mean, stderr
    sampled_renormalized: np.ndarray
    z_between: np.ndarray  # (sampled original - sampled renormalized) / combined stderr
    z_exact: np.ndarray  # each sample set against the exact values, (2, K)
    bulk_G_original: np.ndarray  # G(2r) of the original bulk, r = 0..rmax
    bulk_G_renormalized: np.ndarray  # G(r) of the renormalized bulk
    max_exact_difference: float  # moments, covariances and bulk G(r)
    samples: int

    @property
    def max_z(self) -> float:
        return float(max(np.abs(self.z_between).max(), np.abs(self.z_exact).max()))

    @property
    def z_scores(self) -> np.ndarray:
        """Every comparison's z: samples of each network against the other and against the exact values."""
        return np.concatenate([self.z_between.ravel(), self.z_exact.ravel()])

    def passes(self, alpha: float = 0.01, exact_tol: float = 1e-10) -> bool:
        """Exact moments equal (round-off ``exact_tol``) and every |z| below the Bonferroni threshold at
        family-wise level ``alpha``."""
        from ..report.check import family_wise_z

        return self.max_exact_difference < exact_tol and self.max_z < family_wise_z(list(self.z_scores), alpha)

    def to_dict(self) -> dict:
        return {"names": self.names, "exact_original": self.exact_original,
                "exact_renormalized": self.exact_renormalized,
                "sampled_original": {"mean": self.sampled_original[0], "stderr": self.sampled_original[1]},
                "sampled_renormalized": {"mean": self.sampled_renormalized[0],
                                         "stderr": self.sampled_renormalized[1]},
                "z_between": self.z_between, "z_exact": self.z_exact, "max_z": self.max_z,
                "bulk_G_original_even": self.bulk_G_original, "bulk_G_renormalized": self.bulk_G_renormalized,
                "max_exact_difference": self.max_exact_difference, "samples": self.samples,
                "passes": self.passes()}


def verify(net: RenormalizedNetwork, samples: int, rng: np.random.Generator, chains: int = 4,
           rmax: int = 6) -> Verification:
    """Compare the even layers of the depth-2M network with the renormalized depth-M network (exact + samples)."""
    if samples < 2 * chains:
        raise ValueError(f"samples: need at least {2 * chains} draws, got {samples}")
    spec, M = net.spec, net.spec.depth // 2
    original = FiniteChain.solve(spec, net.original)
    renorm = FiniteChain.solve(net.renormalized_spec, net.renormalized)
    even = list(range(2, 2 * M + 1, 2))
    exact_o = exact_moments(original, even)
    exact_r = exact_moments(renorm, list(range(1, M + 1)))
    D = spec.rows * spec.width
    cov_o = original.full_covariance().reshape(2 * M, D, 2 * M, D)[1::2, :, 1::2, :].reshape(M * D, M * D)
    cov_r = renorm.full_covariance()
    G_o = bulk(net.original, 2 * rmax).G[::2]
    G_r = bulk(net.renormalized, rmax).G
    difference = max(np.abs(exact_o - exact_r).max(), np.abs(cov_o - cov_r).max(), np.abs(G_o - G_r).max())

    per_chain = samples // chains
    states = net.original.states.reshape(len(net.original.states), D)
    draws_o = sample_chain(net.original, 2 * M, chains * per_chain, rng)[:, 1::2]
    draws_r = sample_chain(net.renormalized, M, chains * per_chain, rng)
    stats = []
    for draws in (draws_o, draws_r):
        obs, names = _moments(states[draws])
        est = estimate(obs.reshape(chains, per_chain, -1))
        stats.append(np.stack([est.mean, est.stderr]))
    (mo, so), (mr, sr) = stats
    z_between = (mo - mr) / np.sqrt(so**2 + sr**2)
    z_exact = np.stack([(mo - exact_o) / so, (mr - exact_r) / sr])
    return Verification(names, exact_o, exact_r, stats[0], stats[1], z_between, z_exact, G_o, G_r,
                        float(difference), chains * per_chain)
