"""Live layer previews: every layer's output for one example, with the graph's current weights.

Layers without stored weights get Keras' random initial ones (what an untrained network computes).
Runs in a worker thread (ui/worker.py); returns small 8-bit pictures, never Keras objects.
"""

from __future__ import annotations

import numpy as np

from ..core.graph import Graph
from .runtime import get_keras

THUMB = 36  # longest side of a preview, in pixels


def layer_previews(graph: Graph, dataset: str, index: int = 0) -> dict[str, np.ndarray]:
    """{node id: uint8 picture (h, w) or (h, w, 3)} of each layer's output for example ``index`` of
    ``dataset``'s test split (its training split if it has none)."""
    from . import datasets
    from .builder import build_model, layer_plan

    keras = get_keras()
    inputs = graph.inputs()
    if len(inputs) != 1:
        raise ValueError(f"Previews need exactly one Input layer; this network has {len(inputs)}.")
    model = build_model(graph)
    ds = datasets.load(dataset)
    xs = ds.x_test if ds.x_test is not None and len(ds.x_test) else ds.x_train
    x = datasets.fit_x(xs[index:index + 1], tuple(inputs[0].params["shape"]), dataset)
    plan = layer_plan(graph)
    last_call = {}  # node id -> the Keras layer whose output is the node's output
    for call in plan.calls:
        if call.node_id is not None:
            last_call[call.node_id] = call.name
        elif call.inputs:  # a step neuron's helper layers (builder: <name>_step_gain, <name>_step) follow it
            for nid, name in last_call.items():
                if call.inputs[0] == name and call.name in (f"{graph.nodes[nid].name}_step_gain",
                                                            f"{graph.nodes[nid].name}_step"):
                    last_call[nid] = call.name
                    break
    ids = [nid for nid in graph.topological_order() if nid in last_call]
    outs = [model.get_layer(last_call[nid]).output for nid in ids]
    probe = keras.Model(inputs=model.inputs[0], outputs=outs)
    values = probe(x.astype(np.float32), training=False)
    if not isinstance(values, (list, tuple)):
        values = [values]
    return {nid: to_picture(np.asarray(v)[0], rgb=graph.nodes[nid].spec.source) for nid, v in zip(ids, values)}


def to_picture(a: np.ndarray, rgb: bool = False) -> np.ndarray:
    """A small 8-bit picture of one layer output: an RGB input image as itself (``rgb``), feature maps as
    a mosaic of up to 4 channels, a vector as a strip of bars (each output scaled to its own range)."""
    a = np.asarray(a, dtype=np.float64)
    a = np.nan_to_num(a)
    if rgb and a.ndim == 3 and a.shape[-1] == 3:
        img = _scale(a)
    elif a.ndim == 3:
        ch = [a[:, :, i] for i in range(min(a.shape[-1], 4))]
        if len(ch) == 4:
            img = np.vstack([np.hstack(ch[:2]), np.hstack(ch[2:])])
        else:
            img = np.hstack(ch)
        img = _scale(img)
    else:
        v = a.reshape(-1)[:THUMB * 4]
        img = _scale(v)[None, :].repeat(max(4, THUMB // 3), axis=0)
    return _shrink(img)


def _scale(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12:
        return np.full(a.shape, 128 if hi != 0 else 0, dtype=np.uint8)
    return np.round((a - lo) / (hi - lo) * 255).astype(np.uint8)


def _shrink(img: np.ndarray) -> np.ndarray:
    step = max(1, int(np.ceil(max(img.shape[:2]) / (THUMB * 2))))
    return np.ascontiguousarray(img[::step, ::step])
