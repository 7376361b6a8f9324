"""`deeprg rg catalog`: RG fixed points of a family of discrete networks, as JSON, CSV and figures."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ._common import address_option, done, out_option, workers_option


def _priors(text: str) -> tuple[str, ...]:
    from ..rg.family import PRIORS

    items = tuple(p for p in text.replace(" ", "").split(",") if p)
    bad = [p for p in items if p not in PRIORS]
    if not items or bad:
        raise ValueError(f"--priors: give a comma-separated subset of {', '.join(PRIORS)}, got {text!r}")
    return items


def _csv(header: list[str], rows: list[list]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def catalog(
    workers: int = workers_option(),
    address: str = address_option(),
    priors: str = typer.Option("uniform,tilted", help="Weight priors to include: uniform, tilted (value k "
                                                       "weighted k + 1)."),
    max_states: int = typer.Option(16, help="Only models with at most this many layer states S = |h|^(N L)."),
    newton_starts: int = typer.Option(None, help="Random Newton starts per model (default 24 for S <= 4, "
                                                 "2 for S = 16)."),
    out: Path = out_option("deeprg-out/rg-catalog"),
) -> None:
    """Fixed points of E -> E K^T E over widths, rows, value sets, activations and priors; the answer to
    'which models have a physical unstable fixed point'. Writes result.json, fixed_points.csv, models.csv and
    flows/<model>.png; each model's entry is saved in points/ as it finishes, and a rerun skips those."""
    from ..progress import progress_bar
    from ..results import save_figure, write_json, write_text
    from ..rg import catalog as cat
    from ..rg.family import CatalogModel, model_family
    from ..rg.plots import catalog_flows
    from ..rg.tables import csv_rows, model_rows

    chosen = _priors(priors)
    if max_states < 2:
        raise ValueError(f"--max-states: must be >= 2 (the smallest model has 2 layer states), got {max_states}")
    if newton_starts is not None and newton_starts < 0:
        raise ValueError(f"--newton-starts: must be >= 0, got {newton_starts}")
    models: list[CatalogModel] = [m for m in model_family(chosen) if m.states <= max_states]

    start = time.perf_counter()
    with progress_bar(len(models), "RG fixed-point catalog") as advance:
        entries = cat.run_catalog(models, newton_starts, workers=workers, address=address, progress=advance,
                                  out_dir=out)
    summary = cat.answer(entries)
    for model, entry in zip(models, entries):
        save_figure(catalog_flows(entry), out / "flows" / f"{model.slug}.png")
    seconds = time.perf_counter() - start  # analysis and figures
    write_json(out / "result.json", {"answer": summary, "models": entries, "seconds": seconds,
                                     "workers": workers, "address": address, "priors": list(chosen),
                                     "max_states": max_states})
    write_text(out / "fixed_points.csv", _csv(*csv_rows(entries)))
    write_text(out / "models.csv", _csv(*model_rows(entries)))
    files = ["result.json", "fixed_points.csv", "models.csv", f"flows/ ({len(entries)} figures)"]
    typer.echo(f"{summary['models']} models analyzed, {summary['fixed_points']} fixed points (max residual "
               f"{summary['max_residual']:.2g})")
    typer.echo(f"physical unstable fixed point: {len(summary['physical_unstable'])} models; reached from own "
               f"beta_v: {summary['reached_unstable']}; with finite couplings: "
               f"{summary['finite_coupling_unstable'] or 'none'}; inconsistent with theory: "
               f"{summary['inconsistent_with_theory'] or 'none'}")
    typer.echo(f"catalog run time: {seconds:.1f} s of analysis and figures"
               + (f" ({workers} workers)" if workers else "") + (f", Ray at {address}" if address else ""))
    done(out, files)


def register(rg_app: typer.Typer) -> None:
    """Add `catalog` to the `deeprg rg` sub-command group."""
    rg_app.command("catalog")(catalog)
