"""Parsing and output helpers shared by the CLI commands."""

from __future__ import annotations

import math
from pathlib import Path

import typer

OUT_HELP = "Output folder for result.json and figures."


def out_option(default: str):
    return typer.Option(Path(default), "--out", help=OUT_HELP)


def parse_number(text: str, name: str) -> float:
    """A float; accepts 'inf'. Raises ValueError naming the option."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a number (use e.g. 1.5 or inf)") from None
    if math.isnan(value):
        raise ValueError(f"{name}: NaN is not allowed")
    return value


def parse_values(text: str, name: str) -> tuple[float, ...]:
    """A comma-separated list of numbers, e.g. '-1,0,1'."""
    parts = [p for p in text.replace(" ", "").split(",") if p != ""]
    if not parts:
        raise ValueError(f"{name}: empty value list; give comma-separated numbers like '-1,1'")
    return tuple(parse_number(p, name) for p in parts)


def parse_complex_values(text: str, name: str) -> tuple[complex, ...]:
    """A comma-separated list of real or complex numbers, e.g. '3,-0.6667,1+2j'."""
    parts = [p for p in text.replace(" ", "").split(",") if p != ""]
    if not parts:
        raise ValueError(f"{name}: empty value list")
    out = []
    for p in parts:
        try:
            z = complex(p)
        except ValueError:
            raise ValueError(f"{name}: {p!r} is not a number") from None
        if not (math.isfinite(z.real) and math.isfinite(z.imag)):
            raise ValueError(f"{name}: values must be finite, got {p!r}")
        out.append(z)
    return tuple(out)


def parse_matrix(text: str, name: str) -> list[list[float]]:
    """A matrix written as '0,1;1,1' (rows separated by ';', values by ',')."""
    rows = [r for r in text.replace(" ", "").split(";") if r != ""]
    if not rows:
        raise ValueError(f"{name}: empty matrix; write rows separated by ';' and values by ',', e.g. '0,1;1,1'")
    matrix = [list(parse_values(r, name)) for r in rows]
    if len({len(r) for r in matrix}) != 1:
        raise ValueError(f"{name}: rows have different lengths in {text!r}")
    return matrix


def done(out: Path, files: list[str]) -> None:
    typer.echo(f"wrote {', '.join(str(Path(out) / f) for f in files)}")
