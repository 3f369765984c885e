"""The canvas view: zoom with the wheel, pan with the middle button (or Space + drag), rubber-band
selection, drops from the palette, and an empty state that teaches."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView

from .. import theme

MIME_LAYER = "application/x-playground-layer"


class GraphView(QGraphicsView):
    layer_dropped = Signal(str, QPointF)  # layer kind, scene position

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._panning = None
        self.empty_text = "Drag a layer here from the palette,\nor start from a preset: File \u2192 New from preset (Ctrl+Shift+N)"

    # zoom and pan
    def wheelEvent(self, event):
        factor = 1.0015 ** event.angleDelta().y()
        current = self.transform().m11()
        factor = max(0.15 / current, min(factor, 3.0 / current))
        self.scale(factor, factor)

    def zoom_by(self, factor: float) -> None:
        self.scale(factor, factor)

    def fit_all(self) -> None:
        items = QRectF()
        for item in self.scene().node_items.values():  # edges' padded bounds would shrink the fit
            items = items.united(item.sceneBoundingRect())
        if items.isNull():
            self.resetTransform()
            return
        self.fitInView(items.adjusted(-30, -30, 30, 30), Qt.KeepAspectRatio)
        if self.transform().m11() > 1.25:  # never blow small graphs up past 125%
            self.resetTransform()
            self.scale(1.25, 1.25)
            self.centerOn(items.center())

    def mousePressEvent(self, event):
        if event.button() == Qt.MiddleButton:
            self._panning = event.position()
            self.setCursor(Qt.ClosedHandCursor)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._panning is not None and event.button() == Qt.MiddleButton:
            self._panning = None
            self.unsetCursor()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape and self.scene().cancel_edge_drag():
            return
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.ScrollHandDrag)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.RubberBandDrag)
        super().keyReleaseEvent(event)

    # drops from the palette
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if event.mimeData().hasFormat(MIME_LAYER):
            kind = bytes(event.mimeData().data(MIME_LAYER)).decode()
            self.layer_dropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # background and empty state
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        c = theme.card_colours()
        painter.fillRect(rect, c["canvas"])
        step = 24
        painter.setPen(QPen(c["grid"], 1.6))
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        if self.transform().m11() > 0.5:
            points = [QPointF(x, y) for x in range(left, int(rect.right()), step)
                      for y in range(top, int(rect.bottom()), step)]
            painter.drawPoints(points)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if self.scene().node_items:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(theme.card_colours()["muted"])
        painter.setFont(theme.ui_font(12))
        painter.drawText(self.viewport().rect(), Qt.AlignCenter, self.empty_text)
        painter.restore()
