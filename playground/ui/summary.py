"""The summary table under the canvas: like ``model.summary()`` with the worked formula of every layer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..core import shapes

from ..core import analysis, limits
from ..core.registry import get_spec
from ..core.files import fmt_bytes
from ..core.words import count
from .theme import FittingLabel


NAME_WIDTH = 170  # px: the Layer column never grows past this (the full name is in the tooltip)
FORMULA_MIN = 170  # px: two or three lines of a formula, not a word a line


def size_text(n_bytes: int) -> str:
    """Bytes in the unit that reads best: ``2.0 KiB``, ``0.86 MiB``, ``1.2 GiB``."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    for unit, scale in (("KiB", 2 ** 10), ("MiB", 2 ** 20), ("GiB", 2 ** 30), ("TiB", 2 ** 40), ("PiB", 2 ** 50)):
        if n_bytes < scale * 1024 or unit == "PiB":
            value = n_bytes / scale
            return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}" if value < 100 else \
                f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


class SummaryTable(QWidget):
    """Layer, type, output shape, parameters, worked formula; totals below. Reads the document's results."""

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Layer", "Type", "Output shape", "Params", "Formula"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the next panel, not cell by cell
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.Interactive)  # sized in refresh(): a long name cannot squeeze Formula
        h.setSectionResizeMode(4, QHeaderView.Stretch)  # the other columns and the rows: refresh() (_sizing)
        # a long formula wraps onto a second line instead of being cut; a long name is elided in the middle
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.ElideMiddle)
        self.table.verticalHeader().setMinimumSectionSize(24)
        self.totals = FittingLabel()  # wrapped: one line of totals (612 px) kept the canvas from giving up width
        self.totals.setTextFormat(Qt.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addWidget(self.table)
        lay.addWidget(self.totals)
        self.row_ids: list[str] = []
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        doc.changed.connect(self.refresh)
        doc.masked_changed.connect(self.refresh)
        doc.selection_changed.connect(self.select_node_ids)
        doc.replaced.connect(self.table.scrollToTop)  # another project starts at its first layer, not mid-table
        self.refresh()

    def _sizing(self, mode) -> None:
        """Rows and the Type, Output shape and Params columns: sized to their contents, or left alone."""
        for i in range(1, 4):
            self.table.horizontalHeader().setSectionResizeMode(i, mode)
        self.table.verticalHeader().setSectionResizeMode(mode)

    def refresh(self) -> None:
        graph, infos = self.doc.graph, self.doc.infos
        self.table.blockSignals(True)
        # Filled with the sizing off and sized once at the end: sized to contents, every new cell made Qt measure
        # every row again, so n layers cost n^2 (DenseNet121's 429 rows: 31 s for each edit, against 0.03 s)
        self._sizing(QHeaderView.Interactive)
        order = graph.topological_order()
        self.table.setRowCount(len(order))
        self.row_ids = order
        for r, nid in enumerate(order):
            node, info = graph.nodes[nid], infos[nid]
            spec = get_spec(node.kind)
            formula = info.full_formula
            if info.errors:
                formula = "error: " + info.errors[0]
            elif info.status == "blocked":
                formula = "not computed: an earlier layer has an error"
            elif info.warnings:
                formula += "   \u26a0 " + info.warnings[0]
            cells = [node.name, spec.title, shapes.shape_text(info.shape), f"{info.params:,}", formula]
            if nid in self.doc.masked and not info.errors:  # a lesson asks for this size: predict first, then see
                cells[2:] = ["?", "?", "hidden while the lesson asks you to predict it"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if info.errors:
                    item.setForeground(Qt.red)
                item.setToolTip(f"{text} ({spec.title})" if c == 0 else text)  # the type, when its column is hidden
                self.table.setItem(r, c, item)
        self._sizing(QHeaderView.ResizeToContents)
        self.table.resizeColumnToContents(0)
        if self.table.columnWidth(0) > NAME_WIDTH:
            self.table.setColumnWidth(0, NAME_WIDTH)
        self._fit_formula()
        total, trainable = analysis.totals(infos)
        n_err = sum(1 for i in infos.values() if i.errors)
        frozen = f", {total - trainable:,} non-trainable" if total - trainable else ""
        self.totals.setText(f"<b>Total params: {total:,}</b> ({trainable:,} trainable{frozen}) \u00b7 weights "
                            f"{size_text(total * 4)} "
                            f"as float32" + (f" \u00b7 <span style='color:#D64541'>{count(n_err, 'layer')} with "
                                             f"errors</span>" if n_err else "") + self._too_large(total))
        if self.doc.masked:  # the total would give a lesson's answer away
            self.totals.setText("<b>Total params: ?</b> (a lesson asks you to predict it)")  # (one line at 1280x720)
        self.table.blockSignals(False)
        self.select_node_ids(self.doc.selection)

    @staticmethod
    def _too_large(total: int) -> str:
        """Said where training could never fit: its weights, gradients and optimizer state (four copies, as
        ``limits.check_network_fits`` counts before a run) past the memory this machine has now."""
        need = limits.training_bytes(total * limits.BYTES_PER_VALUE)
        if need < 2 ** 30:
            return ""
        have = limits.available_memory()
        if have is None or need <= have:
            return ""
        return (f" \u00b7 <span style='color:#D64541'>too large to train on this machine: training needs about "
                f"{fmt_bytes(need)} and {fmt_bytes(have)} is available now</span>")  # (Start's refusal's units)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_formula()

    def _fit_formula(self) -> None:
        """The Formula column at least FORMULA_MIN wide: in a narrow table (beside the lessons at 1280x720) the
        Type column goes first (the name's tooltip says it), then the table scrolls sideways. It was 90 px, one word
        a line and rows eight lines high."""
        t, h = self.table, self.table.horizontalHeader()
        room = t.viewport().width() - sum(t.columnWidth(i) for i in (0, 2, 3))
        hide_type = room - t.columnWidth(1) < FORMULA_MIN if not t.isColumnHidden(1) else \
            room - t.sizeHintForColumn(1) < FORMULA_MIN
        t.setColumnHidden(1, hide_type)
        if not hide_type:
            room -= t.columnWidth(1)
        if room < FORMULA_MIN:
            h.setSectionResizeMode(4, QHeaderView.Interactive)
            t.setColumnWidth(4, FORMULA_MIN)
        elif h.sectionResizeMode(4) != QHeaderView.Stretch:
            h.setSectionResizeMode(4, QHeaderView.Stretch)

    def select_node_ids(self, ids: list) -> None:
        self.table.blockSignals(True)
        self.table.clearSelection()
        if ids and ids[0] in self.row_ids:
            self.table.selectRow(self.row_ids.index(ids[0]))
        self.table.blockSignals(False)

    def _on_row_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            self.doc.select([self.row_ids[min(rows)]])
