"""The arithmetic behind See inside's figures: colour scales, which maps to show, how tiles fit.

Signed values (filters, convolution outputs) get a diverging scale centred on 0, so white means 0 and
the two hues mean "this much positive" and "this much negative" with the same reach; non-negative values
(after ReLU, pooling, pixels) get a sequential scale from 0. Pure numpy, no Qt: the widgets only paint
what these functions decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scale:
    """A colour scale: values from ``lo`` to ``hi``; ``signed`` ones are symmetric about 0 (lo = -hi)."""

    lo: float
    hi: float
    signed: bool
    constant: float | None = None  # every value is this one (a zeroed filter): the bar says so, not 0 .. 1

    def position(self, a: np.ndarray) -> np.ndarray:
        """Each value's place on the colour bar, 0..1 (clipped; NaN stays NaN)."""
        a = np.asarray(a, dtype=np.float64)
        return np.clip((a - self.lo) / (self.hi - self.lo), 0.0, 1.0)

    def text(self) -> str:
        """The range as a person reads it: ``-1.2 .. 0 .. 1.2`` or ``0 .. 3.4`` (``all 0`` where every value is)."""
        if self.constant is not None:
            return f"all {number(self.constant)}"
        if self.signed:
            return f"{number(self.lo)} .. 0 .. {number(self.hi)}"
        return f"{number(self.lo)} .. {number(self.hi)}"


def scale_for(*arrays: np.ndarray, signed: bool | None = None) -> Scale:
    """One scale shared by ``arrays`` (so their colours compare). Signed when any value is negative,
    unless ``signed`` says otherwise; an all-zero input still gets a usable range of +-1 or 0..1."""
    finite = [np.asarray(a, dtype=np.float64)[np.isfinite(a)] for a in arrays]
    values = np.concatenate([f.ravel() for f in finite]) if finite else np.zeros(0)
    lo = float(values.min()) if values.size else 0.0
    hi = float(values.max()) if values.size else 0.0
    if signed is None:
        signed = lo < 0
    constant = lo if values.size and lo == hi else None
    if signed:
        reach = max(abs(lo), abs(hi)) or 1.0
        return Scale(-reach, reach, True, constant)
    top = hi if hi > 0 else 1.0
    return Scale(0.0, top, False, constant)


def number(v: float) -> str:
    """A compact number for labels and hover text: 3 significant digits, no trailing zeros."""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}" if v != 0 else "0"
    return f"{v:.3g}"


def tile_layout(n: int, width: float, height: float, tile_h: int, tile_w: int, gap: int = 3) -> tuple[int, int]:
    """(columns, pixels per value) that draw ``n`` equal tiles of ``tile_h`` x ``tile_w`` values as large as
    possible inside ``width`` x ``height`` px, with ``gap`` px between tiles; at least 1 px per value."""
    if n <= 0:
        return 1, 1
    best = (1, 0)
    for cols in range(1, n + 1):
        rows = -(-n // cols)
        per_w = (width - gap * (cols - 1)) / (cols * tile_w)
        per_h = (height - gap * (rows - 1)) / (rows * tile_h)
        size = int(min(per_w, per_h))
        if size > best[1]:
            best = (cols, size)
    return best[0], max(best[1], 1)


def strongest_channels(maps: np.ndarray, k: int) -> list[int]:
    """The ``k`` channels of an (H, W, C) activation with the largest mean absolute value, in channel order:
    the maps that say most about this example (a dead channel is all zeros and tells nothing)."""
    maps = np.asarray(maps)
    energy = np.abs(maps.reshape(-1, maps.shape[-1])).mean(axis=0)
    order = np.argsort(-energy, kind="stable")[:k]
    return sorted(int(c) for c in order)


def figure_kind(shape: tuple[int, ...]) -> str:
    """How a layer's output for one example is drawn: ``maps`` (H, W, C), ``image`` (H, W) or ``bars``."""
    if len(shape) == 3:
        return "maps"
    if len(shape) == 2:
        return "image"
    return "bars"


__all__ = ["Scale", "scale_for", "number", "tile_layout", "strongest_channels", "figure_kind"]
