"""The one set of input checks behind every record's ``__post_init__``: errors name the parameter and the allowed
values (the command line maps parameter names to its flags), and they are raised before anything is computed."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np


def check_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; TypeError for non-integers (bools included), ValueError below it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value}")
    return int(value)


def check_choice(name: str, value, allowed: Iterable) -> None:
    """ValueError unless ``value`` is one of ``allowed``."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name}: must be one of {', '.join(map(str, allowed))}, got {value!r}")


def check_positive(name: str, value, *, allow_zero: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float > 0 (>= 0 with ``allow_zero``; inf only with ``allow_inf``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or math.isnan(value):
        raise ValueError(f"{name}: must be a number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero) or (math.isinf(value) and not allow_inf):
        bound = (">= 0" if allow_zero else "> 0") + (" (inf allowed)" if allow_inf else " and finite")
        raise ValueError(f"{name}: must be {bound}, got {value!r}")
    return float(value)
