"""The Train workspace: dataset strip, settings, Start/Stop, progress with ETA, live curves, results.

Why this module is long: the panel wires four groups (data, settings, run, results) to one worker; the results
and the plots already live in results.py and plots.py, and the settings form is the next to move out.
"""

from __future__ import annotations

import math
import time
from html import escape as esc

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import PlaygroundError
from .images import array_to_pixmap
from .plots import TrainingPlots
from .results import ResultsView
from .worker import TrainingWorker, WorkerThread

OPTIMIZERS = (("adam", "Adam"), ("sgd", "SGD with momentum 0.9"), ("rmsprop", "RMSprop"), ("adagrad", "Adagrad"))
PREVIEWABLE = ("mnist-sample",)


def _fmt_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "\u2013"
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m}:{s:02d}"


class TrainPanel(QWidget):
    """Settings (document settings: every change one undo step), Start/Stop, live plots, results."""

    export_requested = Signal(str)  # a format: the window's exporter writes the file

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.thread: WorkerThread | None = None
        self.outcome = None
        self.t_start = 0.0
        self.epochs = 1
        self.steps = 1
        self.last_status = 0.0
        self.first_batch = None

        # dataset
        self.dataset = QComboBox()
        from ..backend.datasets import (
            REGISTRY,  # plain Python: the registry imports no Keras
        )
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
        self.devices = QSpinBox()
        self.devices.setRange(-10 ** 3, 10 ** 3)  # the rule decides, nothing is clamped
        self.devices.setToolTip("Data-parallel training over this many devices (GPUs); each batch is split "
                                "between them. 1 = one device. The batch size must divide evenly.")
        form.addRow("devices", self.devices)
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
        self.results = ResultsView()
        self.results.export_requested.connect(self.export_requested)
        self.results_label, self.confusion, self.gallery = (self.results.label, self.results.confusion,
                                                            self.results.gallery)
        self.export_buttons = self.results.export_buttons
        res_box = self.results

        # one screen, no scrolling: settings on top; curves and results share the space below as tabs, and
        # the Results tab comes forward when a run ends (issue 16: all of it visible at 1480x900)
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(ds_box)
        left.addWidget(run_box)
        top.addLayout(left, 3)
        top.addWidget(form_box, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plots, "Curves")
        self.tabs.addTab(res_box, "Results")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)

        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        self.start_btn.clicked.connect(self.start)
        self.stop_btn.clicked.connect(lambda: self.stop())
        # view -> document: each accepted change is one undo step (typing in one field merges)
        self.optimizer.currentIndexChanged.connect(lambda _: self._edit("optimizer", self.optimizer.currentData()))
        self.schedule.currentIndexChanged.connect(lambda _: self._edit("lr_schedule", self.schedule.currentData()))
        self.lr.textEdited.connect(self._on_lr_typed)
        self.lr.editingFinished.connect(self._on_lr_done)
        self.batch.valueChanged.connect(lambda v: self._edit("batch_size", v))
        self.epochs_box.valueChanged.connect(lambda v: self._edit("epochs", v))
        self.patience.valueChanged.connect(lambda v: self._edit("early_stopping", v))
        self.val_split.valueChanged.connect(lambda v: self._edit("validation_split", round(v, 4)))
        self.devices.valueChanged.connect(lambda v: self._edit("devices", v))
        # document -> view
        doc.settings_changed.connect(self._on_setting)
        doc.changed.connect(self._update_feeds)
        doc.changed.connect(self._update_start)
        doc.replaced.connect(self._on_replaced)
        self.load_settings(doc.training)

    def _on_setting(self, section: str, _key: str) -> None:
        if section == "training":
            self.load_settings(self.doc.training)

    def _on_replaced(self) -> None:
        self.stop(wait=True)
        self.plots.clear()
        self.clear_results()
        self.status.setText("Ready. Training runs in the background; the window stays responsive.")
        self.load_settings(self.doc.training)

    def _edit(self, key: str, value) -> bool:
        """Push one setting as typed; an invalid value stays in its field, red, and changes nothing."""
        from .document import SettingError
        try:
            self.doc.set_setting("training", key, value)
        except SettingError as exc:
            self.settings_msg.setText(str(exc))
            self.settings_msg.show()
            return False
        self.settings_msg.hide()
        return True

    def _on_lr_typed(self, text: str) -> None:
        try:
            value = float(text)
        except ValueError:
            value = text
        self._edit("learning_rate", value)

    def _on_lr_done(self) -> None:
        if not self.settings_msg.isVisible():
            self.lr.setText(f"{self.doc.training.get('learning_rate', 0.001):g}")

    # ------------------------------------------------------------ settings
    def load_settings(self, s: dict) -> None:
        """Show the document's settings (model -> view: signals blocked, nothing echoes as an edit)."""
        widgets = (self.dataset, self.optimizer, self.lr, self.schedule, self.batch, self.epochs_box,
                   self.val_split, self.patience, self.devices)
        for w in widgets:
            w.blockSignals(True)
        try:
            self._load_settings(s)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _load_settings(self, s: dict) -> None:
        key = s.get("dataset", "mnist-sample")
        i = self.dataset.findData(key)
        if i < 0:
            self.dataset.insertItem(self.dataset.count() - 1, str(key), key)
            i = self.dataset.findData(key)
        self.dataset.blockSignals(True)
        self.dataset.setCurrentIndex(i)
        self.dataset.blockSignals(False)
        self.optimizer.setCurrentIndex(max(self.optimizer.findData(s.get("optimizer", "adam")), 0))
        lr = s.get("learning_rate", 0.001)
        if not (self.lr.hasFocus() and self.settings_msg.isVisible()):  # keep what the user is fixing
            try:
                current = float(self.lr.text())
            except ValueError:
                current = None
            if current != lr:
                self.lr.setText(f"{lr:g}")
        self.schedule.setCurrentIndex(max(self.schedule.findData(s.get("lr_schedule", "constant")), 0))
        self.batch.setValue(int(s.get("batch_size", 128)))
        self.epochs_box.setValue(int(s.get("epochs", 3)))
        self.val_split.setValue(float(s.get("validation_split", 0.1)))
        self.patience.setValue(int(s.get("early_stopping", 0)))
        self.devices.setValue(int(s.get("devices", 1)))
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
                s["learning_rate"] = self.doc.training.get("learning_rate", 0.001)
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
            except PlaygroundError as exc:
                self.feeds.setText(f"<span style='color:#D64541'>{esc(str(exc))}</span>")
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
        if getattr(self, "_preview_stale", True) or not self.isVisible():
            return
        key = self.dataset.currentData()
        ds = getattr(self, "_preview", None)
        if ds is None:
            self.feeds.setText(f"<span style='color:gray'>{esc(str(key))}: loaded from the Keras cache (or downloaded) when "
                               f"training starts.</span>")
            return
        from ..backend.datasets import prepare
        from ..backend.session import model_io
        try:
            in_shape, units = model_io(self.doc.graph)
            sub = type(ds)(ds.name, ds.x_train[:2], ds.y_train[:2], None, None, ds.class_names, ds.binary)
            prepare(sub, in_shape, units)
        except PlaygroundError as exc:
            self.feeds.setText(f"<span style='color:#D64541'>{esc(str(exc))}</span>")
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

    def network_problem(self) -> str | None:
        """Why the network cannot be trained as it is (the first layer with an error and its fix), or None."""
        if not self.doc.graph.nodes:
            return "The canvas is empty: add an Input, the layers, and an output Dense layer (or start from a preset)."
        first = self.doc.shapes.first_error()
        if first is None:
            return None
        nid, message = first
        return f"Fix {self.doc.graph.nodes[nid].name!r} first: {message}"

    def _update_start(self) -> None:
        problem = self.network_problem()
        running = self.is_running()
        self.start_btn.setEnabled(problem is None and not running)
        self.start_btn.setToolTip(problem or "Train the network on the chosen data (F5).")

    def start(self) -> bool:
        if self.is_running():
            return False
        problem = self.network_problem()
        if problem is not None:  # refused before anything loads
            self.status.setText(f"<span style='color:#D64541'>{esc(problem)}</span>")
            return False
        settings = self.current_settings(strict=True, quiet=False)
        if settings is None:
            self.status.setText("Fix the settings marked in red first.")
            return False
        changed = {k: v for k, v in settings.items() if self.doc.training.get(k) != v}
        if changed:  # typed but not yet committed (a field still being edited): commit as one step
            self.doc.stack.beginMacro("Training settings")
            for k, v in changed.items():
                self.doc.set_setting("training", k, v)
            self.doc.stack.endMacro()
        settings = dict(self.doc.training)
        self.plots.clear()
        self.clear_results()
        worker = TrainingWorker(self.doc.graph, settings["dataset"], settings, self.doc.project.name)
        worker.begun.connect(self._on_begun)
        worker.batch.connect(self._on_batch)
        worker.epoch.connect(self._on_epoch)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.thread = WorkerThread(worker, self)
        self.thread.finished.connect(self._on_thread_done)
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.last_batch = None
        self.tabs.setCurrentWidget(self.plots)
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
        self.last_batch = (int(epoch), int(batch), int(steps))
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
        message = res.message  # a stop names its epoch, its batch b of N and which weights these are
        self.status.setText(f"<span style='color:{colour}'>{esc(message)}</span>")
        if res.stopped != "nan":
            self.doc.set_trained(outcome.model, outcome)
            if getattr(outcome, "predictions", None) is not None:
                self.tabs.setCurrentWidget(self.results)
            current = {nid: w for nid, w in outcome.weights.items() if nid in self.doc.graph.nodes}
            if current:
                from .commands import SetWeightsCommand
                self.doc.push(SetWeightsCommand(self.doc.graph, current, "Apply trained weights"))
        self.show_results(outcome)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#D64541'>{esc(message)}</span>")

    def _on_thread_done(self) -> None:
        self.plots.timer.stop()
        self.plots.redraw()
        self.stop_btn.setEnabled(False)
        self._update_start()

    # ------------------------------------------------------------ results
    def clear_results(self) -> None:
        self.results.clear()

    def show_results(self, outcome) -> None:
        self.results.show_outcome(outcome)

    @property
    def confusion_matrix(self):
        return self.results.confusion_matrix
