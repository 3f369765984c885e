"""Open Keras 3 ``.h5`` files that plain Keras 3 cannot load, by rewriting their config as data.

Keras writes two kinds of ``keras.applications`` model to ``.h5`` that its own legacy loader then refuses:

- **helper layers** defined inside ``keras.applications`` and not exported (ConvNeXt's ``LayerScale``,
  InceptionResNetV2's ``CustomScaleLayer``): the ``.h5`` config names the class but not its module, so Keras
  finds no class. We name the module (from ``HELPER_LAYERS``, the keras package only) and Keras builds the class
  it defined itself.
- **arithmetic with a number** (MobileNetV3's ``x + 3.0``, ``x * (1/6)``): the legacy loader passes the number
  as a positional argument and fails. We write each such operation as the built-in ``Rescaling`` that computes
  the same float32 values (``importer.constant_operation``); and ``x + y`` of two tensors (ConvNeXt) as the
  ``Add`` layer on the list ``[x, y]``, since the legacy loader builds that layer and calls it with two arguments.

Nothing in the file runs: Keras builds the rewritten config with ``safe_mode=True``, and each weight is read
through the HDF5 gate (core/hdf5.py) under its layer's name and assigned in the order Keras wrote them (``assign_by_layer``).
"""

from __future__ import annotations

import copy
from contextlib import nullcontext
from pathlib import Path

from ..core.errors import ModelImportError
from ..core.layer_data import MODEL_CLASSES
from ..core.words import count
from .importer import constant_operation
from .runtime import get_keras

# class name -> the keras module that defines it (and nothing else is imported)
HELPER_LAYERS = {"LayerScale": "keras.src.applications.convnext",
                 "CustomScaleLayer": "keras.src.applications.inception_resnet_v2"}


def _layer_lists(config: dict):
    """Every layer list in the config, nested models' included, walked without recursion."""
    stack = [config]
    while stack:
        cfg = stack.pop().get("config")
        layers = cfg.get("layers") if isinstance(cfg, dict) else None
        if isinstance(layers, list):
            yield layers
            stack.extend(lc for lc in layers if isinstance(lc, dict) and lc.get("class_name") in MODEL_CLASSES)


def rewrite(config: dict) -> tuple[dict, str] | None:
    """(rewritten config, what was done in one line) for a Keras 3 .h5 config that needs it, else None."""
    if not any(_needs(lc) for layers in _layer_lists(config) for lc in layers if isinstance(lc, dict)):
        return None
    new = copy.deepcopy(config)
    helpers: dict[str, int] = {}
    constants = merges = 0
    for layers in _layer_lists(new):
        for i, lc in enumerate(layers):
            if not isinstance(lc, dict):
                continue
            cls = lc.get("class_name")
            if not isinstance(cls, str):
                continue
            if cls in HELPER_LAYERS and not lc.get("module"):
                lc["module"], lc["registered_name"] = HELPER_LAYERS[cls], cls
                helpers[cls] = helpers.get(cls, 0) + 1
                continue
            op = constant_operation(lc)
            if op is not None:
                args = lc["inbound_nodes"][0]["args"]
                tensor = args[0] if isinstance(args[0], dict) else args[1]
                layers[i] = {"class_name": "Rescaling", "name": lc.get("name"),
                             "config": {"name": (lc.get("config") or {}).get("name", lc.get("name")),
                                        "scale": op[0], "offset": op[1]},
                             "inbound_nodes": [{"args": [tensor], "kwargs": {}}]}
                constants += 1
                continue
            if _tensor_op(lc):
                lc["inbound_nodes"] = [{"args": [list(lc["inbound_nodes"][0]["args"])], "kwargs": {}}]
                merges += 1
    parts = [f"{n} {cls} layer{'s' if n > 1 else ''} built from {HELPER_LAYERS[cls].replace('.src', '')}"
             for cls, n in sorted(helpers.items())]
    if constants:
        parts.append(f"{constants} operation{'s' if constants > 1 else ''} with a number (x + 3.0, x * c) "
                     "read as Rescaling")
    if merges:
        parts.append(f"{merges} operation{'s' if merges > 1 else ''} on two tensors (x + y) read as the merge "
                     "layer that computes the same")
    return new, "Opened beyond plain Keras (its .h5 loader refuses this file): " + "; ".join(parts) + "."


def _tensor_op(lc: dict) -> bool:
    """Keras' record of ``x + y`` (an operation, not the Add layer): two tensors as two arguments. The .h5
    config does not say which, and the legacy loader builds the Add layer, which takes one list."""
    if lc.get("class_name") not in ("Add", "Subtract", "Multiply") or lc.get("module"):
        return False
    nodes = lc.get("inbound_nodes")
    args = nodes[0].get("args") if isinstance(nodes, list) and len(nodes) == 1 and isinstance(nodes[0], dict) \
        else None
    return isinstance(args, list) and len(args) == 2 and all(isinstance(a, dict) for a in args) and \
        not nodes[0].get("kwargs")


def _needs(lc: dict) -> bool:
    if not isinstance(lc.get("class_name"), str):  # said by the config's checks, after (a list: "unhashable type")
        return False
    return (lc.get("class_name") in HELPER_LAYERS and not lc.get("module")) or \
        constant_operation(lc) is not None or _tensor_op(lc)


def load_rewritten(path: Path, config: dict, h5=None):
    """Build the rewritten ``config`` with safe_mode (once, its Keras parameter count through the memory check
    before the weights are allocated) and assign the file's weights by layer name (from ``h5``, the gate's
    open handle, when given)."""
    from .prechecks import build_within_memory  # noqa: PLC0415
    keras = get_keras()
    full = {**copy.deepcopy(config), "module": "keras.src.models.functional"
            if config.get("class_name") == "Functional" else "keras", "registered_name": None}

    def build():
        return keras.saving.deserialize_keras_object(copy.deepcopy(full), safe_mode=True)
    try:
        model = build_within_memory(build, path.name)[0]
        model = build() if model is None else model  # the count has passed the check, or Keras says why
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not build {path.name}: {first[:300]}") from None
    assign_by_layer(model, path, h5)
    return model


def assign_by_layer(model, path: Path, h5=None) -> None:
    """Assign each layer's weights from the .h5 in the order Keras wrote them (trainable, then the rest).

    By layer, not by variable name: a variable created without a name (LayerScale's) is saved as ``variable``
    and comes back as ``variable_18`` or whatever Keras' global counter says. A count or shape that does not
    match, or a weight left over, is an error.
    """
    from ..core.hdf5 import open_h5, read_dataset  # noqa: PLC0415 - the one gate every .h5 passes
    from .keras2 import _leaves, _weight_index  # noqa: PLC0415
    with open_h5(path, ModelImportError) if h5 is None else nullcontext(h5) as f:
        group = f["model_weights"] if "model_weights" in f else f
        by_layer: dict[tuple[str, str], list[str]] = {}
        for top, parts, p in _weight_index(group, path.name, model):
            by_layer.setdefault((top, parts[-2] if len(parts) >= 2 else top), []).append(p)
        used: set[str] = set()
        for top_layer in model.layers:
            for top, leaf in _leaves(top_layer, top_layer.name):
                variables = list(leaf.trainable_weights) + list(leaf.non_trainable_weights)
                if not variables:
                    continue
                paths = by_layer.get((top, leaf.name), [])
                if len(paths) != len(variables):
                    raise ModelImportError(f"{path.name}: layer {leaf.name!r} has {count(len(variables), 'weight')}, "
                                           f"the file {len(paths)}.")
                for var, p in zip(variables, paths):  # shape checked from the header before the data is read
                    data = read_dataset(group, p, path.name, ModelImportError, expect=tuple(var.shape),
                                        whose=f"layer {leaf.name!r}")
                    var.assign(data.astype(var.dtype))
                    used.add(p)
        left = [p for ps in by_layer.values() for p in ps if p not in used]
        if left:
            belong = "belongs" if len(left) == 1 else "belong"
            raise ModelImportError(f"{path.name}: {count(len(left), 'weight')} in the file {belong} to no layer "
                                   f"(first: {left[0]!r}).")


def rewrite_file(path: Path, config: dict) -> tuple[dict, str] | None:
    """``rewrite(config)`` for a Keras 3 ``.h5`` file; None for a ``.keras`` file (plain Keras loads those)."""
    return rewrite(config) if Path(path).suffix.lower() in (".h5", ".hdf5") else None


def rescue_note(path: str | Path) -> str | None:
    """The status-bar line for a file opened beyond plain Keras; None for any other. Reads the config only."""
    if Path(path).suffix.lower() not in (".h5", ".hdf5"):
        return None  # without reading the config again
    from .model_files import read_model_config  # noqa: PLC0415
    rescued = rewrite_file(Path(path), read_model_config(Path(path)))
    return rescued[1] if rescued else None
