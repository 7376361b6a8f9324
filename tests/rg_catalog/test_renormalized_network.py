"""The renormalized DNN (eqs 31-32, Fig 6): exact identities, the two-layer rule by enumeration, the exact
sampler against exact marginals, and the statistical equivalence of even layers and the renormalized network."""

import itertools

import numpy as np
import pytest

from deeprg.exact import FiniteChain, enumerate_spec
from deeprg.model import NetworkSpec, ValueSets
from deeprg.rg import renormalized_network as rn
from deeprg.stats import estimate

TOY = NetworkSpec(depth=8, beta=1.0, beta_v=1.0)
L2_SIGN = NetworkSpec(depth=6, x=[[1.0], [-1.0]], y=[[1.0], [1.0]], beta=0.7, beta_v=0.5, activation="sign",
                      values=ValueSets(weights=(-1.0, 1.0), biases=(0.0,), neurons=(-1.0, 1.0)))


@pytest.mark.parametrize("spec", [TOY, L2_SIGN])
def test_renormalized_chain_is_the_squared_chain(spec):
    net = rn.renormalize(spec)
    T, T2 = net.original.T, net.renormalized.T
    ratio = T2 / (T @ T)  # T' = T^2 and u' = u^T T up to one constant each
    assert np.allclose(ratio, ratio.flat[0])
    u_ratio = net.renormalized.u / (net.original.u @ T)
    assert np.allclose(u_ratio, u_ratio[0])
    assert np.allclose(net.two_layer @ net.original.E.T, T @ T)


@pytest.mark.parametrize("spec", [TOY, L2_SIGN])
def test_two_layer_rule_at_infinite_beta_v_by_enumeration(spec):
    net = rn.renormalize(spec.replace(beta_v=np.inf))
    assert np.allclose(rn.two_layer_multiplicity(spec), net.two_layer)
    K = net.original.K
    assert np.allclose(net.renormalized.E, K.T / K.max())  # E' = K^T: one decimated layer's multiplicity


def test_rule_of_the_toy_follows_from_its_renormalized_factor():
    net = rn.renormalize(TOY)
    u = np.e  # E' = E K^T E by hand from K = [[2, 2], [1, 3]], E = [[1, 1/u], [1/u, 1]] (cf. eq 22)
    hand = np.array([[2 + 3 / u + 3 / u**2, 1 + 5 / u + 2 / u**2], [2 + 5 / u + 1 / u**2, 3 + 3 / u + 2 / u**2]])
    assert np.allclose(net.renormalized.E, hand / hand.max())
    best = np.unravel_index(np.argmax(hand), hand.shape)
    assert net.constraint.minimal_pairs == (tuple(int(i) for i in best),)
    assert net.constraint.rule == tuple((int(np.argmax(hand[:, s])),) for s in range(2))


def test_exact_sampler_matches_enumerated_marginals():
    spec = NetworkSpec(depth=3, beta=1.3, beta_v=0.8)
    exact = enumerate_spec(spec)  # brute-force oracle of <h^(m)>
    net = rn.renormalize(spec.replace(depth=4))
    chain_tm = net.original
    draws = rn.sample_chain(chain_tm, 3, 40000, np.random.default_rng(1))
    h = chain_tm.states[draws][..., 0, 0]  # (n, 3)
    est = estimate(h.reshape(4, -1, 3))
    assert np.all(np.abs(est.mean - exact.mean_h[:, 0, 0]) < 4 * est.stderr)
    pair = FiniteChain.solve(spec, chain_tm).joint(1, 3)  # joint of layers 1 and 3
    counts = np.zeros((2, 2))
    np.add.at(counts, (draws[:, 0], draws[:, 2]), 1)
    assert np.all(np.abs(counts / len(draws) - pair) < 4 * np.sqrt(pair * (1 - pair) / len(draws)))


@pytest.mark.parametrize("spec, seed", [(TOY, 0), (L2_SIGN, 1)])
def test_even_layers_have_the_statistics_of_the_renormalized_network(spec, seed):
    result = rn.verify(rn.renormalize(spec), 20000, np.random.default_rng(seed))
    assert result.max_exact_difference < 1e-10
    assert result.max_z < 4.5, result.to_dict()
    assert result.passes()


def test_bad_input():
    with pytest.raises(ValueError, match="depth"):
        rn.renormalize(TOY.replace(depth=7))
    with pytest.raises(ValueError, match="samples"):
        rn.verify(rn.renormalize(TOY), 3, np.random.default_rng(0))


def test_moment_names_cover_all_pairs():
    values = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    obs, names = rn._moments(values)
    assert obs.shape == (2, 3 * 2 + len(list(itertools.combinations(range(3), 2)))) and len(names) == obs.shape[1]
