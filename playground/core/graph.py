"""The network as a directed acyclic graph of layer nodes.

Positions, parameters and hand-set (or trained) weights all live here, never only in a graphics
item. Every mutator validates first and raises a typed error; on success it announces a past-tense
event (``node_added``, ``param_changed`` ...) to its listeners, which is how views stay in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .errors import CycleError, GraphError, PortError, ShapeError, UnknownNodeError
from .registry import get_spec

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")


@dataclass(eq=False)
class LayerNode:
    """One layer: its kind (a registry key), a unique name, parameters, canvas position and weights."""

    id: str
    kind: str
    name: str
    params: dict[str, Any]
    pos: tuple[float, float] = (0.0, 0.0)
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # variable name -> array (float32)
    trainable: bool = True  # False: frozen, training leaves its weights exactly as they are

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LayerNode):
            return NotImplemented
        return (self.id, self.kind, self.name, self.params, tuple(self.pos), self.trainable) == \
            (other.id, other.kind, other.name, other.params, tuple(other.pos), other.trainable) and \
            self.weights.keys() == other.weights.keys() and \
            all(np.array_equal(self.weights[k], other.weights[k]) and
                self.weights[k].shape == other.weights[k].shape for k in self.weights)

    __hash__ = None  # mutable

    def clone(self) -> "LayerNode":
        return LayerNode(self.id, self.kind, self.name, dict(self.params), tuple(self.pos),
                         {k: v.copy() for k, v in self.weights.items()}, self.trainable)


@dataclass(frozen=True)
class Edge:
    """A tensor flowing from ``src``'s output to input ``port`` of ``dst``."""

    src: str
    dst: str
    port: int = 0


Listener = Callable[..., None]


class Graph:
    """Nodes and edges with checked mutators and change events."""

    def __init__(self) -> None:
        self.nodes: dict[str, LayerNode] = {}
        self.edges: list[Edge] = []
        self._listeners: list[Listener] = []
        self._counter = 0

    # ------------------------------------------------------------ events
    def subscribe(self, listener: Listener) -> None:
        """``listener(event: str, **payload)`` is called after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: str, **payload) -> None:
        for fn in list(self._listeners):
            fn(event, **payload)

    # ------------------------------------------------------------ queries
    def node(self, node_id: str) -> LayerNode:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"No node with id {node_id!r} in the graph.") from None

    def by_name(self, name: str) -> LayerNode:
        for n in self.nodes.values():
            if n.name == name:
                return n
        raise UnknownNodeError(f"No layer named {name!r} in the graph.")

    def input_ids(self, node_id: str) -> list[str]:
        """Upstream node ids in port order."""
        return [e.src for e in sorted((e for e in self.edges if e.dst == node_id), key=lambda e: e.port)]

    def output_ids(self, node_id: str) -> list[str]:
        return [e.dst for e in self.edges if e.src == node_id]

    def topological_order(self) -> list[str]:
        """Node ids, every node after all of its inputs; ties keep insertion order."""
        indeg = {n: 0 for n in self.nodes}
        children: dict[str, list[str]] = {n: [] for n in self.nodes}
        for e in self.edges:
            indeg[e.dst] += 1
            children[e.src].append(e.dst)
        ready = [n for n, d in indeg.items() if d == 0]
        order: list[str] = []
        i = 0
        while i < len(ready):
            n = ready[i]
            i += 1
            order.append(n)
            for c in children[n]:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
        return order

    def inputs(self) -> list[LayerNode]:
        return [n for n in self.nodes.values() if n.kind == "input"]

    def outputs(self) -> list[LayerNode]:
        """Nodes with no consumers that are not bare inputs: the model's outputs."""
        has_out = {e.src for e in self.edges}
        return [n for n in self.nodes.values() if n.id not in has_out and n.kind != "input"]

    def _reaches(self, start: str, target: str) -> bool:
        stack, seen = [start], set()
        while stack:
            n = stack.pop()
            if n == target:
                return True
            if n in seen:
                continue
            seen.add(n)
            stack.extend(e.dst for e in self.edges if e.src == n)
        return False

    def unique_name(self, base: str) -> str:
        taken = {n.name for n in self.nodes.values()}
        if base not in taken:
            return base
        i = 1
        while f"{base}_{i}" in taken:
            i += 1
        return f"{base}_{i}"

    def new_id(self) -> str:
        while True:
            self._counter += 1
            nid = f"n{self._counter}"
            if nid not in self.nodes:
                return nid

    # ------------------------------------------------------------ node mutators
    def add_node(self, kind: str, params: dict | None = None, *, name: str | None = None,
                 pos: tuple[float, float] = (0.0, 0.0), weights: dict | None = None,
                 node_id: str | None = None) -> LayerNode:
        """Create a node of registry kind ``kind``; params are validated and defaults filled."""
        spec = get_spec(kind)
        clean = spec.validate_params(params or {})
        name = name if name is not None else self.unique_name(spec.key)
        node = LayerNode(node_id or self.new_id(), kind, name, clean, (float(pos[0]), float(pos[1])),
                         {k: np.asarray(v, dtype=np.float32) for k, v in (weights or {}).items()})
        return self.insert_node(node)

    def insert_node(self, node: LayerNode) -> LayerNode:
        """Insert a fully formed node (used by undo and the file loader)."""
        if node.id in self.nodes:
            raise GraphError(f"A node with id {node.id!r} already exists.")
        self._check_name(node.name)
        get_spec(node.kind)
        self.nodes[node.id] = node
        m = re.fullmatch(r"n(\d+)", node.id)
        if m:
            self._counter = max(self._counter, int(m.group(1)))
        self._emit("node_added", node=node)
        return node

    def remove_node(self, node_id: str) -> tuple[LayerNode, list[Edge]]:
        """Remove a node and its edges; returns both so that undo can put them back."""
        node = self.node(node_id)
        edges = [e for e in self.edges if node_id in (e.src, e.dst)]
        for e in edges:
            self.disconnect(e)
        del self.nodes[node_id]
        self._emit("node_removed", node=node)
        return node, edges

    def _check_name(self, name: str, exclude: str | None = None) -> None:
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise GraphError(f"Layer names start with a letter or _ and use letters, digits, _ . or -, up to "
                             f"64 characters. Received name={name!r}.")
        for n in self.nodes.values():
            if n.name == name and n.id != exclude:
                raise GraphError(f"Another layer is already named {name!r}; names must be unique.")

    def rename(self, node_id: str, name: str) -> None:
        node = self.node(node_id)
        self._check_name(name, exclude=node_id)
        old, node.name = node.name, name
        self._emit("node_renamed", node=node, old=old)

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Validate and set one parameter; returns the previous value."""
        node = self.node(node_id)
        spec = get_spec(node.kind)
        try:
            pspec = spec.param(name)
        except KeyError:
            raise GraphError(f"{spec.title} has no parameter {name!r}.") from None
        value = pspec.validate(value)
        old = node.params[name]
        node.params[name] = value
        self._emit("param_changed", node=node, name=name, old=old, value=value)
        return old

    def set_trainable(self, node_id: str, trainable: bool) -> bool:
        """Freeze (False) or unfreeze a layer for training; returns the previous flag."""
        node = self.node(node_id)
        if not isinstance(trainable, bool):
            raise GraphError(f"trainable must be true or false. Received trainable={trainable!r}.")
        old, node.trainable = node.trainable, trainable
        self._emit("trainable_changed", node=node, old=old)
        return old

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        node = self.node(node_id)
        node.pos = (float(pos[0]), float(pos[1]))
        self._emit("node_moved", node=node)

    def set_weights(self, node_id: str, weights: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
        """Replace a node's weights (None or {} clears them); returns the previous ones."""
        node = self.node(node_id)
        old = node.weights
        new = {}
        for k, v in (weights or {}).items():
            arr = np.array(v, dtype=np.float32)
            if not np.all(np.isfinite(arr)):
                raise GraphError(f"Weight {k!r} of {node.name!r} must be finite numbers; received {v!r}.")
            new[k] = arr
        node.weights = new
        self._emit("weights_changed", node=node)
        return old

    def set_weight_value(self, node_id: str, var: str, index: tuple[int, ...], value: float) -> float:
        """Set one entry of a weight array (a Neuron's w or b); returns the previous value."""
        node = self.node(node_id)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
            raise GraphError(f"A weight must be a finite number. Received {value!r}.")
        arr = node.weights.get(var)
        if arr is None:
            raise GraphError(f"{node.name!r} has no weight {var!r}.")
        old = float(arr[index])
        arr = arr.copy()
        arr[index] = value
        node.weights = {**node.weights, var: arr}
        self._emit("weights_changed", node=node)
        return old

    # ------------------------------------------------------------ edge mutators
    def connect(self, src: str, dst: str, port: int | None = None) -> Edge:
        """Add an edge from ``src`` to input ``port`` of ``dst`` (next free port when None)."""
        s, d = self.node(src), self.node(dst)
        spec = get_spec(d.kind)
        if spec.max_inputs == 0:
            raise PortError(f"{d.name!r} is an Input layer: it has no input port.")
        used = {e.port for e in self.edges if e.dst == dst}
        if port is None:
            port = 0 if spec.max_inputs == 1 else (max(used) + 1 if used else 0)
        if not isinstance(port, int) or isinstance(port, bool) or port < 0 or \
                (spec.max_inputs is not None and port >= spec.max_inputs):
            raise PortError(f"{d.name!r} ({spec.title}) has no input port {port!r}; valid ports: "
                            f"{'0' if spec.max_inputs == 1 else '0 and up'}.")
        if port in used:
            other = next(e.src for e in self.edges if e.dst == dst and e.port == port)
            raise PortError(f"Input port {port} of {d.name!r} is already fed by {self.nodes[other].name!r}; "
                            f"remove that edge first.")
        if src == dst or self._reaches(dst, src):
            raise CycleError(f"Connecting {s.name!r} -> {d.name!r} would make a cycle; "
                             f"networks here are acyclic.")
        if any(e.src == src and e.dst == dst for e in self.edges):
            raise GraphError(f"{s.name!r} is already connected to {d.name!r}.")
        edge = Edge(src, dst, port)
        self.edges.append(edge)
        if spec.merge:  # merge layers: refuse incompatible shapes at once
            from .shapes import infer
            info = infer(self)[dst]
            if info.status == "error" and len(self.input_ids(dst)) >= spec.min_inputs:
                self.edges.remove(edge)
                raise ShapeError(info.errors[0])
        self._emit("edge_added", edge=edge)
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self.edges:
            raise GraphError(f"No edge {edge} in the graph.")
        self.edges.remove(edge)
        self._emit("edge_removed", edge=edge)

    def add_edge_unchecked(self, edge: Edge) -> None:
        """Restore an edge exactly (undo); the caller guarantees it was valid before."""
        self.edges.append(edge)
        self._emit("edge_added", edge=edge)

    # ------------------------------------------------------------ whole graph
    def replace_with(self, other: "Graph") -> None:
        """Take over another graph's contents (open, new from preset) and announce a reset."""
        self.nodes = {k: v.clone() for k, v in other.nodes.items()}
        self.edges = list(other.edges)
        self._counter = max(self._counter, other._counter)
        self._emit("graph_reset")

    def copy(self) -> "Graph":
        g = Graph()
        g.nodes = {k: v.clone() for k, v in self.nodes.items()}
        g.edges = list(self.edges)
        g._counter = self._counter
        return g

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return self.nodes == other.nodes and sorted(self.edges, key=_edge_key) == sorted(other.edges, key=_edge_key)

    __hash__ = None

    def __deepcopy__(self, memo):
        return self.copy()

    def __repr__(self) -> str:
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"


def _edge_key(e: Edge):
    return (e.src, e.dst, e.port)


@dataclass
class HeadPlan:
    """"Replace the classifier head" as one reversible edit: cut what follows ``keep``, add a new head.

    ``apply`` and ``revert`` use public mutators only, so an undo command is ``redo = apply``,
    ``undo = revert``. Built by ``plan_head_replacement``; the constructor changes nothing.
    """

    keep: str
    removed: list[LayerNode]
    removed_edges: list[Edge]
    added: list[LayerNode]
    added_edges: list[Edge]
    frozen: list[str]  # kept nodes this plan freezes (they were trainable)

    def apply(self, graph: "Graph") -> None:
        for node in self.removed:
            graph.remove_node(node.id)
        for node in self.added:
            graph.insert_node(node.clone())
        for edge in self.added_edges:
            graph.add_edge_unchecked(edge)
        for nid in self.frozen:
            graph.set_trainable(nid, False)

    def revert(self, graph: "Graph") -> None:
        for nid in self.frozen:
            graph.set_trainable(nid, True)
        for node in self.added:
            graph.remove_node(node.id)
        for node in self.removed:
            graph.insert_node(node.clone())
        for edge in self.removed_edges:
            graph.add_edge_unchecked(edge)


def plan_head_replacement(graph: "Graph", keep: str, classes: int, *, freeze_base: bool = True,
                          activation: str = "softmax") -> HeadPlan:
    """Plan: keep ``keep`` and everything it needs, cut the rest, add Dense(``classes``, softmax).

    An image-shaped output first goes through GlobalAveragePooling2D (a sequence's through
    GlobalAvgPool1D, anything else through Flatten), so the new Dense sees a vector. With
    ``freeze_base`` every kept layer is frozen: training then changes only the new head.
    """
    from .errors import ParamError  # noqa: PLC0415
    from .shapes import infer  # noqa: PLC0415
    kept = graph.node(keep)
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ParamError(f"The new head needs a whole number of classes, at least 2. Received classes={classes!r}.",
                         "classes")
    shape = infer(graph)[keep].shape
    if shape is None:
        raise ShapeError(f"{kept.name!r} has no output shape (it or a layer before it has an error); fix that "
                         f"before cutting after it.")
    needed, stack = set(), [keep]
    while stack:  # keep and its ancestors
        nid = stack.pop()
        if nid not in needed:
            needed.add(nid)
            stack.extend(graph.input_ids(nid))
    removed = [n.clone() for n in graph.nodes.values() if n.id not in needed]
    removed_ids = {n.id for n in removed}
    removed_edges = [e for e in graph.edges if e.src in removed_ids or e.dst in removed_ids]
    trial = graph.copy()  # names and ids as they will be once the cut is made
    for n in removed:
        trial.remove_node(n.id)
    x, y = kept.pos
    added: list[LayerNode] = []
    pool = {3: "globalavgpool2d", 2: "globalavgpool1d"}.get(len(shape), "flatten" if len(shape) > 1 else None)
    for kind, params in ([(pool, {})] if pool else []) + [("dense", {"units": classes, "activation": activation})]:
        node = trial.add_node(kind, params, name=trial.unique_name("new_head" if kind == "dense" else "new_head_pool"),
                              pos=(x + 220.0 * (len(added) + 1), y))
        added.append(node.clone())
    added_edges = [Edge(keep if i == 0 else added[i - 1].id, n.id, 0) for i, n in enumerate(added)]
    frozen = [nid for nid in graph.topological_order() if nid in needed and graph.nodes[nid].trainable
              and get_spec(graph.nodes[nid].kind).weighted] if freeze_base else []
    return HeadPlan(keep, removed, removed_edges, added, added_edges, frozen)


def chain(*layers: tuple[str, dict], spacing: float = 220.0) -> Graph:
    """A sequential graph from ``(kind, params)`` pairs, laid out left to right (tests, presets)."""
    g = Graph()
    prev = None
    for i, (kind, params) in enumerate(layers):
        n = g.add_node(kind, params, pos=(i * spacing, 0.0))
        if prev is not None:
            g.connect(prev.id, n.id)
        prev = n
    return g


__all__ = ["Graph", "LayerNode", "Edge", "chain"]
