"""The Build workspace: drops, connections, live shapes, errors, undo/redo, files."""

import os
import subprocess
import sys

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtGui import QDropEvent

from playground.core import project
from playground.resources_path import preset_text
from playground.ui.canvas.view import MIME_LAYER


def test_window_constructs_without_keras(tmp_path):
    """The app as it starts (``run_app``, in a fresh process): the default preset, no Keras loaded, and the app's
    9.5 pt type in every label, the grey ones with a style sheet of their own included (such a label keeps the
    font it was made with: the type must be set before the window is built). And when it quits, nothing of it is
    left in the temp folder: AutoGraph's source files and their cached bytecode (one stands in for them here: the real
    ones are made in test_files_stay_inside) would outlive the app's ``os._exit`` but for ``remove_generated_files``."""
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from PySide6.QtCore import QTimer\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "def check():\n"
            "    try:\n"
            "        w = next(x for x in app.topLevelWidgets() if type(x).__name__ == 'MainWindow')\n"
            "        assert len(w.graph.nodes) == 10, len(w.graph.nodes)\n"
            "        bad = [m for m in ('keras', 'tensorflow') if m in sys.modules]\n"
            "        assert not bad, bad\n"
            "        p = w.train_panel\n"
            "        sizes = {n: x.font().pointSizeF() for n, x in (('status', p.status), ('counter', p.counter),\n"
            "                                                        ('device', p.device))}\n"
            "        assert set(sizes.values()) == {9.5}, sizes\n"
            "        import importlib.util, tempfile\n"  # a stand-in, written and imported as AutoGraph does
            "        name = '__autograph_generated_filestandin'\n"
            "        path = os.path.join(tempfile.gettempdir(), name + '.py')\n"
            "        with open(path, 'w') as f:\n"
            "            f.write('x = 1\\n')\n"
            "        spec = importlib.util.spec_from_file_location(name, path)\n"
            "        module = importlib.util.module_from_spec(spec)\n"
            "        spec.loader.exec_module(module)\n"
            "        sys.modules[name] = module\n"
            "        assert os.listdir(os.path.join(tempfile.gettempdir(), '__pycache__'))\n"
            "        print('ok', flush=True)\n"
            "        app.exit(0)\n"
            "    except BaseException as exc:\n"
            "        print('failed', repr(exc), flush=True)\n"
            "        app.exit(3)\n"
            "QTimer.singleShot(0, check)\n"
            "from playground.ui.app import run_app\n"
            "run_app([])\n")
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"),  # the user's settings and recovery files stay out of it
           "TMPDIR": str(tmp_path / "tmp")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # so the stand-in's bytecode is cached, as on most machines
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, (out.stdout + out.stderr)[-2000:]
    assert out.stdout.strip().endswith("ok")
    assert not list((tmp_path / "tmp").rglob("*"))


def test_default_window_has_a_trainable_preset(window):
    assert window.project.name == "mnist-cnn"
    assert window.project.training["dataset"] == "mnist-sample"
    assert not window.is_dirty()


def test_the_train_logic_lab_and_lessons_panels_are_built_when_first_shown(window, qtbot):
    """Issue 26: the window opens with what is on screen; the Train and Logic lab panels are built on the first
    click of their workspace, the Lessons panel when the lessons are first opened (F1). Each then shows the
    document as it is, not as it was when the window opened: here an empty project opened, a neuron selected and a
    setting changed before either existed."""
    from playground.ui.lessons_panel import LessonsPanel
    from playground.ui.logic_lab import LogicPanel
    from playground.ui.train_panel import TrainPanel

    def built(kind):
        return window.findChildren(kind)
    assert not built(TrainPanel) and not built(LogicPanel) and not built(LessonsPanel)
    qtbot.keyClick(window.view, Qt.Key_Escape)  # Stop training (Esc) with nothing built: nothing to build
    assert not built(TrainPanel) and not built(LogicPanel)

    window.new_project()  # the canvas is empty now
    window.doc.set_setting("training", "epochs", 7)
    qtbot.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    assert len(built(TrainPanel)) == 1 and not built(LogicPanel)
    panel = window.train_panel
    assert window.right_stack.currentWidget() is panel and panel.isVisible()
    assert not panel.start_btn.isEnabled() and "canvas is empty" in panel.start_btn.toolTip()
    assert panel.epochs_box.value() == 7

    qtbot.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    bits = window.add_layer("input", QPointF(0, 0))
    neuron = window.add_layer("neuron", QPointF(200, 0))  # (ids)
    window.select_nodes([bits])
    type_into(window.inspector.fields["shape"], "2")  # two bits in
    qtbot.keyClick(window.inspector.fields["shape"], Qt.Key_Return)
    window.connect_nodes(bits, neuron)
    window.select_nodes([neuron])
    qtbot.mouseClick(window.workspaces.buttons["Logic lab"], Qt.LeftButton)
    assert len(built(LogicPanel)) == 1 and len(built(TrainPanel)) == 1
    lab = window.logic_panel
    assert window.right_stack.currentWidget() is lab and lab.isVisible()
    assert window.bottom_stack.currentWidget() is window.decision_plot and window.decision_plot.isVisible()
    assert lab.neuron_editor.node_id == neuron  # the neuron selected before the lab existed
    assert lab.table.isVisible() and lab.table.rowCount() == 4  # the truth table of two bits

    assert not built(LessonsPanel)
    qtbot.keyClick(window.view, Qt.Key_F1)  # Help > Lessons
    assert len(built(LessonsPanel)) == 1 and window.lessons_panel.isVisible() and window.lessons_dock.isVisible()
    assert window.lessons_panel.list.count() > 0 and window.lessons_panel.list.currentRow() == 0


def type_into(field, text):
    """Select the field's text and type over it, as a user does."""
    from PySide6.QtTest import QTest
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)


def simulate_drop(window, kind, view_pos=QPoint(300, 200)):
    mime = QMimeData()
    mime.setData(MIME_LAYER, kind.encode())
    event = QDropEvent(QPointF(view_pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.view.dropEvent(event)


def test_drop_from_palette_adds_a_node(window):
    window.new_project()
    assert len(window.graph.nodes) == 0
    # the palette offers the drag with our mime type
    item = window.palette_panel.items["conv2d"]
    mime = window.palette_panel.tree.mimeData([item])
    assert bytes(mime.data(MIME_LAYER)) == b"conv2d"
    simulate_drop(window, "conv2d")
    assert [n.kind for n in window.graph.nodes.values()] == ["conv2d"]
    assert len(window.scene.node_items) == 1
    assert window.is_dirty() and window.isWindowModified() and window.windowTitle().startswith("untitled")


def test_connecting_updates_downstream_shapes(window):
    window.new_project()
    a = window.add_layer("input", QPointF(0, 0))
    window.stack.push(__import__("playground.ui.commands", fromlist=["x"]).SetParamCommand(
        window.graph, a, "shape", [28, 28, 1]))
    b = window.add_layer("conv2d", QPointF(250, 0))
    c = window.add_layer("maxpool2d", QPointF(500, 0))
    assert window.scene.node_items[c].shape_line == "?"
    assert window.connect_nodes(a, b) and window.connect_nodes(b, c)
    assert window.scene.node_items[b].shape_line == "26x26x32"
    assert window.scene.node_items[c].shape_line == "13x13x32"


def test_inspector_kernel_edit_changes_shape_labels(window):
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    assert window.inspector.node_id == conv.id
    spin = window.inspector.fields["kernel_size"]
    type_into(spin, "3")
    assert conv.params["kernel_size"] == 3
    assert window.scene.node_items[conv.id].shape_line == "26x26x32"
    assert window.scene.node_items[window.graph.by_name("maxpool2d").id].shape_line == "13x13x32"
    assert "floor((28 + 2*0 - 3)/1) + 1 = 26" in window.inspector.output.text()
    # a drag of the spin box is one undo step
    type_into(spin, "6")
    type_into(spin, "7")
    window.stack.undo()
    assert conv.params["kernel_size"] == 5


def test_impossible_setting_shows_error_badge_and_nothing_is_clamped(window):
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    type_into(window.inspector.fields["kernel_size"], "30")  # larger than 28: an error, kept as typed
    QTest.keyClick(window.inspector.fields["kernel_size"], Qt.Key_Return)  # and committed
    assert conv.params["kernel_size"] == 30
    item = window.scene.node_items[conv.id]
    assert item.status == "error" and "kernel=30" in item.message and "kernel=30" in item.toolTip()
    assert "kernel_size" not in item.message  # the word the inspector field is labelled with
    assert window.scene.node_items[window.graph.by_name("flatten").id].status == "blocked"
    # out of the spec's range: the field turns red, the model keeps its value, the message says the field's word
    type_into(window.inspector.fields["kernel_size"], "0")
    assert conv.params["kernel_size"] == 30
    assert window.inspector.msgs["kernel_size"].isVisibleTo(window.inspector)
    assert "Received kernel=0" in window.inspector.msgs["kernel_size"].text()


def test_undo_redo_restore_the_exact_graph(window):
    before = window.graph.copy()
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    window.inspector.fields["filters"].setValue(8)
    window.add_layer("dense", QPointF(900, 400))
    window.select_nodes([window.graph.by_name("flatten").id])
    window.delete_selection()
    after = window.graph.copy()
    assert after != before
    while window.stack.canUndo():
        window.stack.undo()
    assert window.graph == before
    while window.stack.canRedo():
        window.stack.redo()
    assert window.graph == after
    assert len(window.scene.node_items) == len(after.nodes)
    assert len(window.scene.edge_items) == len(after.edges)


def test_refused_connection_explains_and_changes_nothing(window):
    g = window.graph
    before = g.copy()
    depth = window.stack.count()
    assert not window.connect_nodes(g.by_name("dense_1").id, g.by_name("conv2d").id)  # would be a cycle
    assert g == before and window.stack.count() == depth
    assert window.banner.isVisible() and "cycle" in window.banner.label.text()


def test_save_then_open_restores(window, tmp_path):
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    window.inspector.fields["filters"].setValue(16)
    path = tmp_path / "mine.json"
    assert window.save_to(path)
    assert not window.is_dirty() and not window.isWindowModified() and "mine.json" in window.windowTitle()
    saved = window.graph.copy()
    window.new_project()
    assert len(window.graph.nodes) == 0
    assert window.open_file(path)
    assert window.graph == saved
    assert str(path) in window.recent_files()


def test_corrupt_file_leaves_current_project_untouched(window, tmp_path, qtbot):
    before = window.graph.copy()
    bad = tmp_path / "broken.json"
    bad.write_text('{"schema_version": 1, "nodes": [{"type": "conv2d", "params": {"kernel_size": "big"}}]}')
    assert not window.open_file(bad)
    assert window.graph == before
    assert window.banner.isVisible() and "kernel_size='big'" in window.banner.label.text()
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"\x00\x01 not hdf5")
    window.open_file(garbage)  # a model is imported in a worker thread: the answer comes back queued
    qtbot.waitUntil(lambda: window.files.importing is None, timeout=60_000)
    assert window.graph == before and "HDF5" in window.banner.label.text()


def test_copy_paste_and_delete_edge(window, qtbot):
    g = window.graph
    n = len(g.nodes)
    window.select_nodes([g.by_name("conv2d").id, g.by_name("maxpool2d").id])
    window.editor.duplicate()
    assert len(g.nodes) == n + 2
    pasted = window.scene.selected_node_ids()
    assert len(pasted) == 2 and any(e.src in pasted and e.dst in pasted for e in g.edges)
    window.stack.undo()
    assert len(g.nodes) == n


def test_ctrl_d_duplicates_as_duplicate_and_leaves_the_clipboard_alone(window, qtbot):
    """A drive: Ctrl+D was "Paste 1 layer" in Edit > Undo, and it put the layer on the clipboard over whatever the
    user had copied there. A frozen layer stays frozen in its copy (a copy or a paste unfroze it)."""
    from PySide6.QtGui import QGuiApplication
    from test_build_by_hand import click_card
    from playground.ui.commands import SetTrainableCommand
    g = window.graph
    conv = g.by_name("conv2d")
    window.doc.push(SetTrainableCommand(g, [conv.id], False))  # (set up: frozen)
    QGuiApplication.clipboard().setText("my notes")
    click_card(window, conv.id)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_D, Qt.ControlModifier)
    (copy,) = [g.nodes[i] for i in window.scene.selected_node_ids()]
    assert copy.id != conv.id and copy.kind == "conv2d" and not copy.trainable
    assert window.doc.undo_text() == "Duplicate 1 layer"
    assert QGuiApplication.clipboard().text() == "my notes"
    said = window.statusBar().currentMessage()  # the copy is unwired (red at once), and the status bar says how
    assert said.startswith("Duplicated 1 layer") and f"{copy.name} has no input yet" in said, said


def test_move_is_an_undo_command(window):
    node = window.graph.by_name("dense")
    old = node.pos
    item = window.scene.node_items[node.id]
    window.select_nodes([node.id])
    window.scene.begin_move()  # what a mouse press on the card does
    item.setPos(item.pos() + QPointF(50, 20))  # the drag
    window.scene.finish_move()  # the release
    assert node.pos == (old[0] + 50, old[1] + 20)
    window.stack.undo()
    assert node.pos == old and item.pos() == QPointF(*old)


def test_autosave_writes_recovery_and_offer_restores(window, monkeypatch):
    window.select_nodes([window.graph.by_name("dense").id])
    window.inspector.fields["units"].setValue(77)
    window.files.write_recovery()
    assert window.files.recovery_path().exists()
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    window.load_project(project.loads(preset_text("and")), None)
    window.files.offer_recovery()
    assert window.graph.by_name("dense").params["units"] == 77
    assert window.is_dirty() and not window.files.recovery_path().exists()


def test_import_keras_model_lays_it_out(window, tmp_path, qtbot):
    from playground.backend.export import export
    g = project.loads(preset_text("lenet5")).graph
    export(g, tmp_path / "lenet.keras")
    assert window.open_file(tmp_path / "lenet.keras")
    qtbot.waitUntil(lambda: window.files.importing is None, timeout=60_000)
    assert [n.name for n in window.graph.nodes.values()] == [n.name for n in g.nodes.values()]
    xs = [n.pos for n in window.graph.nodes.values()]
    assert len(set(xs)) == len(xs)  # auto-layout placed every node apart
    # a plain chain wider than the canvas reads in rows that fit across it, as Ctrl+L lays it out
    assert len({y for _x, y in xs}) >= 2
    qtbot.wait(20)
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert all(seen.left() <= item.card_rect().left() and item.card_rect().right() <= seen.right()
               for item in window.scene.node_items.values())


def test_workspaces_keep_selection(window):
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    for ws in ("Logic lab", "Train", "See inside", "Build"):
        window.set_workspace(ws)
    assert window.scene.selected_node_ids() == [conv.id]
    assert window.inspector.node_id == conv.id


def test_backend_choice_names_a_missing_package(window, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    before = __import__("os").environ.get("KERAS_BACKEND")
    assert not window.set_backend("torch")
    assert "pip install torch" in window.banner.label.text()
    assert __import__("os").environ.get("KERAS_BACKEND") == before
    assert not window.backend_actions["torch"].isChecked()


def test_non_square_kernel_is_typed_and_shown(window):
    """Imported layers can hold (height, width) windows: the field shows and takes them as text."""
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    field = window.inspector.fields["kernel_size"]
    type_into(field, "1, 7")
    assert tuple(conv.params["kernel_size"]) == (1, 7)
    assert window.scene.node_items[conv.id].shape_line.startswith("28x22")
    window.select_nodes([])
    window.select_nodes([conv.id])  # shown again from the model
    assert window.inspector.fields["kernel_size"].text() == "1, 7"
    type_into(window.inspector.fields["kernel_size"], "1, x")  # "1" was a valid value on the way: shown at once,
    assert "whole numbers" in window.inspector.msgs["kernel_size"].text()  # then "1, x" is not: the layer keeps
    assert conv.params["kernel_size"] == (1, 7) and window.inspector.fields["kernel_size"].text() == "1, x"


def test_train_fits_a_1280x720_screen_whole_and_the_lessons_never_widen_the_window(window, qtbot):
    """At 1280x720 the Train panel's minimums (a 220-px plot, a 150-px confusion matrix) asked for 727 px: the
    window could not be that small, and in it the Start button was squeezed to 18-21 px, its text cut. Now the
    panel fits, and lower than its own minimum it scrolls. And F1 there widened the window to 1344 px, past the
    screen, rather than narrowing the canvas."""
    from PySide6.QtTest import QTest
    window.resize(1280, 720)
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)  # Train (a button's shortcut clicks it after 100 ms)
    qtbot.waitUntil(lambda: window.workspace == "Train")
    qtbot.wait(50)
    assert window.height() <= 720 and window.width() <= 1280
    panel = window.train_panel
    for button in (panel.start_btn, panel.stop_btn, panel.pause_btn, panel.step_btn):
        assert button.height() >= button.minimumSizeHint().height(), button.text()
    QTest.keyClick(window, Qt.Key_F1)
    qtbot.waitUntil(lambda: window.lessons_dock.isVisible())
    qtbot.wait(50)
    assert window.width() <= 1280 and window.height() <= 720
    assert panel.start_btn.height() >= panel.start_btn.minimumSizeHint().height()
    window.resize(1280, 560)  # lower still (a 720-px screen less its task bar and title): the panel scrolls
    qtbot.wait(50)
    assert window.height() <= 560 and panel.scroll.verticalScrollBar().maximum() > 0
    for button in (panel.start_btn, panel.stop_btn, panel.pause_btn, panel.step_btn):
        assert button.height() >= button.minimumSizeHint().height(), button.text()


def test_pasted_layers_never_land_on_a_card(window, qtbot):
    """Ctrl+C, Ctrl+V, Ctrl+V: each paste lands clear of every card, the one copied and the first paste included
    (the second used to land exactly on the first and hide it)."""
    from PySide6.QtTest import QTest

    from playground.ui.canvas.items import CARD_H, CARD_W
    g = window.graph
    window.select_nodes([g.by_name("dense").id])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_C, Qt.ControlModifier)
    for _ in range(2):
        QTest.keyClick(window.view, Qt.Key_V, Qt.ControlModifier)
    assert len(g.nodes) == 12
    cards = [n.pos for n in g.nodes.values()]
    for i, (x1, y1) in enumerate(cards):
        for x2, y2 in cards[i + 1:]:
            assert abs(x1 - x2) >= CARD_W or abs(y1 - y2) >= CARD_H, (x1, y1, x2, y2)


def test_another_project_opens_at_the_top_of_the_layer_table(window, qtbot):
    """The layer table kept the last project's scroll position: AlexNet opened with its input rows out of view."""
    table = window.summary.table
    bar = table.verticalScrollBar()
    from PySide6.QtTest import QTest
    table.setFocus()
    QTest.keyClick(table, Qt.Key_End, Qt.ControlModifier)  # to the last row, as a user scrolls down
    qtbot.wait(20)
    assert bar.value() > 0
    window.load_project(project.loads(preset_text("alexnet")), None)
    qtbot.wait(20)
    assert bar.value() == 0


def test_the_wheel_scrolls_the_train_panel_and_never_turns_a_field_under_it(window, qtbot):
    """Low enough to scroll, the Train panel is scrolled with the wheel; a spin box or list passing under the
    pointer must not take the turn (one notch changed the batch size from 192 to 191, an undo step)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    window.resize(1280, 500)
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.workspace == "Train")
    qtbot.wait(50)
    panel = window.train_panel
    bar = panel.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    before, depth = dict(window.doc.training), window.stack.index()
    for widget in (panel.batch, panel.optimizer):
        centre = QPointF(widget.rect().center())
        ev = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                         Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(widget, ev)
    assert window.doc.training == before and window.stack.index() == depth
    assert bar.value() > 0  # the panel scrolled instead


def test_recovered_work_that_does_not_fit_now_is_kept_for_the_next_start(window, monkeypatch):
    """A review: a recovery file refused for the memory free at that moment was set aside for good, as a broken
    file is, and never offered again. It stays where it is, offered at the next start."""
    from playground.core import limits
    window.select_nodes([window.graph.by_name("dense").id])
    window.inspector.fields["units"].setValue(77)
    window.files.write_recovery()
    path = window.files.recovery_path()
    window.load_project(project.loads(preset_text("and")), None)
    monkeypatch.setattr(limits, "available_memory", lambda: 1000)
    window.files.offer_recovery()
    assert path.exists() and not list(path.parent.glob("*.broken-*"))
    assert "offered again at the next start" in window.banner.label.text()
    monkeypatch.setattr(limits, "available_memory", lambda: 10 ** 10)
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    window.files.offer_recovery()
    assert window.graph.by_name("dense").params["units"] == 77


def test_an_export_from_see_inside_says_what_it_made_where_it_can_be_read(window, qtbot, tmp_path, monkeypatch):
    """A drive exported from See inside: 'Exported b.onnx' flashed for 4 s in the status bar, and the banner with
    what it made (or why it failed) is above the canvas, hidden there. The status bar says it whole."""
    from PySide6.QtWidgets import QFileDialog
    out = tmp_path / "net.keras"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    QTest.mouseClick(window.workspaces.buttons["See inside"], Qt.LeftButton)
    from PySide6.QtGui import QAction
    next(a for a in window.findChildren(QAction) if a.text() == "Keras .keras\u2026").trigger()  # File > Export
    qtbot.waitUntil(lambda: window.exporter.busy is None, timeout=60_000)
    assert out.exists() and "load_model" in window.statusBar().currentMessage()
    onnx = tmp_path / "net.onnx"  # a converted file names the one runtime that runs it (it named both)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(onnx), ""))
    next(a for a in window.findChildren(QAction) if a.text().startswith("ONNX")).trigger()
    qtbot.waitUntil(lambda: window.exporter.busy is None, timeout=120_000)
    said = window.statusBar().currentMessage()
    assert onnx.exists() and "; onnxruntime runs it without Keras" in said and "LiteRT" not in said, said
