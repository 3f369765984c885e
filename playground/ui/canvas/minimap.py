"""The canvas's minimap: the whole network in the view's corner."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from .. import theme


class Minimap(QWidget):
    """The whole network in the canvas's corner, with the visible part outlined. Shown only when the
    network does not fit in the view. Click or drag in it to move the view there.

    It takes the network's shape, from a 44-px strip to 160 px high, and the network fills it both ways: a very
    long one (DenseNet's ~430 layers in one row) would be a hairline at true proportions, and MobileNetV2's 156
    layers were specks 2 px wide in the middle of a 240x90 box."""

    W, H, H_MAX = 240, 90, 160
    MIN_W, MIN_H = 110, 30  # smaller than this it shows nothing useful: hidden (a canvas squeezed beside Lessons)

    def __init__(self, view):  # the GraphView it maps
        super().__init__(view)
        self.view = view
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("The whole network: click or drag to move the view")
        self._dragging = False
        self._covers = False  # it lies over cards (no free place): drawn faint until the pointer is on it
        self._hover = False
        self.hide()

    @property
    def faint(self) -> bool:
        return self._covers and not self._hover

    def set_faint(self, covers: bool) -> None:
        if covers != self._covers:
            self._covers = covers
            self.update()

    def enterEvent(self, event):
        self._hover = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event):
        self._hover = False
        self.update()
        super().leaveEvent(event)

    def place(self) -> None:
        """The minimap in the bottom-right corner, or the bottom-left or top-left one where it covers less of the
        cards there, a selected one's least of all (a card dragged or scrolled to went under it), then the Input's;
        not the top right.
        Where every corner has cards (AlexNet filling a 1280x720 canvas), it takes a free band lower down, at least
        44 px high; where there is none, it is drawn faint over the cards."""
        view, mm = self.view, self
        vp = view.viewport().geometry()
        size = mm.sizeHint()
        w, h = size.width(), size.height()

        def corners(height: int) -> list[QRect]:
            width = mm.width_for(height, w)
            return [QRect(vp.right() - width - 10, vp.bottom() - height - 10, width, height),
                    QRect(vp.left() + 10, vp.bottom() - height - 10, width, height),
                    QRect(vp.left() + 10, vp.top() + 10, width, height)]
        best, covers = corners(h)[0], 0
        if mm.isVisible() and view.scene() is not None:
            labels = self._label_rects(vp)
            inputs = {n.id for n in view.scene().graph.inputs()}  # where the network starts: ResNet50 opened with
            # its Input under the minimap, the one corner whose cards covered least

            def covered(r: QRect) -> int:  # the cards' area under r (the scene's card index: not every card)
                area = 0
                for rect, item in view.scene().cards_in(view.mapToScene(r.translated(-vp.topLeft())).boundingRect()):
                    c = view.mapFromScene(rect).boundingRect().translated(vp.topLeft()) & r
                    area += c.width() * c.height() * (10_000 if item.isSelected() else 100 if item.node_id in inputs
                                                      else 1)
                for label in labels:  # and the edges' weight labels (the Logic lab's weights: one sat under it)
                    c = label & r
                    area += c.width() * c.height()
                return area
            scored = sorted(((covered(r), i) for i, r in enumerate(corners(h))))  # corners tie: the bottom right
            covers, best = scored[0][0], corners(h)[scored[0][1]]
            free = None
            for lower in (x for x in (72, 60, 52, 44) if x < h and covers):  # a lower minimap in a free band
                free = next((r for r in corners(lower) if covered(r) == 0), None)
                if free is not None:
                    best, covers = free, 0
                    break
        mm.set_faint(covers > 0)
        if mm.geometry() != best:
            mm.setGeometry(best)

    def _label_rects(self, vp) -> list[QRect]:
        """The edges' weight labels, where the view shows them (in ``vp``'s parent's coordinates, as corners are);
        none counted for a large network (its labels are few and each costs a layout query)."""
        scene = self.view.scene()
        labelled = [e for e in scene.edge_items.values() if e.label]
        if not labelled or len(labelled) > 60:
            return []
        fm = QFontMetricsF(theme.mono_font(9))
        rects = []
        for edge in labelled:
            box = edge.label_box(fm.horizontalAdvance(edge.label))
            if box is not None:
                rects.append(self.view.mapFromScene(box).boundingRect().translated(vp.topLeft()))
        return rects

    def width_for(self, height: int, width: int) -> int:
        """Its width at ``height``: a small network keeps its proportions, so a lower minimap is narrower too (a
        large one is stretched to fill it)."""
        scene = self.view.scene()
        if scene is None or len(scene.node_items) >= 20 or height >= self.sizeHint().height():
            return width
        content = scene.content_rect().adjusted(-40, -40, 40, 40)
        if content.isNull() or content.height() <= 0:
            return width
        return max(self.MIN_W, min(width, round((height - 8) * content.width() / content.height()) + 8))

    def sizeHint(self) -> QSize:
        """240 wide and as high as the network's shape makes it, 44 to 160 (90 for a small or an empty scene), but
        never more than half the canvas's width, nor (a large network's) two fifths of its height (a third left MobileNetV2's
        cards 2.4 px high under a two-line banner)."""
        content = self.view.scene().content_rect() if self.view.scene() is not None else QRectF()
        vp = self.view.viewport()
        width = min(self.W, vp.width() // 2)
        height = self.H if content.isNull() or len(self.view.scene().node_items) < 20 else \
            round(min(max(width * content.height() / max(content.width(), 1.0), 44), self.H_MAX))
        big = not content.isNull() and len(self.view.scene().node_items) >= 20
        return QSize(width, min(height, vp.height() * 2 // 5 if big and height > self.H else vp.height() // 2))

    def refresh(self) -> None:
        """Show when the network is larger than the view, hide otherwise."""
        scene = self.view.scene()
        content = scene.content_rect()
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        room = self.sizeHint()
        needed = not content.isNull() and not visible.contains(content) and room.width() >= self.MIN_W \
            and room.height() >= self.MIN_H
        if needed != self.isVisible():
            self.setVisible(needed)
            self.view._place_overlays()
        if needed:
            self.view.place_minimap()  # away from the cards a move or an edit brought under it
            self.raise_()
            self.update()

    def _mapping(self):
        content = self.view.scene().content_rect().adjusted(-40, -40, 40, 40)
        inner = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        fit_x, fit_y = inner.width() / content.width(), inner.height() / content.height()
        # a large network fills it, its width stretched at most twice its height's scale (a square network was drawn
        # 1.5 times wider than it is); rows always kept apart
        sx, sy = (min(fit_x, 2 * min(fit_x, fit_y)), fit_y) if len(self.view.scene().node_items) >= 20 else \
            (min(fit_x, fit_y), fit_y)
        ox = inner.left() + (inner.width() - content.width() * sx) / 2
        oy = inner.top() + (inner.height() - content.height() * sy) / 2
        return content, sx, sy, ox, oy

    def paintEvent(self, event):
        scene = self.view.scene()
        if not scene.node_items:
            return
        c = theme.card_colours()
        p = QPainter(self)
        if self.faint:
            p.setOpacity(0.4)  # the cards under it show through
        p.fillRect(self.rect(), c["card"])
        p.setPen(QPen(c["border"], 1))
        p.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        content, sx, sy, ox, oy = self._mapping()

        def to_map(r: QRectF) -> QRectF:
            return QRectF(ox + (r.left() - content.left()) * sx, oy + (r.top() - content.top()) * sy,
                          max(r.width() * sx, 1.5), max(r.height() * sy, 1.5))
        p.setPen(Qt.NoPen)
        for item in scene.node_items.values():
            p.setBrush(theme.category_colour(item.spec.category))
            p.drawRect(to_map(item.card_rect()))
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        p.setPen(QPen(theme.ACCENT, 1.5))
        p.setBrush(Qt.NoBrush)
        p.drawRect(to_map(visible).intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1)))
        p.end()

    def _go(self, pos) -> None:
        content, sx, sy, ox, oy = self._mapping()
        self.view.centerOn(QPointF(content.left() + (pos.x() - ox) / sx, content.top() + (pos.y() - oy) / sy))
        self.update()

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self._dragging = True
            self._go(event.position())

    def mouseMoveEvent(self, event):
        if self._dragging:
            self._go(event.position())

    def mouseReleaseEvent(self, event):
        self._dragging = False
