"""Short text forms of results, for the terminal and notebooks: arrays and long series print as a summary.

A result object's ``repr`` names every field, but a per-layer or per-sweep array appears as its shape and a few
values (``array(shape=(1000000, 1, 1), first=[0.69, 0.63, 0.62], last=[..., 0.67])``), never the whole series.
"""

from __future__ import annotations

import dataclasses

import numpy as np

EDGE = 3  # values shown at each end of a long series
SHORT = 8  # series up to this length are shown whole


def _number(x) -> str:
    if isinstance(x, (complex, np.complexfloating)):
        return f"{complex(x):.4g}"
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    return repr(x)


def short(value) -> str:
    """A one-line form of ``value``: scalars in full, array entries to 6 digits, long series as shape and ends."""
    if isinstance(value, np.ndarray):
        if value.size <= SHORT:
            return "array([" + ", ".join(_number(v) for v in value.ravel()) + f"], shape={value.shape})"
        flat = value.ravel()
        return (f"array(shape={value.shape}, first=[{', '.join(_number(v) for v in flat[:EDGE])}], "
                f"last=[{', '.join(_number(v) for v in flat[-EDGE:])}])")
    if isinstance(value, (list, tuple)) and len(value) > SHORT and all(np.isscalar(v) for v in value):
        return (f"[{', '.join(_number(v) for v in value[:EDGE])}, ..., "
                f"{', '.join(_number(v) for v in value[-EDGE:])}] ({len(value)} items)")
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # a scalar result keeps every digit
    if isinstance(value, (complex, np.complexfloating)):
        return repr(complex(value))
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def compact_repr(obj) -> str:
    """``Name(field=short(value), ...)`` over the fields of a dataclass or NamedTuple."""
    if dataclasses.is_dataclass(obj):
        fields = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.repr]
    else:
        fields = list(obj._asdict().items())
    return f"{type(obj).__name__}(" + ", ".join(f"{name}={short(v)}" for name, v in fields) + ")"
