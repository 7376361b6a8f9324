"""RG maps and fixed points against exact finite-chain computations (enumeration, covariances, SymPy)."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from scipy.stats import poisson

from deeprg.correspondence.data import GaussianChain, NearestNeighbourChain
from deeprg.correspondence.rg_maps import (OneParameterRG, bulk_moments, decimate_two_state, gaussian_block_average,
                                           majority_rule, projected_decimation)


def kept_marginal(values, field, coupling, n, b, periodic):
    """Joint law of sites 0, b, 2b, ... by summing Boltzmann weights over all configurations."""
    confs = np.array(list(itertools.product(values, repeat=n)), dtype=float)
    s2 = (confs[:, :-1] * confs[:, 1:]).sum(1) + (confs[:, -1] * confs[:, 0] if periodic else 0)
    w = np.exp(field * confs.sum(1) + coupling * s2)
    table = {}
    for c, wk in zip(confs[:, ::b], w):
        table[tuple(c)] = table.get(tuple(c), 0.0) + wk
    total = sum(table.values())
    return {k: v / total for k, v in table.items()}


@pytest.mark.parametrize("values, field, coupling, n, b", [
    ((-1.0, 1.0), 0.3, 0.7, 8, 2), ((-1.0, 1.0), -0.5, 1.2, 9, 3), ((-1.0, 1.0), 0.0, -0.8, 6, 2),
    ((0.0, 1.0), -0.7, 1.5, 8, 2), ((0.0, 1.0), 0.4, -1.1, 9, 3)])
def test_periodic_decimation_is_exact(values, field, coupling, n, b):
    chain = NearestNeighbourChain(values, (0.0, 0.0), field, coupling, n, periodic=True)
    coarse = decimate_two_state(chain, b)
    exact = kept_marginal(values, field, coupling, n, b, True)
    predicted = kept_marginal(values, coarse.field, coarse.coupling, n // b, 1, True)
    assert max(abs(exact[k] - predicted[k]) for k in exact) < 1e-12


@pytest.mark.parametrize("coupling, b", [(0.9, 2), (-0.6, 3), (2.0, 2)])
def test_zero_field_open_chain_decimation_and_closed_form(coupling, b):
    n = 2 * b + 1
    coarse = decimate_two_state(NearestNeighbourChain.ising(coupling, 0.0, n), b)
    exact = kept_marginal((-1.0, 1.0), 0.0, coupling, n, b, False)
    predicted = kept_marginal((-1.0, 1.0), 0.0, coarse.coupling, 3, 1, False)
    assert max(abs(exact[k] - predicted[k]) for k in exact) < 1e-12
    assert abs(coarse.field) < 1e-12
    # the tanh law (3), derived independently: bonds of a zero-field open chain are independent
    assert math.tanh(coarse.coupling) == pytest.approx(math.tanh(coupling) ** b, abs=1e-12)
    assert OneParameterRG("ising", b).step(coupling) == pytest.approx(coarse.coupling, abs=1e-12)


def test_projection_reproduces_exact_decimation_for_closed_families():
    for chain in (NearestNeighbourChain.ising(0.8, 0.3, 5), NearestNeighbourChain.bernoulli(-0.5, 1.2, 5)):
        exact, projected = decimate_two_state(chain, 2), projected_decimation(chain, 2)
        assert projected.field == pytest.approx(exact.field, abs=1e-6)
        assert projected.coupling == pytest.approx(exact.coupling, abs=1e-6)


def test_poisson_chain_projection_matches_decimated_moments_from_samples():
    chain = NearestNeighbourChain.poisson(0.5, -0.4, 60)
    b = 3
    x = chain.sample(np.random.default_rng(11), 4000)[:, 20:41]  # bulk sites, away from the open ends
    kept = x[:, ::b]
    m1, m2 = bulk_moments(chain, b)
    pairs = (kept[:, :-1] * kept[:, 1:]).ravel()
    assert abs(kept.mean() - m1) < 5 * kept.std() / math.sqrt(len(x) * kept.shape[1] / 3)
    assert abs(pairs.mean() - m2) < 5 * pairs.std() / math.sqrt(len(x))
    projected = projected_decimation(chain, b)
    assert bulk_moments(projected) == pytest.approx((m1, m2), abs=1e-6)
    assert chain.coupling < projected.coupling < 0  # odd b: still anticorrelated, but weaker
    even = projected_decimation(chain, 2)
    assert bulk_moments(chain, 2)[1] > m1 ** 2 and even.coupling == 0.0  # positive correlation: J' at the boundary


@pytest.mark.parametrize("rho, b", [(0.6, 2), (-0.7, 3), (0.3, 4)])
def test_gaussian_decimation_against_covariance(rho, b):
    chain = GaussianChain(rho, 3 * b + 1)
    kept = np.arange(0, chain.n, b)
    coarse = GaussianChain(OneParameterRG("gaussian", b).step(rho), len(kept))
    assert np.allclose(np.linalg.inv(chain.covariance()[np.ix_(kept, kept)]), coarse.precision(), atol=1e-10)


@pytest.mark.parametrize("b", [2, 3, 4])
def test_gaussian_block_average_against_matrix_product(b):
    rho = 0.55
    chain = GaussianChain(rho, 4 * b)
    blocks = np.kron(np.eye(4), np.ones(b)) / b
    cov = blocks @ chain.covariance() @ blocks.T
    assert gaussian_block_average(rho, b) == pytest.approx(cov[1, 2] / cov[1, 1], abs=1e-12)


def test_gaussian_block_average_closed_form_b2_by_sympy():
    r = sp.symbols("r")
    cov = lambda i, j: r ** abs(i - j)  # noqa: E731
    lag1 = sp.simplify(sum(cov(i, j) for i in (0, 1) for j in (2, 3)) / sum(cov(i, j) for i in (0, 1) for j in (0, 1)))
    for value in (0.2, 0.5, 0.9):
        assert gaussian_block_average(value, 2) == pytest.approx(float(lag1.subs(r, value)), abs=1e-12)
    assert set(sp.solve(sp.Eq(lag1, r), r)) == {0, 1}


@pytest.mark.parametrize("b", [2, 3, 4, 5])
def test_majority_rule_against_block_enumeration(b):
    for p in (0.1, 0.37, 0.5, 0.8):
        total = 0.0
        for block in itertools.product((0, 1), repeat=b):
            k = sum(block)
            total += p ** k * (1 - p) ** (b - k) * (1.0 if 2 * k > b else 0.5 if 2 * k == b else 0.0)
        assert majority_rule(p, b) == pytest.approx(total, abs=1e-14)


@pytest.mark.parametrize("b", [2, 3])
def test_poisson_block_sum_against_convolution(b):
    lam = 1.3
    support = np.arange(60)
    pmf = poisson.pmf(support, lam)
    conv = pmf
    for _ in range(b - 1):
        conv = np.convolve(conv, pmf)[:60]
    assert np.allclose(conv, poisson.pmf(support, OneParameterRG("poisson", b).step(lam)), atol=1e-15)


def sympy_fixed_points(expr, c, lo, hi):
    roots = [complex(r) for r in sp.solve(sp.Eq(expr, c), c)]
    points = sorted(r.real for r in roots if abs(r.imag) < 1e-12 and lo - 1e-12 <= r.real <= hi + 1e-12)
    return points, [float(sp.diff(expr, c).subs(c, p)) for p in points]


@pytest.mark.parametrize("family, b", [("ising", 2), ("ising", 3), ("gaussian", 2), ("gaussian", 3),
                                       ("bernoulli", 3), ("bernoulli", 5), ("poisson", 2), ("poisson", 3)])
def test_fixed_points_and_slopes_against_sympy(family, b):
    c = sp.symbols("c", real=True)
    rg = OneParameterRG(family, b)
    if family in ("ising", "gaussian"):
        expr = c ** b
    elif family == "bernoulli":
        expr = sum(sp.binomial(b, k) * c ** k * (1 - c) ** (b - k) for k in range(b // 2 + 1, b + 1))
    else:
        lam = c / (1 - c)
        expr = sp.simplify(b * lam / (1 + b * lam))
    points, slopes = sympy_fixed_points(expr, c, rg.coordinate.lo, rg.coordinate.hi)
    found = rg.fixed_points()
    assert [p.coordinate for p in found] == pytest.approx(points, abs=1e-9)
    assert [p.slope for p in found] == pytest.approx(slopes, abs=1e-6)
    for p in found:
        assert p.stability == ("stable" if abs(p.slope) < 1 else "unstable")


def test_bernoulli_b2_is_a_line_of_fixed_points():
    rg = OneParameterRG("bernoulli", 2)
    assert [p.stability for p in rg.fixed_points()] == ["marginal"]
    assert rg.flow(0.3, 4) == pytest.approx([0.3] * 5)


def test_flow_composes_exact_decimations():
    rg = OneParameterRG("ising", 2)
    flow = rg.flow(1.1, 4)
    chain = NearestNeighbourChain.ising(1.1, 0.0, 3)
    assert flow[0] == 1.1 and len(flow) == 5
    for value in flow[1:]:
        chain = decimate_two_state(NearestNeighbourChain.ising(chain.coupling, 0.0, 3), 2)
        assert value == pytest.approx(chain.coupling, abs=1e-12)
    assert rg.limit(1.1) == 0.0
    assert OneParameterRG("poisson", 2).limit(0.5) == math.inf
    assert OneParameterRG("bernoulli", 3).limit(0.3) == 0.0 and OneParameterRG("bernoulli", 3).limit(0.7) == 1.0


@pytest.mark.parametrize("call, fragment", [
    (lambda: OneParameterRG("ising", 1), "factor"), (lambda: OneParameterRG("x", 2), "family"),
    (lambda: OneParameterRG("gaussian").flow(1.0, 2), "rho"), (lambda: OneParameterRG("poisson").flow(-1, 2), "rate"),
    (lambda: OneParameterRG("ising").flow(1.0, -1), "steps")])
def test_bad_rg_input(call, fragment):
    with pytest.raises(ValueError) as err:
        call()
    assert fragment in str(err.value)
