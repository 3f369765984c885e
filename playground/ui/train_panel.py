"""The Train workspace: data box, settings form (seed included), Start/Stop, Pause/Resume, Step one batch, progress with
ETA, live curves, the runs table (compare, replay, restore) and the results. A run is one undo step (``run_commands.
TrainingRunCommand``): the weights shown after each pause and, at the end, the final weights with its entry merge."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from html import escape as esc

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from ..core import runs as runs_core
from ..core.logic import nothing_to_train
from ..core.words import count
from .dataset_box import DatasetBox
from . import plain_text, progress_text
from .plots import MAX_POINTS, TrainingPlots
from .results import ResultsView
from .run_box import RED, RunBox
from .run_commands import CHANGED_NOTE, TrainingRunCommand, finite, network_changed, paused_outcome, record_run
from .runs_table import RunsTable, replay_verdict
from .train_settings import TrainSettingsForm
from .vscroll import MinimumHeightWidget, enlarge_button, vertical_scroll
from .worker import TrainingWorker, WorkerTask


class TrainPanel(QWidget):
    """Data and settings (each change one undo step), Start/Stop/Pause/Step, live plots, runs, results."""

    export_requested = Signal(str)  # a format: the window's exporter writes the file

    def __init__(self, doc, settings=None):
        super().__init__()
        self.doc = doc
        self.thread: WorkerTask | None = None
        self.outcome = None
        self.t_start, self.epochs, self.steps, self.last_status = 0.0, 1, 1, 0.0
        self.drawn_at = 0.0  # when the live curves were last drawn
        self.first_batch = self.last_batch = self.left_run = None  # the ETA's start; the last batch; a run undone
        self.batches_done = 0  # batches trained in the current run (the counter; it stops while paused)
        self.paused = self.stepping = False  # it sleeps after a batch (the worker said so); one batch in flight
        self.run_info: dict = {}
        self.start_note = ""  # where the next run starts, in words
        self.failed_on: str | None = None  # the setting a failed run's message is about (it clears with it)

        self.data_box = DatasetBox(doc, settings)  # the data
        self.dataset, self.strip, self.feeds = self.data_box.dataset, self.data_box.strip, self.data_box.feeds

        # settings
        self.form = TrainSettingsForm(doc)
        for name in ("optimizer", "lr", "schedule", "batch", "epochs_box", "val_split", "patience", "devices",
                     "seed", "new_seed_btn", "settings_msg", "start_from"):
            setattr(self, name, getattr(self.form, name))  # the widgets tests and the window reach

        # run
        self.run_box = RunBox()
        for name in ("start_btn", "stop_btn", "pause_btn", "step_btn", "counter", "progress", "status", "device"):
            setattr(self, name, getattr(self.run_box, name))

        self.plots = TrainingPlots()
        self.plots.setMinimumHeight(120)  # the window fits a 1280x720 screen with every control whole

        # results
        self.results = ResultsView()
        self.results.setTitle("")  # its tab says "Results"
        self.results.export_requested.connect(self.export_requested)
        self.results_label, self.confusion, self.gallery = (self.results.label, self.results.confusion,
                                                            self.results.gallery)
        self.export_buttons = self.results.export_buttons

        # data, run and settings on top; curves, results (which scroll) and the run history share the rest as tabs
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.data_box)
        left.addWidget(self.run_box)
        top.addLayout(left, 3)
        top.addWidget(self.form, 2)
        self.runs_table = RunsTable(doc)
        self.runs_table.setTitle("")  # its tab says "Runs"
        self.runs_table.setMinimumWidth(360)  # its button row may scroll off rather than widen the window
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plots, "Curves")
        self.tabs.addTab(self.results, "Results")
        self.tabs.addTab(self.runs_table, "Runs")
        # in a scroll area that scrolls up and down only: a window lower than the panel's minimum (a 1280x720
        # screen with a large font) scrolls it, never squeezes its buttons and labels below their own height
        content = self.content = MinimumHeightWidget()
        lay = QVBoxLayout(content)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.enlarge = enlarge_button(self.tabs, [self.data_box, self.form], "Data and Settings (the run's own box "
                                      "stays: a paused run said nothing with it hidden)")
        self.scroll = vertical_scroll(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

        self.start_btn.clicked.connect(self.start)
        self.stop_btn.clicked.connect(lambda: self.stop())
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.step_btn.clicked.connect(self.step)
        # Space pauses while the focus is in this panel (on the canvas it stays Space-drag panning); F6 and F7
        # are the Train menu's, in every workspace (actions.py)
        QShortcut(QKeySequence(Qt.Key_Space), self, self.toggle_pause, context=Qt.WidgetWithChildrenShortcut)
        self.runs_table.overlay_changed.connect(
            lambda runs: self.plots.show_runs(runs, runs_core.differences(self.doc.project.runs, runs)))
        self.runs_table.replay_requested.connect(self.replay)
        self.runs_table.said.connect(lambda text: self.status.setText(f"<b>{esc(text)}</b>"))  # ("Restored the weights
        doc.stack.indexChanged.connect(lambda _: self.status.text().startswith("<b>Restored") and self.status.clear())
        # of run #1" stayed after Ctrl+Z took them back: a note on the last step goes with the next); document -> view
        doc.settings_changed.connect(self._on_setting)
        doc.replaced.connect(self._on_replaced)
        doc.changed.connect(self._update_start)
        self.data_box.problem_changed.connect(self._update_start)
        self.load_settings(doc.training)  # built on first use (main_window): the document as it is now
        self._update_start()
        self._show_last_run()

    def network_problem(self) -> str | None:
        """Why the network cannot be trained as it is (the first layer with an error and its fix), or None."""
        if not self.doc.graph.nodes:
            return "The canvas is empty: add an Input, the layers, and an output Dense layer (or start from a preset)."
        if (first := self.doc.shapes.first_error()) is None:  # (then a gate of step neurons alone: nothing learns)
            return nothing_to_train(self.doc.graph, self.doc.infos) or self.data_box.unread() or \
                self.data_box.problem_now()
        return f"Fix {self.doc.graph.nodes[first[0]].name!r} first: {first[1]}"

    def minimumSizeHint(self) -> QSize:
        """As wide as the contents need (nothing scrolls sideways); as low as a few rows: below the contents'
        own height, they scroll up and down."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return QSize(self.content.minimumSizeHint().width() + bar, 160)

    def _update_start(self) -> None:
        problem = self.network_problem()
        self.start_btn.setEnabled(problem is None and not self.is_running())
        self.start_btn.setToolTip(plain_text.tip(problem) if problem else "Train the network on the chosen data (F5).")
        if not self.is_running():
            self.run_box.refresh(problem)
        live, runs = self.plots.live_run, self.doc.project.runs
        if live is not None and not self.is_running() and runs.get(live) is None:  # undone
            self.plots.clear()
            self.run_box.clear_bar()  # its batch count and its progress went with it
            self.left_run = live
            self.status.setText(f"Run #{live} left the history (undone or deleted; Ctrl+Y brings it back): its curves too.")
        elif self.left_run is not None and not self.is_running() and runs.get(self.left_run):
            self.status.setText(f"Run #{self.left_run} is back in the history (Ctrl+Z takes it out again).")
            self.plots.live_run, self.left_run = self.left_run, None  # redone: its scores, and its curves as a run
            self._show_last_run()  # chosen in the Runs tab
            self.run_box.show_end(runs.get(self.plots.live_run))  # the bar and the count went with it

    def _on_setting(self, section: str, key: str) -> None:
        if section == "training":
            self.load_settings(self.doc.training)
            if key == self.failed_on and not self.is_running():  # the setting that failed the run changed
                self.failed_on = None
                self.run_box.show_idle(self.network_problem())

    def _on_replaced(self) -> None:
        self.stop(wait=True)
        self.run_info, self.left_run = {}, None  # a run of the project that was replaced: its results go nowhere
        self.plots.clear()
        self.results.clear()
        self.run_box.clear_bar()  # the last project's batch count and progress are not this one's
        self.run_box.show_idle(self.network_problem())
        self.load_settings(self.doc.training)
        self._show_last_run()

    def _show_last_run(self) -> None:
        for run in self.doc.project.runs.runs[-1:]:  # a reopened project: its last run's scores, its curves
            self.results.show_run(run)
            self.runs_table.select_run(run.number)  # (overlaid, as a run chosen in the Runs tab)

    # ------------------------------------------------------------ settings
    def load_settings(self, s: dict) -> None:
        """Show the document's settings (model -> view: signals blocked, nothing echoes as an edit)."""
        self.data_box.load(s.get("dataset", "mnist-sample"))
        self.form.load(s)

    def current_settings(self, strict: bool = True, quiet: bool = True) -> dict | None:
        """The settings as typed; with ``strict``, validated by the backend's rules (a red message if not)."""
        return self.form.values(self.dataset.currentData(), strict)

    # ------------------------------------------------------------ run
    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> bool:
        """Train the document's network with its settings; False if a run is going or a setting is bad."""
        if self.is_running():
            self.doc.say("A run is already training: Esc stops it, F6 pauses it.", 4000)
            return False
        problem = self.network_problem()
        if problem is not None:  # refused before anything loads
            self.run_box.show_idle(problem, red=True)
            return False
        settings = self.current_settings(strict=True, quiet=False)
        if settings is None:
            self.status.setText("Fix the settings marked in red first.")
            return False
        changed = {k: v for k, v in settings.items() if self.doc.training.get(k) != v}
        if changed:  # typed but not yet committed (a field still being edited): commit as one step
            self.doc.set_settings("training", changed, "Training settings")
        fresh = self.doc.training.get("start_weights") == "fresh"
        graph = runs_core.fresh_start(self.doc.graph) if fresh else self.doc.graph
        start = {nid: dict(n.weights) for nid, n in graph.nodes.items() if n.weights}
        self.start_note = runs_core.start_note(self.doc.training.get("seed"), self.doc.project.runs, start, fresh)
        self.doc.note_start(graph)  # step neurons that cannot learn; pixels its first layers want otherwise
        return self._launch(graph, dict(self.doc.training), start, replay_of=None)

    def replay(self, number: int) -> bool:
        """Rerun run ``number`` exactly: its starting weights, settings and seed on this (same) network."""
        if self.is_running():
            return False
        run = self.doc.project.runs.get(number)
        why = "No such run." if run is None else self.runs_table.can_replay(run)
        if why:
            self.run_box.say(esc(why), red=True)
            return False
        start = self.doc.project.runs.weights_of(run.start_digest)
        graph = self.doc.graph.copy()
        for nid in graph.nodes:
            graph.set_weights(nid, start.get(nid))
        settings = {k: v for k, v in run.settings.items() if k not in runs_core.UNSAVED_SETTINGS}
        # (a stored run never picks a folder; a stopped one stops where it did)
        return self._launch(graph, settings, start, replay_of=number, stop_after=runs_core.stop_position(run))

    def _launch(self, graph, settings: dict, start_weights: dict, replay_of: int | None, stop_after=None) -> bool:
        self.plots.clear()
        self.results.clear()
        self.run_info = {"token": object(), "settings": settings, "start": start_weights, "replay_of": replay_of,
                         "start_digest": runs_core.weights_digest(start_weights),
                         "fingerprint": runs_core.fingerprint(graph),
                         "started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        worker = TrainingWorker(graph, self.doc.data_path(settings["dataset"]), settings, self.doc.project.name,
                                stop_after=stop_after)  # (data_path: what the data's consent was checked on)
        for name in ("begun", "batches", "epoch", "paused", "finished", "failed"):
            getattr(worker, name).connect(getattr(self, f"_on_{name}"))  # worker.begun -> self._on_begun ...
        self.thread = WorkerTask(worker, self)
        self.thread.finished.connect(self._on_thread_done)
        self.batches_done, self.left_run, self.paused = 0, None, False
        self._show_paused(False)
        self.start_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.pause_btn.setEnabled(True)
        self.tabs.setCurrentWidget(self.plots)
        self.run_box.clear_bar()
        if replay_of:
            self.start_note = f"from run #{replay_of}'s starting weights"
        what = f"Replaying run #{replay_of}" if replay_of else f"Run #{self.doc.project.runs.next_number}"
        self.status.setText(f"{esc(what)} starts {esc(self.start_note)}: loading Keras and the data\u2026")
        self.t_start = time.perf_counter()
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
            self.first_batch = None  # the ETA starts afresh: the pause is not training time
            self.thread.worker.resume()
            self._show_paused(False)
            self.plots.frame_whole_loss(False)
            self.counter.setText("")  # the bar counts while running (see _on_batches)
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
        if not self.is_running() or self.thread.worker.gate.released or not self.run_info:
            return
        if not all(finite(w) for w in p["weights"].values()):  # (its loss still a number: it would not stop)
            self.run_box.say("The weights became NaN (not a number): the run stops here and keeps none of them.",
                             red=True)
            self.stop()  # it ends as a NaN run (backend.session), the weights before it left as they were
            return
        self.paused, self.stepping = True, False
        self._show_paused(True)
        self.plots.redraw()
        self.plots.frame_whole_loss(True)
        self.counter.setText(progress_text.counter(self.batches_done, self.steps, self.epochs))
        if self.last_batch is not None:  # the bar too, whenever its last text was written (at most 10 a second)
            self.progress.setFormat(progress_text.bar(*self.last_batch, self.epochs, self.last_loss, "paused"))
        epoch, batch, steps, changed = int(p["epoch"]), int(p["batch"]), max(int(p["steps"]), 1), \
            network_changed(self.doc, self.run_info)
        where = progress_text.paused_at(epoch, batch, steps)
        self.status.setText(f"Paused {where} ({count(int(p['batches_done']), 'batch', 'batches')} in all). Step "
                            f"runs one batch (F7); Resume with Space." + (CHANGED_NOTE if changed else ""))
        if changed:  # (its weights fit the network it started with, not this one)
            return
        self.doc.push(TrainingRunCommand(self.doc, self.run_info["token"], p["weights"],
                                         f"Weights {where} (paused)"))
        self.doc.set_trained(p["model"], paused_outcome(p, epoch, where))

    def _on_begun(self, epochs: float, steps: float, device: str) -> None:
        self.epochs, self.steps = int(epochs), max(int(steps), 1)
        self.first_batch = self.last_batch = None
        self.plots.begin(self.epochs, validation=bool(self.run_info["settings"].get("validation_split")),
                         steps=self.steps)
        self.device.setText(f"Device: {device}")
        self.status.setText("Training: the bar shows the epoch, the batch, its loss and the time left.")
        self.t_start = time.perf_counter()

    def _on_batches(self, chunk: list) -> None:
        """A chunk of batches (the worker sends them at most 5 times a second): every one goes into the
        curves' buffers; the labels, the progress bar and the plots are updated once for the chunk."""
        for epoch, batch, steps, loss, acc, elapsed in chunk:
            x = epoch + (batch + 1) / steps
            self.plots.add_batch(x, loss, acc)
            if self.first_batch is None:
                self.first_batch = (elapsed, x / max(self.epochs, 1))  # the first batch includes graph tracing
        self.batches_done += len(chunk)
        epoch, batch, steps, loss, acc, elapsed = chunk[-1]
        self.last_batch, self.last_loss = (int(epoch), int(batch), int(steps)), loss
        done = (epoch + (batch + 1) / steps) / max(self.epochs, 1)
        now = time.perf_counter()
        if now - self.last_status > 0.09:  # at 10 Hz at most (chunks come at 5)
            self.last_status = now
            # Only the progress bar changes while batches flow (its text: batch, loss, ETA): a label's new text
            # lays the whole window out again (3-4 ms of the GUI thread a frame), and QProgressBar.setValue
            # repaints at once unless updates are off: so the bar is repainted once, with the plots.
            e1, d1 = self.first_batch
            eta = (elapsed - e1) * (1 - done) / (done - d1) if done > d1 else float("nan")
            self.progress.setFormat(progress_text.bar(int(epoch), int(batch), int(steps), self.epochs, loss, "stepping"
                                                      if self.stepping else "paused" if self.paused else None, eta))
            self.progress.setUpdatesEnabled(False)
            self.progress.setValue(int(done * 1000))
            self.progress.setUpdatesEnabled(True)
        # Draw in this frame, at most 5 times a second while the curves are short and 3 times once they are
        # long: a frame's cost grows with the points drawn (3 ms at 150, 8 ms at 1,000 on 2 cores); drawing half
        # as often took the GUI thread's CPU in a 1-epoch fit from about 0.21 s to 0.14 s (issue 26,
        # benchmarks/training_overhead.py). Pause and the end always draw.
        due = 0.2 + 0.15 * min(1.0, self.plots.buffers["batch_loss"].n / MAX_POINTS)
        if now - self.drawn_at >= due:
            self.drawn_at = now
            self.plots.redraw()

    def _on_epoch(self, logs: dict) -> None:
        epoch, batch, steps = self.last_batch or (-1, 0, 1)
        if epoch != int(logs["epoch"]) or batch + 1 >= steps:  # stopped mid-epoch: no point past the curves' end
            self.plots.add_epoch(logs["epoch"] + 1, logs)

    def _on_finished(self, outcome) -> None:
        if not self.run_info:  # the project was replaced while this run ended
            return
        self.outcome = outcome
        res = outcome.result
        self.plots.redraw()
        changed = network_changed(self.doc, self.run_info)
        run = record_run(self.doc, self.run_info, outcome)
        self.run_box.show_end(run)
        verdict = replay_verdict(self.doc.project.runs, run) + (CHANGED_NOTE if changed else "")
        message = f"<span style='color:{RED}'>{esc(res.message)}</span>" if res.stopped == "nan" else \
            esc(res.message)  # (not a span coloured "inherit": Qt drew it black on the dark theme's grey)
        self.status.setText(f"{message} Run #{run.number} started {esc(self.start_note)}.{verdict}")
        if res.stopped != "nan" and not changed:
            self.doc.set_trained(outcome.model, outcome)
            if getattr(outcome, "predictions", None) is not None:
                self.tabs.setCurrentWidget(self.results)
        self.runs_table.refresh()
        self.plots.live_run = run.number  # its overlay, selected next, hides the live smoothed curve under it
        self.runs_table.select_run(run.number)
        self.results.show_outcome(outcome)

    def _on_failed(self, message: str) -> None:
        self.progress.setFormat("%p%")
        self.failed_on = "devices" if message.startswith("devices = ") else None
        self.run_box.say(esc(message), red=True)

    def _on_thread_done(self) -> None:
        self.plots.timer.stop()
        self.plots.end_run()  # frames the run that ended, whole
        self.plots.redraw()
        self.paused = self.stepping = False
        self.stop_btn.setEnabled(False)
        self._update_start()
        self._show_paused(False)
        self.pause_btn.setEnabled(False)

    # ------------------------------------------------------------ results
    @property
    def confusion_matrix(self):
        return self.results.confusion_matrix
