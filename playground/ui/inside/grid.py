"""The explorers' shared parts: an editable number grid and the Back / Step / Play / Reset machinery."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QBoxLayout, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...core import conv
from ..number_box import IntBox, whole_number_problem
from ..theme import GAP, MARGIN, SPACING

WINDOW = QColor(61, 123, 242, 90)
PAD = QColor(150, 150, 150, 60)
DONE = QColor(46, 175, 98, 70)
CURRENT = QColor(232, 131, 58, 140)


class GridEditor(QTableWidget):
    """An editable integer grid; a cell that is not a number turns red and is not used."""

    def __init__(self, values: np.ndarray, editable: bool = True, cell: int = 34):
        super().__init__()
        self.editable = editable
        self.cell = cell
        self.cell_width = cell + 4  # wider for decimals (the filter editor)
        self.bad: set[tuple[int, int]] = set()
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.AllEditTriggers if editable else QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.set_values(values)
        self.itemChanged.connect(self._on_item_changed)

    def set_values(self, values: np.ndarray, blank: bool = False) -> None:
        self.blockSignals(True)
        values = np.asarray(values)
        self.setRowCount(values.shape[0])
        self.setColumnCount(values.shape[1])
        for r in range(values.shape[0]):
            self.setRowHeight(r, self.cell)
            for c in range(values.shape[1]):
                self.setColumnWidth(c, self.cell_width)
                item = QTableWidgetItem("" if blank else f"{values[r, c]:g}")
                item.setTextAlignment(Qt.AlignCenter)
                self.setItem(r, c, item)
        self.bad.clear()
        self.setFixedSize(self.cell_width * values.shape[1] + 4, self.cell * values.shape[0] + 4)
        self.blockSignals(False)

    def values(self) -> np.ndarray | None:
        if self.bad:
            return None
        out = np.zeros((self.rowCount(), self.columnCount()))
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                out[r, c] = float(self.item(r, c).text())
        return out

    def problem(self, what: str = "a weight") -> str | None:
        """The first cell that is not a number, named with what it holds ("Row 2, column 3: a weight must be a finite
        number. Received 'abc'."; ``what``: what a cell is), or None."""
        if not self.bad:
            return None
        r, c = min(self.bad)
        why = (weight_problem(self.item(r, c).text()) or "").replace("A weight", what)
        return f"Row {r + 1}, column {c + 1}: {why}"

    def _on_item_changed(self, item) -> None:
        key = (item.row(), item.column())
        why = weight_problem(item.text())
        self.blockSignals(True)  # the tooltip is not an edit
        item.setToolTip(why or "")
        self.blockSignals(False)
        if why is None:
            self.bad.discard(key)
            item.setBackground(QColor(0, 0, 0, 0))
        else:
            self.bad.add(key)
            item.setBackground(QColor(214, 69, 65, 120))

    def paint_cells(self, colours: dict[tuple[int, int], QColor]) -> None:
        self.blockSignals(True)
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                if (r, c) not in self.bad:
                    self.item(r, c).setBackground(colours.get((r, c), QColor(0, 0, 0, 0)))
        self.blockSignals(False)


class StepExplorer(QWidget):
    """Shared stepping machinery: Back / Step / Play / Reset over a list of window positions."""

    def __init__(self):
        super().__init__()
        self.steps: list[conv.Step] = []
        self._refusals: list = []  # (a whole_box, why it refuses its text)
        self.pos = 0  # number of output cells filled
        self.back_btn = QPushButton("\u25c0 Back")
        self.step_btn = QPushButton("Step \u25b6")
        self.play_btn = QPushButton("Play")
        self.reset_btn = QPushButton("Reset")
        self.timer = QTimer(self)
        self.timer.setInterval(450)
        self.timer.timeout.connect(self._tick)
        self.back_btn.clicked.connect(self.back)
        self.step_btn.clicked.connect(self.step)
        self.play_btn.clicked.connect(self.toggle_play)
        self.reset_btn.clicked.connect(self.reset)
        self.message = QLabel()
        self.message.setStyleSheet("color: #D64541;")
        self.message.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.RichText)
        self.formula = QLabel()
        self.formula.setTextFormat(Qt.RichText)
        self.formula.setWordWrap(True)

    def whole_box(self, name: str, low: int, high: int, value: int) -> IntBox:
        """A whole-number field (``name`` as its label reads): a text it cannot use stays as typed, and the message
        under the grids says why (a QSpinBox put the old value back without a word); the grids keep the last
        value it held."""
        box = IntBox()
        box.setRange(low, high)
        box.setValue(value)

        def why() -> str:
            text = box.lineEdit().text()
            what = whole_number_problem(name, text) if box._parse(text) is None else \
                f"{name} must be a whole number from {low} to {high}. Received {text.strip()!r}."
            return f"{what} The grids show {name} = {box.value()}."
        box.refused.connect(lambda _text: self.message.setText(why()))
        self._refusals.append((box, why))
        box.lineEdit().textEdited.connect(lambda text: box.holds(text) and self.reset())  # (the value may not change)
        return box

    def refused_note(self) -> str:
        """Why a field shows a text the grids do not use ("" when none does): what a recompute that succeeds
        leaves in the message line (Reset or a cell edited erased it, while the field still showed 0)."""
        return next((why() for box, why in self._refusals if box.refusing), "")

    def lay_out(self, intro_text: str, controls, grids, side: QWidget | None = None) -> None:
        """The page every explorer shares: intro and controls on top; below, the stepped grids with their
        buttons, formula and detail on the left, and ``side`` (the same operation on a real digit) filling
        the rest."""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        lay.setSpacing(SPACING)
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addLayout(controls)
        body = self._body = QBoxLayout(QBoxLayout.LeftToRight)
        body.setSpacing(GAP)
        left = QVBoxLayout()
        left.setSpacing(SPACING)
        left.addLayout(grids)
        self._grids = grids
        if isinstance(grids, QGridLayout):  # packed to the left when the page is wider than they are
            grids.setColumnStretch(grids.columnCount(), 1)
        left.addLayout(self.buttons())
        for w in (self.formula, self.detail, self.message):
            left.addWidget(w)
        left.addStretch(1)
        body.addLayout(left, 0)
        self._side = side
        if side is not None:
            body.addWidget(side, 1)
        else:
            body.addStretch(1)
        lay.addLayout(body, 1)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        holder = self.parentWidget()  # a scroll area's viewport: the width there is to share
        if holder is not None and not getattr(self, "_following", False):
            holder.installEventFilter(self)
            self._following = True
        self.arrange()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize and obj is self.parentWidget():
            self.arrange()
        return False

    def arrange(self) -> None:
        """The digit beside the grids where both fit the width there is, else below them (a 7x7 image padded for a
        4x4 filter widened the page past 1280 px, the digit's output and pooling cut off at the right)."""
        if getattr(self, "_side", None) is None:
            return
        holder = self.parentWidget() or self
        width = holder.width()  # with the room a vertical scroll bar takes: the page below is taller than beside
        area = holder.parentWidget()
        if isinstance(area, QAbstractScrollArea) and area.verticalScrollBar().isVisible():
            width += area.verticalScrollBar().width()
        self._grids.invalidate()  # the grids' new sizes (the labels under them wrap to any width)
        need = self._grids.sizeHint().width() + GAP + self._side.minimumSizeHint().width() + 2 * MARGIN
        want = QBoxLayout.LeftToRight if width >= need else QBoxLayout.TopToBottom
        if self._body.direction() != want:
            self._body.setDirection(want)  # below, as wide as it needs, at the left
            self._body.setAlignment(self._side, Qt.AlignLeft if want == QBoxLayout.TopToBottom else Qt.Alignment())

    def buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for b in (self.back_btn, self.step_btn, self.play_btn, self.reset_btn):
            row.addWidget(b)
        row.addStretch(1)
        return row

    def step(self) -> None:
        if self.pos < len(self.steps):
            self.pos += 1
            self.show_state()

    def back(self) -> None:
        if self.pos > 0:
            self.pos -= 1
            self.show_state()

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.play_btn.setText("Play")
        else:
            if self.pos >= len(self.steps):
                self.pos = 0
            self.timer.start()
            self.play_btn.setText("Pause")

    def _tick(self) -> None:
        if self.pos >= len(self.steps):
            self.toggle_play()
            return
        self.step()

    def reset(self) -> None:
        self.timer.stop()
        self.play_btn.setText("Play")
        self.recompute()
        self.arrange()  # the grids' new sizes: where the digit goes


def weight_problem(text: str) -> str | None:
    """Why ``text`` cannot be a weight, as a sentence (None: it can)."""
    from ...core.weights import typed_weight_problem
    why = typed_weight_problem(text)
    return None if why is None else f"{why}."
