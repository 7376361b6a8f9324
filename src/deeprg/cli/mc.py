"""`deeprg mc`: Monte Carlo of the network (DNN) and of its dynamic-neuron counterpart (DNA), Fig 7."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ..sampling.registry import SAMPLERS
from ._common import (address_option, done, interrupted, out_option, parse_values, terminate_as_interrupt,
                      workers_option, writable_folder)


class System(str, Enum):
    dna = "dna"
    dnn = "dnn"


# one choice per sampler record of deeprg.sampling.registry, plus "auto"
Method = Enum("Method", {name: name for name in ("auto", *SAMPLERS)}, type=str)


def mc(
    system: System = typer.Option(System.dna, help="dna (eq 13, dynamic neurons) or dnn (original cost, eqs 8-9)."),
    method: Method = typer.Option(Method.auto, help="auto (the Fig 7 toy with >= 64 chains: multispin; else DNA: "
                                  "gibbs when its joint tables fit, else local; DNN: metropolis), " + "; ".join(f"{r.name}: {r.help}" for r in SAMPLERS.values())
                                  + "."),
    depth: int = typer.Option(10000, help="M, number of dynamic-neuron layers."),
    beta: str = typer.Option("1", help="Inverse temperature of the cost."),
    beta_v: str = typer.Option("1", "--beta-v", help="Inverse temperature of the constraints (DNA)."),
    x: str = typer.Option(None, help="Data rows as '1,0;0,1' (L x N). Default: one row of ones."),
    y: str = typer.Option(None, help="Targets, same shape as x. Default: ones of the shape of x."),
    sweeps: int = typer.Option(2000, help="Measured sweeps per chain (exact draws for --method exact)."),
    burn_in: int = typer.Option(200, "--burn-in", help="Unmeasured sweeps first."),
    chains: int = typer.Option(16, help="Independent chains."),
    seed: int = typer.Option(0, help="Seed of numpy.random.default_rng for the chain keys and starts."),
    rmax: int = typer.Option(20, help="Largest separation r of G(r)."),
    checkpoint: Path = typer.Option(None, help="Checkpoint FILE: written on Ctrl-C, on SIGTERM and at the end; "
                                    "the same command resumes from it (giving the uninterrupted numbers bit for "
                                    "bit); a checkpoint of a finished run is reported, not resampled."),
    width: int = typer.Option(1, help="N, neurons per layer."),
    weights: str = typer.Option("-1,1", help="Weight values."),
    biases: str = typer.Option("-1,1", help="Bias values, or 'none'."),
    neurons: str = typer.Option("0,1", help="Neuron values."),
    activation: str = typer.Option("heaviside", help="heaviside or sign."),
    sweep_beta_v: str = typer.Option(None, "--sweep-beta-v", help="Comma-separated beta_v values: run the DNN "
                                     "once and the DNA at each beta_v (and at --beta-v); writes the Fig 7 "
                                     "comparison and the sweep. Each run is saved in --out/points as it "
                                     "finishes; a rerun skips the finished ones."),
    replicas: int = typer.Option(4, help="--method tempering: replicas per chain (levels of the beta_v ladder)."),
    bridge_moves: bool = typer.Option(True, "--bridge-moves/--no-bridge-moves", help="--method local: add the "
                                      "segment-regrowth moves with an exact bridge to every sweep where they apply "
                                      "(two weight values, two-valued or Z-constant neurons): collective updates of "
                                      "wide layers; off leaves the single-site heat bath alone."),
    beta_v_min: str = typer.Option(None, "--beta-v-min", help="--method tempering: lowest beta_v of the "
                                   "geometric ladder (default beta_v / 4)."),
    address: str = address_option(),
    workers: int = workers_option(),
    out: Path = out_option("deeprg-out/mc"),
) -> None:
    """Sample G(r) = <h_m h_m+r> - <h_m><h_m+r> (position-averaged, Fig 7) and compare with the exact bulk."""
    from ..progress import progress_bar
    from ..results import atomic_write, save_figure, split_arrays, write_json
    from ..sampling import fig7, plots
    from ..sampling.run import MCConfig, load_checkpoint, run
    from .exact import spec_from_options

    spec = spec_from_options(width, depth, x, y, beta, beta_v, weights, biases, neurons, activation,
                             "dna" if system is System.dna else "original")
    common = dict(chains=chains, sweeps=sweeps, burn_in=burn_in, seed=seed, rmax=rmax)
    if sweep_beta_v is not None:
        if checkpoint is not None:
            raise ValueError("--checkpoint: not supported with --sweep-beta-v (checkpoint single runs)")
        if method not in (Method.auto, Method.exact):
            raise ValueError("--method: with --sweep-beta-v give nothing (DNA gibbs, DNN metropolis) or 'exact'")
        values = parse_values(sweep_beta_v, "--sweep-beta-v")
        exact = method is Method.exact
        for bv in set(values) | {spec.beta_v}:  # validate every run before any work
            MCConfig(spec.replace(beta_v=bv), "dna", "exact" if exact else "gibbs", **common)
        MCConfig(spec, "dnn", "exact" if exact else "metropolis", **common)
        beta_vs = set(values) | {spec.beta_v}
        with progress_bar(len(beta_vs) + 1, "beta_v sweep (DNN + DNA runs)") as advance:
            sweep = fig7.sweep_beta_v(spec, beta_vs, exact=exact, out_dir=out, address=address, workers=workers,
                                      progress=advance, **common)
        at = next(p for p in sweep["points"] if p["beta_v"] == spec.beta_v)
        payload = sweep | {"fig7": {"beta_v": spec.beta_v, "mc": at["mc"], "exact": at["exact"]}}
        mean_paths = [("dnn", "mean_h")]
        mean_paths += [("points", k, "result", "mean_h") for k in range(len(sweep["points"]))]
        write_json(out / "result.json", split_arrays(payload, out, mean_paths))
        save_figure(plots.sweep_figure(sweep), out / "sweep_beta_v.png")
        save_figure(plots.correlation_figure({"dnn": sweep["dnn"], "dna": at["result"]},
                                            f"Fig 7: depth {depth}, beta = {spec.beta:g}, beta_v = {spec.beta_v:g}"),
                    out / "fig7.png")
        typer.echo(f"DNN: xi = {sweep['dnn']['xi_exact']:.4g} (exact bulk); DNA against DNN at each beta_v:")
        typer.echo(f"  {'beta_v':>8}  {'max|dG| MC':>11}  {'max|dG| exact':>13}  {'xi_DNA':>8}  close (exact)")
        for point in sweep["points"]:
            mc_close, ex_close = point["mc"], point["exact"]
            typer.echo(f"  {point['beta_v']:>8.4g}  {mc_close['max_abs_diff']:>11.4g}  "
                       f"{ex_close['max_abs_diff']:>13.4g}  {ex_close['xi_dna']:>8.4g}  {ex_close['close']}")
        done(out, ["result.json", "arrays.npz", "sweep_beta_v.png", "fig7.png"])
        return

    if address is not None or workers is not None:
        raise ValueError("--address/--workers: only for a sweep (--sweep-beta-v); a single run is one process")
    from ._common import parse_number
    low = None if beta_v_min is None else parse_number(beta_v_min, "--beta-v-min")
    config = MCConfig(spec, system.value, method.value, replicas=replicas, beta_v_min=low, bridge_moves=bridge_moves,
                      **common)
    if checkpoint is not None:
        if checkpoint.is_dir():
            raise ValueError(f"--checkpoint: {checkpoint} is a folder; give a file name")
        writable_folder(checkpoint.parent, "--checkpoint")
        if checkpoint.exists():
            done_sweeps = load_checkpoint(checkpoint, config).state.sweep
            if done_sweeps >= config.total_sweeps:
                typer.echo(f"checkpoint {checkpoint} holds a finished run ({done_sweeps} of {config.total_sweeps} "
                           "sweeps): reporting its numbers without sampling; delete it to sample afresh", err=True)
            else:
                typer.echo(f"resuming from checkpoint {checkpoint} at sweep {done_sweeps} of "
                           f"{config.total_sweeps}", err=True)
    try:
        with terminate_as_interrupt(), progress_bar(config.total_sweeps,
                                                    f"{config.system} {config.method}") as advance:
            result = run(config, checkpoint, progress=advance)
    except KeyboardInterrupt as err:
        if checkpoint is None:
            raise interrupted(err, "nothing saved; pass --checkpoint FILE to make the run resumable") from None
        raise interrupted(err, f"checkpoint written to {checkpoint}; run the same command again to resume "
                               "from it") from None
    payload = result.to_dict()
    write_json(out / "result.json", split_arrays(payload, out, ["mean_h"]))

    def write_series(tmp):
        import numpy as np
        with open(tmp, "wb") as fh:
            np.savez(fh, series=result.series, columns=np.array([f"P({r})" for r in range(rmax + 1)] + ["H"]))

    atomic_write(out / "timeseries.npz", write_series)
    save_figure(plots.observables_figure(payload, f"{system.value} ({config.method}): width {width}, "
                                            f"{spec.rows} rows, depth {depth}, beta = {spec.beta:g}, "
                                            f"beta_v = {spec.beta_v:g}"), out / "G.png")
    import numpy as np

    G = [round(float(v), 5) for v in result.correlation.G[:6]]
    if result.G_exact is None:
        typer.echo(f"{config.method}: G(0..5) = {G}; no exact overlay (the exact engine cannot hold this spec)")
    else:
        typer.echo(f"{config.method}: G(0..5) = {G}; exact {[round(float(v), 5) for v in result.G_exact[:6]]}; "
                   f"max |z| (r <= 5) = {np.nanmax(np.abs(result.z[:6])):.2f}")
    for name in ("overlap", "magnetization"):
        block = payload[name]
        if block is not None:
            exact = "" if block["G_exact"] is None else f" (exact {float(block['G_exact'][0]):.5g})"
            typer.echo(f"{name}: mean {block['mean']:.5g} +- {block['mean_err']:.2g}, G(0) = "
                       f"{float(block['G'][0]):.5g} +- {float(block['G_err'][0]):.2g}{exact}")
    done(out, ["result.json", "arrays.npz", "timeseries.npz", "G.png"])


def register(app: typer.Typer) -> None:
    app.command("mc")(mc)
