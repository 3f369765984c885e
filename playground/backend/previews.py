"""Live layer previews: every layer's output for one example, with the graph's current weights.

Layers without stored weights get Keras' random initial ones (what an untrained network computes).
Runs in a worker thread (ui/worker.py); returns small 8-bit pictures, never Keras objects.
"""

from __future__ import annotations

import numpy as np

from ..core import limits
from ..core.graph import Graph
from ..core.registry import get_spec
from .builder import layers_by_name
from .runtime import get_keras

THUMB = 36  # longest side of a preview, in pixels


def _fits(graph: Graph) -> None:
    """ResourceError before a preview builds the network and runs one example through it where that cannot fit: the
    build checks the weights only, and a 1 KB lesson of two UpSampling layers took 23 GB here, unchecked."""
    weights, acts = limits.network_bytes(graph, 1)
    limits.require(weights * 2 + acts * 3, "Previewing this network", "to run one example through it")


def layer_previews(graph: Graph, dataset: str, index: int = 0) -> dict[str, np.ndarray]:
    """{node id: uint8 picture (h, w) or (h, w, 3)} of each layer's output for example ``index`` of
    ``dataset``'s test split (its training split if it has none)."""
    from . import datasets
    from .builder import build_model, layer_plan

    keras = get_keras()
    inputs = graph.inputs()
    if len(inputs) != 1:
        raise ValueError(f"Previews need exactly one Input layer; this network has {len(inputs)}.")
    _fits(graph)
    model = build_model(graph)
    ds = datasets.load(dataset, tuple(inputs[0].params["shape"]))
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
    by_name = layers_by_name(model)
    outs = [by_name[last_call[nid]].output for nid in ids]
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


# ------------------------------------------------------------------ augmentation strip (issue 28)
STRIP = 8  # augmented versions shown of one image


def augmentation_strip(graph: Graph, node_id: str, dataset: str, seed: int, n: int = STRIP,
                       index: int = 0) -> dict:
    """What an augmentation (or resizing) layer does to one training image, as it does it while training.

    Returns ``{"original": picture, "augmented": [picture, ...], "random": bool}``: the image as the layer
    receives it (upstream layers at inference) and ``n`` outputs of the layer (one for a layer that is not
    random). The random layers get their own seed generator from ``seed``, so the same seed gives the same
    strip and the global random state (and so a training run beside it) is left alone.
    """
    from . import datasets
    from .builder import build_model, layer_plan

    keras = get_keras()
    node = graph.nodes[node_id]
    spec = get_spec(node.kind)
    if spec.category != "augmentation":
        raise ValueError(f"{spec.title} is not an augmentation or resizing layer.")
    sources = graph.input_ids(node_id)
    inputs = graph.inputs()
    if len(inputs) != 1 or len(sources) != 1:
        raise ValueError("The preview needs one Input and the layer connected to it.")
    _fits(graph)
    ds = datasets.load(dataset, tuple(inputs[0].params["shape"]))
    x = datasets.fit_x(ds.x_train[index:index + 1], tuple(inputs[0].params["shape"]), dataset)
    src = graph.nodes[sources[0]]
    if not src.spec.source:  # the image as the layer receives it: what the layers before it make of it
        model = build_model(graph)
        last = {c.node_id: c.name for c in layer_plan(graph).calls if c.node_id is not None}
        sub = keras.Model(inputs=model.inputs[0], outputs=model.get_layer(last[src.id]).output)
        x = np.asarray(sub(x.astype(np.float32), training=False))
    if x.ndim != 4:
        raise ValueError(f"{spec.title} needs an image; it receives {x.shape[1:]}.")
    random = bool(spec.extra.get("training_only")) or spec.key == "randomcrop"
    call = spec.keras_calls(node.params)[-1]
    layer = getattr(keras.layers, call.cls)(**call.kwargs, **({"seed": int(seed)} if random else {}))
    # one call per version: some layers (RandomCrop) draw one transformation per batch, not per image
    x = x.astype(np.float32)
    out = [np.asarray(layer(x, training=True))[0] for _ in range(n if random else 1)]
    hi = 255.0 if float(np.max(x)) > 1.5 else 1.0  # one fixed scale: brightness and contrast stay visible
    return {"original": _fixed_picture(x[0], hi), "augmented": [_fixed_picture(a, hi) for a in out],
            "random": random}


def _fixed_picture(a: np.ndarray, hi: float) -> np.ndarray:
    """An image as 8-bit pixels on a fixed scale 0..hi: RGB for three channels, else the first channel."""
    a = np.clip(np.nan_to_num(np.asarray(a, dtype=np.float64)) / hi, 0.0, 1.0)
    img = a if a.shape[-1] == 3 else a[:, :, 0]
    return np.ascontiguousarray(np.round(img * 255).astype(np.uint8))
