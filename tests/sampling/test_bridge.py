"""Segment regrowth with an exact bridge against brute force: the junction normalizers and row draws against
enumeration of every weight row, and chains made of bridge moves alone against the enumerated DNA."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats as sps

from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets
from deeprg.sampling import bridge, local

from .helpers import assert_moments_match_enumeration

SIGN = ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 1))
SPECS = {
    "sign-two-rows": NetworkSpec(width=2, depth=3, x=[[1, -1], [1, 1]], y=[[1, 1], [-1, 1]], beta=1.1,
                                 beta_v=0.6, activation="sign", values=SIGN),
    "sign-biases-prior": NetworkSpec(width=2, depth=3, x=[[1, -1]], y=[[-1, 1]], beta=0.8, beta_v=0.5,
                                     activation="sign", values=ValueSets(weights=(-1, 1), biases=(-1, 1),
                                                                         neurons=(-1, 1), weight_prior=(1, 3))),
    "lattice-weights": NetworkSpec(width=2, depth=3, x=[[1, -1]], y=[[1, 1]], beta=1.0, beta_v=0.7,
                                   activation="sign", values=ValueSets(weights=(-0.5, 1), biases=(0,),
                                                                       neurons=(-1, 1))),
    "toy": NetworkSpec(depth=4, beta=1.3, beta_v=0.7),  # neurons {0, 1}: Z(t) is constant for two values
}


def brute_normalizer(spec, tables, h, g, kappa):
    """log sum over (row, b) of pi(row) pi(b) prod_l exp(-kappa D[g_l, sigma(row . h_l + b)]) by enumeration."""
    wp = np.exp(tables.log_weight_prior) / np.exp(tables.log_weight_prior).sum()  # the row law's normalization
    bp = np.exp(tables.log_bias_prior)
    total = 0.0
    for row in itertools.product(range(2), repeat=h.shape[1]):
        for kb, bias in enumerate(tables.biases):
            a = tables.weights[list(row)] @ tables.neurons[h].T + bias
            o = tables.outs[np.searchsorted(tables.cuts, a, side="right")]
            total += np.prod(wp[list(row)]) * bp[kb] * np.exp(-kappa * tables.D[g, o].sum())
    return math.log(total)


@pytest.mark.parametrize("name", SPECS)
def test_junction_normalizers_match_enumeration(name):
    spec = SPECS[name].replace(width=4, x=None, y=None) if SPECS[name].rows == 1 else SPECS[name]
    tables = local.prepare(spec)
    rng = np.random.default_rng(1)
    for _ in range(5):
        h = rng.integers(0, 2, (spec.rows, spec.width))
        g = rng.integers(0, 2, (spec.rows, spec.width))
        law = bridge.row_law(tables.bridge, tables.bridge.neurons[h])
        got = bridge.log_normalizers(tables, law, g, 0.9)
        for i in range(spec.width):
            brute = brute_normalizer(spec, tables, h, g[:, i], 0.9)
            assert math.isclose(got[i], brute, rel_tol=1e-10, abs_tol=1e-10), (got[i], brute)


def test_bridge_rows_are_drawn_from_their_conditional():
    """Chi-square of the drawn rows (with biases) against the enumerated conditional of one unit."""
    spec = SPECS["sign-biases-prior"].replace(width=3, x=[[1, -1, 1]], y=[[-1, 1, 1]])
    tables = local.prepare(spec)
    bt = tables.bridge
    h, g = np.array([[0, 1, 1]]), np.array([[1, 0, 1]])
    law = bridge.row_law(bt, bt.neurons[h])
    rng = np.random.default_rng(2)
    draws = 6000
    counts = {}
    for _ in range(draws):
        W, b = bridge.draw_rows(tables, law, g, 0.9, rng)
        key = (tuple(W[0]), int(b[0]))
        counts[key] = counts.get(key, 0) + 1
    wp, bp = np.exp(tables.log_weight_prior), np.exp(tables.log_bias_prior)
    probs = {}
    for row in itertools.product(range(2), repeat=3):
        for kb, bias in enumerate(tables.biases):
            a = tables.weights[list(row)] @ tables.neurons[h].T + bias
            o = tables.outs[np.searchsorted(tables.cuts, a, side="right")]
            probs[(row, kb)] = np.prod(wp[list(row)]) * bp[kb] * np.exp(-0.9 * tables.D[g[:, 0], o].sum())
    total = sum(probs.values())
    keys = list(probs)
    observed = np.array([counts.get(k, 0) for k in keys])
    expected = np.array([probs[k] / total * draws for k in keys])
    assert observed.sum() == draws
    assert sps.chisquare(observed, expected).pvalue > 1e-3


@pytest.mark.parametrize("segment", [1, pytest.param(2, marks=pytest.mark.slow), 3])
@pytest.mark.parametrize("name", SPECS)
def test_chains_of_bridge_moves_alone_sample_the_dna(name, segment, monkeypatch):
    """Bridge moves alone (no heat bath) are ergodic here; their chains must reproduce the enumerated means and
    covariances of the neurons: detailed balance of interior junctions (segment < depth) and of the output."""
    spec = SPECS[name]
    monkeypatch.setattr(bridge, "SEGMENT", segment)
    monkeypatch.setattr(bridge, "SEGMENT_WORK", 1)
    tables = local.prepare(spec)
    chains, sweeps = 8, 500
    state = local.init(tables, spec.depth, chains, np.random.default_rng(5))
    out, accepted = [], 0
    for sweep in range(sweeps + 20):
        accepted += bridge.sweep_moves(tables, state, sweep, np.full(chains, spec.beta_v))[0]
        if sweep >= 20:
            out.append(local.neuron_values(tables, state).reshape(chains, -1))
    assert accepted > 0
    assert_moments_match_enumeration(np.stack(out, axis=1), enumerate_spec(spec))


def test_cached_preactivations_stay_exact_after_moves():
    spec = SPECS["sign-two-rows"]
    tables = local.prepare(spec)
    state = local.step(tables, local.init(tables, spec.depth, 3, np.random.default_rng(0)), 20)
    fresh = np.empty_like(state.pre)
    from deeprg.sampling._local_kernels import preactivations

    preactivations(state.h, state.W, state.b, tables.weights, tables.biases, tables.neurons, fresh)
    assert np.allclose(state.pre, fresh, atol=1e-12)


def test_moves_apply_only_where_the_forward_pass_is_the_dna():
    three = SPECS["sign-two-rows"].replace(values=ValueSets(weights=(-1, 1), biases=(0,), neurons=(-1, 0, 1)))
    assert "Z(t) depends on t" in bridge.unsupported(three, local.prepare(three, bridge_moves=False))
    ternary = SPECS["sign-two-rows"].replace(values=ValueSets(weights=(-1, 0, 1), biases=(0,), neurons=(-1, 1)))
    assert "two-valued" in bridge.unsupported(ternary, local.prepare(ternary, bridge_moves=False))
    assert local.prepare(SPECS["sign-two-rows"], bridge_moves=False).bridge is None


@pytest.mark.parametrize("flag", ["--bridge-moves", "--no-bridge-moves"])
def test_cli_reports_the_moves_and_can_turn_them_off(tmp_path, flag, monkeypatch):
    import json

    from deeprg.cli import main

    monkeypatch.setenv("DEEPRG_PROGRESS", "0")
    args = ["mc", "--width", "2", "--x", "1,-1;1,1", "--y", "1,1;-1,1", "--weights=-1,1", "--biases", "none",
            "--neurons=-1,1", "--activation", "sign", "--beta-v", "0.8", "--depth", "40", "--sweeps", "20",
            "--burn-in", "2", "--chains", "2", "--rmax", "3", "--method", "local", flag, "--out", str(tmp_path)]
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["method"] == "local" and result["config"]["bridge_moves"] == (flag == "--bridge-moves")
    if flag == "--bridge-moves":
        assert 0 < result["sampler"]["bridge_acceptance"] <= 1 and 1 <= result["sampler"]["bridge_moves_per_sweep"] <= 2
    else:
        assert result["sampler"] is None
