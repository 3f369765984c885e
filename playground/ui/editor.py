"""Edits the user makes on the canvas, each turned into one undo step on the document's stack.

Add, connect, delete, copy/paste/duplicate and auto-layout. Refused edits (a cycle, a wrong port, an
invalid name) change nothing and say why through the document's message signal.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QStyle

from ..core import project as project_io
from ..core.weights import fitted_neuron_weights
from ..core.analysis import ShapeCache
from ..core.errors import PlaygroundError
from ..core.layout import WRAP_ROW_GAP, Y_SPACING, auto_layout, chain_order, column_pitch
from ..core.registry import get_spec
from ..core.words import count
from . import commands as C
from .canvas.items import CARD_H, CARD_W
from .workspaces import BUILD_SIDES


class Editor(QObject):
    def __init__(self, doc, scene, view, parent=None):
        super().__init__(parent)
        self.doc, self.scene, self.view = doc, scene, view
        scene.connect_requested.connect(self.connect_nodes)
        scene.move_requested.connect(lambda moves: doc.push(C.MoveNodesCommand(doc.graph, moves)))
        view.layer_dropped.connect(self.add_layer)
        doc.reveal.connect(self.reveal)

    @property
    def graph(self):
        return self.doc.graph

    def free_spot(self, x: float, y: float) -> tuple[float, float]:
        """The nearest place at or below (x, y) where a card overlaps no other card."""
        taken = _Taken(n.pos for n in self.graph.nodes.values())
        while taken.hit((x, y)):
            y += CARD_H + 24
        return x, y

    def add_layer(self, kind: str, pos: QPointF, after: str | None = None) -> str | None:
        """Add a layer at ``pos`` (moved down to a free spot); ``after`` also wires that node into it, one step."""
        x, y = self.free_spot(round(pos.x()), round(pos.y()))
        steps = C.Steps(self.graph)
        # in the Logic lab an Input is a few bits for Neurons, not Build's 28x28x1 image (its Neuron got 1x1 weights)
        params = {"shape": [2]} if kind == "input" and getattr(self.parent(), "workspace", "") == "Logic lab" else None
        try:
            add = steps.add(C.AddNodeCommand, kind, (x, y), params)
        except PlaygroundError as exc:
            self.doc.tell(str(exc))
            return None
        wired = False
        if after is not None and get_spec(kind).max_inputs != 0:
            try:
                self._connect_steps(steps, after, add.node.id)
                wired = True
            except PlaygroundError:
                pass  # the new layer cannot take that input: add it unwired
        self.doc.push(steps.command(f"Add {get_spec(kind).title}"))
        self.select_nodes([add.node.id])
        if wired:
            names = self.graph.nodes
            beside = [names[o].name for o in self.graph.output_ids(after) if o != add.node.id]
            if beside:  # a branch: say so, and how to put it between instead
                self.doc.say(f"Added {add.node.name} after {names[after].name}, beside {', '.join(beside)}: "
                             f"{names[after].name} now feeds both. Shift+Enter in the palette puts a layer between "
                             f"instead.", 8000)
            else:
                self.doc.say(f"Added {add.node.name} after {names[after].name}.", 4000)
        else:
            self.doc.say(f"Added {add.node.name}. Drag from its right port to connect it.", 4000)
        return add.node.id

    def add_layer_at_centre(self, kind: str) -> str | None:
        """Palette double-click or Enter: after the selected layer (wired to it) when one is selected, else mid-view."""
        sel = self.doc.selection
        if len(sel) == 1 and sel[0] in self.graph.nodes:
            added = self.add_layer(kind, QPointF(*self._next_spot(sel[0])), after=sel[0])
            self.view.refit()  # the whole network still, where the canvas showed it whole
            return added
        return self.add_layer(kind, self.view.mapToScene(self.view.viewport().rect().center()))

    def _next_spot(self, after: str) -> tuple[float, float]:
        """Where a layer added after ``after`` goes: the next column to its right; but after the last layer of a
        chain wrapped into rows (core.layout.wrapped_chain), or of a row as wide as the canvas shows at its smallest
        readable zoom (a drive built nine layers with Enter at 1280x720 and the first ones scrolled out of view),
        the start of a new row under them: the rows the presets open in."""
        g = self.graph
        px, py = g.nodes[after].pos
        xs = [n.pos[0] for n in g.nodes.values()]
        ys = {n.pos[1] for n in g.nodes.values()}
        chain = chain_order(g)
        pitch = column_pitch(g)
        if chain is not None and chain[-1] == after and px >= max(xs) and len(g.nodes) > 1:
            if len(ys) > 1 or round((px - min(xs)) / pitch) + 1 >= self.per_row(g):
                return min(xs), max(ys) + Y_SPACING * WRAP_ROW_GAP
        return px + pitch, py

    @staticmethod
    def _connect_steps(steps, src: str, dst: str, port: int | None = None):
        """Connect src -> dst in ``steps`` (into input ``port``, else the next free one); a Neuron's weights are
        refitted to its new fan-in in the same step."""
        cmd = steps.add(C.ConnectCommand, src, dst, port)
        g = steps.graph
        if g.nodes[dst].spec.hand_set:
            n_in = ShapeCache(g).output_width(src)
            k = g.nodes[dst].weights.get("kernel")
            if n_in and (k is None or k.shape[0] != n_in):
                steps.add(C.SetWeightsCommand, {dst: fitted_neuron_weights(g, dst, n_in)}, "Fit weights")
        return cmd

    def connect_nodes(self, src: str, dst: str) -> bool:
        """Connect src -> dst as one undo step; a refused edge shows why and changes nothing.

        A one-input layer that is fed already has its old edge replaced, in the same step, and the
        status bar says so.
        """
        steps = C.Steps(self.graph)
        try:
            cmd = self._connect_steps(steps, src, dst)
        except PlaygroundError as exc:
            self.doc.say(str(exc), 8000)
            self.doc.tell(str(exc))
            return False
        self.doc.push(steps.command("Connect"))
        names = self.graph.nodes
        if cmd.replaced:
            old = ", ".join(names[e.src].name for e in cmd.replaced if e.src in names)
            self.doc.say(f"Connected {names[src].name} to {names[dst].name}, replacing its input from {old} "
                         f"({names[dst].name} takes one input). Ctrl+Z puts it back.", 8000)
        else:
            self.doc.say(f"Connected {names[src].name} to {names[dst].name}.", 4000)
        return True

    def connect_selection(self) -> bool:
        """Connect the selected layers left to right, each into the next (Edit > Connect selected layers), one step."""
        ids = [n for n in self.doc.selection if n in self.graph.nodes]
        if len(ids) < 2:
            self.doc.say("Select two or more layers to connect them left to right (Shift+arrow keys on the canvas, "
                         "or Ctrl+click).", 6000)
            return False
        # left to right; layers in one column in the order they were selected
        ordered = sorted(ids, key=lambda n: (self.graph.nodes[n].pos[0], ids.index(n)))
        steps = C.Steps(self.graph)
        replaced = []  # (layer, the input it lost)
        try:
            for a, b in zip(ordered, ordered[1:]):
                if b not in self.graph.output_ids(a):
                    replaced += [(b, e.src) for e in self._connect_steps(steps, a, b).replaced]
        except PlaygroundError as exc:
            self.doc.tell(str(exc))
            return False
        cmd = steps.command("Connect")
        if cmd is None:
            self.doc.say("The selected layers are connected already.", 4000)
            return False
        self.doc.push(cmd)
        nodes = self.graph.nodes
        names = " \u2192 ".join(nodes[n].name for n in ordered)
        if replaced:  # a one-input layer lost its old input: never silently
            lost = "; ".join(f"replacing {nodes[b].name}'s input from {nodes[src].name}" for b, src in replaced
                             if b in nodes and src in nodes)
            self.doc.say(f"Connected {names}, {lost} (each takes one input). Ctrl+Z puts it back.", 10000)
        else:
            self.doc.say(f"Connected {names}.", 4000)
        return True

    def insert_layer(self, kind: str) -> str | None:
        """Shift+Enter in the palette: a ``kind`` layer between the selected layer and the one layer it feeds,
        wired in (selected -> new -> next), one undo step; refused with the reason where a connection is refused
        (a shape that does not fit shows on the cards, as for any connection)."""
        g = self.graph
        sel = [n for n in self.doc.selection if n in g.nodes]
        nexts = g.output_ids(sel[0]) if len(sel) == 1 else []
        if len(sel) != 1 or len(nexts) != 1:
            self.doc.say("Select one layer that feeds exactly one other to put a layer between them "
                         "(Enter adds after the selected layer instead).", 6000)
            return None
        after, nxt = sel[0], nexts[0]
        x, y = self.free_spot(*g.nodes[nxt].pos)
        per_row = self.per_row(g)  # a network still in its automatic layout (a preset, an import, Ctrl+L) stays in
        tidy = auto_layout(g, per_row=per_row) == {nid: n.pos for nid, n in g.nodes.items()}  # it: five layers put
        steps = C.Steps(g)  # after the Input stacked in a column far from it, wires crossing (a drive)
        try:
            add = steps.add(C.AddNodeCommand, kind, (x, y))
            old = [e for e in g.edges if e.src == after and e.dst == nxt]
            for e in old:
                steps.add(C.DisconnectCommand, e)
            self._connect_steps(steps, after, add.node.id)
            self._connect_steps(steps, add.node.id, nxt, old[0].port)  # the same input of a merge layer
            steps.keep_layout(per_row if tidy else None)
        except PlaygroundError as exc:  # (the steps ran on a copy: the network is untouched)
            self.doc.tell(f"{get_spec(kind).title} cannot go between {g.nodes[after].name} and "
                          f"{g.nodes[nxt].name}: {exc}")
            return None
        self.doc.push(steps.command(f"Insert {get_spec(kind).title}"))
        self.select_nodes([add.node.id])
        self.doc.say(f"Inserted {get_spec(kind).title} ({add.node.name}) between {g.nodes[after].name} and "
                     f"{g.nodes[nxt].name}."
                     + ("" if tidy else " Ctrl+L tidies the layout."), 6000)
        return add.node.id

    def delete_selection(self) -> None:
        nodes = self.scene.selected_node_ids()
        edges = [e for e in self.scene.selected_edges() if e.src not in nodes and e.dst not in nodes]
        if not nodes and not edges:
            return
        steps = C.Steps(self.graph)
        for e in edges:
            steps.add(C.DisconnectCommand, e)
        if nodes:
            steps.add(C.RemoveNodesCommand, nodes)
        # a layer between two whose next layers are left with no input at all: the chain is cut
        cut = len(nodes) == 1 and self._joinable(nodes[0]) is not None and any(
            not steps.graph.input_ids(o) for o in self.graph.output_ids(nodes[0]) if o in steps.graph.nodes)
        name = self.graph.nodes[nodes[0]].name if cut else ""
        self.doc.push(steps.command("Delete"))
        if cut:
            self.doc.say(f"Deleted {name}; the layers after it have no input now. Ctrl+Z puts it back; Ctrl+Delete "
                         f"deletes a layer and joins the layer before it to the ones after.", 8000)

    def _joinable(self, nid: str) -> tuple[str, list[str]] | None:
        """(the one layer feeding ``nid``, the layers it feeds) when it has exactly one input and feeds some."""
        ins, outs = self.graph.input_ids(nid), self.graph.output_ids(nid)
        return (ins[0], outs) if len(ins) == 1 and outs else None

    def delete_and_join(self) -> None:
        """Edit > Delete and join (Ctrl+Delete): remove the one selected layer and wire the layer before it into
        each layer after it, one undo step; refused, with the reason, where that cannot be wired."""
        nodes = self.scene.selected_node_ids()
        join = self._joinable(nodes[0]) if len(nodes) == 1 else None
        if join is None:
            self.doc.say("Select one layer that has one input and feeds another to delete it and join its "
                         "neighbours (Delete removes a selection as it is).", 6000)
            return
        (before, after), g = join, self.graph
        names = [g.nodes[n].name for n in (before, *after)]
        steps = C.Steps(g)
        ports = {e.dst: e.port for e in g.edges if e.src == nodes[0]}  # each next layer's input, in its own place
        per_row = self.doc.layout_row(g)  # a network in the canvas's own layout stays in it (a drive: a gap)
        try:
            steps.add(C.RemoveNodesCommand, nodes)
            for nxt in after:
                self._connect_steps(steps, before, nxt, ports.get(nxt))
            steps.keep_layout(per_row)
        except PlaygroundError as exc:  # (the steps ran on a copy: the network is untouched)
            self.doc.tell(f"Cannot join {names[0]} to {', '.join(names[1:])}: {exc}")
            return
        gone = g.nodes[nodes[0]].name
        self.doc.push(steps.command(f"Delete {gone} and join"))
        self.select_nodes(list(after))
        self.doc.say(f"Deleted {gone} and joined {names[0]} to {', '.join(names[1:])}. Ctrl+Z puts it back.", 6000)

    def per_row(self, graph, build: bool = False) -> int:
        """How many of ``graph``'s columns the canvas shows across at its smallest readable zoom: as it is now, or
        (``build``) as wide as the Build workspace makes it (an import made from Train opens in Build's rows)."""
        from .canvas.view import FIT_MARGIN, MIN_ZOOM
        bar = self.view.style().pixelMetric(QStyle.PM_ScrollBarExtent)
        now = self.view.viewport().width() + (bar if self.view.verticalScrollBar().isVisible() else 0)
        win = self.parent()
        if build and hasattr(win, "hsplit") and getattr(win, "workspace", "Build") != "Build":
            sides = sum(BUILD_SIDES)  # the palette and the inspector beside Build's canvas
            now = max(now, max(win.hsplit.width(), 1200) - sides)
        now -= bar  # rows that fit beside the vertical scroll bar a network taller than the canvas brings
        width = (now - 2) / MIN_ZOOM - 2 * FIT_MARGIN  # what a fit then shows, in the scene (view._fit)
        return max(2, int((width - CARD_W) // column_pitch(graph)) + 1)

    def auto_layout(self) -> None:
        """Arrange the layers left to right; a plain chain too long for the canvas wraps into rows as wide as the
        canvas shows at its smallest readable zoom."""
        per_row = self.per_row(self.graph)
        moves = {nid: (self.graph.nodes[nid].pos, p) for nid, p in auto_layout(self.graph, per_row=per_row).items()
                 if self.graph.nodes[nid].pos != p}
        if moves:
            self.doc.push(C.MoveNodesCommand(self.graph, moves))
        self.view.fit_all()

    def select_nodes(self, ids: list[str]) -> None:
        self.doc.select(ids)
        if ids:
            self.reveal(ids[0])

    def reveal(self, nid: str) -> None:
        if nid in self.scene.node_items:  # scrolled to only when not in view already (Qt's 50-px
            item = self.scene.node_items[nid]  # margins moved a network that fitted and cut its other end)
            view, mm = self.view, self.view.minimap
            card = lambda: view.mapFromScene(item.card_rect()).boundingRect().translated(view.viewport().pos())  # noqa: E731
            if not view.viewport().geometry().contains(card()):
                view.ensureVisible(item, 16, 16)
            view.place_minimap()  # the corner that covers the fewest cards, the selected one least of all
            if mm.isVisible() and mm.geometry().intersects(card()):  # every corner covers it: scrolled clear of it
                view.ensureVisible(item, mm.width() + 24, mm.height() + 24)

    def select_all(self) -> None:
        self.select_nodes(list(self.graph.nodes))

    def copy_selection(self) -> None:
        if (text := self._selection_text()) is not None:
            QGuiApplication.clipboard().setText(text)

    def _selection_text(self) -> str | None:
        """The selected layers and the edges between them as project JSON, or None where none is selected."""
        ids = self.scene.selected_node_ids()
        if not ids:
            return None
        sub = project_io.Project()
        for nid in ids:
            sub.graph.insert_node(self.graph.nodes[nid].clone())
        for e in self.graph.edges:
            if e.src in ids and e.dst in ids:
                sub.graph.add_edge_unchecked(e)
        # plain JSON text: it pastes between windows and apps, and the clipboard copies a string
        # (handing it a QMimeData would leave Qt and Python both owning it)
        return project_io.dumps(sub)

    def paste(self) -> None:
        self._paste(QGuiApplication.clipboard().text(), "Paste")

    def _paste(self, text: str, verb: str) -> None:
        """``text``'s layers beside where they were, selected: one undo step named ``verb``."""
        if '"app": "playground"' not in text:
            self.doc.say("The clipboard holds no layers to paste.", 4000)
            return
        try:
            sub = project_io.loads(text, "The copied layers")
        except PlaygroundError as exc:
            self.doc.tell(f"Cannot paste: {exc}")
            return
        id_map = {}
        steps = C.Steps(self.graph)
        dx, dy = self._paste_offset([n.pos for n in sub.graph.nodes.values()])
        try:
            for node in sub.graph.nodes.values():
                cmd = steps.add(C.AddNodeCommand, node.kind, (node.pos[0] + dx, node.pos[1] + dy),
                                dict(node.params), name=steps.graph.unique_name(node.name), weights=node.weights)
                id_map[node.id] = cmd.node.id
            frozen = [id_map[n.id] for n in sub.graph.nodes.values() if not n.trainable]
            if frozen:  # a frozen layer's copy is frozen too (it came back trainable)
                steps.add(C.SetTrainableCommand, frozen, False)
        except PlaygroundError as exc:
            self.doc.tell(f"Cannot paste: {exc}")
            return
        for e in sub.graph.edges:
            try:
                steps.add(C.ConnectCommand, id_map[e.src], id_map[e.dst])
            except PlaygroundError:
                pass  # an edge that no longer fits is simply not pasted; the nodes are
        self.doc.push(steps.command(f"{verb} {count(len(sub.graph.nodes), 'layer')}"))
        self.select_nodes(list(id_map.values()))
        bare = [self.graph.nodes[i].name for i in id_map.values()  # (edges from outside the copy are not copied)
                if self.graph.nodes[i].kind != "input" and not self.graph.input_ids(i)]
        self.doc.say(f"{verb}d {count(len(id_map), 'layer')}, selected. {_unwired(bare)}", 8000)

    def _paste_offset(self, positions: list) -> tuple[float, float]:
        """How far pasted cards move from where they were copied: 40 px right and down, then further down
        until none of them lands on a card already there (a second paste used to hide the first)."""
        taken = _Taken(n.pos for n in self.graph.nodes.values())
        dx, dy = 40.0, 40.0
        for _ in range(200):
            if not any(taken.hit((x + dx, y + dy)) for x, y in positions):
                break
            dy += CARD_H + 24
        return dx, dy

    def duplicate(self) -> None:
        """The selection copied beside itself, the clipboard left as the user had it."""
        if (text := self._selection_text()) is not None:
            self._paste(text, "Duplicate")


class _Taken:
    """The cards' top-left corners in cells of a card's size: whether a card at a place overlaps one is asked of the
    nine cells around it, not of every card (pasting 1,500 layers beside 1,000 froze the window for 37 s)."""

    def __init__(self, positions):
        self.cells: dict[tuple[int, int], list] = {}
        for p in positions:
            self.cells.setdefault(self._cell(p), []).append(p)

    @staticmethod
    def _cell(p) -> tuple[int, int]:
        return int(p[0] // (CARD_W + 8)), int(p[1] // (CARD_H + 8))

    def hit(self, q) -> bool:
        cx, cy = self._cell(q)
        return any(_overlap(p, q) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                   for p in self.cells.get((cx + dx, cy + dy), ()))


def _unwired(names: list[str]) -> str:
    """What a copy still needs: its layers without an input, named (up to three)."""
    if not names:
        return "Ctrl+Z takes them back."
    some = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    one = len(names) == 1
    return (f"{some} {'has' if one else 'have'} no input yet: drag from a layer's right port into "
            f"{'it' if one else 'them'}.")


def _overlap(a: tuple, b: tuple) -> bool:
    """Would cards at top-left corners ``a`` and ``b`` overlap (with 8 px to spare)?"""
    return abs(a[0] - b[0]) < CARD_W + 8 and abs(a[1] - b[1]) < CARD_H + 8
