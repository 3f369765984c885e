"""See inside's Keras work, off the GUI thread and one job at a time.

Feature maps, the activation path, weight-surgery evaluations and draw-a-digit predictions all run
through ``worker.start_job``. They share one trained model, so they run one after another (never two
Keras calls on it at once), and a request that is overtaken while it waits (the user scrolls through test
examples faster than the model answers) is replaced by the newest of its kind rather than queued.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..worker import start_job


class SerialJobs(QObject):
    """``submit(kind, fn, *args, on_done=...)``: run in the worker after the job in flight; per kind only
    the newest waiting request survives. Failures go to ``failed`` as one line."""

    failed = Signal(str)
    idle = Signal()  # nothing running and nothing waiting (tests wait for it)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._waiting: dict[str, tuple] = {}
        self._running: tuple | None = None
        self._answering = False  # inside a job's callback: what it submits waits for the _next() that follows

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._waiting)

    def submit(self, kind: str, fn, *args, on_done=None) -> None:
        self._waiting.pop(kind, None)  # re-inserted last: kinds keep the order they were last asked in
        self._waiting[kind] = (fn, args, on_done)
        if self._running is None and not self._answering:
            self._next()

    def _next(self) -> None:
        if not self._waiting:
            self.idle.emit()
            return
        kind = next(iter(self._waiting))
        fn, args, on_done = self._waiting.pop(kind)
        self._running = (kind, on_done)
        start_job(fn, *args, on_done=self._on_done, on_failed=self._on_failed)

    def _on_done(self, result) -> None:
        _kind, on_done = self._running
        self._running = None
        self._answering = True  # a callback that submits (a rebuilt model asks for its maps) must not start a
        try:  # second job beside the one _next() starts
            if on_done is not None:
                on_done(result)
        finally:
            self._answering = False
        self._next()

    def _on_failed(self, message: str) -> None:
        self._running = None
        self._answering = True
        try:
            self.failed.emit(message)
        finally:
            self._answering = False
        self._next()
