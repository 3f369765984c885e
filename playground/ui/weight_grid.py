"""A Neuron's weights as a grid of fields: w0 (bias) and one weight per input, one column per neuron.

Typing commits on Enter, Tab or leaving the field; Escape puts back the model's value. An entry that is
not a finite number stays red with its message and changes nothing. Every commit is one undo step;
scrolling nudges a weight (0.5 a notch, 0.1 with Shift) and a run of scrolls on one entry is one step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..core.logic import activation_rule
from ..core.weights import fitted_neuron_weights, typed_weight_problem
from ..core.words import count
from . import commands as C

RED = "border: 1.5px solid #D64541; border-radius: 3px;"
RED_FILL = "background: #FBD3D0; color: #8A1F1B;"  # inside a spin box's frame, which draws no border of its own there


def mark_red(widget, on: bool) -> None:
    """The red border of a refused field, or none. A spin box's own style sheet made Qt draw its buttons without
    their arrows (a drive), so there its text field turns red inside the frame."""
    from PySide6.QtWidgets import QAbstractSpinBox  # noqa: PLC0415
    if hasattr(widget, "set_marked"):  # a number box: red while it refuses its text, or while marked
        widget.set_marked(on)
    elif isinstance(widget, QAbstractSpinBox):
        widget.lineEdit().setStyleSheet(RED_FILL if on else "")
    else:
        widget.setStyleSheet(RED if on else "")


def unit_name(layer: str, u: int, units: int) -> str:
    """One numbering everywhere in the lab (weights, truth table, decision plot): ``hidden #1``, from 1."""
    return layer if units == 1 else f"{layer} #{u + 1}"


def source_name(node, i: int, width: int) -> str:
    """What feeds weight ``w{i+1}``: an input bit ``x1``, ``x2``... or a neuron ``hidden #1``."""
    if node.spec.source:
        return f"x{i + 1}"
    return unit_name(node.name, i, width)


class WeightEdit(QLineEdit):
    """One weight; ``committed(edit, text, merge)`` when the user confirms a value or scrolls."""

    committed = Signal(object, str, bool)
    escaped = Signal(object)

    def __init__(self, key: tuple, parent=None):
        super().__init__(parent)
        self.key = key
        self.loaded: str | None = None  # the text the model's value was shown as
        self.setAlignment(Qt.AlignRight)
        self.setMinimumWidth(56)
        self.setToolTip("Type a number and press Enter or Tab (Escape undoes the typing), or scroll to change it "
                        "(Shift: finer). z = w0 + sum wi*xi; step gives 1 when z >= 0.")
        self.editingFinished.connect(lambda: self.committed.emit(self, self.text(), False))

    def event(self, event):
        # Escape is also the window's "stop training" shortcut: inside a weight with typing (or a refused entry) to
        # put back it means "undo my typing"; with nothing to put back it is Stop, as everywhere else
        if event.type() == QEvent.ShortcutOverride and event.key() == Qt.Key_Escape and \
                (self.text() != self.loaded or self.styleSheet()):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape:
            self.escaped.emit(self)
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event):
        try:
            v = float(self.text())
        except ValueError:
            return
        step = 0.1 if event.modifiers() & Qt.ShiftModifier else 0.5
        v = round(v + step * (1 if event.angleDelta().y() > 0 else -1), 6)
        self.setText(exact(v))
        self.committed.emit(self, self.text(), True)
        event.accept()


class WeightGrid(QWidget):
    """The weights of one Neuron node of the document; rebuilt when its fan-in or units change."""

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.node_id: str | None = None
        self.edits: dict[tuple, WeightEdit] = {}
        self.msg = QLabel()
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        doc.learning_changed.connect(self.load_values)  # the weights as a run changes them, or back to the document's
        doc.graph.events.node_renamed.connect(self._on_renamed)  # its columns are named after the layer

    def _on_renamed(self, node, old) -> None:
        if node.id == self.node_id:  # (the headers said "and" after the layer became "gate")
            self.build(self.node_id)

    @property
    def graph(self):
        return self.doc.graph

    def fan_in(self) -> int | None:
        ins = self.graph.input_ids(self.node_id) if self.node_id in self.graph.nodes else []
        return self.doc.shapes.output_width(ins[0]) if ins else None

    def clear(self) -> None:
        for e in self.edits.values():
            # a field hidden with the keyboard in it gets editingFinished, after the document may already be
            # another project's: its text must not be set on whatever layer there has the same id
            e.blockSignals(True)
        while self.lay.count():
            item = self.lay.takeAt(0)
            if item.widget():
                item.widget().hide()  # gone now, not when the event loop gets to deleteLater
                item.widget().deleteLater()
        self.edits, self.title = {}, None

    def build(self, node_id: str | None) -> None:
        self.clear()
        self.node_id = node_id
        node = self.graph.nodes.get(node_id) if node_id else None
        if node is None or not node.spec.hand_set:
            return
        n_in = self.fan_in()
        self.title = title = QLabel(self._title_text(self.doc.shown_node(node_id)))
        title.setWordWrap(True)
        title.setTextFormat(Qt.RichText)
        self.lay.addWidget(title)
        if n_in is None:
            hint = QLabel("Connect an input to set the weights.")
            hint.setStyleSheet("color: gray;")
            self.lay.addWidget(hint)
            return
        units = node.params["units"]
        k = node.weights.get("kernel")
        if k is not None and k.shape != (n_in, units):
            fix = QPushButton(f"Reset weights to fit {count(n_in, 'input')} x {count(units, 'neuron')}")
            fix.clicked.connect(self.fit_weights)
            self.lay.addWidget(fix)
            return
        grid_w = QWidget()
        grid = QGridLayout(grid_w)
        grid.setContentsMargins(0, 0, 0, 0)
        src = self.graph.nodes[self.graph.input_ids(node_id)[0]]
        for u in range(units):
            head = QLabel(unit_name(node.name, u, units))
            head.setAlignment(Qt.AlignCenter)
            grid.addWidget(head, 0, u + 1)
        grid.addWidget(QLabel("w0 (bias)"), 1, 0)
        for i in range(n_in):
            grid.addWidget(QLabel(f"w{i + 1} \u2190 {source_name(src, i, n_in)}"), i + 2, 0)
        for u in range(units):
            keys = [(("bias", (u,)), 1)] + [(("kernel", (i, u)), i + 2) for i in range(n_in)]
            for key, row in keys:
                e = WeightEdit(key)
                e.committed.connect(self._on_commit)
                e.escaped.connect(self._on_escape)
                grid.addWidget(e, row, u + 1)
                self.edits[key] = e
        self.lay.addWidget(grid_w)
        self.msg = QLabel()
        self.msg.setStyleSheet("color: #D64541;")
        self.msg.setWordWrap(True)
        self.msg.hide()
        self.lay.addWidget(self.msg)
        self.load_values()

    def model_value(self, key: tuple) -> float:
        var, idx = key
        arr = self.doc.shown_node(self.node_id).weights.get(var)  # as it learns, while Learn instead runs
        return 0.0 if arr is None or any(i >= s for i, s in zip(idx, arr.shape)) else float(arr[idx])

    def _title_text(self, node) -> str:
        act = node.params.get("activation", "step")
        rule = f"{act}: {activation_rule(act)}"
        if self.doc.learning is not None and node.id in self.doc.learning.nodes:  # (a second run: sigmoid both)
            # the form above shows the layer's own setting, which the run leaves alone
            return (f"<b>Weights as Learn instead changes them</b> <span style='color:gray'>({rule}). Your "
                    f"{self.graph.nodes[node.id].params.get('activation')} neurons and their weights come back "
                    f"with Ctrl+Z; typing a weight stops the run.</span>")
        return f"<b>Weights</b> &nbsp; <span style='color:gray'>z = w0 + w1*x1 + w2*x2 + ...; {rule}</span>"

    def load_values(self) -> None:
        if self.node_id not in self.graph.nodes:
            return
        if getattr(self, "title", None) is not None:  # the rule follows the activation (Learn instead: sigmoid)
            self.title.setText(self._title_text(self.doc.shown_node(self.node_id)))
        for key, e in self.edits.items():
            typing = e.hasFocus() and (e.styleSheet() or e.text() != e.loaded)
            e.loaded = exact(self.model_value(key))  # leaving the field with this text changes nothing
            if typing:
                continue  # the user is typing or fixing an entry (a run may end meanwhile): keep their text
            e.blockSignals(True)
            e.setText(e.loaded)
            e.blockSignals(False)
            e.setStyleSheet("")

    def _on_escape(self, edit: WeightEdit) -> None:
        edit.blockSignals(True)
        edit.setText(exact(self.model_value(edit.key)))
        edit.blockSignals(False)
        edit.setStyleSheet("")
        self.msg.hide()

    def _on_commit(self, edit: WeightEdit, text: str, merge: bool) -> None:
        if text == edit.loaded:  # left without typing (Tab through, a click elsewhere), or typed back: not an edit
            edit.setStyleSheet("")
            self.msg.hide()
            return
        why = typed_weight_problem(text)
        if why is not None:
            edit.setStyleSheet(RED)
            self.msg.setText(f"{why}; nothing was changed. Press Escape to put back "
                             f"{exact(self.model_value(edit.key))}.")
            self.msg.show()
            QTimer.singleShot(0, lambda m=self.msg: _scroll_to(m, edit))  # once laid out: below the fold at 1280x720
            return
        value = float(text)
        edit.setStyleSheet("")
        self.msg.hide()
        var, idx = edit.key
        node = self.graph.nodes[self.node_id]
        if var not in node.weights:
            steps = C.Steps(self.graph)
            steps.add(C.SetWeightsCommand, {self.node_id: fitted_neuron_weights(
                self.graph, self.node_id, self.fan_in())}, "Create weights")
            steps.add(C.SetWeightCommand, self.node_id, var, idx, value, merge=merge)
            self.doc.push(steps.command("Set weight"))
        elif np.float32(node.weights[var][idx]) != np.float32(value):  # as stored: float32
            self.doc.push(C.SetWeightCommand(self.graph, self.node_id, var, idx, value, merge=merge))
        if self.node_id in self.graph.nodes:  # shown as it is held (0.123456789 typed: 0.12345679)
            edit.loaded = exact(self.model_value(edit.key))
            edit.setText(edit.loaded)

    def fit_weights(self) -> None:
        n_in = self.fan_in()
        if n_in:
            self.doc.push(C.SetWeightsCommand(self.graph, {self.node_id: fitted_neuron_weights(
                self.graph, self.node_id, n_in)}, "Reset weights to fit"))
            self.build(self.node_id)


def _scroll_to(widget, field) -> None:
    """Scroll the panel the widget is in (if any) so that the widget shows, and the field being typed in too (the
    field first, where both do not fit)."""
    from PySide6.QtWidgets import QScrollArea
    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None and widget.isVisible():
        area.ensureWidgetVisible(widget, 0, 4)
        area.ensureWidgetVisible(field, 0, 4)


def exact(value: float) -> str:
    """A weight as the field shows it: the shortest text that reads back as the same float32, so every digit is
    there (a learned 5.014132 is not 5.01413) and leaving the field changes nothing."""
    text = str(np.float32(value))
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
