"""Hypothesis strategies for tiny discrete networks that brute-force enumeration can handle."""

import numpy as np
from hypothesis import strategies as st

from deeprg.exact import count_terms
from deeprg.model import NetworkSpec, ValueSets

ENUMERATION_BUDGET = 4 * 10**5  # terms per example, keeps each example well under a second

MODELS = [  # (weights, biases, neurons, activation)
    ((-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    ((-1.0, 0.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    ((-1.0, 1.0), (-1.0, 0.0, 1.0), (-1.0, 1.0), "sign"),
]


@st.composite
def tiny_specs(draw, hamiltonians=("dna", "original")):
    """Random specs with N <= 2, L <= 2, M <= 3 (the largest M that fits the enumeration budget)."""
    width = draw(st.integers(1, 2))
    rows = draw(st.integers(1, 2))
    weights, biases, neurons, activation = draw(st.sampled_from(MODELS))
    prior = draw(st.one_of(st.none(), st.lists(st.floats(0.2, 3.0), min_size=len(weights),
                                                max_size=len(weights))))
    values = ValueSets(weights=weights, biases=biases, neurons=neurons, weight_prior=prior)
    hamiltonian = draw(st.sampled_from(hamiltonians))
    cells = st.sampled_from(neurons)
    x = [[draw(cells) for _ in range(width)] for _ in range(rows)]
    y = [[draw(cells) for _ in range(width)] for _ in range(rows)]
    base = NetworkSpec(width=width, depth=1, x=x, y=y, beta=draw(st.floats(0.1, 3.0)),
                       beta_v=draw(st.floats(0.1, 3.0)), values=values, activation=activation,
                       hamiltonian=hamiltonian)
    depths = [m for m in (1, 2, 3) if count_terms(base.replace(depth=m)) <= ENUMERATION_BUDGET]
    return base.replace(depth=draw(st.sampled_from(depths)))


def assert_exact_equal(a, b, tol=1e-9):
    """log Z relatively, moments and covariances absolutely, to ``tol``."""
    assert abs(a.log_z - b.log_z) <= tol * max(1.0, abs(b.log_z)), (a.log_z, b.log_z)
    np.testing.assert_allclose(a.mean_h, b.mean_h, rtol=0, atol=tol)
    np.testing.assert_allclose(a.cov_h, b.cov_h, rtol=0, atol=tol)
