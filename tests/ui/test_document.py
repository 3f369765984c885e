"""The document: settings are undoable edits, one shape inference per edit, views never reach into the window."""

import ast
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import playground
from playground.core import analysis


def _type_into_spin(spin, text):
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, text)
    QTest.keyClick(spin, Qt.Key_Return)


def test_typed_epochs_is_an_undoable_edit_and_close_asks(window, qtbot):
    window.set_workspace("Train")
    panel = window.train_panel
    old = window.project.training["epochs"]
    assert not window.isWindowModified()
    _type_into_spin(panel.epochs_box, "7")
    assert window.project.training["epochs"] == 7
    assert window.isWindowModified() and window.is_dirty()
    window.undo_action.trigger()  # Edit > Undo
    assert window.project.training["epochs"] == old
    assert panel.epochs_box.value() == old
    window.redo_action.trigger()
    assert panel.epochs_box.value() == 7
    asked = []
    window.ask_save = lambda: asked.append(1) or "cancel"
    assert not window.close()  # cancelled: the window stays, the edit stays
    assert asked and window.project.training["epochs"] == 7
    window.ask_save = lambda: "discard"


def test_typed_learning_rate_invalid_stays_red_and_changes_nothing(window):
    window.set_workspace("Train")
    panel = window.train_panel
    depth = window.stack.count()
    panel.lr.setFocus()
    panel.lr.selectAll()
    QTest.keyClicks(panel.lr, "-1")
    assert window.project.training["learning_rate"] == 0.001 or window.project.training["learning_rate"] > 0
    assert "learning_rate" in panel.settings_msg.text() and panel.settings_msg.isVisibleTo(panel)
    assert window.stack.count() == depth
    panel.lr.selectAll()
    QTest.keyClicks(panel.lr, "0.02")
    QTest.keyClick(panel.lr, Qt.Key_Tab)
    assert window.project.training["learning_rate"] == 0.02
    assert not panel.settings_msg.isVisibleTo(panel)
    window.undo_action.trigger()
    assert panel.lr.text() != "0.02"


def test_logic_target_is_an_undoable_edit(logic_window, qtbot):
    w = logic_window
    combo = w.logic_panel.target
    before = w.project.logic.get("target")
    assert not w.isWindowModified()
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key_Up)  # keyboard selection of the previous gate
    after = w.project.logic.get("target")
    assert after != before and after == combo.currentData()
    assert w.isWindowModified()
    w.undo_action.trigger()
    assert w.project.logic.get("target") == before and combo.currentData() == before
    asked = []
    w.redo_action.trigger()
    w.ask_save = lambda: asked.append(1) or "cancel"
    assert not w.close()
    assert asked
    w.ask_save = lambda: "discard"


def test_one_shape_inference_per_parameter_edit(window, monkeypatch):
    calls = []
    real = analysis.infer
    monkeypatch.setattr(analysis, "infer", lambda g, *a, **k: calls.append(1) or real(g, *a, **k))
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    spin = window.inspector.fields["filters"]
    spin.setFocus()
    spin.selectAll()
    calls.clear()
    QTest.keyClicks(spin, "8")  # one keystroke, one edit
    assert conv.params["filters"] == 8
    assert len(calls) == 1, f"{len(calls)} inferences for one edit"
    # and the labels show it: the canvas, the inspector and the summary read the same result
    assert window.scene.node_items[conv.id].shape_line == "24x24x8"
    row = window.summary.row_ids.index(conv.id)
    assert window.summary.table.item(row, 2).text() == "24x24x8"


def test_one_inference_for_a_macro_edit(window, monkeypatch):
    """Delete = disconnect + remove: one undo step, one inference."""
    calls = []
    real = analysis.infer
    monkeypatch.setattr(analysis, "infer", lambda g, *a, **k: calls.append(1) or real(g, *a, **k))
    window.select_nodes([window.graph.by_name("flatten").id])
    calls.clear()
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete)
    assert window.graph.by_name("dense") is not None and len(calls) == 1


def test_views_receive_the_document_not_the_window():
    """No module in ui/ other than main_window (the assembler) refers to a window object."""
    ui = Path(playground.__file__).parent / "ui"
    offenders = []
    for path in ui.rglob("*.py"):
        if path.name == "main_window.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "window" and \
                    isinstance(node.value, ast.Name) and node.value.id == "self":
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_commands_call_public_model_methods_only():
    ui = Path(playground.__file__).parent / "ui"
    private = []
    for path in ui.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and isinstance(node.value, ast.Attribute) and node.value.attr in ("graph", "doc", "project"):
                private.append(f"{path.name}:{node.lineno} {node.value.attr}.{node.attr}")
    assert not private, private


def test_ui_modules_stay_small_or_say_why():
    ui = Path(playground.__file__).parent / "ui"
    big = []
    for path in ui.rglob("*.py"):
        text = path.read_text()
        if text.count("\n") > 450 and "Why this module is long" not in text:
            big.append(f"{path.relative_to(ui)}: {text.count(chr(10))} lines")
    assert not big, big


def test_the_layer_table_fits_its_cells_after_an_edit(window):
    """The layer table is filled with Qt's sizing off (sized to contents, each new cell re-measured every row:
    an edit in DenseNet121's 429 layers took 58 s, benchmarks/summary_refresh.py) and sized once at the end, so
    after an edit that widens a cell, every column and row still fits what it shows."""
    conv = window.graph.by_name("conv2d")
    table = window.summary.table
    row = window.summary.row_ids.index(conv.id)
    QTest.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center())
    assert window.inspector.node_id == conv.id  # the click on its row chose the layer
    before = table.columnWidth(3)
    spin = window.inspector.fields["filters"]
    QTest.mouseClick(spin.lineEdit(), Qt.LeftButton)
    QTest.keyClick(spin.lineEdit(), Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(spin.lineEdit(), "2000")  # 52,000 parameters (5x5x1 weights and a bias each): a wider number
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert conv.params["filters"] == 2000
    assert table.item(row, 3).text() == f"{conv.params['filters'] * 26:,}"
    assert table.columnWidth(3) > before
    for c in (1, 2, 3):
        assert table.columnWidth(c) >= table.sizeHintForColumn(c), c
    assert all(table.rowHeight(r) >= table.sizeHintForRow(r) for r in range(table.rowCount()))


def test_a_decimal_typed_into_the_validation_split_is_the_value_kept(window):
    """Each keystroke is an edit and the document's change comes back to the field: "0.25" typed once ended as
    0.00 (the echo rewrote "0." as "0.00", cursor after the 0, and the rest of the keys were refused)."""
    window.set_workspace("Train")
    panel = window.train_panel
    for text, want in (("0.25", 0.25), ("0.15", 0.15), ("0.3", 0.3)):
        _type_into_spin(panel.val_split, text)
        assert window.project.training["validation_split"] == want, text
        assert panel.val_split.text() == text  # as typed (a number is shown in its shortest form)
    _type_into_spin(panel.batch, "256")  # whole numbers too, digit by digit
    assert window.project.training["batch_size"] == 256


def test_a_step_whose_redo_fails_is_dropped_and_said_and_the_window_goes_on(window, qtbot):
    """A run's step raised inside its redo (the graph refused NaN weights): the step stayed on the undo stack half
    done, and the next step's push crashed the window (a segmentation fault). Now such a step is taken back and
    dropped, the banner says why, and the steps after it, Ctrl+Z and Ctrl+Shift+Z work."""
    import gc

    from PySide6.QtGui import QUndoCommand

    from playground.ui.commands import SetTrainableCommand
    g = window.graph
    conv = g.by_name("conv2d")
    before = (window.doc.stack.count(), dict(conv.weights))

    class Breaks(QUndoCommand):  # half done, then refused (the id a run's steps merge by)
        def redo(self):
            g.set_trainable(conv.id, False)
            raise ValueError("refused for the test")

        def undo(self):
            g.set_trainable(conv.id, True)

        def id(self):
            return 1101

    for _ in range(2):
        window.doc.push(Breaks("Broken step"))
        gc.collect()
        assert (window.doc.stack.count(), conv.trainable) == (before[0], True)  # not kept, taken back
        assert "refused for the test" in window.banner.label.text()
    window.doc.push(SetTrainableCommand(g, [conv.id], False))  # the next step: it crashed here
    gc.collect()
    assert window.doc.stack.count() == before[0] + 1 and not conv.trainable
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert conv.trainable
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert not conv.trainable
