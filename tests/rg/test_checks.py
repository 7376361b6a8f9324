"""The rg report checks: well-formed Check records, and for every check evidence on either side that flips its
verdict (or "holds-by-construction" for identities). Verdicts come from comparisons, never asserted here."""

import time

import numpy as np
import pytest
import sympy as sp

from deeprg.report.check import VERDICTS, Check
from deeprg.rg import checks, paper_claims
from deeprg.rg import symbolic as sym

REQUIRED_IDS = {"eq22", "eq25", "eq27", "eq29", "eq30", "eq31", "eq32", "eq34", "eq36", "eq36-toy", "eq37", "eq38",
                "eq39", "eq40", "fig4", "fig5"}
BY_CONSTRUCTION = {"eq31", "eq36-toy", "eq37", "eq40"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rg-report")
    start = time.perf_counter()
    found = checks.claim_checks(out_dir=out)
    return found, time.perf_counter() - start, out


@pytest.fixture(scope="module")
def ctx():
    return checks._context()


def test_every_claim_has_a_well_formed_check(report):
    found, seconds, out = report
    ids = [c.id for c in found]
    assert REQUIRED_IDS == set(ids) and len(ids) == len(set(ids))
    for c in found:
        assert isinstance(c, Check) and c.verdict in VERDICTS and c.source == "dna"
        assert all(isinstance(v, str) and v for v in (c.claim, c.paper, c.computed, c.detail, c.tolerance_source))
        assert bool(c.could_fail_if) == (c.verdict in ("agrees", "disagrees")) or c.id == "eq32"
        for f in c.figures:
            assert f.endswith(".png") and (out / f.split("/")[-1]).stat().st_size > 0
        if c.verdict == "disagrees":  # both values and the derivation must be shown
            assert "printed" in c.detail and "derived" in c.detail
    assert {c.id for c in found if c.verdict == "holds-by-construction"} == BY_CONSTRUCTION
    assert seconds < 40


def test_without_out_dir_no_figures(ctx):
    assert checks.check_fig5(ctx, None).figures == ()


def test_eq22_eq25_eq27_flip_with_the_printed_formula(monkeypatch):
    monkeypatch.setattr(paper_claims, "eq22", sym.z_m)
    assert checks.check_eq22().verdict == "agrees"
    monkeypatch.setattr(paper_claims, "eq22", lambda: sym.z_m() * 2)
    assert checks.check_eq22().verdict == "disagrees"
    derived = sym.renormalized_hamiltonian()["coefficients"]
    monkeypatch.setattr(paper_claims, "eq25_coefficients", lambda: dict(derived))
    assert checks.check_eq25().verdict == "agrees"
    monkeypatch.setattr(paper_claims, "eq25_coefficients", lambda: {**derived, "A": derived["A"] + 1})
    assert checks.check_eq25().verdict == "disagrees"
    printed = paper_claims.eq27()
    monkeypatch.setattr(paper_claims, "eq27", lambda: (printed[0] + sp.Rational(1, 10), *printed[1:]))
    assert checks.check_eq27().verdict == "disagrees"


def test_eq29_eq30_flip_with_the_fixed_points(monkeypatch, ctx):
    search = checks.find_fixed_points(ctx["K"], starts=16, rng=np.random.default_rng(29))
    assert checks.check_eq29(ctx, search).verdict == "agrees"
    assert checks.check_eq30(ctx, search).verdict == "agrees"
    solutions = sym.fixed_points()
    extra = {"a": sp.Integer(2), "b": sp.Integer(1), "c": sp.Integer(1)}  # a real positive point off the plane
    monkeypatch.setattr(sym, "fixed_points", lambda *a: [*solutions, extra])
    assert checks.check_eq29(ctx, search).verdict == "disagrees"
    monkeypatch.setattr(sym, "fixed_points", lambda *a: solutions)
    monkeypatch.setattr(paper_claims, "EQ30_POINT", (sp.Integer(3), sp.Rational(-1, 3), sp.Rational(-2, 3)))
    assert checks.check_eq30(ctx, search).verdict == "disagrees"


def test_eq34_eq38_eq39_flip_with_the_printed_exponents(monkeypatch, ctx):
    monkeypatch.setattr(paper_claims, "EQ34_MATRIX", sp.diag(2, 2, 3))
    assert checks.check_eq34(ctx).verdict == "disagrees"
    monkeypatch.setattr(paper_claims, "EQ34_MATRIX", sym.jacobian_at(dict(zip("abc", paper_claims.EQ30_POINT))))
    assert checks.check_eq34(ctx).verdict == "agrees"
    assert checks.check_eq38(ctx).verdict == "agrees"
    monkeypatch.setattr(paper_claims, "eq38_collapse_exponent", lambda y: 0.5 / y)
    assert checks.check_eq38(ctx).verdict == "disagrees"
    assert checks.check_eq39(ctx)[0].verdict == "agrees"
    monkeypatch.setattr(paper_claims, "eq39_nu", lambda y: 0.5 / y)
    assert checks.check_eq39(ctx)[0].verdict == "disagrees"


def test_eq36_rule_flips_with_the_decay():
    """A single exponential decays with its xi; a sum whose slow term has no weight in xi does not."""
    r = np.arange(60)
    xi = 3.0
    assert checks.decays_with_xi(np.exp(-r / xi), xi)
    assert not checks.decays_with_xi(np.exp(-r / xi) + 0.5 * np.exp(-r / (2 * xi)), xi)
    assert not checks.decays_with_xi(np.exp(-r / xi), 1.1 * xi)


def test_eq36_on_four_state_models_could_fail_and_agrees():
    """The 4-state models decay with xi (an oracle: G from the exact engine), unlike the L = 2 sign model,
    whose observable has no weight on lambda_2 (G(r >= 1) = 0 while xi > 0), where the rule says no."""
    from deeprg.exact import build, bulk
    from deeprg.model import NetworkSpec, ValueSets

    assert checks.check_eq36().verdict == "agrees"
    ones = np.ones((2, 1))
    sign = NetworkSpec(width=1, depth=2, x=ones, y=ones, beta_v=1.0, activation="sign",
                       values=ValueSets(neurons=(-1.0, 1.0)))
    b = bulk(build(sign), rmax=10)
    assert b.xi > 1 and np.all(np.abs(b.G[2:]) < 1e-12 * b.G[0])  # no exponential decay with this xi


def test_fig4_fig5_flip_with_the_flows(monkeypatch, ctx):
    search = checks.find_fixed_points(ctx["K"], starts=8, rng=np.random.default_rng(29))
    assert checks.check_fig4(ctx, search, None).verdict == "agrees"
    assert checks.check_fig5(ctx, None).verdict == "agrees"

    class Stuck:
        def __init__(self, start):
            self.exp_couplings = np.tile(np.asarray(start, dtype=complex), (13, 1))

    monkeypatch.setattr(checks, "coupling_flow", lambda start, K, steps: Stuck(start))
    assert checks.check_fig4(ctx, search, None).verdict == "disagrees"  # flows that never reach e^A = 1
    assert checks.check_fig5(ctx, None).verdict == "disagrees"  # flows that do not move away


def test_identities_hold_by_construction(ctx):
    for check in (checks.check_eq31(), checks.check_eq36_toy(ctx), checks.check_eq37(ctx), checks.check_eq40(ctx)):
        assert check.verdict == "holds-by-construction" and check.could_fail_if == ""
    assert checks.check_eq32(ctx).verdict == "not-checkable"


def test_fig6_flips_with_the_samples_and_the_rule(monkeypatch):
    from deeprg.rg import renormalized_network as rn

    fig6, hard = checks.fig6_checks(None, samples=4000, seeds=(6,))
    assert fig6.verdict == "agrees" and fig6.seeds == (6,) and hard.verdict == "disagrees"
    real_verify = rn.verify

    def biased(net, samples, rng, **kw):
        result = real_verify(net, samples, rng, **kw)
        return result._replace(z_between=result.z_between + 10)

    monkeypatch.setattr(rn, "verify", biased)
    monkeypatch.setattr(rn, "rule_network", lambda net: net.renormalized)  # the rule network = the full E'
    fig6, hard = checks.fig6_checks(None, samples=4000, seeds=(6,))
    assert fig6.verdict == "disagrees" and hard.verdict == "agrees"


def test_footnote12_readings_flip_with_the_catalog(monkeypatch):
    from deeprg.rg import catalog

    def summary(physical, finite):
        return {"models": 2, "valid": 2, "physical_unstable": physical, "reached_unstable": [],
                "finite_coupling_unstable": finite, "inconsistent_with_theory": [], "fixed_points": 0,
                "max_residual": 0.0, "newton_non_converged": 0, "reason": ""}

    monkeypatch.setattr(catalog, "run_catalog", lambda models, starts: [])
    monkeypatch.setattr(catalog, "answer", lambda entries: summary([], []))
    assert [c.verdict for c in checks.footnote12_checks()] == ["disagrees", "disagrees"]
    monkeypatch.setattr(catalog, "answer", lambda entries: summary(["m"], ["m"]))
    found = checks.footnote12_checks()
    assert [c.verdict for c in found] == ["agrees", "agrees"] and found[0].claim != found[1].claim
