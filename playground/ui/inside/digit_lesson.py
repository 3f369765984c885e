"""The lecture on a real digit: the explorer's filter (or pooling window) applied to a test digit, drawn
as input, filter and output side by side with the output-size formula, then max and average pooling.

The arithmetic is ``core.conv`` itself (the same functions the stepped grids use), so what the figure
shows is exactly what the lecture computes; the built-in test digits are read once and cached.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from ...core import conv, shapes
from ...core.digits import as_unit_grey
from ...core.errors import PlaygroundError
from ...core.figures import scale_for
from ..images import GREYS
from ..theme import SPACING
from .figure_widgets import Heatmap, caption_label, remainder_note, title_label

_DIGITS: tuple[np.ndarray, np.ndarray] | None = None


def sample_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) of the built-in digit sample's test split, read once (a 2 MB file, ~20 ms)."""
    global _DIGITS
    if _DIGITS is None:
        from ...resources_path import resource_file
        with np.load(resource_file("datasets", "mnist-sample.npz")) as d:
            _DIGITS = d["x_test"], d["y_test"]
    return _DIGITS


def size_formula(n: int, f: int, s: int, padding) -> str:
    """The output-size formula with the numbers filled in (the lecture's, via core.shapes)."""
    return shapes.window_size(n, f, s, "valid" if padding == 0 else padding).formula


def _figure(title: str, heat: Heatmap) -> tuple[QVBoxLayout, QLabel]:
    col = QVBoxLayout()
    col.setSpacing(4)
    col.addWidget(title_label(title))
    col.addWidget(heat, 1)
    cap = caption_label()
    col.addWidget(cap)
    return col, cap


class DigitPicker(QWidget):
    """'test digit #' with the digit's label beside it."""

    def __init__(self, on_change):
        super().__init__()
        self.index = QSpinBox()
        self.index.setRange(0, len(sample_digits()[0]) - 1)
        self.index.setValue(0)
        self.index.setToolTip("Which digit of the built-in test set to use")
        self.label = QLabel()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("test digit #"))
        row.addWidget(self.index)
        row.addWidget(self.label)
        self.index.valueChanged.connect(lambda _: on_change())

    def image(self) -> np.ndarray:
        x, y = sample_digits()
        i = self.index.value()
        self.label.setText(f"(a {int(y[i])})")
        return as_unit_grey(x[i])


class ConvOnDigit(QWidget):
    """Input * filter = output on a real digit, then 2x2 max and average pooling of that output."""

    def __init__(self):
        super().__init__()
        self.picker = DigitPicker(self.refresh)
        self.vertical_btn = QPushButton("Vertical edge")
        self.horizontal_btn = QPushButton("Horizontal edge")
        for b, tip in ((self.vertical_btn, "Put the lecture's vertical-edge filter [1 0 -1] in the filter grid"),
                       (self.horizontal_btn, "Put the horizontal-edge filter (its transpose) in the filter grid")):
            b.setToolTip(tip)
        self.kernel = np.asarray(conv.VERTICAL_EDGE, dtype=float)
        self.stride, self.padding = 1, 0
        self.input_map = Heatmap(cell=3, max_cell=10, name="pixel", cmap=GREYS, bar=True)
        self.filter_map = Heatmap(cell=24, max_cell=36, numbers=True, name="filter")
        self.output_map = Heatmap(cell=3, max_cell=10, name="output", bar=True)
        self.max_map = Heatmap(cell=5, max_cell=16, name="max pool", bar=True)
        self.avg_map = Heatmap(cell=5, max_cell=16, name="average pool", bar=True)
        self.output: np.ndarray | None = None  # what the output figure shows (tests read it)
        self.pooled: dict[str, np.ndarray] = {}
        self.message = QLabel()
        self.message.setStyleSheet("color: #D64541;")
        self.message.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(SPACING)
        lay.addWidget(title_label("Apply it to a digit"))
        ctl = QHBoxLayout()
        ctl.addWidget(self.picker)
        ctl.addWidget(QLabel("filter:"))
        ctl.addWidget(self.vertical_btn)
        ctl.addWidget(self.horizontal_btn)
        ctl.addStretch(1)
        lay.addLayout(ctl)
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        col, self.input_cap = _figure("Input", self.input_map)
        grid.addLayout(col, 0, 0)
        col, self.filter_cap = _figure("* Filter", self.filter_map)
        grid.addLayout(col, 0, 1)
        col, self.output_cap = _figure("= Output", self.output_map)
        grid.addLayout(col, 0, 2)
        pools = QHBoxLayout()  # the two poolings side by side, each half the row: the same size, to compare (in
        pools.setSpacing(SPACING * 2)  # the grid's columns the max map was 118 px and the average's 157)
        col, self.max_cap = _figure("Max pooling 2x2, s = 2", self.max_map)
        pools.addLayout(col, 1)
        col, self.avg_cap = _figure("Average pooling 2x2, s = 2", self.avg_map)
        pools.addLayout(col, 1)
        grid.addLayout(pools, 1, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)
        lay.addLayout(grid)
        lay.addWidget(self.message)
        lay.addStretch(1)

    def set_operation(self, kernel: np.ndarray | None, stride: int, padding) -> None:
        """The explorer's current filter, stride and padding (None: a cell is not a number)."""
        self.kernel = None if kernel is None else np.asarray(kernel, dtype=float)
        self.stride, self.padding = stride, padding
        self.refresh()

    def refresh(self) -> None:
        x = self.picker.image()
        self.input_map.set_values(x, scale_for(x, signed=False))
        self.input_cap.setText(f"{x.shape[0]}x{x.shape[1]} pixels, 0 = black, 1 = white")
        if self.kernel is None:
            self.message.setText("A filter cell is not a number; fix it to apply the filter.")
            return
        k = self.kernel
        try:
            out = conv.convolve2d(x, k, self.stride, self.padding)
        except PlaygroundError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("")
        self.filter_map.set_values(k, scale_for(k, signed=True))
        self.filter_cap.setText(f"{k.shape[0]}x{k.shape[1]}: the filter grid on the left")
        self.output = out
        scale = scale_for(out, signed=True)
        self.output_map.set_values(out, scale)
        n, f = x.shape[0], k.shape[0]
        self.output_cap.setText(f"<tt>out = {size_formula(n, f, self.stride, self.padding)}</tt> &middot; "
                                f"{out.shape[0]}x{out.shape[1]}" + ("" if self.padding == "same" else
                                                                    remainder_note(n, f, self.stride, self.padding,
                                                                                   "kernel_size")))
        self.pooled = {}
        for mode, heat, cap in (("max", self.max_map, self.max_cap), ("avg", self.avg_map, self.avg_cap)):
            try:
                pooled = conv.pool2d(out, 2, 2, mode)
            except PlaygroundError as exc:
                cap.setText(str(exc))
                continue
            self.pooled[mode] = pooled
            heat.set_values(pooled, scale)
            cap.setText(f"<tt>out = floor(({out.shape[0]} - 2)/2) + 1 = {pooled.shape[0]}</tt>" +
                        remainder_note(out.shape[0], 2, 2, 0, "pool_size"))


class PoolOnDigit(QWidget):
    """The pooling explorer's window on a real digit: input and pooled output, same colour scale."""

    def __init__(self):
        super().__init__()
        self.picker = DigitPicker(self.refresh)
        self.size, self.stride, self.mode = 2, 2, "max"
        self.input_map = Heatmap(cell=3, max_cell=12, name="pixel", cmap=GREYS, bar=True)
        self.output_map = Heatmap(cell=3, max_cell=24, name="pooled", cmap=GREYS, bar=True)
        self.output: np.ndarray | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(SPACING)
        lay.addWidget(title_label("Apply it to a digit"))
        lay.addWidget(self.picker, 0, Qt.AlignLeft)
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        col, self.input_cap = _figure("Input", self.input_map)
        row.addLayout(col, 1)
        col, self.output_cap = _figure("Pooled", self.output_map)
        row.addLayout(col, 1)
        lay.addLayout(row)
        lay.addStretch(1)

    def set_operation(self, size: int, stride: int, mode: str) -> None:
        self.size, self.stride, self.mode = size, stride, mode
        self.refresh()

    def refresh(self) -> None:
        x = self.picker.image()
        scale = scale_for(x, signed=False)
        self.input_map.set_values(x, scale)
        self.input_cap.setText(f"{x.shape[0]}x{x.shape[1]} pixels")
        try:
            out = conv.pool2d(x, self.size, self.stride, self.mode)
        except PlaygroundError as exc:
            self.output_cap.setText(str(exc))
            return
        self.output = out
        self.output_map.set_values(out, scale)
        op = "maximum" if self.mode == "max" else "mean"
        self.output_cap.setText(f"<tt>out = floor(({x.shape[0]} - {self.size})/{self.stride}) + 1 = "
                                f"{out.shape[0]}</tt> &middot; each cell the {op} of a {self.size}x{self.size} "
                                f"window" + remainder_note(x.shape[0], self.size, self.stride, 0, "pool_size"))
