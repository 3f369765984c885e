"""The layer palette: grouped by category, searchable (Ctrl+F), each entry with an icon and a one-line help.
Entries are dragged onto the canvas (or double-clicked to add at the centre)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..core.registry import by_category
from . import theme
from .canvas.view import MIME_LAYER

CATEGORY_TITLES = {"input": "Input", "core": "Core", "convolution": "Convolution", "pooling": "Pooling",
                   "regularisation": "Regularisation",
                   "augmentation": "Augment & resize", "merge": "Merge", "logic": "Logic"}


def layer_icon(spec, size: int = 22) -> QIcon:
    pm = QPixmap(size * 2, size * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(Qt.NoPen)
    p.setBrush(theme.category_colour(spec.category))
    p.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 5, 5)
    p.setPen(QColor("white"))
    glyph = spec.glyph or spec.title[0]  # the table's glyph
    p.setFont(theme.ui_font(8 if len(glyph) > 1 else 10, bold=True))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignCenter, glyph)
    p.end()
    return QIcon(pm)


class PaletteTree(QTreeWidget):
    def mimeTypes(self):
        return [MIME_LAYER]

    def mimeData(self, items):
        data = QMimeData()
        kinds = [i.data(0, Qt.UserRole) for i in items if i.data(0, Qt.UserRole)]
        if kinds:
            data.setData(MIME_LAYER, kinds[0].encode())
        return data


class Palette(QWidget):
    add_requested = Signal(str)  # double-click: add at the centre of the view

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = PaletteTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragOnly)
        self.tree.setIconSize(QSize(22, 22))
        self.tree.setIndentation(10)
        self.tree.setRootIsDecorated(False)
        self.items: dict[str, QTreeWidgetItem] = {}
        for category, specs in by_category().items():
            if not specs:
                continue
            group = QTreeWidgetItem([CATEGORY_TITLES[category]])
            group.setFlags(Qt.ItemIsEnabled)
            f = group.font(0)
            f.setBold(True)
            group.setFont(0, f)
            group.setForeground(0, theme.category_colour(category))
            self.tree.addTopLevelItem(group)
            for spec in specs:
                item = QTreeWidgetItem([spec.title])
                item.setIcon(0, layer_icon(spec))
                item.setData(0, Qt.UserRole, spec.key)
                item.setToolTip(0, f"<b>{spec.title}</b>: {spec.help}" +
                                (f"<br><tt>{spec.rule_text}</tt>" if spec.rule_text else ""))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                group.addChild(item)
                self.items[spec.key] = item
            group.setExpanded(True)
        hint = QLabel("Drag onto the canvas, or double-click.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        lay.addWidget(hint)
        self.search.textChanged.connect(self._on_search)
        self.tree.itemDoubleClicked.connect(self._on_double_click)

    def _on_search(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                match = not text or text in item.text(0).lower() or text in item.toolTip(0).lower()
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)

    def _on_double_click(self, item, column) -> None:
        kind = item.data(0, Qt.UserRole)
        if kind:
            self.add_requested.emit(kind)
