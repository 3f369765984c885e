"""The canvas view: zoom with the wheel, pan with the middle button (or Space + drag), rubber-band selection,
drops from the palette, and an empty state that teaches.

Zoom never goes below MIN_ZOOM, where a card's smallest text is still about 9 pixels high: a network wider than the
window scrolls instead, and a minimap in the corner shows all of it (click or drag there to go). "Go to layer" (a
search field over the canvas) finds a layer by name and centres it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen, QTransform
from PySide6.QtWidgets import QCompleter, QGraphicsView, QHBoxLayout, QLabel, QLineEdit, QWidget

from .. import theme
from .minimap import Minimap

MIME_LAYER = "application/x-playground-layer"
MIN_ZOOM, MAX_ZOOM = 0.75, 3.0  # at MIN_ZOOM 9 pt text stays ~9 px high: below it, scroll instead of shrinking
FIT_MARGIN = 24  # scene pixels a fit leaves around what it shows (editor.auto_layout wraps rows to fit within it)
FIT_MAX_ZOOM = 1.25  # a fit never blows a small graph up past this
SCROLL_ROOM = 240.0  # how far past the network the scroll bars reach: room to drop a layer there


class GraphView(QGraphicsView):
    layer_dropped = Signal(str, QPointF)  # layer kind, scene position

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._panning = None
        from .preview_controller import PreviewController
        self.previews = PreviewController(scene, self)
        self.minimap = Minimap(self)
        self.find_bar = FindBar(self)
        self.find_bar.go.connect(self._go_to)
        self.find_bar.hide()
        scene.changed.connect(lambda _region: self.minimap.refresh())
        self._bars_full, self._bars_timer = False, QTimer(self, singleShot=True, interval=0)  # update_scroll_bars
        self._bars_timer.timeout.connect(self._decide_scroll_bars)
        scene.laid_out.connect(self.update_scroll_bars)
        self._place_overlays()
        # after Fit (a project opened, a workspace shown), the view refits whenever it is resized, until the
        # user zooms or scrolls: a workspace's splitters settle after its fit, and a fit made at the old width
        # cut the Logic lab's network at its right edge
        self._fit_sticky = False
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self._unstick)
        self.empty_text = "Drag a layer here from the palette,\nor start from a preset: File \u2192 New from preset (Ctrl+Shift+N)"

    # zoom and pan
    def zoom(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, event):
        self.zoom_by(1.0015 ** event.angleDelta().y())

    def update_scroll_bars(self, only_on: bool = False) -> None:
        """A scroll bar only where part of the network is out of view that way (the scene stays large: room to
        drop a layer past the last one, and a card dragged there moves nothing else). Decided once the view has
        settled (a bar shown or hidden resizes the view, which may refit it). ``only_on``: a scroll may show a
        bar but never takes one away under the mouse that drags it."""
        self._bars_full = self._bars_full or not only_on
        self._bars_timer.start()

    def _decide_scroll_bars(self) -> None:
        content = self.scene().content_rect()
        seen = self.mapToScene(self.viewport().rect()).boundingRect()
        out_x = not content.isNull() and (content.left() < seen.left() or content.right() > seen.right())
        out_y = not content.isNull() and (content.top() < seen.top() or content.bottom() > seen.bottom())
        full, self._bars_full = self._bars_full, False
        changes = []
        for policy, out, setter in ((self.horizontalScrollBarPolicy(), out_x, self.setHorizontalScrollBarPolicy),
                                    (self.verticalScrollBarPolicy(), out_y, self.setVerticalScrollBarPolicy)):
            want = Qt.ScrollBarAsNeeded if out else Qt.ScrollBarAlwaysOff
            if want != policy and (out or full):
                changes.append((setter, want))
        if changes:  # a bar shown or hidden resizes the view: in the whole scene, so nothing is re-centred
            self.setSceneRect(QRectF())
            for setter, want in changes:
                setter(want)
        if not content.isNull():  # the bars' range: the network with a card's room round it, and what is in view
            seen = self.mapToScene(self.viewport().rect()).boundingRect()
            rng = content.adjusted(-SCROLL_ROOM, -SCROLL_ROOM, SCROLL_ROOM, SCROLL_ROOM).united(seen)
            if rng != self.sceneRect():  # (a scroll within the range, the common case, changes nothing)
                self.setSceneRect(rng)

    def _unstick(self, *_) -> None:
        self._fit_sticky = False

    def zoom_by(self, factor: float) -> None:
        """Scale by ``factor``, kept between MIN_ZOOM and MAX_ZOOM."""
        self._fit_sticky = False
        self.setSceneRect(QRectF())  # the whole scene while zooming (the bars' range is set again after)
        current = self.zoom()
        factor = max(MIN_ZOOM / current, min(factor, MAX_ZOOM / current))
        if abs(factor - 1.0) > 1e-9:
            self.scale(factor, factor)
        self.update_scroll_bars()
        self.minimap.update()

    def fit_all(self) -> None:
        """Show the whole network if it fits at a readable zoom; otherwise its start, at MIN_ZOOM."""
        self._fit(self.scene().content_rect(), anchor_left=True)
        self._fit_sticky = True

    def refit(self) -> None:
        """The whole network again after it grew, where the view was showing it whole (no zoom or scroll since)."""
        if self._fit_sticky:
            self.fit_all()

    def fit_selection(self) -> None:
        """Show the selected layers (all of them if they fit at a readable zoom), or everything."""
        rect = QRectF()
        for nid in self.scene().selected_node_ids():
            rect = rect.united(self.scene().node_items[nid].card_rect())
        if rect.isNull():
            self.fit_all()
        else:
            self._fit(rect, anchor_left=False)
            self._fit_sticky = False

    def _fit(self, rect: QRectF, anchor_left: bool) -> None:
        if rect.isNull():
            self.resetTransform()
            self.minimap.refresh()
            return
        self.setSceneRect(QRectF())  # the whole scene to centre in (the bars' range is set again after)
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        vp, h_bar, v_bar = self.viewport().rect(), self.horizontalScrollBar(), self.verticalScrollBar()
        # with the room its bars take (a network that fits needs none: lesson 1's two cards fitted only without), and
        # a pixel to spare each way: a fit to the last pixel may round the network out of view, and bring the bars
        scale = min((vp.width() + v_bar.isVisible() * v_bar.width() - 2) / rect.width(),
                    (vp.height() + h_bar.isVisible() * h_bar.height() - 2) / rect.height(), FIT_MAX_ZOOM)
        scale = max(scale, MIN_ZOOM)
        self.setTransform(QTransform.fromScale(scale, scale))
        x, y = rect.center().x(), rect.center().y()
        visible_w, visible_h = vp.width() / scale, vp.height() / scale
        if visible_w < rect.width() and anchor_left:  # too wide to show whole: start at the left (the inputs)
            x = rect.left() + visible_w / 2
        if visible_h < rect.height() and anchor_left:  # too tall (a network wrapped into bands): at the top
            y = rect.top() + visible_h / 2
        sel = self.scene().selected_node_ids()
        if anchor_left and sel:  # ...unless a selected layer would then be out of sight: then centred on it
            card = self.scene().node_items[sel[0]].card_rect()
            shown = QRectF(x - visible_w / 2, y - visible_h / 2, visible_w, visible_h).adjusted(20, 20, -20, -20)
            if not shown.contains(card):
                x = card.center().x() if card.left() < shown.left() or card.right() > shown.right() else x
                y = card.center().y() if card.top() < shown.top() or card.bottom() > shown.bottom() else y
        self.centerOn(QPointF(x, y))
        self.update_scroll_bars()
        self.minimap.refresh()

    def centre_on_node(self, node_id: str) -> None:
        """Centre the view on a layer, zoomed in to MIN_ZOOM if below it (1.0 cut a fitted two-card gate in half);
        on the whole network where that fits in view."""
        if (item := self.scene().node_items.get(node_id)) is None:
            return
        if self.zoom() < MIN_ZOOM:
            self.zoom_by(MIN_ZOOM / self.zoom())
        whole, seen = self.scene().content_rect(), self.mapToScene(self.viewport().rect()).boundingRect()
        fits = whole.width() + 2 * FIT_MARGIN <= seen.width() and whole.height() + 2 * FIT_MARGIN <= seen.height()
        self.centerOn(whole.center() if fits else item.card_rect().center())
        self.minimap.update()

    # overlays: minimap and the go-to-layer field
    def resizeEvent(self, event):
        self.setSceneRect(QRectF())  # a larger view must not be centred in the old range
        super().resizeEvent(event)
        self._place_overlays()
        if self._fit_sticky and event.oldSize().isValid():
            self.fit_all()
        else:
            self.update_scroll_bars()
        self.minimap.refresh()  # a larger canvas may now show the whole network

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.update_scroll_bars(only_on=True)
        self.minimap.update()

    def _place_overlays(self) -> None:
        vp = self.viewport().geometry()
        self.place_minimap()
        fb = self.find_bar
        w = min(320, vp.width() - 20)
        fb.setGeometry(vp.right() - w - 10, vp.top() + 10, w, fb.sizeHint().height())

    def place_minimap(self) -> None:
        self.minimap.place()

    def show_find(self) -> None:
        """Open the go-to-layer field (Ctrl+G) with every layer name offered as you type."""
        self.find_bar.open([n.name for n in self.scene().graph.nodes.values()])

    def mousePressEvent(self, event):
        # at work on the canvas, a resize no longer refits it (a refit would rescale the view under a drag), unless
        # it was a click that moved nothing (a card selected left a 1920-wide canvas with the gate in a corner)
        self._pressed = (self._fit_sticky, self.scene().content_rect(), self.transform(), self.horizontalScrollBar()
                         .value(), self.verticalScrollBar().value())
        self._fit_sticky = False
        if event.button() == Qt.MiddleButton:
            self._panning = event.position()
            self.setCursor(Qt.ClosedHandCursor)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._panning is not None and event.button() == Qt.MiddleButton:
            self._panning = None
            self.unsetCursor()
            return
        super().mouseReleaseEvent(event)
        sticky, *view = getattr(self, "_pressed", (False,))
        if sticky and view == [self.scene().content_rect(), self.transform(), self.horizontalScrollBar().value(),
                               self.verticalScrollBar().value()]:
            self._fit_sticky = True

    def _escape_is_mine(self, event) -> bool:  # a wire drawn, then the selection; else the window's Stop
        return event.key() == Qt.Key_Escape and not event.modifiers() and \
            (self.scene().dragging_edge or bool(self.scene().doc.selection))  # (it stopped a run Build hides)

    def event(self, event):
        if event.type() == QEvent.ShortcutOverride and self._escape_is_mine(event):
            event.accept()  # the key comes to keyPressEvent, not to the Stop shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        if self._escape_is_mine(event):
            if not self.scene().cancel_edge_drag():
                self.scene().doc.select([])
            return
        if event.key() in ARROWS and not event.modifiers() & ~(Qt.ShiftModifier | Qt.KeypadModifier):
            self.step_selection(event.key(), extend=bool(event.modifiers() & Qt.ShiftModifier))
            return
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.ScrollHandDrag)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.RubberBandDrag)
        super().keyReleaseEvent(event)

    def step_selection(self, key, extend: bool = False) -> None:
        """Arrow keys: select the next layer that way (Right/Left prefer the layer's outputs/inputs);
        with Shift the layer is added to the selection, in the order visited (Edit > Connect selected)."""
        scene = self.scene()
        graph, doc = scene.graph, scene.doc
        if not graph.nodes:
            return
        sel = [n for n in doc.selection if n in graph.nodes]
        if not sel:
            order = graph.topological_order()
            target = order[0] if order else next(iter(graph.nodes))
        else:
            target = neighbour(graph, sel[-1], key)
            if target is None:
                return
        ids = [n for n in sel if n != target] + [target] if extend else [target]
        doc.select(ids)
        item = scene.node_items.get(target)
        if item is not None:
            self.ensureVisible(item.card_rect(), 40, 40)

    # drops from the palette
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            kind = bytes(event.mimeData().data(MIME_LAYER)).decode()
            self.layer_dropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # background and empty state
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        c = theme.card_colours()
        painter.fillRect(rect, c["canvas"])
        step = 24
        painter.setPen(QPen(c["grid"], 1.6))
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        if self.transform().m11() > 0.5:
            points = [QPointF(x, y) for x in range(left, int(rect.right()), step)
                      for y in range(top, int(rect.bottom()), step)]
            painter.drawPoints(points)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.scene().node_items:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(theme.card_colours()["muted"])
        painter.setFont(theme.ui_font(12))
        painter.drawText(self.viewport().rect().adjusted(16, 0, -16, 0), Qt.AlignCenter | Qt.TextWordWrap,
                         self.empty_text)  # wrapped inside a narrow canvas (Train's), not cut at both edges
        painter.restore()

    def _go_to(self, text: str, nth: int) -> None:
        matches = find_layers(self.scene().graph, text)
        if not matches:
            self.find_bar.report(f"No layer named like \u201c{text}\u201d")
            return
        node = matches[nth % len(matches)]
        self.scene().doc.select([node.id])
        self.centre_on_node(node.id)
        self.find_bar.field.completer().popup().hide()
        if len(matches) == 1:  # found: the box closes and the canvas has the keyboard (arrow keys walk on)
            self.find_bar.close_bar()
            self.scene().doc.say(f"Went to {node.name}.", 3000)
            return
        more = f" ({nth % len(matches) + 1} of {len(matches)}: Enter for the next, Escape to close)"
        self.find_bar.report(f"{node.name}{more}", ok=True)


ARROWS = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, -1), Qt.Key_Down: (0, 1)}


def neighbour(graph, node_id: str, key) -> str | None:
    """The layer an arrow key leads to from ``node_id``: Right/Left its nearest output/input when it has
    one, otherwise the nearest card in that direction (a cone of 45 degrees either side)."""
    dx, dy = ARROWS[key]
    x0, y0 = graph.nodes[node_id].pos
    linked = graph.output_ids(node_id) if dx > 0 else graph.input_ids(node_id) if dx < 0 else []
    if linked:
        return min(linked, key=lambda n: abs(graph.nodes[n].pos[1] - y0))
    best, best_d = None, None
    for nid, node in graph.nodes.items():
        if nid == node_id:
            continue
        ax, ay = node.pos[0] - x0, node.pos[1] - y0
        along, across = ax * dx + ay * dy, abs(ax * dy) + abs(ay * dx)
        if along <= 0 or across > along:
            continue
        d = along + 2 * across
        if best_d is None or d < best_d:
            best, best_d = nid, d
    return best


def find_layers(graph, text: str) -> list:
    """Layers whose name matches ``text`` (case-insensitive): the exact name first, then names that
    start with it, then names that contain it, each group in graph order."""
    t = text.strip().lower()
    if not t:
        return []
    nodes = list(graph.nodes.values())
    exact = [n for n in nodes if n.name.lower() == t]
    start = [n for n in nodes if n.name.lower().startswith(t) and n not in exact]
    inside = [n for n in nodes if t in n.name.lower() and n not in exact and n not in start]
    return exact + start + inside


class FindBar(QWidget):
    """A search field over the canvas: Enter centres the first matching layer (again: the next one);
    Escape closes it and gives the canvas the keyboard back."""

    go = Signal(str, int)  # text, which match (0 = first)

    def __init__(self, view: "GraphView"):
        super().__init__(view)
        self.view = view
        self.setAutoFillBackground(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Go to layer (name)\u2026")
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName("Go to layer")
        self.names = QStringListModel(self)
        completer = QCompleter(self.names, self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        self.field.setCompleter(completer)
        lay.addWidget(self.field, 1)
        self.field.installEventFilter(self)
        self.result = QLabel(self.view)  # below the field, so a long report never squeezes it
        self.result.hide()
        self._last = ("", 0)
        self.field.returnPressed.connect(self._on_return)
        self.field.textEdited.connect(lambda _t: self.result.hide())

    def open(self, names: list[str]) -> None:
        self.names.setStringList(sorted(names, key=str.lower))
        self.show()
        self.raise_()
        self.field.setFocus(Qt.ShortcutFocusReason)
        self.field.selectAll()

    def _on_return(self) -> None:
        popup = self.field.completer().popup()
        if popup.isVisible():
            popup.hide()
        text = self.field.text()
        nth = self._last[1] + 1 if text == self._last[0] else 0
        self._last = (text, nth)
        self.go.emit(text, nth)

    def report(self, text: str, ok: bool = False) -> None:
        c = theme.card_colours()
        self.result.setText(text)
        self.result.setStyleSheet(f"background: {c['card'].name()}; padding: 3px 6px; border-radius: 4px; "
                                  f"color: {(c['text'] if ok else theme.ERROR).name()};")
        self.result.adjustSize()
        g = self.geometry()
        self.result.move(g.right() - self.result.width(), g.bottom() + 4)
        self.result.show()
        self.result.raise_()

    def eventFilter(self, obj, event):
        # Escape belongs to this field while it has the keyboard (the window also binds Esc: stop training)
        if obj is self.field and event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) and \
                event.key() == Qt.Key_Escape and not self.field.completer().popup().isVisible():
            event.accept()
            if event.type() == QEvent.KeyPress:
                self.close_bar()
            return True
        return super().eventFilter(obj, event)

    def close_bar(self) -> None:
        self.hide()
        self.result.hide()
        self._last = ("", 0)
        self.view.setFocus(Qt.OtherFocusReason)
