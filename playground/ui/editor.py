"""Edits the user makes on the canvas, each turned into one undo step on the document's stack.

Add, connect, delete, copy/paste/duplicate and auto-layout. Refused edits (a cycle, a wrong port, an
invalid name) change nothing and say why through the document's message signal.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QGuiApplication

from ..core import project as project_io
from ..core.errors import PlaygroundError
from ..core.layout import auto_layout
from ..core.registry import get_spec
from . import commands as C
from .canvas.items import CARD_H, CARD_W


class Editor(QObject):
    def __init__(self, doc, scene, view, parent=None):
        super().__init__(parent)
        self.doc, self.scene, self.view = doc, scene, view
        scene.connect_requested.connect(self.connect_nodes)
        scene.move_requested.connect(lambda moves: doc.push(C.MoveNodesCommand(doc.graph, moves)))
        view.layer_dropped.connect(self.add_layer)

    @property
    def graph(self):
        return self.doc.graph

    def free_spot(self, x: float, y: float) -> tuple[float, float]:
        """The nearest place at or below (x, y) where a card overlaps no other card."""
        taken = [n.pos for n in self.graph.nodes.values()]
        while any(abs(px - x) < CARD_W + 8 and abs(py - y) < CARD_H + 8 for px, py in taken):
            y += CARD_H + 24
        return x, y

    def add_layer(self, kind: str, pos: QPointF, after: str | None = None) -> str | None:
        """Add a layer at ``pos`` (moved down to a free spot); ``after`` also wires that node into it, one step."""
        x, y = self.free_spot(round(pos.x()), round(pos.y()))
        try:
            cmd = C.AddNodeCommand(self.graph, kind, (x, y))
        except PlaygroundError as exc:
            self.doc.tell(str(exc))
            return None
        connect = None
        if after is not None and get_spec(kind).max_inputs != 0:
            try:
                trial = self.graph.copy()
                trial.insert_node(cmd.node.clone())
                connect = C.ConnectCommand(trial, after, cmd.node.id)  # checked before anything changes
            except PlaygroundError:
                connect = None  # the new layer cannot take that input: add it unwired
        stack = self.doc.stack
        stack.beginMacro(f"Add {get_spec(kind).title}")
        stack.push(cmd)
        if connect is not None:
            self.connect_nodes(after, cmd.node.id, macro=False)
        stack.endMacro()
        self.select_nodes([cmd.node.id])
        if connect is not None:
            self.doc.say(f"Added {cmd.node.name} after {self.graph.nodes[after].name}.", 4000)
        else:
            self.doc.say(f"Added {cmd.node.name}. Drag from its right port to connect it.", 4000)
        return cmd.node.id

    def add_layer_at_centre(self, kind: str) -> str | None:
        """Palette double-click: after the selected layer (wired to it) when one is selected, else mid-view."""
        sel = self.doc.selection
        if len(sel) == 1 and sel[0] in self.graph.nodes:
            px, py = self.graph.nodes[sel[0]].pos
            return self.add_layer(kind, QPointF(px + CARD_W + 60, py), after=sel[0])
        return self.add_layer(kind, self.view.mapToScene(self.view.viewport().rect().center()))

    def connect_nodes(self, src: str, dst: str, macro: bool = True) -> bool:
        """Connect src -> dst as one undo step; a refused edge shows why and changes nothing."""
        try:
            cmd = C.ConnectCommand(self.graph, src, dst)  # checks on a copy, or raises
        except PlaygroundError as exc:
            self.doc.say(str(exc), 8000)
            self.doc.tell(str(exc))
            return False
        stack = self.doc.stack
        if macro:
            stack.beginMacro("Connect")
        stack.push(cmd)
        if self.graph.nodes[dst].kind == "neuron":
            n_in = self.doc.shapes.output_width(src)
            k = self.graph.nodes[dst].weights.get("kernel")
            if n_in and (k is None or k.shape[0] != n_in):
                stack.push(C.SetWeightsCommand(self.graph, {dst: C.fitted_neuron_weights(self.graph, dst, n_in)},
                                               "Fit weights"))
        if macro:
            stack.endMacro()
        return True

    def delete_selection(self) -> None:
        nodes = self.scene.selected_node_ids()
        edges = [e for e in self.scene.selected_edges() if e.src not in nodes and e.dst not in nodes]
        if not nodes and not edges:
            return
        stack = self.doc.stack
        stack.beginMacro("Delete")
        for e in edges:
            stack.push(C.DisconnectCommand(self.graph, e))
        if nodes:
            stack.push(C.RemoveNodesCommand(self.graph, nodes))
        stack.endMacro()

    def auto_layout(self) -> None:
        moves = {nid: (self.graph.nodes[nid].pos, p) for nid, p in auto_layout(self.graph).items()
                 if self.graph.nodes[nid].pos != p}
        if moves:
            self.doc.push(C.MoveNodesCommand(self.graph, moves))
        self.view.fit_all()

    def select_nodes(self, ids: list[str]) -> None:
        self.doc.select(ids)
        if ids and ids[0] in self.scene.node_items:
            self.view.ensureVisible(self.scene.node_items[ids[0]])

    def select_all(self) -> None:
        self.select_nodes(list(self.graph.nodes))

    def copy_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        sub = project_io.Project()
        for nid in ids:
            sub.graph.insert_node(self.graph.nodes[nid].clone())
        for e in self.graph.edges:
            if e.src in ids and e.dst in ids:
                sub.graph.add_edge_unchecked(e)
        # plain JSON text: it pastes between windows and apps, and the clipboard copies a string
        # (handing it a QMimeData would leave Qt and Python both owning it)
        QGuiApplication.clipboard().setText(project_io.dumps(sub))

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if '"app": "playground"' not in text:
            self.doc.say("The clipboard holds no layers to paste.", 4000)
            return
        try:
            sub = project_io.loads(text)
        except PlaygroundError as exc:
            self.doc.tell(f"Cannot paste: {exc}")
            return
        id_map = {}
        stack = self.doc.stack
        stack.beginMacro(f"Paste {len(sub.graph.nodes)} layer(s)")
        for node in sub.graph.nodes.values():
            cmd = C.AddNodeCommand(self.graph, node.kind, (node.pos[0] + 40, node.pos[1] + 40), dict(node.params),
                                   name=self.graph.unique_name(node.name), weights=node.weights)
            stack.push(cmd)
            id_map[node.id] = cmd.node.id
        for e in sub.graph.edges:
            try:
                stack.push(C.ConnectCommand(self.graph, id_map[e.src], id_map[e.dst]))
            except PlaygroundError:
                pass  # an edge that no longer fits is simply not pasted; the nodes are
        stack.endMacro()
        self.select_nodes(list(id_map.values()))

    def duplicate(self) -> None:
        self.copy_selection()
        self.paste()
