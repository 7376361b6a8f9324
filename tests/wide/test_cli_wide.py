"""`deeprg wide`: the JSON contract, strict JSON, figures, and one-line errors with nothing written."""

import json
import math

import pytest

from deeprg.cli import main
from deeprg.exact import bulk_observables
from deeprg.model import NetworkSpec, ValueSets
from deeprg.wide import parse_widths


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_wide_writes_the_contract(tmp_path):
    out = tmp_path / "w"
    assert run(["wide", "--widths", "1,2,4,...,32", "--rows", "2", "--weights=-1,1", "--biases", "none",
                "--neurons=-1,1", "--activation", "sign", "--rmax", "5", "--out", str(out)]) == 0
    text = (out / "result.json").read_text()
    result = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert result["widths"] == [1, 2, 4, 8, 16, 32]
    for key in ("free_energy_per_layer", "xi", "overlap_xi", "overlap_G", "magnetization_xi"):
        assert len(result[key]) == 6, key
    assert len(result["overlap_G"][0]) == 6
    mf = result["mean_field"]
    assert set(mf) >= {"overlap_xi", "magnetization_xi", "fixed_points"}
    assert set(mf["fixed_points"][0]) == {"value", "slope", "stable"}
    assert set(result["extrapolation"]) >= {"xi_inf", "xi_inf_error", "exponent", "exponent_error"}
    # the width-8 entry equals the library's exact bulk (the full engine at N = 2 is checked in tests/exact)
    spec = NetworkSpec(width=8, x=[[1.0] * 8] * 2, y=[[1.0] * 8] * 2,
                       values=ValueSets(biases=(0.0,), neurons=(-1, 1)), activation="sign")
    b = bulk_observables(spec, 5)
    assert result["overlap_xi"][3] == pytest.approx(b["overlap"].xi, rel=1e-12)
    for name in ("xi_vs_width.png", "mean_field_map.png", "overlap_G.png"):
        assert (out / name).stat().st_size > 0


def test_parse_widths():
    assert parse_widths("1,2,4,...,1024") == [2**k for k in range(11)]
    assert parse_widths("2,4,...,10") == [2, 4, 6, 8, 10]
    assert parse_widths("5,3") == [3, 5]


@pytest.mark.parametrize("args,needle", [
    (["--widths", "0,2"], "--widths: widths must be >= 1"),
    (["--widths", "1,x"], "--widths: 'x' is not a positive integer"),
    (["--widths", "1,2,...,"], "--widths"),
    (["--widths", "2000"], "width/rows: building the symmetric engine visits"),
    (["--widths", "40", "--rows", "3", "--neurons", "0,1", "--activation", "heaviside"], "limit 7000"),
    (["--rows", "0"], "--rows: must be an integer >= 1"),
])
def test_wide_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    assert run(["wide", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("deeprg: error:") and needle in err
    assert not out.exists()


def test_wide_crossover_option(tmp_path):
    out = tmp_path / "c"
    assert run(["wide", "--widths", "1,2,4,...,64", "--crossover-beta-v", "0.5,1", "--rmax", "2",
                "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    rows = result["crossover"]
    assert [r["beta_v"] for r in rows] == [0.5, 1.0]
    assert rows[0]["n_star"] < rows[1]["n_star"]  # larger beta_v (smaller flip probability) needs wider layers
    assert rows[1]["overlap_xi"] == result["overlap_xi"]  # beta_v = 1 is the main run's coupling
    assert (out / "crossover.png").stat().st_size > 0


def test_extrapolation_recovers_synthetic_laws():
    """Power-law approach to a finite limit, and a slope vanishing as N^-1/2 (xi -> 0 like 1/ln N)."""
    from deeprg.wide import extrapolate

    widths = [2**k for k in range(2, 11)]
    fit = extrapolate(widths, [1.9 - 0.8 / n for n in widths], 1.9)
    assert fit["xi_inf"] == pytest.approx(1.9, abs=1e-8) and fit["exponent"] == pytest.approx(1.0, abs=1e-6)
    flat = extrapolate(widths, [-1 / math.log(0.3 * n**-0.5) for n in widths], 0.0)
    assert flat["xi_inf"] == 0 and flat["exponent"] == pytest.approx(0.5, abs=1e-10)


def test_wide_at_infinite_beta_v_is_strict_json(tmp_path):
    """beta_v = inf: 'rows equal' absorbs the finite-N bulk; infinite decay lengths and degenerate fits are null."""
    out = tmp_path / "inf"
    assert run(["wide", "--widths", "1,2,4,...,32", "--beta-v", "inf", "--rmax", "2", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text(),
                        parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert result["xi_T"][0] is None  # N = 1: T has a degenerate top
    assert result["spec"]["beta_v"] is None
    assert [p["stable"] for p in result["mean_field"]["fixed_points"]] == [False, True, False]
