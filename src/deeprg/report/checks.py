"""The reproduction report: every checkable claim of the seeds, each with a verdict from computation.

A provider is a function ``report_checks(out_dir=None) -> list[dict]`` in a physics package. Each dict has
``id``, ``claim``, ``paper`` (the printed statement), ``computed`` (what deeprg computes), ``verdict``
(one of :data:`VERDICTS`, decided by comparing numbers) and ``detail`` (numbers and derivation), and may
list ``figures`` (PNG paths) to embed. A provider that crashes is reported as ``not-checkable`` with its
error, so one failure never hides the other checks.
"""

from __future__ import annotations

import importlib
import time
import traceback
from pathlib import Path

from ..progress import progress_bar

VERDICTS = ("agrees", "disagrees", "not-checkable")
REQUIRED = ("id", "claim", "paper", "computed", "verdict", "detail")
# (name, module providing report_checks), in report order
PROVIDERS = (
    ("exact", "deeprg.report.exact_checks"),
    ("rg", "deeprg.rg"),
    ("catalog", "deeprg.rg.catalog"),
    ("mc", "deeprg.sampling"),
    ("train", "deeprg.continuous"),
    ("gx", "deeprg.correspondence"),
)


def _validated(check: dict, provider: str) -> dict:
    missing = [k for k in REQUIRED if k not in check]
    if missing:
        raise ValueError(f"check from {provider} lacks {missing}: {check}")
    if check["verdict"] not in VERDICTS:
        raise ValueError(f"check {check['id']} from {provider}: verdict {check['verdict']!r} not in {VERDICTS}")
    return {**check, "provider": provider}


def run_checks(out_dir: Path, only: tuple[str, ...] | None = None) -> tuple[list[dict], list[str]]:
    """Run the providers; returns the checks and the names of providers that crashed."""
    selected = [(name, module) for name, module in PROVIDERS if only is None or name in only]
    checks, crashed = [], []
    with progress_bar(len(selected), "reproducing the papers") as advance:
        for name, module_name in selected:
            start = time.perf_counter()
            try:
                provider = importlib.import_module(module_name).report_checks
                found = [_validated(c, name) for c in provider(out_dir=out_dir / "figures" / name)]
            except Exception as err:  # noqa: BLE001 -- reported, never hidden
                crashed.append(name)
                found = [{"id": f"{name}-error", "claim": f"checks of {module_name}", "paper": "",
                          "computed": f"{type(err).__name__}: {err}", "verdict": "not-checkable",
                          "detail": traceback.format_exc(limit=6), "provider": name}]
            for check in found:
                check["seconds"] = round(time.perf_counter() - start, 2)
            checks.extend(found)
            advance(1)
    return checks, crashed
