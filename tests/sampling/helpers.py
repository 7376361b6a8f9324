"""Shared checks of the sampler tests: tiny specs for enumeration, moments against exact values, bit-exact resume."""

import json

import numpy as np
import pytest

from deeprg.model import NetworkSpec, ValueSets
from deeprg.results import jsonable
from deeprg.sampling import covariance, estimate, run
from deeprg.sampling.run import load_checkpoint

TINY_SPECS = {  # small enough for the joint enumeration of W, b, h
    "toy": NetworkSpec(depth=3, beta=1.3, beta_v=0.7),
    "two-rows": NetworkSpec(depth=2, x=[[0], [1]], y=[[1], [0]], beta=2.0, beta_v=1.5),
    "width-2": NetworkSpec(width=2, depth=2, x=[[1, 0]], y=[[0, 1]], beta=1.0, beta_v=0.8),
    "sign-ternary": NetworkSpec(depth=2, beta=0.9, beta_v=1.2, activation="sign", x=[[-1]], y=[[1]],
                                values=ValueSets(weights=(-1, 0, 1), biases=(-1, 1), neurons=(-1, 1),
                                                 weight_prior=(1, 2, 1))),
}


def neuron_trace(sampler, tables, state, sweeps):
    """Neuron values (chains, sweeps, M L N) after each of ``sweeps`` single steps of a sampler module (its
    ``step`` and ``neuron_values``)."""
    out = []
    for _ in range(sweeps):
        state = sampler.step(tables, state, 1)
        values = sampler.neuron_values(tables, state)
        out.append(np.asarray(values).reshape(values.shape[0], -1))
    return np.stack(out, axis=1)


def assert_moments_match(x, mean_h, cov_h=None):
    """Sampled neuron means (and covariances when ``cov_h`` is given) of ``x`` (chains, draws, sites) within 4
    standard errors of the exact ``mean_h`` (sites,) and ``cov_h`` (sites, sites).

    The covariance error bar is first order in the fluctuation of the means (delta method); its second-order
    term -(dmu_i)(dmu_j) is bounded by (4 se_i)(4 se_j) and added, since the first-order term vanishes where a
    binary neuron's mean is 1/2 (the variance p(1 - p) is stationary there)."""
    mean = estimate(x)
    assert np.all(np.abs(mean.mean - mean_h) <= 4 * mean.stderr + 1e-12)
    if cov_h is not None:
        cov = covariance(x)
        second_order = 16 * np.outer(mean.stderr, mean.stderr)
        assert np.all(np.abs(cov.mean - cov_h) <= 4 * cov.stderr + second_order + 1e-12)


def assert_moments_match_enumeration(x, exact):
    """:func:`assert_moments_match` against an enumeration result (``mean_h``, ``cov_h``)."""
    assert_moments_match(x, exact.mean_h.ravel(), exact.cov_h)


def assert_resumes_bit_for_bit(tmp_path, config, stop=3):
    """Interrupt ``run(config)`` after block ``stop`` is committed, resume from its checkpoint, and require the
    resumed result equal to an uninterrupted run: the series and every number of the result but wall time.
    Returns (whole, resumed) for further checks."""
    whole = run(config)
    path = tmp_path / "state.npz"

    def interrupt(block):
        if block == stop:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(config, path, on_block=interrupt)
    assert load_checkpoint(path, config).state.sweep == stop * config.block  # the committed blocks
    resumed = run(config, path)
    assert np.array_equal(whole.series, resumed.series)
    a, b = whole.to_dict(), resumed.to_dict()
    for key in a:
        if key not in ("seconds", "site_updates_per_ns"):  # wall time differs; every number must not
            assert json.dumps(jsonable(a[key])) == json.dumps(jsonable(b[key])), key
    return whole, resumed
