"""Graph -> keras.Model through the functional API (so branches and skips work).

``layer_plan`` turns the graph into a list of plain layer calls (class name, arguments, inputs). The
model builder instantiates them and the Python exporter prints them, so the two can never disagree.

A Neuron with step activation becomes three built-in layers, so plain Keras loads the file with no
custom objects: Dense (the user's exact w and b, linear) -> Rescaling(scale=STEP_GAIN, offset=1) ->
ReLU(max_value=1), i.e. a = clip(STEP_GAIN*z + 1, 0, 1). That is exactly 1 for z >= 0 and exactly 0
for z <= -1/STEP_GAIN; only a z in (-1e-6, 0) would give a fraction. With binary inputs and the
weights people set by hand (multiples of 0.5, say) z never lands there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core import shapes
from ..core.errors import ShapeError
from ..core.graph import Graph
from .runtime import get_keras

STEP_GAIN = 1e6


@dataclass
class LayerCall:
    """One Keras layer to create: ``cls(**kwargs)`` applied to the outputs of ``inputs``."""

    name: str
    cls: str
    kwargs: dict
    inputs: list[str] = field(default_factory=list)  # names of earlier LayerCalls
    node_id: str | None = None  # the graph node whose weights this layer carries


def check_buildable(graph: Graph) -> dict:
    infos = shapes.infer(graph)
    problems = [f"{graph.nodes[n].name}: {i.errors[0]}" for n, i in infos.items() if i.status == "error"]
    if problems:
        raise ShapeError("The network has errors, so it cannot be built:\n" + "\n".join(problems))
    if not graph.inputs():
        raise ShapeError("The network has no Input layer.")
    if not graph.outputs():
        raise ShapeError("The network has no output layer (nothing after the Input).")
    return infos


@dataclass
class Plan:
    """Layer calls in order plus the names of the model's input and output layers."""

    calls: list[LayerCall]
    inputs: list[str]
    outputs: list[str]


def layer_plan(graph: Graph) -> Plan:
    """The Keras layers that realise ``graph``, in topological order."""
    check_buildable(graph)
    out_name: dict[str, str] = {}  # node id -> name of the layer whose output is the node's output
    plan: list[LayerCall] = []
    for nid in graph.topological_order():
        n = graph.nodes[nid]
        p = n.params
        ins = [out_name[i] for i in graph.input_ids(nid)]
        name = n.name
        k = n.kind
        if k == "input":
            plan.append(LayerCall(name, "Input", {"shape": tuple(p["shape"])}, [], nid))
        elif k == "dense":
            plan.append(LayerCall(name, "Dense", {"units": p["units"], "activation": p["activation"],
                                                  "use_bias": p["use_bias"]}, ins, nid))
        elif k == "conv2d":
            pad = p["padding"]
            if isinstance(pad, int):
                if pad > 0:
                    plan.append(LayerCall(f"{name}_pad", "ZeroPadding2D", {"padding": pad}, ins))
                    ins = [f"{name}_pad"]
                pad = "valid"
            plan.append(LayerCall(name, "Conv2D", {
                "filters": p["filters"], "kernel_size": p["kernel_size"], "strides": p["strides"],
                "padding": pad, "activation": p["activation"], "use_bias": p["use_bias"]}, ins, nid))
        elif k in ("maxpool2d", "avgpool2d"):
            plan.append(LayerCall(name, "MaxPooling2D" if k == "maxpool2d" else "AveragePooling2D", {
                "pool_size": p["pool_size"], "strides": p["strides"] or p["pool_size"],
                "padding": p["padding"]}, ins, nid))
        elif k == "globalavgpool2d":
            plan.append(LayerCall(name, "GlobalAveragePooling2D", {}, ins, nid))
        elif k == "zeropadding2d":
            plan.append(LayerCall(name, "ZeroPadding2D", {"padding": p["padding"]}, ins, nid))
        elif k == "flatten":
            plan.append(LayerCall(name, "Flatten", {}, ins, nid))
        elif k == "reshape":
            plan.append(LayerCall(name, "Reshape", {"target_shape": tuple(p["target_shape"])}, ins, nid))
        elif k == "dropout":
            plan.append(LayerCall(name, "Dropout", {"rate": p["rate"]}, ins, nid))
        elif k == "activation":
            plan.append(LayerCall(name, "Activation", {"activation": p["activation"]}, ins, nid))
        elif k == "batchnorm":
            plan.append(LayerCall(name, "BatchNormalization", {"momentum": p["momentum"],
                                                               "epsilon": p["epsilon"]}, ins, nid))
        elif k == "add":
            plan.append(LayerCall(name, "Add", {}, ins, nid))
        elif k == "concatenate":
            plan.append(LayerCall(name, "Concatenate", {"axis": -1}, ins, nid))
        elif k == "neuron":
            act = p["activation"]
            plan.append(LayerCall(name, "Dense", {"units": p["units"],
                                                  "activation": "linear" if act == "step" else act}, ins, nid))
            if act == "step":
                plan.append(LayerCall(f"{name}_step_gain", "Rescaling",
                                      {"scale": STEP_GAIN, "offset": 1.0}, [name]))
                plan.append(LayerCall(f"{name}_step", "ReLU", {"max_value": 1.0}, [f"{name}_step_gain"]))
        else:  # pragma: no cover - every registry kind is handled above; a test checks it
            raise ShapeError(f"No Keras builder for layer type {k!r}.")
        out_name[nid] = plan[-1].name
    return Plan(plan, [n.name for n in graph.inputs()], [out_name[n.id] for n in graph.outputs()])


def build_model(graph: Graph, name: str = "playground"):
    """A ``keras.Model`` for the graph with every stored weight applied exactly."""
    from ..core.limits import check_buildable  # noqa: PLC0415 - refuse before Keras allocates or recurses
    check_buildable(graph)
    keras = get_keras()
    plan = layer_plan(graph)
    tensors = {}
    for call in plan.calls:
        if call.cls == "Input":
            tensors[call.name] = keras.Input(shape=call.kwargs["shape"], name=call.name)
            continue
        layer = getattr(keras.layers, call.cls)(name=call.name, **call.kwargs)
        args = [tensors[i] for i in call.inputs]
        tensors[call.name] = layer(args if call.cls in ("Add", "Concatenate") else args[0])
    ins = [tensors[n] for n in plan.inputs]
    outs = [tensors[n] for n in plan.outputs]
    model = keras.Model(inputs=ins[0] if len(ins) == 1 else ins, outputs=outs[0] if len(outs) == 1 else outs,
                        name=_model_name(name))
    apply_weights(model, graph)
    return model


def _model_name(name: str) -> str:
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "playground"
    return clean if not clean[0].isdigit() else f"m_{clean}"


def apply_weights(model, graph: Graph) -> None:
    """Copy every node's stored weights into its layer; a Neuron without weights gets zeros."""
    for node in graph.nodes.values():
        if node.kind not in ("dense", "conv2d", "batchnorm", "neuron"):
            continue
        layer = model.get_layer(node.name)
        names = [v.name for v in layer.weights]
        if node.kind == "neuron" and not node.weights:
            layer.set_weights([np.zeros(v.shape, dtype=np.float32) for v in layer.weights])
            continue
        if not node.weights:
            continue
        missing = [n for n in names if n not in node.weights]
        if missing:
            raise ShapeError(f"{node.name}: stored weights lack {', '.join(missing)}; reset its weights.")
        values = []
        for v in layer.weights:
            arr = node.weights[v.name]
            if tuple(arr.shape) != tuple(v.shape):
                raise ShapeError(f"{node.name}: stored {v.name} has shape {tuple(arr.shape)} but the layer needs "
                                 f"{tuple(v.shape)}; the layer changed since it was trained. Reset its weights.")
            values.append(arr)
        layer.set_weights(values)


def read_weights(model, graph: Graph) -> dict[str, dict[str, np.ndarray]]:
    """{node id: {variable name: array}} for every layer that has weights (after training)."""
    out = {}
    for node in graph.nodes.values():
        if node.kind not in ("dense", "conv2d", "batchnorm", "neuron"):
            continue
        layer = model.get_layer(node.name)
        out[node.id] = {v.name: np.asarray(w, dtype=np.float32)
                        for v, w in zip(layer.weights, layer.get_weights())}
    return out
