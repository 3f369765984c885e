"""The one place where work crosses threads: training, and every other Keras call (import, export,
feature maps, predictions) through ``start_job``.

A TrainingWorker runs ``backend.session.run_training`` in a QThread. Metrics leave it as plain floats
through queued signals; per-batch metrics are condensed into one signal at most 5 times a second (every
batch is in it, none is dropped), so the GUI thread wakes, takes the GIL and repaints once per chunk rather
than once per batch. Any other event (epoch end, pause, the end) sends the batches before it first.
Stop sets a flag that ends training after the batch in progress. Pause, resume and step go through a
``PauseGate`` the training thread sleeps on (a condition, not a polling loop); while it sleeps, ``paused``
carries the state after the last batch (weights and a copy of the model). Whatever goes wrong in the backend
(a NaN, a shape mismatch, out of memory) comes back as a message; the graph is never touched here.
"""

from __future__ import annotations

import gc
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal

from ..core.errors import PlaygroundError
from ..core.graph import Graph


def failure_message(exc: BaseException) -> str:
    """One line for the user from any backend failure (typed errors keep their own words)."""
    if isinstance(exc, PlaygroundError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Out of memory: lower the batch size or the layer sizes, then try again."
    name = type(exc).__name__
    first = (str(exc).strip().splitlines() or [name])[0][:300]
    if "ResourceExhausted" in name or "out of memory" in first.lower() or "OOM" in first:
        return "Out of memory: lower the batch size or the layer sizes, then try again."
    return f"{name}: {first}"


class Job(QObject):
    """Runs ``fn(*args)`` once in a worker thread; the result or a one-line failure comes back queued."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn, *args):
        super().__init__()
        self.fn, self.args = fn, args

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as exc:  # noqa: BLE001 - the thread boundary: any failure becomes a message
            self.failed.emit(failure_message(exc))
        else:
            self.done.emit(result)

    def stop(self) -> None:
        """A job is one call: it cannot be cut short, only waited for."""


_JOBS: set = set()  # running job threads, kept alive until they finish


def start_job(fn, *args, on_done=None, on_failed=None, parent=None) -> "WorkerThread":
    """Run ``fn(*args)`` off the GUI thread; ``on_done(result)`` / ``on_failed(message)`` run in the GUI thread.

    The callbacks should be bound methods of QObjects (or plain functions): a receiver that is deleted
    before the job ends is simply not called.
    """
    job = Job(fn, *args)
    if on_done is not None:
        job.done.connect(on_done)
    if on_failed is not None:
        job.failed.connect(on_failed)
    thread = WorkerThread(job, parent)
    _JOBS.add(thread)
    thread.finished.connect(lambda t=thread: _JOBS.discard(t))
    thread.start()
    return thread


def wait_for_jobs(timeout_ms: int = 60_000) -> None:
    """Block until every running job ends (closing the app, tests)."""
    for t in list(_JOBS):
        t.wait(timeout_ms)


class TrainingWorker(QObject):
    begun = Signal(float, float, str)  # epochs, steps per epoch, device summary
    # a chunk of batches, in order: a list of (epoch, batch, steps, loss, accuracy, elapsed s) tuples of floats
    batches = Signal(object)
    epoch = Signal(dict)  # {metric: float}
    weights = Signal(object)  # {node id: {var: array}} (logic lab only; tiny networks)
    paused = Signal(object)  # {epoch, batch, steps, batches_done, weights, model, data, dataset}
    finished = Signal(object)  # backend.session.Outcome (with .predictions when asked for)
    failed = Signal(str)

    def __init__(self, graph: Graph, dataset, settings: dict, name: str = "playground", weights_every: int = 0,
                 predictions: bool = True):
        super().__init__()
        self.graph = graph.copy()  # the worker never sees the live graph
        self.dataset, self.settings, self.name = dataset, dict(settings), name
        self.weights_every, self.want_predictions = weights_every, predictions
        from ..backend.session import PauseGate  # plain Python, no Keras import
        from ..backend.training import StopFlag
        self.stop_flag = StopFlag()
        self.gate = PauseGate()
        self._chunk: list[tuple] = []  # batches not yet sent
        self._sent_at = 0.0
        self._lock = threading.Lock()  # Keras' callback thread sends batches, the training thread the rest

    CHUNK_S = 0.2  # batches go out at most this often: the plots draw at most 5 times a second (ui/plots.py)

    def _on_event(self, kind: str, p: dict) -> None:
        with self._lock:  # one lock keeps the order: the batches before an event reach the GUI before it
            if kind == "batch":
                self._chunk.append((p["epoch"], p["batch"], p["steps"], p["loss"], p["accuracy"], p["elapsed"]))
                now = time.perf_counter()
                if now - self._sent_at >= self.CHUNK_S:
                    self._flush(now)
                return
            self._flush(time.perf_counter())
            self._emit_event(kind, p)

    def _flush(self, now: float) -> None:
        if self._chunk:
            chunk, self._chunk = self._chunk, []
            self.batches.emit(chunk)
        self._sent_at = now

    def _emit_event(self, kind: str, p: dict) -> None:
        if kind == "epoch":
            self.epoch.emit({k: float(v) for k, v in p.items()})
        elif kind == "begin":
            self.begun.emit(p["epochs"], p["steps"], self.device)
        elif kind == "weights":
            self.weights.emit(p)
        elif kind == "paused":
            self.paused.emit(p)

    def run(self) -> None:
        try:
            from ..backend import runtime, session
            self.device = runtime.device_summary()  # imports Keras on first use
            # Keras and TensorFlow bring ~340k long-lived objects; a full collection over them takes
            # ~140 ms and holds the GIL, stalling training and the window alike. Freezing moves
            # them out of the collector's view (nothing is collected here: that stays in the GUI thread).
            gc.freeze()
            devices = self.settings.get("devices")
            outcome = session.run_training(self.graph, self.dataset, self.settings, on_event=self._on_event,
                                           devices=devices if devices and devices != 1 else None,
                                           stop=self.stop_flag, name=self.name, weights_every=self.weights_every,
                                           predictions=self.want_predictions, pause=self.gate)
        except Exception as exc:  # noqa: BLE001 - the thread boundary: any backend failure becomes a message
            message = failure_message(exc)
            name = type(exc).__name__
            if message.startswith(name + ": "):  # not one of ours: say it was training that failed
                message = f"Training failed ({name}): {message[len(name) + 2:]}"
            with self._lock:
                self._flush(time.perf_counter())
            self.failed.emit(message)
        else:
            with self._lock:
                self._flush(time.perf_counter())
            self.finished.emit(outcome)

    def stop(self) -> None:
        self.stop_flag.set()
        self.gate.release()  # a paused run wakes up to stop

    def pause(self) -> None:
        self.gate.pause()

    def resume(self) -> None:
        self.gate.resume()

    def step(self) -> None:
        self.gate.step()


class WorkerThread(QThread):
    """Owns one worker; ``start()`` runs it, ``stop(wait)`` ends it cleanly."""

    def __init__(self, worker: "TrainingWorker | Job", parent=None):
        super().__init__(parent)
        self.worker = worker
        from ..backend.deep import DEEP_STACK  # plain Python, no Keras import
        self.setStackSize(DEEP_STACK)  # Keras recurses along a deep model's longest path (reserved, not used)

    def run(self) -> None:
        from ..backend.deep import deep_thread
        with deep_thread():
            self.worker.run()

    def stop(self, wait: bool = False, timeout_ms: int = 60_000) -> bool:
        self.worker.stop()
        if wait and self.isRunning():
            return self.wait(timeout_ms)
        return True
