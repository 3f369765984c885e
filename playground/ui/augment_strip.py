"""The inspector's augmentation strip: what the selected augmentation (or resizing) layer does to one training
image while training, eight times over, seeded by the project's seed so that it repeats.

The pictures are computed by ``backend.previews.augmentation_strip`` in a worker (``ui/worker.py``), after
edits settle; the strip follows the layer's parameters, the seed and the dataset.
"""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from ..core.registry import get_spec
from .canvas.preview_controller import to_qimage
from .worker import start_job

THUMB = 52  # px each picture is drawn at
COLUMNS = 5  # the original and four versions per row
DEBOUNCE_MS = 250


def _compute(graph, node_id: str, dataset: str, seed: int):
    from ..backend.previews import augmentation_strip
    return augmentation_strip(graph, node_id, dataset, seed)


class AugmentStrip(QWidget):
    """Shown for augmentation-category layers only; hidden otherwise."""

    updated = Signal()  # pictures arrived (tests wait on it)
    failed = Signal(str)

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.node_id: str | None = None
        self._request = 0  # a result is shown only if it answers the latest request
        self._running = False
        self._again = False
        self._job_request = 0
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(3)
        self.thumbs: list[QLabel] = []
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.PlainText)  # ("the model's" showed as "the model&#x27;s")
        self.note.setStyleSheet("color: gray;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.title)
        lay.addLayout(self.grid)
        lay.addWidget(self.note)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        ev = doc.graph.events
        ev.graph_reset.connect(self._on_graph_reset)
        ev.node_removed.connect(self._on_node_removed)
        for name in ("param_changed", "edge_added", "edge_removed"):  # an upstream change alters what it receives
            getattr(ev, name).connect(self._on_upstream_changed)
        doc.settings_changed.connect(self._on_setting)
        doc.data_allowed.connect(lambda: self.node_id is not None and self._timer.start())
        self.hide()

    @property
    def seed(self) -> int:
        seed = self.doc.training.get("seed", 0)
        return 0 if seed is None else int(seed)

    def show_node(self, node_id: str | None) -> None:
        """Follow the inspector's node: a strip for an augmentation layer, nothing for the others."""
        node = self.doc.graph.nodes.get(node_id) if node_id else None
        self.node_id = node_id if node is not None and get_spec(node.kind).category == "augmentation" else None
        self._request += 1  # whatever is on its way belongs to another layer
        self._clear()
        self.setVisible(self.node_id is not None)
        if self.node_id is not None:
            self.title.setText(f"<b>While training</b>, {node.name} turns one training image into:")
            self.note.setText("Computing\u2026")
            self._timer.start()

    def _on_graph_reset(self) -> None:
        if self.node_id is not None:
            self.show_node(None)

    def _on_node_removed(self, node) -> None:
        if self.node_id is not None and node.id == self.node_id:
            self.show_node(None)

    def _on_upstream_changed(self, **_) -> None:
        if self.node_id is not None:
            self._timer.start()

    def _on_setting(self, section: str, key: str) -> None:
        if self.node_id is not None and section == "training" and key in ("seed", "dataset"):
            self._timer.start()

    def _start(self) -> None:
        if self.node_id is None:
            return
        if self._running:
            self._again = True
            return
        info = self.doc.infos.get(self.node_id)
        if info is None or info.status in ("error", "blocked"):
            self._clear()
            self.note.setText("No preview while the layer has an error.")
            return
        if not self.doc.may_read_data():  # a path a file named, not read until the user says so
            self._clear()
            self.note.setText("The project's data has not been read yet: press Use this data in Train to see "
                              "its examples here.")
            return
        self._running = True
        self._request += 1
        self._job_request = self._request
        start_job(_compute, self.doc.graph.copy(), self.node_id, self.doc.data_path(),
                  self.seed, on_done=self._on_done, on_failed=self._on_failed, parent=self)

    def _finish(self) -> bool:
        self._running = False
        if self._again:
            self._again = False
            self._timer.start()
            return False
        return self._job_request == self._request and self.node_id is not None

    def _on_done(self, result: dict) -> None:
        if not self._finish():
            return
        self._clear()
        pictures = [result["original"], *result["augmented"]]
        for i, a in enumerate(pictures):
            label = QLabel()
            label.setPixmap(self._pixmap(a))
            label.setToolTip("The image as the layer receives it." if i == 0 else
                             f"Version {i} (seed {self.seed}).")
            if i == 0:
                label.setStyleSheet("border: 2px solid #7A8699;")
            self.grid.addWidget(label, i // COLUMNS, i % COLUMNS)
            self.thumbs.append(label)
        spec = get_spec(self.doc.graph.nodes[self.node_id].kind)
        if result["random"]:
            self.note.setText(f"Framed: the image it receives; then {len(pictures) - 1} random versions "
                              f"(seed {self.seed}: the same seed shows the same ones). At inference "
                              + ("it takes the centre window." if spec.key == "randomcrop" else
                                 "it passes images through unchanged."))
        else:
            self.note.setText("Framed: the image it receives; then its output, the same in training and at "
                              "inference.")
        self.updated.emit()

    def _on_failed(self, message: str) -> None:
        if not self._finish():
            return
        self._clear()
        self.note.setText(f"No preview: {message}")  # (plain text: a file's text stays text)
        self.failed.emit(message)

    @staticmethod
    def _pixmap(a: np.ndarray) -> QPixmap:
        pix = QPixmap.fromImage(to_qimage(a))
        return pix.scaled(THUMB, THUMB, Qt.KeepAspectRatio, Qt.FastTransformation)  # the pixels stay visible

    def _clear(self) -> None:
        for label in self.thumbs:
            self.grid.removeWidget(label)
            label.deleteLater()
        self.thumbs = []
        self.note.setText("")
