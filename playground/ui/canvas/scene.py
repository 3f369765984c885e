"""The scene mirrors the Graph: one NodeItem per node, one EdgeItem per edge, kept in step by the
graph's events. It never changes the graph itself; drags and port connections are emitted as
requests for the editor to turn into undo commands."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ...core import shapes
from ...core.graph import Edge, Graph
from .. import theme
from .items import CARD_H, CARD_W, LABEL_H, PORT_R, EdgeItem, NodeItem, weights_label

MARGIN = 600.0  # room to drop a layer beyond the last one
BUCKET = 256.0  # width of a column of the card index that edge routing asks


class GraphScene(QGraphicsScene):
    laid_out = Signal()  # the cards and edges are in place after a change: the view decides its scroll bars
    connect_requested = Signal(str, str)  # src id, dst id
    move_requested = Signal(object)  # {node id: ((old x, y), (new x, y))}

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.graph: Graph = doc.graph
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[Edge, EdgeItem] = {}
        self._drag_src: NodeItem | None = None
        self._drag_path: QGraphicsPathItem | None = None
        self._press_pos: dict[str, QPointF] = {}
        self._card_index: dict[int, list] | None = None  # column bucket -> [(card rect, item)]
        self._labels_stale = True  # a graph change since the labels were last written
        self._labels_from = None  # the shape results they were written from
        self.setSceneRect(-2000, -2000, 6000, 4000)
        self._reroute_timer = QTimer(self)  # edges that jump over cards find their lane once things settle
        self._reroute_timer.setSingleShot(True)
        self._reroute_timer.setInterval(0)
        self._reroute_timer.timeout.connect(self.reroute)
        ev = self.graph.events
        ev.node_added.connect(self._on_node_added)
        ev.node_removed.connect(self._on_node_removed)
        ev.edge_added.connect(self._on_edge_added)
        ev.edge_removed.connect(self._on_edge_removed)
        ev.node_moved.connect(self._on_node_moved)
        ev.graph_reset.connect(self.rebuild)
        for name in ("node_renamed", "param_changed", "trainable_changed", "weights_changed"):
            getattr(ev, name).connect(self._on_node_changed)
        doc.changed.connect(self.refresh)  # labels follow the document's shape results, once per edit
        doc.masked_changed.connect(self._on_masked)
        doc.learning_changed.connect(self._on_masked)  # the neurons as a run changes them, or back
        self.selectionChanged.connect(self._on_scene_selection)
        doc.selection_changed.connect(self._on_doc_selection)
        self.rebuild()

    # ------------------------------------------------------------ model -> view
    def _on_node_changed(self, node, **_) -> None:
        self._labels_stale = True

    def _on_node_added(self, node) -> None:
        self._labels_stale = True
        self._add_node_item(node)
        self._reroute_timer.start()

    def _on_node_removed(self, node) -> None:
        self._labels_stale = True
        item = self.node_items.pop(node.id, None)
        self._card_index = None
        if item is not None:
            self.removeItem(item)
        self._reroute_timer.start()

    def _on_edge_added(self, edge) -> None:
        self._labels_stale = True
        self._add_edge_item(edge)
        self._reroute_timer.start()

    def _on_edge_removed(self, edge) -> None:
        self._labels_stale = True
        item = self.edge_items.pop(edge, None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _on_node_moved(self, node) -> None:  # a move changes no shape: the labels stay
        item = self.node_items.get(node.id)
        if item is not None and (item.pos().x(), item.pos().y()) != node.pos:
            item.setPos(*node.pos)
        self._reroute_timer.start()

    def _add_node_item(self, node) -> NodeItem:
        self._card_index = None
        item = NodeItem(node.id, node.kind)
        item.setPos(*node.pos)
        self.addItem(item)
        self.node_items[node.id] = item
        return item

    def _add_edge_item(self, edge: Edge) -> None:
        item = EdgeItem(edge, self.node_items[edge.src], self.node_items[edge.dst])
        self.addItem(item)
        self.edge_items[edge] = item

    def rebuild(self) -> None:
        self.clear()
        self._card_index = None
        self._drag_path = None
        self.node_items.clear()
        self.edge_items.clear()
        for node in self.graph.nodes.values():
            self._add_node_item(node)
        for edge in self.graph.edges:
            self._add_edge_item(edge)
        self.refresh()
        self.reroute()

    def content_rect(self) -> QRectF:
        """The cards' extent (edges and ports left out), or a null rect for an empty canvas. A network of neurons
        has room above its top row too: a weight label too long for the gap between two cards goes there."""
        xs = [i.pos().x() for i in self.node_items.values()]
        ys = [i.pos().y() for i in self.node_items.values()]
        if not xs:
            return QRectF()
        above = LABEL_H + PORT_R + 6 if any(i.spec.hand_set for i in self.node_items.values()) else 0.0
        return QRectF(min(xs), min(ys) - above, max(xs) - min(xs) + CARD_W, max(ys) - min(ys) + CARD_H + above)

    def card_moved(self) -> None:
        self._card_index = None

    def cards_in(self, rect: QRectF) -> list:
        """(card rect, item) of every card that meets ``rect``. Edge routing asks this for every edge,
        so it reads a bucketed index of the cards rather than Qt's item index, which every path change
        marks stale."""
        if self._card_index is None:
            index: dict[int, list] = {}
            for item in self.node_items.values():
                r = item.card_rect()
                for b in range(int(r.left() // BUCKET), int(r.right() // BUCKET) + 1):
                    index.setdefault(b, []).append((r, item))
            self._card_index = index
        out, seen = [], set()
        first, last = int(rect.left() // BUCKET), int(rect.right() // BUCKET)
        columns = range(first, last + 1) if last - first <= len(self._card_index) else \
            sorted(b for b in self._card_index if first <= b <= last)  # (a span of 1e12 px hung the window)
        for b in columns:
            for r, item in self._card_index.get(b, ()):
                if id(item) not in seen and r.intersects(rect):
                    seen.add(id(item))
                    out.append((r, item))
        return out

    def reroute(self) -> None:
        """Re-route every edge (a moved card may now block, or free, another edge's way) and grow the
        scene to hold every card with room around it."""
        self._reroute_timer.stop()
        for item in self.edge_items.values():
            item.update_path()
        content = self.content_rect()
        rect = QRectF(-2000, -2000, 6000, 4000)
        if not content.isNull():
            rect = rect.united(content.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        if rect != self.sceneRect():
            self.setSceneRect(rect)
        self.laid_out.emit()

    @property
    def infos(self) -> dict:
        return self.doc.infos

    def _on_masked(self) -> None:  # (and the learning network shown or not)
        self._labels_stale = True
        self.refresh()

    def refresh(self) -> None:
        """Update every label from the document's shape results (computed once per edit, in core)."""
        infos = self.doc.infos
        if not self._labels_stale and infos is self._labels_from:
            return  # e.g. the document's "changed" right after a rebuild that already wrote them
        self._labels_stale, self._labels_from = False, infos
        for nid, item in self.node_items.items():
            if nid in infos:
                item.set_content(self.doc.shown_node(nid), infos[nid], masked=nid in self.doc.masked)
        for edge, item in self.edge_items.items():
            src_info = None if edge.src in self.doc.masked else infos.get(edge.src)
            dst = self.doc.shown_node(edge.dst)
            label = weights_label(dst, None) if dst.spec.hand_set else ""
            item.set_content(shapes.shape_text(src_info.shape if src_info else None), label)
        self.update()

    # ------------------------------------------------------------ selection: scene <-> document
    def _on_scene_selection(self) -> None:
        ids = self.selected_node_ids()
        if not ids:
            edges = self.selected_edges()
            if edges:  # clicking an edge into a neuron selects the neuron whose weight it carries
                ids = [e.dst for e in edges[:1]]
        self.doc.select(ids)

    def _on_doc_selection(self, ids: list) -> None:
        if set(ids) == set(self.selected_node_ids()) or (self.selected_edges() and ids and
                                                          ids == [self.selected_edges()[0].dst]):
            return
        self.blockSignals(True)
        self.clearSelection()
        for nid in ids:
            item = self.node_items.get(nid)
            if item is not None:
                item.setSelected(True)
        self.blockSignals(False)

    # ------------------------------------------------------------ interactions -> requests
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def mousePressEvent(self, event):
        item = self.node_at(event.scenePos())
        if event.button() == Qt.LeftButton and item is not None and \
                item.out_port_rect().contains(item.mapFromScene(event.scenePos())):
            self._drag_src = item
            self._drag_path = QGraphicsPathItem()
            self._drag_path.setPen(QPen(theme.ACCENT, 2, Qt.DashLine))
            self._drag_path.setZValue(5)
            self.addItem(self._drag_path)
            event.accept()
            return
        super().mousePressEvent(event)
        self.begin_move()

    def mouseMoveEvent(self, event):
        if self._drag_src is not None and self._drag_path is not None:
            a, b = self._drag_src.out_port(), event.scenePos()
            dx = max(abs(b.x() - a.x()) * 0.5, 40.0)
            path = QPainterPath(a)
            path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
            self._drag_path.setPath(path)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._drag_src is not None:
            src = self._drag_src
            self.cancel_edge_drag()
            target = self.node_at(event.scenePos())
            if target is not None and target is not src:
                self.connect_requested.emit(src.node_id, target.node_id)
            return
        super().mouseReleaseEvent(event)
        self.finish_move()

    def begin_move(self) -> None:
        """Remember where the selected nodes are, so that a drag becomes one Move command."""
        self._press_pos = {i.node_id: i.pos() for i in self.selectedItems() if isinstance(i, NodeItem)}

    def finish_move(self) -> None:
        moves = {}
        for nid, old in self._press_pos.items():
            item = self.node_items.get(nid)
            if item is not None and item.pos() != old:
                moves[nid] = ((old.x(), old.y()), (item.pos().x(), item.pos().y()))
        self._press_pos = {}
        if moves:
            self.move_requested.emit(moves)

    @property
    def dragging_edge(self) -> bool:
        return self._drag_src is not None

    def cancel_edge_drag(self) -> bool:
        if self._drag_src is None:
            return False
        if self._drag_path is not None:
            self.removeItem(self._drag_path)
        self._drag_src, self._drag_path = None, None
        return True
