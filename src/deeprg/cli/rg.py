"""`deeprg rg`: RG over depth by decimation (Lee, Lee & Yi, Secs IV-V): flows, fixed points and exponents, scaling."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from ._common import done, out_option, parse_complex_values, parse_number, parse_values

WEIGHTS = typer.Option("-1,1", help="Weight values, e.g. '-1,0,1'.")
BIASES = typer.Option("-1,1", help="Bias values, or 'none' for no bias.")
NEURONS = typer.Option("0,1", help="Neuron values.")
ACTIVATION = typer.Option("heaviside", help="heaviside or sign.")
FACTOR = typer.Option(2, "--factor", help="RG rescaling factor b (keep 1 of every b layers, summing out the "
                      "other b-1): T -> T^b. Not the cost exponent --p.")


def model_spec(weights: str, biases: str, neurons: str, activation: str, width: int = 1, rows: int = 1,
               beta_v: str = "1"):
    """A validated bulk model: K depends only on the value sets, activation, width and number of rows."""
    from .exact import spec_from_options

    if rows < 1:
        raise ValueError(f"--rows: must be an integer >= 1, got {rows}")
    if width < 1:
        raise ValueError(f"--width: must be an integer >= 1, got {width}")
    first = parse_values(neurons, "--neurons")[0]
    x = ";".join([",".join([repr(first)] * width)] * rows)
    return spec_from_options(width, 1, x, x, "1", beta_v, weights, biases, neurons, activation, "dna")


def _binary_K(spec):
    from ..rg import model_matrices

    if len(spec.values.neurons) != 2:
        raise ValueError(f"--neurons: the couplings (A, B, C) of eq 26 need exactly two neuron values, got "
                         f"{spec.values.neurons}")
    return model_matrices(spec)


def flow(
    steps: int = typer.Option(10, "--steps", help="Number of RG steps n (result has n + 1 entries)."),
    beta_v: str = typer.Option(None, "--beta-v", help="Start at the model's own bulk factor "
                                                      "exp(-beta_v |h-t|^p), p = 2 the cost exponent "
                                                      "(toy: A = 2 beta_v, B = C = -beta_v). Default 1."),
    couplings: str = typer.Option(None, "--couplings", help="Start at (A, B, C), e.g. '2,-1,-1' (complex allowed)."),
    exp_couplings: str = typer.Option(None, "--exp-couplings",
                                      help="Start at (e^A, e^B, e^C), complex allowed, e.g. '3,-0.6667,-0.3333'."),
    weights: str = WEIGHTS, biases: str = BIASES, neurons: str = NEURONS, activation: str = ACTIVATION,
    factor: int = FACTOR,
    out: Path = out_option("deeprg-out/rg-flow"),
) -> None:
    """Flow of the couplings (A, B, C) of a binary N = L = 1 model; writes result.json and figures.

    A = log(e^A) on the principal branch: a negative e^A gives A = ln|e^A| + i pi.
    """
    import numpy as np

    from ..results import save_figure, write_json
    from ..rg import coupling_flow, exp_couplings as couplings_of, from_log
    from ..rg.flows import fictitious_examples, identity_point, plane_examples
    from ..rg.plots import fictitious_flows, plane_flows, trajectory

    given = [name for name, v in (("--beta-v", beta_v), ("--couplings", couplings),
                                  ("--exp-couplings", exp_couplings)) if v is not None]
    if len(given) > 1:
        raise ValueError(f"start: give one of --beta-v, --couplings, --exp-couplings, not {' and '.join(given)}")
    if steps < 0:
        raise ValueError(f"--steps: must be an integer >= 0, got {steps}")
    spec = model_spec(weights, biases, neurons, activation, beta_v=beta_v if beta_v is not None else "1")
    K, E = _binary_K(spec)
    if couplings is not None:
        values = parse_complex_values(couplings, "--couplings")
        if len(values) != 3:
            raise ValueError(f"--couplings: need three values A,B,C, got {len(values)}")
        start = from_log(values)
    elif exp_couplings is not None:
        start = np.array(parse_complex_values(exp_couplings, "--exp-couplings"))
        if len(start) != 3:
            raise ValueError(f"--exp-couplings: need three values e^A,e^B,e^C, got {len(start)}")
        if np.any(start == 0):
            raise ValueError("--exp-couplings: values must be non-zero (a zero weight is an infinite coupling)")
    else:
        try:
            start = couplings_of(E)
        except ValueError:
            raise ValueError(f"--beta-v: {spec.beta_v} gives a factor E with zero weights (infinite couplings); "
                             "use a finite beta_v") from None
    result = coupling_flow(start, K, steps, factor)
    payload = {**result.to_dict(), "start": {"exp_couplings": start}, "factor": factor, "K": K,
               "model": spec.to_dict(), "branch": "A = log(e^A), principal branch (imaginary part in (-pi, pi])"}
    figures = ["flow.png", "flows_plane.png"]
    plots = [(trajectory(payload["steps"]), "flow.png"), (plane_flows(plane_examples(K)), "flows_plane.png")]
    try:
        center = identity_point(K)
        plots.append((fictitious_flows(fictitious_examples(K), center), "flows_fictitious.png"))
        figures.append("flows_fictitious.png")
        payload["identity_point"] = center
    except ValueError:  # singular K: no point with T proportional to I
        payload["identity_point"] = None
    write_json(out / "result.json", payload)
    for fig, name in plots:
        save_figure(fig, out / name)
    done(out, ["result.json", *figures])


def fixed_points(
    width: int = typer.Option(1, help="N, neurons per layer."),
    rows: int = typer.Option(1, help="L, data rows (the layer state is the joint state of all rows)."),
    weights: str = WEIGHTS, biases: str = BIASES, neurons: str = NEURONS, activation: str = ACTIVATION,
    starts: int = typer.Option(64, help="Number of random Newton starts (the cross-check; 0 skips it)."),
    seed: int = typer.Option(0, help="Seed of the random starts."),
    start_kind: str = typer.Option("real", "--start-kind",
                                   help="Random starts: real (N(0,1) entries), positive (exp N(0,1)) or complex."),
    factor: int = FACTOR,
    out: Path = out_option("deeprg-out/rg-fixed-points"),
) -> None:
    """Fixed points of E -> E (K^T E)^(p-1) up to scale, with exponents: the closed-form classification (flow limits
    and one point per rank of K, every one verified), cross-checked by Newton from random starts."""
    import numpy as np

    from ..exact import neuron_states
    from ..progress import progress_bar
    from ..results import save_figure, write_json
    from ..rg import model_matrices
    from ..rg.catalog import classify
    from ..rg.fixed_points import MAX_UNKNOWNS, START_KINDS
    from ..rg.plots import spectra

    if start_kind not in START_KINDS:
        raise ValueError(f"--start-kind: must be one of {list(START_KINDS)}, got {start_kind!r}")
    spec = model_spec(weights, biases, neurons, activation, width, rows)
    if starts < 0:
        raise ValueError(f"--starts: must be >= 0, got {starts}")
    K, _ = model_matrices(spec)
    if K.size > MAX_UNKNOWNS:
        raise ValueError(f"--width/--rows: {len(K)} layer states (> 32); the dense Newton search needs "
                         "|neurons|^(L*N) <= 32")
    with progress_bar(starts, "Newton starts (cross-check)") as advance:
        found = classify(K, neuron_states(spec), spec.p, starts=starts, rng=np.random.default_rng(seed),
                         factor=factor, start_kind=start_kind, progress=advance)
    search, check = found.search, found.cross_check()
    payload = {**search.to_dict(), "model": spec.to_dict(), "K": K, "factor": factor, "seed": seed,
               "start_kind": start_kind, "fixed_points": [p.to_dict() for p in found.points],
               "newton": search.to_dict()["fixed_points"], "cross_check": check}
    write_json(out / "result.json", payload)
    first = {}  # one representative per (rank, physical): the spectrum depends only on the rank
    for fp in payload["fixed_points"]:
        first.setdefault((fp["rank"], fp["physical"]), fp)
    save_figure(spectra([first[k] for k in sorted(first)], factor,
                        "linearized RG: one fixed point per (rank, physical)"), out / "spectra.png")
    unstable = sorted({p.point.rank for p in found.points if p.point.physical and p.unstable})
    typer.echo(f"{len(found.points)} fixed points of ranks {check['ranks_classified']} from the classification; "
               f"physical unstable ranks: {unstable or 'none'}")
    typer.echo(f"Newton cross-check: {search.starts} starts, {search.converged} converged to "
               f"{len(search.fixed_points)} distinct points of ranks {check['ranks_newton']} "
               f"({check['newton_only']} new members of the families), {search.non_converged} did not converge "
               f"{search.failures}; spectra as classified: {check['spectra_match_classification']}")
    done(out, ["result.json", "spectra.png"])


def scaling(
    min_delta: str = typer.Option("1e-6", help="Smallest |delta| of the lines approaching the fixed point."),
    max_delta: str = typer.Option("1e-3", help="Largest |delta|."),
    points: int = typer.Option(13, help="Number of |delta| values per sign."),
    weights: str = WEIGHTS, biases: str = BIASES, neurons: str = NEURONS, activation: str = ACTIVATION,
    factor: int = FACTOR,
    out: Path = out_option("deeprg-out/rg-scaling"),
) -> None:
    """xi against delta near the point with T proportional to I (eq 39), fitted nu vs 1/y, G(r) (eqs 37-40)."""
    import numpy as np

    from ..exact import neuron_states
    from ..results import save_figure, write_json
    from ..rg.plots import correlation_near, xi_scaling
    from ..rg.scaling import near_identity_point, plane_approach

    lo, hi = parse_number(min_delta, "--min-delta"), parse_number(max_delta, "--max-delta")
    if not (0 < lo < hi < 1):
        raise ValueError(f"--min-delta/--max-delta: need 0 < min < max < 1, got {lo}, {hi}")
    if points < 3:
        raise ValueError(f"--points: need at least 3, got {points}")
    spec = model_spec(weights, biases, neurons, activation)
    K, _ = _binary_K(spec)
    states = neuron_states(spec)
    f = states[:, 0, 0]
    magnitudes = np.logspace(np.log10(lo), np.log10(hi), points)
    near = near_identity_point(K, magnitudes, f, factor)
    payload = {"near_fixed_point": near, "plane_approach": plane_approach(K, states, np.exp(-1), np.exp(-1),
                                                                          magnitudes),
               "model": spec.to_dict(), "K": K, "factor": factor,
               "nu_fitted": near["nu"], "nu_expected": near["nu_expected"],
               "note": "near the fixed point T = K E^T has negative entries: xi and G are the algebraic spectral "
                       "formulas, not correlations of an ensemble; plane_approach uses the exact engine"}
    write_json(out / "result.json", payload)
    save_figure(xi_scaling(near["lines"]), out / "xi_scaling.png")
    save_figure(correlation_near(near["G"]), out / "G_near.png")
    for name, nu in near["nu"].items():
        typer.echo(f"line {name:4s}: nu = {nu:.8f}  (1/y = {near['nu_expected'][name]:.8f})")
    done(out, ["result.json", "xi_scaling.png", "G_near.png"])


def register(app: typer.Typer) -> None:
    rg_app = typer.Typer(help="RG over depth by decimation: flows, fixed points and exponents, scaling.",
                         no_args_is_help=True)
    rg_app.command("flow")(flow)
    rg_app.command("fixed-points")(fixed_points)
    rg_app.command("scaling")(scaling)
    app.add_typer(rg_app, name="rg")
    try:  # `deeprg rg catalog` lives in its own module, written later; `from . import` would mask a missing one
        rg_catalog = importlib.import_module("deeprg.cli.rg_catalog")
        rg_catalog.register(rg_app)
    except ModuleNotFoundError as e:
        if e.name != "deeprg.cli.rg_catalog":
            raise
