"""See inside, one explorer per module:

``conv_page`` the lecture's convolution stepped cell by cell, and on a real digit (``digit_lesson``);
``pool_page`` the same for pooling; ``model_view`` a trained model's filters (editable: ``surgery``),
feature maps and activation path (``path``); ``digits`` a pad to draw a digit. ``grid`` and ``figures``
are their shared widgets; ``jobs`` runs their Keras work off the GUI thread, one job at a time.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget

from .jobs import SerialJobs

# The pages' modules load with the pages (on first show), not with the window: ``from .inside import X``
# still works for each name below (module __getattr__).
_LAZY = {"ConvExplorer": "conv_page", "PoolExplorer": "pool_page", "ModelView": "model_view",
         "DigitPanel": "digits", "DrawPad": "digits", "GridEditor": "grid", "StepExplorer": "grid"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class InsidePanel(QTabWidget):
    """The See inside workspace: four pages over one document. ``train_requested`` asks for the Train
    workspace (an empty state's button)."""

    train_requested = Signal()

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.jobs = SerialJobs(self)
        self.jobs.failed.connect(lambda text: doc.tell(f"See inside: {text}"))
        self._pages: tuple | None = None  # built on first show (or first use): the window opens without them
        self.currentChanged.connect(lambda _: self.refresh())
        doc.trained_changed.connect(self._on_trained_changed)

    def _build(self) -> tuple:
        if self._pages is None:
            from .conv_page import ConvExplorer
            from .digits import DigitPanel
            from .model_view import ModelView
            from .pool_page import PoolExplorer
            conv, pool = ConvExplorer(), PoolExplorer()
            model_view, digits = ModelView(self.doc, self.jobs), DigitPanel(self.doc, self.jobs)
            self._pages = (conv, pool, model_view, digits)
            self.blockSignals(True)  # the first page added is not a page change the user made
            for page, title in zip(self._pages, ("Convolution", "Pooling", "Inside the trained model",
                                                 "Draw a digit")):
                self.addTab(page, title)
            self.blockSignals(False)
            for page in (model_view, digits):
                page.train_requested.connect(self.train_requested)
        return self._pages

    # the pages, built when first asked for
    conv = property(lambda self: self._build()[0])
    pool = property(lambda self: self._build()[1])
    model_view = property(lambda self: self._build()[2])
    digits = property(lambda self: self._build()[3])

    def showEvent(self, event):
        self._build()
        super().showEvent(event)

    def refresh(self) -> None:
        """Bring the page in view up to date with the document (its trained model and weights)."""
        if self._pages is None:
            return  # nothing built, nothing shown: the first show builds the pages from the document
        if self.currentWidget() is self.model_view:
            self.model_view.refresh()
        elif self.currentWidget() is self.digits:
            self.digits.refresh()

    def _on_trained_changed(self) -> None:
        if self.isVisible():
            self.refresh()


__all__ = ["InsidePanel", "ConvExplorer", "PoolExplorer", "ModelView", "DigitPanel", "DrawPad", "GridEditor",
           "StepExplorer", "SerialJobs"]
