"""Draw a digit: a pad drawn with the mouse, turned into a 28x28 digit the way MNIST made its own
(``core.digits``), and the trained model's class probabilities for it, computed in the worker."""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...core.digits import mnist_style
from ..images import array_to_pixmap
from ..theme import GAP, MARGIN, SPACING
from .figure_widgets import Bars, caption_label, title_label
from .jobs import SerialJobs


class DrawPad(QWidget):
    """A 280x280 canvas drawn with the mouse; ``image(size)`` gives it MNIST-style (white on black)."""

    def __init__(self, on_change):
        super().__init__()
        self.on_change = on_change
        self.setFixedSize(280, 280)
        self.canvas = QImage(280, 280, QImage.Format_Grayscale8)
        self.canvas.fill(0)
        self.last: QPointF | None = None
        self.setCursor(Qt.CrossCursor)

    def clear(self) -> None:
        self.canvas.fill(0)
        self.update()
        self.on_change()

    def draw_line(self, a: QPointF, b: QPointF) -> None:
        p = QPainter(self.canvas)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor(255, 255, 255), 22, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        p.drawLine(a, b)
        p.end()
        self.update()

    def mousePressEvent(self, event):
        self.last = event.position()
        self.draw_line(self.last, self.last)

    def mouseMoveEvent(self, event):
        if self.last is not None:
            self.draw_line(self.last, event.position())
            self.last = event.position()

    def mouseReleaseEvent(self, event):
        self.last = None
        self.on_change()

    def paintEvent(self, event):
        p = QPainter(self)
        p.drawImage(0, 0, self.canvas)
        p.setPen(QColor(90, 90, 90))
        p.drawRect(0, 0, 279, 279)

    def array(self) -> np.ndarray:
        ptr = self.canvas.constBits()
        a = np.frombuffer(ptr, dtype=np.uint8, count=self.canvas.bytesPerLine() * 280)
        return a.reshape(280, self.canvas.bytesPerLine())[:, :280].astype(np.float64) / 255.0

    def image(self, side: int = 28) -> np.ndarray:
        """The drawing as MNIST does it: the ink's bounding box scaled into 20x20, centred by mass in 28x28."""
        return mnist_style(self.array(), side)


def predict_one(model, x: np.ndarray) -> np.ndarray:
    """Worker-side: class probabilities for one drawn digit."""
    from ...backend import probes
    return probes.predict_one(model, x)


class DigitPanel(QWidget):
    """The pad, what the model sees (28x28), and a bar per class; predictions run in the worker."""

    train_requested = Signal()

    def __init__(self, doc, jobs: SerialJobs):
        super().__init__()
        self.doc, self.jobs = doc, jobs
        self.pad = DrawPad(self.predict)
        self.preview = QLabel()
        self.preview.setFixedSize(112, 112)
        self.preview.setPixmap(array_to_pixmap(np.zeros((28, 28)), 112))
        self.clear_btn = QPushButton("Clear")
        self.clear_btn.clicked.connect(self.pad.clear)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.train_btn = QPushButton("Go to Train")
        self.train_btn.clicked.connect(self.train_requested)
        self.train_btn.hide()
        self.bars = Bars(np.zeros(10), [str(i) for i in range(10)], height=220, limits=(0.0, 1.0))
        self.bars.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.probabilities: np.ndarray | None = None
        left = QVBoxLayout()
        left.setSpacing(SPACING)
        left.addWidget(title_label("Draw a digit"))
        left.addWidget(caption_label("White on black, like MNIST; release the mouse to ask the model."))
        left.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(self.clear_btn)
        row.addStretch(1)
        left.addLayout(row)
        left.addStretch(1)
        seen = QVBoxLayout()
        seen.setSpacing(SPACING)
        seen.addWidget(title_label("What the model sees"))
        seen.addWidget(caption_label("Scaled into 20x20, centred by mass in 28x28, as MNIST did."))
        seen.addWidget(self.preview)
        seen.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(SPACING)
        right.addWidget(title_label("Class probabilities"))
        right.addWidget(self.status)
        right.addWidget(self.train_btn, 0, Qt.AlignLeft)
        right.addWidget(self.bars, 1)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        lay.setSpacing(GAP * 2)
        lay.addLayout(left)
        lay.addLayout(seen)
        lay.addLayout(right, 1)
        self.refresh()

    def refresh(self) -> None:
        """Say what to do when there is no model yet."""
        if self.doc.trained_model is None:
            self.status.setText("Train the digit model to see what it thinks you drew.")
            self.train_btn.show()
        else:
            self.train_btn.hide()
            if (why := self._not_for_the_pad()) is not None:  # said before anything is drawn (it was after)
                self.status.setText(why)
            elif self.probabilities is None:
                self.status.setText("Draw a digit on the pad.")

    def _not_for_the_pad(self) -> str | None:
        """Why the trained model cannot read the pad's drawing (an image folder's colour model), or None."""
        from ...backend import probes  # plain Python; Keras is only used inside its functions
        shape = probes.input_shape(self.doc.trained_model)
        side = shape[0] if len(shape) == 3 else int(round(np.sqrt(shape[0])))
        if side * side * (shape[-1] if len(shape) == 3 else 1) == int(np.prod(shape)) and \
                (len(shape) != 3 or shape[-1] == 1):
            return None
        return (f"The trained model takes {'x'.join(map(str, shape))} inputs; the pad draws grey square digits, "
                f"for a model of 28x28x1 or 784 inputs (the digit presets).")

    def predict(self) -> None:
        """Ask the model (in the worker) about the drawing; the bars and ``probabilities`` follow."""
        model = self.doc.trained_model
        self.refresh()
        if model is None:
            return
        from ...backend import probes  # plain Python; Keras is only used inside its functions
        shape = probes.input_shape(model)
        side = shape[0] if len(shape) == 3 else int(round(np.sqrt(shape[0])))
        if self._not_for_the_pad() is not None:
            return  # (refresh said why)
        img = self.pad.image(side)
        self.preview.setPixmap(array_to_pixmap(img, 112))
        if not np.any(img):  # a blank pad (Clear): nothing drawn, nothing predicted (it said "Prediction: 1")
            self.probabilities = None
            self.bars.set_values(np.zeros(len(self.bars.values)), None)
            self.status.setText("Draw a digit on the pad.")
            return
        self.jobs.submit("predict", predict_one, model, img.reshape(shape), on_done=self._on_predicted)

    def _on_predicted(self, probs: np.ndarray) -> None:
        if not np.any(self.pad.image()):  # cleared while the worker answered
            return
        self.probabilities = probs
        outcome = self.doc.trained_outcome
        names = list(outcome.data.class_names) if outcome is not None else []
        labels = names if len(names) == len(probs) else [str(i) for i in range(len(probs))]
        self.bars.set_values(probs, labels)
        best = int(np.argmax(probs))
        self.status.setText(f"Prediction: <b>{escape(str(labels[best]))}</b> ({probs[best]:.0%}).")
