"""Escape in a field puts back what was typed there first; only a field with nothing to put back leaves Escape to
the window, whose Escape is Stop. Each field commits as it is typed (one undo step a visit), so "what was typed" is
the value the field's visit began with: a drive's Escape in the seed field with 123 typed, and in a Dense's units
with 16 typed, stopped the run and kept the typing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt


class PutBackOnEscape(QObject):
    """An event filter for a form's fields. ``key_of(widget)``: the field's key, or None; ``typed(key)``: whether the
    field holds typing of this visit (or a refused entry); ``put_back(key)``: back to the visit's first value."""

    def __init__(self, parent, key_of, typed, put_back):
        super().__init__(parent)
        self.key_of, self.typed, self.put_back = key_of, typed, put_back

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) and event.key() == Qt.Key_Escape and \
                not event.modifiers() and (key := self.key_of(obj)) is not None and self.typed(key):
            if event.type() == QEvent.KeyPress:
                self.put_back(key)
            event.accept()
            return True
        return super().eventFilter(obj, event)
