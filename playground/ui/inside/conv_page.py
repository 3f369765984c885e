"""The convolution explorer: the lecture's 6x6 image and filter stepped cell by cell, and the same
filter, stride and padding applied to a real digit beside it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel

from ...core import conv
from ...core.errors import PlaygroundError
from .digit_lesson import ConvOnDigit
from .figure_widgets import remainder_note
from .grid import CURRENT, DONE, PAD, WINDOW, GridEditor, StepExplorer


class ConvExplorer(StepExplorer):
    """Image, filter, padded input and output as number grids, stepped; the digit lesson follows them."""

    PRESETS = {
        "Lecture: 6x6 * vertical edge": (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 1, 0),
        "Lecture: 6x6 * horizontal edge": (conv.LECTURE_IMAGE, conv.HORIZONTAL_EDGE, 1, 0),
        "Edge image 10/0 * vertical edge": (conv.EDGE_IMAGE, conv.VERTICAL_EDGE, 1, 0),
        "Stride 2 on 7x7": (np.arange(49).reshape(7, 7) % 10, conv.VERTICAL_EDGE, 2, 0),
        "Padding p = 1 keeps 6x6": (conv.LECTURE_IMAGE, conv.VERTICAL_EDGE, 1, 1),
    }

    def __init__(self):
        super().__init__()
        self.preset = QComboBox()
        self.preset.addItems(list(self.PRESETS))
        self._kept: dict[int, np.ndarray] = {}  # id(grid) -> its numbers at the largest size since they were put
        self.image = GridEditor(conv.LECTURE_IMAGE, cell=28)
        self.kernel = GridEditor(conv.VERTICAL_EDGE, cell=28)
        self.padded = GridEditor(np.zeros((6, 6)), editable=False, cell=28)
        self.output = GridEditor(np.zeros((4, 4)), editable=False, cell=28)
        self.stride = self.whole_box("stride s", 1, 6, 1)
        self.padding = QComboBox()
        self.padding.addItems(["0", "1", "2", "same"])
        self.size = self.whole_box("image n", 3, 12, 6)
        self.fsize = self.whole_box("filter f", 1, 7, 3)
        ctl = QHBoxLayout()
        for label, w in (("preset", self.preset), ("image n", self.size), ("filter f", self.fsize),
                         ("stride s", self.stride), ("padding p", self.padding)):
            ctl.addWidget(QLabel(label))
            ctl.addWidget(w)
        ctl.addStretch(1)
        grids = QGridLayout()
        grids.setHorizontalSpacing(12)
        grids.addWidget(QLabel("<b>Image</b> (edit the numbers)"), 0, 0)
        grids.addWidget(QLabel("<b>Filter</b>"), 0, 1)
        grids.addWidget(QLabel("<b>Padded input</b> (window in blue)"), 0, 2)
        grids.addWidget(QLabel("<b>Output</b>"), 0, 3)
        grids.addWidget(self.image, 1, 0, Qt.AlignTop)
        grids.addWidget(self.kernel, 1, 1, Qt.AlignTop)
        grids.addWidget(self.padded, 1, 2, Qt.AlignTop)
        grids.addWidget(self.output, 1, 3, Qt.AlignTop)
        self.digit = ConvOnDigit()
        self.lay_out("Convolution slides the filter over the image; each output cell is the sum of the element-wise "
                     "products under the window (cross-correlation, as Keras computes it).", ctl, grids, self.digit)
        self.digit.vertical_btn.clicked.connect(lambda: self.set_kernel(conv.VERTICAL_EDGE))
        self.digit.horizontal_btn.clicked.connect(lambda: self.set_kernel(conv.HORIZONTAL_EDGE))
        self.preset.currentTextChanged.connect(self.load_preset)
        for w in (self.stride,):
            w.valueChanged.connect(lambda _: self.reset())
        self.padding.currentTextChanged.connect(lambda _: self.reset())
        self.size.valueChanged.connect(lambda n: self._resize_grid(self.image, n))
        self.fsize.valueChanged.connect(lambda f: self._resize_grid(self.kernel, f))
        self.image.itemChanged.connect(lambda _: self.reset())
        self.kernel.itemChanged.connect(lambda _: self.reset())
        self.recompute()

    def load_preset(self, name: str) -> None:
        img, ker, s, p = self.PRESETS[name]
        for w in (self.size, self.fsize, self.stride, self.padding):
            w.blockSignals(True)
        self.size.setValue(img.shape[0])
        self.fsize.setValue(ker.shape[0])
        self.stride.setValue(s)
        self.padding.setCurrentText(str(p))
        for w in (self.size, self.fsize, self.stride, self.padding):
            w.blockSignals(False)
        self.image.set_values(img)
        self.kernel.set_values(ker)
        self._kept.clear()
        self.reset()

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Put a filter in the filter grid (its size follows) and recompute."""
        kernel = np.asarray(kernel)
        self.fsize.blockSignals(True)
        self.fsize.setValue(kernel.shape[0])
        self.fsize.blockSignals(False)
        self.kernel.set_values(kernel)
        self._kept.pop(id(self.kernel), None)
        self.reset()

    def _resize_grid(self, grid: GridEditor, n: int) -> None:
        """Resize a square grid to n x n. The numbers a smaller grid leaves out are kept, and a larger one gets them
        back (6 -> 3 -> 6 left the top-left 3x3 and zeros); cells never filled are 0. A preset or a filter put in
        the grid starts the kept numbers afresh."""
        old, kept = grid.values(), self._kept.get(id(grid))
        if old is not None:
            side = max(old.shape[0], 0 if kept is None else kept.shape[0])
            merged = np.zeros((side, side))
            if kept is not None:
                merged[:kept.shape[0], :kept.shape[0]] = kept
            merged[:old.shape[0], :old.shape[0]] = old
            self._kept[id(grid)] = kept = merged
        new = np.zeros((n, n))
        if kept is not None:
            k = min(n, kept.shape[0])
            new[:k, :k] = kept[:k, :k]
        grid.set_values(new)
        self.reset()

    def pad_value(self):
        t = self.padding.currentText()
        return t if t == "same" else int(t)

    def recompute(self) -> None:
        img, ker = self.image.values(), self.kernel.values()
        self.steps, self.pos = [], 0
        self.digit.set_operation(ker, self.stride.value(), self.pad_value())
        if img is None or ker is None:
            which, what, grid = ("image", "a pixel", self.image) if img is None else ("filter", "a weight", self.kernel)
            self.message.setText(f"In the {which}: {grid.problem(what)} Fix it (marked red) to see the convolution.")
            self.formula.setText("")
            self.detail.setText("")
            self.padded.paint_cells({})
            return
        try:
            self.steps = list(conv.conv_steps(img, ker, self.stride.value(), self.pad_value()))
        except PlaygroundError as exc:
            # nothing of the last good result may stay on screen: formula, window, cell sum
            self.message.setText(str(exc))
            self.output.set_values(np.zeros((1, 1)), blank=True)
            f, s, p = ker.shape[0], self.stride.value(), self.pad_value()
            n = img.shape[0]
            if p == "same":
                self.formula.setText("")
            else:
                out = (n + 2 * p - f) // s + 1
                self.formula.setText(f"<tt>out = floor((n + 2p - f)/s) + 1 = floor(({n} + 2*{p} - {f})/{s}) + 1 = "
                                     f"{out}</tt>  \u00b7  no output: the {f}x{f} filter does not fit")
            self.x_padded = None
            self.padded.set_values(np.pad(img, p) if isinstance(p, int) and p >= 0 else img)
            self.padded.paint_cells({})
            self.detail.setText("No output cell to compute.")
            return
        self.message.setText(self.refused_note())
        f, s, p = ker.shape[0], self.stride.value(), self.pad_value()
        self.x_padded = conv.pad2d(img, f, s, p)
        self.padded.set_values(self.x_padded)
        oh = max(st.row for st in self.steps) + 1
        ow = max(st.col for st in self.steps) + 1
        self.output.set_values(np.zeros((oh, ow)), blank=True)
        n = img.shape[0]
        if p == "same":  # with the padding it takes, as the inspector says it (the grid showed 1 before and 2 after
            from ...core.shapes import window_size  # with no word why: a drive)
            total = sum(conv._pad_amount(n, f, s, "same"))
            why = "" if not total else f"; padding (out - 1)*s + f - n = ({oh} - 1)*{s} + {f} - {n} = {total}"
            self.formula.setText(f"<tt>same: out = ceil(n/s) = {window_size(n, f, s, 'same').formula}{why}</tt>")
        else:
            # a stride that leaves a remainder: said as the inspector says it for a Conv2D
            self.formula.setText(f"<tt>out = floor((n + 2p - f)/s) + 1 = floor(({n} + 2*{p} - {f})/{s}) + 1 = "
                                 f"{oh}</tt>  \u00b7  {oh}x{ow} output" + remainder_note(n, f, s, p, "kernel_size"))
        self.show_state()

    def show_state(self) -> None:
        if not self.steps:
            return
        oh = max(st.row for st in self.steps) + 1
        ow = max(st.col for st in self.steps) + 1
        out = np.full((oh, ow), np.nan)
        for st in self.steps[:self.pos]:
            out[st.row, st.col] = st.value
        self.output.blockSignals(True)
        for r in range(oh):
            for c in range(ow):
                self.output.item(r, c).setText("" if np.isnan(out[r, c]) else f"{out[r, c]:g}")
        self.output.blockSignals(False)
        colours = {}
        img = self.image.values()
        f = self.kernel.rowCount()
        pad_top = (self.x_padded.shape[0] - img.shape[0]) // 2 if self.pad_value() != "same" else \
            conv._pad_amount(img.shape[0], f, self.stride.value(), "same")[0]
        for r in range(self.x_padded.shape[0]):
            for c in range(self.x_padded.shape[1]):
                if not (pad_top <= r < pad_top + img.shape[0] and pad_top <= c < pad_top + img.shape[1]):
                    colours[(r, c)] = PAD
        if self.pos:
            st = self.steps[self.pos - 1]
            for r in range(st.top, st.top + f):
                for c in range(st.left, st.left + f):
                    colours[(r, c)] = WINDOW
            ker = self.kernel.values()
            win = self.x_padded[st.top:st.top + f, st.left:st.left + f]
            terms = " + ".join(f"({ker[i, j]:g}\u00b7{win[i, j]:g})" for i in range(f) for j in range(f))
            self.detail.setText(f"Output cell ({st.row + 1}, {st.col + 1}): {terms} = <b>{st.value:g}</b>")
            self.output.paint_cells({(s.row, s.col): DONE for s in self.steps[:self.pos - 1]} |
                                    {(st.row, st.col): CURRENT})
        else:
            self.detail.setText("Press Step to slide the filter one position, or Play.")
            self.output.paint_cells({})
        self.padded.paint_cells(colours)

    def filled_output(self) -> np.ndarray:
        out = np.full((self.output.rowCount(), self.output.columnCount()), np.nan)
        for r in range(out.shape[0]):
            for c in range(out.shape[1]):
                t = self.output.item(r, c).text()
                if t:
                    out[r, c] = float(t)
        return out
