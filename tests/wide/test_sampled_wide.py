"""Monte Carlo at a width the full engine cannot reach (N = 48, L = 2: 2^96 layer states) against the block chain.

The oracle is independent of every transfer matrix: for binary neurons T is a constant times a stochastic matrix,
so the bulk is sampled exactly by the noisy forward pass it encodes (fresh prior weights each layer, s = sign(W h),
each entry flipped with probability eps = e^{-beta_v 2^p} / (1 + e^{-beta_v 2^p})). Error bars from deeprg.stats.
"""

import math

import numpy as np
import pytest

from deeprg.exact import bulk_observables
from deeprg.model import NetworkSpec, ValueSets
from deeprg.stats import estimate


def noisy_forward_chain(N, beta_v, chains, layers, rng):
    eps = math.exp(-beta_v * 4) / (1 + math.exp(-beta_v * 4))
    h = rng.choice([-1.0, 1.0], size=(chains, 2, N))
    q, m = np.empty((chains, layers)), np.empty((chains, layers))
    for t in range(layers):
        W = rng.choice([-1.0, 1.0], size=(chains, N, N))
        s = np.where(np.einsum("cij,clj->cli", W, h) >= 0, 1.0, -1.0)
        h = np.where(rng.random(s.shape) < eps, -s, s)
        q[:, t], m[:, t] = (h[:, 0] * h[:, 1]).mean(axis=1), h[:, 0].mean(axis=1)
    return q, m


@pytest.mark.slow
def test_sampled_overlap_and_magnetization_agree_with_the_block_chain():
    N, beta_v, burn = 48, 0.75, 100
    q, m = noisy_forward_chain(N, beta_v, chains=32, layers=3000 + burn, rng=np.random.default_rng(20261130))
    q, m = q[:, burn:], m[:, burn:]
    spec = NetworkSpec(width=N, x=np.ones((2, N)), y=np.ones((2, N)), beta_v=beta_v, activation="sign",
                       values=ValueSets(biases=(0.0,), neurons=(-1, 1)))
    exact = bulk_observables(spec, rmax=3)
    assert exact["engine"] == "symmetric"
    for series, key in ((q, "overlap"), (m, "magnetization")):
        est = estimate(series)
        assert abs(est.mean - exact[key].mean) < 4 * est.stderr + 1e-12, key
        for r in range(3):
            prod = series[:, : series.shape[1] - r] * series[:, r:]
            e = estimate(prod)
            G = e.mean - est.mean**2
            assert abs(G - exact[key].G[r]) < 4 * e.stderr + 2 * abs(est.mean) * est.stderr + 1e-12, (key, r)
