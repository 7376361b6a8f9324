"""`train-sweep --kind edge-of-chaos`: the sweep's JSON, its pure point function, and the xi_c overlay."""

import json
import math

import pytest

from deeprg.cli import main
from deeprg.continuous import signal_prop as spp
from deeprg.continuous.trainability import edge_of_chaos_sweep, train_point


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


@pytest.mark.slow
def test_edge_of_chaos_sweep_writes_heat_map_and_points(tmp_path):
    """Four short training runs (about 10-30 s on the shared box)."""
    out = tmp_path / "eoc"
    assert run(["train-sweep", "--kind", "edge-of-chaos", "--sigma-w2", "0.5,3", "--depths", "2", "--width", "8",
                "--epochs", "1", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["methods"] == ["dna", "backprop"] and result["depths"] == [2]
    for method in ("dna", "backprop"):
        grid = result["accuracy"][method]
        assert len(grid) == 1 and all(len(row) == 2 for row in grid)
        assert all(0.0 <= a <= 1.0 for row in grid for a in row)
    # the overlay is the noise-free correlation depth scale of the initial network
    for sw, xi in zip(result["sigma_w2"], result["xi_c"]):
        assert xi == pytest.approx(spp.signal_prop("tanh", sw, 0.05, math.inf).xi_c, rel=1e-9)
    assert len(list((out / "points").glob("*.json"))) == 4 and (out / "edge-of-chaos.png").stat().st_size > 0
    # a rerun finds every point on disk and trains nothing
    assert run(["train-sweep", "--kind", "edge-of-chaos", "--sigma-w2", "0.5,3", "--depths", "2", "--width", "8",
                "--epochs", "1", "--out", str(out)]) == 0
    assert json.loads((out / "result.json").read_text())["accuracy"] == result["accuracy"]


def test_point_function_is_pure():
    params = {"method": "backprop", "depth": 2, "sigma_w2": 1.0, "sigma_b2": 0.05, "width": 8, "activation": "tanh",
              "epochs": 1, "batch_size": 32, "learning_rate": 3e-3, "dataset": "digits"}
    a, b = train_point(params, 3), train_point(params, 3)
    assert a["test_accuracy"] == b["test_accuracy"] and a["seed"] == 3


@pytest.mark.parametrize("kwargs, name", [(dict(sigma_w2s=[0.0]), "sigma_w2"), (dict(depths=[1]), "depths"),
                                          (dict(methods=("sgd",)), "methods")])
def test_bad_input_names_the_parameter(kwargs, name):
    args = dict(sigma_w2s=[1.0], depths=[2], methods=("dna",)) | kwargs
    with pytest.raises(ValueError, match=name):
        edge_of_chaos_sweep(args.pop("sigma_w2s"), args.pop("depths"), **args)


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    out = tmp_path / "bad"
    assert run(["train-sweep", "--kind", "edge-of-chaos", "--depths", "2,1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "depths" in err[0] and not out.exists()
