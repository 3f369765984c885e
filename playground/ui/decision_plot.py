"""The decision plot under the Logic lab's canvas: the input points coloured by target, a ring on each row the
network gets wrong, and each neuron's line."""

from __future__ import annotations

from html import escape as esc

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QScrollArea, QWidget

from ..core import logic
from ..core.graph import Graph
from ..core.words import count

NBSP = "\u00a0"


def whole(equation: str) -> str:
    """An equation kept on one line where it is short ("0.5 - x1 = 0" was split after "0.5" beside the plot); a
    long one breaks only before a term, each sign kept with its term and "= 0" with the last."""
    if len(equation) <= 28:
        return equation.replace(" ", NBSP)
    return equation.replace("+ ", "+" + NBSP).replace("- ", "-" + NBSP).replace(" = ", NBSP + "=" + NBSP)
from .logic_lab import GREEN, RED, LogicPanel
from .theme import card_colours
from .weight_grid import source_name, unit_name

def _area(r: QRectF) -> float:
    return r.width() * r.height() if r.isValid() else 0.0


def _crosses(box: QRectF, a: tuple, b: tuple) -> bool:
    """Does the segment a-b pass through ``box``? (Liang-Barsky: clip the segment to the box.)"""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x1 - box.left()), (dx, box.right() - x1), (-dy, y1 - box.top()), (dy, box.bottom() - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


RING_PX = 30  # the ring round a wrong row's point
LABEL_Z = 5  # row labels above the lines (curves sit at 0)
SPAN = (-100.0, 101.0)  # a line is drawn across this box: past every edge of the plot, however wide it is
LINE_COLOURS = ("#3D7BF2", "#E0892B", "#8E44AD", "#16A085")


CAPTION_BESIDE = 420  # px: a narrower plot takes its caption under it

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
        self._lines: list = []  # the decision lines drawn, as data-coordinate segments: labels keep off them
        self._point_xy: list = []  # the points drawn (data coordinates): labels keep off them and their rings
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.RichText)
        self.caption.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.caption_scroll = QScrollArea()  # a long caption (two lines, wrong rows, advice) scrolls, never clipped
        self.caption_scroll.setWidget(self.caption)
        self.caption_scroll.setWidgetResizable(True)
        self.caption_scroll.setFrameShape(QFrame.NoFrame)
        self.caption_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.layout_ = QHBoxLayout(self)
        self.layout_.addWidget(self.caption_scroll, 1)
        self.line_points = None

    def resizeEvent(self, event):
        """The caption beside the plot where there is room, under it in a narrow column (beside the Lessons dock at
        1280x720 it was a word wide and cut: "Points on the side where z...")."""
        direction = QBoxLayout.LeftToRight if event.size().width() >= CAPTION_BESIDE else QBoxLayout.TopToBottom
        if self.layout_.direction() != direction:
            self.layout_.setDirection(direction)
        super().resizeEvent(event)

    def _sources(self, g: Graph) -> dict:
        """{neuron id: (the node feeding it, that node's width)} for every neuron fed by a flat vector."""
        from ..core import analysis
        infos = self.doc.infos if g is self.doc.graph else analysis.infer(g)
        out = {}
        for n in g.nodes.values():
            ins = g.input_ids(n.id)
            shape = infos[ins[0]].shape if n.spec.hand_set and ins and ins[0] in infos else None
            if shape is not None and len(shape) == 1:
                out[n.id] = (ins[0], shape[0])
        return out

    def _neuron(self, g: Graph, sources: dict):
        """(neuron, the node feeding it, that node's width): the selected neuron whatever its width, else the first
        neuron with two inputs, else the first with one; (None, None, None) if there is none."""
        for nid in self.doc.selection:
            if nid in sources:
                return (g.nodes[nid], *sources[nid])
        for wanted in (2, 1):
            for nid, (src, width) in sources.items():
                if width == wanted:
                    return g.nodes[nid], src, width
        return None, None, None

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
        self.curves: list[pg.PlotCurveItem] = []
        self.plot.addItem(self.points)
        self.wrong = pg.ScatterPlotItem(size=RING_PX, symbol="o", brush=None,
                                        pen=pg.mkPen(colours["text"], width=2.5))
        self.plot.addItem(self.wrong)  # a ring around each point whose row the network gets wrong
        for item in (self.points, self.wrong):
            item.setZValue(LABEL_Z + 1)  # no label ever covers a point
        self.layout_.insertWidget(0, self.plot, 2)
        # the labels' sides are chosen in pixels, and the locked aspect widens the range as the plot resizes
        self.plot.getViewBox().sigRangeChanged.connect(self._place_labels)
        self.plot.getViewBox().sigResized.connect(self._place_labels)

    def _free_anchor(self, text_rect: QRectF, px: float, py: float, placed: list, lines: list,
                     others: tuple = ()) -> tuple:
        """Where the label goes around its point (up-right, down-right, up-left, down-left, then above, below,
        right or left of it): the first place whose box, in pixels, is clear of the labels placed so far, of the
        ``others`` points (data coordinates) and their rings, and of the decision ``lines`` (data-coordinate
        segments); else the least crowded (a line through the text counts for more than any overlap). The box is
        added to ``placed``."""
        vb = self.plot.getViewBox()
        sx, sy = vb.viewPixelSize()
        sx, sy = sx or 0.01, sy or 0.01
        w, h = text_rect.width() + 8, text_rect.height() + 2
        cx, cy = px / sx, -py / sy  # pixels, y down
        segments = [((a[0] / sx, -a[1] / sy), (b[0] / sx, -b[1] / sy)) for a, b in lines]
        half = RING_PX / 2 + 2
        points = [QRectF(x / sx - half, -y / sy - half, 2 * half, 2 * half) for x, y in others]
        r = vb.viewRect()  # the plot's own area, in the same pixels: a label past its edge is cut there
        shown = QRectF(r.left() / sx, -r.bottom() / sy, r.width() / sx, r.height() / sy).normalized()
        best = None
        for ax, ay in ((-0.1, 1.1), (-0.1, -0.1), (1.1, 1.1), (1.1, -0.1),  # then straight off its own ring
                       (0.5, 1 + half / h), (0.5, -half / h), (-half / w, 0.5), (1 + half / w, 0.5)):
            box = QRectF(cx - ax * w, cy - ay * h, w, h)
            cut = _area(box) - _area(box.intersected(shown))
            crowding = sum(_area(box.intersected(r)) for r in placed + points) + \
                1e9 * sum(_crosses(box, a, b) for a, b in segments) + (1e9 + cut if cut > 0.5 else 0)
            if best is None or crowding < best[0]:
                best = (crowding, (ax, ay), box)
            if crowding == 0:
                break
        placed.append(best[2])
        return best[1]

    def _place_labels(self, *_) -> None:
        """Each row label on the side of its point clear of the labels before it and of the lines."""
        placed: list[QRectF] = []
        for label in self.labels:
            pos = label.pos()
            others = tuple(p for p in self._point_xy if (p[0], p[1]) != (pos.x(), pos.y()))
            label.setAnchor(self._free_anchor(label.textItem.boundingRect(), pos.x(), pos.y(), placed,
                                              self._lines, others))

    def _draw_lines(self, units: list) -> None:
        """One curve per (name, w0, w1, w2); the first is the chosen neuron (``line_points``)."""
        while len(self.curves) < len(units):
            curve = pg.PlotCurveItem(pen=pg.mkPen(LINE_COLOURS[len(self.curves) % len(LINE_COLOURS)], width=3))
            self.plot.addItem(curve)
            self.curves.append(curve)
        self.line_points = None
        for i, curve in enumerate(self.curves):
            line = logic.decision_line(*units[i][1:], *SPAN) if i < len(units) else None
            if line is None:
                curve.setData([], [])
                continue
            curve.setData(line[0], line[1])
            if i == 0:
                self.line_points = (np.asarray(line[0]), np.asarray(line[1]))

    @staticmethod
    def _many_inputs_text(g: Graph, neuron, src: str, width: int, sources: dict) -> str:
        """A neuron with more than two inputs: its equations, and why the plot draws none of them."""
        src_node = g.nodes[src]
        names = [esc(source_name(src_node, i, width)) for i in range(width)]
        k, b = neuron.weights.get("kernel"), neuron.weights.get("bias")
        b = None if b is None else np.atleast_1d(b)
        rows = []
        for u in range(neuron.params["units"]):
            ws = [float(k[i, u]) for i in range(width)] if k is not None and k.shape == (width, neuron.params[
                "units"]) else [0.0] * width
            w0 = float(b[u]) if b is not None and b.shape[0] > u else 0.0
            rows.append(f"<b>{esc(unit_name(neuron.name, u, neuron.params['units']))}</b>: "
                        f"{logic.sum_equation(w0, ws, names)}")
        drawable = [g.nodes[nid].name for nid, (_s, w) in sources.items() if w <= 2]
        text = "<br>".join(rows) + (f"<br>{esc(neuron.name)} has {width} inputs, so each of its boundaries is a flat "
                                    f"cut through {width}-dimensional space, which a flat plot cannot draw. The plot "
                                    f"draws a neuron with one or two inputs")
        return text + (f": select {esc(', '.join(drawable))}." if drawable else ".")

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
        sources = self._sources(g)
        neuron, src, width = self._neuron(g, sources)
        if table is not None and neuron is not None and src == g.inputs()[0].id and table.inputs.shape[1] != width:
            table = None  # the table is of the network before a swap (undo of a lesson's network): redrawn next
        if table is None or neuron is None or width > 2:
            self.points.setData([], [])
            self.wrong.setData([], [])
            self._draw_lines([])
            self._lines, self._point_xy = [], []
            self.plot.setLabel("bottom", "")
            self.plot.setLabel("left", "")  # (setLabel shows the axis)
            self.plot.hide()  # empty axes beside the text read as a broken plot (a drive): the text alone
            if neuron is None or table is None:
                self.caption.setText("<span style='color:gray'>The decision line appears for a neuron with one "
                                     "or two inputs.</span>")
            else:
                self.caption.setText(self._many_inputs_text(g, neuron, src, width, sources))
            return
        # the points this neuron receives: the inputs themselves or the previous layer's outputs
        if src == g.inputs()[0].id:
            pts = table.inputs
        else:
            trace = next((t for t in table.layers if t.node_id == src), None)
            if trace is None:  # a table of the network before this one (Back put another back: StopIteration in a
                self.plot.hide()  # slot); the table of this network follows and draws it
                return
            pts = trace.a
        self.plot.show()
        received = np.asarray(pts, dtype=np.float64)
        if width == 1:  # along the one input's axis, halfway up a plot whose height means nothing
            pts = np.column_stack([pts[:, 0], np.full(len(pts), 0.5)])
        target = table.target if table.target is not None else np.zeros(len(pts))
        src_node = g.nodes[src]
        self.plot.setLabel("bottom", source_name(src_node, 0, width))
        self.plot.setLabel("left", source_name(src_node, 1, width) if width == 2 else "")
        self.plot.getPlotItem().showAxis("left", width == 2)  # one input: the points lie along its axis alone
        # two inputs: a square plane; one: its axis spread over the plot's width (a height that means nothing)
        self.plot.setAspectLocked(width == 2)
        self.plot.setXRange(-0.5, 1.5)
        self.plot.setYRange(-0.5, 1.5) if width == 2 else self.plot.setYRange(0, 1, padding=0)
        wrong = [r for r in table.wrong_rows if r < len(pts)]
        # the wrong rows' dots last: where rows share a point, the ring sits on the colour of the row it means
        order = [i for i in range(len(pts)) if i not in wrong] + wrong
        brushes = [pg.mkBrush(GREEN) if target[i] else pg.mkBrush(RED) for i in order]
        self.points.setData(pts[order, 0], pts[order, 1], brush=brushes, pen=pg.mkPen("w", width=1.5))
        got = logic.predicted_bits(table.output[:, 0])  # the bit the verdict compares (a sigmoid's at 0.5)
        self.wrong.setData(pts[wrong, 0], pts[wrong, 1], pen=pg.mkPen(card_colours()["text"], width=2.5))  # the theme's
        self._point_xy = [(float(x), float(y)) for x, y in pts]
        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(pts):  # rows that land on the same point share one label
            groups.setdefault((round(float(p[0]), 6), round(float(p[1]), 6)), []).append(i)
        # the lines drawn: in the input plane, every unit of every neuron layer fed by the input (the lecture's
        # XNOR picture: two hidden lines and the band between them); in a hidden plane, the chosen neuron's
        units = []  # (name, w0, w1, w2)
        layers = [n for n in g.nodes.values() if n.spec.hand_set and g.input_ids(n.id) == [src]] \
            if src == g.inputs()[0].id else [neuron]
        if neuron in layers:  # the chosen neuron first
            layers.remove(neuron)
            layers.insert(0, neuron)
        for n in layers:
            k, b = n.weights.get("kernel"), n.weights.get("bias")
            b = None if b is None else np.atleast_1d(b)
            for u in range(n.params["units"]):
                ok = k is not None and k.shape[0] >= width and k.shape[1] > u
                w1 = float(k[0, u]) if ok else 0.0
                w2 = float(k[1, u]) if ok and width == 2 else 0.0  # one input: x2 is not there
                w0 = float(b[u]) if b is not None and b.shape[0] > u else 0.0
                label = unit_name(n.name, u, n.params["units"])
                units.append((label, w0, w1, w2))
        self._draw_lines(units)
        lines = [tuple(zip(*line)) for line in (logic.decision_line(*u[1:], *SPAN) for u in units)
                 if line is not None]
        self._lines = lines
        for (px, py), rows in groups.items():
            if len({int(target[i]) for i in rows}) == 1 and not any(i in wrong for i in rows):
                text = ("row " if len(rows) == 1 else "rows ") + ", ".join(str(i + 1) for i in rows) + \
                    f" \u2192 {int(target[rows[0]])}"
            else:  # rows that share a point but differ in target or in being right: one line each
                text = "\n".join(f"row {i + 1} \u2192 {int(target[i])}" + (f", gets {int(got[i])}" if i in wrong else "")
                                 for i in rows)
            # on the card's colour, above the lines: a line the label cannot keep clear of (two lines close
            # around a point, drawn across the whole plot) passes under the text, never through it
            back = QColor(card_colours()["card"])
            back.setAlpha(235)
            label = pg.TextItem(text, color=card_colours()["muted"], fill=pg.mkBrush(back))
            label.setZValue(LABEL_Z)
            label.setPos(px, py)
            self.plot.addItem(label)
            self.labels.append(label)
        self._place_labels()
        self.caption.setText(self._caption(g, neuron, src, width, units, received, target, wrong, table,
                                           logic.linearly_separable(pts, target) if table.target is not None
                                           else True))

    def _caption(self, g: Graph, neuron, src: str, width: int, units: list, received, target, wrong: list, table,
                 separable: bool) -> str:
        """The text beside the plot: each line's equation, its name in its line's colour, inputs named as the axes
        are; what a line off the plot (or no line) means; what the colours and rings are; the lecture's advice."""
        src_node = g.nodes[src]
        names = [esc(source_name(src_node, i, width)) for i in range(width)]
        drawn = {}  # a line, scaled and signed one way -> the first unit that draws it
        rows_text = []
        for i, (label, w0, w1, w2) in enumerate(units):
            key = f"<b style='color:{LINE_COLOURS[i % len(LINE_COLOURS)]}'>{esc(label)}</b>"
            ws = (w1,) if width == 1 else (w1, w2)
            z = w0 + received[:, :width] @ np.asarray(ws, dtype=np.float64)
            if width == 1:
                threshold = -w0 / w1 + 0.0 if w1 else float("nan")
                line = (f"{whole(logic.sum_equation(w0, ws, names))}, so "
                        f"{whole(f'{names[0]} = {logic.short(threshold)}')}"
                        if np.isfinite(threshold) else f"w1 = 0, so z = {logic.short(w0)} everywhere: no threshold")
            else:
                line = (whole(logic.sum_equation(w0, ws, names)) if logic.decision_line(w0, w1, w2) is not None
                        else
                        f"w1 = w2 = 0, so z = {logic.short(w0)} everywhere: no line")
            norm = float(np.hypot(w1, w2))
            if norm and np.isfinite(norm) and np.isfinite(w0):
                sign = 1.0 if (w1 if w1 else w2) > 0 else -1.0
                same = drawn.setdefault(tuple(np.round(np.array([w0, w1, w2]) * sign / norm, 9)), label)
                if same != label:
                    line += f" <span style='color:gray'>(the same line as {esc(same)})</span>"
            if len(z) and np.all(np.isfinite(z)) and (np.all(z >= 0) or np.all(z < 0)):
                side = "z \u2265 0" if z[0] >= 0 else "z &lt; 0"
                line += (f" <span style='color:gray'>(every point on its {side} side: {esc(label)} gives "
                         f"{int(z[0] >= 0)} for every row)</span>")
            rows_text.append(f"{key}: {line}")
        text = "<br>".join(rows_text)
        if width == 1:
            text += (f"<br>One input ({names[0]}), so the line is a threshold across its axis: points on the side "
                     f"where z \u2265 0 get 1.")
        else:
            text += "<br>Points on the side where z \u2265 0 get 1."
        last = next((nid for nid in reversed(g.topological_order()) if g.nodes[nid].spec.hand_set), None)
        if last is not None and neuron.id != last and src != g.inputs()[0].id:
            text += (f" The colours are the network's target (what {esc(g.nodes[last].name)} must give); "
                     f"{esc(neuron.name)} is not the last neuron, so its sides need not match them.")
        if wrong:
            text += f" A ringed point is a row the network gets wrong ({count(len(wrong), 'row')})."
        if len(units) > 1 and width == 2:
            text += f" {len(units)} lines: each neuron of this layer cuts the plane once; the layers after it " \
                    "combine the sides" + (" (for XNOR, the band between the two lines)." if len(units) == 2 else ".")
        if not separable:
            hidden = any(g.nodes[i].spec.hand_set for n in g.nodes.values() if n.spec.hand_set
                         for i in g.input_ids(n.id))
            if table.all_correct:
                text += ("<br><span style='color:gray'>No single line splits these points, so one neuron could "
                         f"not do it; this network does, with {count(len(units), 'line')} and the neurons after "
                         f"them.</span>")
            elif not hidden:
                text += (f"<br><b style='color:{RED}'>No single line splits these points: one neuron cannot "
                         f"compute this; add a hidden layer.</b>")
            elif src == g.inputs()[0].id:
                text += (f"<br><b style='color:{RED}'>Some rows are still wrong.</b> One line cannot split these "
                         f"points, but this network has a hidden layer: adjust the hidden neurons' lines so that "
                         f"together they set the wrong rows apart (select the output neuron to see what it gets).")
            else:
                text += (f"<br><b style='color:{RED}'>Some rows are still wrong:</b> the hidden layer does not yet "
                         f"move these points where one line can split them. Change the hidden neurons' weights.")
        return text
