"""The scene mirrors the Graph: one NodeItem per node, one EdgeItem per edge, kept in step by the
graph's events. It never changes the graph itself; drags and port connections are emitted as
requests for the editor to turn into undo commands."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ...core import shapes
from ...core.graph import Edge, Graph
from .. import theme
from .items import EdgeItem, NodeItem, weights_label


class GraphScene(QGraphicsScene):
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
        self.setSceneRect(-2000, -2000, 6000, 4000)
        self.graph.subscribe(self._on_graph_event)
        doc.changed.connect(self.refresh)  # labels follow the document's shape results, once per edit
        self.selectionChanged.connect(self._on_scene_selection)
        doc.selection_changed.connect(self._on_doc_selection)
        self.rebuild()

    # ------------------------------------------------------------ model -> view
    def _on_graph_event(self, event: str, **kw) -> None:
        if event == "node_added":
            self._add_node_item(kw["node"])
        elif event == "node_removed":
            item = self.node_items.pop(kw["node"].id, None)
            if item is not None:
                self.removeItem(item)
        elif event == "edge_added":
            self._add_edge_item(kw["edge"])
        elif event == "edge_removed":
            item = self.edge_items.pop(kw["edge"], None)
            if item is not None:
                item.detach()
                self.removeItem(item)
        elif event == "node_moved":
            node = kw["node"]
            item = self.node_items.get(node.id)
            if item is not None and (item.pos().x(), item.pos().y()) != node.pos:
                item.setPos(*node.pos)
            return  # a move changes no shape
        elif event == "graph_reset":
            self.rebuild()

    def _add_node_item(self, node) -> NodeItem:
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
        self._drag_path = None
        self.node_items.clear()
        self.edge_items.clear()
        for node in self.graph.nodes.values():
            self._add_node_item(node)
        for edge in self.graph.edges:
            self._add_edge_item(edge)
        self.refresh()

    @property
    def infos(self) -> dict:
        return self.doc.infos

    def refresh(self) -> None:
        """Update every label from the document's shape results (computed once per edit, in core)."""
        infos = self.doc.infos
        for nid, item in self.node_items.items():
            if nid in infos:
                item.set_content(self.graph.nodes[nid], infos[nid])
        for edge, item in self.edge_items.items():
            src_info = infos.get(edge.src)
            dst = self.graph.nodes[edge.dst]
            label = weights_label(dst, None) if dst.kind == "neuron" else ""
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

    def cancel_edge_drag(self) -> bool:
        if self._drag_src is None:
            return False
        if self._drag_path is not None:
            self.removeItem(self._drag_path)
        self._drag_src, self._drag_path = None, None
        return True
