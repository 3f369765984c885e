"""The main window assembles: one Document, its views, and the controllers that act on it.

It builds the panels, lays them out and connects their signals; the work lives elsewhere:
``document`` (project, graph, undo stack, shape results, settings), ``editor`` (canvas edits),
``files`` (open/save/recovery), ``exchange`` (export), ``actions`` (menus), ``workspaces``,
``backend_choice``. Keras is not imported here: backend work runs in ui/worker.py, on demand.
"""

from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QMainWindow, QMessageBox, QSizePolicy, QSplitter, QStackedWidget, QVBoxLayout,
                               QWidget)

from .. import __version__
from ..core.graph import Edge
from ..core import project as project_io
from ..resources_path import preset_text
from .actions import build_menus
from .backend_choice import BackendChoice
from .banner import Banner
from .canvas.scene import GraphScene
from .canvas.view import GraphView
from .document import Document
from .editor import Editor
from .exchange import Exporter
from .file_controller import FileController, app_data_dir  # noqa: F401 - app_data_dir is part of this module's API
from .inspector import Inspector
from .palette import Palette
from .summary import SummaryTable
from .workspaces import WORKSPACES, Workspaces  # noqa: F401

DEFAULT_PRESET = "mnist-cnn"

_GC = None


def collect_garbage_in_gui_thread() -> None:
    """Turn off automatic garbage collection and collect on a GUI-thread timer instead.

    Otherwise a collection can start in the training thread (while Keras imports, say) and free
    Qt objects there, which crashes Qt. pyqtgraph's GarbageCollector does exactly this.
    """
    global _GC
    if _GC is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector
        _GC = GarbageCollector(interval=1.0)


class MainWindow(QMainWindow):
    """The whole app window; ``MainWindow()`` builds it with a default preset and no Keras import."""

    def __init__(self, preset: str | None = DEFAULT_PRESET, settings: QSettings | None = None):
        super().__init__()
        collect_garbage_in_gui_thread()
        self.settings = settings or QSettings("NetworkPlayground", "playground")
        self.doc = Document(self, self.settings)  # (the settings: the data paths the user chose before)

        # views: each receives the document, none receives the window
        self.scene = GraphScene(self.doc, self)
        self.view = GraphView(self.scene)
        self.palette_panel = Palette()
        self.inspector = Inspector(self.doc)
        self.summary = SummaryTable(self.doc)
        self.banner = Banner()
        from .inside import InsidePanel
        self.inside_panel = InsidePanel(self.doc)
        # not on screen when the window opens: built on the first switch to their workspace, or first use
        self._train_panel = self._logic_panel = self._decision_plot = None

        # controllers
        self.editor = Editor(self.doc, self.scene, self.view, self)
        self.files = FileController(self.doc, self.settings, self)
        self.files.ask_save = lambda: self.ask_save()  # so replacing window.ask_save works too
        self.exporter = Exporter(self.doc, self.files.last_dir, self, opened=self.files.recent_files)

        self._lay_out()
        build_menus(self)
        from .undo_keys import DocumentUndoKeys
        self.undo_keys = DocumentUndoKeys(self, self.doc)
        self.undo_keys.install()
        self.workspaces = Workspaces(self, self)
        self.backend = BackendChoice(self.doc, self.settings, self.backend_actions, self)
        self._connect()
        from .lessons_dock import install as install_lessons
        install_lessons(self)  # the Lessons dock, Help > Lessons and the first-start offer
        self._shown = False  # see showEvent
        self.resize(1480, 900)
        self.hsplit.setSizes([200, 900, 380])
        self.vsplit.setSizes([620, 220])
        self.workspaces.watch()
        self.set_workspace("Build")
        self._fix_tab_order()
        if preset:
            self.files.load_project(project_io.loads(preset_text(preset)), None)
        else:
            self._update_title()
        self._first_preset = bool(preset)  # the preset opened here, until another project replaces it (showEvent)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            QTimer.singleShot(0, self._fit_first_network)

    def _fit_first_network(self) -> None:
        """The preset the app opened with, untouched, in rows as wide as the canvas the screen gave the window (it
        was laid out for a wider one): no column cut at the right on a small screen."""
        if self._first_preset and self.doc.stack.count() == 0 and self.files.wrap_to_canvas(self.doc.graph, True):
            self.workspaces.canvas_room()
            self.view.fit_all()

    def _lay_out(self) -> None:
        self.right_stack = QStackedWidget()
        for w in (self.inspector, QWidget(), QWidget()):  # the Logic lab's and Train's places, until built
            self.right_stack.addWidget(w)
        self.bottom_stack = QStackedWidget()
        self.bottom_stack.addWidget(self.summary)
        self.bottom_stack.addWidget(QWidget())  # the decision plot's place
        canvas_box = QWidget()
        cb = QVBoxLayout(canvas_box)
        cb.setContentsMargins(0, 0, 0, 0)
        cb.setSpacing(4)
        cb.addWidget(self.banner)
        cb.addWidget(self.view, 1)
        self.vsplit = QSplitter(Qt.Vertical)
        self.vsplit.addWidget(canvas_box)
        self.vsplit.addWidget(self.bottom_stack)
        self.vsplit.setStretchFactor(0, 3)
        self.vsplit.setStretchFactor(1, 1)
        self.hsplit = QSplitter(Qt.Horizontal)
        self.hsplit.addWidget(self.palette_panel)
        self.hsplit.addWidget(self.vsplit)
        self.hsplit.addWidget(self.right_stack)
        self.hsplit.setStretchFactor(1, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.hsplit)
        self.pages.addWidget(self.inside_panel)
        self.setCentralWidget(self.pages)

    def _connect(self) -> None:
        doc = self.doc
        self.banner.follow(doc)  # its messages; a note on a step goes when the step is undone
        doc.status.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        doc.stack.indexChanged.connect(self._clear_status)  # a status line is about the last step: the next clears it
        doc.trained_changed.connect(lambda: self.banner.kind == "info" and getattr(getattr(  # a note on what to do next
            doc.trained_outcome, "result", None), "stopped", "rebuilt") != "rebuilt" and self.banner.clear())  # (a run)
        doc.title_changed.connect(self._update_title)
        doc.replaced.connect(self._on_replaced)
        doc.selection_changed.connect(self._on_selection)
        doc.selection_changed.connect(self._fix_tab_order)
        doc.changed.connect(self._fix_tab_order)
        self.palette_panel.add_requested.connect(self.editor.add_layer_at_centre)
        self.palette_panel.insert_requested.connect(self.editor.insert_layer)
        self.inside_panel.train_requested.connect(lambda: self.set_workspace("Train"))
        self.files.about_to_replace.connect(lambda: self.stop_training(wait=True))
        self.files.opened.connect(lambda _path: self.banner.clear())
        self.files.chosen.connect(self._say_jump)
        self.scene.connect_requested.connect(lambda *_: self.banner.hide() if self.banner.kind == "error" else None)

    # ------------------------------------------------------------ panels built on first use
    @property
    def train_panel(self):
        """The Train workspace's panel. Built on first use (the window opens faster without it); it reads the
        document as it is then."""
        if self._train_panel is None:
            from .train_panel import TrainPanel
            panel = self._train_panel = TrainPanel(self.doc, self.settings)
            panel.export_requested.connect(self.exporter.export_dialog)
            self.doc.is_training = panel.is_running  # Ctrl+Z waits while a run trains (doc.undo)
            self._put_page(self.right_stack, 2, panel)
        return self._train_panel

    @property
    def logic_panel(self):
        """The Logic lab's panel (truth table, neuron editor), with its decision plot: built on first use."""
        self._build_logic_lab()
        return self._logic_panel

    @property
    def decision_plot(self):
        """The Logic lab's decision plot, below the canvas: built with the lab's panel."""
        self._build_logic_lab()
        return self._decision_plot

    def _build_logic_lab(self) -> None:
        if self._logic_panel is None:
            from .decision_plot import DecisionPlot
            from .logic_lab import LogicPanel
            panel = self._logic_panel = LogicPanel(self.doc)
            panel.canvas_rows, panel.fit_canvas = self.editor.per_row, self.view.fit_all
            self._decision_plot = DecisionPlot(self.doc, panel)
            self._put_page(self.right_stack, 1, panel)
            self._put_page(self.bottom_stack, 1, self._decision_plot)

    @staticmethod
    def _put_page(stack: QStackedWidget, index: int, page: QWidget) -> None:
        """``page`` in the place held for it, sized as a hidden page (the workspace shows it next)."""
        current = stack.currentIndex()
        place = stack.widget(index)
        stack.insertWidget(index, page)
        stack.removeWidget(place)
        place.deleteLater()
        stack.setCurrentIndex(current)
        if current != index:
            page.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)

    # ------------------------------------------------------------ document events
    def _on_replaced(self) -> None:
        self._first_preset = False  # (the constructor sets it after its own preset is in)
        self.banner.clear()  # per-project messages do not survive the project
        self.statusBar().clearMessage()
        QTimer.singleShot(0, self.view.fit_all)
        self.view.fit_all()
        self._jumped_from = None
        if self.doc.logic.get("target") and self.doc.graph.nodes and \
                all((n.spec.source or n.spec.hand_set) for n in self.doc.graph.nodes.values()):
            came_from = self.workspaces.current
            self.set_workspace("Logic lab")
            self._jumped_from = came_from if came_from != "Logic lab" else None

    def _say_jump(self) -> None:
        """After a project the user chose themselves (a preset, a file) moved them to the Logic lab: where, why,
        and the way back. A lesson or a recovered autosave moves them without a word: it said why itself."""
        came_from, self._jumped_from = self._jumped_from, None
        if came_from:
            self.doc.say(f"{self.doc.project.name or 'This network'} is a hand-set gate network: it opened in the "
                         f"Logic lab, beside its truth table. Back to {came_from}: "
                         f"Ctrl+{WORKSPACES.index(came_from) + 1}.", 10000)

    def _on_selection(self, ids: list) -> None:
        """Clicking an edge into a neuron puts the cursor in its first weight."""
        edges = self.scene.selected_edges()
        if ids and edges and edges[0].dst == ids[0] and self.doc.graph.nodes[ids[0]].spec.hand_set:
            editor = self.logic_panel.neuron_editor if self.workspaces.current == "Logic lab" else self.inspector
            if editor.node_id != ids[0]:  # it may hear of the selection after this (the lab's is made later)
                editor.show_node(ids[0])
            first = editor.edit_weight_editor("kernel", (0, 0))
            if first is not None:
                first.setFocus()
                first.selectAll()

    def _fix_tab_order(self, *_) -> None:
        """Tab runs palette search -> palette -> canvas -> the inspector's fields -> summary, whatever
        the inspector holds now (its fields are rebuilt for each layer)."""
        chain = [self.palette_panel.search, self.palette_panel.tree, self.view, *self.inspector.focus_chain(),
                 self.summary.table]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _clear_status(self, *_) -> None:
        if shiboken6.isValid(self):  # the stack's destructor emits its last signals while the window goes
            self.statusBar().clearMessage()

    def _update_title(self, *_) -> None:
        if not shiboken6.isValid(self) or not shiboken6.isValid(self.doc.stack):
            return  # the stack's destructor emits its last signals during interpreter shutdown
        name = self.doc.path.name if self.doc.path else self.doc.project.name
        self.setWindowTitle(f"{name}[*] \u2014 Network Playground")
        self.setWindowModified(self.doc.is_modified())

    # ------------------------------------------------------------ small delegations (menus, tests, scripts)
    @property
    def graph(self):
        return self.doc.graph

    @property
    def project(self):
        return self.doc.project

    @property
    def stack(self):
        return self.doc.stack

    @property
    def workspace(self) -> str:
        return self.workspaces.current

    def set_workspace(self, name: str) -> None:
        self.workspaces.set(name)

    def is_dirty(self) -> bool:
        return self.doc.is_modified()

    def delete_selection(self) -> None:
        if self.workspaces.current != "See inside":
            self.editor.delete_selection()

    def add_palette_layer(self) -> None:
        """Edit > Add palette layer: the palette's current layer, after the selected one (as Enter there)."""
        kind = self._palette_kind()
        if kind is not None:
            self.editor.add_layer_at_centre(kind)

    def insert_palette_layer(self) -> None:
        """Edit > Insert palette layer between: the palette's current layer between the selected layer and the next."""
        kind = self._palette_kind()
        if kind is not None:
            self.editor.insert_layer(kind)

    def _palette_kind(self) -> str | None:
        """The palette's current layer kind, with the canvas's workspace shown; None (and why) when there is none."""
        kind = self.palette_panel.current_kind()
        if kind is None:
            self.doc.say("Choose a layer in the palette first (Ctrl+F, type its name, Enter).", 5000)
        elif self.workspaces.current == "See inside":
            self.set_workspace("Build")
        return kind

    def start_training(self) -> None:
        self.set_workspace("Train")
        self.train_panel.start()

    def stop_training(self, wait: bool = False) -> None:
        if self.scene.cancel_edge_drag():
            return
        if self._train_panel is not None:  # never built: nothing to stop
            self._train_panel.stop(wait=wait)
        if self._logic_panel is not None:
            self._logic_panel.stop_learning(wait=wait)

    def set_theme(self, mode: str) -> None:
        from .theme import apply_theme
        self.settings.setValue("theme", mode)
        apply_theme(QGuiApplication.instance(), mode)
        # a widget under a style sheet keeps the palette it was polished with: polish it again in the new one
        for widget in [self, *self.findChildren(QWidget)]:
            if widget.styleSheet():
                widget.setStyleSheet(widget.styleSheet())
        if "pyqtgraph" in sys.modules:  # no plot was made before pyqtgraph was imported
            from .theme import restyle_plots
            restyle_plots(self)
        if self._decision_plot is not None:  # its labels' boxes, rings and text take the theme's colours
            self._decision_plot.refresh()
        self.scene.update()
        self.view.viewport().update()

    def show_about(self) -> None:
        from .dialogs import about_text
        QMessageBox.about(self, "About Network Playground", about_text())

    # the controllers' entry points under their old names (tests, packaging/screenshots.py)
    def add_layer(self, kind, pos):
        return self.editor.add_layer(kind, pos)

    def connect_nodes(self, src, dst):
        return self.editor.connect_nodes(src, dst)

    def select_nodes(self, ids):
        self.editor.select_nodes(ids)

    def load_project(self, proj, path):
        self.files.load_project(proj, path)

    def new_project(self):
        return self.files.new_project()

    def open_file(self, path, chosen: bool = True):
        return self.files.open_file(path, chosen)

    def save_to(self, path):
        return self.files.save_to(path)

    def export_to(self, path, fmt):
        return self.exporter.export_to(path, fmt)

    def set_backend(self, name):
        return self.backend.choose(name)

    def ask_save(self) -> str:
        """'save', 'discard' or 'cancel' (tests replace this method)."""
        return self.files.ask_save_dialog()

    def offer_recovery(self):
        self.files.offer_recovery()

    def recent_files(self):
        return self.files.recent_files()

    # ------------------------------------------------------------ closing
    def _busy_threads(self) -> list:
        threads = [getattr(p, "thread", None) for p in (self._train_panel, self._logic_panel)]
        return [t for t in threads if t is not None and t.isRunning()]

    def closeEvent(self, event) -> None:
        busy = self._busy_threads()
        if busy:
            # never block the window on a long batch: ask about unsaved work now, stop after this batch,
            # close when the worker ends, and offer to quit at once
            if not getattr(self, "_close_decided", False):
                if not self.files.maybe_save():
                    event.ignore()
                    return
                self._close_decided = True
                self.stop_training(wait=False)
                for t in busy:
                    t.finished.connect(self.close)
                self._offer_quit_now()
            event.ignore()
            return
        if not getattr(self, "_close_decided", False) and not self.files.maybe_save():
            event.ignore()
            return
        self.files.shutdown()  # saved, or discarded on purpose: its autosave goes, its lock is released
        if self.quit_box is not None:
            self.quit_box.hide()
        from .worker import wait_for_jobs
        wait_for_jobs()
        event.accept()

    quit_box = None

    def _offer_quit_now(self) -> None:
        box = self.quit_box = QMessageBox(QMessageBox.Information, "Stopping",
                                          "Stopping after this batch; the window closes when it ends.",
                                          QMessageBox.NoButton, self)
        box.setInformativeText("A batch of a large model can take a while. Quit now ends the program at once "
                               "(your work was already saved or discarded).")
        self.quit_now_button = box.addButton("Quit now", QMessageBox.DestructiveRole)
        box.addButton("Wait", QMessageBox.RejectRole)
        box.setModal(False)
        box.buttonClicked.connect(self._on_quit_box)
        box.show()

    def _on_quit_box(self, button) -> None:
        if button is self.quit_now_button:
            self.quit_now()

    def quit_now(self) -> None:
        """End the process while a batch runs: a worker thread cannot be interrupted inside Keras."""
        import os

        from ..backend.runtime import remove_generated_files
        self.files.clear_recovery()
        self.settings.sync()
        remove_generated_files()  # what interpreter exit would have removed
        os._exit(0)


def graph_edge(graph, src_name: str, dst_name: str) -> Edge:
    """The edge between two named layers (tests and scripts)."""
    s, d = graph.by_name(src_name).id, graph.by_name(dst_name).id
    return next(e for e in graph.edges if e.src == s and e.dst == d)


__all__ = ["MainWindow", "__version__"]
