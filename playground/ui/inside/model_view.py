"""Inside the trained model: its first convolution's filters (editable: weight surgery), the feature maps of
any layer for a chosen test example, and the activation path from the input to the class probabilities.

Nothing here calls Keras on the GUI thread: reading the layer list is plain attribute access; every
forward pass, weight copy and evaluation is a job (``jobs.SerialJobs``) on the cached test data that
training prepared (``doc.trained_outcome.data``).
"""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea,
                               QStackedLayout, QVBoxLayout, QWidget)

from ...core.errors import PlaygroundError
from ...core.figures import scale_for
from ...core.graph import LayerNode
from ..commands import SetWeightsCommand
from ..images import array_to_pixmap
from ..number_box import IntBox
from ..theme import GAP, MARGIN, SPACING
from .figure_widgets import ColourBar, EmptyState, Heatmap, TileGrid, caption_label, title_label
from .jobs import SerialJobs
from .path import ActivationPath
from .surgery import FilterSurgery

MAX_TILES = 64
FILTER_COLUMNS = 8


def look(model, conv_name: str | None, weights: dict | None, x: np.ndarray) -> dict:
    """Worker-side: copy ``weights`` into ``conv_name`` (if given) and run one example through every layer
    (tens of milliseconds: the maps answer an edit at once)."""
    from ...backend import probes
    applied = bool(weights) and probes.set_layer_weights(model, conv_name, weights)
    acts = probes.activations(model, x)
    return {"values": {name: a for name, _kind, a in acts}, "applied": applied}


def measure(model, x: np.ndarray, y: np.ndarray) -> float:
    """Worker-side: test accuracy with the weights the model holds now (one pass over the test split)."""
    from ...backend import probes
    return probes.accuracy(model, x, y)


class ModelView(QWidget):
    """The trained model's filters, feature maps and activation path; ``refresh()`` when it may have changed."""

    train_requested = Signal()
    accuracy_measured = Signal()  # ``accuracy`` is new (a lesson's check of a filter edit reads it)

    def __init__(self, doc, jobs: SerialJobs):
        super().__init__()
        self.doc, self.jobs = doc, jobs
        self.model = None
        self.conv_name: str | None = None
        self.layers: list[tuple[str, str, tuple]] = []
        self.values: dict[str, np.ndarray] = {}  # every layer's output for the example shown
        self.kernel: np.ndarray | None = None  # the first conv's (f, f, d, k) kernel as the project holds it
        self.bias: np.ndarray | None = None
        self.requested: dict | None = None  # the conv weights the model has, or will have once jobs finish
        self.selected = 0
        self.accuracy: float | None = None
        self.shown_example = -1

        self.empty = EmptyState("Train the model to see its filters, feature maps and activation path.",
                                "Go to Train")  # the same text as inside.EMPTY_MODEL
        self.empty.button.clicked.connect(self.train_requested)
        content = QWidget()
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.empty)
        # the page scrolls where it does not fit, rather than make the window wider: beside the lessons at 1280x720
        # a 32-filter CNN's page grew the window to 1411 px, and to 1487 px after a filter was zeroed
        self.content_scroll = QScrollArea()
        self.content_scroll.setWidgetResizable(True)
        self.content_scroll.setFrameShape(QFrame.NoFrame)
        self.content_scroll.setWidget(content)
        self.stack.addWidget(self.content_scroll)

        self.info = QLabel()
        self.info.setTextFormat(Qt.RichText)
        self.layer = QComboBox()
        self.layer.setMinimumContentsLength(14)
        self.sample = IntBox()  # a number past the test split stays as typed and is named (a QSpinBox cut it)
        self.sample.setRange(0, 0)
        self.sample.setToolTip("Which example of the test split to look at")
        self.sample.refused.connect(lambda text: self.sample_text.setText(
            f"<span style='color:#D64541'>test example must be a whole number from 0 to {self.sample.maximum():,}. "
            f"Received \u201c{escape(text.strip())}\u201d" + (f"; the views show #{self.shown_example}" if
                                                              self.shown_example >= 0 else "") + ".</span>"))
        # a number again, the one shown (no new look comes): the reason goes
        self.sample.lineEdit().textEdited.connect(lambda text: self.sample.holds(text) and self.shown_example >= 0
                                                  and self.doc.trained_outcome is not None
                                                  and self._show_example(self.shown_example))
        self.sample_img = QLabel()
        self.sample_text = QLabel()
        top = QHBoxLayout()
        top.setSpacing(SPACING)
        top.addWidget(self.info)
        top.addSpacing(GAP)
        top.addWidget(QLabel("test example"))
        top.addWidget(self.sample)
        top.addWidget(self.sample_img)
        top.addWidget(self.sample_text)
        top.addStretch(1)

        self.filters = QGridLayout()
        self.filters.setSpacing(4)
        self.filter_tiles: list[Heatmap] = []
        self.filter_bar = ColourBar(height=100)
        self.filters_title = title_label("Filters")
        self.filters_caption = caption_label()
        self.surgery = FilterSurgery()
        self.surgery.edited.connect(self._on_filter_edited)
        col_a = QVBoxLayout()
        col_a.setSpacing(SPACING)
        col_a.addWidget(self.filters_title)
        frow = QHBoxLayout()
        fw = QWidget()
        fw.setLayout(self.filters)
        frow.addWidget(fw, 0, Qt.AlignTop)
        frow.addWidget(self.filter_bar, 0, Qt.AlignTop)
        frow.addStretch(1)
        col_a.addLayout(frow)
        col_a.addWidget(self.filters_caption)
        col_a.addSpacing(SPACING)
        col_a.addWidget(self.surgery, 1)

        self.map_grid = TileGrid()
        self.maps = self.map_grid.grid  # one Heatmap per channel
        self.map_tiles: list[Heatmap] = []
        self.maps_bar = ColourBar(height=110)
        self.maps_caption = caption_label()
        col_b = QVBoxLayout()
        col_b.setSpacing(SPACING)
        mhead = QHBoxLayout()
        mhead.addWidget(title_label("Feature maps of"))
        mhead.addWidget(self.layer)
        mhead.addStretch(1)
        col_b.addLayout(mhead)
        col_b.addWidget(self.maps_caption)
        mrow = QHBoxLayout()
        mrow.addWidget(self.map_grid, 1)
        mrow.addWidget(self.maps_bar, 0, Qt.AlignTop)
        col_b.addLayout(mrow, 1)

        self.path = ActivationPath()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.path)
        scroll.setFrameShape(QScrollArea.NoFrame)
        col_c = QVBoxLayout()
        col_c.setSpacing(SPACING)
        col_c.addWidget(title_label("Activation path"))
        col_c.addWidget(caption_label("This example through every layer: shape, the formula that gave it, and "
                                      "what it holds."))
        col_c.addWidget(scroll, 1)

        lay = QVBoxLayout(content)
        lay.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        lay.setSpacing(SPACING)
        lay.addLayout(top)
        body = QHBoxLayout()
        body.setSpacing(GAP)
        body.addLayout(col_a, 4)
        body.addLayout(col_b, 5)
        body.addLayout(col_c, 4)
        lay.addLayout(body, 1)

        self.layer.currentTextChanged.connect(lambda _: self.show_maps())
        self.sample.valueChanged.connect(lambda _: self._request_look())
        doc.changed.connect(self._on_doc_changed)

    # ------------------------------------------------------------ model arrives
    def refresh(self) -> None:
        """Show the document's trained model (rebuilt only when it is a new one) and its current weights."""
        model = self.doc.trained_model
        if model is not self.model:
            self._load(model)
        elif model is not None:
            self._sync()

    def _load(self, model) -> None:
        self.model = model
        self.values, self.accuracy, self.requested, self.shown_example = {}, None, None, -1
        if model is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.layers = [(l.name, type(l).__name__, tuple(int(d) for d in l.output.shape[1:])) for l in model.layers]
        convs = [n for n, kind, _ in self.layers if kind == "Conv2D"]
        self.conv_name = convs[0] if convs else None
        outcome = self.doc.trained_outcome
        rebuilt = outcome is not None and outcome.result.stopped == "rebuilt"
        self.info.setText(f"Model <b>{model.name}</b>: {model.count_params():,} parameters"
                          + (" \u00b7 rebuilt from the project's saved weights" if rebuilt else ""))
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems([n for n, kind, s in self.layers if len(s) == 3 and kind != "InputLayer"])
        self.layer.blockSignals(False)
        outcome = self.doc.trained_outcome
        x_test = self._test_x()
        self.sample.setRange(0, max(len(x_test) - 1, 0) if x_test is not None else 0)
        names = list(outcome.data.class_names) if outcome is not None else None
        self.path.set_layers(self.layers, self._formulas(), names)
        self._build_filters()
        self._sync(force=True)

    def _test_x(self) -> np.ndarray | None:
        outcome = self.doc.trained_outcome
        if outcome is None:
            return None
        return outcome.data.x_test if outcome.data.x_test is not None else outcome.data.x_train

    def _test_xy(self) -> tuple | None:
        outcome = self.doc.trained_outcome
        if outcome is None or outcome.data.x_test is None:
            return None
        return outcome.data.x_test, outcome.data.y_test

    def _formulas(self) -> dict[str, str]:
        """Layer name -> the worked formula of the graph node of that name, when its shape still matches."""
        out = {}
        infos = self.doc.infos
        shapes = {name: shape for name, _, shape in self.layers}
        for node in self.doc.graph.nodes.values():
            info = infos.get(node.id)
            if node.name in shapes and info is not None and info.shape == shapes[node.name] and \
                    not node.spec.source:
                out[node.name] = info.formula
        return out

    # ------------------------------------------------------------ the first convolution's weights
    def _conv_node(self) -> LayerNode | None:
        if self.conv_name is None:
            return None
        try:
            return self.doc.graph.by_name(self.conv_name)
        except PlaygroundError:
            return None

    def _project_weights(self) -> dict | None:
        """The first conv's weights as the project holds them, if they still fit the trained model."""
        node = self._conv_node()
        if node is None or node.kind != "conv2d" or "kernel" not in node.weights:
            return None
        shape = next((s for n, _, s in self.layers if n == self.conv_name), None)
        k = node.weights["kernel"]
        if k.ndim != 4 or shape is None or k.shape[-1] != shape[-1]:
            return None
        return {name: np.array(v, copy=True) for name, v in node.weights.items()}

    def _build_filters(self) -> None:
        while self.filters.count():
            w = self.filters.takeAt(0).widget()
            if w:
                w.deleteLater()
        self.filter_tiles = []
        if self.conv_name is None:
            self.filters_title.setText("Filters")
            self.filters.addWidget(QLabel("This model has no Conv2D layer, so it has no filters to show."), 0, 0)
            self.surgery.set_enabled(False)
            return
        weights = self._project_weights()
        if weights is None:
            self.filters_title.setText(f"Filters of {self.conv_name}")
            self.filters.addWidget(QLabel(f"{self.conv_name} changed since training: train again to see and "
                                          f"edit its filters."), 0, 0)
            self.surgery.set_enabled(False)
            return
        k = weights["kernel"]
        for i in range(min(k.shape[-1], MAX_TILES)):
            tile = Heatmap(cell=6, max_cell=0, name=f"filter {i + 1}", selectable=True)
            tile.setToolTip(f"filter {i + 1}")
            tile.clicked.connect(lambda i=i: self.select_filter(i))
            self.filters.addWidget(tile, i // FILTER_COLUMNS, i % FILTER_COLUMNS)
            self.filter_tiles.append(tile)
        self.selected = min(self.selected, len(self.filter_tiles) - 1)
        self._show_weights(weights)

    def _show_weights(self, weights: dict) -> None:
        k = weights["kernel"]
        b = weights.get("bias", np.zeros(k.shape[-1]))
        self.kernel, self.bias = k, b
        f, d, n = k.shape[0], k.shape[2], k.shape[-1]
        cell = max(4, min(14, 42 // f))
        scale = scale_for(k[:, :, 0, :], signed=True)
        for i, tile in enumerate(self.filter_tiles):
            tile.cell = cell
            tile.set_values(k[:, :, 0, i], scale)
            tile.set_selected(i == self.selected)
        self.filter_bar.set_scale(scale)
        channel = f", input channel 1 of {d}" if d > 1 else ""
        self.filters_title.setText(f"Filters of {self.conv_name} ({n} x {f}x{f}{channel})")
        shown = f"the first {MAX_TILES} of {n}" if n > MAX_TILES else f"all {n}"
        self.filters_caption.setText(f"{shown}, one scale: {scale.text()}; blue negative, red positive. "
                                     f"Hover for the numbers; click one to edit it.")
        if self.filter_tiles:
            self.surgery.show_filter(self.selected, k[:, :, 0, self.selected], float(b[self.selected]),
                                     self.conv_name)

    def select_filter(self, i: int) -> None:
        self.selected = i
        for j, tile in enumerate(self.filter_tiles):
            tile.set_selected(j == i)
        if self.kernel is not None:
            self.surgery.show_filter(i, self.kernel[:, :, 0, i], float(self.bias[i]), self.conv_name)
        self._show_filter_map()
        if self.layer.currentText() == self.conv_name:
            self.show_maps()

    def _on_filter_edited(self, kernel2d: np.ndarray, bias: float) -> None:
        weights = self._project_weights()
        node = self._conv_node()
        if weights is None or node is None:
            return
        if self.doc.is_training():  # a drive zeroed a filter while paused: the next batch put the run's weights back
            self.select_filter(self.selected)  # the filter as it is
            self.doc.tell("A run is training (or paused): its next batch would put its own weights back over this "
                          "edit. Stop it first (Esc), then edit the filter.", "info")
            return
        i = self.selected
        k = weights["kernel"].copy()
        k[:, :, 0, i] = np.asarray(kernel2d, dtype=k.dtype)
        new = {**weights, "kernel": k}
        if "bias" in weights:
            b = weights["bias"].copy()
            b[i] = bias
            new["bias"] = b
        self.doc.push(SetWeightsCommand(self.doc.graph, {node.id: new}, f"Edit filter {i + 1} of {node.name}"))

    def _on_doc_changed(self) -> None:
        if self.model is not None and self.model is self.doc.trained_model and self.isVisible():
            self._sync()

    def _sync(self, force: bool = False) -> None:
        """Redraw the filters from the project's weights; if the model holds other ones, copy them in and
        re-evaluate (a job)."""
        weights = self._project_weights()
        if weights is None:
            if force:
                self._request(None, with_accuracy=True)
            return
        if not self.filter_tiles:
            self._build_filters()
        else:
            self._show_weights(weights)
        if force or self.requested is None or not _same(weights, self.requested):
            self._request(weights, with_accuracy=True)

    # ------------------------------------------------------------ jobs
    def _request(self, weights: dict | None, with_accuracy: bool) -> None:
        x = self._test_x()
        if self.model is None or x is None or not len(x):
            return
        if weights is not None:
            self.requested = weights
        i = min(self.sample.value(), len(x) - 1)
        m = self.model
        self.jobs.submit("look" if weights is None else "weights", look, m, self.conv_name, weights, x[i],
                         on_done=lambda r, i=i, m=m: self._on_looked(r, i, m))
        test = self._test_xy() if with_accuracy else None
        if test is not None:  # after the maps: the accuracy pass is the slow part
            self.surgery.show_measuring()
            self.jobs.submit("accuracy", measure, m, *test, on_done=lambda acc, m=m: self._on_measured(acc, m))

    def _request_look(self) -> None:
        self._request(None, with_accuracy=False)

    def _on_looked(self, result: dict, example: int, model) -> None:
        if model is not self.model:
            return
        self.values = result["values"]
        self.shown_example = example
        self._show_example(example)
        self.show_maps()
        self.path.set_values(self.values)
        self._show_filter_map()

    def _on_measured(self, accuracy: float, model) -> None:
        if model is not self.model:
            return
        self.accuracy = accuracy
        xy = self._test_xy()
        outcome = self.doc.trained_outcome
        trained = outcome.result.test_accuracy if outcome is not None else None
        self.surgery.show_accuracy(self.accuracy, trained, len(xy[0]) if xy else 0)
        self.accuracy_measured.emit()

    def _show_example(self, i: int) -> None:
        outcome = self.doc.trained_outcome
        raw = outcome.dataset.x_test if outcome.dataset.x_test is not None else outcome.dataset.x_train
        if raw.ndim in (3, 4):  # pictures (images.picture): not a 3-D example
            self.sample_img.setPixmap(array_to_pixmap(raw[i], 40))
        names = outcome.data.class_names
        last = self.values.get(self.layers[-1][0]) if self.layers else None
        text = ""
        y = outcome.dataset.y_test if outcome.dataset.y_test is not None else outcome.dataset.y_train
        if y is not None and np.ndim(y[i]) == 0:
            text = f"label <b>{escape(str(names[int(y[i])] if int(y[i]) < len(names) else int(y[i])))}</b>"
        if last is not None and last.ndim == 1 and last.size == len(names):
            best = int(np.argmax(last))
            text += f" &middot; predicted <b>{escape(str(names[best]))}</b> ({last[best]:.0%})"
        self.sample_text.setText(text)

    def _show_filter_map(self) -> None:
        maps = self.values.get(self.conv_name) if self.conv_name else None
        if maps is not None and maps.ndim == 3 and self.selected < maps.shape[-1]:
            self.surgery.show_map(maps[..., self.selected], self.shown_example)

    # ------------------------------------------------------------ feature maps of the chosen layer
    def show_maps(self) -> None:
        name = self.layer.currentText()
        a = self.values.get(name)
        if a is None or a.ndim != 3:
            return
        n = min(a.shape[-1], MAX_TILES)
        self.map_tiles = self.map_grid.set_count(n)
        scale = scale_for(a[..., :n])
        for c, tile in enumerate(self.map_tiles):
            tile.name = f"{name} channel {c + 1}"
            tile.setToolTip(f"{name} channel {c + 1}")
            tile.set_values(a[..., c], scale)
            tile.set_selected(name == self.conv_name and c == self.selected)
        self.map_grid.relayout()
        self.maps_bar.set_scale(scale)
        shown = f"the first {n} of {a.shape[-1]}" if a.shape[-1] > n else f"all {n}"
        kind = "blue negative, red positive" if scale.signed else "0 dark, largest yellow"
        self.maps_caption.setText(f"{a.shape[0]}x{a.shape[1]}x{a.shape[-1]} for test example #{self.shown_example}: "
                                  f"{shown} channels, one scale {scale.text()} ({kind}).")


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
