"""The sign conventions stated in docs/conventions.md, checked against independent computations."""

import math

import numpy as np
import pytest

from deeprg.exact import build, bulk, enumerate_spec, solve
from deeprg.model import NetworkSpec, ValueSets

SPECS = [NetworkSpec(depth=1, beta=1.0, beta_v=2.0),
         NetworkSpec(depth=1, beta=0.3, beta_v=0.7, values=ValueSets(weights=(-1, 0, 1))),
         NetworkSpec(width=2, depth=1, x=[[1, 0], [0, 1]], beta=0.8, beta_v=1.1)]


@pytest.mark.parametrize("spec", SPECS)
def test_free_energy_per_layer_is_plus_ln_lambda_1_the_growth_of_log_z(spec):
    # log Z_{M+1} - log Z_M of finite chains (repeated squaring, no eigenvalues) tends to +ln lambda_1
    growth = solve(spec.replace(depth=401)).log_z - solve(spec.replace(depth=400)).log_z
    assert bulk(build(spec)).free_energy_per_layer == pytest.approx(growth, abs=1e-9)


def test_log_z_is_the_plain_sum_of_gibbs_weights():
    spec = NetworkSpec(depth=2, beta=0.5, beta_v=1.5)
    assert solve(spec).log_z == pytest.approx(enumerate_spec(spec).log_z, rel=1e-12)


def test_xi_is_the_decay_length_of_g_in_layers():
    b = bulk(build(NetworkSpec(depth=1, beta=1.0, beta_v=2.0)), rmax=30)
    r = np.arange(2, 11)  # G(r) ~ 1e-9 at r = 10; beyond, subtraction round-off dominates
    slope = np.polyfit(r, np.log(np.abs(b.G[r])), 1)[0]
    assert -1 / slope == pytest.approx(b.xi, rel=1e-6)
    assert b.xi == pytest.approx(1 / math.log(abs(b.eigenvalues[0]) / abs(b.eigenvalues[1])), rel=1e-12)
