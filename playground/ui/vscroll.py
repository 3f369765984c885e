"""A panel that scrolls up and down, never sideways, and never squeezes what it holds below its own height; and
a tab widget's Enlarge button, which gives the tabs the whole panel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QFrame, QScrollArea, QTabWidget,
                               QToolButton, QWidget)


class MinimumHeightWidget(QWidget):
    """Contents for ``vertical_scroll``. It asks for its minimum height, not the taller height its word-wrapped
    labels would like at its width: QScrollArea gives a widget whose layout has height-for-width that taller
    height, and scrolls it, even where the panel fits."""

    def heightForWidth(self, width: int) -> int:
        return -1


class _WheelToScroll(QObject):
    """The wheel over a spin box or a list that does not have the keyboard scrolls the panel: a field passing
    under the pointer never takes the turn (one notch changed a batch size). With the keyboard, it turns it."""

    def __init__(self, scroll: QScrollArea):
        super().__init__(scroll)
        self.scroll = scroll

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Wheel and not obj.hasFocus():
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return False


class _KeepWidth(QObject):
    """The content's width never depends on whether the scroll bar shows: it is the area's width less the bar's,
    always. Word-wrapped labels are taller when narrower, so a content just taller than the panel with the bar
    (narrower) and just shorter without it (wider) made the bar come and go without end, each turn a resize inside
    the last, until the stack ran out: the app died (a lesson's Train panel at 1280x720, four runs in four)."""

    def __init__(self, scroll: QScrollArea, content: QWidget):
        super().__init__(scroll)
        self.scroll, self.content = scroll, content

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Resize:
            bar = self.scroll.verticalScrollBar().sizeHint().width()  # (as TrainPanel.minimumSizeHint counts it)
            self.content.setMaximumWidth(max(1, obj.width() - 2 * self.scroll.frameWidth() - bar))
        return False


def vertical_scroll(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: as wide as the area, as high as the area or its own minimum, whichever
    is more (and then it scrolls). Its spin boxes and lists take the wheel only when they have the keyboard."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.installEventFilter(_KeepWidth(scroll, content))
    wheel = _WheelToScroll(scroll)
    for field in content.findChildren(QAbstractSpinBox) + content.findChildren(QComboBox):
        field.setFocusPolicy(Qt.StrongFocus)  # a wheel turn no longer gives it the keyboard
        field.installEventFilter(wheel)
    return scroll


def enlarge_button(tabs: QTabWidget, above: list[QWidget], what: str) -> QToolButton:
    """A checkable button in ``tabs``' corner that hides the boxes ``above`` (``what``, in words) while it is down: at
    1280x720 the Train panel's tabs had about 200 px under its boxes, three rows of a confusion matrix (a new user's
    drive)."""
    button = QToolButton(text="Enlarge")
    button.setCheckable(True)
    button.setToolTip(f"Give the tabs more of the panel: hides {what}; press again to bring them back")

    def toggled(on: bool) -> None:
        for box in above:
            box.setVisible(not on)
        button.setText("Restore" if on else "Enlarge")
    button.toggled.connect(toggled)
    tabs.setCornerWidget(button, Qt.TopRightCorner)
    return button
