"""One progress bar for all long work (rich). Set ``DEEPRG_PROGRESS=0`` to silence it."""

from __future__ import annotations

import contextlib
import os
from typing import Callable, Iterator


@contextlib.contextmanager
def progress_bar(total: float, description: str) -> Iterator[Callable[[float], None]]:
    """Context manager yielding ``advance(n)``; draws on stderr, and nothing when disabled."""
    if os.environ.get("DEEPRG_PROGRESS", "1") == "0":
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
