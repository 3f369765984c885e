"""Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) mean the document's undo and redo wherever the cursor is.

A QLineEdit (and the line inside a spin box or an editable combo box) claims the undo keys for its own
typing history. In this app every typed value is already an undo step on the document's stack (or
becomes one when the field is committed), so that private history only hides the real one: press
Ctrl+Z right after typing a weight and nothing seemed to happen, or the field's undo fed a value back
that ate a step (issue 24, items 3 and 4). The filter commits the focused field the way leaving it
would, then undoes or redoes on the document's stack.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit

UNDO_KEYS = (QKeySequence("Ctrl+Z"),)
REDO_KEYS = (QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))


def _sequence(event) -> QKeySequence:
    return QKeySequence(event.keyCombination())


def commit_field(widget) -> None:
    """Commit what is typed in ``widget`` as leaving it would (spin boxes read their text, line edits
    announce ``editingFinished``, whose slots compare with the model and push only a change)."""
    if isinstance(widget, QAbstractSpinBox):
        widget.interpretText()
    elif isinstance(widget, QComboBox) and widget.isEditable() and widget.lineEdit() is not None:
        widget.lineEdit().editingFinished.emit()
    elif isinstance(widget, QLineEdit) and not widget.isReadOnly():
        widget.editingFinished.emit()


class DocumentUndoKeys(QObject):
    """Installed on each field as it takes the focus; acts only on fields in the top-level widget ``root`` and
    routes the undo keys to the document's undo and redo (its one undo stack, and a step under way)."""

    def __init__(self, root, doc):
        super().__init__(root)
        self.root, self.doc = root, doc  # doc.undo and doc.redo: the stack's, a step under way first

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind not in (QEvent.ShortcutOverride, QEvent.KeyPress) or \
                not isinstance(obj, QLineEdit | QAbstractSpinBox | QComboBox):
            return False
        seq = _sequence(event)
        undo = any(seq.matches(k) == QKeySequence.ExactMatch for k in UNDO_KEYS)
        redo = any(seq.matches(k) == QKeySequence.ExactMatch for k in REDO_KEYS)
        if not (undo or redo) or obj.window() is not self.root:
            return False
        if kind == QEvent.KeyPress:
            return True  # handled at the ShortcutOverride: the field's own undo never runs
        field = obj
        if isinstance(obj, QLineEdit) and isinstance(obj.parent(), QAbstractSpinBox | QComboBox):
            field = obj.parent()
        discard = field.property("discard")
        if undo and callable(discard):  # a refused entry (red, its reason beside it): Ctrl+Z takes the entry back
            discard()  # (it changed nothing: the step before it stays; before, Ctrl+Z undid that step instead)
            event.accept()
            return True
        if self.doc.undo_claim is None:  # while Learn instead runs, what is typed stays typed: Ctrl+Z undoes the
            commit_field(field)  # run, and Enter then commits the typing (committed, it stopped the run first)
        if undo:
            self.doc.undo()
        else:
            self.doc.redo()
        event.accept()  # taken: neither the field's own history nor a second trigger through the shortcut
        return True

    def install(self) -> None:
        """Filter the focused field's events only, from now on: an application-wide filter ran Python for every
        event of the GUI thread (about 2,000 a second while training: 1-2 % of a training run's CPU on 2 cores,
        benchmarks/training_overhead.py). The keys go to the focused widget first, so that is where to look."""
        app = QApplication.instance()
        app.focusChanged.connect(self._on_focus)
        self._on_focus(None, app.focusWidget())

    def _on_focus(self, _old, now) -> None:
        if now is None or not isinstance(now, QLineEdit | QAbstractSpinBox | QComboBox):
            return
        # the field and the line edit inside a spin box or an editable combo box (either may hold the focus)
        for widget in (now, getattr(now, "lineEdit", lambda: None)(), now.parent()):
            if isinstance(widget, QLineEdit | QAbstractSpinBox | QComboBox):
                widget.installEventFilter(self)  # installing twice keeps one filter

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            try:
                app.focusChanged.disconnect(self._on_focus)
            except (RuntimeError, TypeError):
                pass
