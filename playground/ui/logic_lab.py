"""Logic lab: the truth table of the network on the canvas, live; the decision line of a two-input
neuron (in decision_plot.py); an exact "no single line can do this" check; and "learn instead" with sigmoid
units."""

from __future__ import annotations

from html import escape as esc

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core import logic
from ..core.errors import PlaygroundError
from ..core.graph import Graph
from ..core.words import count
from . import commands as C
from .truth_table import GREEN, RED, TableSplit, TruthTableView

TARGETS = [("and", "AND"), ("or", "OR"), ("not", "NOT"), ("nand", "NAND"), ("nor", "NOR"), ("xor", "XOR"),
           ("xnor", "XNOR"), ("custom", "Custom column (tick the 1s)")]


# Learn instead stops once the mean loss (binary cross-entropy) is below this: then no row's own loss is above 0.2,
# so every sigmoid output is within 0.18 of its target, right by a clear margin. OR from its hand-set weights got
# there in a fraction of the 400 epochs, which took 25-32 s with Keras' start (a new-user drive).
LEARN_UNTIL_LOSS = 0.05
LEARN_TIPS = ("Off: there is no truth table to learn from yet (a gate preset, or Input \u2192 Neuron layers).",
              "Switch the neurons to sigmoid and train them on the truth table; the weights and the table follow.")


class LogicPanel(QWidget):
    """Target, truth table, the neuron editor and learning; the target is a document setting (undoable)."""

    table_changed = Signal()  # the table or the network shown changed: the decision plot redraws
    # Epochs of "Learn instead" (one batch of the 4 rows each): enough for XNOR from a random start at Adam's
    # rate 0.1; an instance may take fewer (a test that checks what the panel says, not how well it learns).
    learn_epochs = 400

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        # the canvas, as the window assembles it: how many columns it shows across, and a fit of it
        self.canvas_rows = None  # graph -> int (editor.per_row)
        self.fit_canvas = None
        self.graph: Graph = doc.graph
        self.thread = None
        self._learning_from = None  # (graph, what_learning_reads) while Learn instead runs: what its result is for
        self._said_at = -1  # the undo index the status line was written at
        self.table_data: logic.TruthTable | None = None

        self.target = QComboBox()
        for key, label in TARGETS:
            self.target.addItem(label, key)
        self.custom = QWidget()
        self.custom_layout = QHBoxLayout(self.custom)
        self.custom_layout.setContentsMargins(0, 0, 0, 0)
        self.custom_boxes: list[QCheckBox] = []
        self.table = TruthTableView()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.RichText)
        self.separable = QLabel()
        self.separable.setWordWrap(True)
        self.separable.setTextFormat(Qt.RichText)
        self.add_hidden = QPushButton("Add a hidden layer of two neurons")
        self.add_hidden.clicked.connect(self.add_hidden_layer)
        self.learn_btn = QPushButton("Learn instead (sigmoid + backprop)")
        self.snap_btn = QPushButton("Snap back to step")
        self.snap_btn.setToolTip("Use the learned weights with step neurons again, to compare.")
        self.learn_status = QLabel()
        self.learn_status.setWordWrap(True)
        self.learn_btn.clicked.connect(self.learn)
        self.snap_btn.clicked.connect(self.snap_to_step)
        self.note = note = QLabel()  # the neurons' rule (refresh: it follows their activation), then the how-to
        note.setWordWrap(True)
        note.setStyleSheet("color: gray;")

        from .inspector import Inspector
        self.neuron_editor = Inspector(doc)  # the same document, model and undo stack
        # on a network the lab cannot read: what the lab is for, at the top, instead of an empty table
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.RichText)
        self.intro.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Target</b>"))
        row.addWidget(self.target, 1)
        lay.addLayout(row)
        lay.addWidget(self.custom)
        self.split = TableSplit(self.table, self.neuron_editor)
        lay.addWidget(self.split, 1)
        btns = QHBoxLayout()
        btns.addWidget(self.learn_btn)
        btns.addWidget(self.snap_btn)
        for item in (self.verdict, self.separable, self.add_hidden, btns, self.learn_status, note):
            (lay.addLayout if isinstance(item, QHBoxLayout) else lay.addWidget)(item)
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.add_hidden.hide()
        doc.changed.connect(self._on_doc_changed)
        doc.settings_changed.connect(self._on_setting)
        doc.replaced.connect(self._on_replaced)
        doc.graph.events.connect_all(self._on_graph_event)
        self.load_settings(doc.logic)

    def _on_doc_changed(self) -> None:
        if self._stop_if_changed():
            return
        if self._learning_from is None and self._said_at is not None and self.doc.stack.index() != self._said_at:
            self.learn_status.setText("")
        if self.isVisible():
            self.refresh()

    def _stop_if_changed(self) -> bool:
        """An edit while it learns (a weight typed or nudged, a layer added, the target): the run's network is not
        the user's any more, so it stops and its result is dropped; the edit stays. A card moved changes nothing."""
        if self._learning_from is None:
            return False
        now = logic.what_learning_reads(self.graph, self.target_value())
        if now == self._learning_from[1]:
            return False
        what = "target" if now[:2] == self._learning_from[1][:2] else "network"
        self._learning_from = None
        self.stop_learning()  # not waiting: Keras may still be loading (3.5 s); its result is ignored
        self._end_learning(f"Learning stopped: the {what} changed while it learned, so its result was not applied. "
                           f"Your change is kept; press Learn instead to learn from it.",
                           running=self.thread is not None and self.thread.isRunning())
        return True

    def _on_setting(self, section: str, _key: str) -> None:
        if section == "logic":
            self.load_settings(self.doc.logic)
            QTimer.singleShot(0, self._stop_if_changed)  # after the step (a target picked again merges into it)

    def _on_graph_event(self, event: str, /, **_payload) -> None:  # (param_changed's payload has a name=)
        if self._learning_from is not None and event != "node_moved":  # after the step (a nudge merges: no index)
            QTimer.singleShot(0, self._stop_if_changed)

    def _on_replaced(self) -> None:
        if self._learning_from is not None:
            self.doc.status.emit("Learn instead stopped: another project was opened, and nothing of its run was kept.",
                                 10_000)
        self._learning_from = None  # a run of the old project's network: its result must not reach this one
        self.doc.set_undo_claim(None)
        self.stop_learning(wait=True)
        self.preview, self.table.hold = None, False
        self.learn_btn.setEnabled(True)
        self.learn_status.setText("")  # messages about the old project do not survive it
        self.load_settings(self.doc.logic)

    # the network as it learns (not on the undo stack until done): the document's, so that every view shows it
    preview = property(lambda self: self.doc.learning, lambda self, graph: self.doc.show_learning(graph))

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()

    # ------------------------------------------------------------ settings
    def load_settings(self, s: dict) -> None:
        """Show the document's target (model -> view: signals blocked so nothing echoes as an edit)."""
        target = s.get("target", "xnor")
        self.target.blockSignals(True)
        if isinstance(target, list):
            self.target.setCurrentIndex(self.target.findData("custom"))
            self._custom_values = [int(v) for v in target]
            for b, v in zip(self.custom_boxes, self._custom_values):
                b.blockSignals(True)
                b.setChecked(bool(v))
                b.blockSignals(False)
        else:
            self.target.setCurrentIndex(max(self.target.findData(target), 0))
        self.target.blockSignals(False)
        self.refresh()

    def current_settings(self) -> dict:
        t = self.target_value()
        return {"target": t} if t is not None else {}

    def target_value(self):
        key = self.target.currentData()
        if key == "custom":
            return [int(b.isChecked()) for b in self.custom_boxes]
        return key

    def _on_target_changed(self) -> None:
        value = self.target_value()
        if value is None:
            return
        from .document import SettingError
        try:
            self.doc.set_setting("logic", "target", value)
        except SettingError as exc:
            self.doc.tell(str(exc))
            self.load_settings(self.doc.logic)  # show what the model really holds
        self.refresh()

    def _rebuild_custom(self, n_rows: int) -> None:
        if len(self.custom_boxes) == n_rows:
            return
        values = getattr(self, "_custom_values", None) or [0] * n_rows
        for b in self.custom_boxes:
            b.deleteLater()
        self.custom_boxes = []
        width = max(1, int(np.log2(max(n_rows, 1))))
        for i in range(n_rows):
            b = QCheckBox(format(i, f"0{width}b"))
            b.setChecked(bool(values[i]) if i < len(values) else False)
            b.toggled.connect(lambda _: self._on_target_changed())
            self.custom_layout.addWidget(b)
            self.custom_boxes.append(b)

    # ------------------------------------------------------------ the table
    def network(self) -> Graph:
        return self.preview if self.preview is not None else self.graph

    def refresh(self) -> None:
        g = self.network()
        self.note.setText(f"{logic.neurons_rule(g)} Click a neuron (or the edge into it) to edit its weights below: "
                          f"type, or scroll a weight to nudge it by 0.5.")
        self.snap_btn.setEnabled(any(n.spec.hand_set and n.params.get("activation") != "step"  # something to snap
                                     for n in self.graph.nodes.values()))
        self.custom.setVisible(self.target.currentData() == "custom")
        try:
            n = g.inputs()[0].params["shape"][0] if g.inputs() else 0
            if self.target.currentData() == "custom":
                self._rebuild_custom(2 ** n)
            table = logic.truth_table(g, self.target_value())
        except (PlaygroundError, IndexError) as exc:
            self.table_data = None
            self.table.clear_table()
            self.table.hide()
            self.intro.setText(
                "<b>The Logic lab is for networks of threshold neurons on bits</b> (Input \u2192 Neuron layers): "
                "it shows their truth table, a decision line per neuron, and lets you set every weight by hand."
                + (f"<br><span style='color:gray'>This network: {esc(str(exc))}</span>" if g.nodes else "")
                + "<br>Load a gate from File \u2192 New from preset (and, or, not, nor, xnor-case1, xnor-case2), or "
                "build Input \u2192 Neuron layers from the palette's Logic group.")
            self.intro.show()
            self.verdict.setText("")
            self.separable.setText("")
            self.add_hidden.hide()
            self.learn_btn.setEnabled(False)  # nothing to learn from (it was clickable on an empty network)
            self.learn_btn.setToolTip(LEARN_TIPS[0])
            self.table_changed.emit()
            return
        self.learn_btn.setEnabled(self._learning_from is None and not (self.thread and self.thread.isRunning()))
        self.learn_btn.setToolTip(LEARN_TIPS[1])
        self.table_data = table
        self.intro.hide()
        self.table.show()
        self._fill(table)
        self.split.fit()
        self._separability(g)
        self.table_changed.emit()

    def _fill(self, t: logic.TruthTable) -> None:
        self.table.fill(t, self.network())  # while it learns: the sigmoid network, its outputs to three decimals
        if t.target is None:
            self.verdict.setText("")
        elif t.all_correct:
            self.verdict.setText(f"<b style='color:{GREEN}'>\u2713 All {len(t.inputs)} rows correct.</b>")
        else:
            self.verdict.setText(f"<b style='color:{RED}'>\u2717 {esc(t.verdict())}</b>")

    def _separability(self, g: Graph) -> None:
        neuron = logic.single_neuron(g)
        target = self.target_value()
        if neuron is None or target is None or (isinstance(target, str) and logic.GATES[target][0] != 2):
            self.separable.setText("")
            self.add_hidden.hide()
            return
        col = logic.target_column(target, 2)
        if logic.linearly_separable(logic.binary_rows(2), col):
            self.separable.setText("<span style='color:gray'>One line can separate the 1s from the 0s, so one "
                                   "neuron can do this.</span>")
            self.add_hidden.hide()
        else:
            name = target.upper() if isinstance(target, str) else "this column"
            self.separable.setText(
                f"<b style='color:{RED}'>No single line separates the 1s from the 0s of {name}</b> (checked exactly: "
                f"the convex hulls of the two classes meet). One neuron draws one line, so no choice of w0, w1, w2 "
                f"can compute it. A hidden layer can: each hidden neuron draws a line, the output combines them.")
            self.add_hidden.show()

    # ------------------------------------------------------------ actions
    def add_hidden_layer(self) -> None:
        """Input -> [2 step neurons] -> the existing neuron, as one undo step."""
        neuron = logic.single_neuron(self.graph)
        if neuron is None:
            return
        inp = self.graph.inputs()[0]
        edge = next(e for e in self.graph.edges if e.dst == neuron.id)
        x, y = neuron.pos
        steps = C.Steps(self.graph)  # every step checked on a copy first: a refused step changes nothing
        try:
            steps.add(C.DisconnectCommand, edge)
            steps.add(C.MoveNodesCommand, {neuron.id: (neuron.pos, (x + 240, y))})
            add = steps.add(C.AddNodeCommand, "neuron", (x, y), {"units": 2, "activation": "step"},
                            name=steps.graph.unique_name("hidden"),
                            weights={"kernel": np.zeros((2, 2), np.float32), "bias": np.zeros(2, np.float32)})
            steps.add(C.ConnectCommand, inp.id, add.node.id)
            steps.add(C.ConnectCommand, add.node.id, neuron.id)
            self._lay_out_in_view(steps)
        except PlaygroundError as exc:
            self._say(f"<span style='color:{RED}'>Could not add a hidden layer: {esc(str(exc))}</span>")
            return
        stopped = "Learning stopped, its result not applied. " if self._learning_from is not None else ""
        self.doc.push(steps.command("Add hidden layer"))  # (stops a run: said here, not replaced by the next line)
        self.doc.select([add.node.id], reveal=True)
        self._say(f"{stopped}Added a hidden layer of two neurons with zero weights: set them by hand (AND and NOR "
                  f"make XNOR with an OR on top), or press Learn instead.")

    def _lay_out_in_view(self, steps) -> None:
        """The grown network in rows the canvas shows at a readable zoom (the lab's canvas is narrow on a small
        screen), in the same undo step; the view then shows it whole."""
        from ..core.layout import auto_layout
        if self.canvas_rows is None:  # no canvas (the panel alone)
            return
        g = steps.graph
        moves = {nid: (g.nodes[nid].pos, p) for nid, p in auto_layout(g, per_row=self.canvas_rows(g)).items()
                 if g.nodes[nid].pos != p}
        if moves:
            steps.add(C.MoveNodesCommand, moves)
        if self.fit_canvas is not None:
            QTimer.singleShot(0, self.fit_canvas)

    def learn(self) -> None:
        if self.thread is not None and self.thread.isRunning():
            return
        target = self.target_value()
        g = self.graph
        neurons = [n for n in g.nodes.values() if n.spec.hand_set]
        if not neurons or not isinstance(target, str):
            self._say("Learning needs Neuron layers and a named gate as the target.")
            return
        preview = g.copy()
        rng = np.random.default_rng(0)
        for n in neurons:
            preview.nodes[n.id].params["activation"] = "sigmoid"
            k = n.weights.get("kernel")
            if k is None or not np.any(k):  # all-zero weights cannot break symmetry: start small and random
                ins = g.input_ids(n.id)
                n_in = self.doc.shapes.output_width(ins[0])
                preview.nodes[n.id].weights = {
                    "kernel": rng.normal(0, 1, (n_in, n.params["units"])).astype(np.float32),
                    "bias": np.zeros(n.params["units"], np.float32)}
        self.preview, self.table.hold = preview, True  # the table keeps its form while the weights move
        from .worker import TrainingWorker, WorkerTask
        settings = {"optimizer": "adam", "learning_rate": 0.1, "batch_size": 4, "epochs": self.learn_epochs,
                    "validation_split": 0.0, "loss": "binary_crossentropy", "seed": 0}
        worker = TrainingWorker(preview, f"gate-{target}", settings, "logic", weights_every=10, predictions=False,
                                until_loss=LEARN_UNTIL_LOSS)
        worker.weights.connect(self._on_weights)
        worker.finished.connect(self._on_learned)
        worker.failed.connect(self._on_learn_failed)
        self.thread = WorkerTask(worker, self)
        self._learning_from = (self.graph, logic.what_learning_reads(g, target))  # what the result applies to
        self.thread.finished.connect(self._on_task_done)
        self.learn_btn.setEnabled(False)
        self._cannot = logic.cannot_learn(g, target)
        self.learn_status.setText("Learning with sigmoid neurons (loading Keras)\u2026" + self._cannot)
        self.doc.set_undo_claim("Learn instead", self._take_back)  # Ctrl+Z now undoes this run, not the step before
        self.thread.start()

    def _take_back(self) -> None:
        self._learning_from = None
        self.stop_learning()
        self._end_learning("Learn instead undone: it stopped, and nothing of its run was kept.",
                           running=self.thread is not None and self.thread.isRunning())

    def _on_weights(self, weights: dict) -> None:
        if self.preview is None or self._learning_from is None:
            return
        for nid, w in weights.items():
            if nid in self.preview.nodes:
                self.preview.nodes[nid].weights = w
        self.doc.show_learning(self.preview)  # the cards and the weight grid, as the table
        self.learn_status.setText("Learning\u2026 the table shows the sigmoid network as it is now.")  # (_cannot: above)
        self.refresh()

    def _on_learned(self, outcome) -> None:
        learned_from, self._learning_from = self._learning_from, None
        if learned_from is None or learned_from[0] is not self.graph or \
                learned_from[1] != logic.what_learning_reads(self.graph, self.target_value()):
            if learned_from is not None:  # an edit whose check (deferred a turn) had not run yet: it runs now
                self._learning_from = learned_from
                self._stop_if_changed()
            return  # another project, or an edit since it started: already said (or nothing to say)
        neurons = [n.id for n in self.graph.nodes.values() if n.spec.hand_set]
        steps = C.Steps(self.graph)
        steps.add(C.SetNodeParamsCommand, {nid: {"activation": "sigmoid"} for nid in neurons}, "Sigmoid neurons")
        steps.add(C.SetWeightsCommand, {nid: outcome.weights[nid] for nid in neurons if nid in outcome.weights},
                  "Learned weights")
        self.doc.push(steps.command("Learn instead"))
        score, n = self._score(), outcome.result.epochs_run
        how = (f"Stopped after {count(n, 'epoch')} of at most {self.learn_epochs}" if outcome.result.stopped ==
               "stopped" else f"Ran all {count(n, 'epoch')} without its loss getting below {LEARN_UNTIL_LOSS}"
               if n >= self.learn_epochs else f"Learned in {count(n, 'epoch')}")
        self._end_learning(f"{how}: {score} (a sigmoid output \u2265 0.5 counts as 1). Press \u201cSnap back to "
                           f"step\u201d to compare. Undo restores your hand-set weights." + getattr(self, "_cannot", ""))

    def _score(self) -> str:
        """The same rule as the table's verdict (output >= 0.5 counts as 1), computed from the table itself."""
        try:
            table = logic.truth_table(self.graph, self.target_value())
        except PlaygroundError:
            return "the table could not be computed"
        return f"{len(table.inputs) - len(table.wrong_rows)} of {len(table.inputs)} rows right"

    def _on_learn_failed(self, msg: str) -> None:
        if self._learning_from is not None:  # else the run was the old project's, or it was dropped for an edit
            self._learning_from = None
            self._end_learning(f"<span style='color:{RED}'>{esc(msg)}</span>")

    def _say(self, text: str) -> None:
        """A line about what was just done: it goes with the next undo step, which makes it stale ("set them by hand"
        stayed after the user had set them; "your change is kept" after that change was undone)."""
        self.learn_status.setText(text)
        self._said_at = self.doc.stack.index()

    def _on_task_done(self) -> None:
        if self._learning_from is None:  # the run is over: a dropped one's thread ends after its message
            self.learn_btn.setEnabled(True)
            self.doc.set_undo_claim(None)  # (whatever way it ended, Ctrl+Z is the stack's again)

    def _end_learning(self, text: str, running: bool = False) -> None:
        self.preview, self.table.hold = None, False
        self.doc.set_undo_claim(None)
        self.learn_btn.setEnabled(not running)
        self._say(text)
        self.refresh()

    def snap_to_step(self) -> None:
        neurons = [n.id for n in self.graph.nodes.values() if n.spec.hand_set
                   and n.params["activation"] != "step"]
        if neurons:
            self.doc.push(C.SetNodeParamsCommand(self.graph, {nid: {"activation": "step"} for nid in neurons},
                                                          "Snap back to step"))
            self._say(f"Step neurons again, with the learned weights: {self._score()}. Undo goes back to the "
                      f"sigmoid ones.")
        self.refresh()

    def stop_learning(self, wait: bool = False) -> None:
        if self.thread is not None and self.thread.isRunning():
            self.learn_status.setText("Stopping after this epoch\u2026")  # (Esc said nothing until it had)
            self.thread.stop(wait=wait)
