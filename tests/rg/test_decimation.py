"""The decimation map E -> E K^T E against T -> T^2 and against explicit sums over the middle layer."""

import itertools

import numpy as np
import pytest

from deeprg import hamiltonian as ham
from deeprg.exact import build, neuron_states, state_index
from deeprg.model import weight_configurations
from deeprg.rg import decimate, decimate_by_summation, model_matrices, renormalized_factor, transfer

from .models import MODELS


def proportional(a, b, tol=1e-11):
    """a = s b for one complex s."""
    k = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    return np.allclose(a, a[k] / b[k] * b, rtol=tol, atol=tol * np.abs(a).max())


def random_factor(rng, S, kind):
    E = rng.standard_normal((S, S))
    if kind == "complex":
        E = E + 1j * rng.standard_normal((S, S))
    elif kind == "positive":
        E = np.exp(E)
    return E


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("kind", ["physical", "positive", "complex"])
def test_map_is_T_squared(name, kind):
    spec = MODELS[name]
    K, E = model_matrices(spec)
    if kind != "physical":
        E = random_factor(np.random.default_rng(1), len(K), kind)
    T = transfer(E, K)
    step = decimate(E, K)
    assert proportional(transfer(step.E, K), T @ T)
    assert np.abs(step.E).max() == pytest.approx(1.0)
    three = decimate(E, K, factor=3)
    assert proportional(transfer(three.E, K), T @ T @ T)


@pytest.mark.parametrize("name", MODELS)
def test_map_is_the_explicit_sum_over_the_middle_layer(name):
    spec = MODELS[name]
    K, E = model_matrices(spec)
    for e in (E, random_factor(np.random.default_rng(2), len(K), "complex")):
        np.testing.assert_allclose(renormalized_factor(e, K), decimate_by_summation(e, spec), rtol=1e-12, atol=1e-12)


def chain_marginal_by_enumeration(spec):
    """Sum over all (W, b) of the three weight layers and all h^(1), h^(2) of a depth-2 chain, with the DNA
    weight from deeprg.hamiltonian, grouped by (sigma^(0), h^(2)); also the boundary sums, all by brute force."""
    W1, b1, lp1 = weight_configurations(spec)
    states = neuron_states(spec)
    S, C = len(states), len(W1)
    weight = np.zeros((S, S))  # [h2, sigma0]
    for c in itertools.product(range(C), repeat=3):
        W = np.stack([W1[i] for i in c])[None]
        b = np.stack([b1[i] for i in c])[None]
        prior = np.exp(sum(lp1[i] for i in c))
        sigma0 = state_index(spec, spec.act(ham.preactivation(W[0, 0], b[0, 0], spec.x_array)))
        for i1, i2 in itertools.product(range(S), repeat=2):
            h = np.stack([states[i1], states[i2]])[None]
            weight[i2, sigma0] += prior * np.exp(-ham.dna_energy(spec, W, b, h)[0])
    # boundary factors: how often x gives sigma0, and the output weight of h2
    sigma_x = state_index(spec, spec.act(ham.preactivation(W1, b1, spec.x_array)))
    count_x = np.bincount(sigma_x, weights=np.exp(lp1), minlength=S)
    out = np.array([np.exp(lp1 - spec.beta * ham.mismatch(spec.y_array, spec.act(ham.preactivation(W1, b1, s)),
                                                          spec.p)).sum() for s in states])
    return weight, count_x, out


@pytest.mark.parametrize("name", ["toy", "sign", "L2", "ternary-weights-prior"])
def test_map_is_the_marginal_of_a_depth_two_chain(name):
    """E'[h^(2), sigma^(0)] is the exact weight of the pair once h^(1), W^(1), b^(1) are summed out."""
    spec = MODELS[name].replace(depth=2, beta=0.6)
    K, E = model_matrices(spec)
    weight, count_x, out = chain_marginal_by_enumeration(spec)
    reachable = count_x > 0
    expected = renormalized_factor(E, K)[:, reachable]
    np.testing.assert_allclose(weight[:, reachable] / (out[:, None] * count_x[reachable]), expected, rtol=1e-10)


@pytest.mark.parametrize("name", ["toy", "sign"])
def test_decimated_chain_has_the_pair_law_of_depth_three(name):
    """P(h^(1), h^(3)) of a depth-3 chain from enumeration equals u[h1] (K E'^T)[h1, h3] v[h3]."""
    from deeprg.exact import enumerate_spec

    spec = MODELS[name].replace(depth=3, beta=0.8, beta_v=1.3)
    tm = build(spec)
    exact = enumerate_spec(spec)
    f = tm.states[:, 0, 0]
    lo, hi = f.min(), f.max()
    p1, p3 = (exact.mean_h[0, 0, 0] - lo) / (hi - lo), (exact.mean_h[2, 0, 0] - lo) / (hi - lo)
    p13 = exact.cov_h[0, 2] / (hi - lo) ** 2 + p1 * p3  # P(h1 = hi, h3 = hi)
    pair = tm.u[:, None] * transfer(decimate(tm.E, tm.K).E, tm.K) * tm.v[None, :]
    pair /= pair.sum()
    assert pair[1, 1] == pytest.approx(p13, rel=1e-10)
    assert pair[1].sum() == pytest.approx(p1, rel=1e-10)
    assert pair[:, 1].sum() == pytest.approx(p3, rel=1e-10)


def test_bad_input():
    K, E = model_matrices(MODELS["toy"])
    with pytest.raises(ValueError, match="E: must have the shape of K"):
        decimate(np.ones((3, 3)), K)
    with pytest.raises(ValueError, match="factor: the RG rescaling factor p must be an integer >= 2"):
        decimate(E, K, factor=1)
    with pytest.raises(ValueError, match="E K\\^T E vanishes"):
        decimate(np.array([[0.0, 1.0], [0.0, 0.0]]), np.eye(2))
    with pytest.raises(ValueError, match="E: entries must be finite"):
        decimate(np.array([[np.nan, 1.0], [0.0, 1.0]]), K)
