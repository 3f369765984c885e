"""Derived data kept next to the model: shape results, recomputed once per change and read by every view.

Views never run shape inference themselves. A ``ShapeCache`` listens to its graph; any change that can
alter a shape, a parameter count or an error marks it stale, and the next read recomputes once. A burst
of graph events inside one edit (a macro: disconnect, add, connect, fit weights) costs one inference.
"""

from __future__ import annotations

from . import shapes

def weights_text(weights: dict) -> str:
    return ", ".join(f"{k} {tuple(v.shape)}" for k, v in weights.items())


class ShapeCache(shapes.ShapeCache):
    """``infos`` (node id -> NodeInfo) for one graph, brought up to date at most once per change, and only for
    the nodes an edit touched and what their new shapes reach (``shapes.infer`` with ``previous``/``changed``).
    A layer whose stored weights no longer fit is an error on that layer (``shapes.stored_weights_problem``).
    """

    @property
    def computations(self) -> int:
        return self.runs

    def invalidate(self) -> None:
        self._infos = None

    @property
    def stale(self) -> bool:
        return self._infos is None or bool(self._changed)

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
