"""deeprg.sweep without Ray: executors agree, points are saved as they finish, reruns skip, failures are isolated.

Oracle: the point function is evaluated directly (``fn(params, seed)``) and compared with what every executor
returns; interruption is simulated by a function that raises KeyboardInterrupt at a chosen point.
"""

import json
import os

import numpy as np
import pytest

from deeprg import sweep
from deeprg.sweep import Point, SweepError, run_sweep


def draw(params, seed):
    """A seeded random draw: the result depends on the point only, never on the worker."""
    rng = np.random.default_rng(seed)
    if params.get("fail"):
        raise ZeroDivisionError(f"point {params['x']} was told to fail")
    return {"x": params["x"], "value": float(params["x"] * rng.standard_normal()), "pid": os.getpid()}


def points(n=6, fail=()):
    return [Point(f"x={i}", {"x": i, "fail": i in fail}, seed=100 + i) for i in range(n)]


def strip(results):
    return [{k: v for k, v in r.items() if k != "pid"} for r in results]


def direct(pts):
    return strip([json.loads(json.dumps(draw(p.params, p.seed))) for p in pts])


def test_serial_and_pool_equal_direct_evaluation(tmp_path):
    pts = points()
    serial = run_sweep(draw, pts, workers=1)
    pooled = run_sweep(draw, pts, workers=2, out_dir=tmp_path)
    assert strip(serial) == strip(pooled) == direct(pts)
    assert {r["pid"] for r in serial} == {os.getpid()}
    assert os.getpid() not in {r["pid"] for r in pooled}  # really ran in other processes
    for p, r in zip(pts, pooled):
        record = json.loads(sweep.point_path(tmp_path, p).read_text())
        assert record == {"key": p.key, "params": p.params, "seed": p.seed, "result": r}


def test_auto_stays_in_process_for_cheap_points():
    out = run_sweep(draw, points(8))
    assert {r["pid"] for r in out} == {os.getpid()}


def nap(params, seed):
    """A point that costs 50 ms of wall time and reports where it ran."""
    import time

    time.sleep(0.05)
    return {"x": params["x"], "pid": os.getpid()}


def test_auto_moves_costly_points_to_a_pool(monkeypatch):
    monkeypatch.setattr(sweep, "SPAWN_SECONDS", 0.0)  # s0 is a machine constant; here the rule alone is tested
    monkeypatch.setattr(sweep, "free_cpus", lambda: 2)
    notes = []
    out = run_sweep(nap, points(6), log=notes.append)
    assert [r["x"] for r in out] == list(range(6))
    assert {r["pid"] for r in out[:2]} == {os.getpid()}  # the two timed points
    assert os.getpid() not in {r["pid"] for r in out[2:]}
    assert notes and "running the other 4 in 2 processes" in notes[0]


def test_pool_pays_rule():
    # cheap points never pay for the spawn; long points do; one worker never does
    assert not sweep.pool_pays(0.01, 0.001, 100, 2)
    assert sweep.pool_pays(5.0, 5.0, 14, 2)
    assert not sweep.pool_pays(5.0, 5.0, 14, 1)
    # at the break-even point the prediction flips: s0 + t1 + (ceil(R/w) - 1) t = 0.8 R t
    t = sweep.SPAWN_SECONDS / (0.8 * 8 - 4)  # R = 8, w = 2: s0 + t + 3t = 6.4t -> t = s0 / 2.4
    assert sweep.pool_pays(t, t * 1.01, 8, 2) and not sweep.pool_pays(t, t * 0.99, 8, 2)


def test_rerun_skips_finished_points(tmp_path):
    pts = points()
    first = run_sweep(draw, pts[:4], out_dir=tmp_path, workers=1)
    notes, ticks = [], []
    second = run_sweep(draw, pts, out_dir=tmp_path, workers=1, log=notes.append, progress=ticks.append)
    assert second[:4] == first  # read back, same pid: not recomputed
    assert {r["pid"] for r in second[:4]} == {first[0]["pid"]}
    assert strip(second) == direct(pts)
    assert notes == [f"skipping 4 finished points in {tmp_path / 'points'} (2 to run)"]
    assert sum(ticks) == len(pts)


class Interrupt:
    """A picklable point function that is interrupted (Ctrl-C) at point ``stop``."""

    def __init__(self, stop):
        self.stop, self.calls = stop, []

    def __call__(self, params, seed):
        self.calls.append(params["x"])
        if params["x"] == self.stop:
            raise KeyboardInterrupt
        return draw(params, seed)


def test_interrupt_and_rerun_finishes_only_the_missing_points(tmp_path):
    pts = points(6)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(Interrupt(3), pts, out_dir=tmp_path, workers=1)
    saved = sorted(p.name for p in (tmp_path / "points").iterdir())
    assert saved == [f"x={i}.json" for i in range(3)]  # the finished ones, no torn file
    again = Interrupt(stop=None)
    results = run_sweep(again, pts, out_dir=tmp_path, workers=1, log=lambda _: None)
    assert again.calls == [3, 4, 5]
    assert strip(results) == direct(pts)


@pytest.mark.parametrize("workers", [1, 2])
def test_failed_point_is_reported_and_the_others_saved(tmp_path, workers):
    pts = points(5, fail={2})
    with pytest.raises(SweepError) as info:
        run_sweep(draw, pts, out_dir=tmp_path, workers=workers)
    err = info.value
    message = str(err)
    assert "\n" not in message
    assert "1 of 5 points failed" in message and "x=2" in message and '"x": 2' in message
    assert "seed=102" in message and "ZeroDivisionError" in message
    assert [f.point for f in err.failures] == [pts[2]]
    assert err.results[2] is None
    assert strip([r for i, r in enumerate(err.results) if i != 2]) == direct(pts[:2] + pts[3:])
    record = json.loads(sweep.failure_path(tmp_path, pts[2]).read_text())
    assert record["params"] == pts[2].params and "ZeroDivisionError" in record["traceback"]
    # fixed and rerun: only the failed point runs, and its failure record goes away
    fixed = pts[2]._replace(key="x=2", params={"x": 2, "fail": False})
    calls = Interrupt(stop=None)
    out = run_sweep(calls, [pts[0], fixed], out_dir=tmp_path, workers=1, log=lambda _: None)
    assert calls.calls == [2]
    assert strip(out) == direct([pts[0], fixed])
    assert not sweep.failure_path(tmp_path, pts[2]).exists()


def test_changed_parameters_are_not_reused(tmp_path):
    pts = points(2)
    run_sweep(draw, pts, out_dir=tmp_path, workers=1)
    changed = [pts[0]._replace(seed=7), pts[1]]
    with pytest.raises(ValueError, match="was computed for params"):
        run_sweep(draw, changed, out_dir=tmp_path, workers=1)


@pytest.mark.parametrize("kwargs, match", [
    (dict(workers=0), "--workers"), (dict(workers=True), "--workers"), (dict(address=""), "--address"),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_sweep(draw, points(2), **kwargs)


def test_bad_points():
    with pytest.raises(ValueError, match="unique"):
        run_sweep(draw, [Point("a", {"x": 1}, 0), Point("a", {"x": 2}, 0)])
    with pytest.raises(ValueError, match="key"):
        run_sweep(draw, [Point("a/b", {"x": 1}, 0)])
    with pytest.raises(TypeError, match="seed"):
        run_sweep(draw, [Point("a", {"x": 1}, 0.5)])


def test_missing_ray_is_one_clear_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ValueError, match=r"pip install 'deeprg\[cluster\]'"):
        run_sweep(draw, points(2), address="auto")


@pytest.mark.parametrize("load, free", [(0.0, 2), (1.0, 2), (1.6, 1), (2.0, 1), (15.0, 1)])
def test_free_cpus_leaves_out_the_load_of_others(monkeypatch, load, free):
    monkeypatch.setattr(sweep, "_cpus", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert sweep.free_cpus() == free


def awkward(params, seed):
    """Values JSON has no plain form for: arrays, numpy scalars, complex, non-finite floats."""
    import math

    return {"array": np.arange(3.0) * seed, "scalar": np.float32(0.5), "z": complex(1, -2), "inf": math.inf,
            "zs": np.array([1j]), "nan": math.nan}


def test_fresh_and_resumed_results_are_the_same_values(tmp_path):
    pts = [Point("a", {}, 2)]
    fresh = run_sweep(awkward, pts, out_dir=tmp_path, workers=1)
    resumed = run_sweep(awkward, pts, out_dir=tmp_path, workers=1, log=lambda _: None)
    in_memory = run_sweep(awkward, pts, workers=1)
    for out in (fresh, resumed, in_memory):
        r = out[0]
        assert r["array"] == [0.0, 2.0, 4.0] and r["scalar"] == 0.5 and r["z"] == {"re": 1.0, "im": -2.0}
        assert r["inf"] == float("inf") and r["zs"] == [{"re": 0.0, "im": 1.0}] and r["nan"] != r["nan"]
