"""The ``deeprg`` command line. Each command lives in its own module with a ``register(app)`` function.

Errors in user input end the program with one line on stderr and exit code 2, never a traceback; the library
names parameters (``beta_v: ...``) and :func:`as_flags` turns them into the command's flags (``--beta-v: ...``).
Heavy libraries (JAX, SymPy, matplotlib) are imported inside commands so ``deeprg --help`` stays fast.
"""

from __future__ import annotations

import importlib
import re
import sys

import typer
from typer import exceptions as typer_errors
# typer 0.29 (pinned) vendors click; its usage-error classes live here.
from typer._click import exceptions as click_errors

app = typer.Typer(
    name="deeprg",
    help="Statistical physics of deep neural networks: exact transfer matrices, RG over depth, "
    "Monte Carlo, DNA training, and training as RG.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"deeprg {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                       help="Print the version and exit.")) -> None:
    """Statistical physics of deep neural networks (a callback keeps `deeprg` a command group)."""


COMMAND_MODULES = ("exact", "rg", "mc", "train", "gx", "reproduce", "wide", "signal_prop")
for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"deeprg.cli.{_name}")
    except ModuleNotFoundError as err:  # a command not written yet; anything else is a real bug
        if err.name != f"deeprg.cli.{_name}":
            raise
        continue
    _module.register(app)


_PARAMETER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*):")


def _options(command, args: list[str]) -> set[str]:
    """The option flags of the (sub)command that ``args`` select."""
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        command = sub
    return {opt for param in getattr(command, "params", []) for opt in getattr(param, "opts", [])}


def as_flags(message: str, options: set[str]) -> str:
    """Library errors start with the parameter they are about ("beta_v: ..."); on the command line that
    parameter is a flag, so "beta_v:" reads "--beta-v:" when the command has that option."""
    match = _PARAMETER.match(message)
    if match is None:
        return message
    flags = [f"--{name.replace('_', '-')}" for name in match.group(1).split("/")]
    if not all(flag in options for flag in flags):
        return message
    return "/".join(flags) + message[match.end(1):]


def _fail(message: str, code: int = 2) -> None:
    print(f"deeprg: error: {' '.join(str(message).split())}", file=sys.stderr)
    raise SystemExit(code)


def _literal_help(command) -> None:
    """Escape Rich markup in every help text, so that e.g. ``pip install 'deeprg[cluster]'`` prints as written."""
    from rich.markup import escape

    for obj in (command, *command.params):
        if getattr(obj, "help", None):
            obj.help = escape(obj.help)
    for sub in getattr(command, "commands", {}).values():
        _literal_help(sub)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    command = typer.main.get_command(app)  # a fresh click tree on every call
    _literal_help(command)
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = command.main(args=args or ["--help"], prog_name="deeprg", standalone_mode=False)
    except typer_errors.Exit as done:
        raise SystemExit(done.exit_code)
    except typer_errors.Abort:
        _fail("interrupted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except click_errors.ClickException as err:
        _fail(err.format_message())
    except (ValueError, TypeError) as err:
        _fail(as_flags(str(err), _options(command, args)))
    except RuntimeError as err:
        from ..sweep import SweepError  # some points of a sweep failed; the others are saved

        if not isinstance(err, SweepError):
            raise
        _fail(str(err), 1)
    raise SystemExit(code if isinstance(code, int) else 0)
