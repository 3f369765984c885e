"""Weight surgery: edit one learned first-layer filter (type its numbers, zero it, or paste the lecture's
edge filters) and watch the test accuracy and that filter's feature map change.

Every edit is one ``SetWeightsCommand`` on the document's stack, so it goes into the project's weights
and Edit > Undo takes it back; the model view copies the project's weights into the trained model and
evaluates in the worker.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...core.figures import number, scale_for
from ..theme import SPACING
from ..weight_grid import exact
from .figure_widgets import Heatmap, caption_label, title_label
from .grid import GridEditor, weight_problem

BIAS_TIP = "This filter's bias, added to every output cell"


def edge_filter(f: int, vertical: bool = True) -> np.ndarray:
    """The lecture's edge filter at size f: +1 in the left column, -1 in the right (transposed: horizontal).
    At f = 3 it is exactly [[1, 0, -1]] * 3."""
    k = np.zeros((f, f))
    k[:, 0], k[:, -1] = 1.0, -1.0
    return k if vertical else k.T.copy()


def cell_decimals(kernel: np.ndarray) -> int:
    """Decimals that give the filter's largest number 3 significant digits (one scale for the whole grid)."""
    top = float(np.max(np.abs(kernel))) if kernel.size else 0.0
    return 3 if top == 0 or not np.isfinite(top) else int(min(6, max(0, 2 - math.floor(math.log10(top)))))


def cell_number(v: float, decimals: int) -> str:
    """``v`` rounded to ``decimals``, trailing zeros dropped; a value that rounds to zero is "0", never "-0.000"
    (a cell left as shown keeps its exact value: ``typed_kernel``)."""
    r = round(float(v), decimals)
    if r == 0:
        return "0"
    return f"{r:.{decimals}f}".rstrip("0").rstrip(".")


class FilterSurgery(QWidget):
    """The selected filter's numbers and bias, edit buttons, the test accuracy and the filter's map.

    ``edited(kernel_2d, bias)`` asks for an edit; the owner turns it into an undo command."""

    edited = Signal(object, float)

    def __init__(self):
        super().__init__()
        self.index: int | None = None
        self.kernel = np.zeros((3, 3))
        self.bias = 0.0
        self._shown: dict[tuple[int, int], str] = {}
        self.title = title_label("Edit a filter")
        self.hint = caption_label("Click a filter above to select it, then type its numbers (Enter applies), "
                                  "zero it or paste an edge filter. Each edit is one undo step.")
        self.grid = GridEditor(np.zeros((3, 3)), cell=30)
        self.grid.cell_width = 68
        self.bias_edit = QLineEdit()
        self.bias_edit.setFixedWidth(80)
        self.bias_edit.setToolTip(BIAS_TIP)
        self.zero_btn = QPushButton("Zero")
        self.zero_btn.setToolTip("Set every number of this filter, and its bias, to 0")
        self.vertical_btn = QPushButton("Vertical edge")
        self.horizontal_btn = QPushButton("Horizontal edge")
        self.problem = QLabel()  # a cell or the bias refused, and why (a pink cell said it only in its tooltip)
        self.problem.setStyleSheet("color: #D64541;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.accuracy = QLabel()
        self.accuracy.setTextFormat(Qt.RichText)
        self.map = Heatmap(cell=3, max_cell=6, name="feature map", bar=True)
        self.map_caption = caption_label()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(SPACING)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addWidget(self.accuracy)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        numbers = QVBoxLayout()
        numbers.addWidget(self.grid, 0, Qt.AlignLeft)
        brow = QHBoxLayout()
        brow.addWidget(QLabel("bias"))
        brow.addWidget(self.bias_edit)
        brow.addStretch(1)
        numbers.addLayout(brow)
        numbers.addWidget(self.problem)
        numbers.addStretch(1)
        row.addLayout(numbers)
        buttons = QVBoxLayout()
        for b in (self.zero_btn, self.vertical_btn, self.horizontal_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(self.map)
        right.addWidget(self.map_caption)
        right.addStretch(1)
        row.addLayout(right, 1)
        lay.addLayout(row, 1)
        self.grid.itemChanged.connect(self._on_cell_changed)
        self.bias_edit.editingFinished.connect(self._on_bias_edited)
        self.zero_btn.clicked.connect(lambda: self.edited.emit(np.zeros_like(self.kernel), 0.0))
        self.vertical_btn.clicked.connect(lambda: self.edited.emit(edge_filter(self.kernel.shape[0]), self.bias))
        self.horizontal_btn.clicked.connect(
            lambda: self.edited.emit(edge_filter(self.kernel.shape[0], vertical=False), self.bias))
        self.set_enabled(False)

    def set_enabled(self, on: bool) -> None:
        for w in (self.grid, self.bias_edit, self.zero_btn, self.vertical_btn, self.horizontal_btn):
            w.setEnabled(on)

    def show_filter(self, index: int, kernel: np.ndarray, bias: float, layer: str) -> None:
        """Show filter ``index`` (its f x f numbers for the first input channel) ready to edit."""
        self.index, self.kernel, self.bias = index, np.asarray(kernel, dtype=np.float64), float(bias)
        self.title.setText(f"Edit filter {index + 1} of {layer}")
        self.grid.set_values(np.zeros_like(self.kernel))
        self._say(None)
        self.grid.blockSignals(True)
        self._shown = {}
        decimals = cell_decimals(self.kernel)
        for r in range(self.kernel.shape[0]):
            for c in range(self.kernel.shape[1]):
                text = cell_number(self.kernel[r, c], decimals)
                self.grid.item(r, c).setText(text)
                self.grid.item(r, c).setToolTip(f"{exact(self.kernel[r, c])} (rounded in the cell; a cell left as "
                                                f"shown keeps every digit)")
                self._shown[(r, c)] = text
        self.grid.blockSignals(False)
        self.grid.paint_cells({})
        self.bias_edit.setText(number(self.bias))
        self.set_enabled(True)

    def typed_kernel(self) -> np.ndarray | None:
        """The grid's numbers: a cell left as shown keeps its exact value (the grid rounds for reading)."""
        out = self.kernel.copy()
        for (r, c), shown in self._shown.items():
            text = self.grid.item(r, c).text().strip()
            if text != shown:
                try:
                    v = float(text)
                except ValueError:
                    return None
                if not np.isfinite(v):
                    return None
                out[r, c] = v
        return out

    def _say(self, why: str | None) -> None:
        self.problem.setText(why or "")
        self.problem.setVisible(bool(why))

    def _on_cell_changed(self, _item) -> None:
        self._say(self.grid.problem())
        if self.grid.bad or self.index is None:
            return
        k = self.typed_kernel()
        if k is not None and not np.array_equal(k, self.kernel):
            self.edited.emit(k, self.bias)

    def _on_bias_edited(self) -> None:
        text = self.bias_edit.text().strip()
        if self.index is None or text == number(self.bias):  # as shown (typed back after a refusal: unmarked)
            self.bias_edit.setStyleSheet("")
            self.bias_edit.setToolTip(BIAS_TIP)
            self._say(self.grid.problem())
            return
        why = weight_problem(text)
        if why is not None:  # not a number, nan or inf, or past float32 (1e39 would be stored as inf)
            self.bias_edit.setStyleSheet("background: rgba(214, 69, 65, 120);")
            self.bias_edit.setToolTip(why.replace("A weight", "The bias"))
            self._say(why.replace("A weight", "The bias"))
            return
        self.bias_edit.setStyleSheet("")
        self.bias_edit.setToolTip(BIAS_TIP)
        self._say(self.grid.problem())
        v = float(text)
        if v != self.bias:
            self.edited.emit(self.kernel.copy(), v)

    def show_map(self, fmap: np.ndarray | None, example: int) -> None:
        if fmap is None:
            return
        scale = scale_for(fmap)
        self.map.set_values(fmap, scale)
        self.map_caption.setText(f"its feature map for test example #{example} &middot; {fmap.shape[0]}x"
                                 f"{fmap.shape[1]} &middot; {scale.text()}")

    def show_measuring(self) -> None:
        text = self.accuracy.text()
        if "measuring" not in text:
            self.accuracy.setText((text + " &middot; " if text else "") + "<i>measuring the test accuracy...</i>")

    def show_accuracy(self, now: float | None, trained: float | None, n: int) -> None:
        if now is None:
            self.accuracy.setText("No test split: accuracy cannot be measured.")
            return
        was = f" (after training: {trained:.1%})" if trained is not None and np.isfinite(trained) else ""
        self.accuracy.setText(f"Test accuracy now: <b>{now:.1%}</b>{was} on {n:,} test examples")
