"""The fit loop: ``model.fit`` with our settings, metrics out through a plain callable, a stop flag in.

Batch metrics are delivered by a Keras callback marked ``async_safe``: Keras then runs it on its own
callback thread, so reading the metrics (a device -> host copy) never stalls the training loop. The
callable receives plain Python floats only: ``on_event(kind, payload)`` with kind ``begin``, ``batch``,
``epoch`` or ``end``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..core.errors import DatasetError, TrainingError
from ..core.settings import LOSSES, OPTIMIZERS, SCHEDULES, TrainConfig, training_rows  # noqa: F401 - one schema
from ..core.words import count
from .datasets import Prepared
from .distribute import fit_feed
from .runtime import get_keras, set_random_seed

EventFn = Callable[[str, dict], None]


@dataclass
class TrainResult:
    epochs_run: int
    stopped: str  # "finished", "stopped" (user), "early" (early stopping), "nan"
    message: str
    history: dict[str, list[float]] = field(default_factory=dict)
    test_loss: float | None = None
    test_accuracy: float | None = None
    seconds: float = 0.0
    # Where the last completed batch was, 1-based: {"epoch": e, "batch": b, "steps": batches per epoch}.
    # After a stop the model holds the weights from exactly that batch's update.
    stopped_at: dict | None = None
    test_outputs: np.ndarray | None = field(default=None, repr=False)  # the model's test-set outputs, if kept


class StopBeforeBatch(Exception):
    """Raised from ``on_train_batch_begin`` to end ``fit`` before that batch trains (a run stopped while paused:
    the weights stay those the user saw). Setting ``stop_training`` there would still train the batch."""


class StopFlag:
    """Set from any thread; training ends after the batch in progress."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


def make_optimizer(cfg: TrainConfig, total_steps: int = 0):
    keras = get_keras()
    lr = float(cfg.learning_rate)
    if cfg.lr_schedule == "cosine" and total_steps > 0:
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=total_steps)
    if cfg.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=cfg.momentum)
    return {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
            "adagrad": keras.optimizers.Adagrad}[cfg.optimizer](learning_rate=lr)


def accuracy_metric(loss: str):
    keras = get_keras()
    if loss == "binary_crossentropy":
        return keras.metrics.BinaryAccuracy(name="accuracy")
    if loss == "sparse_categorical_crossentropy":
        return keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    if loss == "categorical_crossentropy":
        return keras.metrics.CategoricalAccuracy(name="accuracy")
    return keras.metrics.MeanAbsoluteError(name="mae")


def total_steps(cfg: TrainConfig, n_examples: int) -> int:
    n_train = training_rows(n_examples, cfg.validation_split)
    return math.ceil(n_train / cfg.batch_size) * cfg.epochs


def compile_model(model, cfg: TrainConfig, loss: str, n_examples: int = 0, for_training: bool = True) -> None:
    """``for_training=False``: a model compiled only to be scored gets no optimizer state."""
    model.compile(optimizer=make_optimizer(cfg, total_steps(cfg, n_examples)), loss=loss,
                  metrics=[accuracy_metric(loss)])
    if for_training:
        build_optimizer(model)


def build_optimizer(model) -> None:
    """Create the optimizer's variables now, as Keras itself does before a distributed fit.

    Without a distribution strategy, Keras' TensorFlow trainer leaves them to the first traced training step,
    and a ``tf.function`` that creates variables is traced with them lifted out first: on a small network that
    is most of pressing Start (compile + fit of a 2-4-1 gate 0.44 s -> 0.25 s: benchmarks/optimizer_build.py).
    The variables start as they would anyway (zeros, the step count 0), so a run's numbers are the same to the bit."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built and model.built and all(layer.built for layer in model.layers):
        optimizer.build(model.trainable_variables)  # (a layer still unbuilt would have variables it lacks)


def _make_callback(on_event: EventFn | None, stop: StopFlag | None, state: dict, steps: int, batch_size: int,
                   n_train: int):
    keras = get_keras()

    class PlaygroundCallback(keras.callbacks.Callback):
        # Keras runs *_batch_end of async-safe callbacks on a worker thread, so fetching the
        # metrics never blocks the next training step.
        async_safe = True

        def __init__(self):
            super().__init__()
            self.epoch = 0
            self.lock = threading.Lock()
            self.pending: dict[int, tuple[float, float]] = {}  # batch -> running means, not yet sent
            self.next_batch = 0
            self.prev = (0.0, 0.0, 0)  # running loss mean, accuracy mean, samples seen, this epoch
            self.t0 = time.perf_counter()

        def on_train_begin(self, logs=None):
            self.t0 = time.perf_counter()
            if on_event:
                on_event("begin", {"epochs": float(self.params.get("epochs", 0)), "steps": float(steps)})

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            with self.lock:
                self.pending.clear()
                self.next_batch = 0
                self.prev = (0.0, 0.0, 0)

        def on_train_batch_begin(self, batch, logs=None):
            # Keras runs this batch whatever we set here and stops after it, so it is the last one.
            state["last"] = (self.epoch, batch)
            if (stop is not None and stop.is_set()) or state.get("nan"):
                self.model.stop_training = True

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            loss = float(logs.get("loss", float("nan")))
            acc = float(logs.get("accuracy", logs.get("mae", float("nan"))))
            if not math.isfinite(loss):
                state.setdefault("nan", (self.epoch, batch, loss))
                self.model.stop_training = True
            # Keras' worker threads may finish out of order: emit strictly by batch index.
            with self.lock:
                self.pending[batch] = (loss, acc)
                while self.next_batch in self.pending:
                    b = self.next_batch
                    self._emit(b, *self.pending.pop(b))
                    self.next_batch += 1

        def _emit(self, batch, loss, acc):
            # Keras reports running means over the epoch; recover this batch's own values.
            seen = min((batch + 1) * batch_size, n_train)
            m_loss, m_acc, prev_seen = self.prev
            k = max(seen - prev_seen, 1)
            raw_loss = (loss * seen - m_loss * prev_seen) / k
            raw_acc = (acc * seen - m_acc * prev_seen) / k
            self.prev = (loss, acc, seen)
            if on_event:
                on_event("batch", {"epoch": float(self.epoch), "batch": float(batch), "steps": float(steps),
                                   "loss": raw_loss, "accuracy": raw_acc, "mean_loss": loss, "mean_accuracy": acc,
                                   "elapsed": time.perf_counter() - self.t0})

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            state["epochs_run"] = epoch + 1
            if on_event:
                on_event("epoch", {"epoch": float(epoch), **{k: float(v) for k, v in logs.items()
                                                           if isinstance(v, (int, float, np.floating))},
                                   "elapsed": time.perf_counter() - self.t0})

    return PlaygroundCallback()


def _early_stopping(monitor: str, patience: int, stop: StopFlag | None):
    """Keras' EarlyStopping with the best epoch's weights restored at the end of the run, except after a stop
    by the user: that run says "the weights are those after batch n", and keeps them."""
    keras = get_keras()

    class EarlyStopping(keras.callbacks.EarlyStopping):
        def on_train_end(self, logs=None):
            if stop is None or not stop.is_set():
                super().on_train_end(logs)

    return EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)


def check_writable_dir(folder: str, what: str) -> None:
    """Create ``folder`` if needed and prove a file can be written there; TrainingError names it if not."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise TrainingError(f"Cannot write {what} {folder}: {exc.strerror or exc}.") from None


def train(model, data: Prepared, cfg: TrainConfig, on_event: EventFn | None = None,
          stop: StopFlag | None = None, compile: bool = True, extra_callbacks: list | None = None,
          keep_test_outputs: bool = False) -> TrainResult:
    """Fit ``model`` on ``data``; returns how it ended. NaN or infinite loss stops with a message.

    With ``keep_test_outputs`` the test set goes through the model once (``predict``) and the test loss
    and accuracy are computed from those outputs, which are kept in ``result.test_outputs`` (for the
    confusion matrix); otherwise ``evaluate`` scores it."""
    keras = get_keras()
    cfg.check()
    if cfg.seed is not None:
        set_random_seed(int(cfg.seed))
    if compile:
        compile_model(model, cfg, data.loss, len(data.x_train))
    n = len(data.x_train)
    if n == 0:
        raise DatasetError("The training set is empty.")
    n_train = training_rows(n, cfg.validation_split)
    feed = fit_feed(data.x_train, data.y_train, cfg.batch_size, cfg.validation_split, cfg.seed)
    steps = feed.steps
    state: dict = {}
    history = keras.callbacks.History()  # ours, so the epochs before a StopBeforeBatch are still at hand
    callbacks = [_make_callback(on_event, stop, state, steps, cfg.batch_size, n_train), *(extra_callbacks or []),
                 history]
    if cfg.early_stopping:
        monitor = "val_loss" if cfg.validation_split else "loss"
        callbacks.append(_early_stopping(monitor, cfg.early_stopping, stop))
    if cfg.tensorboard_dir:
        import importlib.util  # noqa: PLC0415
        if importlib.util.find_spec("tensorboard") is None:
            raise TrainingError("TensorBoard logging needs the tensorboard package: pip install tensorboard")
        check_writable_dir(cfg.tensorboard_dir, "the TensorBoard folder")
        callbacks.append(keras.callbacks.TensorBoard(log_dir=cfg.tensorboard_dir))
    t0 = time.perf_counter()
    try:
        model.fit(**feed.kwargs, epochs=cfg.epochs, callbacks=callbacks, verbose=0)
    except StopBeforeBatch:
        _before_last(state, steps)
        state["halted"] = True
        model._eval_epoch_iterator = None  # noqa: SLF001 - what fit's end drops (the validation pipeline)
        for callback in callbacks:  # (no EarlyStopping restore: a stop keeps the weights it names)
            if isinstance(callback, keras.callbacks.TensorBoard):
                callback.on_train_end()  # its files closed, as at the end of any fit
    except (ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise TrainingError(f"Training could not start: {first}") from None
    except MemoryError:
        raise TrainingError("Out of memory: lower the batch size or the layer sizes.") from None
    seconds = time.perf_counter() - t0
    history = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    epochs_run = state.get("epochs_run", len(history.get("loss", [])))
    if state.get("nan"):
        ep, batch, val = state["nan"]
        result = TrainResult(epochs_run, "nan", f"Training stopped: the loss became {val} at epoch {ep + 1}, "
                             f"batch {batch + 1}. Try a smaller learning rate (now {cfg.learning_rate:g}).",
                             history, seconds=seconds)
    elif (stop is not None and stop.is_set()) or state.get("halted"):
        result = TrainResult(epochs_run, "stopped", _stop_message(state.get("last"), steps, cfg.epochs), history,
                             seconds=seconds)
    elif epochs_run < cfg.epochs and cfg.early_stopping:
        result = TrainResult(epochs_run, "early", f"Early stopping after {count(epochs_run, 'epoch')}: no improvement "
                             f"for {count(cfg.early_stopping, 'epoch')}.", history, seconds=seconds)
    elif epochs_run < cfg.epochs:  # a callback ended it (the logic lab's loss target)
        result = TrainResult(epochs_run, "early", f"Stopped after {count(epochs_run, 'epoch')}: the loss reached "
                             f"its target.", history, seconds=seconds)
    else:
        result = TrainResult(epochs_run, "finished", f"Finished {count(epochs_run, 'epoch')} in {seconds:.1f} s.",
                             history, seconds=seconds)
    if "last" in state:
        ep, batch = state["last"]
        result.stopped_at = {"epoch": ep + 1, "batch": batch + 1, "steps": steps}
    if data.x_test is not None and result.stopped != "nan" and keep_test_outputs:
        outputs = predict(model, data.x_test)
        result.test_loss, result.test_accuracy = scores_from_outputs(data.loss, data.y_test, outputs)
        result.test_outputs = outputs
    elif data.x_test is not None and result.stopped != "nan":
        scores = model.evaluate(data.x_test, data.y_test, batch_size=max(cfg.batch_size, 256), verbose=0,
                                return_dict=True)
        result.test_loss = float(scores["loss"])
        result.test_accuracy = float(scores.get("accuracy", float("nan")))
    if on_event:
        on_event("end", {"epochs_run": float(epochs_run)})
    return result


def _before_last(state: dict, steps: int) -> None:
    """``state["last"]`` names the batch a StopBeforeBatch kept from training: name the one before it."""
    if "last" not in state:
        return
    epoch, batch = state.pop("last")
    if batch > 0:
        state["last"] = (epoch, batch - 1)
    elif epoch > 0:
        state["last"] = (epoch - 1, steps - 1)


def _stop_message(last: tuple[int, int] | None, steps: int, epochs: int) -> str:
    if last is None:
        return "Stopped by you before the first batch; the weights are as they were."
    ep, batch = last[0] + 1, last[1] + 1
    if batch == steps:
        whole = "its one batch" if steps == 1 else f"all {steps} batches"
        return f"Stopped by you after epoch {ep} of {epochs} ({whole}); the weights are those after epoch {ep}."
    return (f"Stopped by you at epoch {ep} of {epochs}, batch {batch} of {steps}; the weights are those after "
            f"batch {batch}.")


def scores_from_outputs(loss: str, y: np.ndarray, outputs: np.ndarray) -> tuple[float, float]:
    """(loss, accuracy) over a whole set, as ``evaluate`` reports them, from the model's outputs
    (one pass through the model serves both the scores and the confusion matrix)."""
    keras = get_keras()
    value = float(keras.ops.convert_to_numpy(keras.ops.mean(keras.losses.get(loss)(y, outputs))))
    out = np.asarray(outputs)
    if loss == "binary_crossentropy":
        acc = np.mean((out > 0.5).astype(np.float32) == np.asarray(y, np.float32))
    elif loss == "sparse_categorical_crossentropy":
        acc = np.mean(out.argmax(axis=-1) == np.asarray(y).reshape(-1))
    elif loss == "categorical_crossentropy":
        acc = np.mean(out.argmax(axis=-1) == np.asarray(y).argmax(axis=-1))
    else:  # mse: the metric is the mean absolute error (see accuracy_metric)
        acc = np.mean(np.abs(np.asarray(y, np.float32) - out))
    return value, float(acc)


def predict(model, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Model outputs as numpy, without the progress bar."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
