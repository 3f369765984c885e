"""Every user edit is one of these commands on the document's single QUndoStack.

The constructor only records (and validates); ``redo()`` applies and ``undo()`` reverts, through public
model methods (Graph, Document). Each command calls model methods only; the canvas and inspector update from the graph's events.
Spin-box drags and weight scrolls merge into one step through ``id()``/``mergeWith()``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from ..core.errors import GraphError
from ..core.graph import Edge, Graph, LayerNode
from ..core.words import count

MERGE_PARAM = 1001
MERGE_WEIGHT = 1002
MERGE_SETTING = 1003


class AddNodeCommand(QUndoCommand):
    def __init__(self, graph: Graph, kind: str, pos, params: dict | None = None, name: str | None = None,
                 weights: dict | None = None):
        super().__init__(f"Add {kind}")
        self.graph = graph
        name = name or graph.unique_name(kind)
        if graph.unique_name(name) != name:  # checked against the live graph, so redo() cannot fail on it
            raise GraphError(f"Another layer is already named {name!r}; names must be unique.")
        self.node: LayerNode = Graph().add_node(kind, params, name=name, pos=pos, weights=weights,
                                                node_id=graph.new_id())

    def redo(self):
        self.graph.insert_node(self.node.clone())

    def undo(self):
        self.graph.remove_node(self.node.id)


class RemoveNodesCommand(QUndoCommand):
    """Remove nodes with their edges; undo puts back the exact nodes and edges."""

    def __init__(self, graph: Graph, node_ids: list[str]):
        super().__init__(f"Delete {count(len(node_ids), 'layer')}")
        self.graph = graph
        order = {nid: i for i, nid in enumerate(graph.nodes)}
        self.nodes = [(order[n], graph.nodes[n].clone()) for n in node_ids]  # (place in the node order, node)
        ids = set(node_ids)
        self.edges = [(k, e) for k, e in enumerate(graph.edges) if e.src in ids or e.dst in ids]

    def redo(self):
        for _, n in self.nodes:
            self.graph.remove_node(n.id)

    def undo(self):
        self.graph.restore([(at, n.clone()) for at, n in self.nodes], self.edges)


class ConnectCommand(QUndoCommand):
    """Connect two nodes; for a single-input node that is fed already, the old edge is replaced.

    The edge is checked (cycles, ports, merge shapes) on a copy of the graph when the command is made,
    so a refused edge never reaches the stack: the caller catches the typed error and shows it. Only
    ``redo()`` changes the live graph.
    """

    def __init__(self, graph: Graph, src: str, dst: str, port: int | None = None):
        super().__init__("Connect")
        self.graph = graph
        from ..core.registry import get_spec
        spec = get_spec(graph.nodes[dst].kind)
        # the input it takes the place of, with its place in the edge order (undo puts it back there)
        self.replaced_at = [(k, e) for k, e in enumerate(graph.edges) if e.dst == dst] if spec.max_inputs == 1 else []
        self.replaced = [e for _, e in self.replaced_at]
        trial = graph.copy()
        for e in self.replaced:
            trial.disconnect(e)
        # raises a typed error when the edge cannot be made; ``port``: the input it takes (a merge layer's order)
        self.edge = trial.connect(src, dst) if port is None else trial.connect(src, dst, port=port)

    def redo(self):
        for e in self.replaced:
            self.graph.disconnect(e)
        self.graph.add_edge_unchecked(self.edge)

    def undo(self):
        self.graph.disconnect(self.edge)
        self.graph.restore(edges=self.replaced_at)  # at its place in the edge order


class DisconnectCommand(QUndoCommand):
    def __init__(self, graph: Graph, edge: Edge):
        super().__init__("Remove connection")
        self.graph, self.edge = graph, edge
        self.at = graph.edges.index(edge)

    def redo(self):
        self.graph.disconnect(self.edge)

    def undo(self):
        self.graph.restore(edges=[(self.at, self.edge)])


class SetParamCommand(QUndoCommand):
    """Set one parameter; successive edits of the same field in one ``session`` (the keystrokes and arrow clicks
    between entering a field and leaving it) merge into one step. Without a session nothing merges: two edits of
    one field, with another layer chosen between them, were one undo step."""

    def __init__(self, graph: Graph, node_id: str, name: str, value, session: int | None = None):
        from ..core.registry import get_spec
        spec = get_spec(graph.nodes[node_id].kind).param(name)
        super().__init__(f"Set {spec.title}")  # the field's own word ("kernel"), not Keras' ("kernel_size")
        self.graph, self.node_id, self.name, self.session = graph, node_id, name, session
        self.old = graph.nodes[node_id].params[name]
        self.new = spec.validate(value)  # validated now so an invalid value never reaches the stack
        # hand-set Neurons refitted with it (``set_param_fitting``): node id -> weights before, and after
        self.weights_old: dict[str, dict] = {}
        self.weights_new: dict[str, dict] = {}

    def id(self):
        return MERGE_PARAM if self.session is not None else -1

    def mergeWith(self, other):
        if isinstance(other, SetParamCommand) and (other.node_id, other.name, other.session) == \
                (self.node_id, self.name, self.session):
            self.new = other.new  # and the refits of both: the first's weights before, the last's after
            for nid, weights in other.weights_new.items():
                self.weights_old.setdefault(nid, other.weights_old[nid])
                self.weights_new[nid] = weights
            self.setObsolete(self.new == self.old and all(
                _same_weights(self.weights_old[n], w) for n, w in self.weights_new.items()))
            return True
        return False

    def redo(self):
        self.graph.set_param(self.node_id, self.name, self.new)
        for nid, weights in self.weights_new.items():
            self.graph.set_weights(nid, weights)

    def undo(self):
        for nid, weights in self.weights_old.items():
            self.graph.set_weights(nid, weights)
        self.graph.set_param(self.node_id, self.name, self.old)


def _same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


class RenameCommand(QUndoCommand):
    def __init__(self, graph: Graph, node_id: str, name: str):
        super().__init__("Rename")
        self.graph, self.node_id = graph, node_id
        self.old = graph.nodes[node_id].name
        graph.copy().rename(node_id, name)  # raises a typed error naming the problem; the live graph is untouched
        self.new = name

    def redo(self):
        self.graph.rename(self.node_id, self.new)

    def undo(self):
        self.graph.rename(self.node_id, self.old)


class MoveNodesCommand(QUndoCommand):
    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]]):
        super().__init__("Move")
        self.graph, self.moves = graph, moves

    def redo(self):
        for nid, (_, new) in self.moves.items():
            self.graph.move_node(nid, new)

    def undo(self):
        for nid, (old, _) in self.moves.items():
            self.graph.move_node(nid, old)


class SetWeightCommand(QUndoCommand):
    """One weight or bias of a Neuron; scrolling or dragging the same entry merges into one step."""

    def __init__(self, graph: Graph, node_id: str, var: str, index: tuple, value: float, merge: bool = True):
        super().__init__(f"Set {'bias' if var == 'bias' else 'weight'}")
        self.graph, self.node_id, self.var, self.index = graph, node_id, var, tuple(index)
        self.old = float(graph.nodes[node_id].weights[var][self.index])
        self.new = float(value)
        self.merge = merge  # scrolls merge; each typed value is its own step

    def id(self):
        return MERGE_WEIGHT if self.merge else -1

    def mergeWith(self, other):
        if isinstance(other, SetWeightCommand) and other.merge and \
                (other.node_id, other.var, other.index) == (self.node_id, self.var, self.index):
            self.new = other.new
            self.setObsolete(self.new == self.old)
            return True
        return False

    def redo(self):
        self.graph.set_weight_value(self.node_id, self.var, self.index, self.new)

    def undo(self):
        self.graph.set_weight_value(self.node_id, self.var, self.index, self.old)


class SetWeightsCommand(QUndoCommand):
    """Replace whole weight dicts of several nodes (trained weights, reset to fit)."""

    def __init__(self, graph: Graph, weights: dict[str, dict[str, np.ndarray] | None], text: str = "Set weights"):
        super().__init__(text)
        self.graph = graph
        self.new = weights
        self.old = {nid: {k: v.copy() for k, v in graph.nodes[nid].weights.items()} for nid in weights}

    def redo(self):
        for nid, w in self.new.items():
            self.graph.set_weights(nid, w)

    def undo(self):
        for nid, w in self.old.items():
            self.graph.set_weights(nid, w)


class SetNodeParamsCommand(QUndoCommand):
    """Several parameters at once (learn-instead switches step <-> sigmoid across a network)."""

    def __init__(self, graph: Graph, changes: dict[str, dict], text: str):
        super().__init__(text)
        self.graph = graph
        self.new = changes
        self.old = {nid: {k: graph.nodes[nid].params[k] for k in ch} for nid, ch in changes.items()}

    def redo(self):
        for nid, ch in self.new.items():
            for k, v in ch.items():
                self.graph.set_param(nid, k, v)

    def undo(self):
        for nid, ch in self.old.items():
            for k, v in ch.items():
                self.graph.set_param(nid, k, v)


class SetTrainableCommand(QUndoCommand):
    """Freeze or unfreeze layers (fine-tuning): frozen layers keep their weights exactly while training."""

    def __init__(self, graph: Graph, node_ids: list[str], trainable: bool):
        super().__init__("Unfreeze" if trainable else "Freeze")
        self.graph, self.trainable = graph, trainable
        self.old = {nid: graph.nodes[nid].trainable for nid in node_ids}

    def redo(self):
        for nid in self.old:
            self.graph.set_trainable(nid, self.trainable)

    def undo(self):
        for nid, was in self.old.items():
            self.graph.set_trainable(nid, was)


class ReplaceHeadCommand(QUndoCommand):
    """Cut everything after a layer and add Dense(N, softmax) on it, freezing the base: one undo step."""

    def __init__(self, graph: Graph, plan):
        super().__init__(f"Replace the head ({count(len(plan.added), 'layer')} added, {len(plan.removed)} removed)")
        self.graph, self.plan = graph, plan  # plan_head_replacement() built it: nothing changed yet

    def redo(self):
        self.plan.apply(self.graph)

    def undo(self):
        self.plan.revert(self.graph)


class SetSettingCommand(QUndoCommand):
    """One training or logic setting; typing into the same field merges into one step."""

    def __init__(self, doc, section: str, key: str, value, session: int | None = None):
        super().__init__(f"Set {key.replace('_', ' ')}")
        self.doc, self.section, self.key, self.session = doc, section, key, session
        current = getattr(doc.project, section)
        self.had, self.old = key in current, current.get(key)  # undo of a first-time setting removes it again
        self.new = value

    def id(self):
        return MERGE_SETTING

    def mergeWith(self, other):
        if isinstance(other, SetSettingCommand) and (other.section, other.key, other.session) == \
                (self.section, self.key, self.session):
            self.new = other.new
            self.setObsolete(self.had and self.new == self.old)
            return True
        return False

    def redo(self):
        self.doc.apply_setting(self.section, self.key, self.new)

    def undo(self):
        self.doc.apply_setting(self.section, self.key, self.old, present=self.had)


class CompoundCommand(QUndoCommand):
    """Several commands as one undo step (orange-canvas-core's command with child commands).

    Made by ``Steps.command``: every step was already built and applied on a copy of the graph, so
    ``redo()`` cannot fail half-way and there is no macro to leave open.
    """

    def __init__(self, text: str, steps: list[QUndoCommand]):
        super().__init__(text)
        self.steps = list(steps)

    def redo(self):
        for cmd in self.steps:
            cmd.redo()

    def undo(self):
        for cmd in reversed(self.steps):
            cmd.undo()


def set_param_fitting(graph: Graph, node_id: str, name: str, value, session: int | None = None,
                      top=None) -> SetParamCommand:
    """SetParamCommand, with the hand-set Neurons the new value no longer fits (a Neuron's own units, an Input's
    shape, the layer before a Neuron) refitted in the same step: what fits kept, the rest 0. One step for a visit to
    the field, its keystrokes merged refits and all ("12" typed was two steps, and undo left 1); ``top``, the
    stack's last step, is that visit's when it is one, and the refits start from the weights the visit began with,
    so a size typed on the way (1 on the way to 12) drops no hand-set weight. With the value the visit began with,
    the weights go back to where they were (a refused entry puts the layer back)."""
    cmd = SetParamCommand(graph, node_id, name, value, session)
    node = graph.nodes[node_id]
    if not node.spec.hand_set and not any(graph.nodes[n].spec.hand_set for n in graph.output_ids(node_id)):
        return cmd  # (the common case: nothing to refit)
    from ..core.weights import neuron_refits
    same = isinstance(top, SetParamCommand) and session is not None and \
        (top.node_id, top.name, top.session) == (node_id, name, session)
    began = top.weights_old if same else {}
    probe = graph.copy()
    for nid, weights in began.items():
        probe.set_weights(nid, weights)
    probe.set_param(node_id, name, cmd.new)
    start = graph.copy()  # the graph as the visit began: its size changes are what refits
    for nid, weights in began.items():
        start.set_weights(nid, weights)
    start.set_param(node_id, name, top.old if same else cmd.old)
    new = {**began, **neuron_refits(probe, node_id, start)}  # (one refitted earlier in the visit that fits again: back)
    cmd.weights_new = {nid: {k: v.copy() for k, v in w.items()} for nid, w in new.items()}
    cmd.weights_old = {nid: {k: v.copy() for k, v in graph.nodes[nid].weights.items()} for nid in new}
    return cmd


class Steps:
    """Builds one compound edit against a copy of the live graph, then hands it over as one command.

    ``add(CommandClass, *args)`` makes the command on the copy (its checks see the earlier steps) and
    applies it there; a step that cannot be made raises its typed error before anything reaches the
    stack, and the live graph is untouched. ``command(text)`` binds the steps to the live graph: the
    commands record ids and values only, and the copy started equal to it.
    """

    def __init__(self, graph: Graph):
        self.live = graph
        self.graph = graph.copy()
        self.steps: list[QUndoCommand] = []

    def add(self, command_class, *args, **kwargs):
        cmd = command_class(self.graph, *args, **kwargs)
        cmd.redo()
        self.steps.append(cmd)
        return cmd

    def keep_layout(self, per_row: int | None) -> None:
        """A step moving the network back into the automatic layout of ``per_row`` columns (``core.layout``), where
        the edit took it out; nothing with ``per_row`` None (a network placed by hand)."""
        if not per_row:
            return
        from ..core.layout import auto_layout
        moves = {nid: (self.graph.nodes[nid].pos, p) for nid, p in auto_layout(self.graph, per_row=per_row).items()
                 if self.graph.nodes[nid].pos != p}
        if moves:
            self.add(MoveNodesCommand, moves)

    def command(self, text: str) -> CompoundCommand | None:
        """One command for the steps (None when there are none)."""
        if not self.steps:
            return None
        for cmd in self.steps:
            cmd.graph = self.live
        return CompoundCommand(text, self.steps)
