"""Convolution and pooling on small grids: the explorers' arithmetic.

``convolve2d`` is cross-correlation, as Keras' Conv2D computes it (the kernel is not flipped).
``conv_steps``/``pool_steps`` yield each window position with its products, for stepping through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ShapeError


@dataclass(frozen=True)
class Step:
    """One window position: output cell (row, col), window origin in the padded input, the
    element-wise products (or the window values, for pooling) and the result."""

    row: int
    col: int
    top: int
    left: int
    terms: np.ndarray
    value: float


def _pad_amount(n: int, f: int, s: int, padding) -> tuple[int, int]:
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + f - n, 0)
        return total // 2, total - total // 2
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool) and padding >= 0:
        return int(padding), int(padding)
    raise ShapeError(f"padding must be 'valid', 'same' or a whole number >= 0. Received padding={padding!r}.",
                     param="padding")


def _check(x: np.ndarray, f: int, s: int, name: str) -> None:
    if x.ndim != 2:
        raise ShapeError(f"{name} must be a 2-D grid; received shape {x.shape}.")
    if not isinstance(s, (int, np.integer)) or s < 1:
        raise ShapeError(f"stride must be a whole number >= 1. Received stride={s!r}.", param="stride")
    if f < 1:
        raise ShapeError(f"the window must be at least 1x1. Received size={f!r}.", param="size")


def pad2d(x: np.ndarray, f: int, s: int, padding) -> np.ndarray:
    """Zero-pad a grid the way the given padding mode would (Keras puts an odd extra on the bottom/right)."""
    x = np.asarray(x, dtype=float)
    (t, b), (l, r) = _pad_amount(x.shape[0], f, s, padding), _pad_amount(x.shape[1], f, s, padding)
    return np.pad(x, ((t, b), (l, r)))


def conv_steps(image, kernel, stride: int = 1, padding=0):
    """Every window position of a cross-correlation, row by row."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise ShapeError(f"the filter must be a square 2-D grid; received shape {kernel.shape}.", param="kernel")
    f = kernel.shape[0]
    _check(image, f, stride, "image")
    x = pad2d(image, f, stride, padding)
    oh, ow = (x.shape[0] - f) // stride + 1, (x.shape[1] - f) // stride + 1
    if x.shape[0] < f or x.shape[1] < f:
        raise ShapeError(f"the {f}x{f} filter does not fit in the {x.shape[0]}x{x.shape[1]} (padded) image; "
                         f"use a smaller filter or more padding.", param="kernel")
    for i in range(oh):
        for j in range(ow):
            top, left = i * stride, j * stride
            terms = x[top:top + f, left:left + f] * kernel
            yield Step(i, j, top, left, terms, float(terms.sum()))


def output_shape(n_rows: int, n_cols: int, f: int, stride: int, padding) -> tuple[int, int]:
    if padding == "same":
        return -(-n_rows // stride), -(-n_cols // stride)
    p = 0 if padding == "valid" else int(padding)
    return (n_rows + 2 * p - f) // stride + 1, (n_cols + 2 * p - f) // stride + 1


def convolve2d(image, kernel, stride: int = 1, padding=0) -> np.ndarray:
    """Cross-correlate ``image`` with a square ``kernel``: out = floor((n + 2p - f)/s) + 1 per side."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    steps = list(conv_steps(image, kernel, stride, padding))
    f = kernel.shape[0]
    x_shape = pad2d(image, f, stride, padding).shape
    out = np.zeros(((x_shape[0] - f) // stride + 1, (x_shape[1] - f) // stride + 1))
    for st in steps:
        out[st.row, st.col] = st.value
    return out


def pool_steps(x, size: int = 2, stride: int | None = None, mode: str = "max", padding="valid"):
    """Every window of a max or average pooling, row by row (``same`` padding ignores the pad cells)."""
    if mode not in ("max", "avg"):
        raise ShapeError(f"mode must be 'max' or 'avg'. Received mode={mode!r}.", param="mode")
    x = np.asarray(x, dtype=float)
    stride = stride or size
    _check(x, size, stride, "grid")
    if padding == "same":
        (t, b), (l, r) = _pad_amount(x.shape[0], size, stride, "same"), _pad_amount(x.shape[1], size, stride, "same")
        xp = np.pad(x, ((t, b), (l, r)), constant_values=np.nan)
    else:
        xp = x
    if xp.shape[0] < size or xp.shape[1] < size:
        raise ShapeError(f"the {size}x{size} window does not fit in the {x.shape[0]}x{x.shape[1]} grid.",
                         param="size")
    oh, ow = (xp.shape[0] - size) // stride + 1, (xp.shape[1] - size) // stride + 1
    for i in range(oh):
        for j in range(ow):
            win = xp[i * stride:i * stride + size, j * stride:j * stride + size]
            value = np.nanmax(win) if mode == "max" else np.nanmean(win)
            yield Step(i, j, i * stride, j * stride, win, float(value))


def pool2d(x, size: int = 2, stride: int | None = None, mode: str = "max", padding="valid") -> np.ndarray:
    """Max or average pooling: out = floor((n - f)/s) + 1 per side (stride defaults to the size)."""
    steps = list(pool_steps(x, size, stride, mode, padding))
    oh = max(s.row for s in steps) + 1
    ow = max(s.col for s in steps) + 1
    out = np.zeros((oh, ow))
    for st in steps:
        out[st.row, st.col] = st.value
    return out


# The lecture's examples, used as the explorers' defaults and presets.
LECTURE_IMAGE = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                          [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]])
VERTICAL_EDGE = np.array([[1, 0, -1]] * 3)  # the lecture's: bright where light (left) meets dark (right)
HORIZONTAL_EDGE = VERTICAL_EDGE.T.copy()
EDGE_IMAGE = np.array([[10, 10, 10, 0, 0, 0]] * 6)
POOL_GRID = np.array([[1, 3, 2, 1], [3, 6, 8, 9], [8, 3, 3, 9], [4, 6, 8, 2]])
