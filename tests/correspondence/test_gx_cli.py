"""The ``deeprg gx`` commands: contract keys, one-line errors with exit code 2, nothing written on bad input."""

import json
import math

import pytest

from deeprg.cli import main
from deeprg.correspondence.rg_maps import OneParameterRG


def run(argv):
    with pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code


@pytest.mark.parametrize("family, param, b", [("ising", "1.0", 2), ("gaussian", "-0.6", 3), ("bernoulli", "0.3", 3),
                                              ("poisson", "0.5", 2)])
def test_rg_writes_steps_and_fixed_points(tmp_path, family, param, b):
    out = tmp_path / family
    assert run(["gx", "rg", "--family", family, "--param", param, "--steps", "5", "--b", str(b), "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert len(result["steps"]) == 6 and result["steps"][0] == float(param)
    rg = OneParameterRG(family, b)
    for before, after in zip(result["steps"][:-1], result["steps"][1:]):
        assert after == pytest.approx(rg.step(before), abs=1e-12)
    assert result["fixed_points"] and all("stability" in p for p in result["fixed_points"])
    assert (out / "flow.png").stat().st_size > 1000


@pytest.mark.parametrize("argv", [
    ["gx", "rg", "--family", "poisson", "--param", "-1", "--steps", "3"],
    ["gx", "rg", "--family", "gaussian", "--param", "1", "--steps", "3"],
    ["gx", "rg", "--family", "bernoulli", "--param", "1.2", "--steps", "3"],
    ["gx", "rg", "--family", "ising", "--param", "1", "--steps", "3", "--b", "1"],
    ["gx", "rg", "--family", "potts", "--param", "1", "--steps", "3"],
    ["gx", "experiment", "--family", "ising", "--param", "1", "--depth", "7"],
    ["gx", "experiment", "--family", "ising", "--param", "1", "--depth", "4", "--n", "8"],
    ["gx", "experiment", "--family", "gaussian", "--param", "-1.5", "--depth", "2"],
    ["gx", "experiment", "--family", "ising", "--param", "1", "--depth", "2", "--objective", "magic"],
    ["gx", "experiment", "--family", "ising", "--param", "1", "--depth", "2", "--arch", "conv"],
    ["gx", "experiment", "--family", "bernoulli", "--param", "0.3", "--depth", "2", "--factor", "2"],
    ["gx", "experiment", "--family", "ising", "--param", "1", "--depth", "2", "--seeds", "0"]])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, argv):
    out = tmp_path / "out"
    assert run(argv + ["--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deeprg: error:") and "\n" not in err
    assert not out.exists()


def test_experiment_command_writes_the_contract_keys_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "exp"
    argv = ["gx", "experiment", "--family", "gaussian", "--param", "0.7", "--depth", "2", "--objective", "likelihood",
            "--arch", "local", "--seeds", "2", "--seed", "3", "--n", "16", "--samples", "200", "--train-steps", "200",
            "--out", str(out)]
    assert run(argv) == 0
    printed = capsys.readouterr().out
    assert "layer 1: trained" in printed and "RG iterate" in printed
    result = json.loads((out / "result.json").read_text())
    assert len(result["layers"]) == 2 and result["config"]["arch"] == "local" and result["config"]["seeds"] == 2
    for layer in result["layers"]:
        for key in ("rg_iterate", "fixed_point", "trained", "untrained"):
            assert {"mean", "stderr"} <= set(layer[key])
        assert isinstance(layer["matches_iterate"], bool) and isinstance(layer["matches_fixed_point"], bool)
        assert {"trained", "untrained"} <= set(layer["information"])
        assert layer["rg_iterate"]["mean"] == pytest.approx(0.7 ** (2 ** layer["layer"]))
        assert math.isfinite(layer["trained"]["mean"]) and "loss_final" in layer
    assert (out / "experiment.png").stat().st_size > 1000


def test_factor_is_the_option_and_b_a_hidden_alias(tmp_path, capsys):
    common = ["gx", "rg", "--family", "bernoulli", "--param", "0.3", "--steps", "2"]
    assert run(common + ["--factor", "3", "--out", str(tmp_path / "a")]) == 0
    assert run(common + ["--b", "3", "--out", str(tmp_path / "b")]) == 0
    a, b = (json.loads((tmp_path / d / "result.json").read_text()) for d in "ab")
    assert a["steps"] == b["steps"] and a["b"] == 3
    assert run(common + ["--factor", "3", "--b", "5", "--out", str(tmp_path / "c")]) == 2
    assert run(["gx", "rg", "--help"]) == 0
    assert "--factor" in capsys.readouterr().out.replace("\x1b", "") and not (tmp_path / "c").exists()


def test_result_json_is_strict_with_null_for_infinite_and_undefined_values(tmp_path):
    def strict(text):
        def refuse(name):
            raise ValueError(f"non-strict JSON constant {name}")
        return json.loads(text, parse_constant=refuse)

    assert run(["gx", "rg", "--family", "poisson", "--param", "2", "--steps", "3", "--out", str(tmp_path / "p")]) == 0
    result = strict((tmp_path / "p" / "result.json").read_text())
    assert result["limit"] is None and any(p["value"] is None for p in result["fixed_points"])  # lambda = inf
    assert run(["gx", "rg", "--family", "bernoulli", "--param", "0.3", "--steps", "2", "--factor", "2",
                "--out", str(tmp_path / "b")]) == 0
    line = strict((tmp_path / "b" / "result.json").read_text())["fixed_points"]
    assert line == [{"value": None, "coordinate": None, "slope": 1.0, "stability": "marginal"}]
