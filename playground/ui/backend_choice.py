"""Which Keras backend trains: a document setting (``training.backend``, undoable), applied before Keras loads.

``KERAS_BACKEND`` in the environment wins; otherwise the project's choice, else the last one chosen
(kept in QSettings as the default for new projects). Once Keras has loaded, a new choice is saved for
the next start and the banner says so.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from PySide6.QtCore import QObject

from ..core.errors import PlaygroundError

BACKENDS = ("tensorflow", "jax", "torch")


class BackendChoice(QObject):
    def __init__(self, doc, settings, actions: dict, parent=None):
        super().__init__(parent)
        self.doc, self.settings, self.actions = doc, settings, actions
        self.from_env = os.environ.get("KERAS_BACKEND")  # the user's environment, set before the app started
        doc.settings_changed.connect(self._on_setting)
        doc.replaced.connect(self.apply)
        self.apply()

    def wanted(self) -> str:
        return self.from_env or self.doc.training.get("backend") or str(self.settings.value("backend", "tensorflow"))

    def apply(self) -> None:
        """Set KERAS_BACKEND before Keras loads (when the package exists) and tick the menu."""
        name = self.wanted()
        if "keras" not in sys.modules and os.environ.get("KERAS_BACKEND") != name:
            if name in BACKENDS and importlib.util.find_spec(name) is not None:
                os.environ["KERAS_BACKEND"] = name
            else:
                name = "tensorflow"
        self._tick(os.environ.get("KERAS_BACKEND") if "keras" in sys.modules else name)

    def _tick(self, name: str | None) -> None:
        for n, act in self.actions.items():
            act.setChecked(n == name)

    def choose(self, name: str) -> bool:
        """The user picked a backend in the menu: one undo step, or a message saying why not."""
        from ..backend.runtime import select_backend
        try:
            select_backend(name)
        except PlaygroundError as exc:
            message = str(exc)
            if "already running" not in message:
                self.doc.tell(message)
                self._tick(self.wanted())  # put the tick back where it really is
                return False
            self.doc.tell(f"{message} The choice is saved for the next start.", "info")
        else:
            self.doc.tell(f"Training will run on Keras with the {name} backend.", "info")
        self.settings.setValue("backend", name)
        self.doc.set_setting("training", "backend", name)
        self._tick(name)
        return True

    def _on_setting(self, section: str, key: str) -> None:
        if section == "training" and key == "backend":
            self.apply()
