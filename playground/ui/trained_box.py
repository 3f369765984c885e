"""Under the inspector's form: a layer's stored (trained or imported) weights and what to do with them.

Reset this layer's weights or all trained weights (when a change left them unfit), freeze the layer, or cut
the network after it and put a new classifier head on (transfer learning). Each is one undo step.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QBoxLayout, QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSpinBox,
                               QVBoxLayout, QWidget)

from ..core.errors import PlaygroundError
from ..core.imagenet import is_preparation
from ..core.layout import column_pitch
from ..core.registry import get_spec
from ..core.words import count
from . import commands as C


CLASSES_TIP = ("Classes of the new head (its Dense layer's units). With an image folder chosen in Train, its "
               "number of class folders.")


class TrainedWeightsBox(QWidget):
    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.graph = doc.graph
        self.stack = doc.stack
        self.node_id: str | None = None
        # stored (trained or imported) weights of a layer other than a Neuron: what is there, and a way out
        self.stored = QLabel()
        self.stored.setWordWrap(True)
        self.reset_layer = QPushButton("Reset this layer's weights")
        self.reset_layer.setToolTip("Drop this layer's stored weights; it starts again from random values at the "
                                    "next training. One undo step.")
        self.reset_layer.clicked.connect(self.reset_layer_weights)
        self.reset_all = QPushButton("Reset all trained weights")
        self.reset_all.setToolTip("Drop the stored weights of every layer except hand-set Neurons. One undo step.")
        self.reset_all.clicked.connect(self.reset_all_weights)
        # fine-tuning: freeze this layer; cut after it and put a new classifier head on
        self.trainable = QCheckBox("trainable")
        self.trainable.setToolTip("Unticked: frozen. Training leaves a frozen layer's weights exactly as they are "
                                  "(fine-tuning a model you opened). One undo step.")
        self.trainable.toggled.connect(self._on_trainable)
        self.head_classes = QSpinBox()
        self.head_classes.setRange(2, 100_000)
        self.head_classes.setValue(2)
        self.head_classes.setPrefix("classes: ")
        self.head_classes.setToolTip(CLASSES_TIP)
        self._offered = 2  # the count last put in the field for the user: one they typed instead is kept
        self._listed_key = None  # (folder, modification time) last listed for that offer
        self.replace_head = QPushButton("Replace the head after this layer")
        self.replace_head.setToolTip("Remove every layer after this one, add pooling if needed and Dense(classes, "
                                     "softmax), and freeze the layers kept that have learned weights (trained or "
                                     "opened): transfer learning. One undo step.")
        self.replace_head.clicked.connect(self.replace_head_here)
        self.pixels_note = QLabel()  # on an opened model's Input: its pixels prepared as its first layers expect
        self.pixels_note.setWordWrap(True)
        self.pixels_note.setTextFormat(Qt.PlainText)  # it names a layer from a file: never rich text
        self.prepare = QPushButton("Prepare the pixels")
        self.prepare.setToolTip("Put a frozen 1x1 Conv2D after the Input that takes the app's [0, 1] images to what "
                                "this network's first layers expect. One undo step.")
        self.prepare.clicked.connect(self.prepare_pixels_here)
        sb = QVBoxLayout(self)
        sb.setContentsMargins(0, 0, 0, 0)
        sb.addWidget(self.stored)
        row = QHBoxLayout()
        row.addWidget(self.reset_layer)
        row.addWidget(self.reset_all)
        row.addStretch(1)
        sb.addLayout(row)
        sb.addWidget(self.trainable)
        head = QHBoxLayout()
        head.addWidget(self.head_classes)
        head.addWidget(self.replace_head)
        head.addStretch(1)
        sb.addLayout(head)
        sb.addWidget(self.pixels_note)
        sb.addWidget(self.prepare, 0, Qt.AlignLeft)
        # each pair of buttons side by side where they fit, else one above the other: an inspector narrowed beside
        # the lessons scrolled sideways, its fields' right ends and the second button out of view
        self._pairs = ((row, (self.reset_layer, self.reset_all)), (head, (self.head_classes, self.replace_head)))
        self.setMinimumWidth(max(b.sizeHint().width() for _, pair in self._pairs for b in pair))

    def changeEvent(self, event):
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):  # the buttons' widths follow the font
            self.setMinimumWidth(max(b.sizeHint().width() for _, pair in self._pairs for b in pair))
        super().changeEvent(event)

    def resizeEvent(self, event):
        for row, pair in self._pairs:
            gap = max(row.spacing(), self.style().layoutSpacing(QSizePolicy.PushButton, QSizePolicy.PushButton,
                                                                Qt.Horizontal))
            wide = sum(b.sizeHint().width() for b in pair) + gap * (len(pair) - 1)
            direction = QBoxLayout.LeftToRight if event.size().width() >= wide else QBoxLayout.TopToBottom
            if row.direction() != direction:
                row.setDirection(direction)
        super().resizeEvent(event)

    def show_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        node = self.graph.nodes.get(node_id) if node_id else None
        trained = [n for n in self.graph.nodes.values() if n.weights and not n.spec.hand_set]
        wanted = self.doc.pixels_wanted(self.graph, asked=True) if node is not None and node.spec.source else None
        self.pixels_note.setVisible(wanted is not None)
        self.prepare.setVisible(wanted is not None)
        if wanted is not None:  # the Input of a network that wants its pixels prepared: that, and nothing else
            for w in (self.stored, self.reset_layer, self.reset_all, self.trainable, self.head_classes,
                      self.replace_head):
                w.hide()
            self.pixels_note.setText(
                f"You have taken this network's pixel preparation out: {wanted[0]}, and the app's images are in "
                f"[0, 1]. It is not added again unless you ask here." if self.doc.pixels_declined else
                f"This network wants its pixels prepared: {wanted[0]}, and the app's images are in [0, 1].")
            self.show()
            return
        if node is None or (node.spec.hand_set or node.spec.source):
            self.hide()
            return
        self.show()
        self._offer_folder_classes()
        weighted = get_spec(node.kind).weighted
        self.trainable.setVisible(weighted)
        self.trainable.blockSignals(True)
        self.trainable.setChecked(node.trainable)
        self.trainable.blockSignals(False)
        if node.weights:
            from ..core.analysis import weights_text
            self.stored.setText(f"Stored weights: {weights_text(node.weights)}.")
        elif not weighted:
            self.stored.setText("No weights: this layer has no parameters to learn.")
        else:
            self.stored.setText("No stored weights: this layer starts from random values.")
        # a network's last layer has no head after it to replace, and a layer with nothing learned up to it (the
        # Input, a RandomRotation right after it) no base to keep: a head there would learn from raw pixels
        follows = bool(self.graph.output_ids(node.id)) and self._learned_up_to(node.id)
        self.head_classes.setVisible(follows)
        self.replace_head.setVisible(follows)
        self.reset_layer.setEnabled(bool(node.weights))
        self.reset_all.setEnabled(bool(trained))
        self.reset_layer.setVisible(bool(trained) and weighted)
        self.reset_all.setVisible(bool(trained))
        self.stored.setVisible(bool(trained))

    def _learned_up_to(self, node_id: str) -> bool:
        seen, todo = set(), [node_id]
        while todo:
            nid = todo.pop()
            if nid in seen:
                continue
            seen.add(nid)
            if get_spec(self.graph.nodes[nid].kind).weighted and not is_preparation(self.graph.nodes[nid]):
                return True  # (the pixels' preparation is not: a head after it learned from pixels, a drive)
            todo += self.graph.input_ids(nid)
        return False

    def _offer_folder_classes(self) -> None:
        """With an image folder chosen to train on, its class count for a new head (unless the user typed one);
        another dataset takes the offer back. The folder is listed again only when it changed (its path or its
        modification time), not at every edit."""
        from html import escape

        from ..backend.datasets import REGISTRY, folder_classes
        data = str(self.doc.training.get("dataset") or "")
        try:
            key = (data, os.stat(data).st_mtime_ns) if data and data not in REGISTRY and \
                self.doc.may_read_data(data) and os.path.isdir(data) else None  # (a path a file named: asked first)
        except OSError:
            key = None
        if key == self._listed_key:
            return
        self._listed_key = key
        classes = []
        if key is not None:
            try:
                classes = folder_classes(self.doc.data_path(data))
            except OSError:
                classes = []
        mine = self.head_classes.value() == self._offered  # the field still holds what was offered
        if 2 <= len(classes) <= self.head_classes.maximum():
            if mine:
                self.head_classes.setValue(len(classes))
                self._offered = len(classes)
            names = ", ".join(escape(c) for c in classes[:6]) + (", ..." if len(classes) > 6 else "")
            self.head_classes.setToolTip(f"{CLASSES_TIP.split('. ')[0]}. Offered: {len(classes)}, the classes of "
                                         f"{escape(os.path.basename(data))}/, the image folder chosen in Train "
                                         f"({names}).")
            return
        if mine and self._offered != 2:  # no folder now: the offer goes
            self.head_classes.setValue(2)
            self._offered = 2
        self.head_classes.setToolTip(CLASSES_TIP)

    def _on_trainable(self, checked: bool) -> None:
        if self.node_id is not None and self.graph.nodes[self.node_id].trainable != checked:
            self.doc.push(C.SetTrainableCommand(self.graph, [self.node_id], checked))

    def replace_head_here(self) -> None:
        from ..core.graph import plan_head_replacement
        steps = C.Steps(self.graph)
        per_row = self.doc.layout_row(self.graph)  # a network in the canvas's own layout stays in it (a drive: the
        try:  # a base that expects its pixels prepared otherwise than the app's [0, 1]: prepared, in the same step
            inputs = [n.id for n in self.graph.inputs()]  # (a head right after the Input: nothing to prepare for)
            pre, why = self._prepare_pixels(steps) if self.node_id not in inputs[:1] else ("", "")
            plan = plan_head_replacement(steps.graph, self.node_id, self.head_classes.value())
            steps.add(C.ReplaceHeadCommand, plan)
            steps.keep_layout(per_row)  # (the head stuck out of its rows)
        except PlaygroundError as exc:
            self.doc.tell(str(exc))
            return
        self.doc.push(steps.command(next(c.text() for c in steps.steps if isinstance(c, C.ReplaceHeadCommand))))
        about = [n.id for n in plan.added] + ([self.graph.by_name(pre).id] if pre else [])
        pre = f" Added {pre} after the Input {why}." if pre else ""
        data = str(self.doc.training.get("dataset") or "")
        from ..backend.datasets import REGISTRY  # plain Python
        folder = self.doc.may_read_data(data) and data not in REGISTRY and os.path.isdir(data)
        then = (f"Train it on {os.path.basename(data.rstrip(os.sep)) or data}/ (Train > Start, F5)" if folder else
                "Train on your images (Train > Data: Your own image folder\u2026, or Folder\u2026)")  # (said so with
        self.doc.tell(f"New head: {', '.join(n.name for n in plan.added)} after {self.graph.nodes[plan.keep].name}; "
                      f"removed {count(len(plan.removed), 'layer')}, {_froze(len(plan.frozen))}. {then}; Edit > Undo "
                      f"restores the old head.{pre}", "info", step=True,  # the folder chosen, and after the run)
                      about=about)
        self.doc.select([plan.added[-1].id], reveal=True)  # (it sat past the canvas's right edge)

    def prepare_pixels_here(self) -> None:
        """The Input's button: the preparation alone, one undo step (a model opened to train as it is, its head
        kept: the app fed [0, 1] to a first Rescaling(1/255))."""
        steps = C.Steps(self.graph)
        per_row = self.doc.layout_row(self.graph)
        try:
            pre, why = self._prepare_pixels(steps, asked=True)
            if not pre:
                return
            steps.keep_layout(per_row)
        except PlaygroundError as exc:
            self.doc.tell(str(exc))
            return
        self.doc.push(steps.command("Prepare the pixels"))
        self.doc.tell(f"Added {pre} after the Input {why}. Edit > Undo takes it back.", "info", step=True,
                      about=[self.graph.by_name(pre).id])
        self.doc.select([self.graph.by_name(pre).id], reveal=True)

    def _prepare_pixels(self, steps, asked: bool = False) -> tuple[str, str]:
        """Into ``steps``: the frozen preprocessing convolution after the Input, where ``pixels_wanted``; the Input
        moves one column left to make room. (its name, why: what it does, why, and for a base known by its names
        how to take it out) or ("", "")."""
        from ..core import imagenet
        g = steps.graph
        found = self.doc.pixels_wanted(g, asked)
        if found is None:
            return "", ""
        inp = g.inputs()[0]
        why, mode, name = found
        outs = [e for e in g.edges if e.src == inp.id]
        x, y = inp.pos
        steps.add(C.MoveNodesCommand, {inp.id: (inp.pos, (x - column_pitch(g), y))})
        add = steps.add(C.AddNodeCommand, "conv2d", (x, y), imagenet.preprocessing_node_params(),
                        g.unique_name(name), imagenet.preprocessing_weights(mode))
        steps.add(C.SetTrainableCommand, [add.node.id], False)
        for e in outs:
            steps.add(C.DisconnectCommand, e)
        steps.add(C.ConnectCommand, inp.id, add.node.id)
        for e in outs:
            steps.add(C.ConnectCommand, add.node.id, e.dst, e.port)
        way_out = "" if name != imagenet.PREPROCESS_NAME else (  # a base known by its names alone: its weights may
            "; if this base learned from [0, 1] images, Ctrl+Delete on it takes it out (not added again unless "
            "you ask)")  # be others
        return add.node.name, (f"(a frozen 1x1 Conv2D that {imagenet.MODE_ACTION[mode]}): {why}, and the app's images "
                               f"are in [0, 1]{way_out}")

    def reset_layer_weights(self) -> None:
        node = self.graph.nodes.get(self.node_id) if self.node_id else None
        if node is None or not node.weights:
            return
        from ..core.analysis import weights_text
        dropped = weights_text(node.weights)
        self.doc.push(C.SetWeightsCommand(self.graph, {node.id: None}, f"Reset {node.name}'s weights"))
        then = ("it gets random values at the next training and, frozen, keeps them: tick trainable to let it "
                "learn" if not node.trainable else "it starts from random values at the next training")
        self.doc.tell(f"Dropped {node.name}'s stored weights ({dropped}); {then}. Edit > Undo brings them back.",
                      "info", step=True)

    def reset_all_weights(self) -> None:
        trained = [n for n in self.graph.nodes.values() if n.weights and not n.spec.hand_set]
        if not trained:
            return
        total = sum(int(v.size) for n in trained for v in n.weights.values())
        self.doc.push(C.SetWeightsCommand(self.graph, {n.id: None for n in trained}, "Reset all trained weights"))
        self.doc.tell(f"Dropped the stored weights of {count(len(trained), 'layer')} ({total:,} numbers); the network "
                      f"starts from random values at the next training. Edit > Undo brings them back.", "info",
                      step=True)


def _froze(n: int) -> str:
    """What a new head froze: the kept layers with learned weights (a random one frozen would stay random)."""
    return f"froze the {count(n, 'layer')} that had learned" if n else \
        "froze none (no layer before it has learned weights yet: they all train with the head)"
