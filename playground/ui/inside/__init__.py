"""See inside, one explorer per module:

``conv_page`` the lecture's convolution stepped cell by cell, and on a real digit (``digit_lesson``);
``pool_page`` the same for pooling; ``model_view`` a trained model's filters (editable: ``surgery``),
feature maps and activation path (``path``); ``digits`` a pad to draw a digit. ``grid`` and ``figures``
are their shared widgets; ``jobs`` runs their Keras work off the GUI thread, one job at a time.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget

from .conv_page import ConvExplorer
from .digits import DigitPanel, DrawPad
from .grid import GridEditor, StepExplorer
from .jobs import SerialJobs
from .model_view import ModelView
from .pool_page import PoolExplorer


class InsidePanel(QTabWidget):
    """The See inside workspace: four pages over one document. ``train_requested`` asks for the Train
    workspace (an empty state's button)."""

    train_requested = Signal()

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.jobs = SerialJobs(self)
        self.jobs.failed.connect(lambda text: doc.tell(f"See inside: {text}"))
        self.conv = ConvExplorer()
        self.pool = PoolExplorer()
        self.model_view = ModelView(doc, self.jobs)
        self.digits = DigitPanel(doc, self.jobs)
        self.addTab(self.conv, "Convolution")
        self.addTab(self.pool, "Pooling")
        self.addTab(self.model_view, "Inside the trained model")
        self.addTab(self.digits, "Draw a digit")
        for page in (self.model_view, self.digits):
            page.train_requested.connect(self.train_requested)
        self.currentChanged.connect(lambda _: self.refresh())
        doc.trained_changed.connect(self._on_trained_changed)

    def refresh(self) -> None:
        """Bring the page in view up to date with the document (its trained model and weights)."""
        if self.currentWidget() is self.model_view:
            self.model_view.refresh()
        elif self.currentWidget() is self.digits:
            self.digits.refresh()

    def _on_trained_changed(self) -> None:
        if self.isVisible():
            self.refresh()


__all__ = ["InsidePanel", "ConvExplorer", "PoolExplorer", "ModelView", "DigitPanel", "DrawPad", "GridEditor",
           "StepExplorer", "SerialJobs"]
