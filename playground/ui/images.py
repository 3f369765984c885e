"""numpy image -> QPixmap for thumbnails, filters and feature maps."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_uint8(a: np.ndarray, normalise: bool = False) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == np.uint8 and not normalise:
        return a
    a = a.astype(np.float64)
    if normalise:
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    elif a.size and a.max() > 1.0:
        a = a / 255.0
    return np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)


def picture(a: np.ndarray) -> np.ndarray:
    """``a`` as what a QImage can hold: (H, W) grey or (H, W, 3) colour. One channel is grey, four lose the alpha,
    any other count (a file's 2-channel examples) shows its first channel grey: a QImage read a 2-channel array as
    3 bytes a pixel, past the array's end (the app crashed on a large one)."""
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] in (3, 4):
        return a[..., :3]
    if a.ndim == 3:
        return a[..., 0]
    if a.ndim != 2:
        raise ValueError(f"an example of shape {a.shape} is not a picture")
    return a


def qimage(img8: np.ndarray) -> QImage:
    """A uint8 (H, W) or (H, W, 3) array as a QImage that owns a copy of its pixels."""
    img8 = np.ascontiguousarray(picture(img8))
    h, w = img8.shape[:2]
    if img8.ndim == 2:
        return QImage(img8.data, w, h, w, QImage.Format_Grayscale8).copy()
    return QImage(img8.data, w, h, 3 * w, QImage.Format_RGB888).copy()


def array_to_pixmap(a: np.ndarray, size: int = 56, normalise: bool = False) -> QPixmap:
    """A grey (H, W) or colour (H, W, 3) array scaled to ``size`` px, pixels kept sharp (``picture``)."""
    img = qimage(to_uint8(picture(a), normalise))
    return QPixmap.fromImage(img).scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)


# ------------------------------------------------------------------ colour-mapped figures
DIVERGING = "CET-D1A"  # blue - white - red: 0 is white, the sign is the hue
SEQUENTIAL = "viridis"  # dark (0) to yellow (most): readable on light and dark themes
GREYS = "CET-L1"  # black to white: pixels as MNIST stores them

_LUTS: dict[str, np.ndarray] = {}


def lookup_table(name: str) -> np.ndarray:
    """(256, 3) uint8 colours of one of pyqtgraph's colour maps (read once, then cached)."""
    if name not in _LUTS:
        import pyqtgraph as pg
        _LUTS[name] = np.asarray(pg.colormap.get(name).getLookupTable(nPts=256, mode="byte", alpha=False),
                                 dtype=np.uint8)[:, :3]
    return _LUTS[name]


def colour_map_name(signed: bool) -> str:
    return DIVERGING if signed else SEQUENTIAL


def colour_image(a: np.ndarray, scale, cmap: str | None = None, blank=(128, 128, 128)) -> QImage:
    """An (H, W) array as an RGB QImage, one pixel per value, coloured on ``scale`` (a core.figures.Scale);
    NaN cells (padding, not yet computed) get the ``blank`` colour."""
    a = np.asarray(a, dtype=np.float64)
    lut = lookup_table(cmap or colour_map_name(scale.signed))
    pos = scale.position(a)
    nan = ~np.isfinite(pos)
    idx = np.rint(np.where(nan, 0, pos) * 255).astype(np.int64)
    rgb = lut[idx]
    rgb[nan] = blank
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = a.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
