"""Looking inside a trained model: filters, feature maps, activation shapes, one-image predictions."""

from __future__ import annotations

import numpy as np

from .runtime import get_keras


def conv_layers(model) -> list[str]:
    return [l.name for l in model.layers if type(l).__name__ in ("Conv2D",)]


def map_layers(model) -> list[str]:
    """Layers with an image-shaped output (conv, pooling, padding, batch norm)."""
    return [l.name for l in model.layers if len(l.output.shape) == 4 and type(l).__name__ != "InputLayer"]


def first_conv_filters(model) -> np.ndarray | None:
    """(f, f, in_channels, k) kernel of the first Conv2D, or None."""
    names = conv_layers(model)
    if not names:
        return None
    return np.asarray(model.get_layer(names[0]).get_weights()[0])


def feature_maps(model, layer_name: str, x: np.ndarray) -> np.ndarray:
    """Outputs of ``layer_name`` for one example ``x`` (already shaped like the Input): (H, W, C)."""
    keras = get_keras()
    sub = keras.Model(inputs=model.inputs, outputs=model.get_layer(layer_name).output)
    return np.asarray(sub.predict(x[None, ...], verbose=0))[0]


def activation_shapes(model) -> list[tuple[str, str, tuple]]:
    return [(l.name, type(l).__name__, tuple(l.output.shape[1:])) for l in model.layers]


def predict_one(model, x: np.ndarray) -> np.ndarray:
    """Class probabilities for one example; softmax applied if the model ends in raw scores."""
    out = np.asarray(model(x[None, ...].astype(np.float32), training=False))[0].astype(np.float64)
    if out.ndim == 1 and out.size > 1 and (np.any(out < 0) or abs(out.sum() - 1.0) > 1e-3):
        e = np.exp(out - out.max())
        out = e / e.sum()
    return out


def input_shape(model) -> tuple[int, ...]:
    return tuple(int(d) for d in model.inputs[0].shape[1:])
