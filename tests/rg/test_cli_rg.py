"""`deeprg rg`: the JSON contracts, figures, and one-line errors with exit code 2 (nothing written)."""

import json

import numpy as np
import pytest
import sympy as sp

from deeprg.cli import main
from deeprg.rg import symbolic as sym


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def values(step):
    return [complex(v["re"], v["im"]) if isinstance(v, dict) else v for v in (step[k] for k in "ABC")]


def test_flow_from_beta_v(tmp_path):
    out = tmp_path / "flow"
    assert run(["rg", "flow", "--steps", "4", "--beta-v", "0.8", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    steps = result["steps"]
    assert len(steps) == 5 and all(isinstance(s["A"], float) for s in steps)
    assert values(steps[0]) == pytest.approx([1.6, -0.8, -0.8])
    a, b, c = np.exp(values(steps[0]))
    derived = [float(r.subs({sym.a: a, sym.b: b, sym.c: c})) for r in sym.recursion()]
    assert np.exp(values(steps[1])) == pytest.approx(derived, rel=1e-12)
    for name in ("flow.png", "flows_plane.png", "flows_fictitious.png"):
        assert (out / name).stat().st_size > 0


def test_flow_with_complex_couplings(tmp_path):
    out = tmp_path / "fict"
    assert run(["rg", "flow", "--steps", "3", "--exp-couplings", "3,-0.6667,-0.3333", "--out", str(out)]) == 0
    steps = json.loads((out / "result.json").read_text())["steps"]
    assert len(steps) == 4 and all(isinstance(s[k], dict) for s in steps for k in "ABC")
    A, B, C = values(steps[0])
    assert A == pytest.approx(np.log(3)) and B == pytest.approx(np.log(0.6667) + 1j * np.pi)
    assert C.imag == pytest.approx(np.pi)


def test_flow_from_log_couplings(tmp_path):
    out = tmp_path / "log"
    assert run(["rg", "flow", "--steps", "0", "--couplings", "0.5,-1,0.25", "--out", str(out)]) == 0
    steps = json.loads((out / "result.json").read_text())["steps"]
    assert len(steps) == 1 and values(steps[0]) == pytest.approx([0.5, -1.0, 0.25], rel=1e-14)


def test_fixed_points(tmp_path):
    out = tmp_path / "fp"
    assert run(["rg", "fixed-points", "--starts", "24", "--seed", "3", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["converged"] + result["non_converged"] == result["starts"] == 24
    isolated = [fp for fp in result["fixed_points"] if fp["rank"] == 2]
    for fp in result["fixed_points"]:
        assert {"E", "exp_couplings", "eigenvalues", "exponents", "rank", "physical", "stable", "sources"} <= set(fp)
        assert len(fp["eigenvalues"]) == 3
    assert len(isolated) == 1 and result["cross_check"]["spectra_match_classification"]
    point = [p for p in sym.fixed_points() if all(v.is_number for v in p.values())][0]
    assert isolated[0]["exp_couplings"] == pytest.approx([float(point[k]) for k in "abc"], abs=1e-9)
    assert (out / "spectra.png").stat().st_size > 0


def test_fixed_points_lists_the_physical_unstable_point_of_two_rows(tmp_path):
    """Default model, two data rows: a nonnegative fixed point of rank >= 2 exists iff two rows of K have
    incomparable supports (checked here by brute force over row pairs), and the command must list one, verified
    by the matrix product E K^T E = c E, even without Newton."""
    import itertools

    import numpy as np

    from deeprg.model import NetworkSpec
    from deeprg.rg import model_matrices

    ones = np.ones((2, 1))
    K, _ = model_matrices(NetworkSpec(width=1, depth=2, x=ones, y=ones))
    support = K > 0
    incomparable = any((support[a] & ~support[b]).any() and (support[b] & ~support[a]).any()
                       for a, b in itertools.combinations(range(len(K)), 2))
    assert incomparable
    out = tmp_path / "fp-rows"
    assert run(["rg", "fixed-points", "--width", "1", "--rows", "2", "--starts", "0", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    found = [fp for fp in result["fixed_points"] if fp["physical"] and fp["rank"] >= 2]
    assert found and all(not fp["stable"] for fp in found)
    for fp in found:
        E = np.array(fp["E"], dtype=float)  # physical: real entries
        image = E @ K.T @ E
        c = image.flat[np.argmax(np.abs(E))] / E.flat[np.argmax(np.abs(E))]
        assert np.min(E) >= 0 and np.linalg.matrix_rank(E) >= 2 and np.allclose(image, c * E, atol=1e-10)


def test_fixed_points_larger_model(tmp_path):
    out = tmp_path / "fp2"
    assert run(["rg", "fixed-points", "--rows", "2", "--starts", "4", "--start-kind", "positive",
                "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert all("exp_couplings" not in fp and len(fp["eigenvalues"]) == 15 for fp in result["fixed_points"])


def test_scaling(tmp_path):
    out = tmp_path / "sc"
    assert run(["rg", "scaling", "--points", "5", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    J = sym.jacobian_at(dict(zip("abc", (sp.Integer(3), sp.Rational(-2, 3), sp.Rational(-1, 3)))))
    y_A = float(sp.log(J[0, 0], 2))
    assert result["nu_fitted"]["A"] == pytest.approx(1 / y_A, rel=0.01)
    assert len(result["near_fixed_point"]["lines"]) == 4
    for name in ("xi_scaling.png", "G_near.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.parametrize("args,message", [
    (["flow", "--couplings", "1,2"], "--couplings: need three values"),
    (["flow", "--beta-v", "1", "--exp-couplings", "1,2,3"], "give one of --beta-v, --couplings, --exp-couplings"),
    (["flow", "--exp-couplings", "1,0,2"], "--exp-couplings: values must be non-zero"),
    (["flow", "--beta-v", "inf"], "--beta-v: inf gives a factor E with zero weights"),
    (["flow", "--steps", "-1"], "--steps: must be an integer >= 0"),
    (["flow", "--neurons", "0,1,2"], "--neurons: the couplings"),
    (["fixed-points", "--start-kind", "weird"], "--start-kind: must be one of"),
    (["fixed-points", "--width", "3", "--rows", "2"], "dense Newton search needs"),
    (["scaling", "--min-delta", "0.1", "--max-delta", "0.01"], "--min-delta/--max-delta"),
])
def test_bad_input(tmp_path, capsys, args, message):
    out = tmp_path / "bad"
    assert run(["rg", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
