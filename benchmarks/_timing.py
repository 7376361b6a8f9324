"""Shared timing helpers for the benchmark scripts: best-of-n wall time and a JSON record."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path


def best_time(fn, repeat: int = 5, number: int = 1) -> float:
    """Best wall time (seconds) of ``number`` calls of ``fn`` over ``repeat`` tries."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def record(name: str, rows: dict) -> Path:
    """Print ``rows`` and write them to results/bench/<name>.json."""
    for key, value in rows.items():
        print(f"{key:58s} {value:.6g}" if isinstance(value, float) else f"{key:58s} {value}")
    path = Path("results/bench") / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": platform.machine(), "python": platform.python_version(), **rows},
                               indent=1))
    return path
