"""Live layer previews on the cards (View > Layer previews): each layer's output for one example.

After an edit settles (a short debounce), a worker (ui/worker.py's ``start_job``) builds the network with
its current weights (random until trained), runs the first test example of the project's dataset and
returns small pictures; the cards draw them. Off by default (previews load Keras), and switched off
when a network of more than MAX_LAYERS layers is opened; the user can switch them back on.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from ..images import qimage
from ..worker import start_job

MAX_LAYERS = 50
DEBOUNCE_MS = 400


def _compute(graph, dataset: str):
    from ...backend.previews import layer_previews
    return layer_previews(graph, dataset)


def to_qimage(a: np.ndarray) -> QImage:
    return qimage(a)  # (its channels made ones a QImage holds: images.picture)


class PreviewController(QObject):
    enabled_changed = Signal(bool)
    updated = Signal()  # pictures arrived (tests wait on it)
    failed = Signal(str)

    def __init__(self, scene, parent=None):
        super().__init__(parent or scene)
        self.scene = scene
        self.doc = scene.doc
        self.enabled = False
        self._running = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        self.doc.changed.connect(self._on_changed)
        self.doc.data_allowed.connect(self._on_changed)
        self.doc.replaced.connect(self._on_replaced)

    def set_enabled(self, on: bool) -> None:
        if on == self.enabled:
            return
        self.enabled = on
        if on:
            self._timer.start()
        else:
            self._timer.stop()
            self._clear()
        self.enabled_changed.emit(on)

    def _on_replaced(self) -> None:
        if self.enabled and len(self.doc.graph.nodes) > MAX_LAYERS:
            self.set_enabled(False)
            self.doc.say(f"Layer previews are off for networks over {MAX_LAYERS} layers "
                         f"(View \u2192 Layer previews turns them on).", 6000)

    def _on_changed(self) -> None:
        if self.enabled:
            self._timer.start()  # restart: wait until the edits settle

    def _start(self) -> None:
        if not self.enabled:
            return
        if self._running:
            self._again = True
            return
        graph = self._computable()
        if not graph.nodes or not self.doc.may_read_data():  # (a path a file named: read once the user says so)
            self._clear()
            return
        self._running = True
        start_job(_compute, graph, self.doc.data_path(),
                  on_done=self._on_done, on_failed=self._on_failed, parent=self)

    def _computable(self):
        """A copy of the network without the layers in error and what they feed: an error in one layer
        leaves the other cards' previews (those cards show the error instead)."""
        graph = self.doc.graph.copy()
        infos = self.doc.infos
        bad = [nid for nid in graph.nodes if infos.get(nid) is None or infos[nid].errors
               or infos[nid].status == "blocked"]
        for nid in bad:
            graph.remove_node(nid)
        if bad and graph.nodes:
            first = self.doc.shapes.first_error()
            if first is not None:
                self.doc.say(f"Layer previews stop at {self.doc.graph.nodes[first[0]].name}: {first[1]}", 6000)
        return graph

    def _finish(self) -> bool:
        self._running = False
        if self._again:
            self._again = False
            self._timer.start()
            return False
        return self.enabled

    def _on_done(self, pictures: dict) -> None:
        if not self._finish():
            return
        for nid, item in self.scene.node_items.items():
            a = pictures.get(nid)
            item.set_preview(to_qimage(a) if a is not None else None)
        self.updated.emit()

    def _on_failed(self, message: str) -> None:
        if not self._finish():
            return
        self._clear()
        self.doc.say(f"No layer previews: {message}", 6000)
        self.failed.emit(message)

    def _clear(self) -> None:
        for item in self.scene.node_items.values():
            item.set_preview(None)
