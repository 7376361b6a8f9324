"""`deeprg signal-prop`: the JSON contract (strict JSON), figures, and one-line errors with exit code 2."""

import json
import math

import numpy as np
import pytest

from deeprg.cli import main
from deeprg.results import read_result

CONTRACT = {"sigma_w2", "q_star", "chi1", "c_star", "xi_c", "critical_sigma_w2"}


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def _strict(path):
    def refuse(token):
        raise ValueError(f"non-strict JSON token {token}")
    return json.loads(path.read_text(), parse_constant=refuse)


def test_signal_prop_contract_without_width(tmp_path):
    out = tmp_path / "sp"
    assert run(["signal-prop", "--activation", "linear", "--sigma-w2", "0.5,2", "--sigma-b2", "0.1",
                "--beta-v", "inf", "--out", str(out)]) == 0
    result = _strict(out / "result.json")
    assert result["activation"] == "linear" and result["beta_v"] is None and result["noise_variance"] == 0
    first, second = result["entries"]
    assert set(first) >= CONTRACT and "measured" not in first
    # linear, noise-free: q* = s_b / (1 - s_w), c* = 1, xi_c = -1/ln s_w (closed form); diverging above s_w = 1
    assert first["q_star"] == pytest.approx(0.1 / 0.5) and first["c_star"] == pytest.approx(1.0)
    assert first["xi_c"] == pytest.approx(-1 / math.log(0.5))
    assert second["q_star"] is None and second["xi_c"] is None and second["critical_sigma_w2"] == pytest.approx(1.0)
    assert result["edge"] is None  # linear: q* diverges at its edge, no finite-noise crossover to report
    for name in ("phase_diagram.png", "xi_c.png"):
        assert (out / name).stat().st_size > 0


def test_signal_prop_with_width_measures_with_error_bars(tmp_path):
    out = tmp_path / "mc"
    assert run(["signal-prop", "--activation", "tanh", "--sigma-w2", "1.2", "--sigma-b2", "0.05", "--beta-v", "4",
                "--width", "256", "--depth", "10", "--samples", "200", "--seed", "3", "--out", str(out)]) == 0
    result = _strict(out / "result.json")
    entry = result["entries"][0]
    edge = result["edge"]
    assert edge["finite_width"]["widths"] == [16, 64, 256] and all(e > 0 for e in edge["finite_width"]["xi_err"])
    assert edge["with_noise"]["xi_max"] == sorted(edge["with_noise"]["xi_max"])  # grows with beta_v
    measured = entry["measured"]
    assert set(measured) >= {"c", "c_err", "q", "xi_c", "xi_c_err"}
    assert measured["c_err"] > 0 and measured["xi_c_err"] > 0
    layers = read_result(out)["entries"][0]["measured"]  # per-layer arrays: inline and in arrays.npz
    with np.load(out / "arrays.npz") as npz:
        np.testing.assert_array_equal(npz["entries/0/measured/c_layers"], layers["c_layers"])
    assert np.shape(layers["c_layers"]) == (11,)
    assert layers["c_map"][-1] == pytest.approx(measured["c"], abs=6 * measured["c_err"])
    assert (out / "correlation_vs_depth.png").stat().st_size > 0


@pytest.mark.parametrize("args, name", [
    (["--activation", "softplus"], "activation"), (["--sigma-w2", "1,-2"], "sigma_w2"),
    (["--sigma-w2", "a"], "sigma_w2"), (["--sigma-b2", "-1"], "sigma_b2"), (["--beta-v", "0"], "beta_v"),
    (["--width", "1"], "width"), (["--width", "64", "--samples", "5"], "samples"), (["--depth", "0"], "depth")])
def test_signal_prop_bad_input_is_one_line(tmp_path, capsys, args, name):
    out = tmp_path / "bad"
    assert run(["signal-prop", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name.replace("_", "-") in err[0] and "Traceback" not in err[0]  # printed as the flag
    assert not out.exists()
