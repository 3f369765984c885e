"""A Keras model config (Keras 3 JSON) -> Graph, layer by layer through the table's adapters.

``graph_from_config`` reads only the config dict; what the config lacks (weights, an opaque layer's
output shape) it asks of a ``facts`` object, which ``graph_from_model`` backs with the loaded Keras
model. A translation step (another Keras dialect, say) can therefore rewrite the dict in between.

Decisions:

- **Nested models are flattened**: a Functional or Sequential model used as a layer (ConvNeXt's stem)
  becomes its own layers, named ``outer.inner`` so that both names stay readable and unique. A
  collapsible group would need a group concept in the graph, the canvas and the file format; flat
  layers need none of that, and every shape and weight stays visible and editable.
- **A layer the table lacks, or a setting a table kind cannot show exactly** (Dropout with a
  noise_shape, say), becomes an opaque node carrying the Keras config, its input and output shapes
  (from Keras' own ``compute_output_shape``) and its parameter counts.
- **A number in an arithmetic operation** (``x + 3.0``, ``x * (1/6)``, recorded by Keras as an ``Add`` or
  ``Multiply`` operation with a constant argument) becomes the built-in ``Rescaling`` that computes the same
  float32 values (``constant_operation``).
- **Our own multi-layer patterns fold back**: ``X_pad`` ZeroPadding2D + convolution ``X`` (valid) is
  one convolution with padding p; Dense + Rescaling + ReLU(max 1) written by the builder is a step
  Neuron.
"""

from __future__ import annotations

import re
from typing import Protocol

import numpy as np

from ..core.errors import ModelImportError, ParamError, PlaygroundError
from ..core.graph import MAX_NAME, NAME_RE, Graph
from ..core.layer_data import MODEL_CLASSES
from ..core.layout import apply_layout
from ..core.registry import KERAS_CLASS_TO_KEY, LAYERS, get_spec


class Facts(Protocol):
    """What the config does not say, asked of the loaded model by layer path (outer names first)."""

    def weights(self, path: tuple[str, ...]) -> dict[str, np.ndarray]: ...

    def opaque(self, path: tuple[str, ...]) -> dict: ...

    def input_shape(self) -> tuple[int, ...]: ...


def _name_of(lc: dict) -> str:
    name = lc.get("name") or (lc.get("config") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise ModelImportError(f"a layer in the model config has no name ({str(lc)[:80]}).")
    return name


def _history(obj, out: list) -> None:
    """Collect (layer name, node index, tensor index) from one inbound node, in argument order."""
    if isinstance(obj, dict):
        cfg = obj.get("config")
        if isinstance(cfg, dict) and cfg.get("keras_history"):
            h = cfg["keras_history"]
            out.append((h[0], int(h[1]), int(h[2])))
            return
        for v in obj.values():
            _history(v, out)
    elif isinstance(obj, (list, tuple)):
        if len(obj) >= 3 and isinstance(obj[0], str) and isinstance(obj[1], int) and isinstance(obj[2], int):
            out.append((obj[0], obj[1], obj[2]))  # Keras 2 style [name, node, tensor, kwargs]
            return
        for v in obj:
            _history(v, out)


def inbound(lc: dict) -> list[tuple[str, int, int]]:
    """The tensors a functional layer is called on; a layer called twice (shared weights) is refused."""
    nodes = lc.get("inbound_nodes") or []
    if len(nodes) > 1:
        raise ModelImportError(f"layer {_name_of(lc)!r} is called {len(nodes)} times (shared weights); the "
                               "playground gives every layer its own weights, so it cannot show this model.")
    out: list = []
    if nodes:
        _history(nodes[0], out)
        consts = _constants(nodes[0].get("args")) if isinstance(nodes[0], dict) else []
        if consts and constant_operation(lc) is None:
            raise ModelImportError(f"layer {_name_of(lc)!r} ({lc.get('class_name')}) is called with the constant "
                                   f"{consts[0]!r} as an input (like x + 3.0 written in Python); the playground's "
                                   "layers take tensors only, so it cannot show this model.")
    return out


def _constants(args) -> list:
    """Plain numbers passed as layer inputs in a Keras 3 call (tensors are dicts with keras_history)."""
    if isinstance(args, bool) or args is None or isinstance(args, str):
        return []
    if isinstance(args, (int, float)):
        return [args]
    if isinstance(args, (list, tuple)):
        return [c for a in args for c in _constants(a)]
    return []  # a dict: a serialised tensor or object


CONSTANT_OPS = ("Add", "Subtract", "Multiply")


def constant_operation(lc: dict) -> tuple[float, float] | None:
    """(scale, offset) when ``lc`` is Keras' record of ``x + c``, ``c + x``, ``x - c``, ``c - x``, ``x * c`` or
    ``c * x`` with a number c (an operation node: MobileNetV3's hard-swish writes ``x + 3.0`` and
    ``x * (1/6)``), else None. ``Rescaling(scale, offset)`` computes ``x*scale + offset``, which is the same
    float32 result: multiplying by 1 or -1 and adding 0 are exact."""
    if lc.get("class_name") not in CONSTANT_OPS:
        return None
    nodes = lc.get("inbound_nodes")
    if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict) or nodes[0].get("kwargs"):
        return None
    args = nodes[0].get("args")
    if not isinstance(args, (list, tuple)) or len(args) != 2:
        return None
    first = isinstance(args[0], dict)
    tensor, const = (args[0], args[1]) if first else (args[1], args[0])
    if not isinstance(tensor, dict) or isinstance(const, bool) or not isinstance(const, (int, float)):
        return None
    c = float(const)
    if lc["class_name"] == "Add":
        return 1.0, c
    if lc["class_name"] == "Multiply":
        return c, 0.0
    return (1.0, -c) if first else (-1.0, c)


def _ref_list(v) -> list:
    """``input_layers``/``output_layers``: one [name, node, tensor] or a list of them."""
    if isinstance(v, list) and len(v) == 3 and isinstance(v[0], str):
        return [v]
    return list(v or [])


class _Importer:
    def __init__(self, facts: Facts | None):
        self.g = Graph()
        self.facts = facts
        self.paths: dict[str, tuple[str, ...]] = {}  # node id -> Keras layer path (for weights)

    # ------------------------------------------------------------ names
    def node_name(self, prefix: str, name: str) -> str:
        full = prefix + name
        if not NAME_RE.fullmatch(full):  # Keras allows any name; ours are identifiers-with-dots
            full = re.sub(r"[^A-Za-z0-9_.\-]", "_", full)
            if not full or not (full[0].isalpha() or full[0] == "_"):
                full = f"l_{full}"
            full = full[:MAX_NAME]
        return self.g.unique_name(full) if full in {n.name for n in self.g.nodes.values()} else full

    def add(self, kind: str, params: dict, prefix: str, name: str, path: tuple, ins: list[str],
            trainable: bool = True) -> str:
        node = self.g.add_node(kind, params, name=self.node_name(prefix, name))
        node.trainable = bool(trainable)
        self.paths[node.id] = path
        for src in ins:  # the node is new, so no cycle; merge shapes are checked once at the end
            self.g.connect(src, node.id, deferred=True)
        return node.id

    # ------------------------------------------------------------ one model (top level or nested)
    def model(self, config: dict, prefix: str = "", path: tuple = (), outer: list[str] | None = None) -> list[str]:
        cls = config.get("class_name")
        cfg = config.get("config")
        if not isinstance(cfg, dict):
            raise ModelImportError("the model config has no 'config' object.")
        layers = cfg.get("layers")
        if not isinstance(layers, list) or not all(isinstance(lc, dict) for lc in layers):
            raise ModelImportError("the model config's layer list is not a list of objects.")
        if cls == "Sequential":
            return self.sequential(layers, prefix, path, outer)
        return self.functional(cfg, layers, prefix, path, outer)

    def sequential(self, layers: list[dict], prefix: str, path: tuple, outer: list[str] | None) -> list[str]:
        prev: list[str]
        if outer is not None:
            prev = outer
        elif layers and layers[0].get("class_name") == "InputLayer":
            prev = []
        else:
            if self.facts is None:
                raise ModelImportError("the Sequential model has no Input layer and no built input shape.")
            prev = [self.add("input", {"shape": self.facts.input_shape()}, prefix, "input", path + ("input",), [])]
        i = 0
        while i < len(layers):
            lc = layers[i]
            if lc.get("class_name") == "InputLayer" and outer is not None:
                i += 1
                continue
            node_id, used = self.layer(lc, prev, prefix, path, layers[i + 1:i + 3])
            prev = node_id if isinstance(node_id, list) else [node_id]
            i += len(used) + 1
        return prev

    def functional(self, cfg: dict, layers: list[dict], prefix: str, path: tuple,
                   outer: list[str] | None) -> list[str]:
        out_of: dict[str, list[str]] = {}  # Keras layer name -> node ids of its output tensors
        readers: dict[str, list] = {}  # Keras layer name -> the layer configs that read it
        calls = {}
        for lc in layers:
            calls[_name_of(lc)] = inbound(lc)
            for ref in calls[_name_of(lc)]:
                readers.setdefault(ref[0], []).append(lc)
        for ref in _ref_list(cfg.get("output_layers")):
            readers.setdefault(ref[0], []).append(None)

        def sole_reader(name: str):  # the one layer reading ``name``, and reading only it
            r = readers.get(name, [])
            return r[0] if len(r) == 1 and r[0] is not None and [x[0] for x in calls[_name_of(r[0])]] == [name] \
                else None
        input_names = [r[0] for r in _ref_list(cfg.get("input_layers"))]
        skip: set[str] = set()
        for lc in layers:
            name = _name_of(lc)
            if name in skip:
                continue
            if lc.get("class_name") == "InputLayer" and outer is not None:
                k = input_names.index(name) if name in input_names else 0
                if k >= len(outer):
                    raise ModelImportError(f"nested model input {name!r} is not fed.")
                out_of[name] = [outer[k]]
                continue
            ins = [self.resolve(out_of, ref, name) for ref in calls[name]]
            chain = []
            while len(chain) < 2 and (nxt := sole_reader(_name_of(chain[-1]) if chain else name)) is not None:
                chain.append(nxt)
            node_ids, used = self.layer(lc, ins, prefix, path, chain)
            ids = node_ids if isinstance(node_ids, list) else [node_ids]
            out_of[name] = ids
            for lc2 in used:
                skip.add(_name_of(lc2))
                out_of[_name_of(lc2)] = ids
        return [self.resolve(out_of, ref, "the model output") for ref in _ref_list(cfg.get("output_layers"))]

    @staticmethod
    def resolve(out_of: dict, ref: tuple, where: str) -> str:
        name, node_index, tensor = ref[0], ref[1], ref[2]
        if name not in out_of:
            raise ModelImportError(f"layer {where!r} reads {name!r}, which comes later or does not exist.")
        if node_index != 0:
            raise ModelImportError(f"layer {where!r} reads the second call of {name!r} (a shared layer); "
                                   "not supported.")
        ids = out_of[name]
        if tensor >= len(ids):
            raise ModelImportError(f"layer {where!r} reads output {tensor} of {name!r}, which has {len(ids)}.")
        return ids[tensor]

    # ------------------------------------------------------------ one layer
    def layer(self, lc: dict, ins: list[str], prefix: str, path: tuple, chain: list) -> tuple:
        """Add the node(s) for layer config ``lc``; returns (node id or ids, the later layers folded in).

        ``chain`` is up to two layers that each read only the one before (``lc`` first): a pattern
        of ours may fold them into this node.
        """
        cls, cfg = lc.get("class_name"), lc.get("config")
        name = _name_of(lc)
        if not isinstance(cfg, dict):
            raise ModelImportError(f"layer {name!r} has no config object.")
        trainable = cfg.get("trainable", True) is not False
        here = path + (name,)
        if cls in MODEL_CLASSES:
            return self.model(lc, f"{prefix}{name}.", here, ins), []
        if cls == "InputLayer":
            params = self.params("input", cfg, name, strict=True)
            return self.add("input", params, prefix, name, here, []), []
        constant = constant_operation(lc)
        if constant is not None:
            return self.add("rescaling", {"scale": constant[0], "offset": constant[1]}, prefix, name, here, ins), []
        folded = self.fold(lc, ins, prefix, here, chain)
        if folded is not None:
            return folded
        kind = KERAS_CLASS_TO_KEY.get(cls)
        params = self.params(kind, cfg, name) if kind else None
        if params is None:
            return self.opaque(cls, name, prefix, here, ins, trainable), []
        return self.add(kind, params, prefix, name, here, ins, trainable), []

    def params(self, kind: str, cfg: dict, name: str, strict: bool = False) -> dict | None:
        try:
            return get_spec(kind).params_from_keras(cfg)
        except ParamError as exc:
            if strict:
                raise ModelImportError(f"layer {name!r}: {exc}") from None
            return None  # the table cannot show it exactly: keep it opaque

    def opaque(self, cls: str, name: str, prefix: str, here: tuple, ins: list[str], trainable: bool) -> str:
        if self.facts is None:
            raise ModelImportError(f"layer {name!r} ({cls}) is not in the layer table and no model is loaded "
                                   "to describe it.")
        facts = self.facts.opaque(here)
        return self.add("opaque", {"class_name": cls, **facts}, prefix, name, here, ins, trainable)

    def fold(self, lc, ins, prefix, here, chain):
        """Our own multi-layer patterns back into one node, by the table's fold hooks (each the import half
        of an export hook): (node id, layers folded in), or None."""
        params_of = lambda kind, cfg: self.params(kind, cfg, _name_of(lc))  # noqa: E731
        for kind, spec in LAYERS.items():  # read each time: a kind registered later folds too
            found = spec.keras.fold(lc, chain, params_of) if spec.keras.fold is not None else None
            if found is not None:
                name = _name_of(found.carrier)
                trainable = (found.carrier.get("config") or {}).get("trainable", True) is not False
                return self.add(kind, found.params, prefix, name, here[:-1] + (name,), ins, trainable), \
                    chain[:found.used]
        return None


def graph_from_config(config: dict, facts: Facts | None = None) -> Graph:
    """Turn a Keras 3 model config dict into a graph (weights through ``facts`` when given)."""
    if not isinstance(config, dict) or config.get("class_name") not in MODEL_CLASSES:
        what = config.get("class_name") if isinstance(config, dict) else config
        raise ModelImportError(f"the file holds a {what!r:.80}, not a Keras model.")
    imp = _Importer(facts)
    try:
        imp.model(config)
        imp.g.check_structure()  # one shape pass for every merge layer, not one per edge
    except ModelImportError:
        raise
    except PlaygroundError as exc:
        raise ModelImportError(str(exc)) from None
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelImportError(f"the model config cannot be read ({exc!r:.200}).") from None
    except OverflowError:  # a JSON number no float holds (10**400) where the config needs one
        raise ModelImportError("the model config holds a number too large for a 64-bit float (JSON integers have "
                               "no size limit), where a layer needs a number.") from None
    if facts is not None:
        for node in imp.g.nodes.values():
            if LAYERS[node.kind].weighted:
                node.weights = facts.weights(imp.paths[node.id])
    apply_layout(imp.g)
    return imp.g


class ModelFacts:
    """Facts about a loaded Keras model's layers, by path."""

    def __init__(self, model):
        self.model = model
        self._by_name: dict[int, dict] = {}  # id(model) -> its layers by name, first of a name wins (get_layer's rule)

    def layer(self, path: tuple[str, ...]):
        layer = self.model
        for name in path:  # a dict per model: Keras' get_layer rebuilds the layer list on every call
            found = self._by_name.get(id(layer))
            if found is None:
                found = {}
                for sub in layer.layers:
                    found.setdefault(sub.name, sub)
                self._by_name[id(layer)] = found
            if name not in found:
                layer.get_layer(name)  # Keras' own error for a name it lacks
            layer = found[name]
        return layer

    def weights(self, path):
        """``builder.layer_weights`` without its second copy: ``get_weights`` already returns fresh arrays."""
        from .builder import weight_names  # noqa: PLC0415
        layer = self.layer(path)
        return {k: _own_float32(w) for k, w in zip(weight_names(layer), layer.get_weights())}

    def input_shape(self):
        return tuple(int(d) for d in self.model.inputs[0].shape[1:])

    def opaque(self, path):
        from .opaque import describe  # noqa: PLC0415
        return describe(self.layer(path))


def _own_float32(w) -> np.ndarray:
    """``w`` as a float32 array the graph alone holds: ``w`` itself when it is one already (a writeable array
    that owns its memory, as TensorFlow's and JAX's ``get_weights`` return), else a copy."""
    a = np.asarray(w, dtype=np.float32)
    if a is w and (a.base is not None or not a.flags.owndata or not a.flags.writeable):
        a = a.copy()  # a view of memory a backend may still use (a torch tensor's, say)
    return a


def graph_from_model(model) -> Graph:
    """Turn a loaded Keras model into a graph: layers, connections, parameters and weights."""
    from .runtime import get_keras  # noqa: PLC0415
    config = get_keras().saving.serialize_keras_object(model)
    return graph_from_config(config, ModelFacts(model))
