"""The one declarative layer table.

The palette, the inspector form, shape inference, the Keras builder, the `.py` exporter, the importer
and the file format all read ``LAYERS``. Adding a layer kind is one ``LayerSpec`` entry plus its tests:
its ``KerasAdapter`` says how it crosses the Keras boundary (class name, argument renames, special-case
hooks). The adapter is data plus small pure functions; the Keras calls themselves stay in ``backend/``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import layer_data
from . import shapes as S
from .errors import ParamError
from .numbers import finite_number
from .words import count
from .words import short as _short  # one cut for every value a message names

ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "softplus", "swish",
               "relu6", "hard_sigmoid", "hard_silu", "leaky_relu", "mish", "softsign", "exponential",
               "log_softmax")
ACTIVATION_ALIASES = {"silu": "swish", "hard_swish": "hard_silu", None: "linear"}  # Keras' other names for the same
# function; None is Keras' "no activation"
NEURON_ACTIVATIONS = ("step", "sigmoid", "linear")
MAX_TEXT = 4096  # a text value (a dataset path, a class name) is one line of at most this many characters
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")



CATEGORIES = ("input", "core", "convolution", "pooling", "regularisation", "augmentation", "merge", "logic")

@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer: its type, default, valid range and a one-line help.

    ``kind`` is one of ``int``, ``float``, ``choice``, ``bool``, ``shape`` (tuple of positive ints),
    ``padding`` (``"valid"``, ``"same"`` or an int p >= 0), ``optional_int`` (None means "default"),
    ``optional_float``, ``text`` and ``config`` (any JSON value; not editable). The training and logic-lab
    settings are values of the same kinds (``core/settings.py``: ``Setting`` is this class).

    ``pair`` widens an ``int``/``optional_int``: ``"hw"`` also takes (height, width) for a window that
    is not square (canonical: a plain int when both are equal); ``"sides"`` also takes (rows, columns)
    or ((top, bottom), (left, right)) for padding and cropping (canonical: an int when all are equal);
    ``"axes"`` also takes several distinct axes, as Keras' ``axis=(-2, -1)`` (canonical: an int for one).
    A square value stays a plain int, so a spin box still shows the common case.
    """

    name: str
    kind: str
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    min_exclusive: bool = False
    max_exclusive: bool = False
    label: str = ""
    editable: bool = True  # False: shown, not edited (an opaque layer's Keras config)
    pair: str = ""  # "hw", "sides" or "axes": see above
    aliases: tuple = ()  # (other spelling, canonical value) pairs a choice also takes: (None, "linear")
    optional: bool = False  # None is a value ("none": the default, a new seed each run); optional_* kinds imply it
    saved: bool = True  # a setting that belongs to one run, not the project (the TensorBoard folder), is not saved
    check: Callable[[Any, str], Any] | None = None  # a further rule for a "config" value (core.layer_data)

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def range_text(self) -> str:
        if self.max is None:
            return f"{'>' if self.min_exclusive else '>='} {self.min:g}"
        lo = "(" if self.min_exclusive else "["
        hi = ")" if self.max_exclusive else "]"
        return f"{lo}{self.min:g}, {self.max:g}{hi}"

    def validate(self, value: Any, where: str = "") -> Any:
        """``value`` in canonical form, or ParamError naming the field (``where.name``) and the value.

        The one validator: layer parameters and training/logic settings (``core/settings.py``) both use
        it, so a rule (finite numbers, whole numbers, text without control characters) is stated once.
        """
        path = f"{where}.{self.name}" if where else self.name
        if value is None and (self.optional or self.kind in ("optional_int", "optional_float")):
            return None
        if self.pair and self.kind in ("int", "optional_int") and isinstance(value, (list, tuple)):
            return {"hw": self._size, "sides": self._pad2d, "axes": self._axes}[self.pair](value)
        if value is None and self.kind not in ("config", "choice"):
            self._bad(path, value, "must be set (it cannot be null)")
        return getattr(self, "_" + self.kind.replace("optional_", ""))(value, path)

    def _bad(self, path: str, value: Any, rule: str):
        raise ParamError(f"`{path}` {rule}. Received {path}={_short(value)}.", self.name)

    def _int(self, value, path):
        if isinstance(value, bool) or not isinstance(value, int):
            self._bad(path, value, "must be a whole number")
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            self._bad(path, value, f"must be a whole number from {self.min:,.0f} to {self.max:,.0f}"
                      if self.max is not None else f"must be a whole number >= {self.min:,.0f}")
        return value

    def _float(self, value, path):
        if not finite_number(value):
            exact = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 1.7976931348623157e308
            self._bad(path, value, "must be a number a 64-bit float holds exactly" if exact else
                      "must be a finite number")
        value = float(value)
        too_low = self.min is not None and (value <= self.min if self.min_exclusive else value < self.min)
        too_high = self.max is not None and (value >= self.max if self.max_exclusive else value > self.max)
        if too_low or too_high:
            self._bad(path, value, f"must be {'in ' if self.max is not None else ''}{self.range_text()}")
        return value

    def _choice(self, value, path):
        value = next((canon for other, canon in self.aliases if other == value), value)
        if value not in self.choices:
            self._bad(path, value, f"must be one of {', '.join(map(repr, self.choices))}")
        return value

    def _bool(self, value, path):
        if not isinstance(value, bool):
            self._bad(path, value, "must be true or false")
        return value

    def _text(self, value, path):
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT or _CONTROL.search(value):
            self._bad(path, value, f"must be a non-empty text of at most {MAX_TEXT:,} characters, without control "
                      "characters")
        return value

    def _config(self, value, path):
        try:
            value = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError, RecursionError):
            self._bad(path, value, "must be plain JSON data")
        return value if self.check is None else self.check(value, self.name)

    def _shape(self, value, path):
        if not isinstance(value, (list, tuple)) or not value:
            self._bad(path, value, "must be a list of 1 to 3 positive sizes, like [28, 28, 1]")
        allow_minus_one = self.min == -1
        for d in value:
            ok = isinstance(d, int) and not isinstance(d, bool) and (d >= 1 or (allow_minus_one and d == -1))
            if not ok or (isinstance(d, int) and d > (self.max or 1_000_000)):
                self._bad(path, value, f"sizes must be whole numbers from 1 to {int(self.max or 1_000_000):,}"
                          f"{' (or one -1)' if allow_minus_one else ''}")
        if len(value) > 3:
            self._bad(path, value, "may have at most 3 dimensions (height, width, channels)")
        return tuple(value)

    def _padding(self, value, path):
        if value in ("valid", "same"):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= (self.max or 64):
            return value
        self._bad(path, value, f"must be 'valid', 'same' or a whole number of pixels from 0 to {int(self.max or 64)}")

    def _whole(self, d, lo: int) -> bool:
        return isinstance(d, int) and not isinstance(d, bool) and lo <= d <= (self.max or 1_000_000)

    def _size(self, value):
        n = self.name
        lo = int(self.min if self.min is not None else 1)
        if self._whole(value, lo):
            return value
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(self._whole(d, lo) for d in value):
            return value[0] if value[0] == value[1] else (value[0], value[1])
        raise ParamError(f"`{n}` must be a whole number from {lo} to {int(self.max or 1_000_000):,} or a pair "
                         f"(height, width) of them. Received {n}={value!r}.", n)

    def _axes(self, value):
        n = self.name
        lo, hi = int(self.min), int(self.max)
        ok = (bool(value) and all(isinstance(a, int) and not isinstance(a, bool) and lo <= a <= hi for a in value)
              and len(set(value)) == len(value))
        if not ok:
            raise ParamError(f"`{n}` must be an axis from {lo} to {hi}, or several different ones like (-2, -1). "
                             f"Received {n}={value!r}.", n)
        return value[0] if len(value) == 1 else tuple(value)

    def _pad2d(self, value):
        n = self.name
        if self._whole(value, 0):
            return value
        sides = None
        if isinstance(value, (list, tuple)) and len(value) == 2:
            if all(self._whole(d, 0) for d in value):
                sides = ((value[0], value[0]), (value[1], value[1]))
            elif all(isinstance(d, (list, tuple)) and len(d) == 2 and all(self._whole(x, 0) for x in d)
                     for d in value):
                sides = ((value[0][0], value[0][1]), (value[1][0], value[1][1]))
        if sides is None:
            raise ParamError(f"`{n}` must be a whole number from 0 to {int(self.max or 64)} for every side, or "
                             f"((top, bottom), (left, right)). Received {n}={value!r}.", n)
        flat = {sides[0][0], sides[0][1], sides[1][0], sides[1][1]}
        return sides[0][0] if len(flat) == 1 else sides


@dataclass(frozen=True)
class KerasCall:
    """One Keras layer a node becomes: ``cls(**kwargs)``, named ``node.name + suffix``.

    The call with an empty suffix carries the node's name and weights; the last call's output is the
    node's output. ``config`` (opaque layers) is a serialised Keras layer the backend deserialises.
    """

    cls: str
    kwargs: dict
    suffix: str = ""
    config: dict | None = None


@dataclass(frozen=True)
class KerasAdapter:
    """How one layer kind crosses the Keras boundary; data and small pure functions, no Keras.

    By default every parameter maps one to one to the Keras argument of the same name (``renames``
    says where it does not) and every Keras argument the table has no parameter for is left at its
    default, except those in ``assumes``: a file whose layer sets them otherwise cannot be shown
    exactly by this kind, and is imported as an opaque layer instead. ``export`` and ``import_``
    are the special cases' hooks: ``export(params, kwargs) -> [KerasCall]`` and
    ``import_(keras_config, params) -> params``.
    """

    cls: str
    aliases: tuple[str, ...] = ()
    renames: Mapping[str, str] = field(default_factory=dict)
    assumes: Mapping[str, Any] = field(default_factory=dict)
    export: Callable[[dict, dict], list[KerasCall]] | None = None
    import_: Callable[[dict, dict], dict] | None = None
    importable: bool = True  # False where another kind owns the class (a Neuron is a Dense in Keras)
    # the import half of ``export``: fold(first_config, chain, params_of) -> Fold or None, where ``first_config``
    # is a layer's Keras config entry, ``chain`` the (up to two) entries after it that read only the one before,
    # and params_of(kind, keras_config) this table's parameters for a config (None when it cannot show it)
    fold: Callable[[dict, list, Callable], "Fold | None"] | None = None


@dataclass(frozen=True)
class LayerSpec:
    """Everything the app knows about one layer kind."""

    key: str
    title: str
    category: str
    help: str
    keras: KerasAdapter
    params: tuple[ParamSpec, ...]
    shape_rule: Callable
    count_rule: Callable = S.count_none
    min_inputs: int = 1
    max_inputs: int | None = 1
    summary: Callable[[dict], str] = lambda p: ""
    check_weights: Callable | None = None
    rule_text: str = ""
    glyph: str = ""
    in_palette: bool = True
    extra: dict = field(default_factory=dict)
    hand_set: bool = False  # its weights are typed by the user (a logic Neuron), not learned: the Logic lab's kind
    opaque: bool = False  # a Keras layer kept as Keras saved it: shape and counts come from Keras, not a rule

    @property
    def source(self) -> bool:
        """Where data enters the network (it takes no inputs)."""
        return self.max_inputs == 0

    @property
    def learned(self) -> bool:
        """Whether its weights come from training (a weighted kind whose weights are not typed by hand)."""
        return self.weighted and not self.hand_set

    @property
    def keras_class(self) -> str:
        return self.keras.cls

    @property
    def weighted(self) -> bool:
        """Whether layers of this kind can hold weights (and so carry them through files)."""
        return self.count_rule is not S.count_none

    @property
    def merge(self) -> bool:
        """Whether the layer joins several inputs (its Keras call takes a list)."""
        return self.min_inputs >= 2

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def validate_params(self, params: dict) -> dict:
        """Fill defaults for missing keys and validate every value; unknown keys are an error."""
        if not isinstance(params, dict):
            raise ParamError(f"{self.title} parameters must be a mapping. Received {params!r}.")
        known = {p.name for p in self.params}
        for name in params:
            if name not in known:
                raise ParamError(f"{self.title} has no parameter `{name}`; it has "
                                 f"{', '.join(sorted(known)) or 'none'}.", str(name))
        return {p.name: p.validate(params.get(p.name, p.default)) for p in self.params}

    # ------------------------------------------------------------ the Keras boundary (pure)
    def keras_calls(self, params: dict) -> list[KerasCall]:
        """The Keras layers that realise a node of this kind with ``params``."""
        a = self.keras
        kwargs = {a.renames.get(k, k): v for k, v in params.items() if k not in REGULARIZER_PARAMS}
        if any(k in params for k in REGULARIZER_PARAMS):
            kwargs["kernel_regularizer"] = _regularizer_config(params.get("kernel_l1"), params.get("kernel_l2"))
        if a.export is not None:
            return a.export(params, kwargs)
        return [KerasCall(a.cls, kwargs)]

    def params_from_keras(self, config: dict) -> dict:
        """This kind's parameters from a Keras layer config; ParamError when the table cannot show it."""
        a = self.keras
        for key, want in {**GLOBAL_ASSUMES, **a.assumes}.items():
            if key not in config or (key in GLOBAL_ASSUMES and config[key] is None):
                continue
            if _plain(config[key]) != _plain(want):
                raise ParamError(f"{a.cls} with {key}={config[key]!r} is not in the layer table "
                                 f"(it has {key}={want!r}).", key)
        if _quantized(config.get("dtype")):
            raise ParamError(f"{a.cls} with a quantized dtype ({config['dtype']!r:.80}) is not in the layer "
                             "table (its weights are stored in another form).", "dtype")
        params = {}
        for p in self.params:
            key = a.renames.get(p.name, p.name)
            if key in config:
                params[p.name] = _from_keras_value(p, config[key])
        names = {p.name for p in self.params}
        if config.get("kernel_regularizer") is not None:
            if not REGULARIZER_PARAMS <= names:
                raise ParamError(f"{a.cls} with a kernel_regularizer is not in the layer table.", "kernel_regularizer")
            params.update(_regularizer_params(config["kernel_regularizer"], a.cls))
        if a.import_ is not None:
            params = a.import_(config, params)
        return self.validate_params(params)


GLOBAL_ASSUMES = {"data_format": "channels_last",  # None (Keras' default) is channels_last too
                  "lora_rank": None}  # LoRA adds two low-rank weights the table's counts do not have


def _quantized(dtype) -> bool:
    """Whether a Keras dtype (a name or a serialised DTypePolicy) is a quantized policy (int8, float8...)."""
    if isinstance(dtype, dict):
        return "Quantized" in str(dtype.get("class_name", "")) or _quantized((dtype.get("config") or {}).get("name"))
    return isinstance(dtype, str) and "_from_" in dtype


def _plain(v):
    """Lists and tuples compare equal, as they do after a JSON round trip."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


REGULARIZER_PARAMS = frozenset({"kernel_l1", "kernel_l2"})
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
                "orthogonal", "zeros", "ones")


def _regularizer_config(l1, l2) -> dict | None:
    """Keras' serialised regularizer for the table's two penalties (None: no regularizer)."""
    if not l1 and not l2:
        return None
    if not l1:
        return {"class_name": "L2", "config": {"l2": l2}}
    if not l2:
        return {"class_name": "L1", "config": {"l1": l1}}
    return {"class_name": "L1L2", "config": {"l1": l1, "l2": l2}}


def _regularizer_params(v, cls: str) -> dict:
    """kernel_l1 / kernel_l2 from a Keras regularizer (a name or a serialised L1, L2, L1L2)."""
    if isinstance(v, str):
        v = {"class_name": v.upper().replace("_", ""), "config": {}}
    name = v.get("class_name") if isinstance(v, dict) else None
    cfg = (v.get("config") or {}) if isinstance(v, dict) else {}
    if name not in ("L1", "L2", "L1L2") or not isinstance(cfg, dict):
        raise ParamError(f"{cls} with the regularizer {v!r:.80} is not in the layer table (it has L1 and L2).",
                         "kernel_regularizer")
    out = {}
    for key in ("l1", "l2"):  # Keras' defaults: L1(0.01), L2(0.01), L1L2(0.0, 0.0)
        if name == "L1L2" or name == key.upper():
            out["kernel_" + key] = float(cfg.get(key, 0.0 if name == "L1L2" else 0.01)) or None
    return out


def _initializer_value(p: ParamSpec, v):
    """A Keras initializer as one of the table's names. One it cannot name (a VarianceScaling with its own
    scale, a seed) imports as the default: the weights come from the file, and the initializer only decides
    where a reset layer starts."""
    if isinstance(v, dict):
        cfg = v.get("config") or {}
        if any(val is not None for val in cfg.values()):
            return p.default
        v = v.get("class_name")
    if isinstance(v, str):
        snake = "".join("_" + ch.lower() if ch.isupper() else ch for ch in v).lstrip("_")
        return snake if snake in p.choices else p.default
    return p.default


def _from_keras_value(p: ParamSpec, v):
    """A Keras config value in this table's form (the validation that follows checks it)."""
    if p.name.endswith("_initializer"):
        return _initializer_value(p, v)
    if p.kind in ("int", "optional_int") and isinstance(v, (list, tuple)) and len(v) == 1:
        return v[0]  # axis=[3], a 1-D layer's kernel_size=[3]
    if p.kind == "choice" and isinstance(v, dict):  # a serialised activation: {"config": {"name": ...}} or, for a
        cfg = v.get("config")  # function, {"class_name": "function", "config": "relu"} (any other config refused)
        v = (cfg.get("name") if isinstance(cfg, dict) else cfg if v.get("class_name") == "function" else None) or \
            v.get("class_name")
    if p.kind == "float" and isinstance(v, int) and not isinstance(v, bool) and finite_number(v):
        return float(v)  # one no float holds (10**400) stays as it is, for the validation to refuse by name
    if p.kind == "shape" and isinstance(v, list):
        return tuple(v)
    return v


# ------------------------------------------------------------------ special cases (pure)

@dataclass(frozen=True)
class Fold:
    """Several Keras layers an export hook wrote, read back as one node: its parameters, the name of the layer
    that carries the node's name and weights, and how many of the following layers are folded in."""

    params: dict
    carrier: dict  # the Keras config entry whose name, weights and trainable flag the node takes
    used: int


def _entry_name(entry: dict) -> str | None:
    name = entry.get("name") or (entry.get("config") or {}).get("name")
    return name if isinstance(name, str) else None


def _pad_fold(kind: str, cls: str):
    """Import half of ``_padded``: ``X_pad`` ZeroPadding2D(p) then ``X`` (valid) is one ``kind`` with padding p."""
    def fold(first: dict, chain: list, params_of) -> Fold | None:
        if first.get("class_name") != "ZeroPadding2D" or not chain or chain[0].get("class_name") != cls:
            return None
        conv = chain[0]
        if _entry_name(first) != f"{_entry_name(conv)}_pad":
            return None
        pad = params_of("zeropadding2d", first.get("config") or {})
        params = params_of(kind, conv.get("config") or {})
        if pad is None or not isinstance(pad["padding"], int) or params is None or params["padding"] != "valid":
            return None
        return Fold({**params, "padding": pad["padding"]}, conv, 1)
    return fold


def _neuron_fold(first: dict, chain: list, params_of) -> Fold | None:
    """Import half of ``_neuron_export``: Dense + Rescaling(1e6, 1) + ReLU(max 1) written by us is a step Neuron."""
    classes = [c.get("class_name") for c in chain[:2]]
    cfg = first.get("config") or {}
    if first.get("class_name") == "Dense" and classes == ["Rescaling", "ReLU"] and \
            is_step_pattern(cfg, chain[0].get("config") or {}, chain[1].get("config") or {}) and \
            isinstance(cfg.get("units"), int):
        return Fold({"units": cfg["units"], "activation": "step"}, first, 2)
    return None


def _padded(cls: str):
    """Export hook: a whole-number padding p is ZeroPadding2D(p) then ``cls`` with padding='valid'."""
    def export(params: dict, kwargs: dict) -> list[KerasCall]:
        pad = params["padding"]
        if not isinstance(pad, int):
            return [KerasCall(cls, kwargs)]
        calls = [KerasCall("ZeroPadding2D", {"padding": pad}, "_pad")] if pad > 0 else []
        return calls + [KerasCall(cls, {**kwargs, "padding": "valid"})]
    return export


def _pool_import(config: dict, params: dict) -> dict:
    """Keras stores strides=None as the pool size; the table says None (non-overlapping)."""
    if params.get("strides") is not None and _plain(params["strides"]) == _plain(params.get("pool_size")):
        params["strides"] = None
    return params


def _input_import(config: dict, params: dict) -> dict:
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if not isinstance(shape, (list, tuple)) or len(shape) < 2:
        raise ParamError(f"the Input has no usable shape ({shape!r}).", "shape")
    if any(d is None for d in shape[1:]):
        raise ParamError(f"the Input has a free size {tuple(shape[1:])} (None); the playground needs every size "
                         f"fixed, like (224, 224, 3).", "shape")
    return {"shape": tuple(int(d) for d in shape[1:])}


def _input_export(params: dict, kwargs: dict) -> list[KerasCall]:
    return [KerasCall("Input", {"shape": tuple(params["shape"])})]


STEP_GAIN = 1e6  # see backend/builder.py: a = clip(STEP_GAIN*z + 1, 0, 1) is exactly step(z) off (-1e-6, 0)


def _neuron_export(params: dict, kwargs: dict) -> list[KerasCall]:
    act = params["activation"]
    calls = [KerasCall("Dense", {"units": params["units"], "activation": "linear" if act == "step" else act})]
    if act == "step":
        calls += [KerasCall("Rescaling", {"scale": STEP_GAIN, "offset": 1.0}, "_step_gain"),
                  KerasCall("ReLU", {"max_value": 1.0}, "_step")]
    return calls


def is_step_pattern(dense: dict, rescaling: dict, relu: dict) -> bool:
    """Whether three Keras layer configs are a step neuron written by this app."""
    try:
        return math.isclose(float(rescaling.get("scale", 0)), STEP_GAIN) and \
            float(rescaling.get("offset", 0)) == 1.0 and relu.get("max_value") == 1.0 and \
            not relu.get("negative_slope") and not relu.get("threshold") and \
            dense.get("activation", "linear") in ("linear", None)
    except (TypeError, ValueError):
        return False


def _opaque_export(params: dict, kwargs: dict) -> list[KerasCall]:
    return [KerasCall(params["class_name"], {}, config=params["config"])]


def _adapter(cls: str, **kw) -> KerasAdapter:
    return KerasAdapter(cls, **kw)


def _neuron_weights_check(node, in_shapes) -> str | None:
    """A Neuron's hand-set weights must match its inputs; missing weights mean zeros."""
    n_in, units = in_shapes[0][-1], node.params["units"]
    k = node.weights.get("kernel")
    b = node.weights.get("bias")
    if k is not None and tuple(k.shape) != (n_in, units):
        return (f"the weights are set for {count(k.shape[0], 'input')} x {count(k.shape[1], 'neuron')} but this "
                f"node receives {count(n_in, 'input')} and has {count(units, 'neuron')}; reset the weights to fit.")
    if b is not None and tuple(b.shape) != (units,):
        return (f"the biases are set for {count(b.shape[0], 'neuron')} but the node has {units:,}; reset the "
                f"weights to fit.")
    return None


def _act(p) -> str:
    return "" if p.get("activation", "linear") == "linear" else f" {p['activation']}"


def _pad(p) -> str:
    return p["padding"] if isinstance(p["padding"], str) else f"p{p['padding']}"


def _k(p) -> str:
    return S.pair_text(p["kernel_size"])


def _s(p) -> str:
    return f"s{p['strides']}" if isinstance(p["strides"], int) else f"s{S.pair_text(p['strides'])}"


def _dil(p) -> str:
    d = p.get("dilation_rate", 1)
    return "" if d == 1 else f" d{d if isinstance(d, int) else S.pair_text(d)}"


def _pool_summary(p) -> str:
    size, stride = p["pool_size"], p["strides"] or p["pool_size"]
    return f"{S.pair_text(size)} s{stride if isinstance(stride, int) else S.pair_text(stride)}" + \
        ("" if p["padding"] == "valid" else " same")


def _pad_text(v) -> str:
    return f"p{v}" if isinstance(v, int) else f"p{v[0][0]},{v[0][1]},{v[1][0]},{v[1][1]}"


# ---- augmentation and resizing (issue 28)
VALUE_RANGES = {"0..1": (0.0, 1.0), "0..255": (0.0, 255.0)}
AUGMENTS = {"training_only": True}  # random while training, the identity at inference
TRAIN_ONLY = " Only while training: at inference (evaluate, predict, See inside) images pass through unchanged."


def _symmetric_import(*names: str, low_zero: bool = False):
    """Import hook: Keras stores a factor f as (-f, f) (RandomContrast: (0, f)); the table holds f.

    A pair that is not of that form cannot be shown by the table (the layer is imported opaque)."""
    def import_(config: dict, params: dict) -> dict:
        for name in names:
            v = params.get(name)
            if isinstance(v, (list, tuple)):
                ok = len(v) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
                lo, hi = (float(v[0]), float(v[1])) if ok else (None, None)
                if hi is None or lo != (0.0 if low_zero else -hi):
                    raise ParamError(f"{config.get('name', 'layer')}: {name}={v!r} is not symmetric; the table "
                                     f"holds one factor f for the range {'(0, f)' if low_zero else '(-f, f)'}.",
                                     name)
                params[name] = hi
        return params
    return import_


def _value_range_export(cls: str):
    """Export hook: the table's pixel-range choice is Keras' value_range pair."""
    def export(params: dict, kwargs: dict) -> list[KerasCall]:
        return [KerasCall(cls, {**kwargs, "value_range": VALUE_RANGES[params["value_range"]]})]
    return export


def _value_range_import(low_zero: bool = False):
    """Import hook: Keras' value_range pair back to the table's choice, and the symmetric factor."""
    factor = _symmetric_import("factor", low_zero=low_zero)

    def import_(config: dict, params: dict) -> dict:
        v = params.get("value_range")
        if v is not None:
            pair = isinstance(v, (list, tuple)) and len(v) == 2 and \
                all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
            found = [k for k, r in VALUE_RANGES.items() if pair and (float(v[0]), float(v[1])) == r]
            if not found:
                raise ParamError(f"value_range={v!r} is not one of the table's pixel ranges "
                                 f"({', '.join(map(str, VALUE_RANGES.values()))}).", "value_range")
            params["value_range"] = found[0]
        return factor(config, params)
    return import_


FILL_MODE = ParamSpec("fill_mode", "choice", "reflect", "How pixels moved in from outside the image are filled: "
                      "reflect mirrors the edge, wrap tiles the image, nearest repeats the edge pixel, constant "
                      "uses the fill value.", choices=("reflect", "wrap", "nearest", "constant"), label="fill")
AUG_INTERP = ParamSpec("interpolation", "choice", "bilinear", "How moved pixels are computed: bilinear blends "
                       "the four nearest, nearest copies one.", choices=("bilinear", "nearest"))
FILL_VALUE = ParamSpec("fill_value", "float", 0.0, "The value for fill mode constant.", -1e6, 1e6,
                       label="fill value")
VALUE_RANGE = ParamSpec("value_range", "choice", "0..1", "The range pixel values are in: 0..1 (the app scales "
                        "images to it) or 0..255 (raw pixels); results are clipped to it.",
                        choices=tuple(VALUE_RANGES), label="pixel range")
CROP_H = ParamSpec("height", "int", 24, "Output height in pixels.", 1, 4096)
CROP_W = ParamSpec("width", "int", 24, "Output width in pixels.", 1, 4096)


def _factor(p, name: str = "factor") -> str:
    return f"\u00b1{p[name]:g}"


ACT = ParamSpec("activation", "choice", "linear", "Function applied to each output: relu keeps positives, "
                "softmax turns scores into class probabilities.", choices=ACTIVATIONS,
                aliases=tuple(ACTIVATION_ALIASES.items()))
KERNEL = ParamSpec("kernel_size", "int", 3, "Filter size f (or height, width): each output looks at an "
                   "f x f patch. out = floor((n + 2p - f)/s) + 1.", 1, 64, label="kernel", pair="hw")
STRIDES = ParamSpec("strides", "int", 1, "Step s between filter positions; s = 2 halves the size. "
                    "out = floor((n + 2p - f)/s) + 1.", 1, 64, label="stride", pair="hw")
DILATION = ParamSpec("dilation_rate", "int", 1, "Gaps d between the filter's taps: an f x f filter spans "
                     "d*(f-1)+1 inputs (atrous convolution). Needs stride 1.", 1, 64, label="dilation", pair="hw")
CONV_PAD = ParamSpec("padding", "padding", "valid", "valid: no padding (p = 0); same: Keras pads so that "
                     "out = ceil(n/s); or a number p of zero rows and columns added on each side.", max=64)
SAME_VALID = ParamSpec("padding", "choice", "valid", "valid: no padding; same: out = ceil(n/s).",
                       choices=("valid", "same"))
POOL_PAD = ParamSpec("padding", "choice", "valid", "valid: windows stay inside the input; same: "
                     "out = ceil(n/s).", choices=("valid", "same"))
POOL = ParamSpec("pool_size", "int", 2, "Window size f (or height, width): each output summarises an f x f "
                 "patch.", 1, 64, label="size", pair="hw")
POOL_STRIDES = ParamSpec("strides", "optional_int", None, "Step between windows; empty means the pool size "
                         "(non-overlapping windows).", 1, 64, label="stride", pair="hw")
BIAS = ParamSpec("use_bias", "bool", True, "Add a learned bias to each output.")
INIT = ParamSpec("kernel_initializer", "choice", "glorot_uniform", "Where the weights start before training: "
                 "glorot keeps the signal's variance through the layer (Keras' default); he suits relu; zeros "
                 "makes every unit the same (try it: they stay the same).", choices=INITIALIZERS,
                 label="initializer")
L2 = ParamSpec("kernel_l2", "optional_float", None, "L2 weight decay: adds l2 * sum(w^2) of this layer's weights "
               "to the loss, pulling them towards 0 (0.0001 to 0.01 is usual; empty: none).", 0.0, 1e6,
               label="L2 penalty")
L1 = ParamSpec("kernel_l1", "optional_float", None, "L1 penalty: adds l1 * sum(|w|) to the loss, pushing "
               "small weights to exactly 0 (empty: none).", 0.0, 1e6, label="L1 penalty")
LEARNED = (INIT, L2, L1)  # how a weighted layer's kernel starts and is held back
FILTERS = ParamSpec("filters", "int", 32, "Number of filters k = output channels.", 1, 8192)
DEPTH_MULT = ParamSpec("depth_multiplier", "int", 1, "Output channels per input channel (m): out = C*m.",
                       1, 64, label="depth multiplier")
AXIS = ParamSpec("axis", "int", -1, "Axis to work along, as Keras counts it: -1 is the last (channels); "
                 "1 is the first after the batch.", -8, 8)
AXES = ParamSpec("axis", "int", -1, "Axis or axes to work along, as Keras counts them: -1 is the last "
                 "(channels), 1 the first after the batch; several, like -2, -1, work over them together.",
                 -8, 8, pair="axes")
KEEPDIMS = ParamSpec("keepdims", "bool", False, "Keep the pooled axes as size 1 (1x1xC instead of C).")
RATE = ParamSpec("rate", "float", 0.5, "Fraction of inputs dropped during training.", 0.0, 1.0, max_exclusive=True)
NO_NOISE_SHAPE = {"noise_shape": None}
BN_ASSUMES = {"renorm": False}

_ELEMENTWISE = "Joins its inputs element by element; shapes must match (a size 1 stretches to fit)."

LAYERS: dict[str, LayerSpec] = {s.key: s for s in [
    LayerSpec("input", "Input", "input", "Where data enters: a vector (784) or an image height x width x channels.",
              _adapter("InputLayer", export=_input_export, import_=_input_import),
              (ParamSpec("shape", "shape", (28, 28, 1), "Size of one example without the batch: "
                         "28x28x1 for MNIST, 32x32x3 for CIFAR-10, 784 for a flat vector, 2 for two bits.",
                         1, 100_000),),
              S.rule_input, min_inputs=0, max_inputs=0, summary=lambda p: S.shape_text(tuple(p["shape"])),
              rule_text="out = the shape you set", glyph="In"),
    LayerSpec("dense", "Dense", "core", "Fully connected: every output sees every input.",
              _adapter("Dense", assumes={"quantization_config": None, "lora_rank": None}),
              (ParamSpec("units", "int", 10, "Number of outputs (neurons).", 1, 1_000_000), ACT, BIAS, *LEARNED),
              S.rule_dense, S.count_dense, summary=lambda p: f"{p['units']}{_act(p)}",
              rule_text="params = n_in*units + units", glyph="D"),
    LayerSpec("conv2d", "Conv2D", "convolution", "Slides k filters of f x f over the image; "
              "each filter makes one feature map.", _adapter("Conv2D", export=_padded("Conv2D"), fold=_pad_fold("conv2d", "Conv2D")),
              (FILTERS, KERNEL, STRIDES, CONV_PAD, ACT, BIAS, DILATION,
               ParamSpec("groups", "int", 1, "Split the channels into g groups, each with its own filters "
                         "(g = C: one filter per channel). Must divide channels and filters.", 1, 8192), *LEARNED),
              S.rule_conv2d, S.count_conv2d,
              summary=lambda p: f"{p['filters']} {_k(p)} {_s(p)} {_pad(p)}{_dil(p)}{_act(p)}"
                                + ("" if p["groups"] == 1 else f" g{p['groups']}"),
              rule_text="out = floor((n + 2p - f)/s) + 1; params = (f*f*d/g)*k + k", glyph="C"),
    LayerSpec("depthwiseconv2d", "DepthwiseConv2D", "convolution", "One f x f filter per input channel (times "
              "the depth multiplier), no mixing across channels: the cheap half of a separable convolution.",
              _adapter("DepthwiseConv2D", export=_padded("DepthwiseConv2D"), fold=_pad_fold("depthwiseconv2d", "DepthwiseConv2D")),
              (KERNEL, STRIDES, CONV_PAD, DEPTH_MULT, ACT, BIAS, DILATION),
              S.rule_depthwise2d, S.count_depthwise,
              summary=lambda p: f"{_k(p)} {_s(p)} {_pad(p)} x{p['depth_multiplier']}{_dil(p)}{_act(p)}",
              rule_text="out C = C*m; params = f*f*C*m + C*m", glyph="DW"),
    LayerSpec("separableconv2d", "SeparableConv2D", "convolution", "A depthwise f x f convolution per channel "
              "followed by a 1x1 convolution that mixes channels into k filters.",
              _adapter("SeparableConv2D", export=_padded("SeparableConv2D"), fold=_pad_fold("separableconv2d", "SeparableConv2D")),
              (FILTERS, KERNEL, STRIDES, CONV_PAD, DEPTH_MULT, ACT, BIAS, DILATION),
              S.rule_separable2d, S.count_separable,
              summary=lambda p: f"{p['filters']} {_k(p)} {_s(p)} {_pad(p)}{_dil(p)}{_act(p)}",
              rule_text="params = f*f*C*m + C*m*k + k", glyph="SC"),
    LayerSpec("conv2dtranspose", "Conv2DTranspose", "convolution", "The transpose of a convolution: each input "
              "pixel stamps an f x f filter, strides s apart, so the image grows (decoders, upsampling).",
              _adapter("Conv2DTranspose", assumes={"output_padding": None}),
              (FILTERS, KERNEL, STRIDES, SAME_VALID, ACT, BIAS, DILATION, *LEARNED),
              S.rule_conv2d_transpose, S.count_transpose,
              summary=lambda p: f"{p['filters']} {_k(p)} {_s(p)} {p['padding']}{_act(p)}",
              rule_text="valid: out = n*s + max(f - s, 0); same: out = n*s", glyph="CT"),
    LayerSpec("conv1d", "Conv1D", "convolution", "Slides k filters of length f along a sequence "
              "(steps x channels).", _adapter("Conv1D", assumes={"groups": 1}),
              (FILTERS, ParamSpec("kernel_size", "int", 3, "Filter length f.", 1, 1024, label="kernel"),
               ParamSpec("strides", "int", 1, "Step between filter positions.", 1, 1024, label="stride"),
               ParamSpec("padding", "choice", "valid", "valid: none; same: out = ceil(n/s); causal: pad only "
                         "before, so an output never sees later steps.", choices=("valid", "same", "causal")),
               ACT, BIAS, ParamSpec("dilation_rate", "int", 1, "Gaps between the filter's taps.", 1, 1024,
                                    label="dilation"), *LEARNED),
              S.rule_conv1d, S.count_conv1d,
              summary=lambda p: f"{p['filters']} k{p['kernel_size']} s{p['strides']} {p['padding']}{_act(p)}",
              rule_text="out = floor((n + 2p - f)/s) + 1; params = f*d*k + k", glyph="C1"),
    LayerSpec("maxpool2d", "MaxPool2D", "pooling", "Keeps the largest value of each window; no parameters.",
              _adapter("MaxPooling2D", aliases=("MaxPool2D",), import_=_pool_import),
              (POOL, POOL_STRIDES, POOL_PAD), S.rule_pool2d, summary=_pool_summary,
              rule_text="out = floor((n + 2p - f)/s) + 1", glyph="Mx"),
    LayerSpec("avgpool2d", "AvgPool2D", "pooling", "Averages each window; no parameters.",
              _adapter("AveragePooling2D", aliases=("AvgPool2D",), import_=_pool_import),
              (POOL, POOL_STRIDES, POOL_PAD), S.rule_pool2d, summary=_pool_summary,
              rule_text="out = floor((n + 2p - f)/s) + 1", glyph="Av"),
    LayerSpec("maxpool1d", "MaxPool1D", "pooling", "Keeps the largest value of each window along a sequence.",
              _adapter("MaxPooling1D", aliases=("MaxPool1D",), import_=_pool_import),
              (ParamSpec("pool_size", "int", 2, "Window length f.", 1, 1024, label="size"),
               ParamSpec("strides", "optional_int", None, "Step between windows; empty means the pool size.",
                         1, 1024, label="stride"), POOL_PAD),
              S.rule_pool1d, summary=lambda p: f"{p['pool_size']} s{p['strides'] or p['pool_size']}",
              rule_text="out = floor((n + 2p - f)/s) + 1", glyph="M1"),
    LayerSpec("globalavgpool2d", "GlobalAvgPool2D", "pooling", "Averages each whole feature map to one number.",
              _adapter("GlobalAveragePooling2D", aliases=("GlobalAvgPool2D",)), (KEEPDIMS,), S.rule_global_pool,
              summary=lambda p: "keepdims" if p["keepdims"] else "", rule_text="HxWxC -> C", glyph="G"),
    LayerSpec("globalmaxpool2d", "GlobalMaxPool2D", "pooling", "Keeps the largest value of each whole feature map.",
              _adapter("GlobalMaxPooling2D", aliases=("GlobalMaxPool2D",)), (KEEPDIMS,), S.rule_global_max_pool,
              summary=lambda p: "keepdims" if p["keepdims"] else "", rule_text="HxWxC -> C", glyph="GM"),
    LayerSpec("globalavgpool1d", "GlobalAvgPool1D", "pooling", "Averages each channel over the whole sequence.",
              _adapter("GlobalAveragePooling1D", aliases=("GlobalAvgPool1D",)), (KEEPDIMS,), S.rule_global_pool1d,
              summary=lambda p: "keepdims" if p["keepdims"] else "", rule_text="steps x C -> C", glyph="G1"),
    LayerSpec("zeropadding2d", "ZeroPadding2D", "convolution", "Adds p rows and columns of zeros around the image.",
              _adapter("ZeroPadding2D"),
              (ParamSpec("padding", "int", 1, "Zero rows/columns p added on each side, or "
                         "((top, bottom), (left, right)).", 0, 64, pair="sides"),),
              S.rule_zeropad, summary=lambda p: _pad_text(p["padding"]), rule_text="out = n + 2p", glyph="P"),
    LayerSpec("cropping2d", "Cropping2D", "convolution", "Cuts rows and columns off the image's edges.",
              _adapter("Cropping2D"),
              (ParamSpec("cropping", "int", 1, "Rows/columns removed on each side, or "
                         "((top, bottom), (left, right)).", 0, 1024, pair="sides"),),
              S.rule_cropping, summary=lambda p: _pad_text(p["cropping"]).replace("p", "c"),
              rule_text="out = n - top - bottom", glyph="Cr"),
    LayerSpec("upsampling2d", "UpSampling2D", "convolution", "Repeats each pixel into a block, making the image "
              "size times larger.", _adapter("UpSampling2D"),
              (ParamSpec("size", "int", 2, "Growth factor per axis (or height, width).", 1, 64, pair="hw"),
               ParamSpec("interpolation", "choice", "nearest", "How new pixels are filled: nearest copies, "
                         "bilinear blends.", choices=("nearest", "bilinear", "bicubic", "area", "lanczos3",
                                                      "lanczos5"))),
              S.rule_upsampling, summary=lambda p: f"x{S.pair_text(p['size'])} {p['interpolation']}",
              rule_text="out = n*size", glyph="Up"),
    # ---- augmentation and resizing (issue 28)
    LayerSpec("randomflip", "RandomFlip", "augmentation", "Mirrors each image at random (left-right, up-down or "
              "both), a new choice for every image in every batch." + TRAIN_ONLY, _adapter("RandomFlip"),
              (ParamSpec("mode", "choice", "horizontal", "Which flips: horizontal mirrors left-right (right for "
                         "photos), vertical up-down.", choices=("horizontal", "vertical", "horizontal_and_vertical")),),
              S.augment_rule("RandomFlip", "random flips"),
              summary=lambda p: f"{p['mode'].replace('horizontal_and_vertical', 'both')}, train only",
              rule_text="shape unchanged; identity at inference", glyph="Fl", extra=AUGMENTS),
    LayerSpec("randomrotation", "RandomRotation", "augmentation", "Turns each image by a random angle up to "
              "\u00b1factor of a full turn (0.1: up to 36 degrees)." + TRAIN_ONLY,
              _adapter("RandomRotation", import_=_symmetric_import("factor")),
              (ParamSpec("factor", "float", 0.1, "Largest turn, as a fraction of 360 degrees: angles are drawn "
                         "from [-factor, factor] x 360.", 0.0, 1.0), FILL_MODE, AUG_INTERP, FILL_VALUE),
              S.augment_rule("RandomRotation", "random turns"),
              summary=lambda p: f"{_factor(p)} turn, train only", rule_text="shape unchanged; identity at inference",
              glyph="Ro", extra=AUGMENTS),
    LayerSpec("randomzoom", "RandomZoom", "augmentation", "Zooms each image in or out at random by up to "
              "\u00b1factor (0.1: 90 % to 110 %)." + TRAIN_ONLY,
              _adapter("RandomZoom", import_=_symmetric_import("height_factor", "width_factor")),
              (ParamSpec("height_factor", "float", 0.1, "Largest zoom in or out of the height, as a fraction.",
                         0.0, 1.0, max_exclusive=True, label="height factor"),
               ParamSpec("width_factor", "optional_float", None, "Largest zoom of the width; empty: the same "
                         "zoom as the height (keeps the aspect ratio).", 0.0, 1.0, max_exclusive=True,
                         label="width factor"), FILL_MODE, AUG_INTERP, FILL_VALUE),
              S.augment_rule("RandomZoom", "random zoom"),
              summary=lambda p: f"{_factor(p, 'height_factor')}, train only",
              rule_text="shape unchanged; identity at inference", glyph="Zm", extra=AUGMENTS),
    LayerSpec("randomtranslation", "RandomTranslation", "augmentation", "Shifts each image at random by up to "
              "a fraction of its height and width." + TRAIN_ONLY,
              _adapter("RandomTranslation", import_=_symmetric_import("height_factor", "width_factor")),
              (ParamSpec("height_factor", "float", 0.1, "Largest shift up or down, as a fraction of the height.",
                         0.0, 1.0, label="height factor"),
               ParamSpec("width_factor", "float", 0.1, "Largest shift left or right, as a fraction of the width.",
                         0.0, 1.0, label="width factor"), FILL_MODE, AUG_INTERP, FILL_VALUE),
              S.augment_rule("RandomTranslation", "random shifts"),
              summary=lambda p: f"{_factor(p, 'height_factor')}x{p['width_factor']:g}, train only",
              rule_text="shape unchanged; identity at inference", glyph="Tr", extra=AUGMENTS),
    LayerSpec("randomcontrast", "RandomContrast", "augmentation", "Stretches or squeezes each image's contrast "
              "around its mean by a random factor in [1 - factor, 1 + factor]." + TRAIN_ONLY,
              _adapter("RandomContrast", export=_value_range_export("RandomContrast"),
                       import_=_value_range_import(low_zero=True)),
              (ParamSpec("factor", "float", 0.1, "Largest change of contrast, as a fraction.", 0.0, 1.0),
               VALUE_RANGE),
              S.augment_rule("RandomContrast", "random contrast"),
              summary=lambda p: f"{_factor(p)}, train only", rule_text="shape unchanged; identity at inference",
              glyph="Cn", extra=AUGMENTS),
    LayerSpec("randombrightness", "RandomBrightness", "augmentation", "Adds a random amount, up to \u00b1factor "
              "of the pixel range, to every pixel of an image." + TRAIN_ONLY,
              _adapter("RandomBrightness", export=_value_range_export("RandomBrightness"),
                       import_=_value_range_import()),
              (ParamSpec("factor", "float", 0.1, "Largest change of brightness, as a fraction of the pixel "
                         "range.", 0.0, 1.0), VALUE_RANGE),
              S.augment_rule("RandomBrightness", "random brightness"),
              summary=lambda p: f"{_factor(p)}, train only", rule_text="shape unchanged; identity at inference",
              glyph="Br", extra=AUGMENTS),
    LayerSpec("randomcrop", "RandomCrop", "augmentation", "Cuts a height x width window at a random place out "
              "of the images while training (Keras draws one place per batch); at inference it takes the centre "
              "window instead (so the size is the same either way).", _adapter("RandomCrop"), (CROP_H, CROP_W), S.rule_random_crop,
              summary=lambda p: f"{p['height']}x{p['width']}, random while training",
              rule_text="out = height x width x C", glyph="RC"),
    LayerSpec("resizing", "Resizing", "augmentation", "Scales every image to height x width (always, in "
              "training and at inference), e.g. 28x28 digits to the 32x32 a network expects.",
              _adapter("Resizing", assumes={"pad_to_aspect_ratio": False, "antialias": False}),
              (ParamSpec("height", "int", 32, "Output height in pixels.", 1, 4096),
               ParamSpec("width", "int", 32, "Output width in pixels.", 1, 4096),
               ParamSpec("interpolation", "choice", "bilinear", "How new pixels are computed: bilinear blends "
                         "neighbours, nearest copies one.", choices=("bilinear", "nearest", "bicubic", "area",
                                                                    "lanczos3", "lanczos5")),
               ParamSpec("crop_to_aspect_ratio", "bool", False, "Crop the centre to the new aspect ratio first "
                         "instead of stretching the image.", label="crop to aspect")),
              S.rule_resizing, summary=lambda p: f"{p['height']}x{p['width']} {p['interpolation']}",
              rule_text="out = height x width x C", glyph="Rs"),
    LayerSpec("centercrop", "CenterCrop", "augmentation", "Keeps the centre height x width window of every image "
              "(always, in training and at inference).", _adapter("CenterCrop"), (CROP_H, CROP_W),
              S.rule_center_crop, summary=lambda p: f"{p['height']}x{p['width']}",
              rule_text="out = height x width x C", glyph="CC"),
    LayerSpec("flatten", "Flatten", "core", "Unrolls an image into one long vector for Dense layers.",
              _adapter("Flatten"), (), S.rule_flatten, rule_text="out = H*W*C", glyph="F"),
    LayerSpec("reshape", "Reshape", "core", "Rearranges the same values into another shape.", _adapter("Reshape"),
              (ParamSpec("target_shape", "shape", (28, 28, 1), "New shape without the batch; one entry may be -1.",
                         -1, 1_000_000),),
              S.rule_reshape, summary=lambda p: S.shape_text(tuple(p["target_shape"])),
              rule_text="product of sizes unchanged", glyph="R"),
    LayerSpec("permute", "Permute", "core", "Reorders the axes (1 is the first after the batch): (2, 1) swaps "
              "rows and columns of a matrix.", _adapter("Permute"),
              (ParamSpec("dims", "shape", (2, 1), "The new order of axes 1..n, each once.", 1, 8),),
              S.rule_permute, summary=lambda p: str(tuple(p["dims"])), rule_text="out[i] = in[dims[i]]", glyph="Pm"),
    LayerSpec("identity", "Identity", "core", "Passes its input through unchanged (a placeholder).",
              _adapter("Identity"), (), S.rule_same, rule_text="shape unchanged", glyph="="),
    LayerSpec("dropout", "Dropout", "regularisation", "While training, zeroes a random fraction of inputs so the "
              "network cannot rely on any one of them.", _adapter("Dropout", assumes=NO_NOISE_SHAPE), (RATE,),
              S.rule_same, summary=lambda p: f"rate {p['rate']:g}", rule_text="shape unchanged", glyph="Dr"),
    LayerSpec("spatialdropout2d", "SpatialDropout2D", "regularisation", "While training, drops whole feature maps "
              "(channels) rather than single values.", _adapter("SpatialDropout2D"), (RATE,),
              S.rule_same_image, summary=lambda p: f"rate {p['rate']:g}", rule_text="shape unchanged", glyph="SD"),
    LayerSpec("gaussiannoise", "GaussianNoise", "regularisation", "While training, adds random noise with "
              "standard deviation sigma to every value.", _adapter("GaussianNoise"),
              (ParamSpec("stddev", "float", 0.1, "Standard deviation sigma of the noise.", 0.0, 1e6),),
              S.rule_same, summary=lambda p: f"sigma {p['stddev']:g}", rule_text="shape unchanged", glyph="GN"),
    LayerSpec("activation", "Activation", "core", "Applies a function to every value.", _adapter("Activation"),
              (ParamSpec("activation", "choice", "relu", ACT.help, choices=ACTIVATIONS, aliases=ACT.aliases),),
              S.rule_same, summary=lambda p: p["activation"], rule_text="shape unchanged", glyph="A"),
    LayerSpec("relu", "ReLU", "core", "max(x, 0), optionally capped (ReLU6: max value 6), leaky below the "
              "threshold, or shifted.", _adapter("ReLU"),
              (ParamSpec("max_value", "optional_float", None, "Cap on the output (6 gives ReLU6); empty: no cap.",
                         0.0, 1e9, label="max value"),
               ParamSpec("negative_slope", "float", 0.0, "Slope below the threshold (0: plain ReLU).", 0.0, 1e9,
                         label="negative slope"),
               ParamSpec("threshold", "float", 0.0, "Values below this are zeroed (or scaled by the slope).",
                         -1e9, 1e9)),
              S.rule_same, summary=lambda p: "relu" + (f" max {p['max_value']:g}" if p["max_value"] is not None
                                                       else ""),
              rule_text="out = min(max(x, 0), max value)", glyph="Re"),
    LayerSpec("leakyrelu", "LeakyReLU", "core", "x for x >= 0, slope*x below: negatives leak through a little.",
              _adapter("LeakyReLU"),
              (ParamSpec("negative_slope", "float", 0.3, "Slope for negative inputs.", 0.0, 1e9,
                         label="negative slope"),),
              S.rule_same, summary=lambda p: f"slope {p['negative_slope']:g}", rule_text="shape unchanged",
              glyph="LR"),
    LayerSpec("softmax", "Softmax", "core", "Turns scores into probabilities that sum to 1 along an axis.",
              _adapter("Softmax"), (AXES,), S.rule_softmax,
              summary=lambda p: "" if p["axis"] == -1 else f"axis {S.pair_text(p['axis'])}",
              rule_text="shape unchanged",
              glyph="Sm"),
    LayerSpec("rescaling", "Rescaling", "core", "Multiplies by a scale and adds an offset (1/255 maps pixels "
              "to 0..1).", _adapter("Rescaling"),
              (ParamSpec("scale", "float", 1 / 255, "Factor every value is multiplied by.", -1e12, 1e12),
               ParamSpec("offset", "float", 0.0, "Added after scaling.", -1e12, 1e12)),
              S.rule_same, summary=lambda p: f"x{p['scale']:.4g} + {p['offset']:g}", rule_text="out = x*scale + offset",
              glyph="x"),
    LayerSpec("batchnorm", "BatchNorm", "regularisation", "Normalises each channel to mean 0, variance 1, "
              "then scales and shifts it.", _adapter("BatchNormalization", assumes=BN_ASSUMES),
              (ParamSpec("momentum", "float", 0.99, "How slowly the running mean and variance move.", 0.0, 1.0),
               ParamSpec("epsilon", "float", 0.001, "Small number added to the variance.", 0.0, 1.0,
                         min_exclusive=True),
               ParamSpec("axis", "int", -1, "The channel axis (-1: last, as in NHWC images).", -8, 8),
               ParamSpec("center", "bool", True, "Learn a shift beta per channel."),
               ParamSpec("scale", "bool", True, "Learn a scale gamma per channel.")),
              S.rule_axis_same, S.count_batchnorm, rule_text="params = 4*C (2*C trainable)", glyph="BN"),
    LayerSpec("layernorm", "LayerNorm", "regularisation", "Normalises each example over its last axis to mean 0, "
              "variance 1, then scales and shifts it.", _adapter("LayerNormalization", assumes={"rms_scaling": False}),
              (AXES, ParamSpec("epsilon", "float", 0.001, "Small number added to the variance.", 0.0, 1.0,
                               min_exclusive=True),
               ParamSpec("center", "bool", True, "Learn a shift beta."),
               ParamSpec("scale", "bool", True, "Learn a scale gamma.")),
              S.rule_axes_same, S.count_layernorm, rule_text="params = 2*C (C: the sizes of the axes, multiplied)",
              glyph="LN"),
    LayerSpec("normalization", "Normalization", "regularisation", "Subtracts a stored mean and divides by a "
              "stored standard deviation per channel (computed from data by adapt()).",
              _adapter("Normalization", assumes={"mean": None, "variance": None, "invert": False}),
              (AXIS,), S.rule_axis_same, S.count_normalization, rule_text="params = 2*C + 1 (not trainable)",
              glyph="N"),
    LayerSpec("add", "Add", "merge", "Adds its inputs element by element (a skip connection); "
              "shapes must match.", _adapter("Add"), (), S.rule_add, min_inputs=2, max_inputs=None,
              rule_text="all input shapes equal", glyph="+"),
    LayerSpec("subtract", "Subtract", "merge", "First input minus the second, element by element.",
              _adapter("Subtract"), (), S.elementwise_rule("Subtract", "-"), min_inputs=2, max_inputs=2,
              rule_text="two equal shapes", glyph="\u2212"),
    LayerSpec("multiply", "Multiply", "merge", _ELEMENTWISE + " Products (gates, attention).",
              _adapter("Multiply"), (), S.elementwise_rule("Multiply", "*"), min_inputs=2, max_inputs=None,
              rule_text="all input shapes equal (or 1)", glyph="\u00d7"),
    LayerSpec("average", "Average", "merge", _ELEMENTWISE + " Means.", _adapter("Average"), (),
              S.elementwise_rule("Average", "avg"), min_inputs=2, max_inputs=None, rule_text="all input shapes equal",
              glyph="\u03bc"),
    LayerSpec("maximum", "Maximum", "merge", _ELEMENTWISE + " Largest value.", _adapter("Maximum"), (),
              S.elementwise_rule("Maximum", "max"), min_inputs=2, max_inputs=None,
              rule_text="all input shapes equal", glyph="\u2191"),
    LayerSpec("minimum", "Minimum", "merge", _ELEMENTWISE + " Smallest value.", _adapter("Minimum"), (),
              S.elementwise_rule("Minimum", "min"), min_inputs=2, max_inputs=None,
              rule_text="all input shapes equal", glyph="\u2193"),
    LayerSpec("concatenate", "Concatenate", "merge", "Joins its inputs along an axis (the channels by default).",
              _adapter("Concatenate"), (AXIS,), S.rule_concatenate, min_inputs=2, max_inputs=None,
              summary=lambda p: "" if p["axis"] == -1 else f"axis {p['axis']}",
              rule_text="sizes along the axis add up", glyph="\u2225"),
    LayerSpec("neuron", "Neuron", "logic", "Threshold neurons a = step(w0 + w1*x1 + w2*x2 + ...) with "
              "hand-set weights; step gives 1 when z >= 0.", _adapter("Dense", export=_neuron_export, fold=_neuron_fold,
                                                                     importable=False),
              (ParamSpec("units", "int", 1, "Number of neurons in this layer.", 1, 64),
               ParamSpec("activation", "choice", "step", "step: 1 if z >= 0 else 0; sigmoid: 1/(1+e^-z); "
                         "linear: z.", choices=NEURON_ACTIVATIONS)),
              S.rule_neuron, S.count_dense, summary=lambda p: f"{p['units']} {p['activation']}",
              check_weights=_neuron_weights_check, rule_text="z = w0 + sum wi*xi; a = step(z)", glyph="\u03b8",
              hand_set=True),
    LayerSpec("opaque", "Keras layer", "core", "A Keras layer the table lacks, kept as Keras saved it: it builds, "
              "trains and exports, and its shape is the one Keras computed, but its settings cannot be edited here.",
              _adapter("", export=_opaque_export, importable=False),
              (ParamSpec("class_name", "config", "Layer", "The Keras class.", editable=False, label="Keras class",
                         check=layer_data.check_class),
               ParamSpec("config", "config", {}, "The layer as Keras serialised it.", editable=False,
                         check=layer_data.check_config),
               ParamSpec("input_shapes", "config", [[1]], "The input shapes Keras computed the output for.",
                         editable=False, check=layer_data.check_input_shapes),
               ParamSpec("output_shape", "config", [1], "The output shape from Keras' compute_output_shape.",
                         editable=False, check=layer_data.check_output_shape),
               ParamSpec("param_count", "config", [0, 0], "[total, trainable] weights as Keras counted them (shown; "
                         "Keras recounts them before it builds the layer).", editable=False,
                         check=layer_data.check_param_count)),
              S.rule_opaque, S.count_opaque, min_inputs=1, max_inputs=None,
              summary=lambda p: f"{p['class_name']} (opaque)", rule_text="shape from Keras", glyph="?",
              in_palette=False, opaque=True),
]}

KERAS_CLASS_TO_KEY = {name: s.key for s in LAYERS.values() if s.keras.importable
                      for name in (s.keras.cls, *s.keras.aliases)}


def register(spec: LayerSpec) -> Callable[[], None]:
    """Add a layer kind (a plugin's, or a test's) to the table; returns the call that takes it out again.

    Everything else (palette, inspector, shapes, builder, exporters, importer, file format) reads the table,
    so this one entry is the whole of a new kind."""
    if spec.key in LAYERS:
        raise ParamError(f"A layer kind {spec.key!r} exists already.", "key")
    LAYERS[spec.key] = spec
    names = [n for n in (spec.keras.cls, *spec.keras.aliases) if spec.keras.importable and n not in KERAS_CLASS_TO_KEY]
    KERAS_CLASS_TO_KEY.update({n: spec.key for n in names})

    def unregister() -> None:
        LAYERS.pop(spec.key, None)
        for n in names:
            KERAS_CLASS_TO_KEY.pop(n, None)
    return unregister


NEURON_RULES = {"step": "step gives 1 when z >= 0", "sigmoid": "sigmoid gives 1/(1+e^-z), between 0 and 1",
                "linear": "linear gives z itself"}


def help_of(kind: str, params: dict) -> str:
    """A kind's one-line help; a Neuron's names its own activation (Learn instead makes them sigmoid, and the
    inspector went on saying "Threshold neurons a = step(...)")."""
    spec = get_spec(kind)
    act = params.get("activation") if spec.hand_set else None
    if act not in NEURON_RULES or act == "step":
        return spec.help
    return spec.help.replace("Threshold neurons a = step(", f"Neurons a = {act}(").replace(
        NEURON_RULES["step"], NEURON_RULES[act])


def get_spec(key: str) -> LayerSpec:
    """The spec of a layer kind; ParamError (with the known kinds) if there is none."""
    try:
        return LAYERS[key]
    except (KeyError, TypeError):
        raise ParamError(f"Unknown layer type {key!r}. Known types: {', '.join(LAYERS)}.") from None


def by_category() -> dict[str, list[LayerSpec]]:
    """The palette's layer kinds, grouped by category (opaque layers come only from files)."""
    out: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
    for spec in LAYERS.values():
        if spec.in_palette:
            out[spec.category].append(spec)
    return out
