"""Multispin heat bath (64 chains per word) against independent oracles: enumeration of the DNA weight
(means, covariances, joint histogram, per-site conditionals), the exact bulk G(r), the Python measurement path,
and bit-exact resume."""

import itertools
import json

import numpy as np
import pytest
from numba import njit
from scipy import stats as sps

from deeprg import hamiltonian as ham
from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets, weight_configurations
from deeprg.sampling import MCConfig, multispin, run
from deeprg.sampling._bits import unpack_lanes
from deeprg.sampling._kernels import position_averages
from deeprg.sampling._multispin import bernoulli_block, bernoulli_ctx
from deeprg.sampling.observables import bulk_window
from deeprg.sampling.registry import SAMPLERS, resolve

from .helpers import assert_moments_match_enumeration, assert_resumes_bit_for_bit

SPECS = {
    "toy": NetworkSpec(depth=3, beta=1.3, beta_v=0.7),
    "toy-y0": NetworkSpec(depth=3, y=[[0]], beta=2.0, beta_v=1.4),
    "sign": NetworkSpec(depth=3, beta=0.9, beta_v=1.2, activation="sign", x=[[-1]], y=[[1]],
                        values=ValueSets(weights=(-1, 1), biases=(-1, 1), neurons=(-1, 1), weight_prior=(1, 3))),
}


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


def trace(spec, chains, sweeps, seed, burn=20):
    """Neuron values (chains, sweeps, M) and configurations (chains, sweeps, M+1) after each sweep."""
    tables = multispin.prepare(spec)
    state = multispin.step(tables, multispin.init(tables, spec.depth, chains, np.random.default_rng(seed)), burn)
    h, c = [], []
    for _ in range(sweeps):
        state = multispin.step(tables, state, 1)
        h.append(multispin.neuron_values(tables, state)[..., 0])
        c.append(multispin.configurations(state))
    return np.stack(h, axis=1), np.stack(c, axis=1)


def log_weights(spec):
    """log of the DNA weight of every (c_0..c_M, h_1..h_M) (state indices), by direct evaluation of eq 13."""
    W, b, log_prior = weight_configurations(spec)
    M = spec.depth
    neurons = np.array(spec.values.neurons)
    cs = np.array(list(itertools.product(range(len(W)), repeat=M + 1)))
    out = {}
    for hs in itertools.product(range(2), repeat=M):
        hh = np.broadcast_to(neurons[list(hs)][None, :, None, None], (len(cs), M, 1, 1))
        for c, lw in zip(map(tuple, cs), log_prior[cs].sum(axis=1) - ham.dna_energy(spec, W[cs], b[cs], hh)):
            out[c + hs] = lw
    return out


@pytest.mark.parametrize("name", SPECS)
def test_means_and_covariances_match_enumeration(name):
    spec = SPECS[name]
    exact = enumerate_spec(spec)
    x, _ = trace(spec, chains=128, sweeps=400, seed=11)
    assert_moments_match_enumeration(x, exact)


@pytest.mark.parametrize("depth", [2, 3])
def test_joint_histogram_chi_square(depth):
    """Histogram of the whole state (every c_m and h_m) against the enumerated DNA weight."""
    spec = SPECS["toy"].replace(depth=depth)
    h, c = trace(spec, chains=200, sweeps=400, seed=5)
    neurons = np.array(spec.values.neurons)
    # every 4th sweep: successive sweeps are correlated (tau ~ 1-2 here), the chi-square assumes independent draws
    keys = np.concatenate([c, (h == neurons[1]).astype(int)], axis=-1)[:, ::4].reshape(-1, 2 * depth + 1)
    lw = log_weights(spec)
    cells = list(lw)
    p = np.exp(np.array([lw[k] for k in cells]) - max(lw.values()))
    p /= p.sum()
    index = {k: i for i, k in enumerate(cells)}
    n = np.bincount([index[tuple(k)] for k in keys], minlength=len(cells))
    expected = p * n.sum()
    keep = expected >= 5
    obs, exp = n[keep], expected[keep]
    if not keep.all():  # pool the rare cells (standard chi-square validity)
        obs, exp = np.append(obs, n[~keep].sum()), np.append(exp, expected[~keep].sum())
    assert sps.chisquare(obs, exp).pvalue > 1e-3


def _context(site, m, M, c, h, out):
    """Context index of a site (c_hi, c_lo or neuron) of layer m in state (c, h) with h[0] = x (state indices)."""
    if site < 2:
        ctx = h[m] + 2 * (h[m + 1] if m < M else 0)
        return ctx + 4 * (c[m] >> 1) if site == 1 else ctx
    t = out[c[m - 1], h[m - 1]]
    z = out[c[m]]
    g = (z == h[m + 1]).astype(int) if m < M else z
    return t + 2 * g[0] + 4 * g[1]


@pytest.mark.parametrize("name", SPECS)
def test_site_conditionals_match_enumeration(name):
    """Every per-site probability the kernel uses equals P(bit = 1 | rest) from the enumerated weights, for every
    state of a depth-2 chain (bulk layer m = 1, output layer m = 2, input layer m = 0)."""
    spec = SPECS[name].replace(depth=2)
    M = spec.depth
    tables = multispin.prepare(spec)
    out = tables.layer.out
    lw = log_weights(spec)
    x = tables.layer.x_index
    checked = 0
    for key in lw:
        c, h = np.array(key[:M + 1]), np.array((x,) + key[M + 1:])
        for m in range(M + 1):
            for site in range(3):
                if site == 2 and m == 0:
                    continue
                pos = m if site < 2 else M + m
                bit = 2 if site == 0 else 1
                # c_hi is drawn from the joint conditional of c_m summed over c_lo; c_lo given c_hi; h_m alone
                low = (0, 1) if site == 0 else (key[pos] & (2 if site == 1 else 0),)
                w = {v: sum(np.exp(lw[key[:pos] + (v | lo,) + key[pos + 1:]]) for lo in low) for v in (0, bit)}
                p = w[bit] / (w[0] + w[bit])
                kind = 1 if m == M else 0
                ctx = _context(site, m, M, c, h, out)
                assert tables.probs[site, kind, ctx] == pytest.approx(p, rel=1e-12, abs=1e-14)
                checked += 1
    assert checked == len(lw) * (3 * (M + 1) - 1)


@njit
def _draw_many(key, n, levels, o, a, b, c):
    ones = np.zeros(64, dtype=np.int64)
    for i in range(n):
        w = bernoulli_ctx(key, np.uint64(i * 53), levels, o, a, b, c)
        for j in range(64):
            ones[j] += (w >> np.uint64(j)) & np.uint64(1)
    return ones


def test_bit_sliced_bernoulli_frequencies():
    """Lane j of a draw is 1 with the probability of its context: binomial test per lane."""
    tables = multispin.prepare(SPECS["toy"])
    levels = tables.levels.ravel()
    lanes = np.arange(64, dtype=np.uint64)
    bits = [np.bitwise_or.reduce(((lanes >> np.uint64(i)) & np.uint64(1)) << lanes) for i in range(3)]
    ctx = (lanes % np.uint64(8)).astype(int)
    n = 20000
    for site in range(3):
        o = (2 * site) * 8 * 53
        ones = _draw_many(np.uint64(12345 + site), n, levels, o, *bits)
        p = tables.probs[site, 0, ctx]
        z = (ones - n * p) / np.sqrt(n * p * (1 - p))
        assert np.all(np.abs(z) < 4.5), (site, z)


@njit
def _block_and_one_by_one(key, levels, o, A, B, C):
    n = len(A)
    res, und = np.empty(n, np.uint64), np.empty(n, np.uint64)
    bernoulli_block(key, np.uint64(7), np.uint64(2 * 53), levels, o, A, B, C, n, res, und)
    single = np.empty(n, np.uint64)
    for i in range(n):
        single[i] = bernoulli_ctx(key, np.uint64(7 + 2 * 53 * i), levels, o, A[i], B[i], C[i])
    return res, single


def test_vectorized_block_equals_draws_one_by_one():
    """The SIMD block of independent draws gives each draw's scalar result bit for bit (same random words),
    although its level loop runs until the slowest draw of the block is decided."""
    levels = multispin.prepare(SPECS["sign"]).levels.ravel()
    rng = np.random.default_rng(3)
    for n in (1, 5, 200):
        A, B, C = (rng.integers(0, 2**64, n, dtype=np.uint64) for _ in range(3))
        for o in (0, 16 * 53, 32 * 53):
            block, single = _block_and_one_by_one(np.uint64(99 + n), levels, o, A, B, C)
            assert np.array_equal(block, single)


def test_in_kernel_measurement_equals_python_measurement():
    """run_block's series and sums equal position_averages of the unpacked neurons, sweep by sweep."""
    spec = NetworkSpec(depth=200, beta_v=0.9)
    tables = multispin.prepare(spec)
    state = multispin.init(tables, spec.depth, 70, np.random.default_rng(3))
    rmax, sweeps = 7, 6
    lo, hi = bulk_window(spec.depth, rmax)
    series = np.zeros((3, 70, sweeps, rmax + 2))
    sums = np.zeros((spec.depth, 1))
    multispin.run_block(tables, state, sweeps + 2, 2, series, sums, lo, hi, rmax)
    expected = np.zeros_like(series)
    expected_sums = np.zeros_like(sums)
    for t in range(sweeps + 2):
        state = multispin.step(tables, state, 1)
        if t >= 2:
            position_averages(multispin.layer_observables(tables, state, 0, 0, lo, hi), rmax, expected, t - 2)
            expected_sums += multispin.neuron_values(tables, state).sum(axis=0)
    np.testing.assert_allclose(series, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(sums, expected_sums)


def test_bulk_correlation_matches_exact():
    result = run(MCConfig(NetworkSpec(depth=200, beta=0.8, beta_v=1.3), "dna", "multispin", chains=128,
                          sweeps=300, burn_in=30, rmax=6, seed=9))
    assert np.all(np.abs(result.z) <= 4)
    assert abs(result.correlation.mean - result.mean_exact) <= 4 * result.correlation.mean_err
    d = result.to_dict()
    assert d["method"] == "multispin" and d["magnetization"]["G"] == pytest.approx(d["G"])
    assert np.all(result.correlation.r_hat < 1.1)


def test_interrupted_run_resumes_bit_for_bit(tmp_path):
    config = MCConfig(NetworkSpec(depth=300), "dna", "multispin", chains=70, sweeps=40, burn_in=9, rmax=5,
                      block=7, seed=4)
    assert_resumes_bit_for_bit(tmp_path, config)


def test_step_in_one_call_equals_step_by_step():
    tables = multispin.prepare(SPECS["toy"].replace(depth=50))
    start = multispin.init(tables, 50, 100, np.random.default_rng(2))
    a = multispin.step(tables, start, 10)
    b = start
    for _ in range(10):
        b = multispin.step(tables, b, 1)
    assert all(np.array_equal(x, y) for x, y in zip(a[:4], b[:4])) and a.sweep == b.sweep == 10
    assert np.array_equal(start.H, multispin.init(tables, 50, 100, np.random.default_rng(2)).H)  # not in place


@pytest.mark.parametrize("spec,match", [
    (NetworkSpec(width=2, depth=3, x=[[1, 0]], y=[[0, 1]]), "width"),
    (NetworkSpec(depth=3, x=[[0], [1]], y=[[1], [0]]), "rows"),
    (NetworkSpec(depth=3, values=ValueSets(weights=(-1, 0, 1))), "values"),
    (NetworkSpec(depth=3, beta_v=float("inf")), "beta_v"),
])
def test_specs_outside_the_toy_are_refused(spec, match):
    assert SAMPLERS["multispin"].invalid(spec) is not None
    with pytest.raises(ValueError, match=match):
        resolve("dna", "multispin", spec)
    with pytest.raises(ValueError, match=match):
        multispin.prepare(spec)


def test_auto_picks_multispin_from_64_chains():
    """auto packs the toy's chains 64 per word once a word is full; fewer chains keep the scalar samplers."""
    toy = NetworkSpec(depth=10)
    assert resolve("dna", "auto", toy).name == "gibbs"
    assert resolve("dna", "auto", toy, chains=63).name == "gibbs"
    assert resolve("dna", "auto", toy, chains=64).name == "multispin"
    assert MCConfig(toy, "dnn", chains=128, rmax=2).method == "multispin"
    assert MCConfig(toy, "dnn", chains=16, rmax=2).method == "metropolis"
    assert resolve("dna", "auto", NetworkSpec(width=2, depth=10), chains=256).name == "gibbs"


def test_cli_method_multispin(tmp_path, capsys):
    from deeprg.cli import main

    with pytest.raises(SystemExit) as done:
        main(["mc", "--method", "multispin", "--depth", "300", "--sweeps", "30", "--burn-in", "5", "--chains", "64",
              "--rmax", "5", "--out", str(tmp_path / "ok")])
    assert done.value.code == 0
    result = json.loads((tmp_path / "ok" / "result.json").read_text())
    assert result["method"] == "multispin" and result["site_updates_per_ns"] > 0
    assert np.all(np.abs(result["z"]) <= 5)
    with pytest.raises(SystemExit) as done:
        main(["mc", "--method", "multispin", "--width", "2", "--x", "1,0", "--y", "0,1", "--depth", "50",
              "--out", str(tmp_path / "bad")])
    assert done.value.code == 2 and not (tmp_path / "bad").exists()
    err = capsys.readouterr().err
    assert "multispin" in err and "Traceback" not in err


# -- the plain network (original cost): Metropolis, 64 chains per word ----------------------------------------
DNN_SPECS = {
    "toy": NetworkSpec(depth=3, beta=2.0, hamiltonian="original"),
    "toy-y0": NetworkSpec(depth=3, y=[[0]], beta=1.5, hamiltonian="original"),
    "sign": SPECS["sign"].replace(hamiltonian="original", beta=1.7),
}


@pytest.mark.parametrize("name", DNN_SPECS)
def test_dnn_means_and_covariances_match_enumeration(name):
    spec = DNN_SPECS[name]
    exact = enumerate_spec(spec)
    x, _ = trace(spec, chains=128, sweeps=400, seed=13)
    assert_moments_match_enumeration(x, exact)


@pytest.mark.parametrize("depth", [2, 3])
def test_dnn_configuration_histogram_chi_square(depth):
    """Histogram of (c_0..c_M) against prior x e^{-beta |y - z|^p} enumerated with the forward pass of eq 1."""
    spec = DNN_SPECS["toy-y0"].replace(depth=depth)
    _, c = trace(spec, chains=200, sweeps=400, seed=7)
    W, b, log_prior = weight_configurations(spec)
    cs = np.array(list(itertools.product(range(len(W)), repeat=depth + 1)))
    lw = log_prior[cs].sum(axis=1) - ham.original_energy(spec, W[cs], b[cs])
    p = np.exp(lw - lw.max())
    p /= p.sum()
    index = np.ravel_multi_index(c[:, ::4].reshape(-1, depth + 1).T, (len(W),) * (depth + 1))
    order = np.ravel_multi_index(cs.T, (len(W),) * (depth + 1))
    n = np.bincount(index, minlength=len(W) ** (depth + 1))[order]
    expected = p * n.sum()
    keep = expected >= 5
    obs, exp = n[keep], expected[keep]
    if not keep.all():
        obs, exp = np.append(obs, n[~keep].sum()), np.append(exp, expected[~keep].sum())
    assert sps.chisquare(obs, exp).pvalue > 1e-3


def test_dnn_forward_pass_is_kept():
    """After any number of moves the stored neurons are the forward pass of the stored weights."""
    spec = DNN_SPECS["toy"].replace(depth=40)
    tables = multispin.prepare(spec)
    state = multispin.step(tables, multispin.init(tables, 40, 100, np.random.default_rng(1)), 7)
    c = multispin.configurations(state)
    h = np.full(100, tables.layer.x_index)
    bits = unpack_lanes(state.H, 100)
    for m in range(41):
        h = tables.layer.out[c[:, m], h]
        assert np.array_equal(bits[:, m + 1], h), m


def test_dnn_bulk_correlation_and_resume(tmp_path):
    config = MCConfig(NetworkSpec(depth=300, beta=0.8), "dnn", "multispin", chains=70, sweeps=200, burn_in=20,
                      rmax=5, block=30, seed=4)
    whole, resumed = assert_resumes_bit_for_bit(tmp_path, config, stop=2)
    assert np.all(np.abs(whole.z) <= 4) and 0 < whole.acceptance <= 1
    assert whole.sampler == resumed.sampler
