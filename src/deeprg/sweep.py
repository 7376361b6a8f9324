"""One sweep runner for every sweeping command.

A sweep is a list of independent :class:`Point`\\ s; each is evaluated by a pure, module-level function
``fn(params, seed) -> dict`` (JSON-serializable result). The seed belongs to the point, never to the worker, so
the results do not depend on which executor ran them. With ``out_dir`` each finished point is written atomically
to ``out_dir/points/<key>.json`` as it completes, and a rerun skips the points already there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

from .results import write_json


class Point(NamedTuple):
    """One sweep point: ``key`` names its result file (letters, digits, ``._-=``), ``params`` is JSON."""

    key: str
    params: dict[str, Any]
    seed: int


def point_path(out_dir: Path, point: Point) -> Path:
    return Path(out_dir) / "points" / f"{point.key}.json"


def run_sweep(fn: Callable[[dict, int], dict], points: Sequence[Point], *, out_dir: Path | None = None,
              address: str | None = None, workers: int | None = None,
              progress: Callable[[int], None] | None = None) -> list[dict]:
    """Evaluate ``fn`` at every point, in the order of ``points``; returns the results in that order."""
    keys = [p.key for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("points: keys must be unique")
    if address is not None or (workers is not None and workers > 1):
        raise ValueError("address/workers: only the serial executor exists yet")
    results = []
    for point in points:
        path = None if out_dir is None else point_path(out_dir, point)
        if path is not None and path.exists():
            results.append(json.loads(path.read_text()))
        else:
            result = fn(point.params, point.seed)
            if path is not None:
                write_json(path, result, strict=False)  # a cache: inf must read back as inf
            results.append(result)
        if progress is not None:
            progress(1)
    return results
