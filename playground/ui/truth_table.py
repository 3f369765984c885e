"""The Logic lab's truth table: the input bits, out, target and a tick, then every neuron's ``z -> a``.

A layer of several neurons has its name written once, over its neurons' columns (``copy_negate`` over #1 to #4),
not in every column. Where the ``z -> a`` cells still do not fit the panel (xnor-case2 has eight neurons), the neuron
cells show ``a`` alone, each with ``z -> a`` in its tooltip, and a line under the table says so; a wider panel
brings ``z`` back. Before, its 13 columns scrolled sideways at every window size.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSplitter, QStyle, QStyleOptionHeader,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core import logic
from .weight_grid import unit_name

TO = "\u2192"  # "z -> a" in a cell (thin spaces round the arrow took 33 px of xnor-case2's row at 1480x900)
GREEN, RED = "#2EAF62", "#D64541"
FULL, COMPACT = Qt.UserRole, Qt.UserRole + 1  # a cell's two texts: "z -> a" and "a"
NARROW = ("The panel is too narrow for z \u2192 a, so each neuron's cell shows its a. Hover a cell for its z, or "
          "widen the panel.")


class GroupHeader(QHeaderView):
    """A horizontal header that writes a layer's name once over its neurons' columns, and ``#1``, ``#2``... under
    it. The header items keep their whole text (``copy_negate\\n#1``) for tooltips and for anyone reading them."""

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignCenter)
        # sized by TruthTableView._texts, once a fill: in ResizeToContents mode each of a fill's items re-measured
        # every column (1,092 measures, 48 ms for xnor-case2's table)
        self.setSectionResizeMode(QHeaderView.Fixed)
        self.setMinimumSectionSize(18)  # x1, x2 and the tick: the style's 26 px each
        self.groups: list[tuple[str, str]] = []  # per column: (its layer's name, "" when not grouped; the line under)

    def span(self, logical: int) -> tuple[int, int]:
        """The first and last column of ``logical``'s group."""
        group = self.groups[logical][0]
        first = last = logical
        while first > 0 and self.groups[first - 1][0] == group:
            first -= 1
        while last + 1 < len(self.groups) and self.groups[last + 1][0] == group:
            last += 1
        return first, last

    def _grouped(self, logical: int) -> bool:
        return 0 <= logical < len(self.groups) and bool(self.groups[logical][0])

    def sectionSizeFromContents(self, logical: int):
        size = super().sectionSizeFromContents(logical)  # the whole two-line text: its height is the header's
        if self._grouped(logical):
            group, line = self.groups[logical]
            fm = self.fontMetrics()
            bold = QFont(self.font())
            bold.setBold(True)  # Qt measures a section's text in bold (a highlighted section must still fit)
            measured = QFontMetrics(bold)
            text = max(str(self.model().headerData(logical, Qt.Horizontal)).split("\n"),
                       key=measured.horizontalAdvance)
            pad = size.width() - measured.horizontalAdvance(text)  # the style's margins round a section's text
            first, last = self.span(logical)
            size.setWidth(pad + max(fm.horizontalAdvance(line), math.ceil(fm.horizontalAdvance(group) /
                                                                         (last - first + 1))))
        return size

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        if not self._grouped(logical):
            return super().paintSection(painter, rect, logical)
        group, line = self.groups[logical]
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)
        opt.rect, opt.section, opt.text = rect, logical, ""
        opt.textAlignment = Qt.AlignCenter
        self.style().drawControl(QStyle.CE_Header, opt, painter, self)
        half = rect.height() // 2
        first, last = self.span(logical)
        if logical != last:  # no divider through the name: the top half again, its right edge drawn past the clip
            painter.save()
            painter.setClipRect(QRect(rect.x(), rect.y(), rect.width(), half))
            opt.rect = rect.adjusted(0, 0, 8, 0)
            self.style().drawControl(QStyle.CE_Header, opt, painter, self)
            painter.restore()
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(QRect(rect.x(), rect.y() + half, rect.width(), rect.height() - half), Qt.AlignCenter, line)
        x0 = self.sectionViewportPosition(first)
        x1 = self.sectionViewportPosition(last) + self.sectionSize(last)
        painter.save()
        painter.setClipRect(rect)  # each column draws its own piece of the name written across the group
        painter.drawText(QRect(x0, rect.y(), x1 - x0, half), Qt.AlignHCenter | Qt.AlignBottom, group)  # (its _ clear)
        painter.restore()


class TruthTableView(QTableWidget):
    """The table itself; ``caption`` is the line the panel shows under it while the cells show ``a`` alone."""

    compact_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(0, 0, parent)
        self.setHorizontalHeader(GroupHeader(self))
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.verticalHeader().setDefaultSectionSize(26)
        self.caption = QLabel(NARROW)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: gray;")
        self.caption.hide()
        self.compact = False
        self._full_width = 0  # the columns' width with z -> a in every cell
        self.hold = False  # while Learn instead runs: the a-only form stays, so the table cannot flicker between forms

    def clear_table(self) -> None:
        self.setRowCount(0)
        self.setColumnCount(0)
        self.caption.hide()

    def fill(self, t: logic.TruthTable, graph) -> None:
        """One column per input bit, out, target and a tick, then one per neuron showing ``z -> a``."""
        n = t.inputs.shape[1]
        heads = [f"x{i + 1}" for i in range(n)] + ["out", "target", ""]
        tips = [f"input bit {i + 1}" for i in range(n)] + ["the network's output; an output \u2265 0.5 counts as 1",
                                                            "what the gate should give", "right or wrong"]
        groups = [("", "")] * len(heads)
        names = []
        for tr in t.layers:
            units = tr.z.shape[1]
            for u in range(units):
                heads.append(unit_name(tr.name, u, units).replace(" #", "\n#"))
                names.append(unit_name(tr.name, u, units))
                tips.append(f"{unit_name(tr.name, u, units)}: z = w0 + sum wi*xi, then a = activation(z)")
                groups.append((tr.name, f"#{u + 1}") if units > 1 else ("", ""))
        self.horizontalHeader().groups = groups
        self.setColumnCount(len(heads))
        self.setHorizontalHeaderLabels(heads)
        for c, tip in enumerate(tips):
            self.horizontalHeaderItem(c).setToolTip(tip)
        self.setRowCount(len(t.inputs))
        self.setVerticalHeaderLabels([f"row {i + 1}" for i in range(len(t.inputs))])
        last = graph.nodes.get(t.layers[-1].node_id) if t.layers else None
        as_prob = logic.short_prob if last is not None and last.params.get("activation") == "sigmoid" else logic.short
        for r in range(len(t.inputs)):
            ok = t.target is not None and r not in t.wrong_rows
            out = float(t.output[r, 0])
            out_text = f"{out:g}" if out in (0.0, 1.0) else f"{as_prob(out)}{TO}{int(logic.predicted_bits(out))}"
            cells = [(f"{int(v)}",) * 2 for v in t.inputs[r]] + [(out_text,) * 2] + \
                [("" if t.target is None else f"{int(t.target[r])}",) * 2] + \
                [("" if t.target is None else ("\u2713" if ok else "\u2717"),) * 2]
            for tr in t.layers:
                node = graph.nodes.get(tr.node_id)
                prob = node is not None and node.params.get("activation") == "sigmoid"
                for u in range(tr.z.shape[1]):  # a sigmoid's a to three decimals (0.000465: 0.000), others short
                    a = logic.short_prob(float(tr.a[r, u])) if prob else logic.short(float(tr.a[r, u]))
                    cells.append((f"{logic.short(tr.z[r, u])}{TO}{a}", a))
            for c, (full, compact) in enumerate(cells):
                item = QTableWidgetItem(full)
                item.setData(FULL, full)
                item.setData(COMPACT, compact)
                if c >= n + 3:
                    item.setToolTip(f"row {r + 1}, {names[c - n - 3]}: z{TO}a = {full}")
                item.setTextAlignment(Qt.AlignCenter)
                if c == n + 2 and t.target is not None:
                    item.setForeground(QColor(GREEN if ok else RED))
                if t.target is not None and not ok:
                    item.setBackground(QColor(214, 69, 65, 40))
                self.setItem(r, c, item)
        self._measure()

    def _texts(self, role) -> None:
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                if item is not None:
                    item.setText(item.data(role))
        self.resizeColumnsToContents()

    def _measure(self) -> None:
        """The width every column needs with ``z -> a``, then the form that fits the panel."""
        held = self.hold and self.compact
        self._texts(FULL)
        self._full_width = self.horizontalHeader().length()
        self.compact = False
        self._fit(held)

    def _fit(self, held: bool | None = None) -> None:
        held = self.hold and self.compact if held is None else held
        compact = self.columnCount() > 0 and (held or self._full_width > self.viewport().width())
        if compact != self.compact:
            self.compact = compact
            self._texts(COMPACT if compact else FULL)
        shown = compact and self.isVisible()
        if shown != self.caption.isVisible():
            self.caption.setVisible(shown)
            self.compact_changed.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()


class TableSplit(QSplitter):
    """The table over the neuron editor. The table's pane is as tall as its rows (up to ``MAX_ROWS``) and the
    editor gets the rest, until the user drags the handle: at 1280x720 a fixed 230 px left empty space under four
    rows while the editor, after Add hidden layer, showed w0 and half of w1."""

    MAX_ROWS = 8

    def __init__(self, table: TruthTableView, editor: QWidget):
        super().__init__(Qt.Vertical)
        self.table = table
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(table, 1)
        lay.addWidget(table.caption)
        self.addWidget(box)
        self.addWidget(editor)
        self.setSizes([230, 330])
        self.dragged = False
        self.splitterMoved.connect(self._moved)
        table.compact_changed.connect(lambda: QTimer.singleShot(0, self.fit))

    def _moved(self, *_args) -> None:
        self.dragged = True

    def fit(self) -> None:
        t = self.table
        if self.dragged or not t.isVisible() or not t.rowCount():
            return
        need = t.horizontalHeader().sizeHint().height() + min(t.rowCount(), self.MAX_ROWS) * \
            t.verticalHeader().defaultSectionSize() + 2 * t.frameWidth() + 2
        if t.horizontalHeader().length() > t.viewport().width():  # a panel dragged narrower still: room for the bar
            need += t.horizontalScrollBar().sizeHint().height()
        if t.caption.isVisible():
            need += t.caption.heightForWidth(max(t.width(), 1)) + self.widget(0).layout().spacing()
        total = sum(self.sizes())
        if total > 0:
            top = min(need, total // 2)  # the editor keeps at least half
            self.setSizes([top, total - top])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()
