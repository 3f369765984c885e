"""Where the Lessons panel lives in the window: a dock beside the canvas (never floating over it), Help > Lessons
(F1), and the one-line first-start offer above the canvas, dismissed for good in QSettings (and gone for the
session once the user's first change is made)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

OFFER_KEY = "lessons/offer_dismissed"


class LessonOffer(QFrame):
    """The one-line first-start offer above the canvas; dismissing it is remembered for good."""

    def __init__(self, settings, on_open, parent=None):
        super().__init__(parent)
        self.settings = settings
        # a tint of the palette's own colours, not a style sheet: under one the button below was drawn light
        # in the dark theme (a style sheet on a parent takes its children out of the palette's hands)
        self.setAutoFillBackground(True)
        tint = self.palette()
        tint.setColor(QPalette.Window, QColor(61, 123, 242, 31))
        self.setPalette(tint)
        text = QLabel("New here? The lessons walk you through the lectures step by step, checking what you build.")
        text.setWordWrap(True)
        self.open_btn = QPushButton("Open the lessons")
        self.open_btn.clicked.connect(lambda: (self.dismiss(), on_open()))
        self.close_btn = QToolButton(text="\u2715")
        self.close_btn.setAutoRaise(True)
        self.close_btn.setToolTip("Don't offer again (Help \u2192 Lessons opens them any time)")
        self.close_btn.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 4, 4)
        lay.addWidget(text, 1)
        lay.addWidget(self.open_btn)
        lay.addWidget(self.close_btn)
        seen = settings.value(OFFER_KEY, False)  # an .ini file gives back the text "true"
        self.setVisible(not (seen is True or str(seen).lower() == "true"))

    def step_aside(self, changed: bool) -> None:
        if changed:
            self.hide()

    def dismiss(self) -> None:
        self.settings.setValue(OFFER_KEY, True)
        self.hide()


def install(w) -> None:
    """Add the Lessons dock (right of the central area), Help > Lessons and the first-start offer to window ``w``."""
    def extra():
        inside = getattr(w, "inside_panel", None)
        mv = getattr(inside, "model_view", None)
        now = getattr(mv, "accuracy", None)
        outcome = w.doc.trained_outcome
        was = outcome.result.test_accuracy if outcome is not None else None
        return {"filter_accuracy": (was, now) if now is not None else None}

    def make_room() -> None:
        """With the dock open on a narrow screen, the canvas keeps a readable width: the side panels give."""
        if not dock.isVisible() or w.workspace in ("See inside", "Train"):
            return
        sizes = w.hsplit.sizes()
        total = sum(sizes)
        if total >= 1100:
            return
        palette = min(sizes[0], 140)
        right = min(sizes[2], int(total * 0.45))
        w.hsplit.setSizes([palette, total - palette - right, right])
        QTimer.singleShot(0, w.view.fit_all)  # the canvas changed size: the whole network again

    def keep_width(width: int) -> None:
        """Showing the dock makes room by narrowing the central area, never by widening the window past what the
        user had (Qt grows a window to fit its central area's size hint: at 1280x720 in Train, to 1344 px)."""
        if w.isMaximized() or w.isFullScreen() or w.width() <= width:
            return
        w.centralWidget().updateGeometry()
        w.layout().invalidate()
        w.layout().activate()  # the window's minimum with the dock in, now, not after the next layout pass
        w.resize(max(width, w.minimumSizeHint().width()), w.height())

    def switch(name: str, page: str | None = None) -> None:
        w.set_workspace(name)
        if page is not None:  # a See inside page (core.lessons.INSIDE_PAGES: the panel's tab titles)
            w.inside_panel.show_page(page)
        make_room()

    dock = w.lessons_dock = QDockWidget("Lessons", w)
    dock.setObjectName("lessons")
    dock.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable)  # never floats over the canvas
    dock.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
    w.addDockWidget(Qt.RightDockWidgetArea, dock)

    def built_panel():
        """The Lessons panel (``w.lessons_panel``), made when the lessons are first opened: the window opens
        without it. Progress lives in the settings, so the panel made now shows it all."""
        if dock.widget() is None:
            from .lessons_panel import LessonsPanel
            w.lessons_panel = LessonsPanel(w.doc, w.settings, w.files, switch, extra)
            w.lessons_panel.setMinimumWidth(300)
            dock.setWidget(w.lessons_panel)
            # a step about a filter edit is checked when the new accuracy arrives, not at the next Check (lesson 5
            # said "No filter differs from the trained ones yet" after Zero had moved the accuracy)
            w.inside_panel.accuracy_measured.connect(w.lessons_panel.recheck)
        return w.lessons_panel

    dock.hide()
    dock.visibilityChanged.connect(lambda shown: None if shown else w.doc.mask(()))  # closed: every size shows

    def open_lessons():
        if w.lesson_offer.isVisible():
            w.lesson_offer.dismiss()  # found them: the offer has done its work
        panel = built_panel()
        panel.ensure_loaded()
        width = w.width()
        dock.show()
        dock.raise_()
        keep_width(width)
        make_room()
        if panel.list.currentRow() < 0 and panel.lessons:
            panel.list.setCurrentRow(0)
        panel.list.setFocus()

    w.open_lessons = open_lessons
    help_menu = next(a.menu() for a in w.menuBar().actions() if a.menu() and a.text() == "&Help")
    act = w.lessons_action = help_menu.addAction("&Lessons")
    act.setShortcut("F1")
    act.setStatusTip("Guided exercises from the lectures that check what you build")
    act.triggered.connect(open_lessons)
    help_menu.insertAction(help_menu.actions()[0], act)
    offer = w.lesson_offer = LessonOffer(w.settings, open_lessons)
    box = w.banner.parentWidget().layout()
    box.insertWidget(0, offer)
    # the user's first change: they have seen it, and are building; gone for this session (offered at the next
    # start until dismissed), not 45 px of a 720 px screen for the whole of it
    w.doc.stack.canUndoChanged.connect(offer.step_aside)
