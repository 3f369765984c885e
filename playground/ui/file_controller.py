"""Files: new, open (projects and Keras models), save, recent files, autosave and crash recovery.

Opening is a transaction: the file is read and validated completely (a model is imported in a worker
thread) before the document is replaced; on any failure the banner names the problem and the current
work, its undo stack and its path are untouched.
"""

from __future__ import annotations

import os
import uuid
from html import escape as esc
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..core import project as project_io
from ..core import recovery
from ..core.errors import PlaygroundError, ResourceError
from ..core.layout import auto_layout
from ..core.words import file_stem
from ..resources_path import preset_text

AUTOSAVE_MS = 30_000
MODEL_SUFFIXES = (".h5", ".keras", ".hdf5")


def app_data_dir() -> Path:
    path = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or Path.home() / ".playground")
    path.mkdir(parents=True, exist_ok=True)
    return path



STORIES = ("cifar10-",)  # presets named with one of these prefixes tell one story, step by step


def _story(name: str) -> str | None:
    return next((p for p in STORIES if name.startswith(p)), None)


class FileController(QObject):
    """Everything between the document and the disk. ``parent`` is the widget that owns dialogs."""

    about_to_replace = Signal()  # stop what works on the old project (training) before it goes
    opened = Signal(str)  # a file was opened or imported
    chosen = Signal()  # the user replaced the project themselves (a preset; a file, but the command line's)

    def __init__(self, doc, settings: QSettings, parent: QWidget):
        super().__init__(parent)
        self.doc, self.settings, self.widget = doc, settings, parent
        self.importing: str | None = None  # the model file being imported in a worker, if any
        self.recent_changed_hooks: list = []
        self.ask_save = self.ask_save_dialog  # tests and scripts replace the question
        # a network a lesson step brings (AlexNet) is laid out for the canvas as a preset opened is: its three-card
        # rows were cut at the right edge beside the Lessons dock
        doc.place_network = lambda graph: self.wrap_to_canvas(graph, only_if_wider=True)
        doc.layout_row = self.layout_row
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.write_recovery)
        self.autosave_timer.start()
        # this window's own autosave file, and the lock that tells other windows (and processes) it is alive
        self.token = uuid.uuid4().hex[:16]
        self.lock = _lock(recovery.lock_path(self.recovery_path()))
        self.lock.tryLock(0)

    # ------------------------------------------------------------ replacing the project
    def load_project(self, proj: project_io.Project, path: Path | None, adopt: bool = False) -> None:
        """Replace the current project with a validated one (not undoable: the stack starts fresh); with
        ``adopt``, its graph is handed over rather than copied."""
        self.about_to_replace.emit()
        self.doc.replace(proj, path, adopt)

    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.load_project(project_io.Project(), None)
        return True

    def new_from_preset(self, name: str) -> bool:
        """Start from a preset. The presets of one story (``STORIES``) keep the run history from one to the
        next, so their runs compare in the Runs tab."""
        previous, runs = self.doc.project.name, self.doc.project.runs
        if not self.maybe_save():
            return False
        proj = project_io.loads(preset_text(name))
        self.wrap_to_canvas(proj.graph, only_if_wider=True)
        story = _story(name)
        kept = len(runs.runs) if story and _story(previous) == story else 0
        if kept:
            proj.runs = runs
        self.load_project(proj, None)
        self.chosen.emit()
        if kept:
            self.doc.say(f"The Runs tab keeps the {kept} run{'s' if kept != 1 else ''} of {previous} "
                         f"to compare with {name}.", 8000)
        return True

    def show_preset_gallery(self) -> None:
        from .dialogs import PresetGallery
        dlg = PresetGallery(self.widget)
        chosen = dlg.chosen if dlg.exec() else None
        dlg.deleteLater()  # a child of the window: each use would otherwise keep its thumbnails for good
        if chosen:
            self.new_from_preset(chosen)

    # ------------------------------------------------------------ open
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.widget, "Open", str(self.last_dir()),
                                              "Projects and models (*.json *.h5 *.keras);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | os.PathLike, chosen: bool = True) -> bool:
        """Open a project, or start importing a Keras model in a worker thread.

        Returns False when nothing will change (refused, cancelled or failed: the banner says why). A
        model import returns True once started; the document changes when it succeeds.
        """
        path = Path(path)
        if self.importing:
            self.doc.tell(f"Still importing {Path(self.importing).name}; open {path.name} when it is done.")
            return False
        if not self.maybe_save():
            return False
        if path.suffix.lower() in MODEL_SUFFIXES:
            from .worker import start_job
            self.importing = str(path)
            self.doc.say(f"Importing {path.name} (loading Keras)\u2026", 0)
            start_job(_import_model, path, on_done=self._on_imported, on_failed=self._on_import_failed,
                      parent=self)
            return True
        try:
            proj = project_io.load(path)  # validates everything before anything is replaced
        except PlaygroundError as exc:
            self._refuse(path, exc)
            return False
        _data_joined(proj, path)  # a relative path is the project's folder's, not the folder the app started in
        self.load_project(proj, path)
        self._opened(path)
        if chosen:  # not the file named on the command line: the user was in no workspace before it
            self.chosen.emit()
        return True

    def _on_imported(self, result) -> None:
        path = Path(self.importing or "model")
        self.importing = None
        proj, note = result
        self.wrap_to_canvas(proj.graph)
        self.load_project(proj, None, adopt=True)  # made for us alone: no copy
        self.doc.say(f"Imported {path.name}: {len(proj.graph.nodes)} layers. Save to keep it as a project.", 10000)
        self._opened(path)  # clears the banner of the project before
        note = " ".join(filter(None, (note, self._pixels_note())))
        if note:  # a conversion report (Keras 2) is read whole, not cut in the status bar
            self.doc.tell(f"Imported {path.name}: {note}", "info")

    def _pixels_note(self) -> str:
        """What to do where the network opened wants other pixels than the app's [0, 1] (the banner)."""
        wants = self.doc.pixels_wanted()
        return "" if wants is None else (f"{wants[0][0].upper()}{wants[0][1:]}; the app's are in [0, 1]: its "
                                         f"Input's Prepare the pixels (or a new head) prepares them.")

    def layout_row(self, graph) -> int | None:
        """``Document.layout_row``: the rows as the canvas wraps them now, as Build's canvas wrapped them when the
        network opened (the Lessons dock since narrowed it), or one row per band as it stands."""
        editor = getattr(self.widget, "editor", None)
        if editor is None or not graph.nodes:
            return None
        now = {nid: n.pos for nid, n in graph.nodes.items()}
        columns = len({x for x, _ in now.values()})
        for per_row in dict.fromkeys((editor.per_row(graph), editor.per_row(graph, build=True), columns)):
            if auto_layout(graph, per_row=per_row) == now:
                return per_row
        return None

    def wrap_to_canvas(self, graph, only_if_wider: bool = False) -> bool:
        """A graph nobody has placed yet (an import, a preset) in rows as wide as Build's canvas shows at its
        smallest readable zoom: a plain chain wrapped like text, any other network in bands cut where one edge
        alone goes on (``core.layout``: MobileNetV2 opened as one row of 156 cards). ``only_if_wider``: a preset
        keeps its own rows where they fit. Whether anything moved."""
        editor = getattr(self.widget, "editor", None)
        if editor is None or not graph.nodes:
            return False
        # Build's canvas, where a network is built; a gate network opened in the Logic lab: the lab's own canvas
        here = getattr(self.widget, "workspace", "Build") == "Logic lab" and \
            any(n.spec.hand_set for n in graph.nodes.values())
        per_row = editor.per_row(graph, build=not here)
        if only_if_wider and max(Counter(n.pos[1] for n in graph.nodes.values()).values()) <= per_row:
            return False
        moved = False
        for nid, pos in auto_layout(graph, per_row=per_row).items():
            if graph.nodes[nid].pos != pos:
                graph.move_node(nid, pos)
                moved = True
        return moved

    def _on_import_failed(self, message: str) -> None:
        path = Path(self.importing or "model")
        self.importing = None
        self._refuse(path, message)

    def _refuse(self, path: Path, exc) -> None:
        self.doc.tell(f"Could not open {path.name}: {exc}")
        self.doc.say(f"Could not open {path.name}", 8000)

    def _opened(self, path: Path) -> None:
        self.add_recent(path)
        self.opened.emit(str(path))  # (the banner of the project before goes)
        if (note := self._pixels_note()) and path.suffix.lower() == ".json":  # (a model file says it as imported)
            self.doc.tell(f"Opened {path.name}. {note}", "info")

    # ------------------------------------------------------------ save
    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self.save_to(self.doc.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.widget, "Save project",
                                              str(self.last_dir() / f"{file_stem(self.doc.project.name)}.json"),
                                              "Projects (*.json)")
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self.save_to(Path(path))

    def save_to(self, path: str | os.PathLike) -> bool:
        path = Path(path)
        old_name = self.doc.project.name
        if self.doc.path is None or path != self.doc.path:
            self.doc.project.name = path.stem
        try:
            project_io.save(_data_beside(self.doc.project, path), path)
        except (OSError, PlaygroundError) as exc:
            self.doc.project.name = old_name
            self.doc.tell(f"Could not save {path}: {getattr(exc, 'strerror', None) or exc}")
            return False
        self.doc.mark_saved(path)
        self.add_recent(path)
        self.clear_recovery()
        self.doc.say(f"Saved {path}", 4000)
        return True

    def maybe_save(self) -> bool:
        """True when it is fine to replace the current project (saved, discarded, or clean). A run that is training
        counts as unsaved work: opening a preset or closing the window dropped it without a word (a drive)."""
        if not self.doc.is_modified() and not self.doc.is_training():
            return True
        answer = self.ask_save()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def ask_save_dialog(self) -> str:
        """'save', 'discard' or 'cancel', asked in a dialog (``ask_save`` points here unless replaced)."""
        box = QMessageBox(QMessageBox.Warning, "Unsaved changes", f"Save the changes to {self.doc.name}?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self.widget)
        box.setInformativeText(("A run is training: it stops, and nothing of it is kept (Cancel, and it goes on). "
                                if self.doc.is_training() else "") +
                               "If you don't save, your changes since the last save are lost.")
        answer = box.exec()
        box.deleteLater()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    # ------------------------------------------------------------ recent files
    def last_dir(self) -> Path:
        recent = self.recent_files()
        return Path(recent[0]).parent if recent else Path.home()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [v for v in (value if isinstance(value, list) else [value]) if v]

    def add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent", items[:10])
        for hook in self.recent_changed_hooks:
            hook()

    # ------------------------------------------------------------ autosave and recovery
    def recovery_path(self) -> Path:
        """This window's autosave file (each window has its own)."""
        return app_data_dir() / recovery.recovery_name(self.token)

    def write_recovery(self) -> None:
        if not self.doc.is_modified():
            return
        try:
            recovery.write_recovery(self.doc.project, self.recovery_path(), self.doc.path)
        except PlaygroundError as exc:
            self.doc.say(str(exc), 8000)

    def clear_recovery(self) -> None:
        try:
            self.recovery_path().unlink()
        except FileNotFoundError:
            pass

    def shutdown(self) -> None:
        """The window closes (its work saved or discarded on purpose): remove its autosave, release its lock."""
        self.clear_recovery()
        self.autosave_timer.stop()
        if self.lock.isLocked():
            self.lock.unlock()

    def offer_recovery(self) -> None:
        """After a crash: offer autosaved work back (called at start, not by the constructor).

        Only this window's own file and those of windows that are gone (their lock is free) are offered; a
        live window's autosave is never offered here nor deleted. A file that cannot be loaded is set aside
        (renamed, named in the banner), never retried.
        """
        own = self.recovery_path()
        for path in recovery.candidates(app_data_dir()):
            owner = None
            if path != own and path.name != recovery.LEGACY_NAME:
                owner = _lock(recovery.lock_path(path))
                if not owner.tryLock(0):
                    continue  # another window is alive and owns it
            try:
                if self._offer_one(path):
                    return  # one project restored; any other autosave waits for the next start
            finally:
                if owner is not None:
                    owner.unlock()  # removes the dead owner's lock file with it

    def _offer_one(self, path: Path) -> bool:
        """Offer one recovery file; True if its project was restored. The file is gone afterwards."""
        if not path.exists():
            return False
        try:
            proj, original = recovery.read_recovery(path)
        except ResourceError as exc:  # too little memory now: not a broken file, so not set aside
            self.doc.tell(f"The autosaved work is not restored now: {exc} It is offered again at the next start.")
            return False
        except PlaygroundError as exc:
            try:
                kept = recovery.set_aside(path)
            except PlaygroundError as exc2:
                self.doc.tell(f"The autosaved work could not be restored ({exc}). {exc2}")
                return False
            self.doc.tell(f"The autosaved work could not be restored ({exc}). It was kept as {kept}.")
            return False
        answer = QMessageBox.question(self.widget, "Recover unsaved work?",
                                      # rich text made from the file's name escaped (an <img src=/dev/zero>
                                      # in it crashed the app at every start)
                                      f"<p>Network Playground closed with unsaved changes to {esc(proj.name)} "
                                      f"({esc(str(original)) if original else 'not saved to a file yet'}). "
                                      f"Restore them?</p>", QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        restored = answer == QMessageBox.Yes
        if restored:
            self.load_project(proj, original)
            self.doc.mark_unsaved()  # restored work is unsaved work
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return restored  # restored work is unsaved: this window's own autosave keeps it from now on


def _lock(path: Path) -> QLockFile:
    """A lock file whose owner counts as alive while its process runs, however long it holds it."""
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when the owning process is gone (never by age)
    return lock


def _import_model(path: Path):
    """(project, note) from a Keras model file: runs in a worker thread (Keras loads here)."""
    from ..backend.model_import import import_model
    graph = import_model(path)
    note = getattr(graph, "import_note", "") or ""
    return project_io.Project(graph, path.stem), note


def _runs_with(proj, change):
    """``proj``'s run history with ``change`` applied to each stored run's dataset (a copy; runs are frozen)."""
    import dataclasses
    history = proj.runs.copy()
    history.runs = [dataclasses.replace(r, settings={**r.settings, "dataset": change(r.settings["dataset"])})
                    if isinstance(r.settings.get("dataset"), str) and change(r.settings["dataset"]) !=
                    r.settings["dataset"] else r for r in history.runs]
    return history


def _data_joined(proj, path: Path) -> None:
    """A project just read from ``path``: its relative dataset paths (its own and its runs') made its folder's."""
    from ..backend.datasets import REGISTRY  # plain Python
    folder = os.path.dirname(os.path.abspath(path))

    def joined(data):
        relative = isinstance(data, str) and data and data not in REGISTRY and not os.path.isabs(data)
        return os.path.join(folder, data) if relative else data
    if "dataset" in proj.training:
        proj.training["dataset"] = joined(proj.training["dataset"])
    proj.runs.assign(_runs_with(proj, joined))


def _relative_data(data, folder: str):
    """``data`` relative to ``folder`` where it lies inside it plainly (no link and ".."), written with "/"; else as
    it is."""
    if not (isinstance(data, str) and os.path.isabs(data)):
        return data
    try:
        inside = os.path.commonpath([folder, os.path.abspath(data)]) == folder
    except ValueError:  # (another drive on Windows)
        return data
    if not inside or os.path.abspath(data) == folder:
        return data
    rel = Path(os.path.relpath(data, folder))
    if ".." in rel.parts or os.path.realpath(os.path.join(folder, rel)) != os.path.realpath(data):
        return data  # (a link and ".." made "F/link/../pets" read as "F/pets" once saved: the folder named changed)
    return rel.as_posix()  # ("/" on every system)


def _data_beside(proj, path: Path):
    """``proj`` as saved at ``path``: a dataset in the project's folder, its own and its runs', written relative to it
    ("pets"), so that the folder moved or sent whole opens with its data (a relative path is read from the project's
    folder)."""
    import dataclasses
    folder = os.path.dirname(os.path.abspath(path))
    data = proj.training.get("dataset")
    rel = _relative_data(data, folder)
    runs = _runs_with(proj, lambda d: _relative_data(d, folder))
    if rel == data and all(a is b for a, b in zip(runs.runs, proj.runs.runs)):
        return proj
    return dataclasses.replace(proj, training={**proj.training, "dataset": rel} if "dataset" in proj.training else
                               dict(proj.training), runs=runs)
