"""Derived data kept next to the model: shape results, recomputed once per change and read by every view.

Views never run shape inference themselves. A ``ShapeCache`` listens to its graph; any change that can
alter a shape, a parameter count or an error marks it stale, and the next read recomputes once. A burst
of graph events inside one edit (a macro: disconnect, add, connect, fit weights) costs one inference.
"""

from __future__ import annotations

from . import shapes
from .graph import Graph

# events that cannot change a shape, a count or an error
_NEUTRAL = frozenset({"node_moved", "node_renamed"})


def weights_text(weights: dict) -> str:
    return ", ".join(f"{k} {tuple(v.shape)}" for k, v in weights.items())


def stale_weights(graph: Graph, infos: dict[str, shapes.NodeInfo]) -> dict[str, str]:
    """Nodes whose stored (trained or hand-set) weights no longer fit the layer, with a message each.

    A layer's stored numbers must add up to its parameter count; after a change such as filters 32 -> 16
    they do not, and building or exporting would fail. Neuron grids are refitted by the editor instead.
    """
    problems = {}
    for nid, node in graph.nodes.items():
        info = infos.get(nid)
        if not node.weights or info is None or info.status in ("error", "blocked"):
            continue
        stored = sum(int(v.size) for v in node.weights.values())
        if stored != info.params:
            problems[nid] = (f"The stored weights ({weights_text(node.weights)}: {stored:,} numbers) no longer fit "
                             f"this layer, which now has {info.params:,} parameters. Reset this layer's weights in "
                             f"the inspector (it starts again from random values).")
    return problems


class ShapeCache:
    """``infos`` (node id -> NodeInfo) for one graph, computed lazily and at most once per change."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._infos: dict[str, shapes.NodeInfo] | None = None
        self.computations = 0  # how many inferences ran (tests count them)
        graph.subscribe(self._on_graph_event)

    def _on_graph_event(self, event: str, **_kw) -> None:
        if event not in _NEUTRAL:
            self._infos = None

    def invalidate(self) -> None:
        self._infos = None

    @property
    def stale(self) -> bool:
        return self._infos is None

    @property
    def infos(self) -> dict[str, shapes.NodeInfo]:
        if self._infos is None:
            infos = shapes.infer(self.graph)
            self.computations += 1
            for nid, message in stale_weights(self.graph, infos).items():
                info = infos[nid]
                info.errors.append(message)
                info.status = "error"
            self._infos = infos
        return self._infos

    def info(self, node_id: str) -> shapes.NodeInfo | None:
        return self.infos.get(node_id)

    def totals(self) -> tuple[int, int]:
        """(total, trainable) parameter counts."""
        return shapes.totals(self.infos)

    def n_errors(self) -> int:
        return sum(1 for i in self.infos.values() if i.errors)

    def first_error(self) -> tuple[str, str] | None:
        """(node id, message) of the first layer in topological order with an error, or None."""
        infos = self.infos
        for nid in self.graph.topological_order():
            info = infos.get(nid)
            if info is not None and info.errors:
                return nid, info.errors[0]
        return None

    def output_width(self, node_id: str) -> int | None:
        """The last axis of a node's output (a neuron's fan-in), or None when unknown."""
        info = self.infos.get(node_id)
        return info.shape[-1] if info is not None and info.shape else None


__all__ = ["ShapeCache"]
