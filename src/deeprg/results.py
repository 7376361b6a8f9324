"""Writing results: JSON that any figure can be redrawn from, written atomically.

Nothing is half-written: every file goes to a temporary name in the same folder and is renamed into
place, so an interrupted run leaves either the old file or the new one, never a torn one.

Every ``result.json`` is strict JSON (RFC 8259), readable by any parser:

* complex numbers are written as ``{"re": x, "im": y}``;
* a float that is not finite (``inf``, ``-inf``, ``nan``) is written as ``null``; ``null`` in a number's place
  means "not a finite number" (e.g. an infinite correlation length, or a quantity undefined for this input),
  and each command's schema in ``docs/results.md`` says which fields can be null and why;
* arrays that grow with depth (per-layer means) go to ``arrays.npz`` beside the JSON; the JSON keeps them
  inline only while they are small, else it holds a reference ``{"npz": "arrays.npz", "key": name, "shape": [...]}``
  that :func:`read_result` resolves.
"""

from __future__ import annotations

import copy
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
INLINE_ELEMENTS = 1_000  # arrays up to this many numbers stay inline in result.json (and are in arrays.npz)
ARRAYS_FILE = "arrays.npz"
_UMASK = os.umask(0)
os.umask(_UMASK)


def jsonable(obj: Any, strict: bool = False) -> Any:
    """Convert ``obj`` (numpy arrays and scalars, complex, dataclasses, tuples) to plain JSON types.

    Non-finite floats stay floats unless ``strict``, which writes them as ``None`` (JSON null) as
    :func:`write_json` does; in-memory results (e.g. a sweep point with ``inf``) keep their meaning.
    """
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict(), strict)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name), strict) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v, strict) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v, strict) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biu":  # already native numbers: no per-element recursion
            return obj.tolist()
        if obj.dtype.kind == "f":
            values = obj.astype(float)
            if not strict:
                return values.tolist()
            finite = np.isfinite(values)
            return values.tolist() if finite.all() else np.where(finite, values, None).tolist()
        return jsonable(obj.tolist(), strict)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (complex, np.complexfloating)):
        z = complex(obj)
        return {"re": jsonable(z.real, strict), "im": jsonable(z.imag, strict)}
    if isinstance(obj, (float, np.floating)):
        return float(obj) if not strict or math.isfinite(obj) else None  # null: not a finite number
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


def write_json(path: str | os.PathLike, obj: Any, strict: bool = True) -> Path:
    """Write ``obj`` as strict JSON to ``path`` atomically (indented when small enough to be read by eye).

    Non-finite floats become ``null`` and complex numbers ``{"re", "im"}`` (see the module docstring).
    ``strict=False`` keeps ``Infinity``/``NaN`` (Python's JSON extension) for internal files that must read
    back exactly, such as a sweep's per-point cache; every ``result.json`` is strict.
    """
    data = jsonable(obj, strict=strict)
    text = json.dumps(data, allow_nan=not strict)  # the C encoder; indentation forces the slow pure-Python one
    if len(text) < READABLE_JSON_BYTES:
        text = json.dumps(data, indent=1, allow_nan=not strict)

    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(text + "\n")

    return atomic_write(Path(path), write)


def split_arrays(payload: dict, out_dir: str | os.PathLike, paths, inline_limit: int = INLINE_ELEMENTS) -> dict:
    """Write the arrays at ``paths`` of ``payload`` to ``out_dir/arrays.npz``; return the payload for the JSON.

    A path is a key of ``payload`` or a tuple of keys/indices into nested dicts and lists (``("points", 0,
    "mean_h")``); its npz key is the path joined by ``/``. In the returned copy an array of more than
    ``inline_limit`` numbers is replaced by the reference ``{"npz": "arrays.npz", "key": ..., "shape": [...]}``;
    smaller ones stay inline too. Absent or ``None`` entries are skipped. The npz always holds every array at
    ``paths``, so a reader can rely on it at any depth.
    """
    out = copy.deepcopy(payload) if any(not isinstance(p, str) for p in paths) else dict(payload)
    arrays = {}
    for path in paths:
        path = (path,) if isinstance(path, str) else tuple(path)
        parent = out
        try:
            for key in path[:-1]:
                parent = parent[key]
            value = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if value is None:
            continue
        key = "/".join(str(k) for k in path)
        arrays[key] = np.asarray(jsonable(value) if not isinstance(value, np.ndarray) else value, dtype=float)
        if arrays[key].size > inline_limit:
            parent[path[-1]] = {"npz": ARRAYS_FILE, "key": key, "shape": list(arrays[key].shape)}
    if arrays:
        def write(tmp):
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)

        atomic_write(Path(out_dir) / ARRAYS_FILE, write)
    return out


def _is_reference(value) -> bool:
    return isinstance(value, dict) and set(value) == {"npz", "key", "shape"}


def read_result(path: str | os.PathLike) -> dict:
    """Read a ``result.json`` (or the folder holding it), loading the arrays that were moved beside it.

    Every reference ``{"npz": file, "key": name, "shape": [...]}`` (written by :func:`split_arrays`) is replaced
    by the array ``name`` of ``file``; everything else is returned as parsed.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "result.json"
    data = json.loads(path.read_text())
    cache = {}

    def load(name: str) -> dict:
        if name not in cache:
            with np.load(path.parent / name, allow_pickle=False) as arrays:
                cache[name] = dict(arrays)
        return cache[name]

    def resolve(value):
        if _is_reference(value):
            return load(value["npz"])[value["key"]]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    return resolve(data)


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
