"""Writing results: JSON that any figure can be redrawn from, written atomically.

Nothing is half-written: every file goes to a temporary name in the same folder and is renamed into
place, so an interrupted run leaves either the old file or the new one, never a torn one.
Complex numbers are written as ``{"re": x, "im": y}``; non-finite floats as JSON's ``Infinity``/``NaN``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

READABLE_JSON_BYTES = 1 << 20
_UMASK = os.umask(0)
os.umask(_UMASK)


def jsonable(obj: Any) -> Any:
    """Convert ``obj`` (numpy arrays and scalars, complex, dataclasses, tuples) to plain JSON types."""
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biuf":  # already native numbers: no per-element recursion
            return obj.astype(float if obj.dtype.kind == "f" else obj.dtype).tolist()
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (complex, np.complexfloating)):
        z = complex(obj)
        return {"re": z.real, "im": z.imag}
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    if obj is None or isinstance(obj, str):
        return obj
    if callable(obj):
        return getattr(obj, "__name__", repr(obj))
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def complex_or_real(z: complex, tol: float = 0.0) -> Any:
    """A real number when the imaginary part is (within ``tol``) zero, else ``{"re", "im"}``."""
    z = complex(z)
    if abs(z.imag) <= tol:
        return z.real
    return {"re": z.real, "im": z.imag}


def as_complex(value) -> complex:
    """Inverse of :func:`complex_or_real`: a number or ``{"re", "im"}`` back to a complex number."""
    return complex(value["re"], value["im"]) if isinstance(value, dict) else complex(value)


def atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_name)`` to fill a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically (indented when small enough to be read by eye)."""
    data = jsonable(obj)
    text = json.dumps(data, allow_nan=True)  # the C encoder; indentation forces the slow pure-Python one
    if len(text) < READABLE_JSON_BYTES:
        text = json.dumps(data, indent=1, allow_nan=True)

    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(text + "\n")

    return atomic_write(Path(path), write)


def write_text(path: str | os.PathLike, text: str) -> Path:
    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(text)

    return atomic_write(Path(path), write)


def save_figure(fig, path: str | os.PathLike, dpi: int = 120) -> Path:
    """Save a matplotlib figure atomically and close it (figures come from the ``plots`` modules, which import
    pyplot; this module does not)."""
    path = Path(path)

    def write(tmp):
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")

    try:
        return atomic_write(path, write)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)


def finite_or_none(x: float) -> float | None:
    """For plotting code: ``None`` where a value is not finite."""
    return x if math.isfinite(x) else None
