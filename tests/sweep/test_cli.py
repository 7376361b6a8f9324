"""--address/--workers on the sweeping commands: resume note, failed points (exit 1, one line), bad options.

Oracles: the uninterrupted run of the same command; the run function itself, monkeypatched to fail at one point.
"""

import builtins
import json

import pytest

from deeprg import sweep
from deeprg.cli import main
from deeprg.sampling import fig7

MC = ["mc", "--depth", "200", "--sweeps", "10", "--burn-in", "2", "--chains", "2", "--rmax", "3", "--seed", "5",
      "--sweep-beta-v", "0.5,2"]


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


def run_cli(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_mc_sweep_fails_one_point_keeps_the_others_and_resumes(tmp_path, monkeypatch, capsys):
    real = fig7.mc_point

    def broken(params, seed):
        if params["spec"]["beta_v"] == 2.0:
            raise FloatingPointError("overflow in the heat bath")
        return real(params, seed)

    monkeypatch.setattr(fig7, "mc_point", broken)
    out = tmp_path / "out"
    assert run_cli(MC + ["--workers", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("deeprg: error: sweep: 1 of 4 points failed")
    assert "dna_beta_v=2.0" in err[0] and '"beta_v": 2.0' in err[0] and "FloatingPointError" in err[0]
    assert not (out / "result.json").exists()
    assert sorted(p.name for p in (out / "points").iterdir()) == [
        "dna_beta_v=0.5.json", "dna_beta_v=1.0.json", "dna_beta_v=2.0.failed.json", "dnn.json"]

    monkeypatch.setattr(fig7, "mc_point", real)
    assert run_cli(MC + ["--workers", "1", "--out", str(out)]) == 0
    assert f"skipping 3 finished points in {out / 'points'} (1 to run)" in capsys.readouterr().err
    assert not (out / "points" / "dna_beta_v=2.0.failed.json").exists()
    fresh = tmp_path / "fresh"
    assert run_cli(MC + ["--workers", "1", "--out", str(fresh)]) == 0
    resumed, uninterrupted = (json.loads((d / "result.json").read_text()) for d in (out, fresh))
    for key in ("G", "G_err", "mean_h"):
        assert resumed["dnn"][key] == uninterrupted["dnn"][key]
        assert [p["result"][key] for p in resumed["points"]] == [p["result"][key] for p in uninterrupted["points"]]


def test_mc_sweep_in_a_pool_equals_in_process(tmp_path):
    assert run_cli(MC + ["--workers", "1", "--out", str(tmp_path / "a")]) == 0
    assert run_cli(MC + ["--workers", "2", "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / d / "result.json").read_text()) for d in ("a", "b"))
    assert [p["result"]["G"] for p in a["points"]] == [p["result"]["G"] for p in b["points"]]
    assert a["fig7"] == b["fig7"]


def test_address_without_ray_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    assert run_cli(MC + ["--address", "auto", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"deeprg: error: {sweep.RAY_MISSING}"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, message", [
    (MC + ["--workers", "0"], "--workers"),
    (["mc", "--depth", "100", "--address", "auto"], "--address/--workers: only for a sweep"),
    (["train-sweep", "--kind", "limit", "--workers", "2"],
     "--address/--workers: only --kind depth, beta-v and edge-of-chaos"),
])
def test_bad_sweep_options_exit_2(tmp_path, capsys, args, message):
    assert run_cli(args + ["--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_ctrl_c_then_rerun_finishes_only_the_missing_points(tmp_path):
    """A real interrupt: SIGINT to `deeprg mc --sweep-beta-v` after its first point is saved."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    args = [sys.executable, "-c", "from deeprg.cli import main; main()", "mc", "--depth", "2000", "--sweeps",
            "300", "--chains", "2", "--rmax", "3", "--seed", "5", "--sweep-beta-v", "0.5,2,4", "--workers", "1"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), DEEPRG_PROGRESS="0")
    proc = subprocess.Popen(args + ["--out", str(out)], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "points" / "dnn.json").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)  # typer reports Ctrl-C as Exit(130), silently
    saved = sorted(p.name for p in (out / "points").glob("*.json"))
    assert "dnn.json" in saved and not any(".tmp" in p.name for p in (out / "points").iterdir())
    if proc.returncode == 0:  # finished before the signal arrived: nothing left to resume
        pytest.skip("the sweep finished before the interrupt")
    assert proc.returncode == 130, err
    again = subprocess.run(args + ["--out", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"skipping {len(saved)} finished points" in again.stderr and f"({5 - len(saved)} to run)" in again.stderr
    fresh = subprocess.run(args + ["--out", str(tmp_path / "fresh")], env=env, capture_output=True, timeout=300)
    assert fresh.returncode == 0
    resumed, uninterrupted = (json.loads((d / "result.json").read_text()) for d in (out, tmp_path / "fresh"))
    for key in ("G", "G_err", "mean_h"):
        assert resumed["dnn"][key] == uninterrupted["dnn"][key]
        assert [p["result"][key] for p in resumed["points"]] == [p["result"][key] for p in uninterrupted["points"]]
