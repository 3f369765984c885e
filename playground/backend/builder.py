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

import re
from dataclasses import dataclass, field

import numpy as np


from ..core import analysis
from ..core.errors import ShapeError
from ..core.graph import Graph
from ..core.registry import STEP_GAIN, get_spec  # noqa: F401  (STEP_GAIN: re-exported for callers)
from .opaque import opaque_counts, opaque_layer
from .runtime import get_keras


@dataclass
class LayerCall:
    """One Keras layer to create: ``cls(**kwargs)`` applied to the outputs of ``inputs``.

    ``config`` (an opaque layer) is a serialised Keras layer to deserialise instead; ``merge`` says the
    layer takes its inputs as one list.
    """

    name: str
    cls: str
    kwargs: dict
    inputs: list[str] = field(default_factory=list)  # names of earlier LayerCalls
    node_id: str | None = None  # the graph node whose weights this layer carries
    config: dict | None = None
    merge: bool = False
    trainable: bool = True


def check_buildable(graph: Graph) -> dict:
    infos = analysis.infer(graph)
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
    """The Keras layers that realise ``graph``, in topological order (read from each kind's adapter)."""
    check_buildable(graph)
    out_name: dict[str, str] = {}  # node id -> name of the layer whose output is the node's output
    inputs_of: dict[str, list] = {}
    for e in sorted(graph.edges, key=lambda e: e.port):
        inputs_of.setdefault(e.dst, []).append(e.src)
    plan: list[LayerCall] = []
    for nid in graph.topological_order():
        n = graph.nodes[nid]
        spec = get_spec(n.kind)
        ins = [out_name[i] for i in inputs_of.get(nid, [])]
        for call in spec.keras_calls(n.params):
            name = n.name + call.suffix
            carries = call.suffix == ""
            plan.append(LayerCall(name, call.cls, dict(call.kwargs), ins, nid if carries else None, call.config,
                                  merge=carries and len(ins) > 1,
                                  trainable=n.trainable))
            ins = [name]
        out_name[nid] = plan[-1].name
    return Plan(plan, [n.name for n in graph.inputs()], [out_name[n.id] for n in graph.outputs()])


def keras_layer(call: LayerCall):
    """Instantiate one planned layer (an opaque one from its saved config)."""
    keras = get_keras()
    if call.config is not None:
        layer = opaque_layer(call.cls, call.config, name=call.name)
    else:
        layer = getattr(keras.layers, call.cls)(name=call.name, **call.kwargs)
    if type(layer).__name__ == "RandomBrightness":
        # Keras keeps value_range as a tracked list, which the .h5 writer's deepcopy of the config
        # cannot copy ("cannot pickle 'module' object"); a plain tuple saves and behaves the same
        object.__setattr__(layer, "value_range", tuple(layer.value_range))
    if not call.trainable:
        layer.trainable = False
    return layer


def build_model(graph: Graph, name: str = "playground"):
    """A ``keras.Model`` for the graph with every stored weight applied exactly."""
    from ..core.limits import check_buildable  # noqa: PLC0415 - refuse before Keras allocates or recurses
    check_buildable(graph, counts=opaque_counts(graph))  # opaque layers counted by Keras, never by the file
    from .deep import run_deep_if  # noqa: PLC0415
    return run_deep_if(len(graph.nodes), _build_model, graph, name)


def _build_model(graph: Graph, name: str):
    keras = get_keras()
    plan = layer_plan(graph)
    tensors = {}
    for call in plan.calls:
        if call.cls == "Input" and call.config is None:
            tensors[call.name] = keras.Input(shape=call.kwargs["shape"], name=call.name)
            continue
        layer = keras_layer(call)
        args = [tensors[i] for i in call.inputs]
        tensors[call.name] = layer(args if call.merge else args[0])
    ins = [tensors[n] for n in plan.inputs]
    outs = [tensors[n] for n in plan.outputs]
    model = keras.Model(inputs=ins[0] if len(ins) == 1 else ins, outputs=outs[0] if len(outs) == 1 else outs,
                        name=_model_name(name))
    apply_weights(model, graph)
    return model


def _model_name(name: str) -> str:
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "playground"
    return clean if not clean[0].isdigit() else f"m_{clean}"


_UNNAMED = re.compile(r"variable(_\d+)?")


def weight_names(layer) -> list[str]:
    """Keys for a layer's variables, in order: their names, made unique where a layer repeats one. A variable
    made without a name (ConvNeXt's LayerScale) is "variable", "variable_1", ... by its place in the layer, not
    Keras' process-wide "variable_<n>" counter, so the same file gives the same keys each time it is opened."""
    names, seen = [], {}
    for v in layer.weights:
        base = v.name.rsplit("/", 1)[-1]
        base = "variable" if _UNNAMED.fullmatch(base) else base
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base] - 1}")
    return names


def apply_weights(model, graph: Graph) -> None:
    """Copy every node's stored weights into its layer; a Neuron without weights gets zeros."""
    by_name = layers_by_name(model)
    for node in graph.nodes.values():
        if not get_spec(node.kind).weighted:
            continue
        layer = by_name.get(node.name) or model.get_layer(node.name)  # Keras' own error for a missing one
        names = weight_names(layer)
        if node.spec.hand_set and not node.weights:  # a Neuron nobody has set yet: zeros, not random
            layer.set_weights([np.zeros(v.shape, dtype=np.float32) for v in layer.weights])
            continue
        if not node.weights:
            continue
        missing = [n for n in names if n not in node.weights]
        if missing and len(node.weights) == len(names):
            # a file from before weight_names made unnamed variables' keys stable keeps Keras' global
            # "variable_<n>" ones: the stored order is the layer's own order, so match by position
            names = list(node.weights)
            missing = []
        if missing:
            raise ShapeError(f"{node.name}: stored weights lack {', '.join(missing)}; reset its weights.")
        values = []
        for key, v in zip(names, layer.weights):
            arr = node.weights[key]
            if tuple(arr.shape) != tuple(v.shape):
                raise ShapeError(f"{node.name}: stored {key} has shape {tuple(arr.shape)} but the layer needs "
                                 f"{tuple(v.shape)}; the layer changed since it was trained. Reset its weights.")
            values.append(arr)
        layer.set_weights(values)


def layer_weights(layer) -> dict[str, np.ndarray]:
    """{variable key: array} of one Keras layer, as float32 copies."""
    return {k: np.array(w, dtype=np.float32) for k, w in zip(weight_names(layer), layer.get_weights())}


def layers_by_name(model) -> dict:
    """{name: layer} of a model's own layers, read once: ``model.get_layer`` walks every layer per call, so
    looking up each of a model's n layers with it costs n^2 (0.7 s of a 771-layer NASNetMobile's build)."""
    return {layer.name: layer for layer in model.layers}


def read_weights(model, graph: Graph) -> dict[str, dict[str, np.ndarray]]:
    """{node id: {variable name: array}} for every layer that has weights (after training)."""
    by_name = layers_by_name(model)
    return {node.id: layer_weights(by_name.get(node.name) or model.get_layer(node.name))
            for node in graph.nodes.values() if get_spec(node.kind).weighted}
