"""A panel that scrolls up and down, never sideways, and never squeezes what it holds below its own height."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class MinimumHeightWidget(QWidget):
    """Contents for ``vertical_scroll``. It asks for its minimum height, not the taller height its word-wrapped
    labels would like at its width: QScrollArea gives a widget whose layout has height-for-width that taller
    height, and scrolls it, even where the panel fits."""

    def heightForWidth(self, width: int) -> int:
        return -1


def vertical_scroll(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: as wide as the area, as high as the area or its own minimum, whichever
    is more (and then it scrolls)."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return scroll
