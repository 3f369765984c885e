"""Figure widgets for See inside: a colour-mapped grid with hover values, its colour bar, and bars.

They paint what ``core.figures`` decides (scale, colours by sign) and hold no model state: a view
hands them an array and a scale; they draw it sharp (one square per value) as large as they are given.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import (QGridLayout, QLabel, QLayout, QPushButton, QSizePolicy, QToolTip, QVBoxLayout,
                               QWidget)

from ...core.figures import Scale, number, scale_for, tile_layout
from ..images import colour_image, colour_map_name, lookup_table
from ..plain_text import tip
from ..theme import ACCENT, MARGIN, TYPE, card_colours


class Heatmap(QWidget):
    """An (H, W) array drawn as coloured squares on a scale, optionally with each value written in its
    square. Hovering names the cell and its value; a click emits ``clicked`` (selectable tiles)."""

    clicked = Signal()

    def __init__(self, values: np.ndarray | None = None, scale: Scale | None = None, *, cell: int = 4,
                 max_cell: int = 0, numbers: bool = False, name: str = "", cmap: str | None = None,
                 selectable: bool = False, bar: bool = False):
        super().__init__()
        self.cell, self.max_cell, self.numbers, self.name, self.cmap = cell, max_cell, numbers, name, cmap
        self.bar = BAR_WIDTH if bar else 0  # room for a colour bar at the right, as tall as the image
        self.selectable, self.selected = selectable, False
        self.values = np.zeros((1, 1))
        self.scale = Scale(0.0, 1.0, False)
        self._image = None
        self.setMouseTracking(True)
        if selectable:
            self.setCursor(Qt.PointingHandCursor)
        policy = QSizePolicy(QSizePolicy.Expanding if max_cell else QSizePolicy.Fixed,
                             QSizePolicy.Preferred if max_cell else QSizePolicy.Fixed)
        policy.setHeightForWidth(bool(max_cell))  # as tall as its width allows: captions sit right under it
        self.setSizePolicy(policy)
        self.set_values(values if values is not None else np.zeros((1, 1)), scale)

    def set_values(self, values: np.ndarray, scale: Scale | None = None) -> None:
        values = np.asarray(values, dtype=np.float64)
        if values.ndim == 3 and values.shape[-1] == 1:
            values = values[..., 0]
        self.values = values
        self.scale = scale or scale_for(values)
        self._image = colour_image(values, self.scale, self.cmap)
        self.setMinimumSize(self.sizeHint() if not self.max_cell else self._size(self.cell))
        self.updateGeometry()
        self.update()

    def _size(self, cell: int) -> QSize:
        h, w = self.values.shape
        return QSize(w * cell + 2 + self.bar, max(h * cell + 2, 60 if self.bar else 0))

    def sizeHint(self) -> QSize:
        return self._size(self.cell)

    def hasHeightForWidth(self) -> bool:
        return bool(self.max_cell)

    def heightForWidth(self, width: int) -> int:
        h, w = self.values.shape
        c = min(max((width - 2 - self.bar) / w, self.cell), self.max_cell)
        c = c if c < 3 else int(c)
        return max(int(h * c) + 2, 60 if self.bar else 0)

    def set_cell(self, cell: int) -> None:
        """A fixed tile: ``cell`` px per value (a TileGrid decides it)."""
        self.cell = cell
        self.setFixedSize(self._size(cell))

    def set_selected(self, on: bool) -> None:
        self.selected = on
        self.update()

    def cell_size(self) -> float:
        h, w = self.values.shape
        c = min((self.width() - 2 - self.bar) / w, (self.height() - 2) / h)
        if self.max_cell:
            c = min(c, self.max_cell)
        return max(c if c < 3 else float(int(c)), 0.5)  # whole pixels once there is room: sharp squares

    def _area(self) -> QRectF:
        h, w = self.values.shape
        c = self.cell_size()
        left = (self.width() - self.bar - w * c) / 2 if self.max_cell else 1
        return QRectF(left, 1, w * c, h * c)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        area = self._area()
        p.drawImage(area, self._image)
        colours = card_colours()
        if self.numbers:
            self._draw_numbers(p, area)
        pen = QPen(ACCENT, 3) if self.selected else QPen(colours["border"], 1)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawRect(area.adjusted(-0.5, -0.5, 0.5, 0.5) if not self.selected else area.adjusted(1, 1, -1, -1))
        if self.bar:
            paint_bar(p, QRect(int(area.right()) + 8, int(area.top()), 12, max(int(area.height()), 40)), self.scale,
                      self.cmap)
        p.end()

    def _draw_numbers(self, p: QPainter, area: QRectF) -> None:
        h, w = self.values.shape
        c = area.width() / w
        if c < 22:
            return
        f = QFont(self.font())
        f.setPointSizeF(max(6.5, min(10.0, c / 4)))
        p.setFont(f)
        for r in range(h):
            for k in range(w):
                v = self.values[r, k]
                if not np.isfinite(v):
                    continue
                light = self.scale.position(v)
                dark_cell = (self.scale.signed and abs(light - 0.5) > 0.3) or (not self.scale.signed and light < 0.6)
                p.setPen(QColor("white") if dark_cell else QColor("black"))
                p.drawText(QRectF(area.left() + k * c, area.top() + r * c, c, c), Qt.AlignCenter, number(v))

    def cell_at(self, pos) -> tuple[int, int] | None:
        area = self._area()
        if not area.contains(pos):
            return None
        c = area.width() / self.values.shape[1]
        r, k = int((pos.y() - area.top()) // c), int((pos.x() - area.left()) // c)
        if 0 <= r < self.values.shape[0] and 0 <= k < self.values.shape[1]:
            return r, k
        return None

    def hover_text(self, rc: tuple[int, int]) -> str:
        r, k = rc
        head = f"{self.name}: " if self.name else ""
        text = f"{head}row {r + 1}, column {k + 1}: {number(self.values[r, k])}"
        if self.values.size <= 49:  # a filter: all its numbers, like the explorer's grid
            rows = "\n".join("  ".join(f"{number(v):>6}" for v in row) for row in self.values)
            text += "\n" + rows
        return text

    def mouseMoveEvent(self, event) -> None:
        rc = self.cell_at(event.position())
        if rc is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.hover_text(rc), self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        if self.selectable and event.button() == Qt.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class ColourBar(QWidget):
    """The scale beside a figure: the colour ramp with its top, bottom and (signed) zero labelled."""

    def __init__(self, scale: Scale | None = None, cmap: str | None = None, height: int = 120):
        super().__init__()
        self.cmap = cmap
        self.scale = scale or Scale(0.0, 1.0, False)
        self.setFixedWidth(62)
        self.setMinimumHeight(min(height, 80))
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Preferred)
        self._height = height

    def sizeHint(self) -> QSize:
        return QSize(62, self._height)

    def set_scale(self, scale: Scale, cmap: str | None = None) -> None:
        self.scale = scale
        if cmap is not None:
            self.cmap = cmap
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        fm = p.fontMetrics()
        top, bottom = fm.height() // 2 + 1, self.height() - fm.height() // 2 - 1
        paint_bar(p, QRect(2, top, 14, max(bottom - top, 10)), self.scale, self.cmap)
        p.end()


BAR_WIDTH = 62  # a colour bar with its labels


def paint_bar(p: QPainter, bar: QRect, scale: Scale, cmap: str | None) -> None:
    """A vertical colour ramp in ``bar`` with its top, bottom and (signed) zero labelled to its right."""
    lut = lookup_table(cmap or colour_map_name(scale.signed))
    fm = p.fontMetrics()
    if scale.constant is not None:  # one value everywhere (a zeroed filter): its colour, and "all 0", not 0 .. 1
        p.fillRect(bar, QColor(*lut[int(round(float(scale.position(scale.constant)) * 255))]))
        p.setPen(card_colours()["border"])
        p.drawRect(bar)
        p.setPen(card_colours()["text"])
        p.drawText(QPoint(bar.right() + 6, bar.center().y() - 2), "all")
        p.drawText(QPoint(bar.right() + 6, bar.center().y() + fm.ascent()), number(scale.constant))
        return
    grad = QLinearGradient(0, bar.bottom(), 0, bar.top())
    for i in range(0, 256, 16):
        grad.setColorAt(i / 255, QColor(*lut[i]))
    grad.setColorAt(1.0, QColor(*lut[255]))
    p.fillRect(bar, grad)
    p.setPen(card_colours()["border"])
    p.setBrush(Qt.NoBrush)
    p.drawRect(bar)
    p.setPen(card_colours()["text"])
    half = fm.ascent() // 2
    labels = [(scale.hi, bar.top(), half + 1), (scale.lo, bar.bottom(), 0)]
    if scale.signed:
        labels.append((0.0, bar.center().y(), half - 1))
    for v, y, dy in labels:
        p.drawLine(bar.right(), y, bar.right() + 3, y)
        p.drawText(QPoint(bar.right() + 6, y + dy), number(v))


class Bars(QWidget):
    """A vector as bars (dense layers, class probabilities), the largest one highlighted; labels under
    the bars when there are few enough to read."""

    def __init__(self, values: np.ndarray | None = None, labels: list[str] | None = None, height: int = 90,
                 limits: tuple[float, float] | None = None):
        super().__init__()
        self.values = np.zeros(1)
        self.labels: list[str] = list(labels or [])
        self.limits = limits  # a fixed value range (probabilities: 0..1), drawn with grid lines
        self.setMouseTracking(True)
        self.setMinimumHeight(height)
        self.setMinimumWidth(120)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._height = height
        if values is not None:
            self.set_values(values, labels)

    def sizeHint(self) -> QSize:
        return QSize(max(120, 10 * len(self.values)), self._height)

    def set_values(self, values: np.ndarray, labels: list[str] | None = None) -> None:
        self.values = np.asarray(values, dtype=np.float64).ravel()
        if labels is not None:
            self.labels = list(labels)
        self.update()

    def _geometry(self):
        fm = self.fontMetrics()
        label_h = fm.height() + 2 if self.labels and len(self.labels) == len(self.values) else 0
        n = max(len(self.values), 1)
        left = fm.horizontalAdvance("0.75") + 6 if self.limits else 2
        step = (self.width() - left - 2) / n
        return label_h, step, left

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        colours = card_colours()
        label_h, step, x0 = self._geometry()
        v = self.values
        if self.limits:
            lo, hi = self.limits
        else:
            lo, hi = min(0.0, float(np.nanmin(v))) if v.size else 0.0, max(0.0, float(np.nanmax(v))) if v.size else 1.0
        span = (hi - lo) or 1.0
        top = p.fontMetrics().height() // 2 + 1 if self.limits else 2  # room for the top tick's label
        plot_h = self.height() - label_h - top - 2
        zero_y = top + plot_h * hi / span
        best = int(np.nanargmax(v)) if v.size and np.nanmax(v) > 0 else -1
        if self.limits:
            fm = p.fontMetrics()
            for t in np.linspace(lo, hi, 5):
                y = top + plot_h * (hi - t) / span
                p.setPen(colours["grid"])
                p.drawLine(QPoint(x0, int(y)), QPoint(self.width() - 2, int(y)))
                p.setPen(colours["muted"])
                p.drawText(QRectF(0, y - fm.height() / 2, x0 - 4, fm.height()), Qt.AlignRight | Qt.AlignVCenter,
                           f"{t:g}")
        for i, x in enumerate(v):
            left = x0 + i * step
            y = top + plot_h * (hi - max(x, 0)) / span
            h = plot_h * abs(x) / span
            colour = ACCENT if i == best else colours["edge"]
            p.fillRect(QRectF(left + step * 0.12, y if x >= 0 else zero_y, max(step * 0.76, 1), max(h, 0.5)), colour)
        p.setPen(colours["border"])
        p.drawLine(QPoint(x0, int(zero_y)), QPoint(self.width() - 2, int(zero_y)))
        if label_h:
            p.setPen(colours["text"])
            for i, text in enumerate(self.labels):
                p.drawText(QRectF(x0 + i * step, self.height() - label_h, step, label_h), Qt.AlignCenter, text)
        p.end()

    def mouseMoveEvent(self, event) -> None:
        _, step, x0 = self._geometry()
        i = int((event.position().x() - x0) // max(step, 1e-9))
        if 0 <= i < len(self.values):
            name = self.labels[i] if i < len(self.labels) else f"unit {i + 1}"
            QToolTip.showText(event.globalPosition().toPoint(), tip(f"{name}: {number(self.values[i])}"), self)
        super().mouseMoveEvent(event)


def labelled_scale_text(scale: Scale) -> str:
    """'values -0.4 .. 0 .. 0.4 (diverging, 0 is white)' for captions."""
    kind = "blue negative, red positive, white 0" if scale.signed else "from 0"
    return f"{scale.text()} ({kind})"


def remainder_note(n: int, f: int, s: int, p, param: str) -> str:
    """Where a stride leaves a remainder, the inspector's warning for a layer (``shapes.spatial``) as lines to add
    under a formula (the explorers' and the digit's captions), else ""."""
    from ...core.shapes import spatial
    lost = spatial(n, n, f, s, p, param=param, layer="the explorer", stride_param="s")[3]
    return "".join(f"<br><span style='color:#B7791F'>\u26a0 {w}</span>" for w in lost)


def title_label(text: str) -> QLabel:
    """A group title in the type scale's title size, bold: every See-inside page uses these."""
    lab = QLabel(text)
    f = lab.font()
    f.setPointSizeF(TYPE["title"])
    f.setBold(True)
    lab.setFont(f)
    return lab


def caption_label(text: str = "", rich: bool = True) -> QLabel:
    """Small muted text under a figure (its shape, formula or scale)."""
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.RichText if rich else Qt.PlainText)
    f = lab.font()
    f.setPointSizeF(TYPE["small"])
    lab.setFont(f)
    lab.setStyleSheet(f"color: {card_colours()['muted'].name()};")
    return lab


class TileGrid(QWidget):
    """Equal heatmap tiles (a layer's feature maps) laid out in the columns that make them largest in the
    space the widget is given; ``grid`` is the QGridLayout holding one Heatmap per tile."""

    GAP = 3

    def __init__(self):
        super().__init__()
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(self.GAP)
        self.grid.setSizeConstraint(QLayout.SetNoConstraint)  # the tiles follow the widget, not the reverse
        self.grid.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.tiles: list[Heatmap] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(120, 120)

    def set_count(self, n: int) -> list[Heatmap]:
        """Make exactly ``n`` tiles (kept when the count is unchanged)."""
        if len(self.tiles) != n:
            for t in self.tiles:
                self.grid.removeWidget(t)
                t.deleteLater()
            self.tiles = [Heatmap(cell=2) for _ in range(n)]
            for t in self.tiles:
                self.grid.addWidget(t)
        return self.tiles

    def relayout(self) -> None:
        if not self.tiles:
            return
        h, w = self.tiles[0].values.shape
        cols, cell = tile_layout(len(self.tiles), self.width(), self.height(), h, w, self.GAP + 2)  # +2: borders
        for t in self.tiles:
            self.grid.removeWidget(t)
        for i, t in enumerate(self.tiles):
            t.set_cell(cell)
            self.grid.addWidget(t, i // cols, i % cols)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()


class EmptyState(QWidget):
    """The same empty state on every page: what to do, and a button that does it."""

    def __init__(self, text: str, button: str):
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(MARGIN, MARGIN * 3, MARGIN, MARGIN)
        self.label = title_label(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignHCenter)
        self.button = QPushButton(button)
        lay.addWidget(self.label)
        lay.addWidget(self.button, 0, Qt.AlignHCenter)
        lay.addStretch(1)
