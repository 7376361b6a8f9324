"""Size checks before allocating: a too-large request is a ValueError naming the parameter, not a MemoryError.

The budget is the machine's physical memory (``os.sysconf``); a request above it cannot succeed, so it is
refused before any array is made.
"""

from __future__ import annotations

import os


def physical_memory_bytes() -> int:
    """Total physical memory of this machine (a large fallback where the OS does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


def _human(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if nbytes < 1000 or unit == "PB":
            return f"{nbytes:.3g} {unit}"
        nbytes /= 1000
    raise AssertionError("unreachable")


def require_memory(nbytes: float, parameter: str, value, what: str) -> None:
    """Raise ValueError when ``nbytes`` (needed for ``what``) exceeds the physical memory.

    ``parameter = value`` is named in the message as the input to reduce.
    """
    budget = physical_memory_bytes()
    if nbytes > budget:
        raise ValueError(f"{parameter}: {value} needs about {_human(nbytes)} for {what}, more than this machine's "
                         f"{_human(budget)} of memory; use a smaller {parameter}")
