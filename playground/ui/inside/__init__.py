"""See inside, one explorer per module:

``conv_page`` the lecture's convolution stepped cell by cell, and on a real digit (``digit_lesson``);
``pool_page`` the same for pooling; ``model_view`` a trained model's filters (editable: ``surgery``),
feature maps and activation path (``path``); ``digits`` a pad to draw a digit. ``grid`` and ``figures``
are their shared widgets; ``jobs`` runs their Keras work off the GUI thread, one job at a time.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget

from .jobs import SerialJobs

# The pages' modules load with the pages (on first show), not with the window: ``from .inside import X``
# still works for each name below (module __getattr__).
_LAZY = {"ConvExplorer": "conv_page", "PoolExplorer": "pool_page", "ModelView": "model_view",
         "DigitPanel": "draw_page", "DrawPad": "draw_page", "GridEditor": "grid", "StepExplorer": "grid"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

EMPTY_MODEL = "Train the model to see its filters, feature maps and activation path."


class InsidePanel(QTabWidget):
    """The See inside workspace: four pages over one document. ``train_requested`` asks for the Train
    workspace (an empty state's button)."""

    train_requested = Signal()
    accuracy_measured = Signal()  # the trained model's test accuracy, measured again after a filter edit

    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.jobs = SerialJobs(self)
        self.jobs.failed.connect(lambda text: doc.tell(f"See inside: {text}"))
        self._pages: tuple | None = None  # built on first show (or first use): the window opens without them
        self.currentChanged.connect(lambda _: self.refresh())
        doc.trained_changed.connect(self._on_trained_changed)
        doc.data_allowed.connect(self._on_trained_changed)
        doc.replaced.connect(self._on_replaced)
        self.jobs.failed.connect(self._on_rebuild_failed)
        self.rebuilding: object | None = None  # a token while the model is rebuilt from saved weights

    def _build(self) -> tuple:
        if self._pages is None:
            from .conv_page import ConvExplorer
            from .draw_page import DigitPanel
            from .model_view import ModelView
            from .pool_page import PoolExplorer
            conv, pool = ConvExplorer(), PoolExplorer()
            model_view, digits = ModelView(self.doc, self.jobs), DigitPanel(self.doc, self.jobs)
            self._pages = (conv, pool, model_view, digits)
            # the convolution explorer puts its digit below its grids where both do not fit across (StepExplorer.
            # arrange); grids wider than the window (n = 12, padded) scroll sideways rather than widen it past the
            # user's size or the screen; the tabs stay in view
            wide = QScrollArea()
            wide.setWidget(conv)
            wide.setWidgetResizable(True)
            wide.setFrameShape(QFrame.NoFrame)
            wide.setFocusPolicy(Qt.NoFocus)
            self.blockSignals(True)  # the first page added is not a page change the user made
            for page, title in zip((wide, pool, model_view, digits), ("Convolution", "Pooling",
                                                                     "Inside the trained model", "Draw a digit")):
                self.addTab(page, title)
            self.blockSignals(False)
            for page in (model_view, digits):
                page.train_requested.connect(self.train_requested)
            model_view.accuracy_measured.connect(self.accuracy_measured)
        return self._pages

    # the pages, built when first asked for
    conv = property(lambda self: self._build()[0])
    pool = property(lambda self: self._build()[1])
    model_view = property(lambda self: self._build()[2])
    digits = property(lambda self: self._build()[3])

    def setCurrentWidget(self, page) -> None:
        """A page, or the explorer a page scrolls (``self.conv`` sits in a scroll area)."""
        for i in range(self.count()):
            tab = self.widget(i)
            if tab is page or (isinstance(tab, QScrollArea) and tab.widget() is page):
                self.setCurrentIndex(i)
                return

    def show_page(self, title: str) -> None:
        """The page whose tab says ``title`` (a lesson step names one)."""
        self._build()
        for i in range(self.count()):
            if self.tabText(i) == title:
                self.setCurrentIndex(i)
                return

    def showEvent(self, event):
        self._build()
        super().showEvent(event)

    def refresh(self) -> None:
        """Bring the page in view up to date with the document (its trained model and weights); with no model
        trained in this window but weights saved in the project, rebuild the model first (in the worker)."""
        if self._pages is None:
            return  # nothing built, nothing shown: the first show builds the pages from the document
        if self.currentWidget() is self.model_view:
            self.model_view.refresh()
        elif self.currentWidget() is self.digits:
            self.digits.refresh()
        if self.currentWidget() in (self.model_view, self.digits) and self.doc.trained_model is None:
            self.rebuild()

    def _on_trained_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    # ------------------------------------------------------------ a model from the project's saved weights
    def can_rebuild(self) -> bool:
        """The project holds trained weights and a network that builds: the pages need not wait for training."""
        doc = self.doc
        return any(n.weights for n in doc.graph.nodes.values()) and doc.shapes.first_error() is None

    def rebuild(self) -> bool:
        """Build the Keras model from the stored weights and prepare the project's dataset, in the worker
        (Keras loads then); the pages show a progress note meanwhile. False when there is nothing to rebuild."""
        if self.rebuilding is None:
            if not self.can_rebuild():
                return False
            if not self.doc.may_read_data():  # a path a file named, not read until the user says so
                note = ("The model is rebuilt from the project's saved weights with its data, which has not been "
                        "read yet: press Use this data in Train first.")
                self.model_view.empty.label.setText(note)
                self.digits.status.setText(note)
                return True
            from ...backend.session import rebuild  # plain Python until it runs
            token = self.rebuilding = object()
            training = self.doc.training
            self.jobs.submit("rebuild", rebuild, self.doc.graph.copy(), self.doc.data_path(),
                             training.get("loss", "auto"), self.doc.project.name,
                             on_done=lambda outcome: self._on_rebuilt(outcome, token))
        note = "Rebuilding the model from the project's saved weights (loading Keras and the data)\u2026"
        self.model_view.empty.label.setText(note)
        self.model_view.empty.button.hide()
        self.digits.status.setText(note)
        self.digits.train_btn.hide()
        return True

    def _on_rebuilt(self, outcome, token) -> None:
        if token is not self.rebuilding:  # the project was replaced meanwhile
            return
        self.rebuilding = None
        if self.doc.trained_model is None:
            self.doc.say("Rebuilt the model from the project's saved weights.", 4000)
            self.doc.set_trained(outcome.model, outcome)

    def _on_rebuild_failed(self, message: str) -> None:
        if self.rebuilding is not None:
            self.rebuilding = None
            self._show_empty()
            self.model_view.empty.label.setText(f"The model could not be rebuilt from the saved weights: "
                                                f"{escape(message)}")

    def _on_replaced(self) -> None:
        self.rebuilding = None
        if self._pages is not None:  # pages not built yet start from the new project when first shown
            self._show_empty()

    def _show_empty(self) -> None:
        self.model_view.empty.label.setText(EMPTY_MODEL)
        self.model_view.empty.button.show()
        self.digits.refresh()


__all__ = ["InsidePanel", "ConvExplorer", "PoolExplorer", "ModelView", "DigitPanel", "DrawPad", "GridEditor",
           "StepExplorer", "SerialJobs"]
