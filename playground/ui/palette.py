"""The layer palette: grouped by category, searchable (Ctrl+F), each entry with an icon and a one-line help.
Entries are dragged onto the canvas (or double-clicked to add at the centre)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QRectF, QSize, Qt, Signal
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


ADD_KEYS = (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Space)


class PaletteTree(QTreeWidget):
    """The palette's list; Enter, keypad Enter or Space on a layer adds it, as a double-click does."""

    add_requested = Signal(str)
    insert_requested = Signal(str)  # Shift+Enter: between the selected layer and the next

    def keyPressEvent(self, event):
        item = self.currentItem()
        mods = event.modifiers() & ~Qt.KeypadModifier
        if event.key() in ADD_KEYS and mods in (Qt.NoModifier, Qt.ShiftModifier) and item is not None:
            kind = item.data(0, Qt.UserRole)
            if kind:
                (self.insert_requested if mods == Qt.ShiftModifier else self.add_requested).emit(kind)
                event.accept()
                return
        super().keyPressEvent(event)

    def focusInEvent(self, event):
        # arriving by the keyboard with nothing current: start on the first layer shown, so Enter adds something.
        # Not by a click: making the first entry current scrolled a scrolled list back to the top under the mouse,
        # and the double click then added the layer that came there.
        item = self.currentItem()
        by_keys = event.reason() in (Qt.TabFocusReason, Qt.BacktabFocusReason, Qt.ShortcutFocusReason,
                                     Qt.OtherFocusReason)
        if by_keys and (item is None or item.isHidden() or not item.data(0, Qt.UserRole)):
            first = self.first_visible_layer()
            if first is not None:
                self.setCurrentItem(first)
        super().focusInEvent(event)

    def first_visible_layer(self):
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            if group.isHidden():
                continue
            for j in range(group.childCount()):
                if not group.child(j).isHidden():
                    return group.child(j)
        return None

    def mimeTypes(self):
        return [MIME_LAYER]

    def mimeData(self, items):
        data = QMimeData()
        kinds = [i.data(0, Qt.UserRole) for i in items if i.data(0, Qt.UserRole)]
        if kinds:
            data.setData(MIME_LAYER, kinds[0].encode())
        return data


class Palette(QWidget):
    add_requested = Signal(str)  # double-click or Enter: add after the selected layer, or at the centre
    insert_requested = Signal(str)  # Shift+Enter: between the selected layer and the one it feeds

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
        hint = QLabel("Drag onto the canvas, double-click, or press Enter: the layer goes after the selected one, "
                      "wired.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: gray;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        lay.addWidget(hint)
        self.search.textChanged.connect(self._on_search)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        self.tree.add_requested.connect(self.add_requested)
        self.tree.insert_requested.connect(self.insert_requested)
        self.search.returnPressed.connect(self._on_search_return)
        self.search.installEventFilter(self)
        self.setFocusProxy(self.search)

    def current_kind(self) -> str | None:
        """The layer kind of the palette's current entry (shown), or None."""
        item = self.tree.currentItem()
        if item is None or item.isHidden():
            return None
        return item.data(0, Qt.UserRole) or None

    def _on_search_return(self) -> None:
        """Enter (or Down) in the search field: into the list, on the first layer that matches."""
        first = self.tree.first_visible_layer()
        if first is not None:
            self.tree.setCurrentItem(first)
            self.tree.setFocus(Qt.TabFocusReason)

    def eventFilter(self, obj, event):
        if obj is self.search and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Down:
            self._on_search_return()
            return True
        # Escape with a search typed clears it first, as a search box does; only an empty one leaves Escape to the
        # window (Stop): a drive's Escape there stopped a run Build does not show, and left the search as it was
        escape = obj is self.search and event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) and \
            event.key() == Qt.Key_Escape and bool(self.search.text())
        if escape and event.type() == QEvent.ShortcutOverride:
            event.accept()
            return True
        if escape:
            self.search.clear()
            return True
        return super().eventFilter(obj, event)

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
