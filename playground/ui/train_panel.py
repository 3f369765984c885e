"""The Train workspace: dataset strip, settings, Start/Stop, progress with ETA, live curves, results."""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.errors import PlaygroundError
from .images import array_to_pixmap
from .plots import TrainingPlots
from .worker import TrainingWorker, WorkerThread

OPTIMIZERS = (("adam", "Adam"), ("sgd", "SGD with momentum 0.9"), ("rmsprop", "RMSprop"), ("adagrad", "Adagrad"))
PREVIEWABLE = ("mnist-sample",)


def _fmt_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "\u2013"
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m}:{s:02d}"


class TrainPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.thread: WorkerThread | None = None
        self.outcome = None
        self.t_start = 0.0
        self.epochs = 1
        self.steps = 1
        self.last_status = 0.0
        self.first_batch = None

        # dataset
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
        ds_box = QGroupBox("Data")
        dl = QVBoxLayout(ds_box)
        dl.addWidget(self.dataset)
        strip_w = QWidget()
        strip_w.setLayout(self.strip)
        dl.addWidget(strip_w)
        dl.addWidget(self.feeds)

        # settings
        self.optimizer = QComboBox()
        for key, label in OPTIMIZERS:
            self.optimizer.addItem(label, key)
        self.lr = QLineEdit()
        self.lr.setToolTip("Step size of each update; 0.001 suits Adam, 0.01-0.1 suits SGD.")
        self.schedule = QComboBox()
        self.schedule.addItem("constant", "constant")
        self.schedule.addItem("cosine decay to 0", "cosine")
        self.schedule.setToolTip("Cosine lowers the learning rate smoothly to 0 by the last batch; it often "
                                 "gains a little accuracy in short runs.")
        self.batch = QSpinBox()
        self.batch.setRange(-10 ** 6, 10 ** 7)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(-10 ** 6, 10 ** 7)
        self.val_split = QDoubleSpinBox()
        self.val_split.setRange(-10, 10)
        self.val_split.setSingleStep(0.05)
        self.val_split.setDecimals(2)
        self.patience = QSpinBox()
        self.patience.setRange(-10 ** 6, 10 ** 6)
        self.patience.setSpecialValueText("off")
        self.patience.setToolTip("Stop when validation loss has not improved for this many epochs (0 = off).")
        self.settings_msg = QLabel()
        self.settings_msg.setStyleSheet("color: #D64541;")
        self.settings_msg.setWordWrap(True)
        self.settings_msg.hide()
        form_box = QGroupBox("Settings")
        form = QFormLayout(form_box)
        form.addRow("optimizer", self.optimizer)
        form.addRow("learning rate", self.lr)
        form.addRow("rate schedule", self.schedule)
        form.addRow("batch size", self.batch)
        form.addRow("epochs", self.epochs_box)
        form.addRow("validation split", self.val_split)
        form.addRow("early stopping", self.patience)
        form.addRow(self.settings_msg)

        # run
        self.start_btn = QPushButton("\u25b6  Start (F5)")
        self.start_btn.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        self.stop_btn = QPushButton("\u25a0  Stop (Esc)")
        self.stop_btn.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("Ready. Training runs in the background; the window stays responsive.")
        self.status.setWordWrap(True)
        self.device = QLabel("Device: chosen when training starts (Keras loads then).")
        self.device.setStyleSheet("color: gray;")
        run_box = QGroupBox("Run")
        rl = QVBoxLayout(run_box)
        bl = QHBoxLayout()
        bl.addWidget(self.start_btn)
        bl.addWidget(self.stop_btn)
        bl.addStretch(1)
        rl.addLayout(bl)
        rl.addWidget(self.progress)
        rl.addWidget(self.status)
        rl.addWidget(self.device)

        self.plots = TrainingPlots()
        self.plots.setMinimumHeight(220)

        # results
        self.results_label = QLabel("Results appear here when a run ends: test accuracy, the confusion matrix "
                                    "and the examples the model got wrong.")
        self.results_label.setWordWrap(True)
        self.confusion = QTableWidget(0, 0)
        self.confusion.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.confusion.setMinimumHeight(150)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.confusion.setToolTip("Rows: true class; columns: predicted class.")
        self.gallery = QGridLayout()
        gallery_w = QWidget()
        gallery_w.setLayout(self.gallery)
        exp = QHBoxLayout()
        self.export_buttons = []
        for fmt in ("h5", "keras", "py"):
            b = QPushButton(f"Export .{fmt}")
            b.clicked.connect(lambda checked=False, f=fmt: self.window.export_dialog(f))
            exp.addWidget(b)
            self.export_buttons.append(b)
        exp.addStretch(1)
        res_box = QGroupBox("Results")
        rb = QVBoxLayout(res_box)
        rb.addWidget(self.results_label)
        rows = QHBoxLayout()
        rows.addWidget(self.confusion, 3)
        gal = QVBoxLayout()
        gal.addWidget(QLabel("Misclassified (predicted / true):"))
        gal.addWidget(gallery_w)
        gal.addStretch(1)
        rows.addLayout(gal, 2)
        rb.addLayout(rows)
        rb.addLayout(exp)

        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(ds_box)
        left.addWidget(run_box)
        top.addLayout(left, 3)
        top.addWidget(form_box, 2)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addLayout(top)
        lay.addWidget(self.plots, 1)
        lay.addWidget(res_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.start_btn.clicked.connect(self.start)
        self.stop_btn.clicked.connect(lambda: self.stop())
        for w in (self.lr,):
            w.textEdited.connect(lambda _: self.current_settings(strict=True, quiet=False))
        for w in (self.batch, self.epochs_box, self.patience):
            w.valueChanged.connect(lambda _: self.current_settings(strict=True, quiet=False))
        self.val_split.valueChanged.connect(lambda _: self.current_settings(strict=True, quiet=False))
        window.scene.inferred.connect(lambda _: self._update_feeds())

    # ------------------------------------------------------------ settings
    def load_settings(self, s: dict) -> None:
        key = s.get("dataset", "mnist-sample")
        i = self.dataset.findData(key)
        if i < 0:
            self.dataset.insertItem(self.dataset.count() - 1, str(key), key)
            i = self.dataset.findData(key)
        self.dataset.blockSignals(True)
        self.dataset.setCurrentIndex(i)
        self.dataset.blockSignals(False)
        self.optimizer.setCurrentIndex(max(self.optimizer.findData(s.get("optimizer", "adam")), 0))
        self.lr.setText(f"{s.get('learning_rate', 0.001):g}")
        self.schedule.setCurrentIndex(max(self.schedule.findData(s.get("lr_schedule", "constant")), 0))
        self.batch.setValue(int(s.get("batch_size", 128)))
        self.epochs_box.setValue(int(s.get("epochs", 3)))
        self.val_split.setValue(float(s.get("validation_split", 0.1)))
        self.patience.setValue(int(s.get("early_stopping", 0)))
        self.extra = {k: v for k, v in s.items() if k in ("loss", "seed")}
        self._preview_stale = True
        if self.isVisible():
            self._on_dataset_changed()

    def showEvent(self, event):
        if getattr(self, "_preview_stale", True):
            self._on_dataset_changed()  # loading the sample costs ~50 ms: only when the panel is seen
        super().showEvent(event)

    def current_settings(self, strict: bool = True, quiet: bool = True) -> dict | None:
        """The settings as typed; with ``strict``, validated by the backend's rules (a red message if not)."""
        try:
            lr = float(self.lr.text())
        except ValueError:
            lr = self.lr.text()
        s = {**getattr(self, "extra", {}), "dataset": self.dataset.currentData(),
             "optimizer": self.optimizer.currentData(), "learning_rate": lr,
             "lr_schedule": self.schedule.currentData(), "batch_size": self.batch.value(),
             "epochs": self.epochs_box.value(), "validation_split": round(self.val_split.value(), 4),
             "early_stopping": self.patience.value()}
        if not strict:
            if not isinstance(s["learning_rate"], float):
                s["learning_rate"] = self.window.project.training.get("learning_rate", 0.001)
            return s
        from ..backend.training import TrainConfig  # plain Python until train() runs
        try:
            TrainConfig.from_settings(s)
        except PlaygroundError as exc:
            self.settings_msg.setText(str(exc))
            self.settings_msg.show()
            return None
        self.settings_msg.hide()
        return s

    # ------------------------------------------------------------ dataset preview
    def _on_dataset_changed(self) -> None:
        key = self.dataset.currentData()
        if key == "__file__":
            path, _ = QFileDialog.getOpenFileName(self, "Your dataset", "",
                                                  "Datasets (*.npz *.csv);;All files (*)")
            if not path:
                self.dataset.setCurrentIndex(0)
                return
            self.dataset.insertItem(self.dataset.count() - 1, path, path)
            self.dataset.setCurrentIndex(self.dataset.findData(path))
            return
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
            except PlaygroundError as exc:
                self.feeds.setText(f"<span style='color:#D64541'>{exc}</span>")
                return
            if self._preview.x_train.ndim >= 3:
                for i in range(10):
                    lab = QLabel()
                    lab.setPixmap(array_to_pixmap(self._preview.x_train[i], 40))
                    lab.setToolTip(f"label {self._preview.class_names[int(self._preview.y_train[i])]}")
                    self.strip.addWidget(lab)
            self.strip.addStretch(1)
        self._update_feeds()

    def _update_feeds(self) -> None:
        if getattr(self, "_preview_stale", True):
            return
        key = self.dataset.currentData()
        ds = getattr(self, "_preview", None)
        if ds is None:
            self.feeds.setText(f"<span style='color:gray'>{key}: loaded from the Keras cache (or downloaded) when "
                               f"training starts.</span>")
            return
        from ..backend.datasets import prepare
        from ..backend.session import model_io
        try:
            in_shape, units = model_io(self.window.graph)
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

    # ------------------------------------------------------------ run
    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> bool:
        if self.is_running():
            return False
        settings = self.current_settings(strict=True, quiet=False)
        if settings is None:
            self.status.setText("Fix the settings marked in red first.")
            return False
        self.window.project.training = dict(settings)
        self.plots.clear()
        self.clear_results()
        worker = TrainingWorker(self.window.graph, settings["dataset"], settings, self.window.project.name)
        worker.begun.connect(self._on_begun)
        worker.batch.connect(self._on_batch)
        worker.epoch.connect(self._on_epoch)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.thread = WorkerThread(worker, self)
        self.thread.finished.connect(self._on_thread_done)
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText("Starting: loading Keras and the data\u2026")
        self.t_start = time.perf_counter()
        self.plots.timer.start()
        self.thread.start()
        return True

    def stop(self, wait: bool = False) -> None:
        if self.thread is not None and self.thread.isRunning():
            self.status.setText("Stopping after this batch\u2026")
            self.thread.stop(wait=wait)

    def _on_begun(self, epochs: float, steps: float, device: str) -> None:
        self.epochs, self.steps = int(epochs), max(int(steps), 1)
        self.first_batch = None
        self.plots.begin(self.epochs)
        self.device.setText(f"Device: {device}")
        self.t_start = time.perf_counter()

    def _on_batch(self, epoch, batch, steps, loss, acc, elapsed) -> None:
        x = epoch + (batch + 1) / steps
        self.plots.add_batch(x, loss, acc)
        done = x / max(self.epochs, 1)
        if self.first_batch is None:
            self.first_batch = (elapsed, done)  # the first batch includes graph tracing: not in the ETA
        now = time.perf_counter()
        if now - self.last_status > 0.1:  # labels at 10 Hz at most
            self.last_status = now
            self.progress.setValue(int(done * 1000))
            e1, d1 = self.first_batch
            eta = (elapsed - e1) * (1 - done) / (done - d1) if done > d1 else float("nan")
            self.status.setText(f"epoch {int(epoch) + 1}/{self.epochs} \u00b7 batch {int(batch) + 1}/{int(steps)} "
                                f"\u00b7 loss {loss:.4f} \u00b7 ETA {_fmt_eta(eta)}")

    def _on_epoch(self, logs: dict) -> None:
        self.plots.add_epoch(logs["epoch"] + 1, logs)

    def _on_finished(self, outcome) -> None:
        self.outcome = outcome
        res = outcome.result
        self.plots.redraw()
        self.progress.setValue(1000 if res.stopped == "finished" else self.progress.value())
        colour = "#D64541" if res.stopped == "nan" else "inherit"
        self.status.setText(f"<span style='color:{colour}'>{res.message}</span>")
        if res.stopped != "nan":
            self.window.trained_model = outcome.model
            self.window.trained_outcome = outcome
            self.window.apply_trained_weights(outcome.weights)
        self.show_results(outcome)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#D64541'>{message}</span>")

    def _on_thread_done(self) -> None:
        self.plots.timer.stop()
        self.plots.redraw()
        self.start_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)

    # ------------------------------------------------------------ results
    def clear_results(self) -> None:
        self.results_label.setText("Results appear here when a run ends: test accuracy, the confusion matrix and "
                                   "the examples the model got wrong.")
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)
        while self.gallery.count():
            w = self.gallery.takeAt(0).widget()
            if w:
                w.deleteLater()

    def show_results(self, outcome) -> None:
        res = outcome.result
        if res.test_accuracy is not None:
            self.results_label.setText(f"<b>Test accuracy {res.test_accuracy:.4f}</b> \u00b7 test loss "
                                       f"{res.test_loss:.4f} \u00b7 {res.epochs_run} epoch(s) in {res.seconds:.1f} s. "
                                       f"The trained weights are now in the project (Save keeps them).")
        preds = getattr(outcome, "predictions", None)
        if preds is None:
            return
        pred, true = preds
        names = outcome.data.class_names if not outcome.dataset.binary else ("0", "1")
        k = max(len(names), int(max(pred.max(), true.max())) + 1)
        cm = np.zeros((k, k), dtype=int)
        np.add.at(cm, (true, pred), 1)
        self.confusion_matrix = cm
        self.confusion.setRowCount(k)
        self.confusion.setColumnCount(k)
        labels = [names[i] if i < len(names) else str(i) for i in range(k)]
        self.confusion.setHorizontalHeaderLabels(labels)
        self.confusion.setVerticalHeaderLabels(labels)
        peak = max(cm.max(), 1)
        for r in range(k):
            for c in range(k):
                item = QTableWidgetItem(str(cm[r, c]))
                item.setTextAlignment(Qt.AlignCenter)
                share = cm[r, c] / peak
                base = QColor(46, 175, 98) if r == c else QColor(214, 69, 65)
                base.setAlphaF(min(0.15 + 0.85 * share, 1.0) if cm[r, c] else 0.0)
                item.setBackground(base)
                self.confusion.setItem(r, c, item)
        wrong = np.flatnonzero(pred != true)[:12]
        x_test = outcome.dataset.x_test
        for i, idx in enumerate(wrong):
            cell = QWidget()
            v = QVBoxLayout(cell)
            v.setContentsMargins(2, 2, 2, 2)
            img = QLabel()
            if x_test is not None and x_test.ndim >= 3:
                img.setPixmap(array_to_pixmap(x_test[idx], 48))
            cap = QLabel(f"{labels[pred[idx]]} / {labels[true[idx]]}")
            cap.setAlignment(Qt.AlignCenter)
            v.addWidget(img, alignment=Qt.AlignCenter)
            v.addWidget(cap)
            self.gallery.addWidget(cell, i // 6, i % 6)
