"""Exact samplers and partition functions against brute-force enumeration of Boltzmann weights."""

import itertools
import math

import numpy as np
import pytest
from scipy.special import gammaln

from deeprg.correspondence.data import GaussianChain, NearestNeighbourChain, one_parameter_family, validate_parameter


def brute_force(values, log_base, field, coupling, n, periodic):
    """All configurations and their probabilities, from exp(theta S1 + J S2) prod nu."""
    confs = np.array(list(itertools.product(values, repeat=n)), dtype=float)
    bonds = confs[:, :-1] * confs[:, 1:]
    s2 = bonds.sum(1) + (confs[:, -1] * confs[:, 0] if periodic else 0)
    base = {v: lb for v, lb in zip(values, log_base)}
    log_w = field * confs.sum(1) + coupling * s2 + np.vectorize(base.get)(confs).sum(1)
    return confs, log_w


CHAINS = [NearestNeighbourChain.ising(0.7, 0.3, 6), NearestNeighbourChain.ising(-0.9, 0.2, 5, periodic=True),
          NearestNeighbourChain.bernoulli(-0.4, 1.3, 6), NearestNeighbourChain.bernoulli(0.5, -1.0, 5, True)]


@pytest.mark.parametrize("chain", CHAINS)
def test_log_partition_and_sampler_match_enumeration(chain):
    confs, log_w = brute_force(chain.support, chain.log_base, chain.field, chain.coupling, chain.n, chain.periodic)
    log_z = np.logaddexp.reduce(log_w)
    assert chain.log_partition() == pytest.approx(log_z, abs=1e-12)
    p = np.exp(log_w - log_z)
    num = 100_000
    x = chain.sample(np.random.default_rng(3), num)
    codes = {tuple(c): k for k, c in enumerate(confs)}
    counts = np.bincount([codes[tuple(r)] for r in x], minlength=len(p))
    z = (counts / num - p) / np.sqrt(p * (1 - p) / num)
    assert np.all(np.abs(z) < 4.5)  # 32-64 cells: 4.5 sigma is a family-wise ~1e-3 false alarm rate


@pytest.mark.parametrize("periodic", [False, True])
def test_poisson_chain_against_truncated_enumeration(periodic):
    chain = NearestNeighbourChain.poisson(0.2, -0.6, 3, periodic=periodic)
    values = np.arange(25.0)  # far beyond the support cut: the enumeration is the untruncated law
    confs, log_w = brute_force(values, -gammaln(values + 1), chain.field, chain.coupling, chain.n, periodic)
    log_z = np.logaddexp.reduce(log_w)
    assert chain.log_partition() == pytest.approx(log_z, abs=1e-12)
    num = 60_000
    x = chain.sample(np.random.default_rng(5), num)
    top = np.argsort(-log_w)[:10]
    for k in top:
        p = math.exp(log_w[k] - log_z)
        emp = np.mean(np.all(x == confs[k], axis=1))
        assert abs(emp - p) < 4.5 * math.sqrt(p * (1 - p) / num)


def test_poisson_support_cut_bounds_the_tail():
    chain = NearestNeighbourChain.poisson(1.0, 0.0, 4)
    from scipy.stats import poisson

    assert poisson.sf(chain.support[-1], math.e) < 1e-16


def test_gaussian_chain_precision_and_sampling():
    chain = GaussianChain(0.6, 7, mean=1.0, variance=2.0)
    assert np.allclose(np.linalg.inv(chain.covariance()), chain.precision(), atol=1e-12)
    x = chain.sample(np.random.default_rng(0), 40_000)
    emp = np.cov(x.T)
    se = np.sqrt((chain.covariance() ** 2 + np.outer(np.diag(chain.covariance()), np.diag(chain.covariance())))
                 / len(x))
    assert np.all(np.abs(emp - chain.covariance()) < 5 * se)
    assert abs(x.mean() - 1.0) < 5 * math.sqrt(2.0 * 4 / len(x))


@pytest.mark.parametrize("family, value, fragment", [
    ("poisson", -0.1, "poisson rate"), ("gaussian", 1.0, "-1 < rho < 1"), ("gaussian", -1.2, "-1 < rho < 1"),
    ("bernoulli", 1.01, "[0, 1]"), ("bernoulli", -0.01, "[0, 1]"), ("poisson", math.inf, "finite"),
    ("nope", 0.1, "family")])
def test_parameters_outside_domain_are_rejected(family, value, fragment):
    with pytest.raises(ValueError, match=None) as err:
        validate_parameter(family, value)
    assert fragment in str(err.value)


def test_poisson_chain_needs_nonpositive_coupling():
    with pytest.raises(ValueError, match="J <= 0"):
        NearestNeighbourChain.poisson(0.0, 0.1, 4)


def test_one_parameter_samplers_have_the_right_means():
    rng = np.random.default_rng(1)
    assert abs(one_parameter_family("bernoulli", 0.3, 8)(rng, 5000).mean() - 0.3) < 5 * math.sqrt(0.21 / 40000)
    assert abs(one_parameter_family("poisson", 2.5, 8)(rng, 5000).mean() - 2.5) < 5 * math.sqrt(2.5 / 40000)
