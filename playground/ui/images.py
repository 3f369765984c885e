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


def array_to_pixmap(a: np.ndarray, size: int = 56, normalise: bool = False) -> QPixmap:
    """A grey (H, W) or colour (H, W, 3) array scaled to ``size`` px, pixels kept sharp."""
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    img8 = np.ascontiguousarray(to_uint8(a, normalise))
    h, w = img8.shape[:2]
    if img8.ndim == 2:
        qimg = QImage(img8.data, w, h, w, QImage.Format_Grayscale8)
    else:
        qimg = QImage(img8.data, w, h, 3 * w, QImage.Format_RGB888)
    return QPixmap.fromImage(qimg.copy()).scaled(size, size, Qt.KeepAspectRatio, Qt.FastTransformation)
