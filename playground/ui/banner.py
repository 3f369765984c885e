"""An inline message above the canvas: errors in red, notes in blue; never a modal traceback."""

from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton

_LONG_WORD = re.compile(r"\S{41,}")


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 40 characters of a long run without spaces (a file name, a path, a
    number from a file), where Qt's word wrap may break it. Unbroken, such a run is one word: a label asks for
    its whole width, and the window grew with it (3,144 px for a 250-character file name)."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(m.group()[i:i + 40] for i in range(0, len(m.group()), 40)), text)



class WrappingLabel(QLabel):
    """A word-wrapped plain-text label that may break a long run without spaces (``breakable``) on screen;
    ``text()`` gives back the text as it was set, without the break points."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._text = ""
        self.setWordWrap(True)
        self.setTextFormat(Qt.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._text = text
        super().setText(breakable(text))

    def text(self) -> str:
        return self._text


class Banner(QFrame):
    """Shows the document's messages; plain text only, so nothing in a message is eaten as markup."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = WrappingLabel()
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton(text="\u2715")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)  # dismissed: not brought back by a redo
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.kind = ""
        self._at: int | None = None  # the undo stack's index after the step a note is about
        self._about: frozenset[str] = frozenset()  # the layers it describes
        self._undone: tuple | None = None  # (text, at, about, the step: _step): a note its undo took away
        self.hide()

    def follow(self, doc) -> None:
        """Show ``doc``'s messages; a note on an undo step (``tell(..., step=True)``) goes when that step is undone
        (a drive undid a new head and the banner went on describing it); any other stays."""
        self._doc = doc
        doc.message.connect(self.show_message)
        doc.stack.indexChanged.connect(self._on_step)

    def _on_step(self, index: int) -> None:
        """A note on a step goes once the step is undone, or a layer it describes is gone (a drive deleted the
        layer a note described, and the note stayed); a later step leaves it (its advice: train on your images)."""
        if not (shiboken6.isValid(self) and shiboken6.isValid(self._doc.stack)):  # (a window closing)
            return
        if self._undone is not None and index == self._undone[1] and self._same(self._step(index), self._undone[3]) \
                and self._undone[2] <= set(self._doc.graph.nodes):  # redone: the step's note comes back with it
            text, self._at, self._about, _ = self._undone
            self._undone = None
            self._show(text, "info")
            return
        if self.kind != "info" or self._at is None:
            return
        if index < self._at:
            undone = (self.label.text(), self._at, self._about, self._step(self._at))
            self.clear()
            self._undone = undone
        elif not self._about <= set(self._doc.graph.nodes):
            self.clear()

    def _step(self, index: int):
        """The undo step that ``index`` follows, as something to tell it by later: the same step redone, not another
        pushed at the same place after the undo (its wrapper, alive, and its text; an address alone may be reused)."""
        cmd = self._doc.stack.command(index - 1) if index > 0 else None
        return None if cmd is None else (cmd, cmd.text())

    @staticmethod
    def _same(a, b) -> bool:
        return a is not None and b is not None and a[0] is b[0] and shiboken6.isValid(a[0]) and a[1] == b[1]

    def show_message(self, text: str, kind: str = "error") -> None:
        doc = getattr(self, "_doc", None)
        self._at, self._about = getattr(doc, "note_step", None), getattr(doc, "note_about", frozenset())
        self._undone = None
        self._show(text, kind)

    def _show(self, text: str, kind: str) -> None:
        self.kind = kind
        bg, fg = ("#FDECEA", "#8A1F1B") if kind == "error" else ("#E8F0FE", "#1A3E8C")
        self.setStyleSheet(f"Banner {{ background: {bg}; border-radius: 6px; }} QLabel {{ color: {fg}; }}")
        self.label.setText(text)
        self.show()

    def clear(self) -> None:
        self.label.setText("")
        self.kind, self._undone = "", None
        self.hide()
