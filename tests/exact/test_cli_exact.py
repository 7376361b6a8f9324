"""`deeprg exact`: the JSON contract, figures, and one-line errors with exit code 2."""

import json

import numpy as np
import pytest

from deeprg.cli import main
from deeprg.exact import enumerate_spec
from deeprg.model import NetworkSpec, ValueSets


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_exact_writes_the_contract(tmp_path):
    out = tmp_path / "toy"
    code = run(["exact", "--width", "2", "--depth", "2", "--x", "1,0;0,1", "--y", "1,1;0,1", "--beta", "0.7",
                "--beta-v", "1.5", "--weights", "-1,0,1", "--out", str(out)])
    assert code == 0
    result = json.loads((out / "result.json").read_text())
    oracle = enumerate_spec(NetworkSpec(width=2, depth=2, x=[[1, 0], [0, 1]], y=[[1, 1], [0, 1]], beta=0.7,
                                        beta_v=1.5, values=ValueSets(weights=(-1, 0, 1))))
    assert result["log_z"] == pytest.approx(oracle.log_z, rel=1e-12)
    assert np.shape(result["mean_h"]) == (2, 2, 2)  # [m-1][l][i]
    np.testing.assert_allclose(result["mean_h"], oracle.mean_h, atol=1e-12)
    np.testing.assert_allclose(result["cov_h"], oracle.cov_h, atol=1e-12)
    assert set(result["bulk"]) >= {"free_energy_per_layer", "xi", "G"}
    assert len(result["bulk"]["G"]) == 21
    assert result["method"] == "transfer" and result["spec"]["beta_v"] == 1.5
    assert (out / "mean_h.png").stat().st_size > 0 and (out / "bulk_G.png").stat().st_size > 0


def test_exact_enumerate_and_infinite_beta_v(tmp_path):
    out = tmp_path / "inf"
    assert run(["exact", "--depth", "3", "--beta-v", "inf", "--method", "enumerate", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    oracle = enumerate_spec(NetworkSpec(depth=3, hamiltonian="original"))
    assert result["method"] == "enumerate"
    assert result["log_z"] == pytest.approx(oracle.log_z, rel=1e-12)


@pytest.mark.parametrize("args,needle", [
    (["--x", "2"], "--x" if False else "x: values [2.0] are outside the neuron value set"),
    (["--depth", "0"], "depth: must be an integer >= 1"),
    (["--activation", "relu"], "activation: unknown 'relu'"),
    (["--beta", "-1"], "beta: must be finite and >= 0"),
    (["--beta", "nan"], "--beta: NaN is not allowed"),
    (["--neurons", ","], "--neurons: empty value list"),
    (["--x", "1,1"], "x: has 2 columns but width is 1"),
    (["--hamiltonian", "foo"], "--hamiltonian"),
    (["--weights", "a,b"], "--weights: 'a' is not a number"),
])
def test_exact_bad_input_is_one_line_exit_2(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    assert run(["exact", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("deeprg: error:") and needle in err
    assert not out.exists()


def test_exact_symmetric_method_equals_transfer_and_reports_overlap(tmp_path):
    args = ["--width", "3", "--depth", "2", "--x", "1,-1,1;1,1,-1", "--y", "1,1,1;-1,1,1", "--neurons=-1,1",
            "--activation", "sign", "--biases", "none", "--beta-v", "0.8", "--rmax", "4"]
    assert run(["exact", *args, "--method", "transfer", "--out", str(tmp_path / "t")]) == 0
    assert run(["exact", *args, "--method", "symmetric", "--out", str(tmp_path / "s")]) == 0
    t = json.loads((tmp_path / "t" / "result.json").read_text())
    s = json.loads((tmp_path / "s" / "result.json").read_text())
    assert s["method"] == "symmetric" and s["bulk"]["reduction"] == "gauge"
    assert s["log_z"] == pytest.approx(t["log_z"], rel=1e-12)
    np.testing.assert_allclose(s["mean_h"], t["mean_h"], atol=1e-12)
    np.testing.assert_allclose(s["cov_h"], t["cov_h"], atol=1e-12)
    for key in ("overlap", "magnetization"):
        np.testing.assert_allclose(s["bulk"][key]["G"], t["bulk"][key]["G"], atol=1e-12)
        assert len(t["bulk"][key]["G"]) == 5 and set(t["bulk"][key]) == {"mean", "G", "xi"}
    np.testing.assert_allclose(s["bulk"]["G"], t["bulk"]["G"], atol=1e-12)


def test_exact_too_many_blocks_is_one_line_before_anything_is_written(tmp_path, capsys):
    x = ";".join([",".join(["1"] * 40)] * 2)
    out = tmp_path / "big"
    assert run(["exact", "--width", "40", "--x", x, "--y", x, "--method", "symmetric", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "12341 blocks" in err and "limit 7000" in err
    assert not out.exists()
    assert run(["exact", "--width", "5", "--method", "transfer", "--out", str(out)]) == 2
    assert "weight configurations" in capsys.readouterr().err and not out.exists()
