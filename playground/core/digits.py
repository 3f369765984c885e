"""Digit preprocessing, as MNIST did it: a drawing becomes a 28x28 grey digit the model can read.

MNIST's recipe (LeCun et al.): the ink's bounding box is scaled to fit 20x20 keeping its aspect ratio,
placed in a 28x28 field, then shifted so its centre of mass sits at the centre. Pure numpy, so the
draw pad and the tests share it without Qt.
"""

from __future__ import annotations

import numpy as np

INK = 0.05  # values above this count as ink when finding the bounding box


def area_resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Area-average resize: each output pixel is the mean of the input pixels it covers."""
    a = np.asarray(a, dtype=np.float64)
    ys = np.linspace(0, a.shape[0], h + 1)
    xs = np.linspace(0, a.shape[1], w + 1)
    out = np.zeros((h, w))
    for i in range(h):
        y0 = int(ys[i])
        y1 = max(int(np.ceil(ys[i + 1])), y0 + 1)
        for j in range(w):
            x0 = int(xs[j])
            x1 = max(int(np.ceil(xs[j + 1])), x0 + 1)
            out[i, j] = a[y0:y1, x0:x1].mean()
    return out


def mnist_style(a: np.ndarray, side: int = 28) -> np.ndarray:
    """A white-on-black drawing (values in [0, 1]) as MNIST does it: the ink's bounding box scaled into
    20/28 of ``side``, centred by mass in a ``side`` x ``side`` field. A blank drawing stays blank."""
    a = np.asarray(a, dtype=np.float64)
    ys, xs = np.nonzero(a > INK)
    if len(xs) == 0:
        return np.zeros((side, side))
    crop = a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    inner = round(side * 20 / 28)
    scale = inner / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = area_resize(crop, h, w)
    out = np.zeros((side, side))
    top, left = (side - h) // 2, (side - w) // 2
    out[top:top + h, left:left + w] = small
    total = out.sum()
    if total > 0:
        cy = (out.sum(axis=1) * np.arange(side)).sum() / total
        cx = (out.sum(axis=0) * np.arange(side)).sum() / total
        out = np.roll(out, (int(round(side / 2 - 0.5 - cy)), int(round(side / 2 - 0.5 - cx))), axis=(0, 1))
    return np.clip(out, 0, 1)


def as_unit_grey(x: np.ndarray) -> np.ndarray:
    """An image as floats in [0, 1] (uint8 0..255 or floats over 1 are scaled by 1/255), one channel."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[-1] == 1:
        x = x[..., 0]
    out = x.astype(np.float64)
    if x.dtype == np.uint8 or (out.size and out.max() > 1.0):
        out = out / 255.0
    return out


__all__ = ["area_resize", "mnist_style", "as_unit_grey"]
