"""A panel that scrolls up and down, never sideways, and never squeezes what it holds below its own height."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QFrame, QScrollArea, QWidget


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


def vertical_scroll(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: as wide as the area, as high as the area or its own minimum, whichever
    is more (and then it scrolls). Its spin boxes and lists take the wheel only when they have the keyboard."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    wheel = _WheelToScroll(scroll)
    for field in content.findChildren(QAbstractSpinBox) + content.findChildren(QComboBox):
        field.setFocusPolicy(Qt.StrongFocus)  # a wheel turn no longer gives it the keyboard
        field.installEventFilter(wheel)
    return scroll
