"""Every command line in README.md and docs/*.md code blocks names a real command with real options.

The oracle is the CLI itself: each distinct subcommand path must answer ``--help`` with exit code 0, and each
``--option`` written after it must be one of that command's flags (read from the click command tree, so a
wrapped or truncated help screen cannot hide a flag). The README can then not drift from the CLI unnoticed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from deeprg.cli import app, main

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND_LINE = re.compile(r"^\s*(?:\S*/)?deeprg(?:\s|$)")  # `deeprg ...` or `.venv/bin/deeprg ...` at line start


def code_blocks(text: str) -> list[str]:
    """The lines inside fenced code blocks (```)."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            lines.append(line)
    return lines


def command_lines(path: Path) -> list[list[str]]:
    """The arguments after ``deeprg`` of every command line in ``path``'s code blocks (comments removed)."""
    found = []
    for line in code_blocks(path.read_text()):
        if COMMAND_LINE.match(line):
            words = shlex.split(line, comments=True)
            found.append(words[1:])
    return found


def split_command(args: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """(subcommand path, option flags): the command words before the first option or placeholder (``...``),
    and every ``--flag`` after them."""
    path = []
    for word in args:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            break
        path.append(word)
    flags = [word.split("=", 1)[0] for word in args[len(path):] if word.startswith("--")]
    return tuple(path), flags


def _all_lines():
    return [(path.name, args) for path in DOCUMENTS for args in command_lines(path)]


def _resolve(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for name in path:
        commands = getattr(command, "commands", None)
        assert commands is not None and name in commands, (
            f"`deeprg {' '.join(path)}`: {name!r} is not a command (have {sorted(commands or [])})")
        command = commands[name]
    return command


def test_the_readme_has_command_lines_to_check():
    paths = {split_command(args)[0] for _, args in _all_lines()}
    assert len(paths) >= 10  # parsing found the examples (a broken parser would pass everything below)
    assert {("exact",), ("wide",), ("signal-prop",), ("train-sweep",), ("gx", "experiment"), ("reproduce",)} <= paths


@pytest.mark.parametrize("path", sorted({split_command(args)[0] for _, args in _all_lines()}),
                         ids=lambda p: " ".join(p) or "deeprg")
def test_every_documented_subcommand_answers_help(path, capsys):
    with pytest.raises(SystemExit) as done:
        main([*path, "--help"])
    assert done.value.code == 0, f"`deeprg {' '.join(path)} --help` exited {done.value.code}"
    assert "Usage" in capsys.readouterr().out


@pytest.mark.parametrize("document, args", _all_lines(), ids=lambda x: x if isinstance(x, str) else " ".join(x)[:60])
def test_every_documented_option_exists(document, args):
    path, flags = split_command(args)
    command = _resolve(path)
    known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]} | {"--help"}
    unknown = [flag for flag in flags if flag not in known]
    assert not unknown, f"{document}: `deeprg {' '.join(args)}` uses {unknown}, not options of `deeprg {' '.join(path)}`"


def table_commands(text: str) -> list[tuple[str, ...]]:
    """Command paths of the README's command table: `deeprg rg flow / fixed-points` is (rg, flow), (rg, fixed-points)."""
    paths = []
    for match in re.finditer(r"^\| `deeprg ([a-z][a-z -/]*)`", text, flags=re.MULTILINE):
        first, *alternatives = [part.split() for part in match.group(1).split(" / ")]
        paths.append(tuple(first))
        paths += [(*first[:-1], *alt) for alt in alternatives]
    return paths


def test_every_command_of_the_readme_table_exists_and_every_command_is_in_it():
    paths = table_commands((ROOT / "README.md").read_text())
    assert ("rg", "fixed-points") in paths and ("gx", "experiment") in paths  # the parser reads the table
    for path in paths:
        _resolve(path)
    top = typer.main.get_command(app).commands
    assert set(top) <= {path[0] for path in paths}, f"commands missing from the README table: {set(top) - {p[0] for p in paths}}"
