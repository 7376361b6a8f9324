"""``deeprg signal-prop``: length/correlation maps of the DNA bulk, edge of chaos, finite-width Monte Carlo.

``result.json`` layout::

    {"activation", "sigma_b2", "beta_v" (null: infinity, no noise), "noise_variance", "critical_sigma_w2",
     "width", "depth", "samples", "seed" (null without --width),
     "entries": [{"sigma_w2", "q_star", "chi1", "c_star", "c_slope", "xi_c", "xi_q", "critical_sigma_w2",
                  "measured": {"c", "c_err", "q", "q_err", "xi_c", "xi_c_err", "batches", "c0",
                               "c_layers", "c_layers_err", "q_layers", "c_map", "q_map"} (with --width)}],
     "xi_curves": {"sigma_w2": [...], "<beta_v>": [xi_c, ...]}, "phase_diagram": {"sigma_b2", "critical_sigma_w2"},
     "edge": null (no edge, or relu/linear whose q* diverges there) or
             {"with_noise": {"beta_v", "xi_max", "sigma_w2_at_max", "exponent", "critical_sigma_w2"},
              "finite_width": {"widths", "xi", "xi_err", "slope", "slope_err", "exponent"} (with --width)},
     "nulls": "..."}

``edge.with_noise``: the largest finite :math:`\\xi_c` over :math:`\\sigma_w^2` at each finite :math:`\\beta_v` and
its growth exponent (1/2 from the expansion at the edge); ``edge.finite_width``: the typical depth scale at the
noise-free edge for widths ``width/16, width/4, width`` (:func:`deeprg.continuous.signal_prop.edge_rounding`).

``null`` means: ``q_star`` diverges; ``c_star``/``xi_c`` undefined because :math:`q^* \\in \\{0, \\infty\\}`;
``xi_c``/``xi_q`` diverge (the edge of chaos); ``critical_sigma_w2`` does not exist; a measured ``xi_c`` whose fit
failed or exceeds 10 x depth. With ``--width`` each ``measured`` also holds the per-layer arrays (depth + 1 numbers)
``c_layers``, ``c_layers_err``, ``q_layers`` (Monte Carlo means and errors) and ``c_map``, ``q_map`` (the iterated
maps from the same start); all of them are in ``arrays.npz`` (key ``entries/<i>/measured/<name>``) and stay inline
only while small, else they are a reference ``{"npz", "key", "shape"}`` (:func:`deeprg.results.split_arrays`).
"""

from __future__ import annotations

import math
from pathlib import Path

import typer

from ._common import done, out_option, parse_number, parse_values

NULLS = ("null: q_star diverges (q grows without bound); c_star, xi_c undefined where q_star is 0 or diverges; "
         "xi_c, xi_q diverge (the edge of chaos); critical_sigma_w2 does not exist; "
         "measured xi_c: the fit failed or xi_c > 10 x depth (unresolved); "
         "beta_v null: infinity (no DNA noise)")
XI_BETA_VS = (1.0, 10.0, 100.0, math.inf)
EDGE_BETA_VS = (10.0, 100.0, 1000.0, 1e4)


def _label(beta_v: float) -> str:
    return "inf" if math.isinf(beta_v) else f"{beta_v:g}"


def run_signal_prop(activation: str, sigma_w2s, sigma_b2: float, beta_v: float, width: int | None, depth: int,
                    samples: int, seed: int, out: Path, advance=lambda n=1: None) -> dict:
    """Compute everything the command writes; figures and files under ``out``."""
    import numpy as np

    from deeprg.continuous import plots
    from deeprg.continuous import signal_prop as spp
    from deeprg.results import ARRAYS_FILE, split_arrays, write_json

    crit = spp.critical_sigma_w2(activation, sigma_b2)
    entries, array_paths, rows, measured_points = [], [], [], []
    for i, sw2 in enumerate(sigma_w2s):
        theory = spp.signal_prop(activation, sw2, sigma_b2, beta_v, critical=crit)
        entry = theory.to_dict()
        if width is not None:
            if theory.q_star is None:
                entry["measured"] = None
            else:
                c0 = spp.start_correlation(theory.c_star)
                m = spp.measure(np.random.default_rng([seed, i]), activation, sw2, sigma_b2, beta_v, width, depth,
                                samples, theory.q_star, c0)
                q_map, c_map = spp.iterate_maps(activation, sw2, sigma_b2, beta_v, theory.q_star, c0, depth)
                layers = {"c_layers": m.c_layers, "c_layers_err": m.c_layers_err, "q_layers": m.q_layers,
                          "c_map": c_map, "q_map": q_map}
                entry["measured"] = {**m.to_dict(), "c0": c0, **layers}
                array_paths += [("entries", i, "measured", name) for name in layers]
                rows.append((sw2, m.c_layers, m.c_layers_err, c_map))
                if m.xi_c is not None:
                    measured_points.append((sw2, m.xi_c, m.xi_c_err))
        entries.append(entry)
        advance(1)

    top = max(max(sigma_w2s), 2 * crit if crit is not None else 0.0) * 1.1
    grid = np.linspace(top / 36, top, 36)
    if crit is not None:  # resolve the peak: approach the edge geometrically from both sides
        grid = np.concatenate([grid, crit * (1 + np.outer([-1, 1], np.logspace(-4, -1, 5)).ravel())])
    grid = np.unique(grid).tolist()
    beta_vs = sorted(set(XI_BETA_VS) | {beta_v})
    curves = {}
    for b in beta_vs:
        curves[_label(b)] = (grid, [spp.signal_prop(activation, sw, sigma_b2, b, critical=crit).xi_c for sw in grid])
        advance(1)
    edge = None
    if crit is not None and not spp.kernel(activation).homogeneous:  # bounded activations: q* finite at the edge
        noise = spp.edge_with_noise(activation, sigma_b2, EDGE_BETA_VS)
        edge = {"with_noise": {**noise.to_dict(), "exponent": noise.exponent if math.isfinite(noise.exponent)
                               else None}}
        if width is not None:
            widths = sorted({max(2, width // 16), max(2, width // 4), width})
            rounding = spp.edge_rounding(np.random.default_rng([seed, len(sigma_w2s)]), activation, sigma_b2, widths,
                                         depth, samples)
            edge["finite_width"] = {**rounding.to_dict(), "exponent": rounding.exponent
                                    if math.isfinite(rounding.exponent) else None}
    b2_grid = np.linspace(0.0, max(1.0, 2 * sigma_b2), 21).tolist()
    crit_line = [spp.critical_sigma_w2(activation, b2) for b2 in b2_grid]
    advance(1)

    result = {"activation": activation, "sigma_b2": sigma_b2, "beta_v": None if math.isinf(beta_v) else beta_v,
              "noise_variance": spp.noise_variance(beta_v), "critical_sigma_w2": crit, "width": width,
              "depth": depth if width is not None else None, "samples": samples if width is not None else None,
              "seed": seed if width is not None else None, "entries": entries,
              "xi_curves": {"sigma_w2": grid, **{k: v[1] for k, v in curves.items()}},
              "phase_diagram": {"sigma_b2": b2_grid, "critical_sigma_w2": crit_line}, "edge": edge, "nulls": NULLS}
    files = ["result.json", "phase_diagram.png", "xi_c.png"]
    plots.phase_diagram(activation, b2_grid, crit_line, [(sw, sigma_b2) for sw in sigma_w2s],
                        out / "phase_diagram.png")
    plots.xi_curves(activation, sigma_b2, {f"$\\beta_v$ = {k}": v for k, v in curves.items()}, crit,
                    out / "xi_c.png", measured_points,
                    f"measured, width {width}, $\\beta_v$ = {_label(beta_v)}")
    if array_paths:
        plots.correlation_vs_depth(activation, rows, out / "correlation_vs_depth.png")
        files += [ARRAYS_FILE, "correlation_vs_depth.png"]
    write_json(out / "result.json", split_arrays(result, out, array_paths) if array_paths else result)
    result["files"] = files
    return result


def register(app: typer.Typer) -> None:
    @app.command("signal-prop")
    def signal_prop_command(
        activation: str = typer.Option("tanh", help="tanh, relu, sigmoid or linear."),
        sigma_w2: str = typer.Option("1,1.5,2,3", "--sigma-w2",
                                     help="Comma-separated weight variances: W_ij ~ N(0, sigma_w2/N)."),
        sigma_b2: str = typer.Option("0.05", "--sigma-b2", help="Bias variance: b_i ~ N(0, sigma_b2)."),
        beta_v: str = typer.Option("inf", "--beta-v", help="DNA constraint strength; noise N(0, 1/(2 beta_v)) per "
                                                           "neuron; inf: no noise."),
        width: int = typer.Option(None, help="Also sample random networks of this width (two inputs)."),
        depth: int = typer.Option(30, help="Layers of the sampled networks (with --width)."),
        samples: int = typer.Option(400, help="Sampled networks per sigma_w2 (with --width; >= 20)."),
        seed: int = typer.Option(0, help="Seed of the sampled networks."),
        out: Path = out_option("deeprg-out/signal-prop"),
    ):
        """Signal propagation through the DNA bulk (a noisy forward pass of a random network): q*, chi1, c*,
        the correlation depth scale xi_c, the edge of chaos; with --width, finite-width Monte Carlo."""
        from deeprg.continuous import signal_prop as spp
        from deeprg.progress import progress_bar

        spp.check_activation(activation)
        sws = parse_values(sigma_w2, "sigma_w2")
        sb2 = parse_number(sigma_b2, "sigma_b2")
        bv = parse_number(beta_v, "beta_v")
        for sw in sws:
            spp.check_params(sw, sb2, bv)
        if width is not None and width < 2:
            raise ValueError(f"width: must be an integer >= 2, got {width}")
        if depth < 1:
            raise ValueError(f"depth: must be an integer >= 1, got {depth}")
        if width is not None and samples < 20:
            raise ValueError(f"samples: need at least 20 networks (10 batches of 2 for the xi_c error), got {samples}")
        if out.exists() and not out.is_dir():
            raise ValueError(f"out: {str(out)!r} exists and is not a folder")
        with progress_bar(len(sws) + len(XI_BETA_VS) + 1, "signal-prop") as advance:
            result = run_signal_prop(activation, sws, sb2, bv, width, depth, samples, seed, out, advance)
        crit = result["critical_sigma_w2"]
        typer.echo(f"{activation}, sigma_b2 = {sb2:g}, beta_v = {beta_v}: edge of chaos at sigma_w2 = "
                   + ("none" if crit is None else f"{crit:.6g}"))
        edge = result["edge"]
        if edge:
            w = edge["with_noise"]
            typer.echo("  finite beta_v keeps xi_c finite: max xi_c " + ", ".join(
                f"{x:.3g} (beta_v = {b:g})" for b, x in zip(w["beta_v"], w["xi_max"]))
                + f"; growth exponent {w['exponent']:.3f}")
            if "finite_width" in edge:
                r = edge["finite_width"]
                typer.echo("  typical xi at the noise-free edge vs width: " + ", ".join(
                    f"N = {n}: {'null' if x is None else f'{x:.3g}'}" for n, x in zip(r["widths"], r["xi"])))
        for e in result["entries"]:
            fmt = lambda x: "null" if x is None else f"{x:.4g}"  # noqa: E731
            line = (f"  sigma_w2 = {e['sigma_w2']:g}: q* = {fmt(e['q_star'])}, chi1 = {fmt(e['chi1'])}, "
                    f"c* = {fmt(e['c_star'])}, xi_c = {fmt(e['xi_c'])}")
            m = e.get("measured")
            if m:
                line += (f" | measured c = {m['c']:.4f} +- {m['c_err']:.4f}, xi_c = {fmt(m['xi_c'])} +- "
                         f"{fmt(m['xi_c_err'])}")
            typer.echo(line)
        done(out, result["files"])
