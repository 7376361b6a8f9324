"""`deeprg reproduce` and the check registry: report.json's schema (summary per paper, typed checks), the
per-paper counts, a crashing provider reported (not hidden), and the verdict rule."""

import json

import pytest

from deeprg.cli import main
from deeprg.exact import checks as exact_checks
from deeprg.report import checks as registry
from deeprg.report.check import PAPERS, VERDICTS, Check, counts, verdict


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_reproduce_writes_json_and_html(tmp_path, capsys):
    assert run(["reproduce", "--only", "exact", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["summary"]) == {*PAPERS, "all"}
    assert all(set(report["summary"][p]) == set(VERDICTS) for p in report["summary"])
    assert report["summary"]["dna"]["agrees"] == 1 and report["summary"]["gx"] == dict.fromkeys(VERDICTS, 0)
    (check,) = report["checks"]
    assert check["id"] == "eq13" and check["provider"] == "exact" and check["source"] == "dna"
    assert {"could_fail_if", "tolerance_source", "seeds", "figures", "computed"} <= set(check)
    assert "eq13" in (tmp_path / "report.html").read_text()
    printed = capsys.readouterr().out
    assert "agrees (could fail)" in printed and "holds by construction" in printed and "not checkable" in printed


def test_a_crashing_provider_is_reported_and_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "PROVIDERS", (registry.Provider("broken", "deeprg.no_such_module"),))
    assert run(["reproduce", "--out", str(tmp_path)]) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["checks"][0]["verdict"] == "not-checkable"
    assert "ModuleNotFoundError" in report["checks"][0]["computed"] and report["crashed"] == ["broken"]


def test_reproduce_rejects_unknown_provider(tmp_path, capsys):
    assert run(["reproduce", "--only", "nope", "--out", str(tmp_path)]) == 2
    assert "--only: unknown providers ['nope']" in capsys.readouterr().err
    assert not tmp_path.joinpath("report.json").exists()


def test_every_provider_resolves_to_a_function():
    import importlib

    for p in registry.PROVIDERS:
        assert p.source in PAPERS
        if p.name != "gx":  # gx imports JAX; its module is checked by its own tests
            assert callable(getattr(importlib.import_module(p.module), p.function))


def test_untyped_records_are_converted_with_missing_fields_marked():
    provider = registry.Provider("gx", "x", source="gx")
    check = registry._as_check({"id": "a", "claim": "c", "paper": "p", "computed": {"x": 1}, "verdict": "agrees",
                                "detail": "d"}, provider)
    assert check.computed == "{'x': 1}" and check.source == "gx" and "not stated" in check.could_fail_if


def test_verdict_rule_and_counts():
    assert [verdict(True), verdict(False), verdict(None), verdict(True, by_construction=True)] == \
        ["agrees", "disagrees", "not-checkable", "holds-by-construction"]
    made = [Check("a", "c", "p", "x", "agrees", "d", "dna", could_fail_if="y"),
            Check("b", "c", "p", "x", "holds-by-construction", "d", "dna"),
            Check("c", "c", "p", "x", "disagrees", "d", "gx")]
    assert counts(made, "dna") == {"agrees": 1, "holds-by-construction": 1, "disagrees": 0, "not-checkable": 0}
    with pytest.raises(ValueError, match="could_fail_if"):
        Check("a", "c", "p", "x", "agrees", "d", "dna")


def test_eq13_rule_flips_with_the_evidence():
    assert exact_checks.converges([1e-1, 1e-2, 1e-4], 0.0)
    assert not exact_checks.converges([1e-1, 1e-2, 1e-2], 0.0)  # stopped shrinking
    assert not exact_checks.converges([1e-1, 1e-2, 1e-4], 1e-6)  # a gap left at beta_v = inf
