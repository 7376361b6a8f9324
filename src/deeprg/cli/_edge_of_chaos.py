"""``deeprg train-sweep --kind edge-of-chaos``: test accuracy of DNA and backprop over (initial sigma_w2, depth).

Writes ``result.json`` (see :func:`deeprg.continuous.trainability.edge_of_chaos_sweep`), ``points/`` (one JSON per
training run; a rerun skips finished points) and ``edge-of-chaos.png`` (heat maps with 1, 3, 6 xi_c overlaid).
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import done, parse_number, parse_values


def run_edge_of_chaos(sigma_w2: str, sigma_b2: str, depths: str, width: int, methods: str, epochs: int, seed: int,
                      activation: str | None, dataset: str, out: Path, address: str | None = None,
                      workers: int | None = None) -> None:
    from deeprg.continuous import plots
    from deeprg.continuous.trainability import edge_of_chaos_sweep, validate
    from deeprg.progress import progress_bar
    from deeprg.results import write_json

    sws = parse_values(sigma_w2, "sigma_w2")
    sb2 = parse_number(sigma_b2, "sigma_b2")
    ds = parse_values(depths, "depths")
    ms = tuple(m for m in methods.replace(" ", "").split(",") if m)
    act = activation or "tanh"
    if dataset != "digits":
        raise ValueError(f"dataset: the edge-of-chaos sweep trains on digits, got {dataset!r}")
    validate(sws, ds, ms, width, epochs, sb2, act)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out: {str(out)!r} exists and is not a folder")
    with progress_bar(len(sws) * len(ds) * len(ms), "edge-of-chaos sweep") as advance:
        result = edge_of_chaos_sweep(sws, [int(d) for d in ds], methods=ms, sigma_b2=sb2, activation=act,
                                     width=width, epochs=epochs, seed=seed, out_dir=out, address=address,
                                     workers=workers, progress=advance)
    write_json(out / "result.json", result)
    plots.trainability(result, out / "edge-of-chaos.png")
    for m in ms:
        ratios = ", ".join("-" if r is None else f"{r:.1f}" for r in result["trainable_depth_over_xi_c"][m])
        typer.echo(f"{m}: deepest trainable depth / xi_c per sigma_w2 {list(sws)}: {ratios}")
    done(out, ["result.json", "edge-of-chaos.png", "points/"])
