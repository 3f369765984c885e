"""The document: one open project and everything derived from it, observed by every view.

Design (after orange-canvas-core's ``SchemeEditWidget`` + ``Scheme``, napari's ``ViewerModel``): the
pure model stays in ``core`` (``Project``, ``Graph``, ``ShapeCache``); this thin QObject adds what
only Qt gives: the one ``QUndoStack`` and signals. It is a QObject rather than a pure class because
the undo stack, whose clean state *is* the "unsaved changes" flag, is Qt's; a pure core document
would need a second undo implementation. Everything Qt-free it holds is still testable without it.

Views (canvas, inspector, summary, panels) receive the document, read from it, listen to its signals
and push commands onto ``doc.stack``; they never reach into the window or into each other.
Model methods (``apply_setting``, ``replace``, ``set_trained``) are what commands call.
"""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from ..core import project as project_io
from ..core.analysis import ShapeCache
from ..core.errors import ProjectFormatError, SettingsError
from ..core.graph import Graph
from ..core.settings import LogicConfig, TrainConfig

SECTIONS = ("training", "logic")


SettingError = SettingsError  # a training or logic setting that cannot be used (names it and the value)


def check_setting(section: str, key: str, value, current: dict) -> object:
    """``value`` as it will be stored, or raise SettingError naming the setting and the value.

    The rules live in one place, ``core/settings.py`` (the loader, the CLI and the backend read them too).
    """
    if section == "training":
        return TrainConfig.from_dict({**current, key: value}).to_dict().get(key, value)
    if section == "logic":
        cfg = LogicConfig.from_dict({**current, key: value})
        return cfg.to_dict().get(key)
    raise SettingError(f"No settings section {section!r}.")


class Document(QObject):
    """Project, graph, undo stack, shape results, settings, trained model and file path."""

    changed = Signal()  # the graph changed (once per undo step): read ``infos``
    settings_changed = Signal(str, str)  # section, key
    replaced = Signal()  # a whole new project (New, Open, preset, recovery)
    selection_changed = Signal(list)  # node ids
    reveal = Signal(str)  # a layer chosen away from the canvas (a new head, a lesson's layer): scrolled into view
    masked_changed = Signal()  # which layers' sizes are hidden while a prediction is asked (``mask``)
    trained_changed = Signal()  # a trained Keras model arrived or was dropped
    title_changed = Signal()  # path, name or modified state
    message = Signal(str, str)  # text, kind: "error" | "info" (the banner)
    status = Signal(str, int)  # transient status-bar text, milliseconds
    undo_changed = Signal()  # what Undo would take back changed off the stack (a Learn instead run began or ended)
    learning_changed = Signal()  # ``learning``: the network a run is changing, shown by the cards and the weights
    data_allowed = Signal()  # the user allowed a dataset path (``allow_data``): the views that show data read it now

    def __init__(self, parent: QObject | None = None, settings=None):
        super().__init__(parent)
        self.project = project_io.Project()
        self.graph = self.project.graph  # the same object for the document's whole life
        self.shapes = ShapeCache(self.graph)
        self.stack = QUndoStack(self)
        self.path: Path | None = None
        self.selection: list[str] = []
        self.masked: frozenset[str] = frozenset()  # layers whose sizes the views show as "?" (a lesson's question)
        self.note_step: int | None = None  # the stack's index after the step the banner's note is about (tell)
        self.note_about: frozenset[str] = frozenset()  # the layers it describes (tell)
        self._prepared, self._index = False, 0
        self.trained_model = None  # the last trained keras.Model (results, See inside)
        self.trained_outcome = None
        # (name, take): a step under way that has not reached the stack yet (Learn instead, while it learns);
        # Undo takes it back first
        self.undo_claim: tuple[str, object] | None = None
        # the network as Learn instead changes it (not on the stack until it is done): what the cards, the edge
        # labels and the weight grid show of the layers it has, so that every view shows the same neurons
        self.learning: Graph | None = None
        from .data_list import chosen_data
        self.data_chosen: set[str] = set(chosen_data(settings))  # (as consent_key keeps them)
        self._settings = settings  # where another window records what the user chose there
        self.stack.indexChanged.connect(self._on_index_changed)
        self.stack.cleanChanged.connect(self._on_clean_changed)

    # ------------------------------------------------------------ reading
    @property
    def pixels_declined(self) -> bool:
        """The user deleted the pixels' preparation: not offered again (``pixels_wanted``); saved with the project."""
        return self.project.pixels_declined

    @pixels_declined.setter
    def pixels_declined(self, value: bool) -> None:
        self.project.pixels_declined = value

    @property
    def infos(self):
        """Shape results of every node, computed at most once per change."""
        return self.shapes.infos

    @property
    def name(self) -> str:
        return self.path.stem if self.path else self.project.name

    @property
    def training(self) -> dict:
        return self.project.training

    @property
    def logic(self) -> dict:
        return self.project.logic

    def may_read_data(self, key=None) -> bool:
        """Whether the app may read the dataset ``key`` (the project's by default) without asking: a built-in set,
        or a path the user chose in the app (typed, picked in a dialog, or allowed with "Use this data"; the data
        box remembers them across sessions). Any other path came from a file (a project, a recovery file, a
        lesson): a file is data, and the path it names is read only once the user says so."""
        from ..backend.datasets import REGISTRY  # plain Python: the registry imports no Keras
        from .data_list import chosen_data, consent_key
        key = self.training.get("dataset", "mnist-sample") if key is None else key
        if not isinstance(key, str):
            return False
        if key in REGISTRY or consent_key(key) in self.data_chosen:
            return True
        if consent_key(key) in chosen_data(self._settings):  # chosen in another window since this one opened
            self.data_chosen.add(consent_key(key))
            return True
        return False

    def data_path(self, key=None) -> str:
        """What to read for the dataset ``key`` (the project's by default): a built-in name as it is, a user's path as
        the real path its consent is checked on (a link changed between the check and the worker's read would have
        led elsewhere: a review)."""
        from ..backend.datasets import REGISTRY  # plain Python
        from .data_list import consent_key
        key = self.training.get("dataset", "mnist-sample") if key is None else key
        return key if not isinstance(key, str) or key in REGISTRY else consent_key(key)

    def allow_data(self, key: str) -> None:
        from .data_list import consent_key
        if consent_key(str(key)) not in self.data_chosen:
            self.data_chosen.add(consent_key(str(key)))
            self.data_allowed.emit()

    def is_modified(self) -> bool:
        return not self.stack.isClean()

    # ------------------------------------------------------------ editing
    def push(self, command) -> None:
        """Do ``command`` as one undo step. One whose redo fails is taken back, dropped and said; the window goes on
        (a run's step that raised inside its redo stayed on the stack, and the next push crashed the window)."""
        failed: list[Exception] = []
        redo, undo = command.redo, command.undo

        def guarded(cmd):
            try:
                redo()
            except Exception as exc:  # noqa: BLE001 - a command's failure is a bug: said, never a crash
                failed.append(exc)
                try:
                    undo()  # back to before it (each command's undo restores what it recorded)
                except Exception:  # noqa: BLE001
                    pass
                cmd.id = types.MethodType(lambda _cmd: -1, cmd)  # merged into nothing,
                cmd.setObsolete(True)  # and dropped by the stack instead of kept
        command.redo = types.MethodType(guarded, command)
        self.stack.push(command)
        if failed:
            self.tell(f"That step could not be done, and nothing of it was kept: {failed[0]}")

    def set_undo_claim(self, name: str | None, take=None) -> None:
        self.undo_claim = (name, take) if name else None
        self.undo_changed.emit()

    def show_learning(self, graph: Graph | None) -> None:
        self.learning = graph
        self.learning_changed.emit()

    def shown_node(self, node_id: str):
        """The layer as the views show it: the document's, with the activation and weights it has as it learns
        while a run changes them (its name and place stay the document's: a rename does not stop a run)."""
        node = self.graph.nodes[node_id]
        run = self.learning.nodes.get(node_id) if self.learning is not None else None
        if run is None or not node.spec.hand_set:
            return node
        return dataclasses.replace(node, params={**node.params, "activation": run.params.get("activation")},
                                   weights=run.weights)

    def undo_text(self) -> str:
        return self.undo_claim[0] if self.undo_claim else self.stack.undoText()

    def can_undo(self) -> bool:
        return self.undo_claim is not None or self.stack.canUndo()

    def place_network(self, graph: Graph) -> None:
        """Lay out a network about to replace the canvas's (the window's file controller lays it out for the canvas)."""

    def layout_row(self, graph: Graph) -> int | None:
        """The row width (``per_row``) of the automatic layout ``graph`` is in, as the canvas wrapped it (when it
        opened, or as the canvas is now), or None: moved by hand, or no canvas (the window's file controller
        answers)."""
        return None

    def is_training(self) -> bool:
        """Whether a training run is under way (the Train panel, once built, answers in its place)."""
        return False

    def undo(self) -> None:
        """Ctrl+Z and Edit > Undo: the step under way, if any (pressing Ctrl+Z while Learn instead ran undid the
        step before it, and the run then stopped on that change), else the stack's last step. Not while a training
        run trains: a drive's Ctrl+Z then took out the run it continued, and the run's landing dropped it for good."""
        if self.is_training():
            self.say("Undo waits while a run trains: Esc stops it, then Ctrl+Z takes the run back.", 6000)
        elif self.undo_claim is not None:
            _, take = self.undo_claim
            self.set_undo_claim(None)
            take()
        elif self.stack.canUndo():
            self.stack.undo()

    def can_redo(self) -> bool:
        return self.undo_claim is None and self.stack.canRedo()

    def redo(self) -> None:
        """While a step is under way, the steps after the last one are not redone (its landing will drop them, as
        any new step does; redoing one stopped the run and blamed "your change")."""
        if self.is_training():
            self.say("Redo waits while a run trains: Esc stops it.", 6000)
        elif self.undo_claim is not None:
            self.say(f"Redo waits while {self.undo_claim[0]} runs: Ctrl+Z undoes the run itself.")
        elif self.stack.canRedo():
            self.stack.redo()

    def set_setting(self, section: str, key: str, value, session: int | None = None) -> None:
        """Change a training or logic setting as one undo step (merged with the step before it for the same key
        and ``session``); raise SettingError if it is invalid."""
        from .commands import SetSettingCommand
        current = getattr(self.project, section)
        value = check_setting(section, key, value, current)
        if current.get(key) == value:
            return
        self.push(SetSettingCommand(self, section, key, value, session))

    def set_settings(self, section: str, changes: dict, text: str) -> None:
        """Several settings as one undo step that never merges with typing; every value is checked
        (SettingError) before anything is pushed."""
        from .commands import CompoundCommand, SetSettingCommand
        current = dict(getattr(self.project, section))
        steps = []
        for key, value in changes.items():
            value = check_setting(section, key, value, current)
            if current.get(key) != value:
                steps.append(SetSettingCommand(self, section, key, value))
                current[key] = value
        if steps:
            self.push(CompoundCommand(text, steps))

    def apply_setting(self, section: str, key: str, value, present: bool = True) -> None:
        """Model method for commands: store a setting (``present=False`` removes it) and announce it."""
        if section not in SECTIONS:
            raise SettingError(f"No settings section {section!r}.")
        target = getattr(self.project, section)
        if not present or (section == "logic" and value is None):
            target.pop(key, None)
        else:
            target[key] = value
        self.settings_changed.emit(section, key)

    def mask(self, node_ids) -> None:
        """Hide these layers' sizes, parameter counts and formulas in every view (a lesson asks the learner to
        predict them: predict first, then see); ``mask(())`` shows them again. View state, not an edit."""
        ids = frozenset(n for n in node_ids if n in self.graph.nodes)
        if ids != self.masked:
            self.masked = ids
            self.masked_changed.emit()

    def select(self, node_ids: list[str], reveal: bool = False) -> None:
        ids = [n for n in node_ids if n in self.graph.nodes]
        if reveal and ids:
            QTimer.singleShot(0, lambda nid=ids[0]: self.reveal.emit(nid))  # once the canvas has its new card
        if ids != self.selection:
            self.selection = ids
            self.selection_changed.emit(ids)

    @property
    def current(self) -> str | None:
        """The first selected node, or None."""
        return self.selection[0] if self.selection else None

    # ------------------------------------------------------------ whole project
    def replace(self, proj: project_io.Project, path: Path | None, adopt: bool = False) -> None:
        """Swap in a loaded project (not undoable: the stack starts fresh). The caller validated it; with
        ``adopt`` it hands the project's graph over (see ``Graph.replace_with``)."""
        if not isinstance(proj, project_io.Project):
            raise ProjectFormatError(f"Not a project: {proj!r}.")
        self.stack.clear()
        self.project.name, self.project.description = proj.name, proj.description
        self.project.training, self.project.logic = dict(proj.training), dict(proj.logic)
        self.project.runs = proj.runs  # the run history travels with the project
        self.selection = []
        self.masked = frozenset()  # a new graph: its ids are not the hidden ones
        self.learning = None  # a run of the old project's network
        self.graph.replace_with(proj.graph, adopt)
        from ..core.imagenet import prepared
        self.pixels_declined, self._prepared, self._index = proj.pixels_declined, prepared(self.graph), 0
        self.path = Path(path) if path else None
        self.set_trained(None, None)
        self.stack.setClean()
        self.replaced.emit()
        self.changed.emit()
        self.title_changed.emit()

    def mark_saved(self, path: Path) -> None:
        self.path = Path(path)
        self.project.name = self.path.stem
        self.stack.setClean()
        self.title_changed.emit()

    def mark_unsaved(self) -> None:
        """Restored work (recovery) is unsaved work."""
        self.stack.resetClean()
        self.title_changed.emit()

    def set_trained(self, model, outcome) -> None:
        self.trained_model, self.trained_outcome = model, outcome
        self.trained_changed.emit()

    # ------------------------------------------------------------ pixels
    def pixels_wanted(self, graph: Graph | None = None, asked: bool = False) -> tuple[str, str, str] | None:
        """``core.imagenet.expected_pixels`` for a network holding weights it did not learn here (no run in the
        project) whose preparation the user has not deleted (``asked``: or has, and asks for it back); else None
        (trained here, on the app's images, or nothing pretrained: its pixels are the app's)."""
        graph = self.graph if graph is None else graph
        if (self.pixels_declined and not asked) or self.project.runs.runs or \
                not any(n.weights for n in graph.nodes.values() if not n.spec.hand_set):
            return None
        from ..core.imagenet import expected_pixels
        return expected_pixels(graph)

    def note_start(self, graph: Graph) -> None:
        """What a run about to start should say: step neurons stay as they are (the status bar); pixels its first
        layers want otherwise than the app's (the banner: a drive trained a Rescaling(1/255) model on [0, 1] and
        nothing said so)."""
        from ..core.logic import step_training_note
        if (note := step_training_note(graph)) is not None:
            self.say(note, 15000)
        if (wants := self.pixels_wanted(graph)) is not None:
            self.tell(f"This run feeds the app's [0, 1] images as they are, and {wants[0]}. To give it what it "
                      f"expects: Esc, Ctrl+Z (the run goes: a network trained here keeps the app's pixels), then "
                      f"select its Input in Build and press Prepare the pixels.", "info")

    # ------------------------------------------------------------ messages
    def tell(self, text: str, kind: str = "error", step: bool = False, about=()) -> None:
        """The banner's message; ``step``: a note on the undo step just made, which goes when that step is undone
        (``note_step``, the stack's index with it; None for any other message, which an undo leaves), or when a later
        step removes a layer it is ``about`` (node ids: a drive deleted the layer a note described)."""
        self.note_step = self.stack.index() if step else None
        self.note_about = frozenset(about) if step else frozenset()
        self.message.emit(text, kind)

    def say(self, text: str, ms: int = 4000) -> None:
        self.status.emit(text, ms)

    # ------------------------------------------------------------ signals
    def _on_index_changed(self, index: int) -> None:
        from ..core.imagenet import prepared
        had, self._prepared = self._prepared, prepared(self.graph)
        if self._prepared or had:  # a preparation deleted by a step is declined; one an undo took back is not
            self.pixels_declined = had and not self._prepared and index > self._index
        self._index = index
        kept = [n for n in self.selection if n in self.graph.nodes]
        if kept != self.selection:  # an undo removed a selected layer: the views hear of it like any selection
            self.selection = kept
            self.selection_changed.emit(kept)
        self.changed.emit()
        self.title_changed.emit()

    def _on_clean_changed(self, _clean: bool) -> None:
        self.title_changed.emit()


__all__ = ["Document", "SettingError", "check_setting"]
