"""The graph's typed events: one Event per kind of change, bound-method listeners held weakly, and the
graph's collections read-only from outside (every change goes through a checked, announced mutator)."""

from __future__ import annotations

import gc

import pytest

from playground.core.graph import Graph


class _View:
    def __init__(self, g: Graph):
        self.added = []
        g.events.node_added.connect(self.on_added)

    def on_added(self, node):
        self.added.append(node.name)


def test_each_event_reaches_only_its_listeners():
    g = Graph()
    added, moved = [], []
    g.events.node_added.connect(lambda node: added.append(node.name))
    g.events.node_moved.connect(lambda node: moved.append(node.pos))
    n = g.add_node("dense", name="d")
    g.set_param(n.id, "units", 4)
    g.move_node(n.id, (3.0, 4.0))
    assert added == ["d"] and moved == [(3.0, 4.0)]


def test_a_view_that_goes_away_stops_listening():
    g = Graph()
    view = _View(g)
    g.add_node("dense", name="a")
    assert view.added == ["a"] and g.events.node_added.listeners == 1
    del view
    gc.collect()
    g.add_node("dense", name="b")  # no error, nobody called
    assert g.events.node_added.listeners == 0


def test_collections_are_read_only_from_outside():
    g = Graph()
    a = g.add_node("input", {"shape": (4,)})
    b = g.add_node("dense")
    g.connect(a.id, b.id)
    with pytest.raises(TypeError):
        g.nodes["x"] = a  # type: ignore[index]
    with pytest.raises(AttributeError):
        g.edges.append(g.edges[0])  # type: ignore[attr-defined]
    assert len(g.nodes) == 2 and len(g.edges) == 1
