"""The summary table under the canvas: like ``model.summary()`` with the worked formula of every layer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..core import shapes

from ..core import analysis
from ..core.registry import get_spec


class SummaryTable(QWidget):
    """Layer, type, output shape, parameters, worked formula; totals below. Reads the document's results."""

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Layer", "Type", "Output shape", "Params", "Formula"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        h = self.table.horizontalHeader()
        for i in range(4):
            h.setSectionResizeMode(i, QHeaderView.ResizeToContents)
        h.setSectionResizeMode(4, QHeaderView.Stretch)
        self.totals = QLabel()
        self.totals.setTextFormat(Qt.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addWidget(self.table)
        lay.addWidget(self.totals)
        self.row_ids: list[str] = []
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        doc.changed.connect(self.refresh)
        doc.selection_changed.connect(self.select_node_ids)
        self.refresh()

    def refresh(self) -> None:
        graph, infos = self.doc.graph, self.doc.infos
        self.table.blockSignals(True)
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
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if info.errors:
                    item.setForeground(Qt.red)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        total, trainable = analysis.totals(infos)
        n_err = sum(1 for i in infos.values() if i.errors)
        mem = total * 4 / 2 ** 20
        frozen = f", {total - trainable:,} non-trainable" if total - trainable else ""
        self.totals.setText(f"<b>Total params: {total:,}</b> ({trainable:,} trainable{frozen}) \u00b7 weights {mem:.2f} MiB "
                            f"as float32" + (f" \u00b7 <span style='color:#D64541'>{n_err} layer(s) with errors</span>"
                                             if n_err else ""))
        self.table.blockSignals(False)
        self.select_node_ids(self.doc.selection)

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
