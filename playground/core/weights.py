"""Which weight arrays a layer kind may carry, and of what rank.

Checked when a file is loaded and whenever weights are set, so numpy, Qt or Keras never receive an
array they cannot take (a Neuron kernel of shape [2] used to crash the logic lab). Sizes that depend
on the layer's inputs are not checked here: weights that no longer fit after an edit are a normal
state, shown on the node ("reset the weights to fit") and refused by the builder.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .errors import GraphError
from .words import count

FLOAT32_MAX = float(np.finfo(np.float32).max)  # 3.4028235e+38: the largest weight a float32 array holds
FLOAT32_OVERFLOW = 2.0 ** 128 - 2.0 ** 103  # from here up a value rounds to inf in float32 (below: to FLOAT32_MAX)


def typed_weight_problem(text: str) -> str | None:
    """Why ``text``, typed into a weight's field, cannot be a weight (None: it can). Weights are float32, so 1e39,
    finite to Python, would be stored as inf. "1,5" is told it wants a decimal point; "1,000" (maybe a thousands
    comma) is not guessed at."""
    text = text.strip()
    try:
        v = float(text)
    except ValueError:
        point, after = text.replace(",", ".", 1), text.partition(",")[2]
        if "," in text and _finite(point) and not (len(after) == 3 and after.isdigit()):
            return f"A weight is written with a decimal point: {point}, not {text}"
        return f"A weight must be a finite number. Received {text!r}"
    if not np.isfinite(v):
        return f"A weight must be a finite number. Received {text!r}"
    if abs(v) >= FLOAT32_OVERFLOW:
        return f"A weight must fit in 32 bits, at most {str(np.float32(FLOAT32_MAX))} either way. Received {text!r}"
    return None


def _finite(text: str) -> bool:
    try:
        return bool(np.isfinite(float(text)))
    except ValueError:
        return False


_DENSE = {"kernel": 2, "bias": 1}
# kind -> {variable name: rank}; Keras' own variable names
WEIGHT_RANKS: dict[str, dict[str, int]] = {
    "dense": _DENSE,
    "neuron": _DENSE,
    "conv2d": {"kernel": 4, "bias": 1},
    "batchnorm": {"gamma": 1, "beta": 1, "moving_mean": 1, "moving_variance": 1},
}
MAX_RANK = 8


def weights_problem(kind: str, weights: Mapping[str, np.ndarray]) -> str | None:
    """None if ``weights`` may belong to a layer of ``kind``, else a sentence saying what is wrong.

    Kinds not in ``WEIGHT_RANKS`` (added later to the registry) get the generic check: at most rank 8.
    """
    if not weights:
        return None
    from .registry import get_spec  # noqa: PLC0415 - the registry imports graph-level modules
    from .shapes import count_none  # noqa: PLC0415
    spec = get_spec(kind)
    ranks = WEIGHT_RANKS.get(kind)
    for name, arr in weights.items():
        arr = np.asarray(arr)
        if ranks is None:
            if spec.count_rule is count_none:
                return f"{spec.title} layers have no weights, but {name!r} is given."
            if arr.ndim > MAX_RANK:
                return f"weight {name!r} has {arr.ndim} dimensions; at most {MAX_RANK} are possible."
            continue
        if name not in ranks:
            known = ", ".join(ranks)
            return f"{spec.title} layers have no weight {name!r} (they have {known})."
        if arr.ndim != ranks[name]:
            return (f"{spec.title} weight {name!r} must have {count(ranks[name], 'dimension')}; received shape "
                    f"{list(arr.shape)}.")
    return None


def check_weights(kind: str, weights: Mapping[str, np.ndarray], layer: str = "") -> None:
    """Raise GraphError when ``weights_problem`` finds one."""
    msg = weights_problem(kind, weights)
    if msg:
        raise GraphError(f"{layer!r}: {msg}" if layer else msg)


def fitted_neuron_weights(graph, node_id: str, n_inputs: int) -> dict[str, np.ndarray]:
    """The node's weights resized to ``n_inputs`` x units, keeping what fits and padding with zeros."""
    node = graph.nodes[node_id]
    units = node.params["units"]
    k = np.zeros((n_inputs, units), np.float32)
    b = np.zeros(units, np.float32)
    old_k, old_b = node.weights.get("kernel"), node.weights.get("bias")
    if old_k is not None:
        r, c = min(n_inputs, old_k.shape[0]), min(units, old_k.shape[1])
        k[:r, :c] = old_k[:r, :c]
    if old_b is not None:
        c = min(units, old_b.shape[0])
        b[:c] = old_b[:c]
    return {"kernel": k, "bias": b}


def neuron_refits(graph, node_id: str, before=None) -> dict[str, dict[str, np.ndarray]]:
    """After an edit of ``node_id`` (its units, an Input's shape): the hand-set Neurons whose weights no longer fit,
    itself and those it feeds, refitted: what fits kept, new rows and columns 0; with ``before``, the graph before the
    edit, only those whose size the edit changed (weights that did not fit before stay, and say so). (The inspector refits from the
    weights its field's visit began with, so a size typed on the way, 1 on the way to 12, drops nothing.)"""
    from .analysis import ShapeCache
    cache, was = ShapeCache(graph), ShapeCache(before) if before is not None else None
    refits = {}
    for nid in [node_id, *graph.output_ids(node_id)]:
        node = graph.nodes[nid]
        k, b = node.weights.get("kernel"), node.weights.get("bias")
        ins = graph.input_ids(nid)
        n_in = cache.output_width(ins[0]) if ins else None
        if not node.spec.hand_set or k is None or not n_in:
            continue
        units = node.params["units"]
        if was is not None and nid in before.nodes and before.input_ids(nid) == ins and \
                (was.output_width(ins[0]), before.nodes[nid].params["units"]) == (n_in, units):
            continue  # ``before`` the edit: its size did not change (an activation typed), so its weights stay
        if k.shape != (n_in, units) or (b is not None and b.shape != (units,)):
            refits[nid] = fitted_neuron_weights(graph, nid, n_in)
    return refits
