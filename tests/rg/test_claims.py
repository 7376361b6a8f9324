"""report_checks: one check per printed claim, verdicts decided by comparison (never asserted here)."""

import time

import pytest
import sympy as sp

from deeprg.rg import claims, paper_claims, report_checks
from deeprg.rg import symbolic as sym

REQUIRED_IDS = {"eq22", "eq25", "eq27", "eq29", "eq30", "eq34", "eq36", "eq37", "eq38", "eq39", "eq40", "fig4", "fig5"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rg-report")
    start = time.perf_counter()
    checks = report_checks(out_dir=out)
    return checks, time.perf_counter() - start, out


def test_every_claim_has_a_well_formed_check(report):
    checks, seconds, out = report
    ids = [c["id"] for c in checks]
    assert REQUIRED_IDS <= set(ids) and len(ids) == len(set(ids))
    for c in checks:
        assert {"id", "claim", "paper", "computed", "verdict", "detail"} <= set(c)
        assert c["verdict"] in ("agrees", "disagrees", "not-checkable")
        assert all(isinstance(c[k], str) and c[k] for k in ("claim", "paper", "computed", "detail"))
        for f in c.get("figures", []):
            assert f.endswith(".png") and (out / f.split("/")[-1]).stat().st_size > 0
        if c["verdict"] == "disagrees":  # both values and the derivation must be shown
            assert "printed" in c["detail"] and "derived" in c["detail"]
    assert seconds < 40


def test_without_out_dir_no_figures():
    assert not any("figures" in c for c in [claims.check_fig5(claims._context(), None)])


def test_verdicts_follow_the_comparison(monkeypatch):
    """Replacing a printed formula by the derived one, or by a wrong one, flips the verdict accordingly."""
    monkeypatch.setattr(paper_claims, "eq22", sym.z_m)
    assert claims.check_eq22()["verdict"] == "agrees"
    monkeypatch.setattr(paper_claims, "eq22", lambda: sym.z_m() * 2)
    assert claims.check_eq22()["verdict"] == "disagrees"
    ctx = claims._context()
    monkeypatch.setattr(paper_claims, "EQ34_MATRIX", sp.diag(2, 2, 3))
    assert claims.check_eq34(ctx)["verdict"] == "disagrees"
    monkeypatch.setattr(paper_claims, "EQ34_MATRIX", sym.jacobian_at(dict(zip("abc", paper_claims.EQ30_POINT))))
    assert claims.check_eq34(ctx)["verdict"] == "agrees"
    monkeypatch.setattr(paper_claims, "eq39_nu", lambda y: 0.5 / y)
    assert claims.check_eq39(ctx)[0]["verdict"] == "disagrees"
