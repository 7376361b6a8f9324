"""Renormalized constraints (eqs 31-32): which (h, sigma) pairs minimize H'_m, and the rule they imply."""

import math

import numpy as np
import pytest

from deeprg.exact import build
from deeprg.rg import constraint_rule, renormalized_factor

from .models import TOY


@pytest.mark.parametrize("beta_v", [0.2, 1.0, math.inf])
def test_bare_constraint_is_the_network_rule(beta_v):
    rule = constraint_rule(build(TOY.replace(beta_v=beta_v)).E)
    assert rule.minimal_pairs == ((0, 0), (1, 1)) and rule.rule == ((0,), (1,)) and rule.deterministic


def test_renormalized_constraint_at_infinite_beta_v_counts_two_layer_paths():
    """At beta_v = inf, E = I and E'[h, sigma] = K[sigma, h]: the number of (W, b) taking sigma to h."""
    tm = build(TOY.replace(beta_v=math.inf))
    Ep = renormalized_factor(tm.E, tm.K)
    np.testing.assert_array_equal(Ep, tm.K.T)
    rule = constraint_rule(Ep)
    best = tm.K.max()
    assert rule.minimal_pairs == tuple((h, s) for h in range(2) for s in range(2) if tm.K[s, h] == best)
    assert rule.rule == tuple(tuple(np.flatnonzero(tm.K[s] == tm.K[s].max())) for s in range(2))


def test_rejects_non_boltzmann_weights():
    with pytest.raises(ValueError, match="not Boltzmann weights"):
        constraint_rule(np.array([[1.0, -0.3], [-0.6, 0.6]]))
