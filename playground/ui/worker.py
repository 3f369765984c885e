"""The one place where work crosses threads: training, and every other Keras call (import, export,
feature maps, predictions) through ``start_job``.

Work runs on long-lived worker threads (``WorkerThreads``): a task takes an idle one, or a new one when all are
busy (a job never waits behind a run), and the thread waits for the next task when it ends. A new thread per
task cost each training run about 50 ms of CPU in TensorFlow's first use of that thread (kernel lookups, found
with ``perf``; ``benchmarks/fit_thread.py``); Keras' own per-thread state is cleared after each task
(``backend.runtime.fresh_thread_state``), so a task sees the thread as new. ``WorkerTask`` is a task's handle in
the GUI thread: ``start``, ``isRunning``, ``wait``, ``stop`` and a ``finished`` signal.

A TrainingWorker runs ``backend.session.run_training`` on a worker thread. Metrics leave it as plain floats
through queued signals; per-batch metrics are condensed into one signal at most 5 times a second (every
batch is in it, none is dropped), so the GUI thread wakes, takes the GIL and repaints once per chunk rather
than once per batch. Any other event (epoch end, pause, the end) sends the batches before it first.
Stop sets a flag that ends training after the batch in progress. Pause, resume and step go through a
``PauseGate`` the training thread sleeps on (a condition, not a polling loop); while it sleeps, ``paused``
carries the state after the last batch (weights and a copy of the model). Whatever goes wrong in the backend
(a NaN, a shape mismatch, out of memory) comes back as a message; the graph is never touched here.
"""

from __future__ import annotations

import functools
import gc
import itertools
import queue
import threading
import time
import traceback

from PySide6.QtCore import QObject, Signal

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


def start_job(fn, *args, on_done=None, on_failed=None, parent=None) -> "WorkerTask":
    """Run ``fn(*args)`` off the GUI thread; ``on_done(result)`` / ``on_failed(message)`` run in the GUI thread.

    The callbacks should be bound methods of QObjects (or plain functions): a receiver that is deleted
    before the job ends is simply not called.
    """
    job = Job(fn, *args)
    if on_done is not None:
        job.done.connect(on_done)
    if on_failed is not None:
        job.failed.connect(on_failed)
    thread = WorkerTask(job, parent)  # kept alive until it ends by the keeper (WorkerTask.start)
    thread.start()
    return thread


def wait_for_jobs(timeout_ms: int = 60_000) -> None:
    """Block until every task still held ends (closing the app, tests)."""
    for t in list(_KEEPER[0].held.values()) if _KEEPER else []:
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
                 predictions: bool = True, until_loss: float | None = None,
                 stop_after: tuple[int, bool] | None = None):
        super().__init__()
        self.graph = graph.copy()  # the worker never sees the live graph
        self.dataset, self.settings, self.name = dataset, dict(settings), name
        self.weights_every, self.want_predictions, self.until_loss = weights_every, predictions, until_loss
        self.stop_after = stop_after  # a replay of a stopped run: (batches, stopped while running)
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
                                           predictions=self.want_predictions, pause=self.gate,
                                           until_loss=self.until_loss, stop_after=self.stop_after)
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


class WorkerThreads:
    """The app's worker threads: started when every one is busy, then kept, each waiting on its own inbox for
    the next task. Each has a ``DEEP_STACK`` stack (Keras recurses along a deep model's longest path; reserved,
    not used) and runs its tasks as ``deep_thread``. Daemon threads: an idle one never holds up quitting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue] = []  # the inboxes of the threads waiting for a task
        self._names = itertools.count(1)

    def run(self, body, then, after) -> None:
        """``body()`` on an idle worker thread (a new one if none is idle), then ``then()`` there, once the thread
        is idle again (a task started from ``then``'s signal finds it free), then ``after()`` once the thread
        holds nothing of the task."""
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            from ..backend.deep import start_deep_thread  # plain Python, no Keras import
            inbox = queue.SimpleQueue()
            start_deep_thread(self._serve, inbox, name=f"playground-worker-{next(self._names)}")
        inbox.put((body, then, after))

    def _serve(self, inbox: queue.SimpleQueue) -> None:
        from ..backend.deep import deep_thread
        from ..backend.runtime import fresh_thread_state  # plain Python: Keras only if it is loaded
        with deep_thread():
            while True:
                body, then, after = inbox.get()  # (a new thread, or one cleared after its last task)
                try:
                    body()  # a task turns its failures into messages; anything else ends this thread
                except BaseException:
                    _then(then)
                    raise
                fresh_thread_state()  # nothing of the task stays alive on an idle thread: not Keras' state,
                del body  # not the task's own objects (a model, test arrays) either
                with self._lock:
                    self._idle.append(inbox)
                _then(then)
                del then
                after()
                del after


def _then(then) -> None:
    """Run a task's ending; whatever it raises is printed, and the thread lives on to serve the next task."""
    try:
        then()
    except Exception:  # noqa: BLE001 - never lose a worker thread (and every later task) to one ending
        traceback.print_exc()


THREADS = WorkerThreads()


class _Keeper(QObject):
    """Holds every started task until its worker thread has let go of it, then lets go in the GUI thread: a
    task (and its worker, with their queued signals) is never freed in the worker thread, and a job nobody
    else holds lives until it has ended. The slot that lets go is the keeper's own: a slot holding the task
    would keep it, and a job's arguments, alive for good (a connection lives as long as its sender)."""

    let_go = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.held: dict[int, "WorkerTask"] = {}
        self.let_go.connect(self._drop)  # queued: this object lives in the GUI thread

    def _drop(self, key: int) -> None:
        self.held.pop(key, None)


_KEEPER: list[_Keeper] = []  # made by the first start(), in the GUI thread
_KEYS = itertools.count()


class WorkerTask(QObject):
    """Runs one worker (a ``TrainingWorker`` or a ``Job``) on a worker thread; ``stop(wait)`` ends it cleanly.
    ``finished`` comes after the worker's own signals (queued in the GUI thread, in order)."""

    finished = Signal()

    def __init__(self, worker: "TrainingWorker | Job", parent=None):
        super().__init__(parent)
        self.worker = worker
        self._started = False
        self._done = threading.Event()  # the worker has returned: isRunning() is False in a finished slot
        self._exited = threading.Event()  # ... and finished has been emitted: wait() returns after both

    def start(self) -> None:
        self._started = True
        if not _KEEPER:
            _KEEPER.append(_Keeper())
        keeper, key = _KEEPER[0], next(_KEYS)
        keeper.held[key] = self
        THREADS.run(self.worker.run, self._end, functools.partial(keeper.let_go.emit, key))

    def _end(self) -> None:
        self._done.set()
        try:
            self.finished.emit()
        except RuntimeError:  # this handle was deleted with its parent (a closed window): no one to tell
            pass
        finally:
            self._exited.set()

    def isRunning(self) -> bool:  # noqa: N802 - the QThread name its callers knew
        return self._started and not self._done.is_set()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """As QThread.wait: True once the task has ended and ``finished`` has been emitted."""
        return self._exited.wait(timeout_ms / 1000) if self._started else True

    def stop(self, wait: bool = False, timeout_ms: int = 60_000) -> bool:
        self.worker.stop()
        if wait and self.isRunning():
            return self.wait(timeout_ms)
        return True
