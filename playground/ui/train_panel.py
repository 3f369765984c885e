"""The Train workspace: dataset strip, settings (seed included), Start/Stop, Pause/Resume and Step one batch,
progress with ETA, live curves, results, and the runs table (compare, replay, restore)."""

from __future__ import annotations

import math
import secrets
import time
from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from ..core import runs as runs_core
from ..core.errors import PlaygroundError
from .images import array_to_pixmap
from .plots import TrainingPlots
from .results import ResultsView
from .run_commands import TrainingRunCommand
from .runs_table import RunsTable
from .worker import TrainingWorker, WorkerThread

MAX_SEED_BOX = 2 ** 31 - 1  # a QSpinBox holds a signed 32-bit int

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
        self.batches_done = 0  # batches trained in the current run (the counter; it stops while paused)
        self.paused = False  # the run sleeps after a batch (the worker said so)
        self.stepping = False  # Step pressed: one batch in flight, then paused again
        self.run_info: dict = {}

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
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED_BOX)
        self.seed.setToolTip("The same network, starting weights, data, settings and seed train the same way, bit "
                             "for bit (see Replay in the runs table). Change it to see how much a run owes to "
                             "chance.")
        self.new_seed_btn = QPushButton("New")
        self.new_seed_btn.setToolTip("Draw a new random seed (one undo step).")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_seed_btn)
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
        form.addRow("seed", seed_row)
        form.addRow(self.settings_msg)

        # run
        self.start_btn = QPushButton("\u25b6  Start (F5)")
        self.start_btn.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        self.stop_btn = QPushButton("\u25a0  Stop (Esc)")
        self.stop_btn.setEnabled(False)
        self.pause_btn = QPushButton("\u275a\u275a  Pause (Space)")
        self.pause_btn.setToolTip("Pause after the batch in progress (Space or F6); the plots, weights and See "
                                  "inside then show the state after that batch.")
        self.pause_btn.setEnabled(False)
        self.step_btn = QPushButton("Step one batch (F7)")
        self.step_btn.setToolTip("While paused: train exactly one more batch, then pause again.")
        self.step_btn.setEnabled(False)
        self.counter = QLabel("")  # batches trained in this run: stops while paused
        self.counter.setStyleSheet("color: gray;")
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
        bl.addWidget(self.pause_btn)
        bl.addWidget(self.step_btn)
        bl.addStretch(1)
        rl.addLayout(bl)
        rl.addWidget(self.counter)
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
        self.runs_table = RunsTable(doc)
        lay.addWidget(self.runs_table)
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
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.step_btn.clicked.connect(self.step)
        # Space pauses while the focus is in this panel (on the canvas it stays Space-drag panning);
        # F6 and F7 work anywhere in the window while the Train workspace shows.
        for key, slot, context in ((Qt.Key_Space, self.toggle_pause, Qt.WidgetWithChildrenShortcut),
                                   (Qt.Key_F6, self.toggle_pause, Qt.WindowShortcut),
                                   (Qt.Key_F7, self.step, Qt.WindowShortcut)):
            QShortcut(QKeySequence(key), self, slot, context=context)
        self.runs_table.overlay_changed.connect(self.plots.show_runs)
        self.runs_table.replay_requested.connect(self.replay)
        # view -> document: each accepted change is one undo step (typing in one field merges)
        self.optimizer.currentIndexChanged.connect(lambda _: self._edit("optimizer", self.optimizer.currentData()))
        self.schedule.currentIndexChanged.connect(lambda _: self._edit("lr_schedule", self.schedule.currentData()))
        self.lr.textEdited.connect(self._on_lr_typed)
        self.lr.editingFinished.connect(self._on_lr_done)
        self.batch.valueChanged.connect(lambda v: self._edit("batch_size", v))
        self.epochs_box.valueChanged.connect(lambda v: self._edit("epochs", v))
        self.patience.valueChanged.connect(lambda v: self._edit("early_stopping", v))
        self.val_split.valueChanged.connect(lambda v: self._edit("validation_split", round(v, 4)))
        self.seed.valueChanged.connect(lambda v: self._edit("seed", v))
        self.new_seed_btn.clicked.connect(self._new_seed)
        # document -> view
        doc.settings_changed.connect(self._on_setting)
        doc.changed.connect(self._update_feeds)
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

    def _new_seed(self) -> None:
        # a macro of its own: not merged with typing in the seed box just before
        self.doc.stack.beginMacro("New seed")
        self._edit("seed", secrets.randbelow(MAX_SEED_BOX + 1))
        self.doc.stack.endMacro()

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
                   self.val_split, self.patience, self.seed)
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
        seed = s.get("seed", 0)
        self.seed.setValue(0 if seed is None else min(int(seed), MAX_SEED_BOX))
        self.extra = {k: v for k, v in s.items() if k in ("loss",)}
        if seed is None or seed > MAX_SEED_BOX:  # none (a new seed each run) or beyond the box: keep it as it is
            self.extra["seed"] = seed
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
             "early_stopping": self.patience.value(), "seed": self.seed.value()}
        s.update(getattr(self, "extra", {}))
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
        if getattr(self, "_preview_stale", True) or not self.isVisible():
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

    # ------------------------------------------------------------ run
    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> bool:
        """Train the document's network with its settings; False if a run is going or a setting is bad."""
        if self.is_running():
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
        start = {nid: dict(n.weights) for nid, n in self.doc.graph.nodes.items() if n.weights}
        return self._launch(self.doc.graph, dict(self.doc.training), start, replay_of=None)

    def replay(self, number: int) -> bool:
        """Rerun run ``number`` exactly: its starting weights, settings and seed on this (same) network."""
        if self.is_running():
            return False
        run = self.doc.project.runs.get(number)
        why = "No such run." if run is None else self.runs_table.can_replay(run)
        if why:
            self.status.setText(f"<span style='color:#D64541'>{why}</span>")
            return False
        start = self.doc.project.runs.weights_of(run.start_digest)
        graph = self.doc.graph.copy()
        for nid in graph.nodes:
            graph.set_weights(nid, start.get(nid))
        return self._launch(graph, dict(run.settings), start, replay_of=number)

    def _launch(self, graph, settings: dict, start_weights: dict, replay_of: int | None) -> bool:
        self.plots.clear()
        self.clear_results()
        self.run_info = {"token": object(), "settings": settings, "start": start_weights, "replay_of": replay_of,
                         "start_digest": runs_core.weights_digest(start_weights),
                         "fingerprint": runs_core.fingerprint(graph),
                         "started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        worker = TrainingWorker(graph, settings["dataset"], settings, self.doc.project.name)
        worker.begun.connect(self._on_begun)
        worker.batch.connect(self._on_batch)
        worker.epoch.connect(self._on_epoch)
        worker.paused.connect(self._on_paused)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self.thread = WorkerThread(worker, self)
        self.thread.finished.connect(self._on_thread_done)
        self.batches_done = 0
        self.paused = False
        self._show_paused(False)
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.pause_btn.setEnabled(True)
        self.counter.setText("")
        self.progress.setValue(0)
        what = f"Replaying run #{replay_of}" if replay_of else "Starting"
        self.status.setText(f"{what}: loading Keras and the data\u2026")
        self.t_start = time.perf_counter()
        self.plots.timer.start()
        self.thread.start()
        return True

    def stop(self, wait: bool = False) -> None:
        if self.thread is not None and self.thread.isRunning():
            self.status.setText("Stopping after this batch\u2026")
            self.thread.stop(wait=wait)

    # ------------------------------------------------------------ pause, resume, step
    def toggle_pause(self) -> None:
        """Pause after the batch in progress, or resume a paused run."""
        if not self.is_running():
            return
        if self.paused or self.stepping:
            self.paused = self.stepping = False
            self.thread.worker.resume()
            self._show_paused(False)
            self.status.setText("Resumed.")
        else:
            self.thread.worker.pause()
            self.pause_btn.setEnabled(False)  # until the batch in progress ends and the run reports in
            self.status.setText("Pausing after this batch\u2026")

    def step(self) -> None:
        """While paused, train exactly one more batch (then pause again)."""
        if not self.is_running() or not self.paused:
            return
        self.paused, self.stepping = False, True
        self.step_btn.setEnabled(False)
        self.thread.worker.step()

    def _show_paused(self, paused: bool) -> None:
        self.pause_btn.setText("\u25b6  Resume (Space)" if paused else "\u275a\u275a  Pause (Space)")
        self.pause_btn.setEnabled(self.is_running())
        self.step_btn.setEnabled(paused)
        if not paused:
            self.stepping = False

    def _on_paused(self, p: dict) -> None:
        """The run sleeps: show the state after its last batch (plots, counter, weights, See inside)."""
        if not self.is_running() or self.thread.worker.gate.released:
            return
        self.paused, self.stepping = True, False
        self._show_paused(True)
        self.plots.redraw()
        self._show_counter()
        epoch, batch, steps = int(p["epoch"]), int(p["batch"]), max(int(p["steps"]), 1)
        where = (f"after batch {batch} of {steps} in epoch {epoch + 1}" if batch else
                 f"after epoch {epoch}" if epoch else "before the first batch")
        self.status.setText(f"Paused {where} ({p['batches_done']} batches in all). Step runs one batch (F7); "
                            f"Resume with Space.")
        self.doc.push(TrainingRunCommand(self.doc, self.run_info["token"], p["weights"],
                                         f"Weights {where} (paused)"))
        from ..backend.session import Outcome  # plain Python: no Keras import
        from ..backend.training import TrainResult
        result = TrainResult(epoch, "paused", f"Paused {where}.")
        self.doc.set_trained(p["model"], Outcome(p["model"], result, p["weights"], p["data"], p["dataset"]))

    def _show_counter(self) -> None:
        steps = max(self.steps, 1)
        done = self.batches_done
        epoch = min((done - 1) // steps + 1, self.epochs) if done else 1
        self.counter.setText(f"batch {done - (epoch - 1) * steps if done else 0} of {steps} \u00b7 epoch {epoch} "
                             f"of {self.epochs} \u00b7 {done} batches trained")

    def _on_begun(self, epochs: float, steps: float, device: str) -> None:
        self.epochs, self.steps = int(epochs), max(int(steps), 1)
        self.first_batch = None
        self.plots.begin(self.epochs)
        self.device.setText(f"Device: {device}")
        self.t_start = time.perf_counter()

    def _on_batch(self, epoch, batch, steps, loss, acc, elapsed) -> None:
        self.batches_done += 1
        x = epoch + (batch + 1) / steps
        self.plots.add_batch(x, loss, acc)
        done = x / max(self.epochs, 1)
        if self.first_batch is None:
            self.first_batch = (elapsed, done)  # the first batch includes graph tracing: not in the ETA
        now = time.perf_counter()
        if now - self.last_status > 0.1:  # labels at 10 Hz at most
            self.last_status = now
            self.progress.setValue(int(done * 1000))
            self._show_counter()
            if self.paused or self.stepping:
                return
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
        self._show_counter()
        self.progress.setValue(1000 if res.stopped == "finished" else self.progress.value())
        colour = "#D64541" if res.stopped == "nan" else "inherit"
        run = self._record(outcome)
        self.status.setText(f"<span style='color:{colour}'>{res.message}</span>{self._replay_verdict(run)}")
        if res.stopped != "nan":
            self.doc.set_trained(outcome.model, outcome)
        self.runs_table.refresh()
        self.runs_table.select_run(run.number)
        self.show_results(outcome)

    def _record(self, outcome) -> runs_core.Run:
        """The run's history entry and its weights: one undo step with any weights shown while paused."""
        info, res = self.run_info, outcome.result
        nan = res.stopped == "nan"
        end = None if nan else outcome.weights
        cm = None
        if getattr(outcome, "predictions", None) is not None:
            pred, true = outcome.predictions
            cm = runs_core.confusion(pred, true, 2 if outcome.dataset.binary else outcome.dataset.num_classes)
        epochs = {k: v for k, v in res.history.items() if k in runs_core.EPOCH_KEYS}
        run = runs_core.make_run(0, info["started"], res.seconds, {**info["settings"], "seed": outcome.seed},
                                 outcome.seed, info["fingerprint"], info["start_digest"],
                                 None if nan else runs_core.weights_digest(end), outcome.steps,
                                 outcome.batches.get("loss", []), outcome.batches.get("accuracy", []), epochs,
                                 res.test_loss, res.test_accuracy, cm, res.stopped, info["replay_of"])
        current = None if nan else {nid: w for nid, w in end.items() if nid in self.doc.graph.nodes}
        number = self.doc.project.runs.next_number
        text = f"Training run #{number}" + (f" (replay of #{info['replay_of']})" if info["replay_of"] else "")
        self.doc.push(TrainingRunCommand(self.doc, info["token"], current, text, run, info["start"], end))
        return self.doc.project.runs.get(number) or run

    def _replay_verdict(self, run: runs_core.Run) -> str:
        if run.replay_of is None:
            return ""
        original = self.doc.project.runs.get(run.replay_of)
        if original is None:
            return ""
        if original.same_result(run):
            return (f"<br><b>Replay of run #{run.replay_of}: identical</b> (curves, test accuracy and weights, "
                    f"bit for bit).")
        return f"<br><b>Replay of run #{run.replay_of} differs</b>: {original.first_difference(run)}."

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#D64541'>{message}</span>")

    def _on_thread_done(self) -> None:
        self.plots.timer.stop()
        self.plots.running = False
        self.plots.redraw()
        self.paused = self.stepping = False
        self.start_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)
        self._show_paused(False)
        self.pause_btn.setEnabled(False)

    # ------------------------------------------------------------ results
    def clear_results(self) -> None:
        self.results.clear()

    def show_results(self, outcome) -> None:
        self.results.show_outcome(outcome)

    @property
    def confusion_matrix(self):
        return self.results.confusion_matrix
