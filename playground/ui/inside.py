"""See inside: the lecture's convolution and pooling examples, stepped cell by cell; a trained model's
filters and feature maps; and a pad to draw a digit and watch the class probabilities.

Why this module is long: four explorers share it until the See-inside redesign splits it into a
package, one explorer per module.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from ..core import conv
from ..core.errors import PlaygroundError
from .images import array_to_pixmap

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
                self.setColumnWidth(c, self.cell + 4)
                item = QTableWidgetItem("" if blank else f"{values[r, c]:g}")
                item.setTextAlignment(Qt.AlignCenter)
                self.setItem(r, c, item)
        self.bad.clear()
        self.setFixedSize(self.cell * values.shape[1] + 4 * values.shape[1] + 4, self.cell * values.shape[0] + 4)
        self.blockSignals(False)

    def values(self) -> np.ndarray | None:
        if self.bad:
            return None
        out = np.zeros((self.rowCount(), self.columnCount()))
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                out[r, c] = float(self.item(r, c).text())
        return out

    def _on_item_changed(self, item) -> None:
        key = (item.row(), item.column())
        try:
            v = float(item.text())
            ok = np.isfinite(v)
        except ValueError:
            ok = False
        if ok:
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

    def lay_out(self, intro_text: str, controls, grids) -> None:
        """The page both explorers share: intro, controls, grids, stepping buttons, formula, detail."""
        lay = QVBoxLayout(self)
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addLayout(controls)
        lay.addLayout(grids)
        lay.addLayout(self.buttons())
        for w in (self.formula, self.detail, self.message):
            lay.addWidget(w)
        lay.addStretch(1)

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


class ConvExplorer(StepExplorer):
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
        self.image = GridEditor(conv.LECTURE_IMAGE)
        self.kernel = GridEditor(conv.VERTICAL_EDGE)
        self.padded = GridEditor(np.zeros((6, 6)), editable=False)
        self.output = GridEditor(np.zeros((4, 4)), editable=False)
        self.stride = QSpinBox()
        self.stride.setRange(1, 6)
        self.padding = QComboBox()
        self.padding.addItems(["0", "1", "2", "same"])
        self.size = QSpinBox()
        self.size.setRange(3, 12)
        self.size.setValue(6)
        self.fsize = QSpinBox()
        self.fsize.setRange(1, 7)
        self.fsize.setValue(3)
        ctl = QHBoxLayout()
        for label, w in (("preset", self.preset), ("image n", self.size), ("filter f", self.fsize),
                         ("stride s", self.stride), ("padding p", self.padding)):
            ctl.addWidget(QLabel(label))
            ctl.addWidget(w)
        ctl.addStretch(1)
        grids = QGridLayout()
        grids.addWidget(QLabel("<b>Image</b> (edit the numbers)"), 0, 0)
        grids.addWidget(QLabel("<b>Filter</b>"), 0, 1)
        grids.addWidget(QLabel("<b>Padded input</b> (window in blue)"), 0, 2)
        grids.addWidget(QLabel("<b>Output</b>"), 0, 3)
        grids.addWidget(self.image, 1, 0, Qt.AlignTop)
        grids.addWidget(self.kernel, 1, 1, Qt.AlignTop)
        grids.addWidget(self.padded, 1, 2, Qt.AlignTop)
        grids.addWidget(self.output, 1, 3, Qt.AlignTop)
        self.lay_out("Convolution slides the filter over the image; each output cell is the sum of the element-wise "
                     "products under the window (cross-correlation, as Keras computes it).", ctl, grids)
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
        self.reset()

    def _resize_grid(self, grid: GridEditor, n: int) -> None:
        """Resize a square grid to n x n, keeping the values that still fit and padding with zeros."""
        old = grid.values()
        new = np.zeros((n, n))
        if old is not None:
            k = min(n, old.shape[0])
            new[:k, :k] = old[:k, :k]
        grid.set_values(new)
        self.reset()

    def pad_value(self):
        t = self.padding.currentText()
        return t if t == "same" else int(t)

    def recompute(self) -> None:
        img, ker = self.image.values(), self.kernel.values()
        self.steps, self.pos = [], 0
        if img is None or ker is None:
            self.message.setText("A cell is not a number (marked red); fix it to see the convolution.")
            return
        try:
            self.steps = list(conv.conv_steps(img, ker, self.stride.value(), self.pad_value()))
        except PlaygroundError as exc:
            self.message.setText(str(exc))
            self.output.set_values(np.zeros((1, 1)), blank=True)
            return
        self.message.setText("")
        f, s, p = ker.shape[0], self.stride.value(), self.pad_value()
        self.x_padded = conv.pad2d(img, f, s, p)
        self.padded.set_values(self.x_padded)
        oh = max(st.row for st in self.steps) + 1
        ow = max(st.col for st in self.steps) + 1
        self.output.set_values(np.zeros((oh, ow)), blank=True)
        n = img.shape[0]
        if p == "same":
            self.formula.setText(f"<tt>same: out = ceil(n/s) = ceil({n}/{s}) = {oh}</tt>")
        else:
            self.formula.setText(f"<tt>out = floor((n + 2p - f)/s) + 1 = floor(({n} + 2*{p} - {f})/{s}) + 1 = "
                                 f"{oh}</tt>  \u00b7  {oh}x{ow} output")
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


class PoolExplorer(StepExplorer):
    def __init__(self):
        super().__init__()
        self.grid = GridEditor(conv.POOL_GRID)
        self.output = GridEditor(np.zeros((2, 2)), editable=False)
        self.mode = QComboBox()
        self.mode.addItems(["max", "avg"])
        self.size = QSpinBox()
        self.size.setRange(1, 6)
        self.size.setValue(2)
        self.stride = QSpinBox()
        self.stride.setRange(1, 6)
        self.stride.setValue(2)
        ctl = QHBoxLayout()
        for label, w in (("mode", self.mode), ("size f", self.size), ("stride s", self.stride)):
            ctl.addWidget(QLabel(label))
            ctl.addWidget(w)
        ctl.addStretch(1)
        grids = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Input</b> (edit the numbers)"))
        left.addWidget(self.grid)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Output</b>"))
        right.addWidget(self.output)
        grids.addLayout(left)
        grids.addLayout(right)
        grids.addStretch(1)
        self.lay_out("Pooling summarises each window: max keeps the strongest response, average keeps the mean. "
                     "It has no parameters to learn.", ctl, grids)
        for w in (self.size, self.stride):
            w.valueChanged.connect(lambda _: self.reset())
        self.mode.currentTextChanged.connect(lambda _: self.reset())
        self.grid.itemChanged.connect(lambda _: self.reset())
        self.recompute()

    def recompute(self) -> None:
        x = self.grid.values()
        self.steps, self.pos = [], 0
        if x is None:
            self.message.setText("A cell is not a number (marked red); fix it to see the pooling.")
            return
        try:
            self.steps = list(conv.pool_steps(x, self.size.value(), self.stride.value(), self.mode.currentText()))
        except PlaygroundError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("")
        oh = max(st.row for st in self.steps) + 1
        ow = max(st.col for st in self.steps) + 1
        self.output.set_values(np.zeros((oh, ow)), blank=True)
        n, f, s = x.shape[0], self.size.value(), self.stride.value()
        self.formula.setText(f"<tt>out = floor((n - f)/s) + 1 = floor(({n} - {f})/{s}) + 1 = {oh}</tt>")
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


class ModelView(QWidget):
    """The trained model: first-layer filters, feature maps of a chosen sample, activation shapes."""

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.filters = QGridLayout()
        self.layer = QComboBox()
        self.sample = QSpinBox()
        self.sample.setRange(0, 9999)
        self.maps = QGridLayout()
        self.shapes = QLabel()
        self.shapes.setTextFormat(Qt.RichText)
        self.sample_img = QLabel()
        fbox = QGroupBox("First convolution's filters (learned)")
        fw = QWidget()
        fw.setLayout(self.filters)
        QVBoxLayout(fbox).addWidget(fw)
        mbox = QGroupBox("Feature maps")
        ml = QVBoxLayout(mbox)
        row = QHBoxLayout()
        row.addWidget(QLabel("layer"))
        row.addWidget(self.layer)
        row.addWidget(QLabel("test example"))
        row.addWidget(self.sample)
        row.addWidget(self.sample_img)
        row.addStretch(1)
        ml.addLayout(row)
        mw = QWidget()
        mw.setLayout(self.maps)
        ml.addWidget(mw)
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(self.info)
        left.addWidget(fbox)
        left.addWidget(mbox, 1)
        lay.addLayout(left, 3)
        sbox = QGroupBox("Activation shapes")
        QVBoxLayout(sbox).addWidget(self.shapes)
        lay.addWidget(sbox, 1)
        self.layer.currentTextChanged.connect(lambda _: self.show_maps())
        self.sample.valueChanged.connect(lambda _: self.show_maps())

    @staticmethod
    def _clear(grid) -> None:
        while grid.count():
            w = grid.takeAt(0).widget()
            if w:
                w.deleteLater()

    def refresh(self) -> None:
        model = self.doc.trained_model
        self._clear(self.filters)
        self._clear(self.maps)
        if model is None:
            self.info.setText("Train a model first (Train workspace, F5); its filters and feature maps appear here.")
            self.layer.clear()
            self.shapes.setText("")
            return
        from ..backend import inspect
        self.info.setText(f"Model <b>{model.name}</b>: {model.count_params():,} parameters.")
        k = inspect.first_conv_filters(model)
        if k is not None:
            for i in range(min(k.shape[-1], 32)):
                lab = QLabel()
                lab.setPixmap(array_to_pixmap(k[:, :, 0, i], 40, normalise=True))
                lab.setToolTip(f"filter {i + 1}")
                self.filters.addWidget(lab, i // 16, i % 16)
        else:
            self.filters.addWidget(QLabel("This model has no Conv2D layer."), 0, 0)
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(inspect.map_layers(model))
        self.layer.blockSignals(False)
        rows = "".join(f"<tr><td>{n}</td><td>{t}</td><td><tt>{'x'.join(map(str, s))}</tt></td></tr>"
                       for n, t, s in inspect.activation_shapes(model))
        self.shapes.setText(f"<table cellspacing=4>{rows}</table>")
        self.show_maps()

    def show_maps(self) -> None:
        self._clear(self.maps)
        outcome = self.doc.trained_outcome
        model = self.doc.trained_model
        name = self.layer.currentText()
        if model is None or outcome is None or not name:
            return
        data = outcome.data
        x_all = data.x_test if data.x_test is not None else data.x_train
        i = min(self.sample.value(), len(x_all) - 1)
        raw = outcome.dataset.x_test if outcome.dataset.x_test is not None else outcome.dataset.x_train
        if raw.ndim >= 3:
            self.sample_img.setPixmap(array_to_pixmap(raw[i], 40))
        from ..backend import inspect
        maps = inspect.feature_maps(model, name, x_all[i])
        for c in range(min(maps.shape[-1], 32)):
            lab = QLabel()
            lab.setPixmap(array_to_pixmap(maps[:, :, c], 64, normalise=True))
            lab.setToolTip(f"{name} channel {c + 1}")
            self.maps.addWidget(lab, c // 8, c % 8)


class DrawPad(QWidget):
    """A 280x280 canvas drawn with the mouse; ``image(size)`` gives it MNIST-style (white on black)."""

    def __init__(self, on_change):
        super().__init__()
        self.on_change = on_change
        self.setFixedSize(280, 280)
        self.canvas = QImage(280, 280, QImage.Format_Grayscale8)
        self.canvas.fill(0)
        self.last: QPointF | None = None
        self.setCursor(Qt.CrossCursor)

    def clear(self) -> None:
        self.canvas.fill(0)
        self.update()
        self.on_change()

    def draw_line(self, a: QPointF, b: QPointF) -> None:
        p = QPainter(self.canvas)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor(255, 255, 255), 22, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        p.drawLine(a, b)
        p.end()
        self.update()

    def mousePressEvent(self, event):
        self.last = event.position()
        self.draw_line(self.last, self.last)

    def mouseMoveEvent(self, event):
        if self.last is not None:
            self.draw_line(self.last, event.position())
            self.last = event.position()

    def mouseReleaseEvent(self, event):
        self.last = None
        self.on_change()

    def paintEvent(self, event):
        p = QPainter(self)
        p.drawImage(0, 0, self.canvas)
        p.setPen(QColor(90, 90, 90))
        p.drawRect(0, 0, 279, 279)

    def array(self) -> np.ndarray:
        ptr = self.canvas.constBits()
        a = np.frombuffer(ptr, dtype=np.uint8, count=self.canvas.bytesPerLine() * 280)
        return a.reshape(280, self.canvas.bytesPerLine())[:, :280].astype(np.float64) / 255.0

    def image(self, side: int = 28) -> np.ndarray:
        """The drawing as MNIST does it: the ink's bounding box scaled into 20x20, centred by mass in 28x28."""
        a = self.array()
        ys, xs = np.nonzero(a > 0.05)
        if len(xs) == 0:
            return np.zeros((side, side))
        crop = a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        inner = round(side * 20 / 28)
        scale = inner / max(crop.shape)
        h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
        small = _resize(crop, h, w)
        out = np.zeros((side, side))
        top, left = (side - h) // 2, (side - w) // 2
        out[top:top + h, left:left + w] = small
        total = out.sum()
        if total > 0:
            cy = (out.sum(axis=1) * np.arange(side)).sum() / total
            cx = (out.sum(axis=0) * np.arange(side)).sum() / total
            out = np.roll(out, (int(round(side / 2 - 0.5 - cy)), int(round(side / 2 - 0.5 - cx))), axis=(0, 1))
        return np.clip(out, 0, 1)


def _resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Area-average resize (pure numpy): each output pixel is the mean of the input pixels it covers."""
    ys = np.linspace(0, a.shape[0], h + 1)
    xs = np.linspace(0, a.shape[1], w + 1)
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            block = a[int(ys[i]):max(int(np.ceil(ys[i + 1])), int(ys[i]) + 1),
                      int(xs[j]):max(int(np.ceil(xs[j + 1])), int(xs[j]) + 1)]
            out[i, j] = block.mean()
    return out


class DigitPanel(QWidget):
    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.pad = DrawPad(self.predict)
        self.preview = QLabel()
        self.clear_btn = QPushButton("Clear")
        self.clear_btn.clicked.connect(self.pad.clear)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.bars = None  # the chart is built on first show
        self.probabilities: np.ndarray | None = None
        left = QVBoxLayout()
        left.addWidget(QLabel("Draw a digit (white on black), then release the mouse:"))
        left.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(self.clear_btn)
        row.addWidget(QLabel("model sees:"))
        row.addWidget(self.preview)
        row.addStretch(1)
        left.addLayout(row)
        left.addWidget(self.status)
        left.addStretch(1)
        self.lay = QHBoxLayout(self)
        self.lay.addLayout(left)

    def _ensure_bars(self) -> None:
        if self.bars is not None:
            return
        from .theme import card_colours
        self.bars = pg.PlotWidget(title="Class probabilities", background=card_colours()["card"])
        self.bars.setYRange(0, 1)
        self.bars.setMouseEnabled(False, False)
        self.bars.setLabel("bottom", "class")
        self.bar_item = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, brush="#3D7BF2")
        self.bars.addItem(self.bar_item)
        self.lay.addWidget(self.bars, 1)

    def showEvent(self, event):
        self._ensure_bars()
        super().showEvent(event)

    def predict(self) -> None:
        self._ensure_bars()
        model = self.doc.trained_model
        if model is None:
            self.status.setText("Train a digit model first (Train workspace, F5), then draw.")
            return
        from ..backend import inspect
        shape = inspect.input_shape(model)
        side = shape[0] if len(shape) == 3 else int(round(np.sqrt(shape[0])))
        if side * side * (shape[-1] if len(shape) == 3 else 1) != int(np.prod(shape)) or \
                (len(shape) == 3 and shape[-1] != 1):
            self.status.setText(f"The trained model takes {'x'.join(map(str, shape))} inputs; the pad draws grey "
                                f"square digits (28x28x1 or 784).")
            return
        img = self.pad.image(side)
        self.preview.setPixmap(array_to_pixmap(img, 56))
        probs = inspect.predict_one(model, img.reshape(shape))
        self.probabilities = probs
        self.bar_item.setOpts(x=np.arange(len(probs)), height=probs)
        best = int(np.argmax(probs))
        self.status.setText(f"Prediction: <b>{best}</b> ({probs[best]:.0%}).")


class InsidePanel(QTabWidget):
    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.conv = ConvExplorer()
        self.pool = PoolExplorer()
        self.model_view = ModelView(doc)
        self.digits = DigitPanel(doc)
        self.addTab(self.conv, "Convolution")
        self.addTab(self.pool, "Pooling")
        self.addTab(self.model_view, "Inside the trained model")
        self.addTab(self.digits, "Draw a digit")
        self.currentChanged.connect(lambda _: self.refresh())

    def refresh(self) -> None:
        if self.currentWidget() is self.model_view:
            self.model_view.refresh()
