"""`deeprg reproduce`: the report format, and that a crashing provider is reported, not hidden."""

import json

import pytest

from deeprg.cli import main
from deeprg.report import checks as report_checks


def run(args):
    with pytest.raises(SystemExit) as done:
        main(args)
    return done.value.code


def test_reproduce_writes_json_and_html(tmp_path):
    assert run(["reproduce", "--only", "exact", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report and all(set(c) >= {"id", "claim", "paper", "computed", "verdict", "detail"} for c in report)
    assert all(c["verdict"] in ("agrees", "disagrees", "not-checkable") for c in report)
    assert "eq13" in (tmp_path / "report.html").read_text()


def test_a_crashing_provider_is_reported_and_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(report_checks, "PROVIDERS", (("broken", "deeprg.no_such_module"),))
    assert run(["reproduce", "--out", str(tmp_path)]) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert report[0]["verdict"] == "not-checkable" and "ModuleNotFoundError" in report[0]["computed"]


def test_reproduce_rejects_unknown_provider(tmp_path, capsys):
    assert run(["reproduce", "--only", "nope", "--out", str(tmp_path)]) == 2
    assert "--only: unknown providers ['nope']" in capsys.readouterr().err
