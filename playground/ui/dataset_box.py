"""The Train workspace's data box: which dataset (a document setting), a strip of its first examples, and
what the network will be fed ("10,000 training + 2,000 test examples of 28x28 -> Input 28x28x1 ...")."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.errors import PlaygroundError
from .images import array_to_pixmap

PREVIEWABLE = ("mnist-sample",)


def _stamp(key) -> tuple:
    """What identifies a dataset's contents cheaply: its name, and for a file its size and time."""
    try:
        st = os.stat(key) if isinstance(key, str) and key.endswith((".npz", ".csv")) else None
    except OSError:
        st = None
    return (key, st.st_size, st.st_mtime_ns) if st else (key,)


class DatasetBox(QGroupBox):
    def __init__(self, doc, parent=None):
        super().__init__("Data", parent)
        self.doc = doc
        self._preview = None
        self._preview_stale = True
        self._shown = None  # what the preview was read from (see _stamp)
        self.dataset = QComboBox()
        from ..backend.datasets import REGISTRY  # plain Python: the registry imports no Keras
        for key, spec in REGISTRY.items():
            self.dataset.addItem(spec.title, key)
            self.dataset.setItemData(self.dataset.count() - 1, spec.description, Qt.ToolTipRole)
        self.dataset.addItem("Your own file\u2026", "__file__")
        self.dataset.setToolTip("What to learn from. The built-in digit sample works offline.")
        self.strip = QHBoxLayout()
        self.strip.setSpacing(3)
        self.feeds = QLabel()
        self.feeds.setWordWrap(True)
        dl = QVBoxLayout(self)
        dl.addWidget(self.dataset)
        strip_w = QWidget()
        strip_w.setLayout(self.strip)
        dl.addWidget(strip_w)
        dl.addWidget(self.feeds)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        doc.changed.connect(self._update_feeds)

    def _edit(self, key: str, value) -> None:
        from .document import SettingError
        try:
            self.doc.set_setting("training", key, value)
        except SettingError as exc:
            self.feeds.setText(f"<span style='color:#D64541'>{exc}</span>")

    def load(self, key: str) -> None:
        """Show the document's dataset (model -> view: nothing echoes as an edit)."""
        self.dataset.blockSignals(True)
        i = self.dataset.findData(key)
        if i < 0:
            self.dataset.insertItem(self.dataset.count() - 1, str(key), key)
            i = self.dataset.findData(key)
        self.dataset.setCurrentIndex(i)
        self.dataset.blockSignals(False)
        if self._preview is not None and not self._preview_stale and self._shown == _stamp(key):
            self._update_feeds()  # the set already shown (another setting changed): not read again
            return
        self._preview_stale = True
        if self.isVisible():
            self._on_dataset_changed()

    def showEvent(self, event):
        if self._preview_stale:
            self._on_dataset_changed()  # loading the sample costs ~50 ms: only when the box is seen
        super().showEvent(event)

    def _on_dataset_changed(self) -> None:
        key = self.dataset.currentData()
        if key == "__file__":
            path, _ = QFileDialog.getOpenFileName(self, "Your dataset", "",
                                                  "Datasets (*.npz *.csv);;All files (*)")
            if not path:
                self.dataset.setCurrentIndex(0)
                return
            self.dataset.blockSignals(True)
            self.dataset.insertItem(self.dataset.count() - 1, path, path)
            self.dataset.setCurrentIndex(self.dataset.findData(path))
            self.dataset.blockSignals(False)
            self._edit("dataset", path)
            self._on_dataset_changed()
            return
        if key != self.doc.training.get("dataset"):
            self._edit("dataset", key)
        self._preview_stale = False
        while self.strip.count():
            w = self.strip.takeAt(0).widget()
            if w:
                w.deleteLater()
        self._preview = None
        if key in PREVIEWABLE or (isinstance(key, str) and key.startswith("gate-")) or \
                (isinstance(key, str) and key.endswith((".npz", ".csv"))):
            try:
                from ..backend.datasets import load
                self._preview = load(key)
                self._shown = _stamp(key)
            except PlaygroundError as exc:
                self.feeds.setText(f"<span style='color:#D64541'>{exc}</span>")
                return
            if self._preview.x_train.ndim >= 3:
                for i in range(min(10, len(self._preview.x_train))):
                    lab = QLabel()
                    lab.setPixmap(array_to_pixmap(self._preview.x_train[i], 40))
                    lab.setToolTip(f"label {self._preview.class_names[int(self._preview.y_train[i])]}")
                    self.strip.addWidget(lab)
            self.strip.addStretch(1)
        self._update_feeds()

    def _update_feeds(self) -> None:
        if self._preview_stale or not self.isVisible():
            return
        key = self.dataset.currentData()
        ds = self._preview
        if ds is None:
            self.feeds.setText(f"<span style='color:gray'>{key}: loaded from the Keras cache (or downloaded) when "
                               f"training starts.</span>")
            return
        from ..backend.datasets import prepare
        from ..backend.session import model_io
        try:
            in_shape, units = model_io(self.doc.graph)
            sub = type(ds)(ds.name, ds.x_train[:2], ds.y_train[:2], None, None, ds.class_names, ds.binary)
            prepare(sub, in_shape, units)
        except PlaygroundError as exc:
            self.feeds.setText(f"<span style='color:#D64541'>{exc}</span>")
            return
        except (KeyError, ValueError):
            self.feeds.setText("<span style='color:gray'>Fix the network's errors to see what it will be fed.</span>")
            return
        n_test = 0 if ds.x_test is None else len(ds.x_test)
        self.feeds.setText(f"{len(ds.x_train):,} training + {n_test:,} test examples of "
                           f"{'x'.join(map(str, ds.example_shape))} \u2192 Input {'x'.join(map(str, in_shape))}, "
                           f"{ds.num_classes if not ds.binary else 2} classes, scaled to [0, 1].")
