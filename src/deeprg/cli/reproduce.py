"""`deeprg reproduce`: run every check of both papers and write report.json and report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from ..report.checks import PROVIDERS
from ._common import out_option

COLUMNS = ("agrees", "holds-by-construction", "disagrees", "not-checkable")
HEADINGS = ("agrees (could fail)", "holds by construction", "disagrees", "not checkable")


def reproduce(
    out: Path = out_option("deeprg-out/reproduce", writes="report.json, report.html and figures"),
    only: str = typer.Option(None, help="Comma-separated providers to run: "
                                        + ", ".join(p.name for p in PROVIDERS) + "."),
) -> None:
    """Reproduce every claim of both papers; verdicts come from computation. Writes report.json (per-paper
    counts in "summary", every check in "checks") and report.html."""
    from ..progress import progress_bar
    from ..report import PAPERS, render, run_checks
    from ..results import write_json, write_text

    selected = None
    if only:
        selected = tuple(s.strip() for s in only.split(",") if s.strip())
        unknown = sorted(set(selected) - {p.name for p in PROVIDERS})
        if unknown:
            raise ValueError(f"--only: unknown providers {unknown}; allowed: {[p.name for p in PROVIDERS]}")
    count = len(PROVIDERS) if selected is None else len(selected)
    with progress_bar(count, "reproducing the papers") as advance:
        report = run_checks(out, selected, progress=advance)
    data = report.to_dict()
    write_json(out / "report.json", data)
    write_text(out / "report.html", render(data))
    width = max(len(h) for h in HEADINGS)
    typer.echo(f"{'paper':<6s}" + "".join(f"{h:>{width + 2}s}" for h in HEADINGS))
    for paper in (*PAPERS, "all"):
        row = data["summary"][paper]
        typer.echo(f"{paper:<6s}" + "".join(f"{row[v]:>{width + 2}d}" for v in COLUMNS))
    id_width = max((len(c["id"]) for c in data["checks"]), default=2)
    for c in data["checks"]:
        computed = " ".join(c["computed"].split())
        typer.echo(f"  {c['id']:<{id_width}s}  {c['verdict']:<21s}  {computed[:80]}")
    typer.echo(f"wrote {out / 'report.json'} and {out / 'report.html'}")
    if report.crashed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("reproduce")(reproduce)
