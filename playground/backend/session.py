"""One training run, end to end: dataset -> model -> fit -> evaluate. Shared by the CLI and the app's worker.

It never mutates the graph: trained weights come back in ``Outcome.weights`` and the caller applies
them (the app through its undo stack, on the GUI thread).

Exact replay: every run is seeded (a drawn seed when the settings have none, recorded in the outcome)
*before* the model is built, so the initial weights, dropout masks, shuffling and the validation split
(Keras holds out the last fraction, unshuffled) repeat; TensorFlow's op determinism makes the kernels
repeat too. Pause and single steps: a ``PauseGate`` the training thread waits on at the start of a batch.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..core.errors import DatasetError
from ..core.graph import Graph
from .builder import build_model, read_weights
from .datasets import Dataset, Prepared, load, prepare
from .distribute import distribution, local_copy, weight_device_count
from .hosts import agree, process_count
from .training import StopBeforeBatch, StopFlag, TrainConfig, TrainResult, compile_model, train


@dataclass
class Outcome:
    model: object
    result: TrainResult
    weights: dict[str, dict[str, np.ndarray]]
    data: Prepared
    dataset: Dataset
    devices: int = 1
    predictions: tuple[np.ndarray, np.ndarray] | None = None  # (predicted, true class) on the test split
    seed: int | None = None  # the seed actually used (drawn when the settings had none)
    steps: int = 0  # batches per epoch
    batches: dict[str, np.ndarray] = field(default_factory=dict)  # per-batch "loss", "accuracy", in order


def _names(nodes, most: int = 4) -> str:
    return ", ".join(repr(n.name) for n in nodes[:most]) + (f" and {len(nodes) - most} more" if len(nodes) > most
                                                             else "")


def model_io(graph: Graph) -> tuple[tuple[int, ...], int]:
    """(Input shape, output units) of a single-input, single-output graph."""
    from ..core import analysis
    ins, outs = graph.inputs(), graph.outputs()
    if len(ins) != 1 or len(outs) != 1:  # each named (a drive: "this network has 2 and 2")
        ends = f"{len(outs)} layers that nothing follows ({_names(outs)})" if len(outs) > 1 else \
            "no output layer" if not outs else "one output layer"
        fix = " Each layer but the output must lead on to another: wire the others in, or delete them." \
            if len(outs) > 1 else ""
        starts = f"{len(ins)} Inputs ({_names(ins)})" if len(ins) > 1 else "no Input" if not ins else "one Input"
        raise DatasetError(f"Training needs one Input and one output layer; this network has {starts} and "
                           f"{ends}.{fix}")
    info = analysis.infer(graph)[outs[0].id]
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
    ds = load(dataset, tuple(in_shape)) if isinstance(dataset, str) else dataset  # (images straight to the Input)
    pair = ds, prepare(ds, in_shape, units, loss)
    if key is not None:
        _PREPARED.clear()
        _PREPARED[key] = pair
    return pair


def run_training(graph: Graph, dataset: str | Dataset, settings: dict, on_event=None,
                 stop: StopFlag | None = None, devices=None, name: str = "playground",
                 weights_every: int = 0, predictions: bool = False, pause: "PauseGate | None" = None,
                 until_loss: float | None = None, stop_after: tuple[int, bool] | None = None) -> Outcome:
    """Train a copy of the graph's network. With ``weights_every`` = k, also sends
    ``on_event("weights", {node id: {var: array}})`` every k epochs (the logic lab's live weights). With
    ``until_loss``, training ends after the first epoch whose loss is below it (the logic lab's Learn instead:
    every row right by a clear margin), as exactly on a replay as the epochs themselves.
    With ``predictions``, ``Outcome.predictions`` holds (predicted, true class) on the test split, from the
    same pass through the model that scores it.

    The same graph (weights included), dataset, settings and seed give the same curves and weights, bit for
    bit, on the same machine and backend. With ``pause``, training can be paused, resumed and stepped
    one batch at a time; while paused, ``on_event("paused", ...)`` carries the state after the last batch.
    """
    given_seed = settings.get("seed")
    settings = {**settings, "seed": resolve_seed(given_seed)}
    cfg = TrainConfig.from_settings(settings)
    from ..core.limits import check_buildable  # noqa: PLC0415
    from .opaque import opaque_counts  # noqa: PLC0415
    several = process_count() > 1
    try:
        check_buildable(graph, cfg.batch_size, counts=opaque_counts(graph))  # before the data loads or Keras allocates
        if cfg.start_weights == "fresh":  # new weights from the seed for every trainable layer
            from ..core.runs import fresh_start  # noqa: PLC0415
            graph = fresh_start(graph)
        ds, data = prepare_for(graph, dataset, cfg.loss)
    except Exception:
        if several:  # tell the others, which would otherwise wait for this process in agree()
            agree(graph, settings, None, None, failed=True)
        raise
    if several:  # the same run on every process, from process 0's seed (so every copy starts alike)
        agreed = agree(graph, {**settings, "seed": given_seed}, data, None if given_seed is not None else cfg.seed)
        if agreed is not None:
            settings = {**settings, "seed": agreed}
            cfg = TrainConfig.from_settings(settings)
    recorder = _Recorder(on_event)
    extra = [_weights_callback(graph, on_event, weights_every)] if weights_every and on_event else []
    if until_loss is not None:
        extra.append(_until_loss_callback(float(until_loss)))
    with distribution(devices, cfg.batch_size) as n:
        seed_everything(cfg.seed)  # before the model exists: its initial weights come from this seed
        model = build_model(graph, name)
        compile_model(model, cfg, data.loss, len(data.x_train))
        if pause is not None:
            extra.append(_pause_callback(pause, recorder, graph, ds, data))
        if stop_after is not None:
            extra.append(_stop_after_callback(*stop_after, recorder, stop))
        # Across processes the test set is scored after training, by each process on its own copy (below).
        fit_data = replace(data, x_test=None, y_test=None) if several else data
        result = train(model, fit_data, cfg, on_event=recorder, stop=stop, compile=False, extra_callbacks=extra,
                       keep_test_outputs=predictions)
        used = weight_device_count(model) if n > 1 else 1
    if several:
        model = local_copy(model)
        compile_model(model, cfg, data.loss, len(data.x_train), for_training=False)
        if data.x_test is not None and result.stopped != "nan":
            scores = model.evaluate(data.x_test, data.y_test, batch_size=max(cfg.batch_size, 256), verbose=0,
                                    return_dict=True)
            result.test_loss = float(scores["loss"])
            result.test_accuracy = float(scores.get("accuracy", float("nan")))
    weights = read_weights(model, graph)
    if result.stopped != "nan" and not all(np.all(np.isfinite(v)) for w in weights.values() for v in w.values()):
        _weights_not_finite(result, cfg.learning_rate, recorder.curves().get("loss", ()))
    outcome = Outcome(model, result, weights, data, ds, used, seed=cfg.seed, steps=recorder.steps,
                      batches=recorder.curves())
    if result.test_outputs is not None:
        outcome.predictions = classes(result.test_outputs, data.y_test)
        result.test_outputs = None  # the classes are what is kept; the outputs can go
    return outcome


def _weights_not_finite(result: TrainResult, learning_rate: float, losses) -> None:
    """A run whose weights became NaN or infinite while its loss was still a number (a learning rate of 1e9,
    stopped after a few batches: loss 1.7e30) ends as a NaN run: its weights are not kept, nor its test scores."""
    at = result.stopped_at or {}
    where = f" by epoch {at['epoch']}, batch {at['batch']}" if at else ""
    loss = f", while the loss was still {float(losses[-1]):.3g}" if len(losses) else ""
    result.stopped, result.test_loss, result.test_accuracy, result.test_outputs = "nan", None, None, None
    result.message = (f"Training stopped: the weights became NaN (not a number){where}{loss}. Try a smaller "
                      f"learning rate (now {learning_rate:g}).")


def rebuild(graph: Graph, dataset: str, loss: str = "auto", name: str = "playground") -> Outcome:
    """The model the project's stored weights describe, with the dataset prepared for it: what a finished
    run leaves behind, without training (See inside and Draw a digit after a project is reopened).
    Layers without stored weights start from random values, as they would at the next run."""
    ds, data = prepare_for(graph, dataset, loss)
    model = build_model(graph, name)
    result = TrainResult(0, "rebuilt", "Rebuilt from the project's saved weights (no training).")
    return Outcome(model, result, {}, data, ds)


# ------------------------------------------------------------------ exact replay

def resolve_seed(seed) -> int:
    """The seed a run uses: the one given, or a fresh one (recorded, so the run can still be replayed)."""
    return secrets.randbelow(2 ** 31) if seed is None else int(seed)


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the backend (``runtime.set_random_seed``); with ``deterministic``, also
    ask the backend for deterministic kernels. On TensorFlow that is process-wide and cannot be undone."""
    from .runtime import get_keras, set_random_seed  # noqa: PLC0415
    keras = get_keras()
    set_random_seed(int(seed))
    if deterministic:
        _deterministic_kernels(keras.backend.backend())


def _deterministic_kernels(backend: str) -> None:
    if backend == "tensorflow":
        import tensorflow as tf  # noqa: PLC0415 - the backend's own switch; Keras has none
        tf.config.experimental.enable_op_determinism()
    elif backend == "torch":
        import torch  # noqa: PLC0415
        torch.use_deterministic_algorithms(True, warn_only=True)
    # JAX is deterministic on CPU; on a GPU it needs XLA_FLAGS=--xla_gpu_deterministic_ops=true before start.


class _Recorder:
    """Passes events on and keeps the per-batch curves (Keras' callback thread calls it, in batch order)."""

    def __init__(self, on_event) -> None:
        self.on_event = on_event
        self.loss: list[float] = []
        self.accuracy: list[float] = []
        self.steps = 0
        self.done = threading.Condition()  # batches recorded so far: a pause waits for the ones in flight

    def __call__(self, kind: str, p: dict) -> None:
        if kind == "batch":
            with self.done:
                self.loss.append(p["loss"])
                self.accuracy.append(p["accuracy"])
                self.steps = int(p["steps"])
                if self.on_event is not None:  # announced before a pause can see it counted
                    self.on_event(kind, p)
                self.done.notify_all()
            return
        if self.on_event is not None:
            self.on_event(kind, p)

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` batches are recorded (and announced), or ``timeout`` seconds pass."""
        with self.done:
            self.done.wait_for(lambda: len(self.loss) >= count, timeout)

    def curves(self) -> dict[str, np.ndarray]:
        return {"loss": np.asarray(self.loss, np.float64), "accuracy": np.asarray(self.accuracy, np.float64)}


# ------------------------------------------------------------------ pause, resume, step

class PauseGate:
    """Pause, resume and single steps, from any thread. The training thread calls ``hold`` at the start of
    a batch only when ``is_set()``: an unpaused run pays one ``Event.is_set()`` and one attribute read per batch.
    A paused thread sleeps on a condition (no polling) until resumed, stepped or released."""

    def __init__(self) -> None:
        self._paused = threading.Event()
        self._cond = threading.Condition()
        self._steps = 0  # batches granted by Step and not yet started
        self._released = False  # stop: never wait again
        self._halted = False  # stopped while paused or stepping: the next batch must not train

    def is_set(self) -> bool:
        return self._paused.is_set()

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        with self._cond:
            self._paused.clear()
            self._steps = 0
            self._cond.notify_all()

    def step(self) -> None:
        """Run exactly one more batch, then pause again."""
        with self._cond:
            self._paused.set()
            self._steps += 1
            self._cond.notify_all()

    @property
    def released(self) -> bool:
        return self._released

    @property
    def halted(self) -> bool:
        return self._halted

    def release(self) -> None:
        """Stop waiting for good (the run is being stopped). A run paused or stepping then trains no more
        batches (``halted``); a running one ends after the batch in progress."""
        with self._cond:
            self._halted = self._halted or self._paused.is_set()
            self._released = True
            self._paused.clear()
            self._cond.notify_all()

    def hold(self, announce) -> None:
        """In the training thread: unless a step is already granted, call ``announce()`` then sleep until
        resumed, stepped or released."""
        with self._cond:
            if self._steps or self._released or not self._paused.is_set():
                self._steps = max(self._steps - 1, 0)
                return
        announce()
        with self._cond:
            self._cond.wait_for(lambda: self._steps or self._released or not self._paused.is_set())
            self._steps = max(self._steps - 1, 0)


def _epoch_aware():
    """A Keras callback class that knows the epoch it is in. Its subclasses here hook only ``*_batch_begin`` (and
    ``on_train_end``), so Keras keeps dispatching the metric callbacks asynchronously."""
    from .runtime import get_keras  # noqa: PLC0415

    class EpochAware(get_keras().callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

    return EpochAware


def _pause_callback(gate: PauseGate, recorder: _Recorder, graph: Graph, ds: Dataset, data: Prepared):
    class PauseCallback(_epoch_aware()):
        def on_train_batch_begin(self, batch, logs=None):
            if gate.is_set():  # with the read of ``halted``, the whole per-batch cost of an unpaused run
                gate.hold(lambda: self._announce(batch))
            if gate.halted:  # stopped while paused or stepping: end before this batch trains, every finished
                self._settle(batch)  # batch recorded first
                raise StopBeforeBatch

        def _settle(self, batch):
            done = self.epoch * max(recorder.steps, 1) + batch if recorder.steps else batch
            recorder.wait_for(done)

        def _announce(self, batch):
            self._settle(batch)  # the plots get every finished batch before "paused"
            if recorder.on_event is not None:
                recorder.on_event("paused", {"epoch": self.epoch, "batch": batch, "steps": recorder.steps,
                                             "batches_done": len(recorder.loss),
                                             "weights": read_weights(self.model, graph),
                                             "model": snapshot_model(self.model), "data": data, "dataset": ds})

    return PauseCallback()


def _stop_after_callback(batches: int, as_keras: bool, recorder: _Recorder, stop: StopFlag | None):
    """A replay of a stopped run ends as that run did, after ``batches`` batches: stopped while it ran
    (``as_keras``: Keras trains the batch it is starting, then ends the epoch early, its validation and epoch
    record included), or while paused (before the next batch, nothing more recorded)."""
    class StopAfter(_epoch_aware()):
        def on_train_end(self, logs=None):  # stopped in its last batch: it ran to the end, and said stopped
            if stop is not None and len(recorder.loss) >= batches:
                stop.set()

        def on_train_batch_begin(self, batch, logs=None):
            done = self.epoch * max(recorder.steps, 1) + batch  # batches trained before this one
            if as_keras and done == batches - 1:
                if stop is not None:
                    stop.set()  # reported as a stop, where it stopped
                self.model.stop_training = True
            elif not as_keras and done >= batches:
                recorder.wait_for(done)
                raise StopBeforeBatch

    return StopAfter()


def snapshot_model(model):
    """A copy of ``model`` with its current weights, safe to use from another thread while training goes on.

    Building the copy draws seeds for initial values (overwritten at once) from Python's and NumPy's
    random state; both are put back, so a paused run stays identical to an unpaused one."""
    import random  # noqa: PLC0415

    from .runtime import get_keras  # noqa: PLC0415
    keras = get_keras()
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        copy = keras.models.clone_model(model)
        copy.set_weights(model.get_weights())
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
    return copy


def _until_loss_callback(target: float):
    from .runtime import get_keras  # noqa: PLC0415
    keras = get_keras()

    class UntilLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is not None and float(loss) < target:
                self.model.stop_training = True

    return UntilLoss()


def _weights_callback(graph: Graph, on_event, every: int):
    from .runtime import get_keras  # noqa: PLC0415
    keras = get_keras()

    class WeightsCallback(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch % every == 0:
                on_event("weights", read_weights(self.model, graph))

    return WeightsCallback()


def classes(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class, true class) from model outputs and labels as the loss needs them."""
    if probs.shape[-1] == 1:
        pred = (probs[:, 0] >= 0.5).astype(int)
        true = np.asarray(y).reshape(-1).astype(int)
    else:
        pred = probs.argmax(axis=1)
        true = np.asarray(y).argmax(axis=1) if np.asarray(y).ndim == 2 else np.asarray(y).astype(int)
    return pred, true
