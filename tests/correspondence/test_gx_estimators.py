"""Estimators recover known parameters within 3 standard errors (fixed seeds)."""

import math

import numpy as np
import pytest

from deeprg.correspondence.data import GaussianChain, NearestNeighbourChain
from deeprg.correspondence.estimators import (fit_bernoulli, fit_chain_mle, fit_chain_pseudolikelihood, fit_gaussian,
                                              fit_gaussian_chain, fit_poisson)


def within(fit, truth, k=3.0):
    for name, value in truth.items():
        assert abs(fit.value[name] - value) <= k * fit.stderr[name], (name, fit.value[name], value, fit.stderr[name])
        assert 0 < fit.stderr[name] < 1


CHAINS = [NearestNeighbourChain.ising(0.7, 0.2, 16), NearestNeighbourChain.ising(-0.5, -0.3, 12, periodic=True),
          NearestNeighbourChain.bernoulli(-0.6, 1.1, 10), NearestNeighbourChain.poisson(0.4, -0.4, 10)]


@pytest.mark.parametrize("chain", CHAINS, ids=["ising-open", "ising-ring", "bernoulli-chain", "poisson-chain"])
def test_chain_mle_and_pseudolikelihood_recover_parameters(chain):
    x = chain.sample(np.random.default_rng(7), 3000)
    truth = {"field": chain.field, "coupling": chain.coupling}
    mle = fit_chain_mle(x, chain)
    within(mle, truth)
    within(fit_chain_mle(x, chain, robust=True), truth)
    pl = fit_chain_pseudolikelihood(x, chain, exact_poisson=len(chain.support) > 2)
    within(pl, truth)
    # Cramer-Rao: the MLE is at least as precise as the pseudo-likelihood (up to the noise of the sandwich)
    assert mle.stderr["coupling"] <= 1.3 * pl.stderr["coupling"]


def test_fixed_field_fit_and_degenerate_data():
    chain = NearestNeighbourChain.ising(0.4, 0.0, 20)
    x = chain.sample(np.random.default_rng(2), 2000)
    fit = fit_chain_mle(x, chain, fixed_field=0.0)
    bonds = (x[:, :-1] * x[:, 1:]).ravel()
    # zero-field open chain: bonds are independent, so tanh(K_hat) is the mean bond (closed form)
    assert math.tanh(fit.value["coupling"]) == pytest.approx(bonds.mean(), abs=1e-6)
    assert fit.stderr["coupling"] == pytest.approx(1 / math.sqrt(bonds.size * (1 - bonds.mean() ** 2)), rel=1e-3)
    aligned = np.ones((50, 20))
    assert math.isinf(fit_chain_mle(aligned, chain, fixed_field=0.0).stderr["coupling"])


def test_gaussian_chain_and_iid_closed_forms():
    rng = np.random.default_rng(4)
    x = GaussianChain(0.65, 24).sample(rng, 1500)
    within(fit_gaussian_chain(x), {"rho": 0.65})
    within(fit_gaussian_chain(x, robust=True), {"rho": 0.65})
    within(fit_gaussian(GaussianChain(0.0, 8, 1.5, 2.0).sample(rng, 3000)), {"mean": 1.5, "variance": 2.0})
    within(fit_bernoulli((rng.random((3000, 8)) < 0.27).astype(float)), {"p": 0.27})
    within(fit_poisson(rng.poisson(3.2, (3000, 8)).astype(float)), {"lambda": 3.2})


@pytest.mark.slow
def test_standard_errors_are_calibrated_over_replications():
    chain = NearestNeighbourChain.ising(0.6, 0.25, 12)
    z = []
    for seed in range(60):
        x = chain.sample(np.random.default_rng(100 + seed), 800)
        fit = fit_chain_mle(x, chain)
        z.append((fit.value["coupling"] - chain.coupling) / fit.stderr["coupling"])
    assert 0.7 < np.std(z) < 1.3 and abs(np.mean(z)) < 0.5


def test_bad_samples_are_rejected():
    chain = NearestNeighbourChain.ising(0.5, 0.0, 4)
    with pytest.raises(ValueError, match="samples"):
        fit_chain_mle(np.ones((10, 5)), chain)
    with pytest.raises(ValueError, match="samples"):
        fit_bernoulli(np.array([[np.nan, 1.0], [0.0, 1.0]]))
