"""The activation path: for one test example, one row per layer from the input to the class
probabilities, each labelled with its shape and the formula that produced it, so the network's
arithmetic reads top to bottom."""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.figures import figure_kind, scale_for, strongest_channels
from ...core.shapes import shape_text
from ..images import GREYS
from ..theme import SPACING
from .figure_widgets import Bars, Heatmap, caption_label

MAPS_PER_ROW = 4
TILE = 56  # px a map is drawn at, whatever its size (a 5x5 map gets 10 px per value)
STRIP = 64  # a long vector is drawn as rows of this many values


class PathRow(QWidget):
    """One layer: '<name> Kind · shape · formula', then a few maps, an image, a strip or bars."""

    def __init__(self, name: str, kind: str, shape: tuple, class_names: list[str] | None = None):
        super().__init__()
        self.name, self.kind, self.shape = name, kind, tuple(shape)
        self.class_names = class_names
        self.head = QLabel()
        self.head.setWordWrap(True)
        self.caption = caption_label()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(2)
        lay.addWidget(self.head)
        self.figures = QHBoxLayout()
        self.figures.setSpacing(SPACING // 2)
        lay.addLayout(self.figures)
        lay.addWidget(self.caption)
        self.maps: list[Heatmap] = []
        self.bars: Bars | None = None
        fk = figure_kind(self.shape)
        if fk == "maps" and self.shape[-1] == 1 or fk == "image":
            cell = max(2, min(10, TILE // max(self.shape[0], 1)))
            self.maps = [Heatmap(cell=cell, name=name, cmap=GREYS if kind == "InputLayer" else None)]
        elif fk == "maps":
            cell = max(2, min(10, TILE // max(self.shape[0], 1)))
            self.maps = [Heatmap(cell=cell, name=name) for _ in range(min(MAPS_PER_ROW, self.shape[-1]))]
        elif self.shape and self.shape[0] <= 128:
            self.bars = Bars(labels=class_names if class_names and len(class_names) == self.shape[0] else None,
                             height=70)
        else:
            self.maps = [Heatmap(cell=3, name=name)]
        for m in self.maps:
            self.figures.addWidget(m)
        if self.bars is not None:
            self.figures.addWidget(self.bars, 1)
        self.figures.addStretch(1)
        self.formula = ""

    def set_formula(self, formula: str) -> None:
        self.formula = formula
        tail = f" &middot; <tt>{formula}</tt>" if formula else ""
        self.head.setText(f"<b>{self.name}</b> <span>{self.kind}</span> &middot; <b>{shape_text(self.shape)}</b>"
                          f"{tail}")

    def set_values(self, a: np.ndarray) -> None:
        a = np.asarray(a, dtype=np.float64)
        if self.bars is not None:
            self.bars.set_values(a.ravel(), self.bars.labels or None)
            best = int(np.argmax(a)) if a.size else 0
            label = self.class_names[best] if self.class_names and len(self.class_names) == a.size else best + 1
            self.caption.setText(f"largest: {escape(str(label))} ({a.ravel()[best]:.3g})")  # (a folder's name)
            return
        if a.ndim == 3 and a.shape[-1] > 1:
            picks = strongest_channels(a, len(self.maps))
            scale = scale_for(a[..., picks])
            for m, c in zip(self.maps, picks):
                m.name = f"{self.name} channel {c + 1}"
                m.set_values(a[..., c], scale)
            self.caption.setText(f"channels {', '.join(str(c + 1) for c in picks)} of {a.shape[-1]} (the most "
                                 f"active) &middot; {scale.text()}")
            return
        if a.ndim == 1:  # a long vector: rows of STRIP values, NaN after the end
            rows = -(-a.size // STRIP)
            grid = np.full(rows * STRIP, np.nan)
            grid[:a.size] = a
            a = grid.reshape(rows, STRIP)
        scale = scale_for(a)
        self.maps[0].set_values(a, scale)
        self.caption.setText(scale.text())


class ActivationPath(QWidget):
    """Rows for every layer of a trained model; ``set_layers`` once per model, ``set_values`` per example."""

    def __init__(self):
        super().__init__()
        self.rows: list[PathRow] = []
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(SPACING // 2)
        self.lay.addStretch(1)

    def set_layers(self, layers: list[tuple[str, str, tuple]], formulas: dict[str, str],
                   class_names: list[str] | None) -> None:
        """``layers``: (name, Keras class, output shape) in order; ``formulas``: layer name -> worked formula."""
        for r in self.rows:
            self.lay.removeWidget(r)
            r.deleteLater()
        self.rows = []
        last = len(layers) - 1
        for i, (name, kind, shape) in enumerate(layers):
            row = PathRow(name, kind, shape, class_names if i == last else None)
            row.set_formula(formulas.get(name, ""))
            self.rows.append(row)
            self.lay.insertWidget(self.lay.count() - 1, row)

    def set_values(self, values: dict[str, np.ndarray]) -> None:
        for row in self.rows:
            if row.name in values:
                row.set_values(values[row.name])
