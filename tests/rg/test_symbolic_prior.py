"""Prior weights over W enter the symbolic multiplicity and move the fictitious fixed point."""

import numpy as np
import sympy as sp

from deeprg.exact import build
from deeprg.model import NetworkSpec, ValueSets
from deeprg.rg import symbolic


def test_symbolic_multiplicity_uses_the_weight_prior():
    spec = NetworkSpec(values=ValueSets(weight_prior=(1.0, 2.0)))
    K = symbolic.multiplicity(spec)
    np.testing.assert_array_equal(np.array(K, dtype=float), build(spec).K)


def test_prior_moves_the_point_where_E_is_proportional_to_inverse_K_transpose():
    spec = NetworkSpec(values=ValueSets(weight_prior=(1.0, 2.0)))
    E = sp.Matrix(build(spec).K.T.astype(int)).inv()
    exp_c, exp_b = E[0, 1] / E[0, 0], E[1, 0] / E[0, 0]
    exp_a = E[1, 1] / E[0, 0] / (exp_b * exp_c)
    assert (exp_a, exp_b, exp_c) == (5, sp.Rational(-3, 5), sp.Rational(-1, 5))
