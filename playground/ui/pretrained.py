"""File > New from a pretrained network: a keras.applications classifier with ImageNet weights, its base
frozen and a new head for your classes, ready to train on an image folder or CIFAR-10.

The dialog asks the backend which weights file Keras needs (and its size) before anything is fetched, shows a
progress bar while the file downloads into Keras' cache, and offline says in one line which file to put where.
All Keras work (the probe, the download, building the base) runs in a worker thread.
"""

from __future__ import annotations

import os

from html import escape

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QProgressBar, QSpinBox, QVBoxLayout)


class _Progress(QObject):
    """Lives in the GUI thread; the download emits from the worker, Qt queues it here."""

    changed = Signal(int, int)  # bytes done, bytes total (0: unknown)


class PretrainedDialog(QDialog):
    """Choose the network, the input size, the classes, freezing, and what to train on; then Create."""

    def __init__(self, files, parent=None):
        super().__init__(parent)
        self.files = files
        self.setWindowTitle("New from a pretrained network")
        from ..backend.pretrained import CATALOG  # plain Python: Keras loads only in the worker
        self.catalog = CATALOG
        self.network = QComboBox()
        for name in CATALOG:
            self.network.addItem(name, name)
        self.network.setToolTip("A keras.applications classifier trained on ImageNet; its own head is replaced.")
        self.side = QSpinBox()
        self.side.setRange(32, 1024)
        self.side.setValue(224)
        self.side.setSuffix(" px")
        self.side.setToolTip("Images are resized to this square size. ImageNet weights were learned at 224; "
                             "smaller is faster.")
        self.classes = QSpinBox()
        self.classes.setRange(2, 100_000)
        self.classes.setValue(10)
        self.classes.setToolTip("How many classes the new head tells apart (CIFAR-10: 10; a folder: its "
                                "sub-folders).")
        self.freeze = QCheckBox("Freeze the base (train only the new head)")
        self.freeze.setChecked(True)
        self.data = QLineEdit("cifar10")
        self.data.setToolTip("What to train on: an image folder (one sub-folder of images per class), or cifar10 "
                             "from Keras' cache.")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.create = self.buttons.addButton("Create", QDialogButtonBox.AcceptRole)
        self.create.setToolTip("Download the weights if needed, build the network and replace its head.")
        form = QFormLayout()
        form.addRow("Network", self.network)
        form.addRow("Input size", self.side)
        form.addRow("Classes", self.classes)
        form.addRow("", self.freeze)
        form.addRow("Train on", self.data)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.info)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.create.clicked.connect(self._on_create)
        self._choice_timer = QTimer(self)  # one question to Keras per pause in the edits, not one per key
        self._choice_timer.setSingleShot(True)
        self._choice_timer.setInterval(250)
        self._choice_timer.timeout.connect(self._on_choice)
        self.network.currentIndexChanged.connect(self._choice_timer.start)
        self.side.editingFinished.connect(self._choice_timer.start)
        self._progress = _Progress(self)
        self._progress.changed.connect(self._on_progress)
        self.busy = False
        self.created = None  # (project, note) once done
        self._asked = None
        self.resize(520, 300)

    def showEvent(self, event):
        super().showEvent(event)
        self._choice_timer.start()

    # ------------------------------------------------------------ what the weights need
    def _on_choice(self) -> None:
        key = (self.network.currentData(), self.side.value())
        if key == self._asked:
            return
        self._asked = key
        self.info.setText(f"Asking Keras which weights file {key[0]} needs\u2026")
        from .worker import start_job
        start_job(_weights_line, *key, on_done=self._on_weights_line, on_failed=self._on_weights_failed, parent=self)

    def _on_weights_line(self, result) -> None:
        key, text = result
        if not self.busy and key == self._asked:  # an answer to an older choice is not shown
            self.info.setText(text)

    def _on_weights_failed(self, message: str) -> None:
        if not self.busy:
            self.info.setText(f"<span style='color:#D64541'>{escape(message)}</span>")

    # ------------------------------------------------------------ create
    def _on_create(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.create.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.info.setText(f"Preparing {self.network.currentData()}\u2026")
        from .worker import start_job
        start_job(_prepare, self.network.currentData(), self.side.value(), self.classes.value(),
                  self.freeze.isChecked(), _absolute(self.data.text().strip() or "cifar10"), self._progress.changed.emit,
                  on_done=self._on_created, on_failed=self._on_failed, parent=self)

    def _on_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        from ..core.files import fmt_bytes
        self.info.setText(f"Downloading: {fmt_bytes(done)}" + (f" of {fmt_bytes(total)}" if total else ""))

    def _on_created(self, result) -> None:
        self.busy = False
        self.progress.hide()
        proj, note = result
        if not self.files.maybe_save():
            self.create.setEnabled(True)
            return
        from .data_list import remember_chosen
        self.files.doc.allow_data(proj.training["dataset"])  # typed here: the user's choice (a built-in name too)
        remember_chosen(self.files.settings, proj.training["dataset"])
        self.files.load_project(proj, None)
        self.files.doc.say(note, 15000)
        self.files.doc.tell(note + " Train it (Train > Start), then export it.", "info")
        self.created = result
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.busy = False
        self.progress.hide()
        self.create.setEnabled(True)
        self.info.setText(f"<span style='color:#D64541'>{escape(message)}</span>")


def _weights_line(name: str, side: int) -> tuple[tuple[str, int], str]:
    """Worker: ((name, side), the dialog's line about the weights file: cached, or the download size)."""
    from ..backend.pretrained import weights_file
    return (name, side), weights_file(name, side).describe()


def _prepare(name: str, side: int, classes: int, freeze: bool, data: str, progress):
    """Worker: download the weights if needed, build the network with its new head: (project, note)."""
    from ..backend.pretrained import build_pretrained, download, weights_file
    from ..core import project as project_io
    wf = weights_file(name, side, with_size=False)
    if not wf.cached:
        download(wf, progress=progress)
    graph, note = build_pretrained(name, side, classes, freeze)
    training = dict(project_io.DEFAULT_TRAINING, dataset=data, epochs=1)
    stem = name.split(" ")[0].lower()
    return project_io.Project(graph, f"{stem}-pretrained", training=training), note


def _absolute(data: str) -> str:
    """A folder typed in the dialog as the absolute path it names now (a built-in name as it is)."""
    from ..backend.datasets import REGISTRY  # plain Python
    return data if data in REGISTRY else os.path.abspath(os.path.expanduser(data))
