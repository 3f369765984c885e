"""Derived data kept next to the model: shape results, recomputed once per change and read by every view.

Views never run shape inference themselves. A ``ShapeCache`` listens to its graph; any change that can
alter a shape, a parameter count or an error marks it stale, and the next read recomputes once. A burst
of graph events inside one edit (a macro: disconnect, add, connect, fit weights) costs one inference.
"""

from __future__ import annotations

import re

from . import shapes
from .registry import get_spec
from .errors import ShapeError
from .shapes import NodeInfo, stored_weights_problem


def weights_text(weights: dict) -> str:
    return ", ".join(f"{k} {tuple(v.shape)}" for k, v in weights.items())


def infer(graph, previous: dict[str, NodeInfo] | None = None, changed=()) -> dict[str, NodeInfo]:
    """Run every node's shape and parameter rule in topological order.

    A node whose own rule fails is ``error``; its descendants are ``blocked``. Never raises for a
    bad setting: errors are data, shown on the node.

    Incremental: given the ``previous`` result and the ids of the nodes that ``changed`` since
    (parameters, weights, trainable flag, or an input edge added or removed), only those nodes and
    the ones whose inputs' shapes changed are recomputed; the rest keep their previous info.
    ``ShapeCache`` keeps both up to date from the graph's events.
    """
    infos: dict[str, NodeInfo] = {}
    inputs_of: dict[str, list] = {}
    for e in sorted(graph.edges, key=lambda e: e.port):  # one pass, not one scan of all edges per node
        inputs_of.setdefault(e.dst, []).append(e.src)
    previous = previous or {}
    changed = set(changed)
    moved: set[str] = set()  # recomputed nodes whose output shape differs from before
    for node_id in graph.topological_order():
        inputs = inputs_of.get(node_id, [])
        old = previous.get(node_id)
        if old is not None and node_id not in changed and not any(i in moved for i in inputs):
            infos[node_id] = old
            continue
        info = _infer_node(graph.nodes[node_id], get_spec, inputs, infos)
        infos[node_id] = info
        if old is None or old.shape != info.shape:
            moved.add(node_id)
    return infos


def in_field_words(spec, text: str) -> str:
    """A layer's message in the words of its inspector fields ("kernel=40 ... use kernel <= 28", not Keras'
    kernel_size, which the card, the layer table and the inspector's Output said beside a field labelled kernel)."""
    for p in spec.params:
        if p.title != p.name and p.name in text:
            text = re.sub(rf"(?<!\w){p.name}(?!\w)", p.title, text)
    return text


def _infer_node(node, get_spec, inputs: list[str], infos: dict[str, NodeInfo]) -> NodeInfo:
    """One node's info from its inputs' infos (already computed)."""
    spec = get_spec(node.kind)
    info = NodeInfo()
    if len(inputs) < spec.min_inputs:
        info.status = "error"
        info.errors.append(
            f"{spec.title} needs {'at least ' if spec.max_inputs is None else ''}{spec.min_inputs} "
            f"input{'s' if spec.min_inputs > 1 else ''}; connect "
            f"{'one' if spec.min_inputs == 1 else 'more'} to its left port.")
        return info
    in_shapes = [infos[i].shape for i in inputs]
    if any(s is None for s in in_shapes):
        info.status = "blocked"
        return info
    try:
        res = spec.shape_rule(node.params, in_shapes)
        total, trainable, pformula = spec.count_rule(node.params, in_shapes, res.shape)
    except ShapeError as exc:
        info.status = "error"
        info.errors.append(in_field_words(spec, str(exc)))
        info.error_param = exc.param
        return info
    if any(d <= 0 for d in res.shape):
        info.status = "error"
        info.errors.append(f"output shape {res.shape} has an empty dimension.")
        return info
    info.shape, info.formula, info.warnings = res.shape, res.formula, [in_field_words(spec, w) for w in res.warnings]
    if not getattr(node, "trainable", True):
        trainable = 0  # frozen: Keras counts all of a frozen layer's weights as non-trainable
    info.params, info.trainable_params, info.params_formula = total, trainable, pformula
    if spec.check_weights is not None:
        msg = spec.check_weights(node, in_shapes)
    else:
        msg = stored_weights_problem(node, total)
    if msg:
        info.errors.append(msg)
        info.status = "error"
        info.error_param = "weights"
        return info
    info.status = "warning" if info.warnings else "ok"
    return info


class ShapeCache:
    """``infos`` (node id -> NodeInfo) for one graph, brought up to date at most once per change, and only for
    the nodes an edit touched and what their new shapes reach (``infer`` with ``previous``/``changed``).
    It listens to the graph's events and remembers which nodes they touched. A layer whose stored weights no
    longer fit is an error on that layer (``shapes.stored_weights_problem``).
    """

    _NODE_EVENTS = ("param_changed", "weights_changed", "trainable_changed", "node_added")

    def __init__(self, graph) -> None:
        self.graph = graph
        self._infos: dict[str, NodeInfo] | None = None
        self._changed: set[str] = set()
        self.runs = 0  # inferences run (tests count them)
        ev = graph.events
        for name in self._NODE_EVENTS:
            getattr(ev, name).connect(self._on_node_changed)
        ev.edge_added.connect(self._on_edge_changed)
        ev.edge_removed.connect(self._on_edge_changed)
        ev.node_removed.connect(self._on_node_removed)
        ev.graph_reset.connect(self._on_graph_reset)

    def _on_node_changed(self, node, **_) -> None:
        self._changed.add(node.id)

    def _on_edge_changed(self, edge) -> None:
        self._changed.add(edge.dst)

    def _on_node_removed(self, node) -> None:
        if self._infos is not None:
            self._infos.pop(node.id, None)  # its consumers lost an edge: edge_removed said so

    def _on_graph_reset(self) -> None:
        self._infos = None

    @property
    def infos(self) -> dict[str, NodeInfo]:
        """Every node's shape info, recomputed if the graph changed since the last call."""
        if self._infos is None or self._changed:
            self._infos = infer(self.graph, self._infos, self._changed)
            self._changed = set()
            self.runs += 1
        return self._infos

    def info(self, node_id: str) -> shapes.NodeInfo | None:
        return self.infos.get(node_id)

    def totals(self) -> tuple[int, int]:
        """(total, trainable) parameter counts."""
        return totals(self.infos)

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


def totals(infos: dict[str, NodeInfo]) -> tuple[int, int]:
    """(total, trainable) parameters over the nodes whose shapes were computed.

    Frozen = total - trainable, the split Keras' summary prints."""
    return (sum(i.params for i in infos.values()), sum(i.trainable_params for i in infos.values()))


__all__ = ["ShapeCache", "infer", "totals"]
