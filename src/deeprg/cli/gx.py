"""``deeprg gx``: training as RG for Ising and exponential-family data (Gong-Xia).

``deeprg gx rg`` iterates the exact RG map of a family; ``deeprg gx experiment`` trains networks (locally
connected, dense, or the exact RG layers as a positive control) over several seeds and compares each feature
layer's parameter with the RG iterates, the fixed point and the untrained network. Family choices and help come
from the one registry, :mod:`deeprg.correspondence.families`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from deeprg.cli._common import address_option, done, out_option, parse_number, workers_option
from deeprg.correspondence.families import EXPERIMENT_FAMILIES, FAMILIES, REGISTRY


def _family_help(names) -> str:
    return "Data family: " + "; ".join(f"{n} ({REGISTRY[n].help})" for n in names) + "."


def _factor(factor: Optional[int], alias: Optional[int]) -> Optional[int]:
    if factor is not None and alias is not None and factor != alias:
        raise ValueError(f"--factor: given as {factor} and as --b {alias}; give one")
    return factor if factor is not None else alias


FACTOR_ALIAS = typer.Option(None, "--b", hidden=True, help="Old name of --factor.")


def register(app: typer.Typer) -> None:
    gx = typer.Typer(help="Training as RG (Gong-Xia): exact RG flows and the network experiment.",
                     no_args_is_help=True)

    @gx.command("rg")
    def rg(family: str = typer.Option(..., "--family", help=_family_help(FAMILIES)),
           param: str = typer.Option(..., "--param", help="Starting parameter P (step 0)."),
           steps: int = typer.Option(..., "--steps", help="Number of RG steps n."),
           factor: Optional[int] = typer.Option(None, "--factor", help="RG scale factor b (integer >= 2; default 2)."),
           b: Optional[int] = FACTOR_ALIAS,
           out: Path = out_option("deeprg-out/gx-rg")) -> None:
        """Iterate the exact RG map of FAMILY from P; write result.json (steps, fixed_points) and flow.png.

        In result.json, null stands for an infinite parameter (K = inf, lambda = inf) and, for a map with a line
        of fixed points (bernoulli at b = 2), for the undefined value of the single 'marginal' entry."""
        from deeprg.correspondence.experiment import strict_json
        from deeprg.correspondence.plots import plot_flow
        from deeprg.correspondence.rg_maps import OneParameterRG
        from deeprg.results import save_figure, write_json

        scale = _factor(factor, b)
        rg_map = OneParameterRG(family, 2 if scale is None else scale)
        flow = rg_map.flow(parse_number(param, "--param"), steps)  # validates before anything is written
        coord = rg_map.coordinate
        result = {"family": family, "b": rg_map.b, "param": flow[0], "coordinate": coord.name,
                  "steps": flow, "steps_coordinate": [coord.to_c(v) for v in flow],
                  "fixed_points": [p.to_dict() for p in rg_map.fixed_points()],
                  "limit": rg_map.limit(flow[0]), "map": REGISTRY[family].map_text}
        save_figure(plot_flow(result), Path(out) / "flow.png")
        write_json(Path(out) / "result.json", strict_json(result))
        done(out, ["result.json", "flow.png"])

    @gx.command("experiment")
    def experiment(family: str = typer.Option(..., "--family", help=_family_help(EXPERIMENT_FAMILIES)),
                   param: Optional[str] = typer.Option(None, "--param", help="Data parameter (not for digits)."),
                   depth: int = typer.Option(3, "--depth", help="Feature layers (1..6, at most log_b(n))."),
                   arch: str = typer.Option("local", "--arch", help="local (locally connected, stride b), dense "
                                            "(fully connected), or rg (exact RG layers: the positive control)."),
                   objective: str = typer.Option("reconstruction", "--objective",
                                                 help="reconstruction or likelihood."),
                   seeds: int = typer.Option(5, "--seeds", help="Independent runs (new data and weights)."),
                   seed: int = typer.Option(0, "--seed", help="First seed; runs use seed .. seed+seeds-1."),
                   n: Optional[int] = typer.Option(None, "--n", help="Input sites (default: the smallest "
                                                   "multiple of b^depth >= 64)."),
                   factor: Optional[int] = typer.Option(None, "--factor", help="RG scale factor b: features "
                                                        "shrink by b per layer (default 2; 3 for bernoulli)."),
                   b: Optional[int] = FACTOR_ALIAS,
                   samples: int = typer.Option(2000, "--samples", help="Training (and held-out) samples."),
                   train_steps: int = typer.Option(3000, "--train-steps", help="At most this many Adam steps per "
                                                   "layer; training stops earlier on a plateau."),
                   workers: Optional[int] = workers_option(),
                   address: Optional[str] = address_option(),
                   out: Path = out_option("deeprg-out/gx-experiment")) -> None:
        """Train over several seeds; compare each feature layer's parameter with the RG iterates, the fixed
        point and the untrained network; write result.json and experiment.png."""
        from deeprg.correspondence.experiment import ExperimentConfig, run_experiment, strict_json, summary_lines
        from deeprg.correspondence.plots import plot_experiment
        from deeprg.progress import progress_bar
        from deeprg.results import save_figure, write_json

        config = ExperimentConfig(family, None if param is None else parse_number(param, "--param"), depth,
                                  objective, arch, seeds, seed, n, _factor(factor, b), samples, train_steps)
        with progress_bar(config.seeds, f"gx {family} ({arch}, {objective})") as advance:
            result = run_experiment(config, progress=advance, out_dir=Path(out), address=address, workers=workers)
        data = strict_json(result.to_dict())  # null: an infinite or undefined value
        save_figure(plot_experiment(data), Path(out) / "experiment.png")
        write_json(Path(out) / "result.json", data)
        typer.echo("\n".join(summary_lines(result)))
        done(out, ["result.json", "experiment.png"])

    app.add_typer(gx, name="gx")
