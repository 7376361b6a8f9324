"""The transfer engine against brute-force enumeration (the oracle), and the oracle against itself."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deeprg.exact import count_terms, enumerate_spec, solve
from deeprg.model import NetworkSpec, ValueSets

from .strategies import assert_exact_equal, tiny_specs


@settings(max_examples=60)
@given(tiny_specs())
def test_transfer_equals_enumeration(spec):
    assert_exact_equal(solve(spec, covariance=True), enumerate_spec(spec))


@settings(max_examples=15)
@given(tiny_specs(hamiltonians=("dna",)))
def test_factorized_enumeration_equals_joint_enumeration(spec):
    spec = spec.replace(depth=1) if count_terms(spec, factorize=False) > 3 * 10**5 else spec
    if count_terms(spec, factorize=False) > 3 * 10**5:
        spec = spec.replace(width=1, x=[r[:1] for r in spec.x], y=[r[:1] for r in spec.y])
    assert_exact_equal(enumerate_spec(spec, factorize=True), enumerate_spec(spec, factorize=False))


@pytest.mark.parametrize("width,rows,depth", [(1, 1, 3), (2, 1, 2), (1, 2, 3), (2, 2, 1)])
def test_beta_v_inf_equals_original_cost_enumeration(width, rows, depth):
    rng = np.random.default_rng(width * 100 + rows * 10 + depth)
    x = rng.integers(0, 2, (rows, width)).tolist()
    y = rng.integers(0, 2, (rows, width)).tolist()
    original = NetworkSpec(width=width, depth=depth, x=x, y=y, beta=1.3, hamiltonian="original")
    oracle = enumerate_spec(original)
    dna_inf = original.replace(hamiltonian="dna", beta_v=math.inf)
    for result in (solve(dna_inf, covariance=True), solve(original, covariance=True), enumerate_spec(dna_inf)):
        assert_exact_equal(result, oracle, tol=1e-12)


def test_dna_converges_to_original_as_beta_v_grows():
    """Z_DNA(beta_v) = Z_orig + O(e^-beta_v): the gap shrinks by ~e per unit of beta_v."""
    spec = NetworkSpec(width=2, depth=2, x=[[1, 0]], y=[[0, 1]], beta=0.8,
                       values=ValueSets(biases=(-1, 0, 1)))
    target = enumerate_spec(spec.replace(hamiltonian="original"))
    gaps = []
    for beta_v in (4.0, 8.0, 16.0, 32.0):
        result = solve(spec.replace(beta_v=beta_v), covariance=True)
        gaps.append(abs(result.log_z - target.log_z) + np.abs(result.cov_h - target.cov_h).max())
    assert all(b < a for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 1e-10
    for a, b, db in zip(gaps, gaps[1:], (4.0, 8.0, 16.0)):
        assert b <= a * math.exp(-0.9 * db) * 10  # exponential rate ~ e^{-beta_v}


def test_large_couplings_stay_finite_and_exact():
    """beta, beta_v of several hundred: no overflow/underflow, still equal to enumeration in log space."""
    spec = NetworkSpec(width=1, depth=3, x=[[1], [0]], y=[[0], [1]], beta=300.0, beta_v=500.0)
    a, b = solve(spec, covariance=True), enumerate_spec(spec)
    assert math.isfinite(a.log_z)
    assert_exact_equal(a, b)


def test_enumeration_refuses_when_too_large():
    spec = NetworkSpec(width=2, depth=6, x=[[1, 1], [0, 1]], y=[[1, 1], [0, 1]])
    with pytest.raises(ValueError, match="transfer"):
        enumerate_spec(spec)
