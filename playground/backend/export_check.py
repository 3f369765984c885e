"""ONNX and LiteRT files are run before they are called exported.

``check_export`` feeds one random input to the written file (onnxruntime for ONNX, TensorFlow's LiteRT
interpreter for ``.tflite``) and compares the result with Keras' own; a file that does not run, or differs by more
than ``TOLERANCE``, is an ``ExportCheckError`` naming the reason, and the file is removed. When the runtime is not
installed the file is kept and the note says it was not checked.

``fold_normalization`` is why EfficientNet's ONNX file runs: Keras' ``Normalization`` layer keeps its mean and
variance as non-trainable variables, which tf2onnx writes as graph inputs nobody feeds ("Required inputs
['.../normalization/Sub/y:0', '.../Sqrt/x:0'] are missing"). For the export only, each such layer is replaced by
a ``Rescaling`` holding the same arithmetic as constants: ``(x - mean) / max(sqrt(var), eps)`` is
``x * s + o`` with ``s = 1 / max(sqrt(var), eps)`` and ``o = -mean * s``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import PlaygroundError
from ..core.words import count
from .builder import layers_by_name
from .runtime import get_keras

TOLERANCE = 1e-4  # largest |file - Keras| accepted on one random input


class ExportCheckError(PlaygroundError):
    """The exported file does not run, or does not compute what the Keras model computes."""


def inference_identity(layer) -> bool:
    """A random augmentation layer (RandomFlip, RandomRotation, RandomContrast...): it passes images through
    unchanged at inference, which is all an exported file does. RandomCrop is not one: at inference it crops."""
    name = type(layer).__name__
    return name.startswith("Random") and name != "RandomCrop" and \
        type(layer).__module__.startswith("keras.src.layers.preprocessing")


def fold_normalization(model):
    """``model``, or a copy for the converters: every Normalization layer replaced by the equivalent constant
    Rescaling, and every random augmentation layer by an Identity (``inference_identity``); its other layers share
    nothing with ``model``: their weights are copied."""
    keras = get_keras()
    def last_axis(layer) -> bool:  # a per-channel mean (EfficientNet's): a Rescaling broadcasts it the same way
        axis = tuple(layer.axis) if isinstance(layer.axis, (list, tuple)) else (layer.axis,)
        return len(axis) == 1 and axis[0] in (-1, len(layer.input.shape) - 1)

    norms = [l for l in model.layers if type(l).__name__ == "Normalization" and not getattr(l, "invert", False)
             and last_axis(l)]
    random = [l for l in model.layers if inference_identity(l)]
    if not norms and not random:
        return model

    def clone(layer):
        if layer in random:  # its training-time randomness, which the converters trace as ops they cannot
            return keras.layers.Identity(name=layer.name)  # write (StatelessRandomUniformV2: INVALID_GRAPH)
        if layer in norms:
            mean = np.asarray(layer.mean, dtype=np.float64)
            std = np.maximum(np.sqrt(np.asarray(layer.variance, dtype=np.float64)), keras.backend.epsilon())
            scale = (1.0 / std).reshape(-1).astype(np.float32)
            offset = (-mean.reshape(-1) / std.reshape(-1)).astype(np.float32)
            return keras.layers.Rescaling(scale=scale, offset=offset, name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    folded = keras.models.clone_model(model, clone_function=clone)
    originals, folded_norms = layers_by_name(model), {n.name for n in norms}
    for layer in folded.layers:
        if layer.weights and layer.name not in folded_norms:
            layer.set_weights(originals[layer.name].get_weights())
    return folded


def _inputs(model, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0, 1, size=(1, *(int(d) for d in t.shape[1:]))).astype(np.float32) for t in model.inputs]


def _run_onnx(path: Path, xs: list[np.ndarray]) -> np.ndarray:
    import onnxruntime  # noqa: PLC0415
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    if len(names) != len(xs):
        raise ExportCheckError(f"the ONNX file takes {count(len(names), 'input')} ({', '.join(names)[:200]}); the model "
                               f"takes {len(xs)}")
    return np.asarray(session.run(None, dict(zip(names, xs)))[0])


def _run_litert(path: Path, xs: list[np.ndarray]) -> np.ndarray:
    import warnings  # noqa: PLC0415
    try:
        from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415 - LiteRT's own package, if installed
    except ImportError:
        import tensorflow as tf  # noqa: PLC0415
        Interpreter = tf.lite.Interpreter  # noqa: N806
    with warnings.catch_warnings():  # TensorFlow's copy warns that it moves to ai_edge_litert
        warnings.simplefilter("ignore")
        interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    details = interpreter.get_input_details()
    if len(details) != len(xs):
        raise ExportCheckError(f"the LiteRT file takes {len(details)} inputs; the model takes {len(xs)}")
    for d, x in zip(details, xs):
        interpreter.set_tensor(d["index"], x)
    interpreter.invoke()
    return np.asarray(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))


RUNNERS = {"onnx": ("onnxruntime", _run_onnx), "litert": ("tensorflow", _run_litert)}


def check_export(model, path: Path, fmt: str) -> str:
    """Run the file at ``path`` on one random input and compare it with ``model``: the note to show
    ("checked: ... max difference 3.0e-07"), or ExportCheckError (the file removed) when it fails."""
    package, run = RUNNERS[fmt]
    try:
        __import__(package)
    except ImportError:
        return f"not checked: {package} is not installed"
    xs = _inputs(model)
    expected = np.asarray(model(xs[0] if len(xs) == 1 else xs, training=False))  # (a random layer's call
    # defaults to training: its images changed, and the file, rightly unchanged, differed by 0.33)
    runtime = "onnxruntime" if fmt == "onnx" else "the LiteRT interpreter"
    try:
        got = run(Path(path), xs)
    except ExportCheckError as exc:
        _remove(path)
        raise ExportCheckError(f"{Path(path).name} failed its check and was not kept: {exc}.") from None
    except Exception as exc:  # noqa: BLE001 - any runtime failure is the file's: report it, do not pass it on
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        _remove(path)
        raise ExportCheckError(f"{Path(path).name} failed its check and was not kept: {runtime} cannot run it "
                               f"({first}).") from None
    if got.shape != expected.shape:
        _remove(path)
        raise ExportCheckError(f"{Path(path).name} failed its check and was not kept: it outputs shape "
                               f"{got.shape}, Keras {expected.shape}.")
    diff = float(np.max(np.abs(got.astype(np.float64) - expected.astype(np.float64)))) if got.size else 0.0
    if not diff <= TOLERANCE:
        _remove(path)
        raise ExportCheckError(f"{Path(path).name} failed its check and was not kept: on one random input it "
                               f"differs from Keras by {diff:.2g} (at most {TOLERANCE:g} is accepted).")
    return f"checked in {runtime}: max difference from Keras {diff:.1e}"


def _remove(path) -> None:
    try:
        Path(path).unlink()
    except OSError:
        pass
