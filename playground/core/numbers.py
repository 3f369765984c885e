"""Numbers read from files. A JSON integer has no size limit: ``10**400`` makes ``float()`` raise OverflowError
and ``2**53 + 1`` becomes ``2**53`` without a word. A number the app keeps as a float must be one a 64-bit float
holds exactly, and finite; anything else is refused by name where it is read."""

from __future__ import annotations

import math


def finite_number(v) -> bool:
    """An int or float (never a bool) that a 64-bit float holds exactly and that is finite."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, float):
        return math.isfinite(v)
    try:
        return float(v) == v  # exact: Python compares an int and a float without rounding
    except OverflowError:
        return False


def as_float(v) -> float | None:
    """``float(v)`` for a ``finite_number``, else None."""
    return float(v) if finite_number(v) else None
