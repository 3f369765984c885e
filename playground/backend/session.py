"""One training run, end to end: dataset -> model -> fit -> evaluate. Shared by the CLI and the app's worker.

It never mutates the graph: trained weights come back in ``Outcome.weights`` and the caller applies
them (the app through its undo stack, on the GUI thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import DatasetError
from ..core.graph import Graph
from .builder import build_model, read_weights
from .datasets import Dataset, Prepared, load, prepare
from .distribute import distribution, weight_device_count
from .training import StopFlag, TrainConfig, TrainResult, compile_model, train


@dataclass
class Outcome:
    model: object
    result: TrainResult
    weights: dict[str, dict[str, np.ndarray]]
    data: Prepared
    dataset: Dataset
    devices: int = 1
    predictions: tuple[np.ndarray, np.ndarray] | None = None  # (predicted, true class) on the test split


def model_io(graph: Graph) -> tuple[tuple[int, ...], int]:
    """(Input shape, output units) of a single-input, single-output graph."""
    from ..core import shapes  # noqa: PLC0415
    ins, outs = graph.inputs(), graph.outputs()
    if len(ins) != 1 or len(outs) != 1:
        raise DatasetError(f"Training needs one Input and one output layer; this network has {len(ins)} and "
                           f"{len(outs)}.")
    info = shapes.infer(graph)[outs[0].id]
    if info.shape is None or len(info.shape) != 1:
        raise DatasetError(f"The output layer {outs[0].name!r} must produce a vector (like 10 class scores); it "
                           f"produces {info.shape}. Add Flatten and a Dense layer.")
    return tuple(ins[0].params["shape"]), info.shape[0]


# The last dataset prepared, kept for the next run: pressing Start again on the same data should not pay
# for reading and scaling it again (0.1-0.4 s for the built-in digits on 2 cores, seconds for full MNIST).
# One entry only; the arrays are shared with the Outcome that holds them anyway, and nothing writes to them.
_PREPARED: dict = {}


def _data_key(dataset: str, in_shape: tuple, units: int, loss: str):
    """What identifies prepared arrays: the dataset (a file by its path, size and time), the model's
    Input shape and output units, the loss. None for what cannot be identified cheaply (an image folder)."""
    from .datasets import REGISTRY, keras_cache_dir  # noqa: PLC0415
    if dataset in REGISTRY:
        where = None if REGISTRY[dataset].offline else str(keras_cache_dir())
        return ("registry", dataset, where, in_shape, units, loss)
    path = Path(dataset)
    if not path.is_file():
        return None
    st = path.stat()
    return ("file", str(path.resolve()), st.st_size, st.st_mtime_ns, in_shape, units, loss)


def prepare_for(graph: Graph, dataset: str | Dataset, loss: str = "auto") -> tuple[Dataset, Prepared]:
    in_shape, units = model_io(graph)
    key = _data_key(dataset, tuple(in_shape), units, loss) if isinstance(dataset, str) else None
    if key is not None and key in _PREPARED:
        return _PREPARED[key]
    ds = load(dataset) if isinstance(dataset, str) else dataset
    pair = ds, prepare(ds, in_shape, units, loss)
    if key is not None:
        _PREPARED.clear()
        _PREPARED[key] = pair
    return pair


def run_training(graph: Graph, dataset: str | Dataset, settings: dict, on_event=None,
                 stop: StopFlag | None = None, devices=None, name: str = "playground",
                 weights_every: int = 0, predictions: bool = False) -> Outcome:
    """Train a copy of the graph's network. With ``weights_every`` = k, also sends
    ``on_event("weights", {node id: {var: array}})`` every k epochs (the logic lab's live weights).
    With ``predictions``, ``Outcome.predictions`` holds (predicted, true class) on the test split, from the
    same pass through the model that scores it."""
    cfg = TrainConfig.from_settings(settings)
    from ..core.limits import check_buildable  # noqa: PLC0415
    check_buildable(graph, cfg.batch_size)  # before the dataset loads or Keras allocates anything
    ds, data = prepare_for(graph, dataset, cfg.loss)
    extra = [_weights_callback(graph, on_event, weights_every)] if weights_every and on_event else []
    with distribution(devices, cfg.batch_size) as n:
        model = build_model(graph, name)
        compile_model(model, cfg, data.loss, len(data.x_train))
        result = train(model, data, cfg, on_event=on_event, stop=stop, compile=False, extra_callbacks=extra,
                       keep_test_outputs=predictions)
        used = weight_device_count(model) if n > 1 else 1
    outcome = Outcome(model, result, read_weights(model, graph), data, ds, used)
    if result.test_outputs is not None:
        outcome.predictions = classes(result.test_outputs, data.y_test)
        result.test_outputs = None  # the classes are what is kept; the outputs can go
    return outcome


def _weights_callback(graph: Graph, on_event, every: int):
    from .runtime import get_keras  # noqa: PLC0415
    keras = get_keras()

    class WeightsCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch % every == 0:
                on_event("weights", read_weights(self.model, graph))

    return WeightsCallback()


def test_set_predictions(outcome: Outcome, limit: int = 10_000) -> tuple[np.ndarray, np.ndarray] | None:
    """(predicted class, true class) on the test split, for the confusion matrix and gallery."""
    from .training import predict  # noqa: PLC0415
    data = outcome.data
    if data.x_test is None:
        return None
    x, y = data.x_test[:limit], data.y_test[:limit]
    return classes(predict(outcome.model, x), y)


def classes(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class, true class) from model outputs and labels as the loss needs them."""
    if probs.shape[-1] == 1:
        pred = (probs[:, 0] >= 0.5).astype(int)
        true = np.asarray(y).reshape(-1).astype(int)
    else:
        pred = probs.argmax(axis=1)
        true = np.asarray(y).argmax(axis=1) if np.asarray(y).ndim == 2 else np.asarray(y).astype(int)
    return pred, true
