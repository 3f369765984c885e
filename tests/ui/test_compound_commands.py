"""Compound edits (issue 24, item 5): one command, built and checked on a copy of the graph, never half applied.
Commands and the document without a window."""

import pytest
from PySide6.QtGui import QUndoStack

from playground.core.errors import PlaygroundError
from playground.core.graph import chain
from playground.ui import commands as C


def test_add_node_refuses_a_name_the_live_graph_already_has():
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 1}))
    with pytest.raises(PlaygroundError, match="already named 'dense'"):
        C.AddNodeCommand(g, "dense", (0, 0), name="dense")


def test_a_failing_step_pushes_nothing_and_leaves_the_graph_as_it_was(qtbot):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 1}))
    stack = QUndoStack()
    before = g.copy()
    steps = C.Steps(g)
    steps.add(C.AddNodeCommand, "dense", (0, 200), name="second")
    with pytest.raises(PlaygroundError):
        steps.add(C.AddNodeCommand, "dense", (0, 400), name="second")  # seen on the copy: refused
    assert g == before and stack.count() == 0


def test_the_steps_become_one_undo_step_on_the_live_graph(qtbot):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 1}))
    inp, dense = g.by_name("input").id, g.by_name("dense").id
    stack = QUndoStack()
    before = g.copy()
    steps = C.Steps(g)
    add = steps.add(C.AddNodeCommand, "dense", (0, 200), {"units": 3})
    steps.add(C.ConnectCommand, inp, add.node.id)
    steps.add(C.ConnectCommand, add.node.id, dense)  # replaces input -> dense, seen after the add
    assert g == before  # nothing changed until the push
    stack.push(steps.command("Insert"))
    assert g.input_ids(dense) == [add.node.id] and g.input_ids(add.node.id) == [inp]
    assert stack.count() == 1
    stack.undo()
    assert g == before
    stack.redo()
    assert g.input_ids(dense) == [add.node.id]
