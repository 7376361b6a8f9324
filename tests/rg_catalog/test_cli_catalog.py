"""`deeprg rg catalog`: the contract of result.json / CSV / figures, and bad input (one line, exit 2)."""

import csv
import json

import pytest

from deeprg.cli import main


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_catalog_writes_the_contract(tmp_path, capsys):
    out = tmp_path / "cat"
    code = run(["rg", "catalog", "--max-states", "2", "--priors", "uniform", "--workers", "1",
                "--newton-starts", "4", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "catalog run time:" in printed
    data = json.loads((out / "result.json").read_text())
    assert data["answer"]["models"] == 12 and "skipped" not in printed  # only valid combinations are enumerated
    toy = next(m for m in data["models"] if m["name"] == "N1-L1-W[-1,1]-b[-1,1]-h[0,1]-heaviside-uniform")
    for fp in toy["fixed_points"]:
        assert {"E", "eigenvalues", "exponents", "rank", "physical", "stable"} <= set(fp)
        assert fp["residual"] < 1e-10
    fictitious = [fp for fp in toy["fixed_points"] if fp["rank"] == 2]
    assert len(fictitious) == 1 and fictitious[0]["stable"] is False
    assert [round(v, 9) for v in fictitious[0]["exp_couplings"]] == [3, round(-2 / 3, 9), round(-1 / 3, 9)]
    with open(out / "fixed_points.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(m["fixed_points"]) for m in data["models"])
    assert (out / "models.csv").exists()
    assert len(list((out / "flows").glob("*.png"))) == 12


@pytest.mark.parametrize("args, needle", [
    (["--priors", "peaked"], "--priors"),
    (["--workers", "0"], "--workers"),
    (["--max-states", "1"], "--max-states"),
    (["--address", "auto"], "--address"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, args, needle):
    import importlib.util

    if needle == "--address" and importlib.util.find_spec("ray") is not None:
        pytest.skip("ray is installed")
    out = tmp_path / "bad"
    assert run(["rg", "catalog", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
