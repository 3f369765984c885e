"""Menus and shortcuts. Each action calls the controller that owns the work; nothing here holds state."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .exchange import FORMATS

BACKENDS = ("tensorflow", "jax", "torch")


def _action(w, menu, text, slot, shortcut=None, tip=""):
    act = QAction(text, w)
    if shortcut:
        act.setShortcut(QKeySequence(shortcut))
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(tip)
    act.triggered.connect(slot)
    menu.addAction(act)
    return act


def build_menus(w) -> None:
    """File, Edit, View, Train, Help on the assembled window ``w``."""
    mb = w.menuBar()
    files, editor = w.files, w.editor
    f = mb.addMenu("&File")
    _action(w, f, "&New", files.new_project, QKeySequence.New, "An empty canvas")
    _action(w, f, "New from &preset\u2026", files.show_preset_gallery, "Ctrl+Shift+N", "Start from a preset network")
    w.pretrained_action = _action(w, f, "New from a pre&trained network\u2026", lambda: _show_pretrained(w), None,
                                  "An ImageNet classifier from keras.applications with a new head for your classes")
    _action(w, f, "&Open\u2026", files.open_dialog, QKeySequence.Open, "Open a project (.json) or import a Keras model")
    w.recent_menu = f.addMenu("Open &recent")
    files.recent_changed_hooks.append(lambda: refresh_recent(w))
    refresh_recent(w)
    f.addSeparator()
    _action(w, f, "&Save", files.save, QKeySequence.Save)
    _action(w, f, "Save &as\u2026", files.save_as, QKeySequence.SaveAs)
    f.addSeparator()
    exp = f.addMenu("&Export model")
    for fmt, label in FORMATS:
        _action(w, exp, label, lambda checked=False, fmt=fmt: w.exporter.export_dialog(fmt))
    f.addSeparator()
    _action(w, f, "&Quit", w.close, "Ctrl+Q")

    e = mb.addMenu("&Edit")
    # the document's undo and redo: a step under way first (doc.undo_claim: Learn instead), then the stack's
    undo, redo = QAction("&Undo", w), QAction("&Redo", w)
    undo.setShortcut(QKeySequence.Undo)
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    undo.triggered.connect(w.doc.undo)
    redo.triggered.connect(w.doc.redo)

    def undo_state():
        if not all(map(shiboken6.isValid, (w.doc.stack, undo, redo))):  # (the stack's destructor emits signals)
            return
        undo.setText(f"&Undo {w.doc.undo_text()}".rstrip())
        undo.setEnabled(w.doc.can_undo())
        redo.setText(f"&Redo {w.doc.stack.redoText() if w.doc.can_redo() else ''}".rstrip())
        redo.setEnabled(w.doc.can_redo())
    for signal in (w.doc.stack.canUndoChanged, w.doc.stack.undoTextChanged, w.doc.stack.canRedoChanged,
                   w.doc.stack.redoTextChanged, w.doc.undo_changed):
        signal.connect(undo_state)
    undo_state()
    e.addAction(undo)
    e.addAction(redo)
    w.undo_action, w.redo_action = undo, redo
    e.addSeparator()
    _action(w, e, "&Copy", editor.copy_selection, QKeySequence.Copy)
    _action(w, e, "&Paste", editor.paste, QKeySequence.Paste)
    _action(w, e, "&Duplicate", editor.duplicate, "Ctrl+D")
    _action(w, e, "De&lete", w.delete_selection, QKeySequence.Delete)
    join = _action(w, e, "Delete and &join", lambda: w.editor.delete_and_join() if w.workspaces.current != "See inside"
                   else None, "Ctrl+Delete", "Delete the selected layer and wire the layer before it into the ones after")
    # only where layers are chosen (the canvas, the layer table): in a text field Ctrl+Delete deletes a word, and a
    # line edit does not claim it, so a window-wide shortcut deleted the layer being renamed
    join.setShortcutContext(Qt.WidgetWithChildrenShortcut)
    for widget in (w.view, w.summary):
        widget.addAction(join)
    _action(w, e, "Select &all", editor.select_all, QKeySequence.SelectAll)
    e.addSeparator()
    _action(w, e, "Add palette &layer", w.add_palette_layer, "Ctrl+Return",
            "Add the layer selected in the palette after the selected layer, wired (Enter in the palette does too)")
    _action(w, e, "&Insert palette layer between", w.insert_palette_layer, "Ctrl+Shift+Return",
            "Put the layer selected in the palette between the selected layer and the one it feeds "
            "(Shift+Enter in the palette does too)")
    _action(w, e, "Co&nnect selected layers", editor.connect_selection, "Ctrl+K",
            "Connect the selected layers in order, left to right (select with Shift+arrow keys on the canvas)")

    v = mb.addMenu("&View")
    _action(w, v, "&Fit to window", w.view.fit_all, "Ctrl+0", "The whole network, or its start if it is too wide to read")
    _action(w, v, "Fit &selection", w.view.fit_selection, "Ctrl+Shift+0", "Show the selected layers")
    _action(w, v, "&Go to layer\u2026", lambda: (_show_canvas(w), w.view.show_find()), "Ctrl+G",
            "Find a layer on the canvas by name and centre it")
    _action(w, v, "Zoom &in", lambda: w.view.zoom_by(1.2), QKeySequence.ZoomIn)
    _action(w, v, "Zoom &out", lambda: w.view.zoom_by(1 / 1.2), QKeySequence.ZoomOut)
    prev = _action(w, v, "Layer &previews", w.view.previews.set_enabled, None,
                   "Each card shows its layer's output for one example (current weights)")
    prev.setCheckable(True)
    w.view.previews.enabled_changed.connect(prev.setChecked)
    _action(w, v, "&Auto-layout", editor.auto_layout, "Ctrl+L",
            "Arrange layers left to right (a long chain wraps into rows that fit the canvas)")

    def find_layer() -> None:  # the last search selected, as in any search box: typing replaces it
        if not w.palette_panel.isVisible():  # the Logic lab shows the palette too: it is searched there
            w.set_workspace("Build")
        w.palette_panel.search.setFocus(Qt.ShortcutFocusReason)
        w.palette_panel.search.selectAll()
    _action(w, v, "Find &layer", find_layer, QKeySequence.Find)
    theme_menu = v.addMenu("&Theme")
    group = QActionGroup(w)
    for mode in ("system", "light", "dark"):
        act = QAction("&" + mode.capitalize(), w, checkable=True)  # Alt+V, T, then S, L or D
        act.setChecked(w.settings.value("theme", "system") == mode)
        act.triggered.connect(lambda checked=False, m=mode: w.set_theme(m))
        group.addAction(act)
        theme_menu.addAction(act)

    t = mb.addMenu("&Train")
    start = _action(w, t, "&Start training", w.start_training, "F5")
    stop = _action(w, t, "S&top training", w.stop_training, "Esc")

    def on_run(method: str):  # (F6 and F7 from any workspace: a run is paused to be looked at in See inside)
        return lambda: None if w._train_panel is None else getattr(w._train_panel, method)()
    pause = _action(w, t, "&Pause or resume", on_run("toggle_pause"), "F6",
                    "After the batch in progress (Space in the Train panel)")
    step = _action(w, t, "Step &one batch", on_run("step"), "F7", "While paused: train exactly one more batch")

    def run_state():
        """The Train menu shows what applies now (Start stayed on during a run); closed, the keys stay on, and
        each says why where it does not apply ("a run is already training")."""
        train = w._train_panel is not None and w._train_panel.is_running()
        learn = w._logic_panel is not None and w._logic_panel.thread is not None and \
            w._logic_panel.thread.isRunning()
        for act, on in ((start, not train), (stop, train or learn), (pause, train),
                        (step, train and w._train_panel.paused)):
            act.setEnabled(on)
    t.aboutToShow.connect(run_state)
    t.aboutToHide.connect(lambda: [act.setEnabled(True) for act in (start, stop, pause, step)])
    t.addSeparator()
    backend_menu = t.addMenu("Keras &backend")
    backend_group = QActionGroup(w)
    w.backend_actions = {}
    for name in BACKENDS:
        act = QAction(name, w, checkable=True)
        act.triggered.connect(lambda checked=False, n=name: w.backend.choose(n))
        backend_group.addAction(act)
        backend_menu.addAction(act)
        w.backend_actions[name] = act

    h = mb.addMenu("&Help")
    _action(w, h, "&About Network Playground", w.show_about)


def _show_pretrained(w) -> None:
    from .pretrained import PretrainedDialog
    w.pretrained_dialog = PretrainedDialog(w.files, w)
    w.pretrained_dialog.open()  # window-modal, not a nested event loop: the worker's results still arrive


def _show_canvas(w) -> None:
    if w.workspaces.current == "See inside":
        w.set_workspace("Build")


def refresh_recent(w) -> None:
    w.recent_menu.clear()
    recent = w.files.recent_files()
    for p in recent:
        act = w.recent_menu.addAction(p)
        act.triggered.connect(lambda checked=False, p=p: w.files.open_file(p))
    w.recent_menu.setEnabled(bool(recent))
