"""Spin boxes that show what was typed.

A QSpinBox's validator drops a keystroke it cannot use, without a word: "2.5" typed into a whole-number field
became 25, "abc" left the old value, 99999999999 was cut to 999999999, and a QDoubleSpinBox rounded 0.00001 to
0.0000. These boxes keep every keystroke: a text that is a number the box holds is its value as before; any other
text stays in the field as typed, ``refused`` is emitted with it, and leaving the field keeps it there (the owner
says why beside it) instead of quietly putting the old number back.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QSpinBox


def whole_number_problem(name: str, text: str) -> str:
    """Why ``text`` is not a whole number for the field ``name`` (its words, not its Keras name)."""
    t = text.strip()
    try:
        float(t)
    except ValueError:
        return f"{name} must be a whole number. Received {t!r}." if t else f"{name} needs a whole number."
    return f"{name} must be a whole number, not {t}."


def whole_number(text: str) -> int | None:
    """The whole number ``text`` means (1e3 and 2.0 are whole numbers too, of any size), or None."""
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    try:
        value = float(t)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


def number_problem(name: str, text: str) -> str:
    t = text.strip()
    return f"{name} must be a number. Received {t!r}." if t else f"{name} needs a number."


class _SpaceToWindow:
    """A space is never part of a number: Space is left to the window's shortcuts (the Train panel's Pause), which a
    line edit's claim on every printable key kept from it while a number field had the focus, and types nothing."""

    def event(self, event) -> bool:
        if event.type() == QEvent.ShortcutOverride and event.key() == Qt.Key_Space and not event.modifiers():
            event.ignore()
            return False
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.modifiers():
            event.ignore()
            return
        super().keyPressEvent(event)


class _Typed(_SpaceToWindow):
    """What both boxes share: the text is kept whatever it is; ``refused`` names a text that is not a value."""

    def _parse(self, text: str):  # the value the text means, or None
        raise NotImplementedError

    def holds(self, text: str) -> bool:
        value = self._parse(text)
        return value is not None and self.minimum() <= value <= self.maximum()

    def validate(self, text: str, pos: int):
        return (QValidator.Acceptable if self.holds(text) else QValidator.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return text  # (the base class would put the last value back)

    _refusing = False
    _marked = False  # red for its owner's reason (the inspector: the layer's error names this field)

    @property
    def refusing(self) -> bool:
        """The text shown is one the box refused (what loads a value leaves such a text alone); the box is red
        while it is (the Train settings said so only in a message under the form), or while its owner marks it."""
        return self._refusing

    @refusing.setter
    def refusing(self, on: bool) -> None:
        self._refusing = on
        self._paint()

    def set_marked(self, on: bool) -> None:
        self._marked = on
        self._paint()

    def _paint(self) -> None:
        from .weight_grid import RED_FILL  # noqa: PLC0415 - inside the frame: see weight_grid.mark_red
        self.lineEdit().setStyleSheet(RED_FILL if self._refusing or self._marked else "")

    def _edited(self, text: str) -> None:
        self.refusing = not self.holds(text)
        if self.refusing:
            self.refused.emit(text)
        else:
            self.setProperty("discard", None)  # nothing refused now: Ctrl+Z is the document's undo again

    def show_value(self, value) -> None:
        """Show ``value`` (the model's), replacing a refused text."""
        self.refusing = False
        self.setProperty("discard", None)
        self.setValue(value)
        self.lineEdit().setText(self.textFromValue(value))

    def keyPressEvent(self, event) -> None:
        """Enter on a text the box refuses is Tab's end of the edit, not Qt's: Qt put back the last number the
        keystrokes made and took it ("1e3" gave 1 filter, "2.5" gave 2, "0x10" 0). Space: _SpaceToWindow."""
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not self.holds(self.lineEdit().text()):
            event.accept()
            self.editingFinished.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        text = self.lineEdit().text()
        kept = not self.holds(text)
        super().focusOutEvent(event)  # (commits a text it holds; puts the value's text back otherwise)
        if kept and self.lineEdit().text() != text:
            self.lineEdit().blockSignals(True)
            self.lineEdit().setText(text)
            self.lineEdit().blockSignals(False)


class IntBox(_Typed, QSpinBox):
    refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lineEdit().textEdited.connect(self._edited)

    def _parse(self, text: str):
        return whole_number(text)

    def valueFromText(self, text: str) -> int:
        value = self._parse(text)
        return self.value() if value is None else value


class FloatBox(_Typed, QDoubleSpinBox):
    """A number as typed (0.00001 stays 0.00001), shown in its shortest form."""

    refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(12)  # Qt rounds a value to this many decimals
        self.lineEdit().textEdited.connect(self._edited)

    def _parse(self, text: str):
        try:
            value = float(text.strip())
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    def valueFromText(self, text: str) -> float:
        value = self._parse(text)
        return self.value() if value is None else value

    def textFromValue(self, value: float) -> str:
        return f"{value:.10g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.6g}"


class NumberLine(_SpaceToWindow, QLineEdit):
    """A line edit for a number (the learning rate): Space pauses, as in the boxes above (a drive's Space there
    typed "0.004 " instead of pausing the run)."""
