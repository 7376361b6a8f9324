"""Sweeps on a real local Ray cluster (the ``ray_address`` head from conftest) give exactly the local results.

Oracles: direct evaluation of the point function in this process; the same CLI command run without --address.
"""

import json
import os
import sys

import pytest

from deeprg.cli import main
from deeprg.sweep import Point, SweepError, run_sweep

from .test_runner import direct, draw, points, strip


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


@pytest.fixture
def by_value():
    """Ship this test module's functions to the Ray workers by value (only deeprg travels as a package)."""
    from ray import cloudpickle

    module = sys.modules[draw.__module__]
    cloudpickle.register_pickle_by_value(module)
    yield
    cloudpickle.unregister_pickle_by_value(module)


def run_cli(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_ray_sweep_equals_direct_and_reruns_only_missing(ray_address, by_value, tmp_path):
    pts = points(6, fail={4})
    with pytest.raises(SweepError) as info:
        run_sweep(draw, pts, out_dir=tmp_path, address=ray_address, workers=2)
    err = info.value
    assert [f.point.key for f in err.failures] == ["x=4"] and "ZeroDivisionError" in str(err)
    done = [r for r in err.results if r is not None]
    assert strip(done) == direct(pts[:4] + pts[5:])
    assert os.getpid() not in {r["pid"] for r in done}  # ran on the cluster's workers
    # the point is fixed; the rerun computes only it
    notes = []
    fixed = pts[:4] + [pts[4]._replace(params={"x": 4, "fail": False})] + pts[5:]
    out = run_sweep(draw, fixed, out_dir=tmp_path, address=ray_address, log=notes.append)
    assert notes == [f"skipping 5 finished points in {tmp_path / 'points'} (1 to run)"]
    assert strip(out) == direct(fixed)
    assert out[:4] == err.results[:4]


MC = ["mc", "--depth", "300", "--sweeps", "20", "--burn-in", "5", "--chains", "2", "--rmax", "4", "--seed", "5",
      "--sweep-beta-v", "0.5,2"]


def test_mc_beta_v_sweep_on_ray_equals_local(ray_address, tmp_path):
    assert run_cli(MC + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(MC + ["--address", ray_address, "--out", str(tmp_path / "ray")]) == 0
    local, ray = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "ray"))
    assert local["beta_v"] == ray["beta_v"] == [0.5, 1.0, 2.0]
    for key in ("G", "G_err", "mean_h", "G_exact"):
        assert local["dnn"][key] == ray["dnn"][key]
        assert [p["result"][key] for p in local["points"]] == [p["result"][key] for p in ray["points"]]
    assert local["fig7"] == ray["fig7"]


@pytest.mark.slow
def test_mc_beta_v_sweep_through_the_ray_client_equals_local(ray_client_address, tmp_path):
    assert run_cli(MC + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(MC + ["--address", ray_client_address, "--out", str(tmp_path / "client")]) == 0
    local, client = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "client"))
    for key in ("G", "G_err", "mean_h"):
        assert [p["result"][key] for p in local["points"]] == [p["result"][key] for p in client["points"]]
    assert local["fig7"] == client["fig7"]


@pytest.mark.slow
def test_train_sweep_on_ray_equals_local(ray_address, tmp_path):
    args = ["train-sweep", "--kind", "beta-v", "--dataset", "teacher", "--epochs", "1"]
    assert run_cli(args + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(args + ["--address", ray_address, "--out", str(tmp_path / "ray")]) == 0
    local, ray = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "ray"))
    assert local == ray


def test_point_on_ray_reaches_deeprg_of_this_checkout(ray_address, tmp_path):
    """The workers run the driver's deeprg (shipped as py_modules), not whatever the cluster has installed."""
    from deeprg.sampling.fig7 import mc_point

    bad = Point("bad", {"spec": {}, "system": "dna"}, 0)
    with pytest.raises(SweepError, match="KeyError") as info:
        run_sweep(mc_point, [bad], address=ray_address)
    trace = info.value.failures[0].traceback
    assert "py_modules_files" in trace and "/deeprg/sampling/fig7.py" in trace


@pytest.mark.slow
def test_rg_catalog_on_ray_equals_local(ray_address, tmp_path):
    args = ["rg", "catalog", "--max-states", "2", "--priors", "uniform", "--newton-starts", "4"]
    assert run_cli(args + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(args + ["--address", ray_address, "--out", str(tmp_path / "ray")]) == 0
    local, ray = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "ray"))
    untimed = [[{k: v for k, v in m.items() if k != "seconds"} for m in r["models"]] for r in (local, ray)]
    assert untimed[0] == untimed[1] and local["answer"] == ray["answer"]


@pytest.mark.slow
def test_wide_on_ray_equals_local(ray_address, tmp_path):
    args = ["wide", "--widths", "7,15", "--rows", "2"]
    assert run_cli(args + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(args + ["--address", ray_address, "--out", str(tmp_path / "ray")]) == 0
    local, ray = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "ray"))
    assert local == ray
    assert sorted(p.name for p in (tmp_path / "ray" / "points").iterdir()) == ["N15.json", "N7.json"]


@pytest.mark.slow
def test_gx_experiment_seeds_on_ray_equal_local(ray_address, tmp_path):
    args = ["gx", "experiment", "--family", "ising", "--param", "0.5", "--depth", "2", "--seeds", "2",
            "--samples", "200", "--train-steps", "50"]
    assert run_cli(args + ["--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert run_cli(args + ["--address", ray_address, "--out", str(tmp_path / "ray")]) == 0
    local, ray = (json.loads((tmp_path / name / "result.json").read_text()) for name in ("local", "ray"))
    assert local == ray
    assert len(list((tmp_path / "ray" / "points").glob("seed-*.json"))) == 2
