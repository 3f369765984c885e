"""Opaque layers: Keras layers the table lacks, described and re-checked by Keras itself.

An opaque node carries the layer as Keras serialised it, the input shapes Keras saw, the output shape
from the layer's own ``compute_output_shape`` and its parameter counts. Core shape inference reads
those; when an upstream edit changes an opaque node's input, ``refresh`` asks Keras again.
"""

from __future__ import annotations

import json

import numpy as np

from ..core import shapes

from ..core import analysis
from ..core.errors import ModelImportError
from ..core.graph import Graph
from .runtime import get_keras


def _batchless(shape) -> list[int]:
    dims = list(shape)[1:]
    if any(d is None for d in dims):
        raise ModelImportError(f"Keras gives a free size in the shape {tuple(shape)}; the playground needs "
                               "fixed sizes.")
    return [int(d) for d in dims]


def output_shape(layer, input_shapes: list[list[int]]) -> list[int]:
    """The layer's output shape (without the batch) by Keras' own ``compute_output_shape``."""
    keras = get_keras()
    batched = [(None, *s) for s in input_shapes]
    arg = batched[0] if len(batched) == 1 else batched
    try:
        out = layer.compute_output_shape(arg)
    except NotImplementedError:  # layers without a static rule: let Keras trace it symbolically
        specs = [keras.KerasTensor(s) for s in batched]
        out = layer.compute_output_spec(specs[0] if len(specs) == 1 else specs).shape
    if isinstance(out, (list, tuple)) and out and isinstance(out[0], (list, tuple)):
        raise ModelImportError(f"layer {layer.name!r} ({type(layer).__name__}) has {len(out)} outputs; "
                               "the playground shows layers with one output.")
    return _batchless(out)


def describe(layer) -> dict:
    """The parameters of an opaque node for a built Keras layer in a loaded model."""
    from .builder import opaque_class  # noqa: PLC0415
    keras = get_keras()
    cls = type(layer).__name__
    serialized = keras.saving.serialize_keras_object(layer)
    opaque_class(cls, serialized.get("registered_name"), serialized.get("module"))  # refuse what we could not rebuild
    try:
        config = json.loads(json.dumps(serialized))
    except (TypeError, ValueError):
        raise ModelImportError(f"layer {layer.name!r} ({cls}) has a config that is not plain data.") from None
    for key in ("build_config", "compile_config"):
        config.pop(key, None)
    inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
    in_shapes = [_batchless(t.shape) for t in inputs]
    trainable = int(sum(np.prod(v.shape) for v in layer.trainable_weights))
    return {"config": config, "input_shapes": in_shapes, "output_shape": output_shape(layer, in_shapes),
            "param_count": [int(layer.count_params()) if layer.weights else 0, trainable]}


def refresh(graph: Graph) -> list[str]:
    """Recompute every opaque node's output shape for the inputs it has now; returns the changed names.

    Call after an edit upstream of an opaque node: core inference cannot run Keras' rule itself.
    """
    from .builder import opaque_layer  # noqa: PLC0415
    changed = []
    for _ in range(len(graph.nodes)):  # downstream opaque nodes may need an upstream one's new shape
        infos = analysis.infer(graph)
        stale = [n for n in graph.nodes.values() if n.spec.opaque and infos[n.id].status == "error"
                 and infos[n.id].error_param != "weights"  # stored weights that no longer fit: reset, not refresh
                 and all(infos[i].shape is not None for i in graph.input_ids(n.id))]
        if not stale:
            break
        for node in stale:
            ins = [list(infos[i].shape) for i in graph.input_ids(node.id)]
            from .prechecks import shapes_only  # noqa: PLC0415 - count without allocating
            with shapes_only():
                layer = opaque_layer(node.params["class_name"], node.params["config"], name=node.name)
                layer.build((None, *ins[0]) if len(ins) == 1 else [(None, *s) for s in ins])
                params = dict(node.params, input_shapes=ins, output_shape=output_shape(layer, ins),
                              param_count=[int(sum(int(np.prod(v.shape)) for v in layer.weights)),
                                           int(sum(int(np.prod(v.shape)) for v in layer.trainable_weights))])
            graph.set_param(node.id, "input_shapes", params["input_shapes"])
            graph.set_param(node.id, "param_count", params["param_count"])
            graph.set_param(node.id, "output_shape", params["output_shape"])
            changed.append(node.name)
    return changed
