"""Parsing and output helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import math
import tempfile
from pathlib import Path

import typer

OUT_HELP = "Output folder for {writes} (created if missing)."


def writable_folder(path: Path, name: str = "--out") -> Path:
    """Check, before any work, that ``path`` is a folder we can write into (created if missing).

    Raises ValueError naming the option when ``path`` or a parent is a file, or when the folder cannot be
    created or written: the folder is created, a probe file made and removed, and any folder made here is
    removed again, so a command that later rejects its input leaves nothing behind.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name}: {path} is a file; give a folder for the results")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise ValueError(f"{name}: cannot create {path}: {parent} is a file")
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"{name}: cannot write into {path}: {err.strerror}; choose another folder") from None
    finally:
        for folder in missing:  # deepest first: undo only what this check created
            with contextlib.suppress(OSError):
                folder.rmdir()
    return path


def _check_out(value: Path) -> Path:
    try:
        return writable_folder(value)
    except ValueError as err:
        raise typer.BadParameter(str(err).removeprefix("--out: ")) from None


def out_option(default: str, writes: str = "result.json and figures"):
    """The --out option of every command, checked while the command line is parsed (before any work)."""
    return typer.Option(Path(default), "--out", help=OUT_HELP.format(writes=writes), callback=_check_out)


def address_option():
    """``--address``: run the sweep's points on a Ray cluster (one definition for every sweeping command)."""
    return typer.Option(None, "--address", help="Run the sweep on a Ray cluster: 'auto' (the cluster this machine "
                        "joined with `ray start`), 'ray://host:10001' (Ray client) or 'local' (a throw-away local "
                        "cluster). Needs pip install 'deeprg[cluster]'.")


def workers_option():
    """``--workers``: local processes for a sweep; by default chosen from the measured cost of the first points."""
    return typer.Option(None, "--workers", min=1, help="Local worker processes for the sweep (1 = in this process; "
                        "default: a process pool only when the first points show it pays). With --address: the "
                        "most points in flight at once.")


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


class Terminated(KeyboardInterrupt):
    """SIGTERM (sent by `timeout`, SLURM, Kubernetes) delivered as an interrupt, so Ctrl-C paths handle it."""


@contextlib.contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) instead of killing us."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupted(err: KeyboardInterrupt, note: str) -> typer.Exit:
    """Say why we stopped and what was kept; the exit code is 128 + the signal number (130 Ctrl-C, 143 TERM)."""
    import signal

    sig = signal.SIGTERM if isinstance(err, Terminated) else signal.SIGINT
    typer.echo(f"deeprg: interrupted by {sig.name}: {note}", err=True)
    return typer.Exit(128 + int(sig))
