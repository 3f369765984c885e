"""Issue 24: undo as people expect it, and a network built with the keyboard alone.

Every test drives the window with real keys, clicks and drags (QTest on the widgets themselves)."""

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground.core import project
from playground.resources_path import preset_text

from test_build_by_hand import click_card, drag_wire, type_field


def load(window, name):
    window.load_project(project.loads(preset_text(name)), None)
    window.view.fit_all()
    QApplication.processEvents()


def empty_canvas_point(window):
    """A viewport point over no card (the bottom-left corner of the canvas)."""
    vp = window.view.viewport()
    p = QPoint(12, vp.height() - 12)
    assert window.scene.node_at(window.view.mapToScene(p)) is None
    return p


def key(widget, k, mods=Qt.NoModifier):
    QTest.keyClick(widget, k, mods)
    QApplication.processEvents()


def focused():
    return QApplication.focusWidget()


# ---------------------------------------------------------------------- undo in a field (items 3, 4; acceptance d)
def test_ctrl_z_in_a_parameter_field_undoes_the_document_and_redo_elsewhere_brings_it_back(window, qtbot):
    load(window, "mnist-cnn")
    conv = window.graph.by_name("conv2d").id
    click_card(window, conv)
    field = window.inspector.fields["kernel_size"]
    before = window.graph.nodes[conv].params["kernel_size"]
    type_field(field, "5")
    assert window.graph.nodes[conv].params["kernel_size"] == 5
    key(field, Qt.Key_Z, Qt.ControlModifier)  # the cursor is still in the field
    assert window.graph.nodes[conv].params["kernel_size"] == before
    assert window.inspector.fields["kernel_size"].text() == str(before)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, empty_canvas_point(window))
    key(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.graph.nodes[conv].params["kernel_size"] == 5


def test_ctrl_z_right_after_typing_a_weight_commits_then_undoes_and_ctrl_y_redoes(logic_window, qtbot):
    w = logic_window
    g = w.graph
    out = next(n for n in g.nodes.values() if n.kind == "neuron" and not g.output_ids(n.id))
    click_card(w, out.id)
    editor = w.logic_panel.neuron_editor
    e = editor.edit_weight_editor("bias", (0,))
    old = float(g.nodes[out.id].weights["bias"][0])
    e.setFocus()
    e.selectAll()
    QTest.keyClicks(e, "7.5")  # typed, not yet confirmed
    depth = w.stack.index()
    key(e, Qt.Key_Z, Qt.ControlModifier)
    assert float(g.nodes[out.id].weights["bias"][0]) == old
    assert editor.edit_weight_editor("bias", (0,)).text() == f"{old:g}"
    assert w.stack.index() == depth  # committed (one step), then undone: nothing else was touched
    key(editor.edit_weight_editor("bias", (0,)), Qt.Key_Y, Qt.ControlModifier)
    assert float(g.nodes[out.id].weights["bias"][0]) == 7.5


# ---------------------------------------------------------------------- compound edits (item 5; acceptance c)
def test_add_hidden_layer_after_renaming_the_neuron_hidden_keeps_undo_working_and_the_graph_whole(window, qtbot):
    load(window, "and")
    window.set_workspace("Logic lab")
    g = window.graph
    neuron = next(n for n in g.nodes.values() if n.kind == "neuron")
    click_card(window, neuron.id)
    type_field(window.logic_panel.neuron_editor.fields["name"], "hidden")
    assert g.nodes[neuron.id].name == "hidden"
    panel = window.logic_panel
    panel.target.setFocus()
    while panel.target.currentData() != "xnor":
        key(panel.target, Qt.Key_Down)
    assert panel.add_hidden.isVisible()
    before = g.copy()
    QTest.mouseClick(panel.add_hidden, Qt.LeftButton)
    assert len(g.nodes) == 3 and len(g.edges) == 2
    new = next(n for n in g.nodes.values() if n.id not in before.nodes)
    assert new.name != "hidden" and g.input_ids(neuron.id) == [new.id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, empty_canvas_point(window))
    key(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert g == before  # one step back, whole
    key(window.view, Qt.Key_Z, Qt.ControlModifier)  # the target
    key(window.view, Qt.Key_Z, Qt.ControlModifier)  # the rename: no macro was left open
    assert g.nodes[neuron.id].name != "hidden"
    for _ in range(3):
        key(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(g.nodes) == 3 and g.input_ids(neuron.id) == [new.id]


def test_a_second_edge_dragged_into_a_one_input_layer_says_it_replaced_one_and_is_one_undo_step(window, qtbot):
    load(window, "mnist-cnn")
    g = window.graph
    dense = next(n for n in g.nodes.values() if n.kind == "dense" and g.input_ids(n.id))
    old_src = g.input_ids(dense.id)[0]
    new_src = g.inputs()[0].id
    depth = window.stack.index()
    drag_wire(window, new_src, dense.id)
    assert g.input_ids(dense.id) == [new_src]
    text = window.statusBar().currentMessage()
    assert "replacing its input from " + g.nodes[old_src].name in text
    assert window.stack.index() == depth + 1
    key(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert g.input_ids(dense.id) == [old_src]


# ---------------------------------------------------------------------- keyboard-first building (item 14)
def test_enter_keypad_enter_and_space_on_a_palette_layer_add_it_after_the_selected_layer(window, qtbot):
    window.new_project()
    tree = window.palette_panel.tree
    window.palette_panel.search.setFocus()
    QTest.keyClicks(window.palette_panel.search, "Input")
    key(window.palette_panel.search, Qt.Key_Return)  # into the list, on the first match
    assert focused() is tree and tree.currentItem().data(0, Qt.UserRole) == "input"
    key(tree, Qt.Key_Return)
    g = window.graph
    assert [n.kind for n in g.nodes.values()] == ["input"]
    inp = window.doc.selection[0]
    window.palette_panel.search.setFocus()
    window.palette_panel.search.selectAll()
    QTest.keyClicks(window.palette_panel.search, "Dense")
    key(window.palette_panel.search, Qt.Key_Down)
    key(tree, Qt.Key_Enter, Qt.KeypadModifier)
    dense = window.doc.selection[0]
    assert g.nodes[dense].kind == "dense" and g.input_ids(dense) == [inp]
    key(tree, Qt.Key_Space)
    dense2 = window.doc.selection[0]
    assert g.input_ids(dense2) == [dense]
    # the menu command adds the palette's current layer too (Ctrl+Return)
    key(window.view, Qt.Key_Return, Qt.ControlModifier)
    assert g.input_ids(window.doc.selection[0]) == [dense2] and len(g.nodes) == 4


def test_arrow_keys_walk_the_canvas_and_ctrl_k_connects_the_selected_layers(window, qtbot):
    load(window, "mnist-mlp")
    g = window.graph
    order = g.topological_order()
    window.view.setFocus()
    window.doc.select([])
    key(window.view, Qt.Key_Right)
    assert window.doc.selection == [order[0]]  # nothing selected: the first layer
    key(window.view, Qt.Key_Right)
    assert window.doc.selection == [order[1]]
    key(window.view, Qt.Key_Left)
    assert window.doc.selection == [order[0]]
    key(window.view, Qt.Key_K, Qt.ControlModifier)  # one layer: nothing to connect, and the status says how
    assert "Select two or more layers" in window.statusBar().currentMessage()
    key(window.view, Qt.Key_Right, Qt.ShiftModifier)
    assert window.doc.selection == [order[0], order[1]]
    depth = window.stack.index()
    key(window.view, Qt.Key_K, Qt.ControlModifier)
    assert "connected already" in window.statusBar().currentMessage() and window.stack.index() == depth
    assert "Co&nnect selected layers" in [a.text() for a in window.menuBar().actions()[1].menu().actions()]


def test_input_dense_dense_built_wired_and_trained_with_the_keyboard_only(window, qtbot):
    """Acceptance (e): Ctrl+N, Ctrl+F, typing, Tab, arrows, Return, Ctrl+K, typing parameters, Ctrl+3, F5."""
    key(window, Qt.Key_N, Qt.ControlModifier)
    g = window.graph
    assert not g.nodes

    def add(name):
        key(window, Qt.Key_F, Qt.ControlModifier)
        search = window.palette_panel.search
        assert focused() is search
        QTest.keyClicks(search, name)  # Ctrl+F selects what the field held: typing replaces it
        key(search, Qt.Key_Tab)  # Tab into the list: its first match is current
        assert focused() is window.palette_panel.tree
        key(focused(), Qt.Key_Return)
        return window.doc.selection[0]

    def tab_to(widget, limit=40):
        for _ in range(limit):
            if focused() is widget:
                return
            key(focused(), Qt.Key_Tab)
        raise AssertionError(f"{widget!r} is not reachable by Tab")

    inp = add("Input")
    d1 = add("Dense")  # after the selected Input, wired
    # back on the canvas: select the Input with the arrow keys, add a second Dense after it (a branch),
    # then connect the first Dense into the second with Ctrl+K, which replaces the second Dense's input
    tab_to(window.view)
    key(window.view, Qt.Key_Left)
    assert window.doc.selection == [inp]
    d2 = add("Dense")
    assert g.input_ids(d2) == [inp] and g.input_ids(d1) == [inp]
    tab_to(window.view)
    key(window.view, Qt.Key_Left)  # d2 -> its input
    key(window.view, Qt.Key_Right)  # -> the nearest output: one of the two Dense
    first = window.doc.selection[0]
    other = d2 if first == d1 else d1
    key(window.view, Qt.Key_Down if g.nodes[other].pos[1] > g.nodes[first].pos[1] else Qt.Key_Up,
        Qt.ShiftModifier)
    assert window.doc.selection == [first, other]
    key(window.view, Qt.Key_K, Qt.ControlModifier)
    assert g.input_ids(other) == [first] and g.input_ids(first) == [inp]  # Input -> Dense -> Dense
    last = other
    # parameters, typed: the Input takes 2 bits, the last Dense is one sigmoid unit
    key(window.view, Qt.Key_Left)
    key(window.view, Qt.Key_Left)
    assert window.doc.selection == [inp]
    shape = window.inspector.fields["shape"]
    tab_to(shape)
    shape.selectAll()
    QTest.keyClicks(shape, "2")
    key(shape, Qt.Key_Return)
    assert list(g.nodes[inp].params["shape"]) == [2]
    tab_to(window.view)
    key(window.view, Qt.Key_Right)
    key(window.view, Qt.Key_Right)
    assert window.doc.selection == [last]
    units = window.inspector.fields["units"]
    tab_to(units)
    units.selectAll()
    QTest.keyClicks(units, "1")
    activation = window.inspector.fields["activation"]
    tab_to(activation)
    QTest.keyClicks(activation, "sigmoid")  # a combo box selects by typing
    assert g.nodes[last].params == {**g.nodes[last].params, "units": 1, "activation": "sigmoid"}
    # training: the XOR truth table, one short epoch; reach each field with Tab and type
    train_button = window.workspaces.buttons["Train"]
    tab_to(train_button)
    key(train_button, Qt.Key_Space)  # the Train workspace
    assert window.workspace == "Train"
    panel = window.train_panel
    box = panel.dataset
    tab_to(box)
    QTest.keyClicks(box, "XOR")  # a combo box selects by typing
    assert box.currentData() == "gate-xor"
    for widget, text in ((panel.epochs_box, "1"), (panel.batch, "4")):
        tab_to(widget)
        widget.selectAll()
        QTest.keyClicks(widget, text)
    assert window.doc.training["epochs"] == 1
    key(window, Qt.Key_F5)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    run = window.project.runs.runs[-1]
    assert run.stopped == "finished" and len(run.batch_loss) == 1 and np.isfinite(run.batch_loss[0])
    assert g.nodes[last].weights["kernel"].shape == (g.nodes[first].params["units"], 1)


def test_undo_of_a_delete_puts_the_layers_back_where_they_were(window, qtbot):
    """Delete two layers (a click, a Ctrl+click, Delete), Ctrl+Z: the project is the same to the byte, the layers
    in their places in the node order (they used to come back last: a saved file, and its diff, changed)."""
    load(window, "mnist-cnn")
    g = window.graph
    before = project.dumps(window.doc.project)
    click_card(window, g.by_name("maxpool2d").id)
    item = window.scene.node_items[g.by_name("batchnorm").id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.ControlModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    key(window.view, Qt.Key_Delete)
    assert len(g.nodes) == 8
    key(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert project.dumps(window.doc.project) == before


def test_undo_of_a_removed_or_replaced_connection_is_the_same_to_the_byte(window, qtbot):
    """An edge clicked and deleted, and an input replaced with Ctrl+K, each undone with Ctrl+Z: the edge goes back
    at its place in the file's edge order (it came back last, and a saved file changed)."""
    load(window, "mnist-cnn")
    g = window.graph
    before = project.dumps(window.doc.project)
    first = next(e for e in window.scene.edge_items.values() if e.edge.src == g.by_name("input").id)
    point = window.view.mapFromScene(first.path().pointAtPercent(0.5))
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, point)
    assert first.isSelected()
    key(window.view, Qt.Key_Delete)
    assert len(g.edges) == 8
    key(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert project.dumps(window.doc.project) == before
    click_card(window, g.by_name("flatten").id)  # flatten, then the last dense (fed by dropout): Ctrl+K
    item = window.scene.node_items[g.by_name("dense_1").id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.ControlModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    key(window.view, Qt.Key_K, Qt.ControlModifier)
    assert g.input_ids(g.by_name("dense_1").id) == [g.by_name("flatten").id]
    key(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert project.dumps(window.doc.project) == before
