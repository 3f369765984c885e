"""The main window: one project, one undo stack, four workspaces over the same canvas.

Build (palette, canvas, inspector, summary), Logic lab (canvas, truth table, decision line),
Train (canvas, training panel with live plots and results) and See inside (explorers). The
window owns the Project; panels listen to the graph and push commands onto ``self.stack``.
Keras is not imported here: backend work happens in ui/worker.py, on demand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPointF, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QMainWindow, QMessageBox, QPushButton, QSplitter, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QToolButton, QVBoxLayout, QWidget)

from .. import __version__
from ..core import project as project_io
from ..core import shapes
from ..core.errors import PlaygroundError
from ..core.graph import Edge
from ..core.layout import auto_layout
from ..core.registry import get_spec
from ..resources_path import preset_text
from . import commands as C
from .canvas.scene import GraphScene
from .canvas.view import GraphView
from .inspector import Inspector
from .palette import Palette

DEFAULT_PRESET = "mnist-cnn"
AUTOSAVE_MS = 30_000
WORKSPACES = ("Build", "Logic lab", "Train", "See inside")


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


def app_data_dir() -> Path:
    path = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or Path.home() / ".playground")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Banner(QFrame):
    """An inline message above the canvas: errors in red, notes in blue; never a modal traceback."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton(text="\u2715")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.label, 1)
        lay.addWidget(close)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        bg, fg = ("#FDECEA", "#8A1F1B") if kind == "error" else ("#E8F0FE", "#1A3E8C")
        self.setStyleSheet(f"Banner {{ background: {bg}; border-radius: 6px; }} QLabel {{ color: {fg}; }}")
        self.label.setText(text)
        self.show()


class SummaryTable(QWidget):
    """Like ``model.summary()``: layer, type, output shape, parameters, worked formula; totals below."""

    def __init__(self, window: "MainWindow"):
        super().__init__()
        self.window = window
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Layer", "Type", "Output shape", "Params", "Formula"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        h = self.table.horizontalHeader()
        for i in range(4):
            h.setSectionResizeMode(i, QHeaderView.ResizeToContents)
        h.setSectionResizeMode(4, QHeaderView.Stretch)
        self.totals = QLabel()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addWidget(self.table)
        lay.addWidget(self.totals)
        self.row_ids: list[str] = []
        self.table.itemSelectionChanged.connect(self._on_row_selected)

    def update_infos(self, graph, infos) -> None:
        self.table.blockSignals(True)
        order = graph.topological_order()
        self.table.setRowCount(len(order))
        self.row_ids = order
        for r, nid in enumerate(order):
            node, info = graph.nodes[nid], infos[nid]
            spec = get_spec(node.kind)
            formula = info.full_formula
            if info.errors:
                formula = "error: " + info.errors[0]
            elif info.status == "blocked":
                formula = "not computed: an earlier layer has an error"
            elif info.warnings:
                formula += "   \u26a0 " + info.warnings[0]
            cells = [node.name, spec.title, shapes.shape_text(info.shape), f"{info.params:,}", formula]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if info.errors:
                    item.setForeground(Qt.red)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        total, trainable = shapes.totals(infos)
        n_err = sum(1 for i in infos.values() if i.errors)
        mem = total * 4 / 2 ** 20
        self.totals.setText(f"<b>Total params: {total:,}</b> ({trainable:,} trainable) \u00b7 weights {mem:.2f} MiB "
                            f"as float32" + (f" \u00b7 <span style='color:#D64541'>{n_err} layer(s) with errors</span>"
                                             if n_err else ""))
        self.table.blockSignals(False)

    def select_node(self, node_id: str | None) -> None:
        self.table.blockSignals(True)
        self.table.clearSelection()
        if node_id in self.row_ids:
            self.table.selectRow(self.row_ids.index(node_id))
        self.table.blockSignals(False)

    def _on_row_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if rows:
            self.window.select_nodes([self.row_ids[min(rows)]])


class MainWindow(QMainWindow):
    """The whole app window; ``MainWindow()`` builds it with a default preset and no Keras import."""

    def __init__(self, preset: str | None = DEFAULT_PRESET, settings: QSettings | None = None):
        super().__init__()
        collect_garbage_in_gui_thread()
        self.settings = settings or QSettings("NetworkPlayground", "playground")
        self.project = project_io.Project()
        self.graph = self.project.graph
        self.path: Path | None = None
        # a child of the window, so Qt deletes it with the window; its signals go to bound methods,
        # which PySide disconnects when the window is destroyed (a lambda would not be)
        self.stack = QUndoStack(self)
        self.trained_model = None  # the last trained keras.Model (kept for results and See inside)
        self.trained_outcome = None

        self.scene = GraphScene(self.graph, self)
        self.view = GraphView(self.scene)
        self.palette_panel = Palette()
        self.inspector = Inspector(self.graph, self.stack)
        self.summary = SummaryTable(self)
        self.banner = Banner()

        from .logic_lab import DecisionPlot, LogicPanel
        from .train_panel import TrainPanel
        from .inside import InsidePanel
        self.logic_panel = LogicPanel(self)
        self.decision_plot = DecisionPlot(self)
        self.train_panel = TrainPanel(self)
        self.inside_panel = InsidePanel(self)

        self.right_stack = QStackedWidget()
        for w in (self.inspector, self.logic_panel, self.train_panel):
            self.right_stack.addWidget(w)
        self.bottom_stack = QStackedWidget()
        self.bottom_stack.addWidget(self.summary)
        self.bottom_stack.addWidget(self.decision_plot)

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

        self._build_menus()
        self._connect()
        self._apply_saved_backend()
        self.resize(1480, 900)
        self.hsplit.setSizes([200, 900, 380])
        self.vsplit.setSizes([620, 220])
        self.set_workspace("Build")

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.write_recovery)
        self.autosave_timer.start()

        if preset:
            self.load_project(project_io.loads(preset_text(preset)), None)
        else:
            self._update_title()

    # ------------------------------------------------------------ wiring
    def _connect(self) -> None:
        self.scene.inferred.connect(self._on_inferred)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.connect_requested.connect(self.connect_nodes)
        self.scene.move_requested.connect(lambda moves: self.stack.push(C.MoveNodesCommand(self.graph, moves)))
        self.view.layer_dropped.connect(self.add_layer)
        self.palette_panel.add_requested.connect(
            lambda kind: self.add_layer(kind, self.view.mapToScene(self.view.viewport().rect().center())))
        self.stack.cleanChanged.connect(self._update_title)
        self.stack.indexChanged.connect(self._update_title)

    def _action(self, menu, text, slot, shortcut=None, tip=""):
        act = QAction(text, self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self._action(f, "&New", self.new_project, QKeySequence.New, "An empty canvas")
        self._action(f, "New from &preset\u2026", self.show_preset_gallery, "Ctrl+Shift+N", "Start from a preset network")
        self._action(f, "&Open\u2026", self.open_dialog, QKeySequence.Open, "Open a project (.json) or import a Keras model")
        self.recent_menu = f.addMenu("Open &recent")
        self._refresh_recent()
        f.addSeparator()
        self._action(f, "&Save", self.save, QKeySequence.Save)
        self._action(f, "Save &as\u2026", self.save_as, QKeySequence.SaveAs)
        f.addSeparator()
        exp = f.addMenu("&Export model")
        for fmt, label in (("h5", "Keras .h5\u2026"), ("keras", "Keras .keras\u2026"), ("py", "Python script .py\u2026")):
            self._action(exp, label, lambda checked=False, fmt=fmt: self.export_dialog(fmt))
        f.addSeparator()
        self._action(f, "&Quit", self.close, QKeySequence.Quit)

        e = mb.addMenu("&Edit")
        undo = self.stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.Undo)
        redo = self.stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        e.addAction(undo)
        e.addAction(redo)
        e.addSeparator()
        self._action(e, "&Copy", self.copy_selection, QKeySequence.Copy)
        self._action(e, "&Paste", self.paste, QKeySequence.Paste)
        self._action(e, "&Duplicate", self.duplicate, "Ctrl+D")
        self._action(e, "De&lete", self.delete_selection, QKeySequence.Delete)
        self._action(e, "Select &all", self.select_all, QKeySequence.SelectAll)

        v = mb.addMenu("&View")
        self._action(v, "&Fit to window", self.view.fit_all, "Ctrl+0")
        self._action(v, "Zoom &in", lambda: self.view.zoom_by(1.2), QKeySequence.ZoomIn)
        self._action(v, "Zoom &out", lambda: self.view.zoom_by(1 / 1.2), QKeySequence.ZoomOut)
        self._action(v, "&Auto-layout", self.auto_layout, "Ctrl+L", "Arrange layers left to right")
        self._action(v, "Find &layer", lambda: (self.set_workspace("Build"), self.palette_panel.search.setFocus()),
                     QKeySequence.Find)
        theme_menu = v.addMenu("&Theme")
        group = QActionGroup(self)
        for mode in ("system", "light", "dark"):
            act = QAction(mode.capitalize(), self, checkable=True)
            act.setChecked(self.settings.value("theme", "system") == mode)
            act.triggered.connect(lambda checked=False, m=mode: self.set_theme(m))
            group.addAction(act)
            theme_menu.addAction(act)

        t = mb.addMenu("&Train")
        self._action(t, "&Start training", self.start_training, "F5")
        self._action(t, "S&top training", self.stop_training, "Esc")
        t.addSeparator()
        backend_menu = t.addMenu("Keras &backend")
        backend_group = QActionGroup(self)
        self.backend_actions = {}
        for name in ("tensorflow", "jax", "torch"):
            act = QAction(name, self, checkable=True)
            act.triggered.connect(lambda checked=False, n=name: self.set_backend(n))
            backend_group.addAction(act)
            backend_menu.addAction(act)
            self.backend_actions[name] = act

        h = mb.addMenu("&Help")
        self._action(h, "&About Network Playground", self.show_about)

        # workspace switcher, right of the menus
        bar = self.workspace_bar = QWidget(self)  # keep a Python reference: the corner widget is not owned
        hb = QHBoxLayout(bar)
        hb.setContentsMargins(0, 0, 8, 0)
        hb.setSpacing(2)
        self.workspace_buttons: dict[str, QPushButton] = {}
        for i, name in enumerate(WORKSPACES):
            b = QPushButton(name)
            b.setCheckable(True)
            b.setFlat(True)
            b.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            b.setToolTip(f"{name} workspace (Ctrl+{i + 1})")
            b.clicked.connect(lambda checked=False, n=name: self.set_workspace(n))
            hb.addWidget(b)
            self.workspace_buttons[name] = b
        mb.setCornerWidget(bar, Qt.TopRightCorner)

    # ------------------------------------------------------------ workspaces
    def set_workspace(self, name: str) -> None:
        self.workspace = name
        for n, b in self.workspace_buttons.items():
            b.setChecked(n == name)
            b.setStyleSheet("font-weight: bold; border-bottom: 2px solid #3D7BF2;" if n == name else "")
        if name == "See inside":
            self.pages.setCurrentIndex(1)
            self.inside_panel.refresh()
            return
        self.pages.setCurrentIndex(0)
        self.palette_panel.setVisible(name in ("Build", "Logic lab"))
        self.right_stack.setCurrentIndex({"Build": 0, "Logic lab": 1, "Train": 2}[name])
        self.bottom_stack.setCurrentIndex(1 if name == "Logic lab" else 0)
        self.bottom_stack.setVisible(name != "Train")
        total = max(self.hsplit.width(), 1200)
        if name == "Train":
            self.hsplit.setSizes([0, int(total * 0.36), int(total * 0.64)])
        elif name == "Logic lab":
            self.hsplit.setSizes([170, total - 170 - 560, 560])
        else:
            self.hsplit.setSizes([200, total - 600, 400])
        if name == "Logic lab":
            self.logic_panel.refresh()

    # ------------------------------------------------------------ selection and inference
    def _on_inferred(self, infos) -> None:
        self.inspector.set_infos(infos)
        self.logic_panel.neuron_editor.set_infos(infos)
        self.summary.update_infos(self.graph, infos)
        if self.workspace == "Logic lab":
            self.logic_panel.refresh()

    def _on_selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        current = ids[0] if ids else None
        edge_into_neuron = None
        if current is None:
            edges = self.scene.selected_edges()
            if edges and self.graph.nodes[edges[0].dst].kind == "neuron":
                # clicking the edge of a weight edits the neuron it feeds
                edge_into_neuron = edges[0]
                current = edges[0].dst
        for editor in (self.inspector, self.logic_panel.neuron_editor):
            if current != editor.node_id:
                editor.show_node(current)
        if edge_into_neuron is not None:
            editor = self.logic_panel.neuron_editor if self.workspace == "Logic lab" else self.inspector
            first = editor.edit_weight_editor("kernel", (0, 0))
            if first is not None:
                first.setFocus()
                first.selectAll()
        self.summary.select_node(current)
        if self.workspace == "Logic lab":
            self.logic_panel.refresh()

    def select_nodes(self, ids: list[str]) -> None:
        self.scene.clearSelection()
        for nid in ids:
            item = self.scene.node_items.get(nid)
            if item is not None:
                item.setSelected(True)
        if ids and ids[0] in self.scene.node_items:
            self.view.ensureVisible(self.scene.node_items[ids[0]])

    def select_all(self) -> None:
        self.select_nodes(list(self.graph.nodes))

    # ------------------------------------------------------------ edits
    def add_layer(self, kind: str, pos: QPointF) -> str | None:
        try:
            cmd = C.AddNodeCommand(self.graph, kind, (round(pos.x()), round(pos.y())))
        except PlaygroundError as exc:
            self.banner.show_message(str(exc))
            return None
        self.stack.push(cmd)
        self.select_nodes([cmd.node.id])
        self.statusBar().showMessage(f"Added {cmd.node.name}. Drag from its right port to connect it.", 4000)
        return cmd.node.id

    def connect_nodes(self, src: str, dst: str) -> bool:
        """Connect src -> dst as one undo step; a refused edge shows why and changes nothing."""
        try:
            cmd = C.ConnectCommand(self.graph, src, dst)  # checks and connects, or raises
        except PlaygroundError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            self.banner.show_message(str(exc))
            return False
        self.stack.beginMacro("Connect")
        self.stack.push(cmd)
        if self.graph.nodes[dst].kind == "neuron":
            info = shapes.infer(self.graph)
            ins = self.graph.input_ids(dst)
            n_in = info[ins[0]].shape[-1] if ins and info[ins[0]].shape else None
            k = self.graph.nodes[dst].weights.get("kernel")
            if n_in and (k is None or k.shape[0] != n_in):
                self.stack.push(C.SetWeightsCommand(self.graph, {dst: C.fitted_neuron_weights(self.graph, dst, n_in)},
                                                    "Fit weights"))
        self.stack.endMacro()
        self.banner.hide()
        return True

    def delete_selection(self) -> None:
        if self.workspace == "See inside":
            return
        nodes = self.scene.selected_node_ids()
        edges = [e for e in self.scene.selected_edges() if e.src not in nodes and e.dst not in nodes]
        if not nodes and not edges:
            return
        self.stack.beginMacro("Delete")
        for e in edges:
            self.stack.push(C.DisconnectCommand(self.graph, e))
        if nodes:
            self.stack.push(C.RemoveNodesCommand(self.graph, nodes))
        self.stack.endMacro()

    def auto_layout(self) -> None:
        moves = {nid: (self.graph.nodes[nid].pos, p) for nid, p in auto_layout(self.graph).items()
                 if self.graph.nodes[nid].pos != p}
        if moves:
            self.stack.push(C.MoveNodesCommand(self.graph, moves))
        self.view.fit_all()

    def copy_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        sub = project_io.Project()
        for nid in ids:
            sub.graph.insert_node(self.graph.nodes[nid].clone())
        for e in self.graph.edges:
            if e.src in ids and e.dst in ids:
                sub.graph.add_edge_unchecked(e)
        # plain JSON text: it pastes between windows and apps, and the clipboard copies a string
        # (handing it a QMimeData would leave Qt and Python both owning it)
        QGuiApplication.clipboard().setText(project_io.dumps(sub))

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if '"app": "playground"' not in text:
            self.statusBar().showMessage("The clipboard holds no layers to paste.", 4000)
            return
        try:
            sub = project_io.loads(text)
        except PlaygroundError as exc:
            self.banner.show_message(f"Cannot paste: {exc}")
            return
        id_map = {}
        self.stack.beginMacro(f"Paste {len(sub.graph.nodes)} layer(s)")
        for node in sub.graph.nodes.values():
            cmd = C.AddNodeCommand(self.graph, node.kind, (node.pos[0] + 40, node.pos[1] + 40), dict(node.params),
                                   name=self.graph.unique_name(node.name), weights=node.weights)
            self.stack.push(cmd)
            id_map[node.id] = cmd.node.id
        for e in sub.graph.edges:
            try:
                self.stack.push(C.ConnectCommand(self.graph, id_map[e.src], id_map[e.dst]))
            except PlaygroundError:
                pass  # an edge that no longer fits is simply not pasted; the nodes are
        self.stack.endMacro()
        self.select_nodes(list(id_map.values()))

    def duplicate(self) -> None:
        self.copy_selection()
        self.paste()

    # ------------------------------------------------------------ files
    def is_dirty(self) -> bool:
        return not self.stack.isClean()

    def _update_title(self, *_) -> None:
        if not shiboken6.isValid(self.stack) or not shiboken6.isValid(self):
            return  # the stack's destructor emits its last signals during interpreter shutdown
        name = self.path.name if self.path else self.project.name
        self.setWindowTitle(f"{name}[*] \u2014 Network Playground")
        self.setWindowModified(self.is_dirty())

    def load_project(self, proj: project_io.Project, path: Path | None) -> None:
        """Replace the current project (not undoable: the stack starts fresh)."""
        self.stop_training(wait=True)
        self.stack.clear()
        self.project.name, self.project.description = proj.name, proj.description
        self.project.training, self.project.logic = dict(proj.training), dict(proj.logic)
        self.graph.replace_with(proj.graph)
        self.path = path
        self.trained_model = None
        self.trained_outcome = None
        self.stack.setClean()
        self.inspector.show_node(None)
        self.train_panel.load_settings(self.project.training)
        self.logic_panel.load_settings(self.project.logic)
        self.train_panel.clear_results()
        self._update_title()
        QTimer.singleShot(0, self.view.fit_all)
        self.view.fit_all()

    def new_project(self) -> None:
        if not self.maybe_save():
            return
        self.load_project(project_io.Project(), None)

    def new_from_preset(self, name: str) -> None:
        if not self.maybe_save():
            return
        proj = project_io.loads(preset_text(name))
        self.load_project(proj, None)
        if proj.logic.get("target"):
            self.set_workspace("Logic lab")

    def show_preset_gallery(self) -> None:
        from .dialogs import PresetGallery
        dlg = PresetGallery(self)
        if dlg.exec() and dlg.chosen:
            self.new_from_preset(dlg.chosen)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", str(self._last_dir()),
                                              "Projects and models (*.json *.h5 *.keras);;All files (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | os.PathLike) -> bool:
        """Open a project or import a model; on failure the current work is untouched and the banner says why."""
        path = Path(path)
        if not self.maybe_save():
            return False
        try:
            if path.suffix in (".h5", ".keras", ".hdf5"):
                self.statusBar().showMessage(f"Importing {path.name} (loading Keras)\u2026")
                QGuiApplication.setOverrideCursor(Qt.WaitCursor)
                try:
                    from ..backend.export import import_model
                    graph = import_model(path)
                finally:
                    QGuiApplication.restoreOverrideCursor()
                proj = project_io.Project(graph, path.stem)
                self.load_project(proj, None)
                self.statusBar().showMessage(f"Imported {path.name}: {len(graph.nodes)} layers. Save to keep it "
                                             f"as a project.", 8000)
            else:
                proj = project_io.load(path)
                self.load_project(proj, path)
        except PlaygroundError as exc:
            self.banner.show_message(f"Could not open {path.name}: {exc}")
            self.statusBar().showMessage(f"Could not open {path.name}", 8000)
            return False
        self._add_recent(path)
        self.banner.hide()
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save project", str(self._last_dir() / f"{self.project.name}.json"),
                                              "Projects (*.json)")
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        self.project.training = self.train_panel.current_settings(strict=False)
        self.project.logic = self.logic_panel.current_settings()
        if self.path is None or Path(path) != self.path:
            self.project.name = Path(path).stem
        try:
            project_io.save(self.project, path)
        except (OSError, PlaygroundError) as exc:
            self.banner.show_message(f"Could not save {path}: {getattr(exc, 'strerror', None) or exc}")
            return False
        self.path = Path(path)
        self.stack.setClean()
        self._add_recent(self.path)
        self.clear_recovery()
        self._update_title()
        self.statusBar().showMessage(f"Saved {self.path}", 4000)
        return True

    def export_dialog(self, fmt: str) -> None:
        default = self._last_dir() / f"{self.project.name}.{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, f"Export as .{fmt}", str(default), f"*.{fmt}")
        if path:
            self.export_to(path if path.endswith(f".{fmt}") else f"{path}.{fmt}", fmt)

    def export_to(self, path: str, fmt: str) -> bool:
        try:
            from ..backend.export import export
            QGuiApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                export(self.graph, path, fmt, name=self.project.name)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except PlaygroundError as exc:
            self.banner.show_message(f"Could not export: {exc}")
            return False
        self.banner.show_message(f"Exported {path}. Plain Keras loads it with keras.models.load_model().", "info")
        return True

    def _last_dir(self) -> Path:
        recent = self.recent_files()
        return Path(recent[0]).parent if recent else Path.home()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [v for v in (value if isinstance(value, list) else [value]) if v]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent", items[:10])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.recent_files():
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda checked=False, p=p: self.open_file(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def maybe_save(self) -> bool:
        """True when it is fine to replace the current project (saved, discarded, or clean)."""
        if not self.is_dirty():
            return True
        answer = self.ask_save()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def ask_save(self) -> str:
        """'save', 'discard' or 'cancel' (tests replace this method)."""
        box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                          f"Save the changes to {self.project.name}?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setInformativeText("If you don't save, your changes since the last save are lost.")
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(box.exec(), "cancel")

    # ------------------------------------------------------------ autosave and recovery
    def recovery_path(self) -> Path:
        return app_data_dir() / "recovery.json"

    def write_recovery(self) -> None:
        if not self.is_dirty():
            return
        self.project.training = self.train_panel.current_settings(strict=False)
        data = project_io.to_dict(self.project)
        data["recovery"] = {"path": str(self.path) if self.path else None}
        try:
            tmp = self.recovery_path().with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.recovery_path())
        except OSError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc.strerror}", 8000)

    def clear_recovery(self) -> None:
        try:
            self.recovery_path().unlink()
        except FileNotFoundError:
            pass

    def offer_recovery(self) -> None:
        """After a crash: offer the autosaved project back (called by run_app, not the constructor)."""
        path = self.recovery_path()
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            original = (data.pop("recovery", None) or {}).get("path")
            proj = project_io.from_dict(data)
        except (OSError, ValueError, PlaygroundError):
            self.clear_recovery()
            return
        answer = QMessageBox.question(self, "Recover unsaved work?",
                                      f"Network Playground closed with unsaved changes to {proj.name}. Restore them?",
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer == QMessageBox.Yes:
            self.load_project(proj, Path(original) if original else None)
            # restored work is unsaved work: mark it so
            self.stack.resetClean()
            self._update_title()
        self.clear_recovery()

    # ------------------------------------------------------------ training hooks
    def start_training(self) -> None:
        self.set_workspace("Train")
        self.train_panel.start()

    def stop_training(self, wait: bool = False) -> None:
        if self.scene.cancel_edge_drag():
            return
        self.train_panel.stop(wait=wait)
        self.logic_panel.stop_learning(wait=wait)

    def apply_trained_weights(self, weights: dict, text: str = "Apply trained weights") -> None:
        current = {nid: w for nid, w in weights.items() if nid in self.graph.nodes}
        if current:
            self.stack.push(C.SetWeightsCommand(self.graph, current, text))

    # ------------------------------------------------------------ backend choice
    def _apply_saved_backend(self) -> None:
        """KERAS_BACKEND from the environment wins; otherwise the saved choice, set before Keras loads."""
        name = os.environ.get("KERAS_BACKEND") or str(self.settings.value("backend", "tensorflow"))
        if "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
            import importlib.util
            if importlib.util.find_spec(name) is not None:
                os.environ["KERAS_BACKEND"] = name
            else:
                name = "tensorflow"
        if name in self.backend_actions:
            self.backend_actions[name].setChecked(True)

    def set_backend(self, name: str) -> bool:
        """Choose the Keras backend for training; it takes effect before Keras first loads."""
        from ..backend.runtime import select_backend
        try:
            select_backend(name)
        except PlaygroundError as exc:
            message = str(exc)
            if "already running" in message:
                self.settings.setValue("backend", name)
                self.banner.show_message(f"{message} The choice is saved for the next start.", "info")
            else:
                self.banner.show_message(message)
            self._apply_saved_backend()  # put the tick back where it really is
            return False
        self.settings.setValue("backend", name)
        self.banner.show_message(f"Training will run on Keras with the {name} backend.", "info")
        return True

    # ------------------------------------------------------------ misc
    def set_theme(self, mode: str) -> None:
        from .theme import apply_theme
        self.settings.setValue("theme", mode)
        apply_theme(QGuiApplication.instance(), mode)
        self.scene.update()
        self.view.viewport().update()

    def show_about(self) -> None:
        from .dialogs import about_text
        QMessageBox.about(self, "About Network Playground", about_text())

    def closeEvent(self, event) -> None:
        self.stop_training(wait=True)
        if not self.maybe_save():
            event.ignore()
            return
        self.clear_recovery()  # saved, or discarded on purpose
        self.autosave_timer.stop()
        event.accept()


def graph_edge(graph, src_name: str, dst_name: str) -> Edge:
    """The edge between two named layers (tests and scripts)."""
    s, d = graph.by_name(src_name).id, graph.by_name(dst_name).id
    return next(e for e in graph.edges if e.src == s and e.dst == d)


__all__ = ["MainWindow", "__version__"]
