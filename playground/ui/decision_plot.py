"""The decision plot under the Logic lab's canvas: the input points coloured by target and each neuron's line."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ..core import logic
from ..core.graph import Graph
from .logic_lab import GREEN, RED, LogicPanel


class DecisionPlot(QWidget):
    """The four input points coloured by target and the line w0 + w1*x1 + w2*x2 = 0 of a two-input neuron.

    For a hidden or output neuron the points are what that neuron actually receives, so the lab shows
    how a hidden layer moves the points until one line separates them."""

    def __init__(self, doc, panel: LogicPanel):
        super().__init__()
        self.doc, self.panel = doc, panel  # the panel gives the network shown (it may be learning) and its table
        panel.table_changed.connect(self.refresh)
        doc.selection_changed.connect(lambda _ids: self.refresh())
        self.plot = None  # built when first shown: start-up does not pay for it
        self.labels: list[pg.TextItem] = []
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.RichText)
        self.layout_ = QHBoxLayout(self)
        self.layout_.addWidget(self.caption, 1)
        self.line_points = None

    def _neuron(self, g: Graph):
        sel = [nid for nid in self.doc.selection if g.nodes.get(nid) and g.nodes[nid].kind == "neuron"]
        candidates = sel + [n.id for n in g.nodes.values() if n.kind == "neuron"]
        from ..core import shapes
        infos = self.doc.infos if g is self.doc.graph else shapes.infer(g)
        for nid in candidates:
            ins = g.input_ids(nid)
            if ins and infos[ins[0]].shape == (2,):
                return g.nodes[nid], ins[0]
        return None, None

    def _ensure_plot(self) -> None:
        if self.plot is not None:
            return
        from .theme import card_colours
        colours = card_colours()
        self.plot = pg.PlotWidget(background=colours["card"])
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTextPen(colours["text"])
            self.plot.getAxis(axis).setPen(colours["muted"])
        self.plot.setAspectLocked(True)
        self.plot.setXRange(-0.5, 1.5)
        self.plot.setYRange(-0.5, 1.5)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.points = pg.ScatterPlotItem(size=16)
        self.line = pg.PlotCurveItem(pen=pg.mkPen("#3D7BF2", width=3))
        self.plot.addItem(self.line)
        self.plot.addItem(self.points)
        self.layout_.insertWidget(0, self.plot, 2)

    def showEvent(self, event):
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if not self.isVisible():
            return  # drawn when shown
        self._ensure_plot()
        panel = self.panel
        g = panel.network()
        table = panel.table_data
        for t in self.labels:
            self.plot.removeItem(t)
        self.labels = []
        neuron, src = self._neuron(g)
        if table is None or neuron is None:
            self.points.setData([], [])
            self.line.setData([], [])
            self.line_points = None
            self.caption.setText("<span style='color:gray'>The decision line appears for a neuron with two "
                                 "inputs.</span>")
            return
        # the points this neuron receives: the inputs themselves or the previous layer's outputs
        if src == g.inputs()[0].id:
            pts = table.inputs
        else:
            trace = next(t for t in table.layers if t.node_id == src)
            pts = trace.a
        target = table.target if table.target is not None else np.zeros(len(pts))
        src_name = g.nodes[src].name
        self.plot.setLabel("bottom", f"{src_name}[1]" if src != g.inputs()[0].id else "x1")
        self.plot.setLabel("left", f"{src_name}[2]" if src != g.inputs()[0].id else "x2")
        brushes = [pg.mkBrush(GREEN) if v else pg.mkBrush(RED) for v in target]
        self.points.setData(pts[:, 0], pts[:, 1], brush=brushes, pen=pg.mkPen("w", width=1.5))
        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(pts):  # rows that land on the same point share one label
            groups.setdefault((round(float(p[0]), 6), round(float(p[1]), 6)), []).append(i)
        for (px, py), rows in groups.items():
            targets = sorted({int(target[i]) for i in rows})
            text = ("row " if len(rows) == 1 else "rows ") + ", ".join(str(i + 1) for i in rows) + \
                " \u2192 " + "/".join(map(str, targets))
            label = pg.TextItem(text, anchor=(-0.1, 1.1), color="#6B7280")
            label.setPos(px, py)
            self.plot.addItem(label)
            self.labels.append(label)
        k, b = neuron.weights.get("kernel"), neuron.weights.get("bias")
        w1, w2 = (0.0, 0.0) if k is None else (float(k[0, 0]), float(k[1, 0]))
        w0 = 0.0 if b is None else float(b[0])
        line = logic.decision_line(w0, w1, w2)
        if line is None:
            self.line.setData([], [])
            self.line_points = None
            text = f"w1 = w2 = 0: z = {w0:g} everywhere, so there is no line."
        else:
            self.line.setData(line[0], line[1])
            self.line_points = (np.asarray(line[0]), np.asarray(line[1]))
            text = (f"<b>{neuron.name}</b> (first neuron): {w0:g} + {w1:g}\u00b7x1 + {w2:g}\u00b7x2 = 0."
                    f"<br>Points on the side where z \u2265 0 get 1.")
        sep = logic.linearly_separable(pts, target) if table.target is not None else True
        if not sep:
            text += f"<br><b style='color:{RED}'>These points cannot be split by any line.</b>"
        self.caption.setText(text)
