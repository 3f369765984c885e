"""The Keras 2 dialect of a model config, and its translation into what Keras 3 reads.

A model saved by Keras 2 / TensorFlow 2.x (Teachable Machine's ``keras_model.h5``, older course
models) spells a few things the way Keras 3 refuses: ``groups`` on DepthwiseConv2D, ``ragged`` and
``batch_input_shape`` on InputLayer, a list ``axis`` on BatchNormalization, ... Each difference is
one ``Rule`` in ``RULES``: its Keras 2 spelling, its Keras 3 spelling, why, and the few lines that
rewrite a config entry. ``translate`` walks a whole config (nested models included) through the
table and returns the Keras 3 config with a ``Conversion`` report that counts what each rule did.

Pure dict manipulation: no Keras, no file access; nothing in a config is ever run.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .errors import ModelImportError
from .layer_data import MODEL_CLASSES
from .words import short

INPUT_SHAPE_KEYS = ("batch_input_shape", "input_shape", "input_dim", "batch_size")

# The module Keras 3 names for a class entry, by what the entry is (a layer, an initializer, ...).
MODULES = {"layer": "keras.layers", "Sequential": "keras", "Functional": "keras.src.models.functional",
           "initializer": "keras.initializers", "regularizer": "keras.regularizers",
           "constraint": "keras.constraints"}


@dataclass(frozen=True)
class Rule:
    """One difference between the dialects.

    ``scope`` says which entries the rule sees: ``entry`` (a class entry before its config is checked),
    ``layer`` (a layer's class entry, ``classes`` narrows it),
    ``sequential`` (a Sequential's entry, before its layers), ``initializer`` or ``regularizer`` (an object
    in a layer's config), ``walker`` (applied by the walk itself). ``fix(entry)`` rewrites the entry in place
    and returns True when it changed something; it raises ModelImportError for a Keras 2 value that has no
    Keras 3 equivalent. ``note`` words the rule's count for the report (None: too routine to mention).
    ``keras3_refuses`` is the claim, tested against the installed Keras, that Keras 3 fails on the Keras 2
    spelling; rules without it make the spelling canonical (older Keras 3 releases refuse some of them).
    """

    key: str
    keras2: str
    keras3: str
    reason: str
    scope: str
    fix: Callable[[dict], bool]
    classes: tuple[str, ...] = ()
    note: str | None = None
    keras3_refuses: bool = True  # False: Keras 3 reads the Keras 2 spelling but means or warns differently


def _cfg(entry: dict) -> dict:
    cfg = entry.get("config")
    return cfg if isinstance(cfg, dict) else {}


def _name(entry: dict) -> str:
    return str(_cfg(entry).get("name") or entry.get("name") or "?")


def _drop_groups(entry: dict) -> bool:
    cfg = _cfg(entry)
    if "groups" not in cfg:
        return False
    groups = cfg.pop("groups")
    if groups != 1:
        raise ModelImportError(f"layer {_name(entry)!r}: a DepthwiseConv2D with groups={groups!r} has no Keras 3 "
                               "equivalent (Keras 2 only ever wrote groups=1 there).")
    return True


def _drop_ragged(entry: dict) -> bool:
    cfg = _cfg(entry)
    if "ragged" not in cfg:
        return False
    if cfg.pop("ragged"):
        raise ModelImportError(f"input {_name(entry)!r} is ragged (ragged=True); ragged inputs cannot be "
                               "converted to Keras 3.")
    return True


def _batch_shape(entry: dict) -> bool:
    cfg = _cfg(entry)
    if "batch_input_shape" not in cfg:
        return False
    shape = cfg.pop("batch_input_shape")
    cfg.setdefault("batch_shape", shape)
    return True


def _input_entry_from(first: dict) -> dict | None:
    """The InputLayer that Keras 2 made from a Sequential's first layer's input_shape, or None."""
    cfg = _cfg(first)
    for key in ("batch_input_shape", "input_shape"):  # ("TypeError: 'int' object is not iterable": a sweep)
        if key in cfg and not isinstance(cfg[key], list):
            raise ModelImportError(f"layer {_name(first)!r}: {key} must be a list of sizes; the file holds "
                                   f"{short(cfg[key])}.")
    if "batch_input_shape" in cfg:
        shape = list(cfg["batch_input_shape"])
    elif "input_shape" in cfg:
        shape = [cfg.get("batch_size")] + list(cfg["input_shape"])
    elif "input_dim" in cfg:
        shape = [cfg.get("batch_size"), cfg["input_dim"]]
    else:
        return None
    for key in INPUT_SHAPE_KEYS:
        cfg.pop(key, None)
    dtype = cfg.get("dtype") if isinstance(cfg.get("dtype"), str) else "float32"
    # the name Keras 2 gave the input it made from a first layer
    return {"class_name": "InputLayer",
            "config": {"batch_shape": shape, "dtype": dtype, "sparse": False, "name": f"{_name(first)}_input"}}


def _sequential_list(entry: dict) -> bool:
    if not isinstance(entry.get("config"), list):
        return False
    entry["config"] = {"name": "sequential", "layers": entry["config"]}
    return True


def _sequential_input(entry: dict) -> bool:
    layers = _cfg(entry).get("layers")
    if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict):
        return False
    if layers[0].get("class_name") == "InputLayer":
        return False
    made = _input_entry_from(layers[0])
    if made is None:
        return False
    layers.insert(0, made)
    return True


def _drop_input_shape(entry: dict) -> bool:
    cfg = _cfg(entry)
    if entry.get("class_name") == "InputLayer":
        return False
    found = [k for k in INPUT_SHAPE_KEYS if k in cfg]
    for key in found:
        del cfg[key]
    return bool(found)


def _bn_axis(entry: dict) -> bool:
    cfg = _cfg(entry)
    axis = cfg.get("axis")
    if not isinstance(axis, list):
        return False
    if len(axis) != 1 or not isinstance(axis[0], int):
        raise ModelImportError(f"layer {_name(entry)!r}: BatchNormalization over several axes {axis!r} has no "
                               "Keras 3 equivalent (Keras 3 takes one axis).")
    cfg["axis"] = axis[0]
    return True


def _model_class(entry: dict) -> bool:
    if entry.get("class_name") != "Model":
        return False
    entry["class_name"] = "Functional"
    return True


def _single_io(entry: dict) -> bool:
    cfg = _cfg(entry)
    changed = False
    for key in ("input_layers", "output_layers"):
        refs = cfg.get(key)
        if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list):
            cfg[key] = refs[0]
            changed = True
    return changed


def _leaky_alpha(entry: dict) -> bool:
    cfg = _cfg(entry)
    if "alpha" not in cfg:
        return False
    alpha = cfg.pop("alpha")
    cfg.setdefault("negative_slope", alpha)
    return True


def _init_dtype(entry: dict) -> bool:
    cfg = _cfg(entry)
    if "dtype" not in cfg:
        return False
    del cfg["dtype"]
    return True


def _dtype_policy(entry: dict) -> bool:
    cfg = _cfg(entry)
    policy = cfg.get("dtype")
    if not (isinstance(policy, dict) and policy.get("class_name") == "Policy"):
        return False
    name = _cfg(policy).get("name")
    if not isinstance(name, str):
        raise ModelImportError(f"layer {_name(entry)!r}: its dtype policy has no name ({policy!r}).")
    cfg["dtype"] = name
    return True


RULES: tuple[Rule, ...] = (
    Rule("depthwise_groups", "DepthwiseConv2D(groups=1)", "DepthwiseConv2D() (no groups)",
         "Keras 2 inherited `groups` from Conv2D and wrote it; Keras 3's DepthwiseConv2D refuses the keyword.",
         "layer", _drop_groups, ("DepthwiseConv2D",), "`groups` dropped from {n} DepthwiseConv2D layer{s}"),
    Rule("input_ragged", "InputLayer(ragged=False)", "InputLayer() (no ragged)",
         "Older Keras 3 releases refuse `ragged`; False is the default, True cannot be converted.",
         "layer", _drop_ragged, ("InputLayer",), "`ragged` dropped from {n} InputLayer{s}", False),
    Rule("input_batch_shape", "InputLayer(batch_input_shape=...)", "InputLayer(batch_shape=...)",
         "Keras 3 renamed the argument; its config reader only keeps the old name as an undocumented alias.",
         "layer", _batch_shape, ("InputLayer",), "`batch_input_shape` renamed `batch_shape` on {n} InputLayer{s}",
         False),
    Rule("sequential_list", '{"class_name": "Sequential", "config": [layers]}',
         '{"class_name": "Sequential", "config": {"name": ..., "layers": [layers]}}',
         "Keras 2.0 and 2.1 saved a Sequential's config as a bare list of layers; from 2.2 on it is an object.",
         "entry", _sequential_list, ("Sequential",), "a Sequential saved as a bare layer list read in {n} model{s}"),
    Rule("sequential_input", "Sequential([Dense(..., batch_input_shape=...)])",
         "Sequential([InputLayer(batch_shape=...), Dense(...)])",
         "Keras 2 let a Sequential's first layer carry the input shape; Keras 3 starts the model with an InputLayer.",
         "sequential", _sequential_input, (), "an InputLayer made from the first layer's input shape in {n} "
         "Sequential model{s}"),
    Rule("layer_input_shape", "Dense(..., input_shape=...)", "Dense(...)",
         "Keras 2 ignored `input_shape` on a layer that is not first; Keras 3 warns about it.",
         "layer", _drop_input_shape, (), "`input_shape` dropped from {n} layer{s}"),
    Rule("batchnorm_axis", "BatchNormalization(axis=[3])", "BatchNormalization(axis=3)",
         "Keras 2 saved the axis as a list once built; Keras 3 takes one integer and fails on a list.",
         "layer", _bn_axis, ("BatchNormalization",), "list `axis` made an integer on {n} BatchNormalization "
         "layer{s}"),
    Rule("model_class", '"class_name": "Model"', '"class_name": "Functional"',
         "Keras 2.0-2.3 called a functional model Model; Keras 3's config reader knows it as Functional.",
         "layer", _model_class, ("Model",), "{n} functional model{s} saved as `Model` read as Functional", False),
    Rule("functional_single_io", 'Functional(input_layers=[["input_1", 0, 0]])',
         'Functional(input_layers=["input_1", 0, 0])',
         "Keras 2 wrote one input or output as a list of one; Keras 3 then returns a list, and a model that uses "
         "this one as a layer gets [tensor] instead of a tensor.",
         "layer", _single_io, ("Functional", "Model"), None, False),
    Rule("leaky_alpha", "LeakyReLU(alpha=0.3)", "LeakyReLU(negative_slope=0.3)",
         "Keras 3 renamed the slope; `alpha` is only kept with a deprecation warning.",
         "layer", _leaky_alpha, ("LeakyReLU",), "`alpha` renamed `negative_slope` on {n} LeakyReLU layer{s}", False),
    Rule("dtype_policy", 'dtype={"class_name": "Policy", ...}', 'dtype="float32"',
         "Keras 2's mixed-precision Policy class does not exist in Keras 3; its name is the dtype.",
         "layer", _dtype_policy, (), "Keras 2 dtype Policy replaced by its name on {n} layer{s}"),
    Rule("initializer_dtype", 'GlorotUniform(seed=None, dtype="float32")', "GlorotUniform(seed=None)",
         "TensorFlow 1.x-era Keras wrote a dtype into initializers; Keras 3 initializers refuse it.",
         "initializer", _init_dtype, (), "`dtype` dropped from {n} initializer{s}"),
    Rule("module", '{"class_name": "Dense", "config": ...}', '{"module": "keras.layers", "class_name": "Dense", ...}',
         "Keras 3's safe deserialiser finds a built-in class by its module; Keras 2 wrote the bare class name.",
         "walker", lambda entry: False, ()),  # applied by the walker, which knows what each entry is
)
RULES_BY_KEY = {r.key: r for r in RULES}

# Weight variables that Keras 3 names differently: (layer class, Keras 3 name) -> (Keras 2 name, reason).
WEIGHT_NAMES = {
    ("DepthwiseConv2D", "kernel"): ("depthwise_kernel",
                                    "Keras 3's DepthwiseConv2D calls its kernel `kernel`; Keras 2 wrote "
                                    "`depthwise_kernel:0`."),
}


def keras2_weight_names(layer_class: str, name: str) -> tuple[str, ...]:
    """The names a Keras 3 weight variable may have in a Keras 2 file, most likely first."""
    old = WEIGHT_NAMES.get((layer_class, name))
    return (old[0], name) if old else (name,)


@dataclass
class Conversion:
    """What translating one Keras 2 config did: the version it came from and a count per rule."""

    keras_version: str
    layers: int = 0
    models: int = 0
    counts: Counter = field(default_factory=Counter)

    def message(self) -> str:
        """One line for a status bar and ``playground summary``."""
        parts = []
        for rule in RULES:
            n = self.counts.get(rule.key, 0)
            if n and rule.note:
                parts.append(rule.note.format(n=n, s="" if n == 1 else "s"))
        inner = self.models - 1
        nested = f" in {inner} nested model{'' if inner == 1 else 's'}" if inner > 0 else ""
        head = f"Keras 2 file ({self.keras_version}) converted: {self.layers} layers{nested}"
        return head + ("; " + "; ".join(parts) if parts else "; nothing needed changing")

    def to_dict(self) -> dict:
        return {"keras_version": self.keras_version, "layers": self.layers, "models": self.models,
                "changes": {k: v for k, v in sorted(self.counts.items())}, "message": self.message()}


def keras_major(version) -> int | None:
    """The major version of a ``keras_version`` attribute (str or bytes), or None if it has none."""
    if isinstance(version, bytes):
        version = version.decode("utf-8", "replace")
    if not isinstance(version, str):
        return None
    head = version.strip().split(".")[0]
    return int(head) if head.isascii() and head.isdigit() and len(head) <= 6 else None  # not '²', not 5,000 digits


def is_keras2(config: dict, keras_version=None) -> bool:
    """Whether a model config is in the Keras 2 dialect: by its version attribute, else by its shape."""
    major = keras_major(keras_version if keras_version is not None else config.get("keras_version"))
    if major is not None:
        return major < 3
    # No version: Keras 3 never writes a batch_input_shape, a DepthwiseConv2D's groups or a list batch-norm axis.
    found = []

    def walk(obj):
        if isinstance(obj, dict):
            cls, cfg = obj.get("class_name"), _cfg(obj)
            if "batch_input_shape" in cfg or (cls == "DepthwiseConv2D" and "groups" in cfg) or \
                    (cls == "BatchNormalization" and isinstance(cfg.get("axis"), list)):
                found.append(True)
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(config)
    return bool(found)


def _apply(scope: str, entry: dict, conv: Conversion) -> None:
    cls = entry.get("class_name")
    if not isinstance(cls, str):  # (a list here was a TypeError traceback from the rules' class sets)
        raise ModelImportError(f"a class_name in the model config must be text; received {str(cls)[:80]}.")
    for rule in RULES:
        if rule.scope == scope and (not rule.classes or cls in rule.classes) and rule.fix(entry):
            conv.counts[rule.key] += 1


def _object(entry: dict, role: str, conv: Conversion) -> None:
    """An initializer, regularizer or constraint entry inside a layer config."""
    if role in ("initializer", "regularizer"):
        _apply(role, entry, conv)
    if "module" not in entry:
        entry["module"] = MODULES[role]
        conv.counts["module"] += 1


def _layer(entry: dict, conv: Conversion) -> None:
    if isinstance(entry, dict):
        _apply("entry", entry, conv)
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ModelImportError(f"a layer entry in the model config is not a class entry: {str(entry)[:80]}.")
    _apply("layer", entry, conv)
    cls = entry["class_name"]
    cfg = entry["config"]
    for key, value in cfg.items():
        if isinstance(value, dict) and "class_name" in value and key != "dtype":
            role = key.rsplit("_", 1)[-1]
            if role in ("initializer", "regularizer", "constraint"):
                _object(value, role, conv)
    if cls in ("Sequential", "Functional"):
        conv.models += 1  # the outermost model included; ``message`` counts the nested ones
        if cls == "Sequential":
            _apply("sequential", entry, conv)
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            raise ModelImportError(f"model {_name(entry)!r}: its layer list is not a list.")
        for sub in layers:
            _layer(sub, conv)
    elif cls != "InputLayer":
        conv.layers += 1
    if "module" not in entry:
        entry["module"] = MODULES.get(cls, MODULES["layer"])
        conv.counts["module"] += 1


def translate(config: dict, keras_version: str | None = None) -> tuple[dict, Conversion]:
    """The Keras 3 spelling of a Keras 2 model config, and what was changed. The input is not modified."""
    if not isinstance(config, dict) or config.get("class_name") not in MODEL_CLASSES:
        got = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        raise ModelImportError(f"the file holds a {got!r}, not a Keras model.")
    version = keras_version or config.get("keras_version") or "unknown version"
    if isinstance(version, bytes):
        version = version.decode("utf-8", "replace")
    version = "".join(ch for ch in str(version) if ch.isprintable())[:40]  # it is shown in a terminal and the app
    if keras_major(version) == 1:
        raise ModelImportError(f"the file was saved by Keras {version}; Keras 1 files are not converted (only "
                               "Keras 2 files are). Load it in Keras 2 and save it again there.")
    out = copy.deepcopy(config)
    for key in ("keras_version", "backend"):
        out.pop(key, None)
    conv = Conversion(str(version))
    _layer(out, conv)
    return out, conv
