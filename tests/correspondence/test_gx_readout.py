"""Readout: the calibrated Poisson rate against the exact skewness of Poisson data, affine invariance,
calibrated error bars, and the orientation gauge."""

import numpy as np
import pytest

from deeprg.correspondence.experiment import _oriented
from deeprg.correspondence.families import REGISTRY, one_parameter_family
from deeprg.correspondence.readout import measure


@pytest.mark.parametrize("lam", [0.7, 4.0, 16.0])
def test_count_readout_recovers_the_rate_of_poisson_data(lam):
    x = np.random.default_rng(0).poisson(lam, (3000, 16)).astype(float)
    m = measure("poisson", x)
    assert abs(m.coordinate - lam / (1 + lam)) < 4 * m.coordinate_stderr


def test_count_readout_is_invariant_under_affine_maps_of_each_feature():
    rng = np.random.default_rng(1)
    x = rng.poisson(3.0, (2000, 8)).astype(float)
    scale, shift = rng.uniform(0.2, 5, 8), rng.normal(0, 10, 8)
    assert measure("poisson", x * scale + shift).coordinate == pytest.approx(measure("poisson", x).coordinate, 1e-9)
    assert measure("poisson", -x).coordinate == pytest.approx(measure("poisson", x).coordinate, 1e-9)


def test_count_readout_error_bar_matches_the_spread_over_replicas():
    rng = np.random.default_rng(2)
    runs = [measure("poisson", rng.poisson(4.0, (1000, 8)).astype(float)) for _ in range(60)]
    spread = np.std([m.coordinate for m in runs], ddof=1)
    mean_se = np.mean([m.coordinate_stderr for m in runs])
    assert 0.7 < mean_se / spread < 1.4  # the chi distribution of 59 dof puts the ratio within ±0.25 at 3 sigma


def test_gaussian_features_read_as_the_limit_of_the_block_sum_flow():
    m = measure("poisson", np.random.default_rng(3).standard_normal((4000, 16)))
    assert m.coordinate > 1 - 4 * m.coordinate_stderr  # skewness 0: lambda = inf, u = 1


def test_orientation_undoes_per_feature_sign_flips():
    rng = np.random.default_rng(4)
    s = one_parameter_family("ising", 0.8, 16)(rng, 2000)
    flips = np.where(rng.random(16) < 0.5, -1.0, 1.0)
    oriented, _ = _oriented(s * flips, s * flips, s, "spin")  # reference: each feature's own site
    assert np.array_equal(oriented, s)
    assert measure("ising", oriented).coordinate == pytest.approx(measure("ising", s).coordinate)
    bits = (s > 0).astype(float)
    swapped = np.where(flips < 0, 1 - bits, bits)
    assert np.array_equal(_oriented(swapped, swapped, bits, "bit")[0], bits)


def test_every_registry_kind_has_a_readout():
    from deeprg.correspondence.readout import KINDS

    assert {record.kind for record in REGISTRY.values()} <= set(KINDS)
