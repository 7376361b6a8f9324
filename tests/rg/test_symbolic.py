"""SymPy derivations against numerical decimation, and the fixed points of the toy solved exactly."""

import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from deeprg.exact import build
from deeprg.rg import symbolic as sym
from deeprg.rg.decimation import decimate_by_summation

from .models import TOY


def test_multiplicity_is_the_engines():
    np.testing.assert_array_equal(np.array(sym.multiplicity(), dtype=float), build(TOY).K)


@pytest.mark.parametrize("beta_v", [0.4, 1.0, 2.5])
def test_z_m_is_the_explicit_sum(beta_v):
    """Z_m(h, sigma) of eq 21 = E'[h, sigma] summed over the middle layer (numpy, from the spec)."""
    table = sym.table(sym.z_m())
    E = build(TOY.replace(beta_v=beta_v)).E
    summed = decimate_by_summation(E, TOY)
    for (h, s), value in table.items():
        assert float(value.subs(sym.u, math.exp(beta_v))) == pytest.approx(summed[h, s], rel=1e-13)


def test_renormalized_couplings_are_one_recursion_step():
    """The coefficients of -beta H'_m (eq 25, derived) are the recursion applied to the bulk couplings."""
    coefficients = sym.renormalized_hamiltonian()["coefficients"]
    new = sym.recursion()
    for beta_v in (0.3, 1.7):
        u = math.exp(beta_v)
        at = {sym.a: u**2, sym.b: 1 / u, sym.c: 1 / u}
        for key, r in zip("ABC", new):
            assert float(coefficients[key].subs(sym.u, u)) == pytest.approx(math.log(float(r.subs(at))), rel=1e-12)


def test_fixed_points_exact():
    points = sym.fixed_points()
    assert {"a": 1, "b": sym.b, "c": sym.c} in points
    isolated = [p for p in points if all(v.is_number for v in p.values())]
    assert len(points) == 2 and len(isolated) == 1
    p = isolated[0]
    # T = K E^T proportional to the identity: E proportional to K^{-T} (DESIGN.md section 2)
    E = sp.Matrix([[1, p["c"]], [p["b"], p["a"] * p["b"] * p["c"]]])
    Kinv_T = sym.multiplicity().inv().T
    assert sp.simplify(E * Kinv_T[0, 0] - Kinv_T * E[0, 0]) == sp.zeros(2, 2)


def test_eigenvalues_exact():
    assert sym.eigenvalues_at({"a": 1, "b": sym.b, "c": sym.c}) == {0: 1, 1: 2}
    isolated = [p for p in sym.fixed_points() if all(v.is_number for v in p.values())][0]
    assert sym.eigenvalues_at(isolated) == {2: 3}


def test_paper_formulas_are_used_only_by_the_checks():
    root = Path(sym.__file__).parents[1]
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if p.name != "paper_claims.py"
                   and any(line.lstrip().startswith(("import ", "from ")) and "paper_claims" in line
                           for line in p.read_text().splitlines()))
    assert users == ["rg/checks.py"]
