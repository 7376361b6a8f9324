"""The registry of report checks: every physics package's ``checks.py`` listed once, run in report order.

A provider is a function ``report_checks(out_dir=None, progress=None) -> list[Check]`` (or another function
of the same signature named by :class:`Provider`) in a physics package. A provider that crashes is reported as
one ``not-checkable`` check carrying its error, so one failure never hides the other checks.
"""

from __future__ import annotations

import importlib
import time
import traceback
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from .check import PAPERS, Check, counts


class Provider(NamedTuple):
    """``name`` (what ``deeprg reproduce --only`` takes), where its checks live, and which paper they check."""

    name: str
    module: str
    function: str = "report_checks"
    source: str = "dna"


PROVIDERS = (
    Provider("exact", "deeprg.exact.checks"),
    Provider("rg", "deeprg.rg.checks", "claim_checks"),
    Provider("catalog", "deeprg.rg.checks", "catalog_checks"),
    Provider("mc", "deeprg.sampling.checks"),
    Provider("train", "deeprg.continuous.checks"),
    Provider("gx", "deeprg.correspondence.checks", source="gx"),
    Provider("wide", "deeprg.wide.checks"),
)


def provider_names() -> tuple[str, ...]:
    return tuple(p.name for p in PROVIDERS)


def _as_check(item, provider: Provider) -> Check:
    """A provider's record as a :class:`Check`; plain dicts (from providers not yet typed) are converted, with
    the fields they lack marked as not stated."""
    if isinstance(item, Check):
        return item
    fields = {k: item[k] for k in ("id", "claim", "paper", "verdict", "detail")}
    computed = item["computed"] if isinstance(item["computed"], str) else repr(item["computed"])
    return Check(**fields, computed=computed, source=item.get("source", provider.source),
                 could_fail_if=item.get("could_fail_if") or "not stated by the provider",
                 tolerance_source=item.get("tolerance_source") or "not stated by the provider",
                 figures=tuple(str(f) for f in item.get("figures", ())),
                 seeds=tuple(int(s) for s in item.get("seeds", ())))


class Report(NamedTuple):
    """The checks of one run, the provider of each, seconds per provider, and the providers that crashed."""

    checks: list[Check]
    providers: list[str]  # the provider of each check
    seconds: dict[str, float]
    crashed: list[str]

    def summary(self) -> dict[str, dict[str, int]]:
        """Verdict counts per paper (the keys of :data:`PAPERS`) and over all checks (``"all"``)."""
        return {**{source: counts(self.checks, source) for source in PAPERS}, "all": counts(self.checks)}

    def to_dict(self) -> dict:
        """report.json: ``summary`` (counts per paper), ``checks`` (each ``Check.to_dict()`` with its provider and
        the provider's seconds), ``providers`` (seconds per provider) and ``crashed``."""
        return {"summary": self.summary(),
                "checks": [{**c.to_dict(), "provider": p, "seconds": self.seconds[p]}
                           for c, p in zip(self.checks, self.providers)],
                "providers": dict(self.seconds), "crashed": list(self.crashed)}


def run_checks(out_dir: Path, only: Sequence[str] | None = None,
               progress: Callable[[int], None] | None = None) -> Report:
    """Run the providers named in ``only`` (all by default), writing their figures under ``out_dir/figures``.

    ``progress(1)`` is called after each provider (the CLI passes a progress bar's ``advance``).
    """
    names = provider_names()
    if only is not None:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"only: unknown providers {unknown}; allowed: {list(names)}")
    report = Report([], [], {}, [])
    for provider in (p for p in PROVIDERS if only is None or p.name in only):
        start = time.perf_counter()
        try:
            function = getattr(importlib.import_module(provider.module), provider.function)
            found = [_as_check(c, provider) for c in function(out_dir=Path(out_dir) / "figures" / provider.name)]
        except Exception as err:  # noqa: BLE001 -- reported, never hidden
            report.crashed.append(provider.name)
            found = [Check(id=f"{provider.name}-error", claim=f"checks of {provider.module}", paper="",
                           computed=f"{type(err).__name__}: {err}", verdict="not-checkable",
                           detail=traceback.format_exc(limit=6), source=provider.source,
                           tolerance_source="none: the provider crashed")]
        report.checks.extend(found)
        report.providers.extend([provider.name] * len(found))
        report.seconds[provider.name] = round(time.perf_counter() - start, 2)
        if progress is not None:
            progress(1)
    return report
