"""The data box's list of datasets, and what it asks of a dataset's path without reading it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox

FOLDER, FILE = "__folder__", "__file__"  # the list's two "your own" entries
CHOSEN_KEPT = 50  # the user's own dataset paths remembered across sessions (read without asking)


def consent_key(path: str) -> str:
    """A dataset path as the user's choice of it is kept: the real path the system reads for it, links followed as
    the loader follows them. A relative "data.npz" typed in one folder is not another folder's; a project's
    "chosen/link/../pets" is the folder the link leads beside, not "chosen/pets" (abspath took the ".." away as text,
    and a hostile sweep read a folder never chosen); "~" is a folder named so, as the loader reads it."""
    try:
        return os.path.realpath(path)
    except (ValueError, OSError):  # (a NUL in a file's text)
        return path


def chosen_data(settings) -> list[str]:
    """The dataset paths the user chose in the app (typed, picked, or allowed), as the window's settings keep
    them: a project naming one of them is read without asking (``Document.may_read_data``)."""
    try:
        chosen = json.loads(settings.value("data_chosen", "[]")) if settings is not None else []
    except (TypeError, ValueError):
        return []
    return [consent_key(p) for p in chosen if isinstance(p, str)] if isinstance(chosen, list) else []  # (kept by an
    # older version as text: keyed as the checks key them now)


def remember_chosen(settings, path: str) -> None:
    if settings is not None:
        path = consent_key(path)
        chosen = [p for p in chosen_data(settings) if p != path][-(CHOSEN_KEPT - 1):] + [path]
        settings.setValue("data_chosen", json.dumps(chosen))


class DataList(QComboBox):
    """The Data list. Arrow keys and the wheel on the closed list move through it as in any list, and say so
    (``keyed``): passing "Your own image folder..." on the way to "Your own file..." must not open a dialog (it
    did, twice). Enter on one of those two entries opens its dialog (``own_chosen``)."""
    own_chosen = Signal(str)  # FOLDER or FILE

    def __init__(self):
        super().__init__()
        self.keyed = False

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.currentData() in (FOLDER, FILE):
            event.accept()
            self.own_chosen.emit(self.currentData())
            return
        self.keyed = True
        try:
            super().keyPressEvent(event)
        finally:
            self.keyed = False

    def wheelEvent(self, event):
        self.keyed = True
        try:
            super().wheelEvent(event)
        finally:
            self.keyed = False


def stamp(key) -> tuple:
    """What identifies a dataset's contents cheaply: its name, and for a file its size and time."""
    try:
        st = os.stat(key) if isinstance(key, str) and key.endswith((".npz", ".csv")) else None
    except OSError:
        st = None
    return (key, st.st_size, st.st_mtime_ns) if st else (key,)


def path_is(text: str, test) -> bool:
    """``test`` (Path.is_dir, Path.exists) of a path a project named; False where the system cannot say (a name
    longer than 255 bytes raised ENAMETOOLONG inside showEvent, and the app crashed)."""
    try:
        return test(Path(text))
    except (OSError, ValueError):
        return False
