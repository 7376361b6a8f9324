"""`deeprg exact`: exact thermodynamics of a discrete network (transfer matrices or enumeration)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from ._common import done, out_option, parse_matrix, parse_number, parse_values


class Method(str, Enum):
    auto = "auto"
    transfer = "transfer"
    enumerate = "enumerate"
    symmetric = "symmetric"


class Hamiltonian(str, Enum):
    dna = "dna"
    original = "original"


def spec_from_options(width, depth, x, y, beta, beta_v, weights, biases, neurons, activation, hamiltonian,
                      p=2.0, weight_prior=None, bias_prior=None):
    """Build a validated NetworkSpec from CLI strings (shared by the commands that take a discrete model)."""
    from ..model import NetworkSpec, ValueSets

    values = ValueSets(
        weights=parse_values(weights, "--weights"),
        biases=(0.0,) if biases.strip().lower() == "none" else parse_values(biases, "--biases"),
        neurons=parse_values(neurons, "--neurons"),
        weight_prior=parse_values(weight_prior, "--weight-prior") if weight_prior else None,
        bias_prior=parse_values(bias_prior, "--bias-prior") if bias_prior else None,
    )
    return NetworkSpec(
        width=width, depth=depth,
        x=parse_matrix(x, "--x") if x is not None else None,
        y=parse_matrix(y, "--y") if y is not None else None,
        beta=parse_number(beta, "--beta"), beta_v=parse_number(beta_v, "--beta-v"),
        values=values, activation=activation, p=p, hamiltonian=hamiltonian,
    )


def exact(
    width: int = typer.Option(1, help="N, neurons per layer."),
    depth: int = typer.Option(10, help="M, number of dynamic-neuron layers (weight layers are 0..M)."),
    x: str = typer.Option(None, help="Data rows as '1,0;0,1' (L x N). Default: one row of ones."),
    y: str = typer.Option(None, help="Targets, same shape as x. Default: ones of the shape of x."),
    beta: str = typer.Option("1", help="Inverse temperature of the cost."),
    beta_v: str = typer.Option("1", "--beta-v", help="Inverse temperature of the constraints ('inf' allowed)."),
    weights: str = typer.Option("-1,1", help="Weight values, e.g. '-1,0,1'."),
    biases: str = typer.Option("-1,1", help="Bias values, or 'none' for no bias."),
    neurons: str = typer.Option("0,1", help="Neuron values."),
    activation: str = typer.Option("heaviside", help="heaviside or sign."),
    hamiltonian: Hamiltonian = typer.Option(Hamiltonian.dna, help="dna (eq 13) or original cost (eq 8)."),
    method: Method = typer.Option(Method.auto, help="auto (full transfer matrix when cheap, else the "
                                  "permutation-symmetric engine), transfer, symmetric, or enumerate (brute force)."),
    p: float = typer.Option(2.0, "--p", help="Cost exponent p of the L^p cost |y - s|^p (footnote 7); "
                            "not an RG factor."),
    weight_prior: str = typer.Option(None, help="Prior weight of each weight value, e.g. '1,2'."),
    bias_prior: str = typer.Option(None, help="Prior weight of each bias value."),
    rmax: int = typer.Option(20, help="Largest separation of the bulk G(r)."),
    cov_h: bool = typer.Option(None, "--cov-h/--no-cov-h", help="Compute the full (M L N)^2 covariance cov_h. "
                               "Default: only when M L N <= 64 (else cov_h is null and a note says so)."),
    cov_pairs: str = typer.Option(None, "--cov-pairs", help="Layer pairs 'm,n;m,n' (1-based) whose (L N x L N) "
                                  "covariance block is written to cov_pairs, at any depth."),
    out: Path = out_option("deeprg-out/exact"),
) -> None:
    """log Z, <h> per layer, the covariance of the dynamic neurons and the bulk (xi, G(r)); writes result.json."""
    from .. import exact as ex
    from .. import plots
    from ..results import ARRAYS_FILE, save_figure, split_arrays, write_json

    spec = spec_from_options(width, depth, x, y, beta, beta_v, weights, biases, neurons, activation,
                             hamiltonian.value, p, weight_prior, bias_prior)
    if rmax < 0:
        raise ValueError(f"--rmax: must be >= 0, got {rmax}")
    pairs = _layer_pairs(cov_pairs, spec.depth)
    size = spec.depth * spec.rows * spec.width
    if method is Method.enumerate and cov_h is False:
        raise ValueError("--no-cov-h: enumeration always yields the covariance; use --method transfer")
    from ..exact import observables as obs

    engine = "symmetric" if method is Method.symmetric else "full" if method is not Method.auto else \
        obs.choose_engine(spec)
    if engine == "full":
        obs.check_full_engine(spec)
        tm = ex.build(spec)
        if method is Method.enumerate:
            from ..progress import progress_bar

            with progress_bar(1.0, "enumerating") as advance:
                result = ex.enumerate_spec(spec, progress=advance)
        else:
            result = ex.solve(spec, covariance=cov_h)
        bulk = ex.bulk(tm, rmax)
        observables = obs.full_bulk_observables(tm, rmax)
        bulk_payload = {"free_energy_per_layer": bulk.free_energy_per_layer, "xi": bulk.xi, "G": bulk.G,
                        "mean": bulk.mean, "eigenvalues": bulk.eigenvalues, "method": "transfer"}
    else:
        if pairs:
            raise ValueError("--cov-pairs: needs the full transfer matrix; use --method transfer (or a smaller "
                             "model) for layer-pair covariances")
        blocks = ex.build_blocks(spec)  # checks the block limits before allocating
        result = ex.solve_symmetric(spec, covariance=cov_h, blocks=blocks)
        observables = obs.symmetric_bulk_observables(blocks, rmax)
        bulk_payload = {"free_energy_per_layer": observables["free_energy_per_layer"], "xi": observables["xi"],
                        "G": observables["single"].G, "mean": observables["single"].mean, "method": "symmetric",
                        "reduction": blocks.reduction, "blocks": len(blocks.A)}
    bulk_payload["overlap"] = obs.series_json(observables["overlap"])
    bulk_payload["magnetization"] = obs.series_json(observables["magnetization"])
    mean_h = result.mean_h
    large = mean_h.size > obs.JSON_ARRAY_LIMIT  # every unit of a layer has the same mean: keep the (M, L) ones
    payload = {
        "log_z": result.log_z,
        "mean_h": mean_h[:, :, 0] if large else mean_h,
        "cov_h": result.cov_h,
        "bulk": bulk_payload,
        "spec": spec,
        "method": result.method,
    }
    if result.cov_h is None:
        reason = "--no-cov-h was given" if cov_h is False else f"M L N = {size} > {ex.transfer.COVARIANCE_LIMIT}"
        payload["cov_h_note"] = (f"cov_h omitted: {reason}; pass --cov-h for the full ({size} x {size}) matrix "
                                 "or --cov-pairs 'm,n;...' for chosen layer pairs")
    if pairs:
        chain = ex.FiniteChain.solve(spec, tm)
        payload["cov_pairs"] = [{"m": m, "n": n, "cov": chain.pair_covariance(m, n)} for m, n in pairs]
    files = ["result.json", "mean_h.png", "bulk_G.png"]
    if large:  # {"npz": "arrays.npz", "key": "mean_h", "shape": [M, L]}, resolved by deeprg.results.read_result
        payload = split_arrays(payload, out, ["mean_h"], inline_limit=0)
        files.append(ARRAYS_FILE)
    write_json(out / "result.json", payload)
    title = (f"{spec.hamiltonian} Hamiltonian, {spec.activation_name}, beta = {spec.beta:g}, "
             f"beta_v = {spec.beta_v:g}")
    save_figure(plots.layer_means(mean_h[:, :, :1] if large else mean_h,
                                  f"<h> per layer ({result.method}"
                                  f"{'; every unit alike' if result.method == 'symmetric' else ''}): {title}"),
                out / "mean_h.png")
    xi = bulk_payload["xi"]
    save_figure(plots.correlation({"bulk G(r)": bulk_payload["G"]},
                                  f"bulk G(r), xi = {'inf' if xi is None else f'{xi:.4g}'}: {title}"),
                out / "bulk_G.png")
    typer.echo(f"log Z = {result.log_z:.10g}; bulk: free energy per layer ln lambda_1 = "
               f"{bulk_payload['free_energy_per_layer']:.6g}, xi = {'inf' if xi is None else f'{xi:.6g}'}, "
               f"<h> = {bulk_payload['mean']:.6g}")
    if "cov_h_note" in payload:
        typer.echo(f"note: {payload['cov_h_note']}")
    done(out, files)


def _layer_pairs(text: str | None, depth: int) -> list[tuple[int, int]]:
    """'1,2;3,10' -> [(1, 2), (3, 10)], each layer in 1..depth."""
    if text is None:
        return []
    pairs = []
    for row in parse_matrix(text, "--cov-pairs"):
        if len(row) != 2 or any(v != int(v) or not 1 <= v <= depth for v in row):
            raise ValueError(f"--cov-pairs: each pair is two layers m,n in 1..{depth}, got {row}")
        pairs.append((int(row[0]), int(row[1])))
    return pairs


def register(app: typer.Typer) -> None:
    app.command("exact")(exact)
