"""A lesson's edits (a step's ``setup`` and ``show_me``) as ordinary commands on the document's one undo stack.

Each list of edits is one undo step (a macro); an edit the document refuses undoes the ones before it, so a
broken lesson never leaves half an edit behind.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..core import lessons as L
from ..core import project as project_io
from ..core.errors import PlaygroundError
from ..core.graph import Graph
from ..core.settings import default_training
from ..core.words import count
from ..resources_path import preset_text
from . import commands as C


class ReplaceNetworkCommand(QUndoCommand):
    """Swap the network on the canvas for another (a lesson's next network), keeping settings and runs."""

    def __init__(self, graph: Graph, new: Graph, text: str, doc=None, name: str | None = None):
        super().__init__(text)
        self.graph, self.old, self.new = graph, graph.copy(), new.copy()
        # the project's name goes with its network where the project has no file (a lesson's MLP became the CNN
        # and the title, See inside's model and the export's name still said mnist-mlp)
        self.doc, self.names = doc, (doc.project.name if doc is not None else None, name)

    def _name(self, name) -> None:
        if self.doc is not None and self.doc.path is None and name and self.doc.project.name != name:
            self.doc.project.name = name
            self.doc.title_changed.emit()

    def redo(self):
        self.graph.replace_with(self.new)
        self._name(self.names[1])

    def undo(self):
        self.graph.replace_with(self.old)
        self._name(self.names[0])


def _node(graph: Graph, ref: str):
    node = L.find_layer(graph, ref)
    if node is None:
        raise PlaygroundError(f"This step needs a layer named {ref!r}, and the canvas has none.")
    return node


def apply_actions(doc, actions, text: str) -> None:
    """Do a step's edits as one undo step; a refused edit undoes the ones before it and raises."""
    if not actions:
        return
    stack, g = doc.stack, doc.graph
    stack.beginMacro(text)
    try:
        for a in actions:
            _apply(doc, g, a)
    except PlaygroundError:
        stack.endMacro()
        done = stack.command(stack.index() - 1) if stack.index() > 0 else None
        if done is not None:  # put back what this macro had done; the caller shows the message
            stack.undo()  # (marked obsolete first, Qt 6 dropped it without undoing it: the edits stayed)
            done.setObsolete(True)  # then dropped: no redo of half an edit (an obsolete command is deleted unrun)
            stack.redo()
        raise
    stack.endMacro()


def _apply(doc, g: Graph, a: L.Action) -> None:
    args = a.args
    if a.do == "set_weights":
        node = _node(g, args["layer"])
        n_in = doc.shapes.output_width(g.input_ids(node.id)[0]) if g.input_ids(node.id) else None
        want = (n_in, node.params.get("units"))
        if not node.spec.hand_set or n_in is None:
            why = "is not a neuron layer" if not node.spec.hand_set else "has no input yet"
            raise PlaygroundError(f"{node.name} {why}, so the lesson cannot set its weights.")
        if args["kernel"].shape != want:
            raise PlaygroundError(f"{node.name} takes weights of {count(want[0], 'input')} x "
                                  f"{count(want[1], 'neuron')}; the lesson gives {args['kernel'].shape[0]} x "
                                  f"{args['kernel'].shape[1]}.")
        doc.push(C.SetWeightsCommand(g, {node.id: {"kernel": args["kernel"].copy(), "bias": args["bias"].copy()}},
                                     "Set weights"))
    elif a.do == "set_param":
        node = _node(g, args["layer"])
        if args["param"] not in node.params:
            raise PlaygroundError(f"{node.name} has no parameter {args['param']!r}.")
        if node.params[args["param"]] != args["value"]:
            doc.push(C.SetParamCommand(g, node.id, args["param"], args["value"]))
    elif a.do == "set_logic_target":
        doc.set_setting("logic", "target", args["value"])
    elif a.do == "insert_after":
        node = _node(g, args["layer"])
        outs = [e for e in g.edges if e.src == node.id]
        x, y = node.pos
        add = C.AddNodeCommand(g, args["type"], (x + 120.0, y + 150.0), dict(args["params"]),
                               name=args["name"] if args["name"] and args["name"] not in
                               {n.name for n in g.nodes.values()} else None)
        doc.push(add)
        for e in outs:
            doc.push(C.DisconnectCommand(g, e))
        doc.push(C.ConnectCommand(g, node.id, add.node.id))
        for e in outs:
            doc.push(C.ConnectCommand(g, add.node.id, e.dst))
    elif a.do == "set_trainable":
        out = {n.id for n in g.outputs()}
        ids = [n.id for n in g.nodes.values() if n.id not in out] if args["layers"] == L.BASE else \
            [_node(g, r).id for r in args["layers"]]
        doc.push(C.SetTrainableCommand(g, ids, args["value"]))
    elif a.do == "rename":  # (a name taken or not allowed: RenameCommand's own error, and the macro is undone)
        node = _node(g, args["layer"])
        if node.name != args["name"]:
            doc.push(C.RenameCommand(g, node.id, args["name"]))
    elif a.do == "load_network":
        new = project_io.loads(preset_text(args["preset"]))
        doc.place_network(new.graph)  # in rows the canvas shows whole, as the preset opened from the menu is
        doc.push(ReplaceNetworkCommand(g, new.graph, f"Load the {args['preset']} network", doc, new.name))
    else:  # the loader admits only the kinds above
        raise PlaygroundError(f"Unknown lesson edit {a.do!r}.")


def put_back(doc, graph: Graph, target, title: str, verb: str = "Back to", name: str | None = None) -> None:
    """Back to a step (or on to one, ``verb``): the network and logic target it was left with, one undo step
    (``LessonsPanel.back`` and ``next``); ``name``: the project's name with that network."""
    if graph == doc.graph and target == doc.logic.get("target"):
        return  # as it was left: no step that does nothing
    doc.stack.beginMacro(f"{verb} {title}")
    try:
        doc.push(ReplaceNetworkCommand(doc.graph, graph, verb.split()[0], doc, name))
        if target != doc.logic.get("target"):
            doc.set_setting("logic", "target", target)
    finally:
        doc.stack.endMacro()
    doc.say(f"{verb} \u201c{title}\u201d: its network as you left it (Ctrl+Z brings back the one you had).", 6000)


def start_project(lesson: L.Lesson, start: L.Start) -> project_io.Project:
    """The project a lesson (or step) starts from: a preset, or its inline chain."""
    if start.preset:
        return project_io.loads(preset_text(start.preset))
    training = default_training()
    if start.dataset:
        training["dataset"] = start.dataset
    return project_io.Project(L.start_graph(start), name=lesson.id, training=training)
