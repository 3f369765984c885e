"""Probes into a trained model for See inside: every layer's output for one example, one-image predictions.

(Named ``probes``, not ``inspect``: a module must not shadow the standard library's.)"""

from __future__ import annotations

import math

import numpy as np

from ..core import limits
from .runtime import get_keras


def predict_one(model, x: np.ndarray) -> np.ndarray:
    """Class probabilities for one example; softmax applied if the model ends in raw scores."""
    out = np.asarray(model(x[None, ...].astype(np.float32), training=False))[0].astype(np.float64)
    if out.ndim == 1 and out.size > 1 and (np.any(out < 0) or abs(out.sum() - 1.0) > 1e-3):
        e = np.exp(out - out.max())
        out = e / e.sum()
    return out


def input_shape(model) -> tuple[int, ...]:
    return tuple(int(d) for d in model.inputs[0].shape[1:])


# ------------------------------------------------------------------ See inside: one example, every layer
_PROBES: dict[int, tuple[object, object]] = {}  # id(model) -> (model, probe): one multi-output model per model


def _probe(model):
    """A model with the same input and every layer's output (built once per trained model)."""
    key = id(model)
    hit = _PROBES.get(key)
    if hit is not None and hit[0] is model:
        return hit[1]
    keras = get_keras()
    layers = [l for l in model.layers if type(l).__name__ != "InputLayer"]
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    probe = keras.Model(inputs=inputs, outputs=[l.output for l in layers])
    _PROBES.clear()  # only the latest trained model is looked at
    _PROBES[key] = (model, probe)
    return probe


def example_bytes(model) -> int:
    """Bytes every layer's output takes for one example (what a forward pass that keeps them all holds): a file's
    network may grow its activations without weights (UpSampling by 64, twice), which a count of weights misses."""
    total = 0
    for layer in model.layers:
        try:
            outs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        except (AttributeError, ValueError):  # (a layer used twice has no single output)
            continue
        total += sum(math.prod(int(d or 1) for d in t.shape[1:]) for t in outs)
    return total * limits.BYTES_PER_VALUE


def activations(model, x: np.ndarray) -> list[tuple[str, str, np.ndarray]]:
    """(layer name, class name, output for ``x``) of every layer, input first, in one forward pass.
    ``x`` is one example shaped like the Input; Dropout is the identity here (inference)."""
    limits.require(example_bytes(model) * 3, "Every layer's output for one example", "to compute and show")
    outs = _probe(model)(x[None, ...].astype(np.float32), training=False)
    outs = iter(outs if isinstance(outs, (list, tuple)) else [outs])
    result = []
    for l in model.layers:
        kind = type(l).__name__
        value = np.asarray(x, dtype=np.float32) if kind == "InputLayer" else np.asarray(next(outs))[0]
        result.append((l.name, kind, value))
    return result


def set_layer_weights(model, layer_name: str, weights: dict[str, np.ndarray]) -> bool:
    """Copy ``{variable name: array}`` into one layer (names as ``read_weights`` gives them); False when
    the layer's variables do not match (the graph changed since training), True when copied."""
    from .builder import weight_names  # noqa: PLC0415
    layer = model.get_layer(layer_name)
    values = []
    for key, v in zip(weight_names(layer), layer.weights):
        arr = weights.get(key)
        if arr is None or tuple(arr.shape) != tuple(v.shape):
            return False
        values.append(np.asarray(arr, dtype=np.float32))
    layer.set_weights(values)
    return True


def accuracy(model, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    """Fraction of ``x`` classified right: argmax for class scores (labels as indices or one-hot),
    a 0.5 threshold for one sigmoid unit. Uses the model's compiled predict function (traced once per
    model, then reused: the repeated evaluations of weight surgery cost one forward pass each)."""
    per = max(1, example_bytes(model) * 2)  # a batch that fits the free memory (1,000 may not)
    limits.require(per, "Measuring the accuracy, one example at a time,", "to run the model")
    have = limits.available_memory()
    batch_size = batch_size if have is None else max(1, min(batch_size, int(have // 2 // per)))
    out = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    y = np.asarray(y)
    if out.shape[-1] == 1:
        pred = (out[:, 0] >= 0.5).astype(int)
        true = y.reshape(-1).astype(int)
    else:
        pred = out.argmax(axis=1)
        true = y.argmax(axis=1) if y.ndim == 2 else y.astype(int)
    return float((pred == true).mean()) if len(x) else 0.0
