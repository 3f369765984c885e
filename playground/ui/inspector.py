"""The inspector: a form generated from the selected layer's LayerSpec.

Fields validate as the user types through the spec itself (the UI re-checks nothing): a bad value
turns the field red with the spec's message and the graph is left alone. Spin boxes have no range of
their own, so nothing is clamped behind the user's back; the spec's range decides. Every accepted
edit is pushed onto the undo stack, and spin-box drags merge into one step.
"""

from __future__ import annotations

from html import escape as esc

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import PlaygroundError
from ..core.graph import Graph
from ..core.registry import ParamSpec, get_spec, help_of
from . import commands as C
from . import theme
from .augment_strip import AugmentStrip
from .trained_box import TrainedWeightsBox
from .weight_grid import WeightGrid, mark_red
from .output_text import output_html
from .number_box import FloatBox, IntBox, number_problem, whole_number, whole_number_problem
from .escape_keys import PutBackOnEscape
from .field_text import (Invalid, KeptEntries, field_text, parse_float, parse_optional_float, parse_optional_int,
                         parse_padding, parse_pair, parse_shape, plain_message, refusal, value_text)


class Inspector(QWidget):
    """The selected layer's form; follows the document's selection and shape results."""

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.graph: Graph = doc.graph
        self.stack: QUndoStack = doc.stack
        self.node_id: str | None = None
        self.infos: dict = {}
        self.fields: dict[str, QWidget] = {}
        self.msgs: dict[str, QLabel] = {}
        self._pushing = False
        self._session = 0  # one typing session per field, from its first change to leaving it: one undo step
        self._before: dict[str, object] = {}  # a session's first value: back when the typing stops being valid
        self._parsers: dict[str, object] = {}  # a typed field's text -> its value or Invalid
        self.kept = KeptEntries()  # what a layer's fields refused, while another layer is shown
        self.escape = PutBackOnEscape(self, lambda w: next((k for k, f in self.fields.items() if f is w), None),
                                      lambda k: k in self._before or bool(self.msgs[k].text()), self._put_back)

        self.header = QLabel()
        self.header.setTextFormat(Qt.RichText)
        self.header.setWordWrap(True)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.output = QLabel()
        self.output.setTextFormat(Qt.RichText)
        self.output.setWordWrap(True)
        self.output.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.weights = WeightGrid(doc)
        self.trained = TrainedWeightsBox(doc)  # stored weights, reset, trainable, replace the head
        self.augment = AugmentStrip(doc)  # augmentation layers: eight seeded versions of a training image
        self.empty = QLabel("Select a layer to edit it.\n\nEvery change shows its effect at once: shapes, "
                            "parameter counts and formulas.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: gray;")

        inner = QWidget()
        lay = QVBoxLayout(inner)
        for part in (self.header, self.empty, self.body, self.weights, self.trained, self.augment):
            lay.addWidget(part)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        lay.addWidget(line)
        lay.addWidget(self.output)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setFocusPolicy(Qt.NoFocus)  # Tab goes to the fields, not to the frame around them
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        ev = self.graph.events
        ev.graph_reset.connect(self._on_graph_reset)
        ev.node_removed.connect(self._on_node_removed)
        for name in ("param_changed", "node_renamed", "weights_changed", "trainable_changed"):
            getattr(ev, name).connect(self._on_node_changed)
        for sig in (ev.edge_added, ev.edge_removed):
            sig.connect(self._on_edge_changed)
        doc.changed.connect(lambda: self.set_infos(doc.infos))
        doc.masked_changed.connect(self._show_output)  # a lesson's question hides the size here too (it showed it)
        doc.selection_changed.connect(lambda ids: self.show_node(ids[0] if ids else None)
                                      if (ids[0] if ids else None) != self.node_id else None)
        self.infos = doc.infos  # made after the window (the Logic lab's editor): the document as it is now
        self.show_node(doc.current)

    # ------------------------------------------------------------ model -> view
    def _listening(self) -> bool:
        return not self._pushing and self.node_id is not None

    def _on_graph_reset(self) -> None:
        self.kept.drop()  # another network: nothing of the old one's fields is kept, nor looked up in the new one
        if self._listening():
            self.node_id = None
            self.show_node(None)

    def _on_node_removed(self, node) -> None:
        self.kept.drop(node.id)
        if self._listening() and node.id == self.node_id:
            self.show_node(None)

    def _on_node_changed(self, node, **_) -> None:
        if self._listening() and node.id == self.node_id:
            self._load_values()

    def _on_edge_changed(self, edge) -> None:
        if self._listening() and self.node_id in (edge.src, edge.dst):
            self._build_weights()
            self._show_stored()  # (whether a head follows it)

    def set_infos(self, infos: dict) -> None:
        self.infos = infos
        self._show_output()
        self._show_stored()

    def _show_stored(self) -> None:
        self.trained.show_node(self.node_id)

    def show_node(self, node_id: str | None) -> None:
        self._leave()
        self.node_id = node_id if node_id in self.graph.nodes else None
        self._end_session()
        for w in self.fields.values():  # going away: a field that had the keyboard must not commit into the new
            w.blockSignals(True)  # node (editingFinished on hide; the id may be the same in another project)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        self.msgs.clear()
        self._parsers.clear()
        has = self.node_id is not None
        self.empty.setVisible(not has)
        self.body.setVisible(has)
        self.output.setVisible(has)
        if not has:
            self.header.setText("<b>Inspector</b>")
            self._clear_weights()
            self.trained.hide()
            self.augment.show_node(None)
            return
        node = self.graph.nodes[self.node_id]
        spec = get_spec(node.kind)
        self._show_header(node)
        name = QLineEdit()
        name.setToolTip("A unique name; it becomes the Keras layer name.")
        name.editingFinished.connect(lambda w=name: self._on_rename(w))
        self._add_row("name", "name", name, "")
        for p in spec.params:
            self._add_row(p.name, p.title, self._make_field(p), p.help)
        self._load_values()
        self._restore_kept(node)
        self._build_weights()
        self.augment.show_node(self.node_id)
        self.infos = self.doc.infos
        self._show_output()
        self._show_stored()

    def focus_chain(self) -> list[QWidget]:
        """The inspector's fields in reading order (form, weights, stored-weights box), for Tab."""
        t = self.trained
        tail = [t.reset_layer, t.reset_all, t.trainable, t.head_classes, t.replace_head]
        chain = list(self.fields.values()) + list(self.weights.edits.values()) + tail
        return [w for w in chain if w.focusPolicy() & Qt.TabFocus]

    def _add_row(self, key: str, title: str, widget: QWidget, help_text: str) -> None:
        msg = QLabel()
        msg.setWordWrap(True)
        msg.setStyleSheet("color: #D64541;")
        msg.hide()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        v.addWidget(msg)
        widget.installEventFilter(self.escape)  # Escape puts back what was typed in it first (escape_keys)
        label = QLabel(title)
        label.setToolTip(help_text)
        widget.setToolTip(help_text)
        self.form.addRow(label, box)
        label.show()  # added to a visible form: show now rather than on Qt's queued show
        box.show()
        self.fields[key] = widget
        self.msgs[key] = msg

    def _make_field(self, p: ParamSpec) -> QWidget:
        if not p.editable or p.kind in ("text", "config"):  # an opaque layer's Keras config: shown, not edited
            w = QLineEdit()
            w.setReadOnly(True)
            return w
        if p.pair and p.kind in ("int", "optional_int"):
            # a square window is one number; an imported layer may hold (height, width) or per-side padding
            w = QLineEdit()
            w.setPlaceholderText({"hw": "e.g. 3, or 3, 5 for height, width",
                                  "axes": "e.g. -1, or -2, -1 for several axes"}.get(
                                      p.pair, "e.g. 1, or top, bottom, left, right"))
            self._parsers[p.name] = lambda t, p=p: parse_pair(t, p)
            w.textEdited.connect(lambda t, p=p: self._set(p.name, parse_pair(t, p)))
            w.editingFinished.connect(self._end_session)
            return w
        if p.kind == "optional_float":
            w = QLineEdit()
            w.setPlaceholderText("none")
            self._parsers[p.name] = parse_optional_float
            w.textEdited.connect(lambda t, name=p.name: self._set(name, parse_optional_float(t)))
            w.editingFinished.connect(self._end_session)
            return w
        if p.kind == "int":
            w = IntBox()
            w.setRange(-(2 ** 31 - 1), 2 ** 31 - 1)  # the spec's range decides, so nothing is clamped silently
            w.setKeyboardTracking(True)
            w.valueChanged.connect(lambda v, name=p.name: self._set(name, v))
            self._parsers[p.name] = lambda t, p=p: self._typed_int(p, t)
            w.refused.connect(lambda t, p=p: self._set(p.name, self._typed_int(p, t)))
            w.editingFinished.connect(self._end_session)
            return w
        if p.kind == "float":
            w = FloatBox()
            w.setRange(-1e9, 1e9)
            w.setSingleStep(0.05 if (p.max or 1) <= 1 else 0.1)
            w.valueChanged.connect(lambda v, name=p.name: self._set(name, v))
            self._parsers[p.name] = lambda t, p=p: parse_float(t, p.title)
            w.refused.connect(lambda t, p=p: self._set(p.name, Invalid(number_problem(p.title, t))))
            w.editingFinished.connect(self._end_session)
            return w
        if p.kind == "choice":
            w = QComboBox()
            w.addItems([str(c) for c in p.choices])
            w.currentTextChanged.connect(lambda t, name=p.name: self._set(name, t, alone=True))
            return w
        if p.kind == "bool":
            w = QCheckBox()
            w.toggled.connect(lambda v, name=p.name: self._set(name, bool(v), alone=True))
            return w
        if p.kind == "padding":
            w = QComboBox()
            w.setEditable(True)
            w.addItems(["valid", "same", "0", "1", "2", "3"])
            self._parsers[p.name] = parse_padding
            w.currentTextChanged.connect(lambda t, name=p.name: self._set(name, parse_padding(t)))
            w.activated.connect(self._end_session)  # a choice from the list is a step of its own
            w.lineEdit().editingFinished.connect(self._end_session)
            return w
        w = QLineEdit()
        self._parsers[p.name] = parse_shape if p.kind == "shape" else parse_optional_int
        if p.kind == "shape":
            w.setPlaceholderText("e.g. 28, 28, 1")
            w.textEdited.connect(lambda t, name=p.name: self._set(name, parse_shape(t)))
        else:  # optional_int
            w.setPlaceholderText("same as size")
            w.textEdited.connect(lambda t, name=p.name: self._set(name, parse_optional_int(t)))
        w.editingFinished.connect(self._end_session)
        return w

    @staticmethod
    def _typed_int(p: ParamSpec, text: str):
        """A whole number past what the box holds goes to the spec's check, which names the range; the rest is
        not a whole number."""
        value = whole_number(text)  # (1e10 too: the range is the spec's to name)
        return Invalid(whole_number_problem(p.title, text)) if value is None else value

    def _end_session(self) -> None:
        self._session += 1
        self._before.clear()

    def _show_header(self, node) -> None:
        colour = theme.category_colour(node.spec.category).name()
        self.header.setText(f"<span style='color:{colour}; font-size:13pt'>\u25a0</span> <b style='font-size:12pt'>"
                            f"{node.spec.title}</b><br><span style='color:gray'>"
                            f"{esc(help_of(node.kind, node.params))}</span>")

    def _load_values(self) -> None:
        node = self.graph.nodes.get(self.node_id)
        if node is None:
            return
        for key in self.fields:
            self._load_field(key)
        if node.spec.hand_set:
            self._load_weight_values()
            self._show_header(node)  # its help names its activation (Learn instead makes it sigmoid)

    def _load_field(self, key: str) -> None:
        """``key``'s field shows the layer's value (and no message)."""
        node, w = self.graph.nodes.get(self.node_id), self.fields.get(key)
        if node is None or w is None:
            return
        w.blockSignals(True)  # pushing a model value back must not echo as an edit
        value = node.name if key == "name" else node.params[key]
        if isinstance(w, IntBox | FloatBox):
            w.show_value(value)  # (a refused text is not the value: setValue alone kept it)
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QLineEdit):
            text = value_text(value)
            if w.text() != text:
                w.setText(text)
        w.blockSignals(False)
        self._mark(key, None)

    def _leave(self) -> None:
        """Keep what the shown layer's fields refused (shown again with it), and say what the layer kept."""
        node = self.graph.nodes.get(self.node_id) if self.node_id else None
        if node is None:
            return
        refused = {k: field_text(self.fields[k]) for k in self._parsers if self.msgs[k].text()}
        self.kept.leave(node.id, refused)
        if refused:
            kept = ", ".join(f"{node.spec.param(k).title} {value_text(node.params[k]) or 'empty'}" for k in refused)
            self.doc.say(f"{node.name} keeps {kept}: what was typed is refused and waits in its field.", 8000)

    def _restore_kept(self, node) -> None:
        for key, text in self.kept.of(node.id).items():
            w = self.fields.get(key)
            problem = refusal(node.spec.param(key), self._parsers[key](text)) if key in self._parsers else None
            if problem is not None:
                w.blockSignals(True)
                (w.lineEdit() if isinstance(w, QComboBox | IntBox | FloatBox) else w).setText(text)
                w.blockSignals(False)
                if isinstance(w, IntBox | FloatBox):
                    w.refusing = True
                self._mark(key, problem)

    # ------------------------------------------------------------ view -> commands
    def _mark(self, key: str, message: str | None) -> None:
        w, msg = self.fields.get(key), self.msgs.get(key)
        if w is None:
            return
        node = self.graph.nodes.get(self.node_id)
        title = node.spec.param(key).title if message and node is not None and key != "name" else key
        if message and title != key:  # the field's word, as its label says it ("kernel", not "kernel_size")
            message = message.replace(f"`{key}`", f"`{title}`").replace(f"{key}=", f"{title}=")
        message = plain_message(message) if message else message
        info = self.infos.get(self.node_id) if self.node_id else None  # (the layer's error may name it still)
        mark_red(w, bool(message) or (info is not None and info.error_param == key))
        msg.setText(message or "")
        msg.setVisible(bool(message))
        w.setProperty("discard", (lambda: self._load_field(key)) if message else None)  # (Ctrl+Z: the entry back)

    def _set(self, name: str, value, alone: bool = False) -> None:
        """``value`` typed (or chosen) in ``name``'s field: one undo step per session of the field (``alone``: a
        step of its own). What is not valid is said beside the field, and the layer keeps the value it had when
        the session began: before, the last valid prefix stayed (99999999999 typed into kernel left 9)."""
        if self.node_id is None:
            return
        node = self.graph.nodes[self.node_id]
        problem = value.message if isinstance(value, Invalid) else None
        if problem is None and node.params.get(name) != value:
            try:
                cmd = C.set_param_fitting(self.graph, self.node_id, name, value, self._session, self._top())
            except PlaygroundError as exc:
                problem = str(exc)
        if problem is not None:
            self._mark(name, problem)
            if name in self._before and node.params.get(name) != self._before[name]:  # (merged: weights back too)
                self._push(C.set_param_fitting(self.graph, self.node_id, name, self._before[name], self._session,
                                               self._top()))
            return
        self._mark(name, None)
        if node.params.get(name) == value:
            return
        self._before.setdefault(name, node.params.get(name))  # (hand-set weights follow: set_param_fitting)
        self._push(cmd)
        if alone:
            self._end_session()
        if node.spec.hand_set:
            self._build_weights()

    def _put_back(self, key: str) -> None:
        if key in self._before:  # merged into the field's step, which then goes from the stack
            self._set(key, self._before.pop(key))
            self._before.pop(key, None)  # (the step back set it again: nothing typed now, Escape is Stop)
        self._load_field(key)

    def _top(self):
        return self.stack.command(self.stack.index() - 1)

    def _push(self, cmd) -> None:
        self._pushing = True  # the fields show what is typed: the model's echo must not rewrite them
        try:
            self.doc.push(cmd)
        finally:
            self._pushing = False

    def _on_rename(self, w: QLineEdit) -> None:
        if self.node_id is None or w.text() == self.graph.nodes[self.node_id].name:
            self._mark("name", None)
            return
        try:
            cmd = C.RenameCommand(self.graph, self.node_id, w.text())
        except PlaygroundError as exc:
            self._mark("name", str(exc))
            return
        self._mark("name", None)
        self.doc.push(cmd)

    # ------------------------------------------------------------ neuron weights (weight_grid.py)
    def _build_weights(self) -> None:
        self.weights.build(self.node_id)

    def _clear_weights(self) -> None:
        self.weights.clear()

    def _load_weight_values(self) -> None:
        self.weights.load_values()

    def edit_weight_editor(self, var: str, idx: tuple):
        """The field of one weight (``"kernel", (i, u)``) or bias (``"bias", (u,)``), or None."""
        return self.weights.edits.get((var, tuple(idx)))

    @property
    def weight_msg(self):
        return self.weights.msg

    # ------------------------------------------------------------ output section
    def _show_output(self) -> None:
        if self.node_id is None or self.node_id not in self.infos:
            self.output.setText("")
            return
        info = self.infos[self.node_id]
        self.output.setText(output_html(self.graph.nodes[self.node_id], info) if self.node_id not in self.doc.masked
                            else "<span style='color:gray'>Output: ? (a lesson asks you to predict it)</span>")
        # a parameter named by the error is marked on its field too
        for key in self.fields:
            if key != "name" and not self.msgs[key].isVisible():
                mark_red(self.fields[key], info.error_param == key)
