"""`deeprg wide`: the exact bulk at growing width N and the infinite-width (mean-field) limit."""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import address_option, done, out_option, workers_option


def wide(
    widths: str = typer.Option("1,2,4,...,1024", help="Widths N: a list '8,16,32' or a progression '1,2,4,...,1024'."),
    rows: int = typer.Option(2, help="L, data rows (the overlap needs L >= 2)."),
    beta: str = typer.Option("1", help="Inverse temperature of the cost (does not enter the bulk)."),
    beta_v: str = typer.Option("1", "--beta-v", help="Inverse temperature of the constraints ('inf' allowed)."),
    weights: str = typer.Option("-1,1", help="Weight values, e.g. '-1,0,1'."),
    biases: str = typer.Option("none", help="Bias values, or 'none' for no bias."),
    neurons: str = typer.Option("-1,1", help="Neuron values."),
    activation: str = typer.Option("sign", help="sign or heaviside."),
    p: float = typer.Option(2.0, "--p", help="Exponent of the L^p cost (footnote 7)."),
    weight_prior: str = typer.Option(None, help="Prior weight of each weight value, e.g. '1,2'."),
    rmax: int = typer.Option(20, help="Largest separation of the bulk G(r)."),
    crossover_beta_v: str = typer.Option(None, "--crossover-beta-v",
                                         help="Also find, for each of these beta_v (e.g. '0.5,1,1.5'), the width N* "
                                              "from which the overlap xi stays within 5% of mean field."),
    address: str = address_option(),
    workers: int = workers_option(),
    out: Path = out_option("deeprg-out/wide"),
) -> None:
    """Exact bulk (free energy, xi, overlap and magnetization G and xi) for each width, the mean-field maps with
    their fixed points, and the extrapolation of xi(N) to N = infinity; writes result.json and figures."""
    from ..model import NetworkSpec
    from ..progress import progress_bar
    from ..results import save_figure, write_json
    from ..wide import parse_widths, run_wide
    from ..wide import plots
    from .exact import spec_from_options

    if isinstance(rows, bool) or rows < 1:
        raise ValueError(f"--rows: must be an integer >= 1, got {rows}")
    if rmax < 0:
        raise ValueError(f"--rmax: must be >= 0, got {rmax}")
    width_list = parse_widths(widths)
    top = neurons.split(",")[-1]
    cells = ";".join([top] * rows)
    template: NetworkSpec = spec_from_options(1, 1, cells, cells, beta, beta_v, weights, biases, neurons,
                                              activation, "dna", p, weight_prior)
    crossover_list = None
    if crossover_beta_v is not None:
        from ._common import parse_values

        crossover_list = parse_values(crossover_beta_v, "--crossover-beta-v")
        if rows < 2 or any(not b >= 0 for b in crossover_list):
            raise ValueError("--crossover-beta-v: needs --rows >= 2 and beta_v values >= 0")
        for b in crossover_list:
            template.replace(beta_v=b)  # validates before any work
    with progress_bar(len(width_list), "widths") as advance:
        result = run_wide(template, width_list, rmax, out_dir=out, address=address, workers=workers,
                          progress=advance)
    if crossover_list is not None:
        from ..wide.experiment import crossover

        result["crossover"] = crossover(template, crossover_list, width_list)
    write_json(out / "result.json", result)
    files = ["result.json", "xi_vs_width.png"]
    save_figure(plots.xi_vs_width(result), out / "xi_vs_width.png")
    if result["mean_field"] is not None and result["mean_field"]["map"] is not None:
        save_figure(plots.mean_field_map(result), out / "mean_field_map.png")
        files.append("mean_field_map.png")
    if result["overlap_G"] is not None:
        save_figure(plots.overlap_correlations(result), out / "overlap_G.png")
        files.append("overlap_G.png")
    if result.get("crossover"):
        save_figure(plots.crossover(result), out / "crossover.png")
        files.append("crossover.png")
    done(out, files)


def register(app: typer.Typer) -> None:
    app.command("wide")(wide)
