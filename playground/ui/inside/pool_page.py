"""The pooling explorer: max or average windows stepped over the lecture's 4x4 grid, and the same window
over a real digit beside it."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from ...core import conv
from ...core.errors import PlaygroundError
from .digit_lesson import PoolOnDigit
from .figure_widgets import remainder_note
from .grid import CURRENT, DONE, WINDOW, GridEditor, StepExplorer


class PoolExplorer(StepExplorer):
    """The lecture's 4x4 grid pooled window by window; the digit beside it pooled the same way."""

    def __init__(self):
        super().__init__()
        self.grid = GridEditor(conv.POOL_GRID)
        self.output = GridEditor(np.zeros((2, 2)), editable=False)
        self.mode = QComboBox()
        self.mode.addItems(["max", "avg"])
        self.size = self.whole_box("size f", 1, 6, 2)
        self.stride = self.whole_box("stride s", 1, 6, 2)
        ctl = QHBoxLayout()
        for label, w in (("mode", self.mode), ("size f", self.size), ("stride s", self.stride)):
            ctl.addWidget(QLabel(label))
            ctl.addWidget(w)
        ctl.addStretch(1)
        grids = QHBoxLayout()
        grids.setSpacing(12)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Input</b> (edit the numbers)"))
        left.addWidget(self.grid)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Output</b>"))
        right.addWidget(self.output)
        right.addStretch(1)
        grids.addLayout(left)
        grids.addLayout(right)
        grids.addStretch(1)
        self.digit = PoolOnDigit()
        self.lay_out("Pooling summarises each window: max keeps the strongest response, average keeps the mean. "
                     "It has no parameters to learn.", ctl, grids, self.digit)
        for w in (self.size, self.stride):
            w.valueChanged.connect(lambda _: self.reset())
        self.mode.currentTextChanged.connect(lambda _: self.reset())
        self.grid.itemChanged.connect(lambda _: self.reset())
        self.recompute()

    def recompute(self) -> None:
        x = self.grid.values()
        self.steps, self.pos = [], 0
        self.digit.set_operation(self.size.value(), self.stride.value(), self.mode.currentText())
        if x is None:
            self.message.setText(f"{self.grid.problem('a value')} Fix it (marked red) to see the pooling.")
            return
        try:
            self.steps = list(conv.pool_steps(x, self.size.value(), self.stride.value(), self.mode.currentText()))
        except PlaygroundError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(self.refused_note())
        oh = max(st.row for st in self.steps) + 1
        ow = max(st.col for st in self.steps) + 1
        self.output.set_values(np.zeros((oh, ow)), blank=True)
        n, f, s = x.shape[0], self.size.value(), self.stride.value()
        self.formula.setText(f"<tt>out = floor((n - f)/s) + 1 = floor(({n} - {f})/{s}) + 1 = {oh}</tt>" +
                             remainder_note(n, f, s, 0, "pool_size"))
        self.show_state()

    def show_state(self) -> None:
        if not self.steps:
            return
        for st in self.steps:
            self.output.item(st.row, st.col).setText("")
        for st in self.steps[:self.pos]:
            self.output.item(st.row, st.col).setText(f"{st.value:g}")
        f = self.size.value()
        if self.pos:
            st = self.steps[self.pos - 1]
            colours = {(r, c): WINDOW for r in range(st.top, st.top + f) for c in range(st.left, st.left + f)}
            vals = ", ".join(f"{v:g}" for v in st.terms.ravel())
            op = "max" if self.mode.currentText() == "max" else "mean"
            self.detail.setText(f"Output cell ({st.row + 1}, {st.col + 1}) = {op}({vals}) = <b>{st.value:g}</b>")
            self.output.paint_cells({(s.row, s.col): DONE for s in self.steps[:self.pos - 1]} |
                                    {(st.row, st.col): CURRENT})
        else:
            colours = {}
            self.detail.setText("Press Step to move the window, or Play.")
            self.output.paint_cells({})
        self.grid.paint_cells(colours)
