"""Threshold neurons, truth tables, gate presets and an exact 2-D linear-separability test.

A neuron computes z = w0 + w1*x1 + ... + wn*xn and a = step(z), where step(z) = 1 if z >= 0 else 0
(the boundary z = 0 gives 1). Sigmoid and linear activations are there for "learn instead".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .errors import ShapeError
from .graph import Graph
from .weights import FLOAT32_OVERFLOW
from .words import count

GATES: dict[str, tuple[int, tuple[int, ...]]] = {
    # name: (number of inputs, output for rows 00, 01, 10, 11 in binary counting order)
    "and": (2, (0, 0, 0, 1)),
    "or": (2, (0, 1, 1, 1)),
    "nand": (2, (1, 1, 1, 0)),
    "nor": (2, (1, 0, 0, 0)),
    "xor": (2, (0, 1, 1, 0)),
    "xnor": (2, (1, 0, 0, 1)),
    "not": (1, (1, 0)),
}


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """step (z >= 0 -> 1), sigmoid or linear, element-wise."""
    if activation == "step":
        return (z >= 0).astype(float)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if activation == "linear":
        return z
    raise ShapeError(f"activation must be step, sigmoid or linear. Received activation={activation!r}.",
                     param="activation")


# What each activation does, as the weight grid's title and the Logic lab's footer say it (one wording)
ACTIVATION_RULES = {"step": "a = 1 if z \u2265 0, else 0 (z = 0 gives 1)",
                    "sigmoid": "a = 1/(1 + e^-z), read as 1 where a \u2265 0.5 (z \u2265 0)", "linear": "a = z"}


def activation_rule(activation: str) -> str:
    return ACTIVATION_RULES.get(activation, f"a = {activation}(z)")


def neurons_rule(graph: Graph) -> str:
    """The network's neurons and their rule: "Step neurons: a = 1 if z >= 0, ..." (after Learn instead: sigmoid
    ones; both kinds, after a step network gains a learned neuron)."""
    acts = sorted({n.params.get("activation", "step") for n in graph.nodes.values() if n.spec.hand_set}) or ["step"]
    if len(acts) == 1:
        return f"{acts[0].capitalize()} neurons: {activation_rule(acts[0])}."
    return "Neurons: " + "; ".join(f"{a}, {activation_rule(a)}" for a in acts) + "."


def binary_rows(n: int) -> np.ndarray:
    """All 2**n input rows in counting order: 00, 01, 10, 11 for n = 2."""
    return np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)


def neuron_weights(node) -> tuple[np.ndarray, np.ndarray]:
    """(kernel [n_in, units], bias [units]) of a Neuron node; unset weights read as zeros."""
    return node.weights.get("kernel"), node.weights.get("bias")


@dataclass
class LayerTrace:
    """z and a of every neuron of one layer, for every input row."""

    node_id: str
    name: str
    z: np.ndarray  # (rows, units)
    a: np.ndarray


@dataclass
class TruthTable:
    """The network evaluated on every binary input row."""

    inputs: np.ndarray  # (rows, n)
    layers: list[LayerTrace]
    output: np.ndarray  # (rows, units of the output layer)
    target: np.ndarray | None = None
    wrong_rows: list[int] = field(default_factory=list)

    @property
    def all_correct(self) -> bool:
        return self.target is not None and not self.wrong_rows

    def verdict(self) -> str:
        if self.target is None:
            return "No target chosen."
        if not self.wrong_rows:
            return f"All {len(self.inputs)} rows correct."
        rows = ", ".join(f"row {r + 1} ({row_label(self.inputs[r])})" for r in self.wrong_rows)
        return f"{len(self.wrong_rows)} wrong: {rows}."


def step_training_note(graph: Graph) -> str | None:
    """Why training through Keras leaves a graph's step neurons as they are (a step has no slope, so every gradient
    through one is zero), and where they can learn instead; None when the graph has none."""
    stepped = [n.name for n in graph.nodes.values() if n.spec.hand_set and n.params.get("activation") == "step"]
    if not stepped:
        return None
    names = ", ".join(stepped[:3]) + (" \u2026" if len(stepped) > 3 else "")
    return (f"{names}: a step has no slope, so training cannot change step neurons' weights. Logic lab's Learn instead "
            f"trains them as sigmoids (Snap back to step makes them steps again).")


def nothing_to_train(graph: Graph, infos: dict) -> str | None:
    """Why Start would change nothing: no layer with weights to train has a path to an output that avoids every
    step neuron (a step passes no gradient back: a Dense before a step output cannot learn either); None when
    something can learn. ``infos``: the shape results (their trainable parameter counts)."""
    note = step_training_note(graph)
    if note is None:
        return None
    def step(nid):
        return graph.nodes[nid].spec.hand_set and graph.nodes[nid].params.get("activation") == "step"
    todo = [n.id for n in graph.outputs() if not step(n.id)]
    reached = set(todo)
    while todo:  # back from the outputs, through every layer but a step neuron
        for up in graph.input_ids(todo.pop()):
            if up not in reached and not step(up):
                reached.add(up)
                todo.append(up)
    if any(infos[nid].trainable_params for nid in reached if nid in infos):
        return None
    return f"{note} Nothing else in this network can learn through them, so Start would change nothing."


def row_label(row) -> str:
    return "".join(str(int(v)) for v in row)


def evaluate(graph: Graph, x: np.ndarray) -> tuple[np.ndarray, list[LayerTrace]]:
    """Forward pass of a logic network (Input, Neuron, Concatenate layers) on rows ``x``."""
    values: dict[str, np.ndarray] = {}
    traces: list[LayerTrace] = []
    outputs = graph.outputs()
    if len(graph.inputs()) != 1 or len(outputs) != 1:
        raise ShapeError("A logic network needs exactly one Input and one output layer.")
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        ins = [values[i] for i in graph.input_ids(nid)]
        if node.spec.source:
            values[nid] = x
        elif node.spec.hand_set:
            if not ins:
                raise ShapeError(f"Neuron {node.name!r} has no input.")
            a_in = ins[0]
            units = node.params["units"]
            k, b = neuron_weights(node)
            k = np.zeros((a_in.shape[1], units)) if k is None else k.astype(float)
            b = np.zeros(units) if b is None else b.astype(float)
            if k.shape != (a_in.shape[1], units):
                raise ShapeError(f"Neuron {node.name!r} has weights for {count(k.shape[0], 'input')} but receives "
                                 f"{a_in.shape[1]}.")
            z = a_in @ k + b
            a = activate(z, node.params["activation"])
            values[nid] = a
            traces.append(LayerTrace(nid, node.name, z, a))
        elif node.kind == "concatenate":
            values[nid] = np.hstack(ins)
        else:
            raise ShapeError(f"The logic lab evaluates Input, Neuron and Concatenate layers; "
                             f"{node.name!r} is a {node.kind}.")
    return values[outputs[0].id], traces


THRESHOLD = 0.5


def predicted_bits(output: np.ndarray) -> np.ndarray:
    """The one rule for reading an output as a bit: output >= 0.5 counts as 1 (step outputs are already 0/1)."""
    return (np.asarray(output) >= THRESHOLD).astype(np.int64)


def truth_table(graph: Graph, target: str | list[int] | None = None) -> TruthTable:
    """Every binary input row through the network, compared with a gate or a custom column."""
    n = graph.inputs()[0].params["shape"][0] if graph.inputs() else 0
    if not graph.inputs() or len(graph.inputs()[0].params["shape"]) != 1 or n > 10:
        raise ShapeError("The logic lab needs a vector Input of 1 to 10 bits.")
    x = binary_rows(n)
    out, traces = evaluate(graph, x)
    table = TruthTable(x, traces, out)
    if target is not None:
        col = target_column(target, n)
        table.target = col
        pred = predicted_bits(out[:, 0])
        table.wrong_rows = [i for i in range(len(x)) if pred[i] != col[i]]
    return table


def target_column(target: str | list[int], n_inputs: int) -> np.ndarray:
    if isinstance(target, str):
        if target not in GATES:
            raise ShapeError(f"Unknown gate {target!r}; choose one of {', '.join(GATES)}.")
        k, col = GATES[target]
        if k != n_inputs:
            raise ShapeError(f"{target.upper()} takes {k} input{'s' if k > 1 else ''} but the network has {n_inputs}.")
        return np.array(col, dtype=float)
    col = np.array(target, dtype=float)
    if col.shape != (2 ** n_inputs,):
        raise ShapeError(f"a custom target needs {2 ** n_inputs} values (one per row); received {len(col)}.")
    return col


# ------------------------------------------------------------------ separability


def _orient(a, b, c) -> Fraction:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a, b, p) -> bool:
    return _orient(a, b, p) == 0 and min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and \
        min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_meet(a, b, c, d) -> bool:
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and ((o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)):
        return True
    return _on_segment(a, b, c) or _on_segment(a, b, d) or _on_segment(c, d, a) or _on_segment(c, d, b)


def _in_hull(p, pts) -> bool:
    """p lies in the convex hull of pts (Caratheodory: in some point, segment or triangle of them)."""
    if any(p == q for q in pts):
        return True
    if any(_on_segment(a, b, p) for a, b in itertools.combinations(pts, 2)):
        return True
    for a, b, c in itertools.combinations(pts, 3):
        o1, o2, o3 = _orient(a, b, p), _orient(b, c, p), _orient(c, a, p)
        if (o1 >= 0 and o2 >= 0 and o3 >= 0) or (o1 <= 0 and o2 <= 0 and o3 <= 0):
            if _orient(a, b, c) != 0:
                return True
    return False


def linearly_separable(points, labels) -> bool:
    """Exactly decide whether one line separates the 2-D points labelled 1 from those labelled 0.

    Two finite sets are strictly separable iff their convex hulls do not meet; the test uses exact
    rational arithmetic, so a point on the boundary is never a rounding accident.
    """
    pts = [(Fraction(float(x)), Fraction(float(y))) for x, y in points]
    pos = [p for p, l in zip(pts, labels) if l]
    neg = [p for p, l in zip(pts, labels) if not l]
    if not pos or not neg:
        return True
    if any(_in_hull(p, neg) for p in pos) or any(_in_hull(p, pos) for p in neg):
        return False
    pos_segs = list(itertools.combinations(pos, 2))
    neg_segs = list(itertools.combinations(neg, 2))
    return not any(_segments_meet(a, b, c, d) for a, b in pos_segs for c, d in neg_segs)


def short(v: float) -> str:
    """A weight or a sum as a card, an edge label, a truth-table cell or a caption writes it: as typed where it was
    (the float32 nearest a decimal of at most four digits: 1, -1.5, 0.125, 12.25), else to three significant digits
    (-7.67219 -> -7.67, 2.2449e-05 -> 2.24e-05), whole numbers from 100 up (1234.56 -> 1235). A learned weight
    written with six digits was cut on its card; the weight editor keeps every digit."""
    v = float(v) + 0.0  # -0.0 reads 0
    if not np.isfinite(v) or v == 0:
        return f"{v:g}"
    for digits in range(1, 5):  # five would also catch one learned number in a few hundred (1.1545)
        text = f"{v:.{digits}g}"
        if abs(float(text)) < FLOAT32_OVERFLOW and np.float32(float(text)) == np.float32(v):  # (3.403e+38: inf)
            return _plain(float(text)) if "e" in text and 1e-4 <= abs(v) < 1e6 else text
    if 100 <= abs(v) < 1e6:
        return f"{v:.0f}"
    return f"{v:.3g}"


def _plain(v: float) -> str:
    """``v`` without an exponent (100000, 0.00012), for a number short enough to read so."""
    return f"{v:f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"


def short_prob(a: float) -> str:
    """A sigmoid's output (a probability) to three decimals, or as many more as show which side of 0.5 it is on
    (0.49996 is not "0.500"); 0 and 1 as they are."""
    a = float(a)
    if a in (0.0, 1.0) or not np.isfinite(a):
        return short(a)
    for d in range(3, 10):
        text = f"{a:.{d}f}"
        if (float(text) >= 0.5) == (a >= 0.5):
            return text
    return repr(a)


def line_equation(w0: float, w1: float, w2: float) -> str:
    """``w0 + w1*x1 + w2*x2 = 0`` as the lectures write it: "-1.5 + x1 + x2 = 0", "0.5 - x1 - x2 = 0",
    "1 - 2·x1 = 0" (a weight of 1 unwritten, a minus sign for a negative one, a zero term left out)."""
    return sum_equation(w0, (w1, w2), ("x1", "x2"))


def sum_equation(w0: float, weights, names) -> str:
    """``w0 + w1*names[0] + ... = 0`` written as ``line_equation`` writes two inputs, for any number of them."""
    text = short(w0) if w0 else ""
    for w, x in zip(weights, names):
        if not w:
            continue
        size = "" if short(abs(w)) == "1" else f"{short(abs(w))}\u00b7"
        sign = "-" if w < 0 else "+"
        text = f"{text} {sign} {size}{x}" if text else f"{'-' if w < 0 else ''}{size}{x}"
    return f"{text or '0'} = 0"


def decision_line(w0: float, w1: float, w2: float, lo: float = -0.5, hi: float = 1.5):
    """Two points of the line w0 + w1*x1 + w2*x2 = 0 across the box [lo, hi]^2, or None if w1 = w2 = 0."""
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):
        xs = np.array([lo, hi])
        return xs, -(w0 + w1 * xs) / w2
    ys = np.array([lo, hi])
    return -(w0 + w2 * ys) / w1, ys


# ------------------------------------------------------------------ presets


GATE_PER_ROW = 3


def _neuron_graph(n_inputs: int, layers: list[tuple[str, list[list[float]], list[float]]]) -> Graph:
    """Input of n bits followed by Neuron layers given as (name, kernel rows per input, biases)."""
    g = Graph()
    prev = g.add_node("input", {"shape": (n_inputs,)}, name="x", pos=(0.0, 0.0))
    for i, (name, kernel, bias) in enumerate(layers):
        k = np.array(kernel, dtype=np.float32)
        node = g.add_node("neuron", {"units": k.shape[1], "activation": "step"}, name=name,
                          pos=(330.0 * (i + 1), 0.0), weights={"kernel": k, "bias": np.array(bias, np.float32)})
        g.connect(prev.id, node.id)
        prev = node
    # three to a row: the Logic lab's canvas shows three neuron columns at a readable zoom (xnor-case2 wraps)
    from .layout import NEURON_X_SPACING, auto_layout  # noqa: PLC0415
    for nid, pos in auto_layout(g, x_spacing=NEURON_X_SPACING, per_row=GATE_PER_ROW).items():
        g.move_node(nid, pos)
    return g


def gate_graph(key: str) -> Graph:
    """The lecture's hand-built networks: and, or, not, nor, xnor-case1, xnor-case2."""
    if key == "and":
        return _neuron_graph(2, [("and", [[1], [1]], [-1.5])])
    if key == "or":
        return _neuron_graph(2, [("or", [[1], [1]], [-0.5])])
    if key == "not":
        return _neuron_graph(1, [("not", [[-2]], [1])])
    if key == "nor":
        return _neuron_graph(2, [("nor", [[-1], [-1]], [0.5])])
    if key == "xnor-case1":
        # hidden: AND = step(-1.5 + x1 + x2), NOR = step(0.5 - x1 - x2); out: OR = step(-0.5 + h1 + h2)
        return _neuron_graph(2, [("and_nor", [[1, -1], [1, -1]], [-1.5, 0.5]),
                                 ("or", [[1], [1]], [-0.5])])
    if key == "xnor-case2":
        # copy/negate: A = step(x1 - 0.5), B = step(x2 - 0.5), A' = step(0.5 - x1), B' = step(0.5 - x2)
        # two ORs: A + B, A' + B'; then AND; then NOT: XNOR = NOT[(A+B).(A'+B')]
        return _neuron_graph(2, [
            ("copy_negate", [[1, 0, -1, 0], [0, 1, 0, -1]], [-0.5, -0.5, 0.5, 0.5]),
            ("ors", [[1, 0], [1, 0], [0, 1], [0, 1]], [-0.5, -0.5]),
            ("and", [[1], [1]], [-1.5]),
            ("not", [[-2]], [1]),
        ])
    raise KeyError(key)


GATE_PRESET_TARGETS = {"and": "and", "or": "or", "not": "not", "nor": "nor",
                       "xnor-case1": "xnor", "xnor-case2": "xnor"}


def what_learning_reads(graph: Graph, target) -> tuple:
    """What a Learn instead run's result depends on: each layer's kind, settings and weights, the wiring and the
    target; not where the cards sit. A run whose network or target no longer reads the same is dropped."""
    nodes = tuple(sorted((n.id, n.kind, repr(sorted(n.params.items())),
                          tuple((k, None if v is None else v.tobytes()) for k, v in sorted(n.weights.items())))
                         for n in graph.nodes.values()))
    return nodes, tuple(sorted((e.src, e.dst, e.port) for e in graph.edges)), repr(target)


def single_neuron(graph: Graph):
    """The Neuron node if the network is exactly Input(2) -> one Neuron with one unit."""
    neurons = [n for n in graph.nodes.values() if n.spec.hand_set]
    ins = graph.inputs()
    if len(neurons) == 1 and len(ins) == 1 and len(graph.nodes) == 2 and neurons[0].params["units"] == 1 and \
            graph.input_ids(neurons[0].id) == [ins[0].id] and tuple(ins[0].params["shape"]) == (2,):
        return neurons[0]
    return None


def cannot_learn(g: Graph, target) -> str:
    """What to say up front when the network is one neuron and the gate is one no line computes ("" else)."""
    if single_neuron(g) is None or not isinstance(target, str) or GATES[target][0] != 2:
        return ""
    if linearly_separable(binary_rows(2), target_column(target, 2)):
        return ""
    return (f" One neuron cannot compute {target.upper()}: no line splits its 1s from its 0s, so learning only "
            f"settles where the neuron is least wrong. Add a hidden layer to learn it.")
