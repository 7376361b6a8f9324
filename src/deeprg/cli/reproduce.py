"""`deeprg reproduce`: run every check of the seeds and write report.json and report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import out_option


def reproduce(
    out: Path = out_option("deeprg-out/reproduce"),
    only: str = typer.Option(None, help="Comma-separated providers to run (exact, rg, catalog, mc, train, gx)."),
) -> None:
    """Reproduce every claim of both papers; verdicts come from computation."""
    from ..report import PROVIDERS, render, run_checks
    from ..results import write_json, write_text

    names = tuple(n for n, _ in PROVIDERS)
    selected = None
    if only:
        selected = tuple(s.strip() for s in only.split(",") if s.strip())
        unknown = sorted(set(selected) - set(names))
        if unknown:
            raise ValueError(f"--only: unknown providers {unknown}; allowed: {list(names)}")
    checks, crashed = run_checks(out, selected)
    write_json(out / "report.json", checks)
    write_text(out / "report.html", render(checks))
    counts = {v: sum(c["verdict"] == v for c in checks) for v in ("agrees", "disagrees", "not-checkable")}
    typer.echo(f"{len(checks)} checks: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    for c in checks:
        typer.echo(f"  {c['id']:>12s}  {c['verdict']:<13s} {str(c['computed'])[:90]}")
    typer.echo(f"wrote {out / 'report.json'} and {out / 'report.html'}")
    if crashed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce)
