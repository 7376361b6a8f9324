"""The permutation-symmetric block chain against the full transfer-matrix engine (the oracle)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deeprg.exact import build, build_blocks, bulk_observables, solve, solve_symmetric
from deeprg.exact import symmetric as sym
from deeprg.model import NetworkSpec, ValueSets

MODELS = [  # (weights, biases, neurons, activation)
    ((-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    ((-1.0, 0.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside"),
    ((-1.0, 1.0), (0.0,), (-1.0, 1.0), "sign"),
    ((-1.0, 1.0), (-1.0, 0.0, 1.0), (-1.0, 1.0), "sign"),
    ((-0.5, 1.0), (-1.0, 1.0), (-1.0, 1.0), "sign"),
    ((-1.0, 1.0), (0.0,), (-1.0, 0.0, 1.0), "sign"),  # a zero column is its own gauge class
]
SIZES = [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2)]  # (N, L) where the full engine builds T quickly


@st.composite
def small_specs(draw):
    width, rows = draw(st.sampled_from(SIZES))
    weights, biases, neurons, activation = draw(st.sampled_from(MODELS))
    prior = draw(st.one_of(st.none(), st.just((1.0,) * len(weights)),
                           st.lists(st.floats(0.2, 3.0), min_size=len(weights), max_size=len(weights))))
    cells = st.sampled_from(neurons)
    x = [[draw(cells) for _ in range(width)] for _ in range(rows)]
    y = [[draw(cells) for _ in range(width)] for _ in range(rows)]
    return NetworkSpec(width=width, depth=draw(st.integers(1, 4)), x=x, y=y, beta=draw(st.floats(0.0, 3.0)),
                       beta_v=draw(st.floats(0.05, 3.0)), p=draw(st.sampled_from([1.0, 2.0])),
                       values=ValueSets(weights=weights, biases=biases, neurons=neurons, weight_prior=prior),
                       activation=activation, hamiltonian=draw(st.sampled_from(["dna", "original"])))


@settings(max_examples=80)
@given(small_specs(), st.sampled_from(["auto", "permutation"]))
def test_symmetric_equals_full_engine(spec, reduction):
    """log Z, <h>, the covariance, bulk G (single unit, magnetization, overlap) to 1e-10."""
    if reduction == "auto" and not sym.gauge_applies(spec):
        reduction = "permutation"
    full, lumped = solve(spec, covariance=True), solve_symmetric(spec, covariance=True, reduction=reduction)
    assert abs(full.log_z - lumped.log_z) <= 1e-10 * max(1.0, abs(full.log_z))
    np.testing.assert_allclose(lumped.mean_h, full.mean_h, rtol=0, atol=1e-10)
    np.testing.assert_allclose(lumped.cov_h, full.cov_h, rtol=0, atol=1e-10)
    if spec.effective_beta_v == math.inf:
        return  # degenerate Perron roots: the bulk vectors are not unique
    a = bulk_observables(spec, 6, engine="full")
    from deeprg.exact.observables import symmetric_bulk_observables

    b = symmetric_bulk_observables(build_blocks(spec, reduction), 6)
    assert a["free_energy_per_layer"] == pytest.approx(b["free_energy_per_layer"], abs=1e-10)
    for key in ("single", "magnetization", "overlap"):
        if a[key] is None:
            assert b[key] is None
            continue
        np.testing.assert_allclose(b[key].G, a[key].G, rtol=0, atol=1e-10)
        assert b[key].mean == pytest.approx(a[key].mean, abs=1e-10)


def _block_of_states(spec, blocks):
    """Block index of every full-engine layer state (by its column class counts)."""
    states = build(spec).states
    cols = np.swapaxes(states, 1, 2)  # (S, N, L)
    values = np.array(spec.values.neurons)
    digits = np.searchsorted(values, cols)  # neurons are sorted in the models used here
    col_index = digits @ (len(values) ** np.arange(spec.rows - 1, -1, -1))
    classes = blocks.classes[col_index]  # (S, N)
    counts = np.stack([np.bincount(c, minlength=len(blocks.reps)) for c in classes])
    lookup = {tuple(c): k for k, c in enumerate(blocks.counts)}
    return np.array([lookup[tuple(c)] for c in counts])


@pytest.mark.parametrize("model,size,reduction", [
    (MODELS[0], (3, 1), "permutation"), (MODELS[1], (2, 2), "permutation"),
    (MODELS[2], (2, 2), "gauge"), (MODELS[3], (3, 1), "gauge"), (MODELS[2], (3, 1), "permutation"),
])
def test_lumpability_of_the_full_transfer_matrix(model, size, reduction):
    """sum_{h' in B'} T[h, h'] is the same for every h in a block, and equals the lumped matrix (scaled)."""
    weights, biases, neurons, activation = model
    spec = NetworkSpec(width=size[0], x=np.full((size[1], size[0]), neurons[-1]),
                       y=np.full((size[1], size[0]), neurons[-1]), beta_v=0.7,
                       values=ValueSets(weights=weights, biases=biases, neurons=neurons), activation=activation)
    T = build(spec).T
    blocks = build_blocks(spec, reduction)
    of = _block_of_states(spec, blocks)
    P = np.zeros((len(T), len(blocks.A)))
    P[np.arange(len(T)), of] = 1.0
    lumped = T @ P / math.exp(blocks.log_scale)  # (S, B): row h summed over each target block
    np.testing.assert_allclose(lumped, blocks.A[of], rtol=1e-12, atol=1e-14)


def test_T_factorizes_over_output_units():
    """T[h, h'] = prod_j tau(h, h'_.j) at N = 3, L = 1 and N = 2, L = 2 (to 1e-15 relative)."""
    for width, rows in ((3, 1), (2, 2)):
        spec = NetworkSpec(width=width, x=np.ones((rows, width)), y=np.ones((rows, width)), beta_v=0.9)
        tm = build(spec)
        blocks = build_blocks(spec, "permutation")
        of = _block_of_states(spec, blocks)
        cols = np.swapaxes(tm.states, 1, 2)
        col_index = (cols @ (2 ** np.arange(rows - 1, -1, -1))).astype(int)  # neurons {0, 1}
        tau = blocks.tau[of]  # (S, C)
        predicted = np.ones_like(tm.T)
        for j in range(width):
            predicted *= tau[:, col_index[:, j]]
        np.testing.assert_allclose(predicted * math.exp(blocks.log_scale), tm.T, rtol=1e-14, atol=0)


def test_block_count_limit_is_checked_before_allocating():
    spec = NetworkSpec(width=40, x=np.ones((2, 40)), y=np.ones((2, 40)))
    assert sym.count_blocks(spec) == math.comb(43, 3)
    with pytest.raises(ValueError, match=r"12341 blocks .*limit 7000"):
        build_blocks(spec)


def test_gauge_needs_symmetric_weights_and_neurons():
    toy = NetworkSpec(width=3)
    assert not sym.gauge_applies(toy)
    with pytest.raises(ValueError, match="reduction: 'gauge' needs"):
        build_blocks(toy, "gauge")
    skewed = NetworkSpec(width=2, x=[[1, 1]], y=[[1, 1]], activation="sign",
                         values=ValueSets(neurons=(-1, 1), weight_prior=(1, 2)))
    assert not sym.gauge_applies(skewed)


def test_wide_single_row_sign_network_forgets_its_input():
    """+-1 neurons, even weights: w h and w (-h) have one law, so one block and h' independent of h (xi = 0)."""
    spec = NetworkSpec(width=50, x=np.ones((1, 50)), y=np.ones((1, 50)), activation="sign",
                       values=ValueSets(neurons=(-1, 1), biases=(0.0,)))
    b = bulk_observables(spec, 4)
    assert b["engine"] == "symmetric" and b["xi"] == 0 and b["magnetization"].xi == 0
    np.testing.assert_allclose(b["magnetization"].G[1:], 0, atol=1e-15)


def test_arpack_path_equals_dense_path(monkeypatch):
    """Above DENSE_EIG_LIMIT the bulk uses ARPACK for the slowest modes: same free energy, G and decay lengths."""
    from deeprg.exact.observables import symmetric_bulk_observables

    x = np.ones((2, 10))
    x[1, ::2] = 0
    blocks = build_blocks(NetworkSpec(width=10, x=x, y=x, beta_v=1.0))
    dense = symmetric_bulk_observables(blocks, 6)
    monkeypatch.setattr(sym, "DENSE_EIG_LIMIT", 50)
    sparse = symmetric_bulk_observables(blocks, 6)
    assert sparse["free_energy_per_layer"] == pytest.approx(dense["free_energy_per_layer"], abs=1e-12)
    assert sparse["xi"] == pytest.approx(dense["xi"], rel=1e-9)
    for key in ("magnetization", "overlap"):
        np.testing.assert_allclose(sparse[key].G, dense[key].G, rtol=0, atol=1e-12)
        assert sparse[key].xi == pytest.approx(dense[key].xi, rel=1e-9)


def test_deep_wide_chain_stops_at_stationarity():
    """Depth 10^5 at N = 200: forward vectors stop once stationary; log Z is linear in depth beyond mixing."""
    spec = NetworkSpec(width=200, depth=10**5)
    a = solve_symmetric(spec, covariance=False)
    b = solve_symmetric(spec.replace(depth=2 * 10**5), covariance=False)
    c = solve_symmetric(spec.replace(depth=3 * 10**5), covariance=False)
    assert (c.log_z - b.log_z) == pytest.approx(b.log_z - a.log_z, rel=1e-12)
    free = bulk_observables(spec, 0)["free_energy_per_layer"]
    assert (c.log_z - b.log_z) / 10**5 == pytest.approx(free, rel=1e-12)
    np.testing.assert_allclose(a.mean_h[10**4, 0, 0], bulk_observables(spec, 0)["single"].mean, atol=1e-13)


def test_underflowing_boundary_is_named_not_called_forbidden():
    """At N = 6000 the output cost spans e^1200 across blocks: double precision loses the backward vector. That is
    an underflow of a non-zero vector, never "every configuration is forbidden" (the toy forbids nothing)."""
    with pytest.raises(ValueError, match="^width: .*underflow"):
        solve_symmetric(NetworkSpec(width=6000, depth=20))


@pytest.mark.parametrize("model,stochastic", [
    (MODELS[0], True), (MODELS[3], True),
    (MODELS[5], True),  # three neuron values, but sign only reaches -1 and 1, whose E columns have equal sums
    (((-1.0, 0.0, 1.0), (-1.0, 1.0), (-1.0, 0.0, 1.0), "heaviside"), False),  # reaches 0 and 1: unequal sums
])
def test_bulk_T_is_a_constant_times_a_stochastic_matrix_for_binary_neurons(model, stochastic):
    """Rows of K sum to the total prior weight; T = K E^T has constant row sums when the columns of E over the
    reachable outputs have equal sums (always for two neuron values)."""
    weights, biases, neurons, activation = model
    spec = NetworkSpec(width=2, x=np.full((2, 2), neurons[-1]), y=np.full((2, 2), neurons[-1]), beta_v=0.8,
                       values=ValueSets(weights=weights, biases=biases, neurons=neurons), activation=activation)
    rows = build(spec).T.sum(axis=1)
    assert np.allclose(rows, rows[0], rtol=1e-13) == stochastic
    lumped = build_blocks(spec).A.sum(axis=1)
    assert np.allclose(lumped, lumped[0], rtol=1e-13) == stochastic


def test_many_rows_are_refused_before_listing_column_types():
    """2^128 column types would never fit: the limit check names the rows at once instead of enumerating them
    (it once ran the machine out of memory), and the Monte Carlo overlay falls back to null."""
    from deeprg.sampling.observables import exact_bulk

    rows = [[1, -1] * 8] * 128
    spec = NetworkSpec(width=16, depth=20, x=rows, y=rows, beta_v=0.8, activation="sign",
                       values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1)))
    with pytest.raises(ValueError, match="rows: the symmetric engine lumps"):
        sym.check_limits(spec)
    assert exact_bulk(spec, 3, 0, 0) is None
