"""The runs table of the Train workspace: every run of the project, newest first.

Select one or several rows to overlay their curves on the plots; Replay reruns the selected run (same
network, starting weights, settings and seed); Restore puts a run's final weights back into the network
(one undo step); Delete and the limits are undo steps too. The table reads ``doc.project.runs`` and
refreshes when the undo stack moves.
"""

from __future__ import annotations

import functools
import math
from html import escape as esc

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..core import runs as runs_core
from . import plain_text
from .commands import SetWeightsCommand
from .run_commands import RunHistoryCommand
from ..core.words import count

REPLAY_TIP = ("Train again exactly as this run did: the same network, starting weights, settings and seed give "
              "the same curves and weights, bit for bit.")
RESTORE_TIP = "Put this run's final weights back into the network (one undo step)."
COLUMNS = ("run", "started", "start", "differs", "seed", "epochs", "test acc.", "epoch loss", "time", "network",
           "weights", "note")
NETWORK_COLUMN = COLUMNS.index("network")


@functools.cache
def preset_fingerprints() -> dict[str, str]:
    """{fingerprint: preset name}: a run of another network says which preset it was, when it was one (the
    presets of a story keep their runs from one to the next)."""
    from ..core import project
    from ..resources_path import preset_names, preset_text
    return {runs_core.fingerprint(project.loads(preset_text(n)).graph): n for n in preset_names()}


def run_note(history: runs_core.RunHistory, run: runs_core.Run) -> str:
    """What a learner should know about a run: how it ended and, for a replay, whether it repeated."""
    parts = [] if run.stopped == "finished" else [{"stopped": "stopped by you", "early": "early stop",
                                                   "nan": "loss became NaN"}[run.stopped]]
    if run.replay_of is not None:
        original = history.get(run.replay_of)
        if original is None:
            parts.append(f"replay of #{run.replay_of}")
        elif original.same_result(run):
            parts.append(f"replay of #{run.replay_of}: identical, bit for bit")
        else:
            parts.append(f"replay of #{run.replay_of}: {original.first_difference(run)}")
    return "; ".join(parts)


def replay_verdict(history: runs_core.RunHistory, run: runs_core.Run) -> str:
    """For the status line after a replay: identical, or where it parted from the original."""
    original = history.get(run.replay_of) if run.replay_of is not None else None
    if original is None:
        return ""
    if original.same_result(run):
        return (f"<br><b>Replay of run #{run.replay_of}: identical</b> (curves, test accuracy and weights, bit "
                f"for bit).")
    return f"<br><b>Replay of run #{run.replay_of} differs</b>: {original.first_difference(run)}."


def _last(n: int) -> str:
    return "last run" if n == 1 else f"last {n} runs"


class RunsTable(QGroupBox):
    overlay_changed = Signal(list)  # the selected runs (core Run objects), oldest first
    replay_requested = Signal(int)  # a run number
    said = Signal(str)  # a confirmation the panel's status line repeats (plain text)

    def __init__(self, doc, parent=None):
        super().__init__("Runs", parent)
        self.doc = doc
        self._shown: tuple | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeaderItem(COLUMNS.index("epoch loss")).setToolTip(
            "The last epoch's mean training loss (the progress bar shows the last batch's).")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        # sized once a fill (refresh): sized to contents, each new cell made Qt measure every row again, so n runs
        # cost n^2 (200 runs: 24 s for each run added)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(90)  # (the Train panel's minimums: a 1280x720 screen, its buttons whole)
        self.table.setToolTip("Select runs (Ctrl/Shift for several) to overlay their curves on the plots.")
        self.replay_btn = QPushButton("Replay")
        self.replay_btn.setToolTip(REPLAY_TIP)
        self.restore_btn = QPushButton("Restore weights")
        self.restore_btn.setToolTip(RESTORE_TIP)
        self.delete_btn = QPushButton("Delete")
        self.limit = QSpinBox()
        self.limit.setRange(1, runs_core.MAX_LIMIT)
        self.limit.setToolTip("How many runs the project keeps; older ones are dropped.")
        self.keep = QSpinBox()
        self.keep.setRange(0, runs_core.MAX_LIMIT)
        self.keep.setToolTip("How many of the latest runs keep their weights in the project file (weights take "
                             "the most room; a run without them can be compared but not replayed or restored).")
        self.msg = QLabel()
        self.msg.setWordWrap(True)
        bar = QHBoxLayout()
        for w in (self.replay_btn, self.restore_btn, self.delete_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(QLabel("keep"))
        bar.addWidget(self.limit)
        bar.addWidget(QLabel("runs, weights of the last"))
        bar.addWidget(self.keep)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addLayout(bar)
        lay.addWidget(self.msg)

        self.table.itemSelectionChanged.connect(self._on_selection)
        self.replay_btn.clicked.connect(self._on_replay)
        self.restore_btn.clicked.connect(self._on_restore)
        self.delete_btn.clicked.connect(self._on_delete)
        self.limit.editingFinished.connect(self._on_limits)
        self.keep.editingFinished.connect(self._on_limits)
        doc.changed.connect(self.refresh)  # every undo step (a run's entry comes and goes with its command)
        doc.stack.indexChanged.connect(self.msg.clear)  # a note on the last step goes with the next
        doc.data_allowed.connect(self._on_selection)  # Replay of a run on data now read (it stayed off)
        doc.replaced.connect(lambda: self.refresh(force=True))
        self.refresh(force=True)

    # ------------------------------------------------------------ model -> view
    @property
    def history(self) -> runs_core.RunHistory:
        return self.doc.project.runs

    def refresh(self, force: bool = False) -> None:
        h = self.history
        fp = runs_core.fingerprint(self.doc.graph) if h.runs else ""
        key = (tuple(r.number for r in h.runs), tuple(h.weights), h.limit, h.keep_weights, fp)
        if key == self._shown and not force:
            return
        self._shown = key
        selected = set(self.selected_numbers())
        for box, value in ((self.limit, h.limit), (self.keep, h.keep_weights)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(h.runs))
        differs = runs_core.differences(h, h.runs)
        for row, run in enumerate(reversed(h.runs)):
            last = run.epochs.get("loss")
            tip = f"Run #{run.number}: " + ", ".join(
                f"{label} {runs_core.setting_text(k, run.settings.get(k))}" for k, label in runs_core.COMPARED
                if k != "start_weights") + f"; started from {runs_core.start_text(h, run)} weights."
            cells = (f"#{run.number}", run.started[11:16] if len(run.started) >= 16 else run.started,
                     runs_core.start_text(h, run), differs.get(run.number) or "\u2013", str(run.seed),
                     f"{runs_core.epochs_trained(run)}/{run.settings.get('epochs', '?')}",
                     "\u2013" if run.test_accuracy is None else f"{run.test_accuracy:.4f}",
                     "\u2013" if last is None or not len(last) or not math.isfinite(last[-1]) else f"{last[-1]:.4f}",
                     f"{run.seconds:.1f} s", "this one" if run.fingerprint == fp else
                     preset_fingerprints().get(run.fingerprint, "changed since"),
                     "kept" if h.weights_of(run.end_digest) is not None else "\u2013", run_note(h, run))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, run.number)
                # (rich text with the file's values escaped: Qt reads a tip with a tag in it as rich text, and an
                # <img src=/dev/zero> in a stored run's dataset crashed the app on hover)
                item.setToolTip(f"network fingerprint {run.fingerprint[:12]}" if col == NETWORK_COLUMN else
                                f"<p>{esc(tip)}</p>")
                self.table.setItem(row, col, item)
            if run.number in selected:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)
        self._on_selection()

    def selected_numbers(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).data(Qt.UserRole) for r in rows if self.table.item(r, 0) is not None]

    def selected_runs(self) -> list[runs_core.Run]:
        wanted = set(self.selected_numbers())
        return [r for r in self.history.runs if r.number in wanted]

    def select_run(self, number: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == number:
                self.table.selectRow(row)

    # ------------------------------------------------------------ view -> document
    def can_replay(self, run: runs_core.Run) -> str | None:
        """Why ``run`` cannot be replayed now, or None."""
        own = runs_core.replay_problem(run)
        if own:
            return own
        if not self.doc.may_read_data(data := run.settings.get("dataset", "mnist-sample")):  # a path a file named
            return (f"Run #{run.number} trained on {data}, which has not been read here: choose it in Data (Use this "
                    f"data, or type its path) first.")
        if run.fingerprint != runs_core.fingerprint(self.doc.graph):
            preset = preset_fingerprints().get(run.fingerprint)
            if preset is not None:
                return f"Run #{run.number} trained the preset {preset}; open it (File > New from preset) to replay it."
            return (f"Run #{run.number} trained a different network (it changed since); undo the changes to "
                    f"replay it.")
        if self.history.weights_of(run.start_digest) is None:
            return (f"Run #{run.number} started from weights the project no longer keeps (it keeps those of the "
                    f"{_last(self.history.keep_weights)}).")
        return None

    def _on_selection(self) -> None:
        chosen = self.selected_runs()
        one = chosen[0] if len(chosen) == 1 else None
        why = self.can_replay(one) if one is not None else "Select one run to replay it."
        self.replay_btn.setEnabled(why is None)
        self.replay_btn.setToolTip(plain_text.tip(why) if why else REPLAY_TIP)  # (a run's dataset is a file's text)
        kept = one is not None and self.history.weights_of(one.end_digest) is not None
        self.restore_btn.setEnabled(kept)
        self.restore_btn.setToolTip(RESTORE_TIP if kept else "Select one run to restore its weights." if one is None
                                    else f"Run #{one.number}'s final weights are no longer kept (the project keeps "
                                         f"those of the {_last(self.history.keep_weights)}).")
        self.delete_btn.setEnabled(bool(chosen))
        self.overlay_changed.emit(chosen)

    def _busy(self, what: str) -> bool:
        """A run is training: Replay did nothing and said nothing, and weights Restored were put back over by the
        run's end (a drive). Say so instead."""
        if self.doc.is_training():
            self.msg.setText(f"A run is training: stop it first (Esc), then {what}.")
        return self.doc.is_training()

    def _on_replay(self) -> None:
        chosen = self.selected_runs()
        if len(chosen) == 1 and not self._busy("replay"):
            self.replay_requested.emit(chosen[0].number)

    def _on_restore(self) -> None:
        chosen = self.selected_runs()
        if len(chosen) != 1 or self._busy("restore the weights"):
            return
        run = chosen[0]
        weights = self.history.weights_of(run.end_digest)
        if not weights:
            self.msg.setText(f"Run #{run.number}'s weights are no longer kept.")
            return
        graph = self.doc.graph
        same = run.fingerprint == runs_core.fingerprint(graph)
        ours = {nid: runs_core.rekeyed(graph.nodes[nid].weights, w) for nid, w in weights.items() if nid in graph.nodes}
        fits = {nid: w for nid, w in ours.items() if same or _fits(graph, nid, w)}
        skipped = [nid for nid in weights if nid not in fits]
        if not fits:
            self.msg.setText(f"None of run #{run.number}'s weights fit this network any more.")
            return
        problem = runs_core.restore_problem(graph, fits)  # checked whole, before any command exists
        if problem:
            self.msg.setText(f"Run #{run.number}'s weights were not restored (nothing changed): {esc(problem)}")
            return
        self.doc.push(SetWeightsCommand(graph, fits, f"Restore weights of run #{run.number}"))
        names = ", ".join(graph.nodes[n].name if n in graph.nodes else n for n in skipped)
        text = (f"Restored the weights of run #{run.number} into the network ({count(len(fits), 'layer')}; Ctrl+Z puts "
                f"back the ones before)." + (f" Skipped (the layer changed or is gone): {names}." if skipped else ""))
        self.msg.setText(text)
        self.said.emit(text)
        self.doc.say(text, 8000)

    def _on_delete(self) -> None:
        numbers = self.selected_numbers()
        if numbers:
            self.doc.push(RunHistoryCommand(self.doc, self.history.removed(numbers),
                                            f"Delete {count(len(numbers), 'run')}"))

    def _on_limits(self) -> None:
        h = self.history
        if (self.limit.value(), self.keep.value()) == (h.limit, h.keep_weights):
            return
        new = h.with_limits(self.limit.value(), self.keep.value())
        dropped = len(h.runs) - len(new.runs)
        self.doc.push(RunHistoryCommand(self.doc, new, "Run history limits"))
        if dropped:
            self.msg.setText(f"Dropped the {count(dropped, 'oldest run')} (undo brings them back).")


def _fits(graph, nid: str, weights: dict) -> bool:
    """Whether ``weights`` match the node's current variables by name and shape."""
    have = graph.nodes[nid].weights
    return bool(have) and set(have) == set(weights) and all(have[k].shape == weights[k].shape for k in have)
