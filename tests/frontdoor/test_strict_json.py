"""Strict JSON: non-finite numbers become null, complex numbers {re, im}, depth-long arrays go to arrays.npz,
and every command's result.json parses with a parser that rejects NaN and Infinity."""

import json
import math

import numpy as np
import pytest

from deeprg.cli import main
from deeprg.results import jsonable, read_result, split_arrays, write_json


def _reject(constant):
    raise ValueError(f"non-standard JSON constant {constant}")


def strict_load(path):
    return json.loads(path.read_text(), parse_constant=_reject)


def test_non_finite_numbers_become_null_and_complex_re_im(tmp_path):
    data = {"xi": math.inf, "nan": np.float64("nan"), "a": np.array([1.0, -np.inf, np.nan]), "z": 1 + 2j,
            "zs": np.array([1j, np.inf + 0j]), "n": np.int64(3), "ok": 0.5}
    path = write_json(tmp_path / "result.json", data)
    loaded = strict_load(path)
    assert loaded == {"xi": None, "nan": None, "a": [1.0, None, None], "z": {"re": 1.0, "im": 2.0},
                      "zs": [{"re": 0.0, "im": 1.0}, {"re": None, "im": 0.0}], "n": 3, "ok": 0.5}
    assert jsonable(np.array([1.5, 2.5])) == [1.5, 2.5]


def test_depth_long_arrays_move_to_npz_and_read_back(tmp_path):
    deep = np.linspace(0, 1, 5000).reshape(5000, 1, 1)
    shallow = np.ones((3, 1, 1))
    payload = {"mean_h": deep, "runs": [{"mean_h": shallow}], "log_z": 1.0}
    out = split_arrays(payload, tmp_path, ["mean_h", ("runs", 0, "mean_h")])
    assert out["mean_h"] == {"npz": "arrays.npz", "key": "mean_h", "shape": [5000, 1, 1]}
    assert out["runs"][0]["mean_h"] is shallow or np.array_equal(out["runs"][0]["mean_h"], shallow)
    assert payload["mean_h"] is deep  # the caller's payload is not modified
    write_json(tmp_path / "result.json", out)
    assert (tmp_path / "result.json").stat().st_size < 1000
    back = read_result(tmp_path)
    assert np.array_equal(back["mean_h"], deep) and back["log_z"] == 1.0
    with np.load(tmp_path / "arrays.npz") as arrays:
        assert np.array_equal(arrays["runs/0/mean_h"], shallow)  # small ones are in the npz too


def _run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


COMMANDS = {
    "exact": ["exact", "--depth", "3", "--beta-v", "inf"],  # infinite beta_v: the spec holds inf
    "exact-deep": ["exact", "--depth", "3000"],
    "exact-enumerate": ["exact", "--width", "2", "--x", "1,0;0,1", "--depth", "2", "--method", "enumerate"],
    "rg-flow": ["rg", "flow", "--steps", "3"],
    "rg-flow-complex": ["rg", "flow", "--steps", "2", "--exp-couplings", "3,-0.6667,-0.3333"],
    "rg-fixed-points": ["rg", "fixed-points", "--starts", "8"],
    "rg-scaling": ["rg", "scaling", "--points", "3"],
    "mc": ["mc", "--depth", "200", "--sweeps", "20", "--burn-in", "2", "--chains", "2", "--rmax", "3"],
    "mc-sweep": ["mc", "--depth", "200", "--sweeps", "10", "--burn-in", "2", "--chains", "2", "--rmax", "3",
                 "--sweep-beta-v", "2"],
    "gx-rg": ["gx", "rg", "--family", "ising", "--param", "1", "--steps", "3"],
    "wide": ["wide", "--widths", "1,2,4", "--rows", "2"],
}
SLOW = {
    "rg-catalog": ["rg", "catalog", "--max-states", "2", "--priors", "uniform", "--workers", "1",
                   "--newton-starts", "4"],
    "train": ["train", "--dataset", "teacher", "--widths", "6,8,3", "--epochs", "2"],
    "gx-experiment": ["gx", "experiment", "--family", "gaussian", "--param", "0.7", "--depth", "2", "--n", "16",
                      "--samples", "200", "--train-steps", "30"],
    "train-sweep": ["train-sweep", "--kind", "symmetry", "--depth", "3", "--epochs", "1"],
}


@pytest.mark.parametrize("name", [*COMMANDS, *(pytest.param(n, marks=pytest.mark.slow) for n in SLOW)])
def test_every_result_json_is_strict(tmp_path, name):
    args = {**COMMANDS, **SLOW}[name]
    assert _run([*args, "--out", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.json"))
    assert files, "no JSON written"
    for path in files:
        strict_load(path)


def test_reproduce_report_json_is_strict(tmp_path):
    assert _run(["reproduce", "--only", "exact", "--out", str(tmp_path)]) == 0
    strict_load(tmp_path / "report.json")


def test_read_result_loads_the_per_layer_means_of_a_deep_exact_run(tmp_path):
    from deeprg.exact import solve
    from deeprg.model import NetworkSpec

    assert _run(["exact", "--depth", "200000", "--out", str(tmp_path)]) == 0
    data = strict_load(tmp_path / "result.json")
    assert data["mean_h"] == {"npz": "arrays.npz", "key": "mean_h", "shape": [200000, 1]}  # (M, L)
    assert (tmp_path / "result.json").stat().st_size < 20_000
    back = read_result(tmp_path)
    oracle = solve(NetworkSpec(depth=200000)).mean_h
    np.testing.assert_allclose(back["mean_h"], oracle[:, :, 0], atol=1e-12)  # (M, L): units share one mean


def test_large_mean_h_of_a_wide_network_is_one_mean_per_layer_and_row(tmp_path):
    from deeprg.exact import solve_symmetric
    from deeprg.model import NetworkSpec

    # M L N = 200 * 1 * 1000 > 10^5: the symmetric engine; each unit of a layer has the same mean
    assert _run(["exact", "--width", "1000", "--depth", "200", "--method", "symmetric", "--out", str(tmp_path)]) == 0
    data = strict_load(tmp_path / "result.json")
    assert data["mean_h"] == {"npz": "arrays.npz", "key": "mean_h", "shape": [200, 1]}
    oracle = solve_symmetric(NetworkSpec(width=1000, depth=200)).mean_h
    assert oracle.shape == (200, 1, 1000) and np.ptp(oracle, axis=2).max() == 0
    np.testing.assert_allclose(read_result(tmp_path)["mean_h"], oracle[:, :, 0], atol=1e-12)


def test_sweep_point_cache_reads_back_infinity_exactly(tmp_path):
    from deeprg.sweep import Point, run_sweep

    points = [Point("a", {"x": 1.0}, 0)]
    first = run_sweep(_infinite_point, points, out_dir=tmp_path)
    again = run_sweep(_infinite_point, points, out_dir=tmp_path)  # read from the cache file
    assert first == again == [{"xi": math.inf, "values": [1.0, math.inf]}]
    assert jsonable({"xi": math.inf}) == {"xi": math.inf}  # in memory, inf keeps its meaning
    assert jsonable({"xi": math.inf}, strict=True) == {"xi": None}


def _infinite_point(params, seed):
    return {"xi": math.inf, "values": [params["x"], math.inf]}
