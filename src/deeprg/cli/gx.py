"""``deeprg gx``: training as RG for Ising and exponential-family data (Gong-Xia).

``deeprg gx rg`` iterates the exact RG map of a family; ``deeprg gx experiment`` trains fully connected
networks layer by layer and compares each feature layer's parameter with the RG flow (``--family digits``
runs the same probe on the binarized sklearn digits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from deeprg.cli._common import done, out_option, parse_number

FAMILY_HELP = "Data family: ising (coupling K), gaussian (AR(1) correlation rho), bernoulli (i.i.d. p), poisson (i.i.d. rate)."


def register(app: typer.Typer) -> None:
    gx = typer.Typer(help="Training as RG (Gong-Xia): exact RG flows and the network experiment.",
                     no_args_is_help=True)

    @gx.command("rg")
    def rg(family: str = typer.Option(..., "--family", help=FAMILY_HELP),
           param: str = typer.Option(..., "--param", help="Starting parameter P (step 0)."),
           steps: int = typer.Option(..., "--steps", help="Number of RG steps n."),
           b: int = typer.Option(2, "--b", "--factor", help="RG factor b: sites per block (integer >= 2); "
                                 "--factor is the same option, named as in `deeprg rg`."),
           out: Path = out_option("deeprg-out/gx-rg")) -> None:
        """Iterate the exact RG map of FAMILY from P; write result.json (steps, fixed_points) and flow.png."""
        from deeprg.correspondence import plots
        from deeprg.correspondence.rg_maps import OneParameterRG
        from deeprg.results import save_figure, write_json

        rg_map = OneParameterRG(family, b)
        flow = rg_map.flow(parse_number(param, "--param"), steps)  # validates before anything is written
        coord = rg_map.coordinate
        result = {"family": family, "b": b, "param": flow[0], "coordinate": coord.name,
                  "steps": flow, "steps_coordinate": [coord.to_c(v) for v in flow],
                  "fixed_points": [p.to_dict() for p in rg_map.fixed_points()],
                  "limit": rg_map.limit(flow[0]), "map": MAP_TEXT[family]}
        save_figure(plots.rg_flow(rg_map, result), Path(out) / "flow.png")
        write_json(Path(out) / "result.json", result)
        done(out, ["result.json", "flow.png"])

    @gx.command("experiment")
    def experiment(family: str = typer.Option(..., "--family", help=FAMILY_HELP + " Or digits."),
                   param: Optional[str] = typer.Option(None, "--param", help="Data parameter (not for digits)."),
                   depth: int = typer.Option(3, "--depth", help="Feature layers (1..6, at most log_b(n))."),
                   objective: str = typer.Option("reconstruction", "--objective",
                                                 help="reconstruction or likelihood."),
                   seed: int = typer.Option(0, "--seed", help="Seed for data and weights."),
                   n: int = typer.Option(64, "--n", help="Input sites."),
                   b: int = typer.Option(2, "--b", "--factor", help="RG factor b: features shrink by b per "
                                         "layer (--factor: the same option, named as in `deeprg rg`)."),
                   samples: int = typer.Option(2000, "--samples", help="Training (and held-out) samples."),
                   train_steps: int = typer.Option(300, "--train-steps", help="Adam steps per layer."),
                   out: Path = out_option("deeprg-out/gx-experiment")) -> None:
        """Train layer by layer; compare each feature layer's parameter with the RG flow and an untrained net."""
        from deeprg.correspondence import plots
        from deeprg.correspondence.experiment import ExperimentConfig, run_experiment
        from deeprg.progress import progress_bar
        from deeprg.results import save_figure, write_json

        config = ExperimentConfig(family, None if param is None else parse_number(param, "--param"), depth,
                                  objective, seed, n, b, samples, train_steps)
        with progress_bar(config.depth, f"gx {family} ({objective})") as advance:
            result = run_experiment(config, advance)
        save_figure(plots.experiment(result), Path(out) / "experiment.png")
        write_json(Path(out) / "result.json", result)
        done(out, ["result.json", "experiment.png"])

    app.add_typer(gx, name="gx")


MAP_TEXT = {
    "ising": "decimation: tanh K' = (tanh K)^b (zero field)",
    "gaussian": "decimation of the AR(1) chain: rho' = rho^b",
    "bernoulli": "majority rule on blocks of b i.i.d. sites, fair coin on ties",
    "poisson": "block sum of b i.i.d. sites: lambda' = b lambda",
}


