"""Graphics items that mirror graph nodes and edges. They hold no model state of their own beyond
what they draw; every change they make is a request the editor turns into an undo command."""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from ...core import shapes
from ...core.logic import short
from ...core.registry import get_spec
from .. import theme

CARD_W, CARD_H = 172.0, 96.0  # the layout's column pitch (core.layout.X_SPACING) leaves room for edges
PORT_R = 6.0
PREVIEW_TOP = 54.0  # below the card's first text row (33 + 19.5), so that row is never cut by the picture
RETURN_R = 12.0  # the corner radius of an edge running back to the left
LANE_MARGIN = 22.0  # how far a routed skip edge keeps from the cards it passes
LABEL_H = 20.0
PREVIEW = 48.0  # side of a layer preview picture on a card
LABEL_MAX_W = 170.0  # a longer weight label is elided between two cards (the tooltip has all of it)...
LABEL_ABOVE_MAX_W = 400.0  # ...but written whole above them, up to this wide (2x4 learned weights: about 350)
LABEL_MIN_W = 30.0


class NodeItem(QGraphicsItem):
    """A rounded card: category strip, layer type, key parameters, output shape, parameter count."""

    def __init__(self, node_id: str, kind: str):
        super().__init__()
        self.node_id = node_id
        self.spec = get_spec(kind)
        self.title = self.spec.title
        self.name = ""
        self.summary = ""
        self.shape_line = ""
        self.params_line = ""
        self.status = "ok"
        self.message = ""
        self.extra = ""  # neuron biases
        self.preview = None  # QImage of this layer's output for one example (View > Layer previews)
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable |
                      QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.edges: list["EdgeItem"] = []

    # geometry
    def boundingRect(self) -> QRectF:
        return QRectF(-PORT_R - 2, -12, CARD_W + 2 * PORT_R + 4, CARD_H + 14)

    def card_rect(self) -> QRectF:
        """The card itself (no ports, no badge) in scene coordinates."""
        p = self.pos()
        return QRectF(p.x(), p.y(), CARD_W, CARD_H)

    def has_input(self) -> bool:
        return self.spec.max_inputs != 0

    def in_port(self) -> QPointF:
        return self.mapToScene(QPointF(0, CARD_H / 2))

    def out_port(self) -> QPointF:
        return self.mapToScene(QPointF(CARD_W, CARD_H / 2))

    def out_port_rect(self) -> QRectF:
        return QRectF(CARD_W - PORT_R - 3, CARD_H / 2 - PORT_R - 3, 2 * PORT_R + 6, 2 * PORT_R + 6)

    # content
    def set_content(self, node, info: shapes.NodeInfo, masked: bool = False) -> None:
        """Show ``node`` with its shape results; ``masked``: its size is a lesson's question, shown as "?"."""
        self.name = node.name
        self.summary = self.spec.summary(node.params)
        self.status = info.status
        if masked and info.status in ("ok", "warning"):
            self.shape_line, self.params_line = "? (predict it)", "hidden by the lesson"
            info = shapes.NodeInfo(status=info.status)  # nor in the tooltip
        elif info.shape is not None:
            self.shape_line = shapes.shape_text(info.shape)
            self.params_line = f"{info.params:,} params" if info.params else "no parameters"
            if not getattr(node, "trainable", True) and info.params:
                self.params_line = f"\u2744 frozen \u00b7 {info.params:,} params"  # drawn as frozen
                if QFontMetricsF(theme.ui_font(9)).horizontalAdvance(self.params_line) > CARD_W - 20:
                    n = info.params  # 18,496 -> 18.5k: the card's width (the summary table has every digit)
                    short_n = f"{n / 1e6:.3g}M" if n >= 1e6 else f"{n / 1e3:.3g}k"
                    self.params_line = f"\u2744 frozen \u00b7 {short_n} params"
        else:
            self.shape_line = "?"
            self.params_line = "blocked by an earlier error" if info.status == "blocked" else ""
        msgs = info.errors or info.warnings
        self.message = msgs[0] if msgs else ""
        tip = f"<b>{self.title}</b> {node.name}<br>{self.spec.help}"
        if info.full_formula:
            tip += f"<br><tt>{info.full_formula}</tt>"
        if self.message:
            colour = "#D64541" if info.errors else "#B7791F"
            tip += f"<br><span style='color:{colour}'>{self.message}</span>"
        self.setToolTip(tip)
        self.extra = ""
        if node.spec.hand_set:
            b = node.weights.get("bias")
            vals = np.zeros(node.params["units"]) if b is None else b
            self.extra = "b = " + ", ".join(short(float(v)) for v in vals[:4]) + (" ..." if len(vals) > 4 else "")
        self.setOpacity(0.45 if info.status == "blocked" else 1.0)
        self.update()

    def set_preview(self, image) -> None:
        self.preview = image
        self.update()

    def text_rows(self, c: dict | None = None) -> list[tuple[str, object, object]]:
        """(text, font, colour) of the lines under the title. A summary that only repeats the output
        shape (an Input's "28x28x1", a Reshape's target) is left out: the shape line says it."""
        c = c or theme.card_colours()
        rows = []
        line = self.summary if not self.extra else f"{self.summary}   {self.extra}"
        if self.extra and self.status != "error" and self.shape_line == self.summary.split(" ")[0] and \
                QFontMetricsF(theme.ui_font(9)).horizontalAdvance(line) > CARD_W - 20:
            # a neuron layer's biases too long to share its line ("2 sigmoid   b = -7.67, 2.79"): a line of their
            # own, in place of the shape line, which only repeats the unit count the summary starts with
            rows.append((self.summary, theme.ui_font(9), c["text"]))
            fm, extra = QFontMetricsF(theme.mono_font(9)), self.extra
            while fm.horizontalAdvance(extra) > CARD_W - 20 and ", " in extra:  # as many biases as fit, then ...
                extra = extra.removesuffix(" ...").rsplit(", ", 1)[0] + " ..."
            rows.append((extra, theme.mono_font(9), c["text"]))
            rows.append((self.params_line, theme.ui_font(9), c["muted"]))
            return rows
        if line and line != self.shape_line:
            rows.append((line, theme.ui_font(9), c["text"]))
        rows.append(("error" if self.status == "error" else self.shape_line, theme.mono_font(10),
                     theme.ERROR if self.status == "error" else c["text"]))
        rows.append((self.message if self.status == "error" else self.params_line, theme.ui_font(9), c["muted"]))
        return rows

    def paint(self, painter: QPainter, option, widget=None) -> None:
        c = theme.card_colours()
        painter.setRenderHint(QPainter.Antialiasing)
        rect = QRectF(0, 0, CARD_W, CARD_H)
        border = theme.ACCENT if self.isSelected() else c["border"]
        if self.status == "error":
            border = theme.ERROR
        painter.setPen(QPen(border, 2.0 if self.isSelected() or self.status == "error" else 1.0))
        painter.setBrush(QBrush(c["card"]))
        painter.drawRoundedRect(rect, 8, 8)
        # category strip
        strip = QPainterPath()
        strip.addRoundedRect(QRectF(0, 0, CARD_W, 10), 8, 8)
        strip.addRect(QRectF(0, 5, CARD_W, 5))
        painter.fillPath(strip.simplified(), theme.category_colour(self.spec.category))
        # text
        painter.setPen(c["text"])
        painter.setFont(theme.ui_font(10, bold=True))
        painter.drawText(QRectF(10, 13, CARD_W - 20, 20), Qt.AlignLeft | Qt.AlignVCenter, self.title)
        title_w = QFontMetricsF(painter.font()).horizontalAdvance(self.title)
        painter.setPen(c["muted"])
        painter.setFont(theme.ui_font(8.5))
        fm = QFontMetricsF(painter.font())
        room = CARD_W - 20 - title_w - 6  # the name never runs into the title
        if room > 12:
            painter.drawText(QRectF(10, 13, CARD_W - 20, 20), Qt.AlignRight | Qt.AlignVCenter,
                             fm.elidedText(self.name, Qt.ElideRight, room))
        rows = self.text_rows(c)
        y = 33.0
        for i, (text, font, colour) in enumerate(rows):
            painter.setFont(font)
            painter.setPen(colour)
            fm = QFontMetricsF(font)
            # the picture sits beside the lower rows: the first (the parameters, "32 3x3 s1 valid relu")
            # keeps the whole width
            beside = self.preview is not None and (i > 0 or len(rows) < 3)
            width = CARD_W - 20 - (PREVIEW + 6 if beside else 0)
            painter.drawText(QRectF(10, y, width, 19), Qt.AlignLeft | Qt.AlignVCenter,
                             fm.elidedText(text, Qt.ElideRight, width))
            y += 19.5
        if self.preview is not None:
            img = self.preview
            top = PREVIEW_TOP if len(rows) >= 3 else 36
            side = min(PREVIEW, CARD_H - 4 - top)
            scale = min(side / img.width(), side / img.height())
            w, h = img.width() * scale, img.height() * scale
            target = QRectF(CARD_W - 10 - w, top + (side - h) / 2, w, h)
            painter.drawImage(target, img)
            painter.setPen(QPen(c["border"], 1))
            painter.setBrush(Qt.NoBrush)
            painter.drawRect(target)
        # ports
        painter.setPen(QPen(c["card"], 2))
        painter.setBrush(theme.category_colour(self.spec.category))
        if self.has_input():
            painter.drawEllipse(QPointF(0, CARD_H / 2), PORT_R, PORT_R)
        painter.drawEllipse(QPointF(CARD_W, CARD_H / 2), PORT_R, PORT_R)
        # badge
        if self.status in ("error", "warning"):
            colour = theme.ERROR if self.status == "error" else theme.WARNING
            painter.setPen(Qt.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(CARD_W - 4, 0), 9, 9)
            painter.setPen(QColor("white"))
            painter.setFont(theme.ui_font(9, bold=True))
            painter.drawText(QRectF(CARD_W - 13, -9, 18, 18), Qt.AlignCenter, "!")

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            if self.scene() is not None:
                self.scene().card_moved()
            for e in self.edges:
                e.update_path()
        return super().itemChange(change, value)


class EdgeItem(QGraphicsPathItem):
    """A smooth curve from an output port to an input port; hover shows the tensor shape.
    For a Neuron target it shows the weights it carries."""

    def __init__(self, edge, src: NodeItem, dst: NodeItem):
        super().__init__()
        self.edge = edge
        self.src, self.dst = src, dst
        self.label = ""
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self._hover = False
        self.routed = False
        src.edges.append(self)
        dst.edges.append(self)
        self.update_path()

    def detach(self) -> None:
        for item in (self.src, self.dst):
            if self in item.edges:
                item.edges.remove(self)

    def update_path(self) -> None:
        """A smooth curve between the ports; an edge that jumps over cards runs in a lane beside them."""
        a, b = self.src.out_port(), self.dst.in_port()
        if b.x() < a.x() - 2 * PORT_R:  # back to the left (a chain wrapped into rows): along the gap between
            self.prepareGeometryChange()
            self.setPath(_return_path(a, b, self.src, self.dst, self.scene()))
            self.routed = False  # (a skip lane's flag: that one is checked against every card it passes)
            return
        route = _lane_route(self.scene(), a, b, self.src, self.dst) if self.scene() is not None else None
        if route is None:
            dx = max(abs(b.x() - a.x()) * 0.5, 40.0)
            path = QPainterPath(a)
            path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        else:
            lane, x1, x2 = route
            path = QPainterPath(a)
            h = (x1 - a.x()) / 2
            path.cubicTo(QPointF(a.x() + h, a.y()), QPointF(a.x() + h, lane), QPointF(x1, lane))
            path.lineTo(QPointF(x2, lane))
            h = (b.x() - x2) / 2
            path.cubicTo(QPointF(x2 + h, lane), QPointF(x2 + h, b.y()), b)
        self.prepareGeometryChange()
        self.setPath(path)
        self.routed = route is not None

    def label_box(self, text_width: float, alone: bool = False) -> QRectF | None:
        """Where the weight label goes: centred on the edge, clear of both cards and their ports, or
        None when there is no such room (the tooltip still shows it)."""
        mid = self.path().pointAtPercent(0.5)
        half = min(text_width + 10, LABEL_ABOVE_MAX_W) / 2  # what the cards leave of this, below
        top, bottom = mid.y() - LABEL_H / 2, mid.y() + LABEL_H / 2
        for card, side in ((self.src.card_rect(), "left"), (self.dst.card_rect(), "right")):
            zone = card.adjusted(-PORT_R - 4, -4, PORT_R + 4, 4)
            if bottom <= zone.top() or top >= zone.bottom():
                continue
            if side == "left" and zone.right() <= mid.x():
                half = min(half, mid.x() - zone.right())
            elif side == "right" and zone.left() >= mid.x():
                half = min(half, zone.left() - mid.x())
            else:
                return None  # the middle of the edge is over a card (cards overlap): no label
        if half * 2 >= text_width + 10:  # whole on the edge: a short label, or a long one on a wrapped edge's
            box = QRectF(mid.x() - half, top, 2 * half, LABEL_H)  # return run, which no card narrows...
            if half * 2 <= LABEL_MAX_W or alone or self._clear(box):  # ...where it covers no card or label
                return box
        if text_width + 10 <= LABEL_ABOVE_MAX_W:  # too tight between the cards: above them, whole
            above = self._box_above(mid.x(), text_width + 10)
            if above is not None:
                return above
        half = min(half, LABEL_MAX_W / 2)
        if half * 2 < LABEL_MIN_W:
            return None
        return QRectF(mid.x() - half, top, 2 * half, LABEL_H)

    def _clear(self, box: QRectF) -> bool:
        """No card under ``box``, and no other edge's label on it (as that label would be placed alone)."""
        scene = self.scene()
        if scene is None:
            return True
        if scene.cards_in(box.adjusted(-4, -4, 4, 4)):
            return False
        fm = QFontMetricsF(theme.mono_font(9))
        reach = box.adjusted(-LABEL_ABOVE_MAX_W / 2, -LABEL_H, LABEL_ABOVE_MAX_W / 2, LABEL_H)
        for other in scene.edge_items.values():
            if other is self or not other.label or not other.path().boundingRect().intersects(reach):
                continue
            theirs = other.label_box(fm.horizontalAdvance(other.label), alone=True)
            if theirs is not None and theirs.intersects(box):
                return False
        return True

    def _box_above(self, x: float, width: float) -> QRectF | None:
        cards = (self.src.card_rect(), self.dst.card_rect())
        top = min(c.top() for c in cards) - PORT_R - LABEL_H - 2
        box = QRectF(x - width / 2, top, width, LABEL_H)
        scene = self.scene()
        if scene is None or scene.cards_in(box.adjusted(-4, -4, 4, 4)):
            return None
        return box

    def set_content(self, shape_text: str, weights_text: str) -> None:
        self.label = weights_text
        self.setToolTip(f"tensor {shape_text}" + (f"<br>{weights_text}" if weights_text else ""))
        self.update()

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def shape(self):
        stroker = QPainterPath(self.path())
        from PySide6.QtGui import QPainterPathStroker
        s = QPainterPathStroker()
        s.setWidth(12)
        return s.createStroke(stroker)

    def boundingRect(self):
        # room for a label above the cards (label_box) as well as on the edge
        return super().boundingRect().adjusted(-LABEL_ABOVE_MAX_W / 2 - 4, -CARD_H - LABEL_H - PORT_R - 4,
                                               LABEL_ABOVE_MAX_W / 2 + 4, LABEL_H)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        c = theme.card_colours()
        painter.setRenderHint(QPainter.Antialiasing)
        colour = theme.ACCENT if (self._hover or self.isSelected()) else c["edge"]
        painter.setPen(QPen(colour, 2.4 if self._hover or self.isSelected() else 1.8))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        if self.label:
            painter.setFont(theme.mono_font(9))
            fm = QFontMetricsF(painter.font())
            box = self.label_box(fm.horizontalAdvance(self.label))
            if box is None:
                return
            painter.setPen(QPen(colour, 1))
            painter.setBrush(c["card"])
            painter.drawRoundedRect(box, 5, 5)
            painter.setPen(c["text"])
            painter.drawText(box, Qt.AlignCenter, fm.elidedText(self.label, Qt.ElideRight, box.width() - 8))


def _lane_route(scene, a: QPointF, b: QPointF, src: NodeItem, dst: NodeItem):
    """(lane y, x where the lane starts, x where it ends) for an edge whose curve would cross other
    cards, or None when the plain curve is clear. The lane runs above or below every card in the way,
    on the side with the shorter detour."""
    if b.x() - a.x() < 2 * PORT_R + 8:
        return None
    band = QRectF(a.x() + PORT_R, min(a.y(), b.y()) - 6, b.x() - a.x() - 2 * PORT_R, abs(b.y() - a.y()) + 12)
    blockers = _cards_in(scene, band, src, dst)
    if not blockers:
        return None
    best = None
    for sign in (1, -1):
        lane = (max(r.bottom() for r in blockers) + LANE_MARGIN) if sign > 0 else \
            (min(r.top() for r in blockers) - LANE_MARGIN)
        span = list(blockers)
        for _ in range(8):  # cards further out in the lane's path push it further
            more = _cards_in(scene, QRectF(band.left(), lane - LANE_MARGIN / 2, band.width(), LANE_MARGIN), src, dst)
            if not more:
                break
            span += more
            lane = (max(r.bottom() for r in more) + LANE_MARGIN) if sign > 0 else \
                (min(r.top() for r in more) - LANE_MARGIN)
        cost = abs(lane - a.y()) + abs(lane - b.y())
        if best is None or cost < best[0]:
            x1 = max(a.x() + 16, min(r.left() for r in span) - 4)
            x2 = min(b.x() - 16, max(r.right() for r in span) + 4)
            best = (cost, lane, x1, max(x1, x2))
    return best[1:]


def _return_path(a: QPointF, b: QPointF, src_item, dst_item, scene) -> QPainterPath:
    """An edge whose input port is left of its output port: out to the right, down (or up) to a lane clear of
    both cards (the gap between two rows, or under both when they overlap in height), back left along it, and
    into the input port from the left, with rounded corners. Where another card sits in the lane, the lane goes
    under it (the runs down and up are not checked: in a wrapped chain they pass beside the rows' ends)."""
    src, dst = src_item.card_rect(), dst_item.card_rect()
    if dst.top() >= src.bottom():
        lane = (src.bottom() + dst.top()) / 2
    elif dst.bottom() <= src.top():
        lane = (dst.bottom() + src.top()) / 2
    else:
        lane = max(src.bottom(), dst.bottom()) + LANE_MARGIN
    for _ in range(8 if scene is not None else 0):
        band = QRectF(b.x() - PORT_R - 2 * RETURN_R, lane - LANE_MARGIN / 2,
                      a.x() - b.x() + 2 * (PORT_R + 2 * RETURN_R), LANE_MARGIN)
        others = _cards_in(scene, band, src_item, dst_item)
        if not others:
            break
        lane = max(r.bottom() for r in others) + LANE_MARGIN
    r = max(1.0, min(RETURN_R, abs(lane - a.y()) / 2, abs(lane - b.y()) / 2))
    down, into = (1 if lane > a.y() else -1), (1 if b.y() > lane else -1)
    right, left = a.x() + PORT_R + r, b.x() - PORT_R - r  # just clear of the ports: within the fit's margin
    path = QPainterPath(a)
    path.lineTo(right - r, a.y())
    path.quadTo(QPointF(right, a.y()), QPointF(right, a.y() + down * r))
    path.lineTo(right, lane - down * r)
    path.quadTo(QPointF(right, lane), QPointF(right - r, lane))
    path.lineTo(left + r, lane)
    path.quadTo(QPointF(left, lane), QPointF(left, lane + into * r))
    path.lineTo(left, b.y() - into * r)
    path.quadTo(QPointF(left, b.y()), QPointF(left + r, b.y()))
    path.lineTo(b)
    return path


def _cards_in(scene, rect: QRectF, src, dst) -> list[QRectF]:
    return [r for r, item in scene.cards_in(rect) if item is not src and item is not dst]


def weights_label(node, src_units: int | None) -> str:
    """Compact text of the weights on an edge into a Neuron node: w = [1, 1] or a small matrix."""
    k = node.weights.get("kernel")
    if k is None:
        return "w = 0"
    if k.shape[1] == 1:
        vals = k[:, 0]
        body = ", ".join(short(float(v)) for v in vals[:6]) + (", ..." if len(vals) > 6 else "")
        return f"w = [{body}]"
    if k.size <= 8:
        return "w = [" + "; ".join(", ".join(short(float(v)) for v in row) for row in k.T) + "]"
    return f"w: {k.shape[0]}x{k.shape[1]}"
