"""Opaque layers: Keras layers the table lacks, described and re-checked by Keras itself.

An opaque node carries the layer as Keras serialised it, the input shapes Keras saw, the output shape
from the layer's own ``compute_output_shape`` and its parameter counts. Core shape inference reads
those; when an upstream edit changes an opaque node's input, ``refresh`` asks Keras again.
"""

from __future__ import annotations

import json
import math

import numpy as np


from ..core import analysis
from ..core.errors import ModelImportError, PlaygroundError, ShapeError
from ..core.layer_data import CODE_LAYERS, code_refusal
from ..core.graph import Graph
from .prechecks import shapes_only
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


def opaque_class(class_name: str, registered_name: str | None = None, module: str | None = None):
    """The Keras layer class for an opaque layer: built in, registered in this process, or defined in
    Keras' own package (``keras.applications``' helper layers, like ConvNeXt's LayerScale).

    Only modules of the installed ``keras`` package are imported by name (as Keras' own safe loading
    does), and code-carrying layers are refused, so a saved config cannot make the app run code.
    """
    keras = get_keras()
    if class_name in CODE_LAYERS:
        raise ModelImportError(code_refusal(class_name))
    cls = None
    for key in (registered_name, class_name):  # an .h5 file names a registered class "package>Class"
        if cls is None and key:
            cls = keras.saving.get_registered_object(key)
    if cls is None:
        cls = getattr(keras.layers, class_name, None)
    if cls is None and isinstance(module, str) and module.split(".")[0] == "keras":
        import importlib  # noqa: PLC0415
        try:
            cls = getattr(importlib.import_module(module), class_name, None)
        except ImportError:
            cls = None
    if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)) or \
            issubclass(cls, keras.Model):
        raise ModelImportError(f"layer class {class_name!r} is neither a built-in Keras layer nor registered "
                               f"in this app (keras.saving.register_keras_serializable), so it cannot be built.")
    return cls


def opaque_layer(class_name: str, config: dict, name: str | None = None):
    """A layer rebuilt from its serialised form (``keras.saving.serialize_keras_object``)."""
    from ..core.layer_data import check_class, check_config  # noqa: PLC0415
    from ..core.errors import ParamError  # noqa: PLC0415
    try:  # the project loader checked these already; a graph built in code passes the same rules
        check_class(class_name)
        check_config(config)
    except ParamError as exc:
        raise ModelImportError(str(exc)) from None
    cls = opaque_class(class_name, config.get("registered_name"), config.get("module"))
    inner = dict(config.get("config", {}))
    if name is not None:
        inner["name"] = name  # the graph's name wins (two opaque nodes may have been saved alike)
    try:
        return cls.from_config(inner)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, ImportError) as exc:
        raise ModelImportError(f"Keras could not rebuild the {class_name} layer from its config: "
                               f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}") from None


def opaque_counts(graph) -> dict[str, int]:
    """{node id: parameter count} of every opaque node, counted by Keras from the layer built shapes-only for
    the input shapes the node stores; a stored output shape that Keras does not confirm is a ShapeError."""
    counts: dict[str, int] = {}
    for node in graph.nodes.values():
        if not node.spec.opaque:
            continue
        p = node.params
        ins = [list(s) for s in p["input_shapes"]]
        try:
            with shapes_only():
                layer = opaque_layer(p["class_name"], p["config"], name=node.name)
                layer.build((None, *ins[0]) if len(ins) == 1 else [(None, *s) for s in ins])
                count = int(sum(math.prod(int(d) for d in v.shape) for v in layer.weights))
                out = output_shape(layer, ins)
        except PlaygroundError as exc:
            raise ShapeError(f"{node.name}: {exc}") from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, ImportError,
                RecursionError, NotImplementedError) as exc:
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise ShapeError(f"{node.name}: Keras could not build the {p['class_name']} layer from its config "
                             f"({first}).") from None
        if list(out) != list(p["output_shape"]):
            raise ShapeError(f"{node.name}: the file says this {p['class_name']} layer outputs "
                             f"{tuple(p['output_shape'])}, but Keras computes {tuple(out)} for its input; the file "
                             f"was changed by hand or damaged.")
        counts[node.id] = count
    return counts
