"""The one declarative layer table.

The palette, the inspector form, shape inference, the Keras builder, the importer and the file
format all read ``LAYERS``. Adding a layer kind is one ``LayerSpec`` entry plus its tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from . import shapes as S
from .errors import ParamError

ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "softplus", "swish")
NEURON_ACTIVATIONS = ("step", "sigmoid", "linear")

CATEGORIES = ("input", "core", "convolution", "pooling", "regularisation", "merge", "logic")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer: its type, default, valid range and a one-line help.

    ``kind`` is one of ``int``, ``float``, ``choice``, ``bool``, ``shape`` (tuple of positive ints),
    ``padding`` (``"valid"``, ``"same"`` or an int p >= 0), ``optional_int`` (None means "default").
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

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def _range_text(self) -> str:
        lo = "(" if self.min_exclusive else "["
        hi = ")" if self.max_exclusive else "]"
        return f"{lo}{self.min:g}, {self.max:g}{hi}"

    def validate(self, value: Any) -> Any:
        """Return ``value`` in its canonical form, or raise ParamError naming it and the value."""
        n = self.name
        if self.kind == "int" or (self.kind == "optional_int" and value is not None):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ParamError(f"`{n}` must be an integer. Received {n}={value!r}.", n)
            if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
                raise ParamError(f"`{n}` must be an integer from {self.min:g} to {self.max:g}. "
                                 f"Received {n}={value!r}.", n)
            return value
        if self.kind == "optional_int":
            return None
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParamError(f"`{n}` must be a finite number. Received {n}={value!r}.", n)
            value = float(value)
            too_low = self.min is not None and (value <= self.min if self.min_exclusive else value < self.min)
            too_high = self.max is not None and (value >= self.max if self.max_exclusive else value > self.max)
            if too_low or too_high:
                raise ParamError(f"`{n}` must be in {self._range_text()}. Received {n}={value!r}.", n)
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ParamError(f"`{n}` must be one of {', '.join(map(repr, self.choices))}. "
                                 f"Received {n}={value!r}.", n)
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParamError(f"`{n}` must be true or false. Received {n}={value!r}.", n)
            return value
        if self.kind == "shape":
            if not isinstance(value, (list, tuple)) or not value:
                raise ParamError(f"`{n}` must be a list of 1 to 3 positive sizes, like [28, 28, 1]. "
                                 f"Received {n}={value!r}.", n)
            allow_minus_one = self.min == -1
            for d in value:
                ok = isinstance(d, int) and not isinstance(d, bool) and (d >= 1 or (allow_minus_one and d == -1))
                if not ok or (isinstance(d, int) and d > (self.max or 1_000_000)):
                    raise ParamError(f"`{n}` sizes must be whole numbers from 1 to {int(self.max or 1_000_000):,}"
                                     f"{' (or one -1)' if allow_minus_one else ''}. Received {n}={value!r}.", n)
            if len(value) > 3:
                raise ParamError(f"`{n}` may have at most 3 dimensions (height, width, channels). "
                                 f"Received {n}={value!r}.", n)
            return tuple(value)
        if self.kind == "padding":
            if value in ("valid", "same"):
                return value
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= (self.max or 64):
                return value
            raise ParamError(f"`{n}` must be 'valid', 'same' or a whole number of pixels from 0 to "
                             f"{int(self.max or 64)}. Received {n}={value!r}.", n)
        raise AssertionError(f"unknown parameter kind {self.kind}")


@dataclass(frozen=True)
class LayerSpec:
    """Everything the app knows about one layer kind."""

    key: str
    title: str
    category: str
    help: str
    keras_class: str
    params: tuple[ParamSpec, ...]
    shape_rule: Callable
    count_rule: Callable = S.count_none
    min_inputs: int = 1
    max_inputs: int | None = 1
    summary: Callable[[dict], str] = lambda p: ""
    check_weights: Callable | None = None
    rule_text: str = ""
    icon: str = ""
    extra: dict = field(default_factory=dict)

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


def _neuron_weights_check(node, in_shapes) -> str | None:
    """A Neuron's hand-set weights must match its inputs; missing weights mean zeros."""
    n_in, units = in_shapes[0][-1], node.params["units"]
    k = node.weights.get("kernel")
    b = node.weights.get("bias")
    if k is not None and tuple(k.shape) != (n_in, units):
        return (f"the weights are set for {k.shape[0]} input(s) x {k.shape[1]} neuron(s) but this node receives "
                f"{n_in} input(s) and has {units} neuron(s); reset the weights to fit.")
    if b is not None and tuple(b.shape) != (units,):
        return f"the biases are set for {b.shape[0]} neuron(s) but the node has {units}; reset the weights to fit."
    return None


def _act(p) -> str:
    return "" if p.get("activation", "linear") == "linear" else f" {p['activation']}"


def _pad(p) -> str:
    return p["padding"] if isinstance(p["padding"], str) else f"p{p['padding']}"


ACT = ParamSpec("activation", "choice", "linear", "Function applied to each output: relu keeps positives, "
                "softmax turns scores into class probabilities.", choices=ACTIVATIONS)
KERNEL = ParamSpec("kernel_size", "int", 3, "Filter size f: each output looks at an f x f patch. "
                   "out = floor((n + 2p - f)/s) + 1.", 1, 64, label="kernel")
STRIDES = ParamSpec("strides", "int", 1, "Step s between filter positions; s = 2 halves the size. "
                    "out = floor((n + 2p - f)/s) + 1.", 1, 64, label="stride")
CONV_PAD = ParamSpec("padding", "padding", "valid", "valid: no padding (p = 0); same: Keras pads so that "
                     "out = ceil(n/s); or a number p of zero rows and columns added on each side.", max=64)
POOL_PAD = ParamSpec("padding", "choice", "valid", "valid: windows stay inside the input; same: "
                     "out = ceil(n/s).", choices=("valid", "same"))
POOL = ParamSpec("pool_size", "int", 2, "Window size f: each output summarises an f x f patch.", 1, 64, label="size")
POOL_STRIDES = ParamSpec("strides", "optional_int", None, "Step between windows; empty means the pool size "
                         "(non-overlapping windows).", 1, 64, label="stride")

LAYERS: dict[str, LayerSpec] = {s.key: s for s in [
    LayerSpec("input", "Input", "input", "Where data enters: a vector (784) or an image height x width x channels.",
              "InputLayer",
              (ParamSpec("shape", "shape", (28, 28, 1), "Size of one example without the batch: "
                         "28x28x1 for MNIST, 32x32x3 for CIFAR-10, 784 for a flat vector, 2 for two bits.",
                         1, 100_000),),
              S.rule_input, min_inputs=0, max_inputs=0, summary=lambda p: S.shape_text(tuple(p["shape"])),
              rule_text="out = the shape you set"),
    LayerSpec("dense", "Dense", "core", "Fully connected: every output sees every input.", "Dense",
              (ParamSpec("units", "int", 10, "Number of outputs (neurons).", 1, 1_000_000), ACT,
               ParamSpec("use_bias", "bool", True, "Add a learned bias to each output.")),
              S.rule_dense, S.count_dense, summary=lambda p: f"{p['units']}{_act(p)}",
              rule_text="params = n_in*units + units"),
    LayerSpec("conv2d", "Conv2D", "convolution", "Slides k filters of f x f over the image; "
              "each filter makes one feature map.", "Conv2D",
              (ParamSpec("filters", "int", 32, "Number of filters k = output channels.", 1, 8192),
               KERNEL, STRIDES, CONV_PAD, ACT,
               ParamSpec("use_bias", "bool", True, "Add a learned bias to each filter.")),
              S.rule_conv2d, S.count_conv2d,
              summary=lambda p: f"{p['filters']} {p['kernel_size']}x{p['kernel_size']} s{p['strides']} {_pad(p)}{_act(p)}",
              rule_text="out = floor((n + 2p - f)/s) + 1; params = (f*f*d)*k + k"),
    LayerSpec("maxpool2d", "MaxPool2D", "pooling", "Keeps the largest value of each window; no parameters.",
              "MaxPooling2D", (POOL, POOL_STRIDES, POOL_PAD), S.rule_pool2d,
              summary=lambda p: f"{p['pool_size']}x{p['pool_size']} s{p['strides'] or p['pool_size']}"
                                + ("" if p["padding"] == "valid" else " same"),
              rule_text="out = floor((n - f)/s) + 1"),
    LayerSpec("avgpool2d", "AvgPool2D", "pooling", "Averages each window; no parameters.",
              "AveragePooling2D", (POOL, POOL_STRIDES, POOL_PAD), S.rule_pool2d,
              summary=lambda p: f"{p['pool_size']}x{p['pool_size']} s{p['strides'] or p['pool_size']}"
                                + ("" if p["padding"] == "valid" else " same"),
              rule_text="out = floor((n - f)/s) + 1"),
    LayerSpec("globalavgpool2d", "GlobalAvgPool2D", "pooling", "Averages each whole feature map to one number.",
              "GlobalAveragePooling2D", (), S.rule_global_pool, rule_text="HxWxC -> C"),
    LayerSpec("zeropadding2d", "ZeroPadding2D", "convolution", "Adds p rows and columns of zeros around the image.",
              "ZeroPadding2D", (ParamSpec("padding", "int", 1, "Zero rows/columns p added on each side.", 0, 64),),
              S.rule_zeropad, summary=lambda p: f"p{p['padding']}", rule_text="out = n + 2p"),
    LayerSpec("flatten", "Flatten", "core", "Unrolls an image into one long vector for Dense layers.",
              "Flatten", (), S.rule_flatten, rule_text="out = H*W*C"),
    LayerSpec("reshape", "Reshape", "core", "Rearranges the same values into another shape.", "Reshape",
              (ParamSpec("target_shape", "shape", (28, 28, 1), "New shape without the batch; one entry may be -1.",
                         -1, 1_000_000),),
              S.rule_reshape, summary=lambda p: S.shape_text(tuple(p["target_shape"])),
              rule_text="product of sizes unchanged"),
    LayerSpec("dropout", "Dropout", "regularisation", "While training, zeroes a random fraction of inputs so the "
              "network cannot rely on any one of them.", "Dropout",
              (ParamSpec("rate", "float", 0.5, "Fraction of inputs dropped during training.", 0.0, 1.0,
                         max_exclusive=True),),
              S.rule_same, summary=lambda p: f"rate {p['rate']:g}", rule_text="shape unchanged"),
    LayerSpec("activation", "Activation", "core", "Applies a function to every value.", "Activation",
              (ParamSpec("activation", "choice", "relu", ACT.help, choices=ACTIVATIONS),),
              S.rule_same, summary=lambda p: p["activation"], rule_text="shape unchanged"),
    LayerSpec("batchnorm", "BatchNorm", "regularisation", "Normalises each channel to mean 0, variance 1, "
              "then scales and shifts it.", "BatchNormalization",
              (ParamSpec("momentum", "float", 0.99, "How slowly the running mean and variance move.", 0.0, 1.0),
               ParamSpec("epsilon", "float", 0.001, "Small number added to the variance.", 0.0, 1.0,
                         min_exclusive=True)),
              S.rule_same, S.count_batchnorm, rule_text="params = 4*C (2*C trainable)"),
    LayerSpec("add", "Add", "merge", "Adds its inputs element by element (a skip connection); "
              "shapes must match.", "Add", (), S.rule_add, min_inputs=2, max_inputs=None,
              rule_text="all input shapes equal"),
    LayerSpec("concatenate", "Concatenate", "merge", "Joins its inputs along the channel axis.", "Concatenate",
              (), S.rule_concatenate, min_inputs=2, max_inputs=None, rule_text="last axis sizes add up"),
    LayerSpec("neuron", "Neuron", "logic", "Threshold neurons a = step(w0 + w1*x1 + w2*x2 + ...) with "
              "hand-set weights; step gives 1 when z >= 0.", "Dense",
              (ParamSpec("units", "int", 1, "Number of neurons in this layer.", 1, 64),
               ParamSpec("activation", "choice", "step", "step: 1 if z >= 0 else 0; sigmoid: 1/(1+e^-z); "
                         "linear: z.", choices=NEURON_ACTIVATIONS)),
              S.rule_neuron, S.count_dense, summary=lambda p: f"{p['units']} {p['activation']}",
              check_weights=_neuron_weights_check, rule_text="z = w0 + sum wi*xi; a = step(z)"),
]}

KERAS_CLASS_TO_KEY = {s.keras_class: s.key for s in LAYERS.values() if s.key != "neuron"}
KERAS_CLASS_TO_KEY.update({"MaxPool2D": "maxpool2d", "AvgPool2D": "avgpool2d",
                           "GlobalAvgPool2D": "globalavgpool2d"})


def get_spec(key: str) -> LayerSpec:
    """The spec of a layer kind; ParamError (with the known kinds) if there is none."""
    try:
        return LAYERS[key]
    except (KeyError, TypeError):
        raise ParamError(f"Unknown layer type {key!r}. Known types: {', '.join(LAYERS)}.") from None


def by_category() -> dict[str, list[LayerSpec]]:
    out: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
    for spec in LAYERS.values():
        out[spec.category].append(spec)
    return out
