"""The network as a directed acyclic graph of layer nodes.

Positions, parameters and hand-set (or trained) weights all live here, never only in a graphics
item. Every mutator validates first and raises a typed error; on success it announces a past-tense
event (``node_added``, ``param_changed`` ...) to its listeners, which is how views stay in step.
"""

from __future__ import annotations

import inspect
import re
import sys
import weakref
from types import MappingProxyType
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from .errors import CycleError, GraphError, PortError, ShapeError, UnknownNodeError
from .registry import get_spec
from .words import short
from .weights import FLOAT32_MAX, FLOAT32_OVERFLOW, check_weights

MAX_NAME = 255  # characters: room for a nested model's flattened names (ConvNeXt's reach 78)
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,%d}" % (MAX_NAME - 1))  # used with fullmatch: no trailing newline
_COUNTER_ID = re.compile(r"n(\d+)")


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

    @property
    def spec(self):
        """The table's entry for this node's kind: ask it what the kind can do, never ``kind ==``."""
        return get_spec(self.kind)

    def clone(self) -> "LayerNode":
        return LayerNode(self.id, self.kind, self.name, dict(self.params), tuple(self.pos),
                         {k: v.copy() for k, v in self.weights.items()}, self.trainable)


MAX_POS = 1e7  # a card's place on the canvas, in pixels either way (1e12 in a file hung the window as its edges were
# routed): a project file is refused beyond it, and the app never puts a card there (a paste or an added layer at the
# edge went past it, and the project saved then could not be opened again)


def _within_reach(pos) -> tuple[float, float]:
    return tuple(min(max(float(v), -MAX_POS), MAX_POS) for v in pos[:2])


@dataclass(frozen=True)
class Edge:
    """A tensor flowing from ``src``'s output to input ``port`` of ``dst``."""

    src: str
    dst: str
    port: int = 0


Listener = Callable[..., None]


class Event:
    """One kind of change, with its own listeners (orange-canvas-core's one signal per event).

    A bound method is held weakly, as napari's emitters hold them: a view that goes away stops
    listening without having to disconnect. A plain function is held as given.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._refs: list = []

    def connect(self, fn: Listener) -> None:
        self._refs.append(weakref.WeakMethod(fn) if inspect.ismethod(fn) else (lambda fn=fn: fn))

    def emit(self, **payload) -> None:
        live = []
        for ref in list(self._refs):
            fn = ref()
            if fn is not None:
                live.append(ref)
                try:
                    fn(**payload)
                except Exception:  # noqa: BLE001 - a listener's bug is reported, and the change and the other
                    # listeners go on: raised inside a Qt undo command's redo, some errors (a call with a wrong
                    # argument) crashed the process instead of reaching PySide's report
                    sys.excepthook(*sys.exc_info())
        if len(live) != len(self._refs):
            self._refs = [r for r in self._refs if r() is not None]

    @property
    def listeners(self) -> int:
        return sum(1 for r in self._refs if r() is not None)


class GraphEvents:
    """The graph's events, one ``Event`` each; every payload names what changed (``node=`` or ``edge=``)."""

    NAMES = ("node_added", "node_removed", "node_renamed", "param_changed", "trainable_changed", "node_moved",
             "weights_changed", "edge_added", "edge_removed", "graph_reset")

    def __init__(self) -> None:
        for name in self.NAMES:
            setattr(self, name, Event(name))

    def connect_all(self, fn: Listener) -> None:
        """``fn(event_name, **payload)`` after every change (a log, a test)."""
        for name in self.NAMES:
            getattr(self, name).connect(_Named(fn, name))


class _Named:
    """Calls a catch-all listener with the event's name first; weak when the listener is a bound method."""

    def __init__(self, fn: Listener, name: str) -> None:
        self.ref = weakref.WeakMethod(fn) if inspect.ismethod(fn) else (lambda: fn)
        self.name = name

    def __call__(self, **payload) -> None:
        fn = self.ref()
        if fn is not None:
            fn(self.name, **payload)


class Graph:
    """Nodes and edges with checked mutators and change events.

    ``edges`` stays a plain list (its order is the file's order); indexes by destination, source,
    (source, destination) pair and layer name keep every per-edge query proportional to the node's
    own edges, so loading or inferring a 10,000-layer network is linear, not quadratic.
    """

    def __init__(self) -> None:
        self._nodes: dict[str, LayerNode] = {}
        self._edges: list[Edge] = []
        self.events = GraphEvents()
        self._counter = 0
        self._names: dict[str, str] = {}  # layer name -> node id
        self.former_names: dict[str, str] = {}  # a name a layer had before a rename -> its node id (``was_named``)
        self._reindex_edges()

    # ------------------------------------------------------------ indexes
    def _reindex_edges(self) -> None:
        self._in: dict[str, dict[int, Edge]] = {}
        self._out: dict[str, list[Edge]] = {}
        self._pairs: set[tuple[str, str]] = set()
        for e in self._edges:
            self._index_edge(e)
        self._indexed = (self._edges, len(self._edges))

    def _index_edge(self, e: Edge) -> None:
        self._in.setdefault(e.dst, {})[e.port] = e
        self._out.setdefault(e.src, []).append(e)
        self._pairs.add((e.src, e.dst))

    def _unindex_edge(self, e: Edge) -> None:
        ports = self._in.get(e.dst, {})
        if ports.get(e.port) == e:
            del ports[e.port]
        outs = self._out.get(e.src, [])
        if e in outs:
            outs.remove(e)
        self._pairs.discard((e.src, e.dst))

    def _sync(self) -> None:
        """Rebuild the edge indexes if ``edges`` was replaced or changed from outside the mutators."""
        if self._indexed[0] is not self._edges or self._indexed[1] != len(self._edges):
            self._reindex_edges()

    def _append_edge(self, e: Edge) -> None:
        self._sync()
        self._edges.append(e)
        self._index_edge(e)
        self._indexed = (self._edges, len(self._edges))

    def _remove_edge(self, e: Edge) -> None:
        self._sync()
        self._edges.remove(e)
        self._unindex_edge(e)
        self._indexed = (self._edges, len(self._edges))

    def _reindex_names(self) -> None:
        self._names = {n.name: n.id for n in self._nodes.values()}

    def _name_owner(self, name: str) -> str | None:
        nid = self._names.get(name)
        if nid is not None and nid in self._nodes and self._nodes[nid].name == name:
            return nid
        if nid is not None or len(self._names) != len(self._nodes):  # stale: a name was set from outside
            self._reindex_names()
            return self._names.get(name)
        return None

    # ------------------------------------------------------------ events
    def _emit(self, event: str, **payload) -> None:
        getattr(self.events, event).emit(**payload)

    # ------------------------------------------------------------ read-only views (change through the mutators)
    @property
    def nodes(self) -> Mapping[str, LayerNode]:
        """Node id -> node, read-only: add, remove and change nodes through the methods, which check and announce."""
        return MappingProxyType(self._nodes)

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Every edge, in the file's order (a copy: connect and disconnect through the methods)."""
        return tuple(self._edges)

    # ------------------------------------------------------------ queries
    def node(self, node_id: str) -> LayerNode:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"No node with id {node_id!r} in the graph.") from None

    def by_name(self, name: str) -> LayerNode:
        nid = self._name_owner(name)
        if nid is None:
            raise UnknownNodeError(f"No layer named {name!r} in the graph.")
        return self._nodes[nid]

    def input_ids(self, node_id: str) -> list[str]:
        """Upstream node ids in port order."""
        self._sync()
        ports = self._in.get(node_id, {})
        return [ports[p].src for p in sorted(ports)]

    def output_ids(self, node_id: str) -> list[str]:
        self._sync()
        return [e.dst for e in self._out.get(node_id, [])]

    def topological_order(self) -> list[str]:
        """Node ids, every node after all of its inputs; ties keep insertion order."""
        indeg = {n: 0 for n in self._nodes}
        children: dict[str, list[str]] = {n: [] for n in self._nodes}
        for e in self._edges:
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
        return [n for n in self._nodes.values() if n.spec.source]

    def outputs(self) -> list[LayerNode]:
        """Nodes with no consumers that are not bare inputs: the model's outputs."""
        has_out = {e.src for e in self._edges}
        return [n for n in self._nodes.values() if n.id not in has_out and not n.spec.source]

    def _reaches(self, start: str, target: str) -> bool:
        self._sync()
        stack, seen = [start], set()
        while stack:
            n = stack.pop()
            if n == target:
                return True
            if n in seen:
                continue
            seen.add(n)
            stack.extend(e.dst for e in self._out.get(n, ()))
        return False

    def unique_name(self, base: str) -> str:
        if self._name_owner(base) is None:
            return base
        i = 1
        while self._name_owner(f"{base}_{i}") is not None:
            i += 1
        return f"{base}_{i}"

    def new_id(self) -> str:
        while True:
            self._counter += 1
            nid = f"n{self._counter}"
            if nid not in self._nodes:
                return nid

    # ------------------------------------------------------------ node mutators
    def add_node(self, kind: str, params: dict | None = None, *, name: str | None = None,
                 pos: tuple[float, float] = (0.0, 0.0), weights: dict | None = None,
                 node_id: str | None = None) -> LayerNode:
        """Create a node of registry kind ``kind``; params are validated and defaults filled."""
        spec = get_spec(kind)
        clean = spec.validate_params(params or {})
        name = name if name is not None else self.unique_name(spec.key)
        node = LayerNode(node_id or self.new_id(), kind, name, clean, _within_reach(pos),
                         {k: np.asarray(v, dtype=np.float32) for k, v in (weights or {}).items()})
        return self.insert_node(node)

    def insert_node(self, node: LayerNode) -> LayerNode:
        """Insert a fully formed node (used by undo and the file loader), last in the node order."""
        if node.id in self._nodes:
            raise GraphError(f"A node with id {node.id!r} already exists.")
        self._check_name(node.name)
        get_spec(node.kind)
        check_weights(node.kind, node.weights, node.name)
        self._nodes[node.id] = node
        self._names[node.name] = node.id
        m = _COUNTER_ID.fullmatch(node.id)
        if m:
            self._counter = max(self._counter, int(m.group(1)))
        self._emit("node_added", node=node)
        return node

    def remove_node(self, node_id: str) -> tuple[LayerNode, list[Edge]]:
        """Remove a node and its edges; returns both so that undo can put them back."""
        node = self.node(node_id)
        self._sync()
        edges = [e for e in self._edges if node_id in (e.src, e.dst)]
        for e in edges:
            self.disconnect(e)
        del self._nodes[node_id]
        if self._names.get(node.name) == node_id:
            del self._names[node.name]
        self._emit("node_removed", node=node)
        return node, edges

    def _check_name(self, name: str, exclude: str | None = None) -> None:
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise GraphError(f"Layer names start with a letter or _ and use letters, digits, _ . or -, up to "
                             f"{MAX_NAME} characters. Received name={name!r}.")
        owner = self._name_owner(name)
        if owner is not None and owner != exclude:
            raise GraphError(f"Another layer is already named {name!r}; names must be unique.")

    def rename(self, node_id: str, name: str) -> None:
        node = self.node(node_id)
        self._check_name(name, exclude=node_id)
        old, node.name = node.name, name
        if self._names.get(old) == node_id:
            del self._names[old]
        self._names[name] = node_id
        self.former_names[old] = node_id
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
        node.pos = _within_reach(pos)
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
        check_weights(node.kind, new, node.name)
        node.weights = new
        self._emit("weights_changed", node=node)
        return old

    def set_weight_value(self, node_id: str, var: str, index: tuple[int, ...], value: float) -> float:
        """Set one entry of a weight array (a Neuron's w or b); returns the previous value."""
        node = self.node(node_id)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value):
            raise GraphError(f"A weight must be a finite number. Received {value!r}.")
        if abs(value) >= FLOAT32_OVERFLOW:  # stored as float32: it would become inf
            raise GraphError(f"A weight must fit in 32 bits (at most {str(np.float32(FLOAT32_MAX))} either way). "
                             f"Received {value!r}.")
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
    def connect(self, src: str, dst: str, port: int | None = None, *, deferred: bool = False) -> Edge:
        """Add an edge from ``src`` to input ``port`` of ``dst`` (next free port when None).

        ``deferred=True`` (the file loader, adding many edges) skips the whole-graph checks, the
        cycle and the merge-shape check; the caller runs ``check_structure()`` once afterwards.
        """
        s, d = self.node(src), self.node(dst)
        spec = get_spec(d.kind)
        if spec.max_inputs == 0:
            raise PortError(f"{d.name!r} is an Input layer: it has no input port.")
        self._sync()
        used = self._in.get(dst, {})
        if port is None and spec.max_inputs == 1:
            port = 0
        elif port is None:  # after the highest port in use; usually the last one added, so no scan
            port = max(next(reversed(used)), len(used) - 1) + 1 if used else 0
            if port in used:
                port = max(used) + 1
        if not isinstance(port, int) or isinstance(port, bool) or port < 0 or \
                (spec.max_inputs is not None and port >= spec.max_inputs):
            raise PortError(f"{d.name!r} ({spec.title}) has no input port {short(port)}; valid ports: "
                            f"{'0' if spec.max_inputs == 1 else '0 and up'}.")
        if port in used:
            other = used[port].src
            raise PortError(f"Input port {port} of {d.name!r} is already fed by {self._nodes[other].name!r}; "
                            f"remove that edge first.")
        if src == dst or (not deferred and self._reaches(dst, src)):
            raise CycleError(f"Connecting {s.name!r} -> {d.name!r} would make a cycle; "
                             f"networks here are acyclic.")
        if (src, dst) in self._pairs:
            raise GraphError(f"{s.name!r} is already connected to {d.name!r}.")
        edge = Edge(src, dst, port)
        self._append_edge(edge)
        if spec.merge and not deferred:  # merge layers: refuse incompatible shapes at once
            from .analysis import infer
            info = infer(self)[dst]
            if info.status == "error" and len(self.input_ids(dst)) >= spec.min_inputs:
                self._remove_edge(edge)
                raise ShapeError(info.errors[0])
        self._emit("edge_added", edge=edge)
        return edge

    def check_structure(self) -> None:
        """After ``connect(..., deferred=True)``: raise CycleError or the merge layers' ShapeError."""
        order = self.topological_order()
        if len(order) != len(self._nodes):
            placed = set(order)
            stuck = next(n for n in self._nodes.values() if n.id not in placed)
            raise CycleError(f"The connections make a cycle (through {stuck.name!r}); networks here are acyclic.")
        merges = [nid for nid, n in self._nodes.items() if get_spec(n.kind).max_inputs is None]
        if not merges:
            return
        from .analysis import infer
        infos = infer(self)
        for nid in merges:
            info = infos[nid]
            spec = get_spec(self._nodes[nid].kind)
            if spec.max_inputs is None and info.status == "error" and \
                    len(self._in.get(nid, {})) >= spec.min_inputs:
                raise ShapeError(f"{self._nodes[nid].name!r}: {info.errors[0]}")

    def disconnect(self, edge: Edge) -> None:
        self._sync()
        if (edge.src, edge.dst) not in self._pairs or edge not in self._out.get(edge.src, ()):
            raise GraphError(f"No edge {edge} in the graph.")
        self._remove_edge(edge)
        self._emit("edge_removed", edge=edge)

    def add_edge_unchecked(self, edge: Edge) -> None:
        """Restore an edge exactly (undo); the caller guarantees it was valid before."""
        self._append_edge(edge)
        self._emit("edge_added", edge=edge)

    def restore(self, nodes=(), edges=()) -> None:
        """Undo of a removal: put back ``nodes`` and ``edges``, each an (index, item) pair, at their places in the
        node and edge orders (so the project is the same to the byte), rebuilding each order once. The indexes are
        where they were before the removal; the caller guarantees the items were valid there."""
        nodes = sorted(nodes, key=lambda p: p[0])
        edges = sorted(edges, key=lambda p: p[0])
        for _, node in nodes:
            if node.id in self._nodes:
                raise GraphError(f"A node with id {node.id!r} already exists.")
            self._check_name(node.name)
            get_spec(node.kind)
            check_weights(node.kind, node.weights, node.name)
        if nodes:
            items = list(self._nodes.items())
            for at, node in nodes:
                items.insert(at, (node.id, node))
                self._names[node.name] = node.id
                m = _COUNTER_ID.fullmatch(node.id)
                if m:
                    self._counter = max(self._counter, int(m.group(1)))
            self._nodes = dict(items)
        if edges:
            self._sync()
            order = list(self._edges)
            for at, e in edges:
                order.insert(at, e)
            self._edges = order
            self._reindex_edges()
        for _, node in nodes:
            self._emit("node_added", node=node)
        for _, e in edges:
            self._emit("edge_added", edge=e)

    # ------------------------------------------------------------ whole graph
    def replace_with(self, other: "Graph", adopt: bool = False) -> None:
        """Take over another graph's contents (open, new from preset) and announce a reset. With ``adopt``
        the caller hands ``other`` over for good: its nodes are taken, not copied (an imported ResNet50's
        25 million weights are not copied again)."""
        self._nodes = dict(other._nodes) if adopt else {k: v.clone() for k, v in other._nodes.items()}
        self._edges = list(other._edges)
        self._counter = max(self._counter, other._counter)
        self.former_names = dict(other.former_names)
        self._reindex_edges()
        self._reindex_names()
        self._emit("graph_reset")

    def copy(self) -> "Graph":
        g = Graph()
        g._nodes = {k: v.clone() for k, v in self._nodes.items()}
        g._edges = list(self._edges)
        g._counter = self._counter
        g.former_names = dict(self.former_names)
        g._reindex_edges()
        g._reindex_names()
        return g

    def was_named(self, name: str) -> LayerNode | None:
        """The layer that had ``name`` before it was renamed (and has no layer of that name since), or None: a lesson
        names its layers, and a learner who renamed "and" to "gate" broke every step after (a drive)."""
        nid = self.former_names.get(name)
        return self._nodes.get(nid) if nid is not None and name not in self._names else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return self._nodes == other.nodes and sorted(self._edges, key=_edge_key) == sorted(other.edges, key=_edge_key)

    __hash__ = None

    def __deepcopy__(self, memo):
        return self.copy()

    def __repr__(self) -> str:
        return f"Graph({len(self._nodes)} nodes, {len(self._edges)} edges)"


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
    removed_at: list[int] = field(default_factory=list)  # where each removed node was in the node order
    removed_edges_at: list[int] = field(default_factory=list)  # and each removed edge in the edge order

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
        if self.removed_at:  # each back at its place in the orders
            graph.restore([(at, n.clone()) for at, n in zip(self.removed_at, self.removed)],
                          list(zip(self.removed_edges_at, self.removed_edges)))
            return
        for node in self.removed:
            graph.insert_node(node.clone())
        for edge in self.removed_edges:
            graph.add_edge_unchecked(edge)


def plan_head_replacement(graph: "Graph", keep: str, classes: int, *, freeze_base: bool = True,
                          activation: str = "softmax") -> HeadPlan:
    """Plan: keep ``keep`` and everything it needs, cut the rest, add Dense(``classes``, softmax).

    An image-shaped output first goes through GlobalAveragePooling2D (a sequence's through
    GlobalAvgPool1D, anything else, or a map already pooled to 1x1, through Flatten), so the new Dense sees a
    vector. With
    ``freeze_base`` every kept layer that holds weights (trained, or opened from a file) is frozen: training then
    changes only the new head and what has not learned yet (a random layer frozen would stay random).
    """
    from .errors import ParamError  # noqa: PLC0415
    from .analysis import infer  # noqa: PLC0415
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
    if pool and all(d == 1 for d in shape[:-1]):
        pool = "flatten"  # already pooled, its axes kept (MobileNet's 1x1x1024): a second pooling would average one
    names = {"dense": "new_head", "flatten": "new_head_flatten"}
    for kind, params in ([(pool, {})] if pool else []) + [("dense", {"units": classes, "activation": activation})]:
        node = trial.add_node(kind, params, name=trial.unique_name(names.get(kind, "new_head_pool")),
                              pos=(x + 220.0 * (len(added) + 1), y))
        added.append(node.clone())
    added_edges = [Edge(keep if i == 0 else added[i - 1].id, n.id, 0) for i, n in enumerate(added)]
    frozen = [nid for nid in graph.topological_order() if nid in needed and graph.nodes[nid].trainable
              and get_spec(graph.nodes[nid].kind).weighted and graph.nodes[nid].weights] if freeze_base else []
    order = {nid: i for i, nid in enumerate(graph.nodes)}
    edge_order = {id(e): i for i, e in enumerate(graph.edges)}
    return HeadPlan(keep, removed, removed_edges, added, added_edges, frozen, [order[n.id] for n in removed],
                    [edge_order[id(e)] for e in removed_edges])


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
