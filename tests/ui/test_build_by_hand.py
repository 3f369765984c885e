"""Issue 14: the Build and Logic-lab paths driven as a user drives them (keyboard and mouse only)."""

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground.core.registry import get_spec


def double_click_palette(window, kind):
    palette = window.palette_panel
    item = palette.items[kind]
    palette.tree.scrollToItem(item)
    rect = palette.tree.visualItemRect(item)
    # a real double click is a click, then a second press that the system reports as a double click
    QTest.mouseClick(palette.tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    QTest.mouseDClick(palette.tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())


def view_point(window, scene_point):
    return window.view.mapFromScene(scene_point)


def click_card(window, node_id):
    item = window.scene.node_items[node_id]
    centre = item.mapToScene(item.boundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, view_point(window, centre))


def drag_wire(window, src, dst):
    """Press on src's output port, move, release on dst's card."""
    a = window.scene.node_items[src]
    b = window.scene.node_items[dst]
    start = view_point(window, a.out_port())
    end = view_point(window, b.mapToScene(b.boundingRect().center()))
    vp = window.view.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(vp, (start + end) / 2)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)


def type_field(widget, text, confirm=Qt.Key_Return):
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, confirm)


def plain(label) -> str:
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def test_build_xnor_case1_by_hand_and_export(window, qtbot, tmp_path):
    window.new_project()
    window.set_workspace("Logic lab")
    window.scene.clearSelection()
    double_click_palette(window, "input")
    inp = window.doc.selection[0]
    double_click_palette(window, "neuron")  # after the selected Input, wired to it
    hidden = window.doc.selection[0]
    double_click_palette(window, "neuron")
    out = window.doc.selection[0]
    g = window.graph
    assert len(g.nodes) == 3
    assert g.input_ids(hidden) == [inp] and g.input_ids(out) == [hidden]
    positions = [n.pos for n in g.nodes.values()]
    assert len(set(positions)) == 3  # nothing piled up
    window.view.fit_all()
    # the Input: 2 bits
    click_card(window, inp)
    assert window.logic_panel.neuron_editor.node_id == inp
    type_field(window.logic_panel.neuron_editor.fields["shape"], "2")
    assert g.nodes[inp].params["shape"] == (2,) or list(g.nodes[inp].params["shape"]) == [2]
    # rewire by hand, to drive the port drag too: remove the out edge and drag it again
    click_card(window, hidden)
    editor = window.logic_panel.neuron_editor
    type_field(editor.fields["units"], "2")
    assert g.nodes[hidden].params["units"] == 2
    weights = {("bias", (0,)): "-1.5", ("kernel", (0, 0)): "1", ("kernel", (1, 0)): "1",
               ("bias", (1,)): "0.5", ("kernel", (0, 1)): "-1", ("kernel", (1, 1)): "-1"}
    for (var, idx), text in weights.items():
        type_field(editor.edit_weight_editor(var, idx), text, Qt.Key_Tab)
    click_card(window, out)
    editor = window.logic_panel.neuron_editor
    for (var, idx), text in {("bias", (0,)): "-0.5", ("kernel", (0, 0)): "1", ("kernel", (1, 0)): "1"}.items():
        type_field(editor.edit_weight_editor(var, idx), text)
    combo = window.logic_panel.target
    combo.setFocus()
    while combo.currentData() != "xnor":
        QTest.keyClick(combo, Qt.Key_Down)
    table = window.logic_panel.table_data
    assert list(table.output[:, 0]) == [1, 0, 0, 1] and table.all_correct
    # plain Keras loads the export and computes the same column
    path = tmp_path / "xnor.h5"
    assert window.export_to(str(path), "h5")
    qtbot.waitUntil(lambda: window.exporter.busy is None, timeout=120_000)
    assert path.exists(), window.banner.label.text()
    import keras
    model = keras.models.load_model(path)
    pred = model.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32), verbose=0)
    assert list(np.round(pred[:, 0]).astype(int)) == [1, 0, 0, 1]


def test_wire_by_dragging_from_a_port(window):
    window.new_project()
    double_click_palette(window, "input")
    a = window.doc.selection[0]
    window.scene.clearSelection()
    window.view.setFocus()
    double_click_palette(window, "flatten")  # nothing selected: mid-view, unwired, not on top of the Input
    b = window.doc.selection[0]
    assert window.graph.edges == ()
    assert window.graph.nodes[a].pos != window.graph.nodes[b].pos
    window.view.fit_all()
    drag_wire(window, a, b)
    assert window.graph.input_ids(b) == [a]
    window.undo_action.trigger()
    assert window.graph.edges == ()


def test_error_text_is_shown_whole(window):
    """Issue 14.4: kernel 40 on 28x28: the message ends with the fix, nothing eaten as markup."""
    conv = window.graph.by_name("conv2d")
    click_card(window, conv.id)
    type_field(window.inspector.fields["kernel_size"], "40")
    assert conv.params["kernel_size"] == 40
    shown = plain(window.inspector.output)
    assert "<= 28" in shown or "\u2264 28" in shown, shown
    assert "kernel=40" in window.scene.node_items[conv.id].message


def test_stale_trained_weights_show_and_reset(window):
    """Issue 14.2: filters 32 -> 16 after training: the card says so at once; reset is one click and one step."""
    from playground.ui import commands as C
    g = window.graph
    conv = g.by_name("conv2d")
    trained = {"kernel": np.ones((3, 3, 1, 32), np.float32), "bias": np.zeros(32, np.float32)}
    window.stack.push(C.SetWeightsCommand(g, {conv.id: trained}, "Apply trained weights"))  # what training leaves
    click_card(window, conv.id)
    assert window.inspector.trained.isVisibleTo(window.inspector)
    type_field(window.inspector.fields["filters"], "16")
    item = window.scene.node_items[conv.id]
    assert item.status == "error" and "no longer fit" in item.message
    assert "Reset this layer" in plain(window.inspector.output)
    depth = window.stack.index()
    QTest.mouseClick(window.inspector.trained.reset_layer, Qt.LeftButton)
    assert not conv.weights and window.stack.index() == depth + 1
    assert window.scene.node_items[conv.id].status != "error"
    assert "kernel (3, 3, 1, 32)" in window.banner.label.text()
    window.undo_action.trigger()
    assert conv.weights["kernel"].shape == (3, 3, 1, 32)
    assert window.scene.node_items[conv.id].status == "error"


def test_reset_all_trained_weights_is_one_step(window):
    from playground.ui import commands as C
    g = window.graph
    dense = g.by_name("dense")
    conv = g.by_name("conv2d")
    window.stack.push(C.SetWeightsCommand(g, {
        conv.id: {"kernel": np.ones((3, 3, 1, 32), np.float32), "bias": np.zeros(32, np.float32)},
        dense.id: {"bias": np.zeros(dense.params["units"], np.float32)}}, "Apply trained weights"))
    click_card(window, conv.id)
    QTest.mouseClick(window.inspector.trained.reset_all, Qt.LeftButton)
    assert not conv.weights and not dense.weights
    window.undo_action.trigger()
    assert conv.weights and dense.weights


def test_old_messages_do_not_survive_a_new_project(window, qtbot):
    """Issue 14.6: the banner and the Logic lab's status are cleared on New/Open."""
    window.doc.tell("Exported /tmp/x.h5.", "info")
    window.logic_panel.learn_status.setText("Learned in 400 epochs")
    assert window.banner.isVisible()
    window.new_project()
    assert not window.banner.isVisible() and window.logic_panel.learn_status.text() == ""


def test_dropped_layers_do_not_pile_up(window):
    window.new_project()
    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    from playground.ui.canvas.view import MIME_LAYER
    for _ in range(3):
        mime = QMimeData()
        mime.setData(MIME_LAYER, b"dense")
        window.view.dropEvent(QDropEvent(QPointF(300, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    pos = [n.pos for n in window.graph.nodes.values()]
    assert len(set(pos)) == 3
    assert get_spec("dense").max_inputs == 1 and not window.graph.edges


def test_palette_double_click_places_after_selection(window):
    g = window.graph
    flatten = g.by_name("flatten")
    click_card(window, flatten.id)
    n_edges = len(g.edges)
    double_click_palette(window, "dropout")
    new = window.doc.selection[0]
    assert g.nodes[new].kind == "dropout" and g.input_ids(new) == [flatten.id]
    assert len(g.edges) == n_edges + 1
    window.undo_action.trigger()  # one step removes the layer and its wire
    assert new not in g.nodes and len(g.edges) == n_edges



def test_a_double_click_low_in_a_scrolled_palette_adds_that_layer(window, qtbot):
    """At 1280x720 the palette scrolls. A click on it gave it focus, and focus made its first entry current, which
    scrolled the list back to the top under the mouse: the double click then added whatever layer came there
    (MaxPool1D, AvgPool2D) in place of Dropout."""
    window.resize(1280, 720)
    qtbot.wait(30)
    g = window.graph
    flatten = g.by_name("flatten")
    click_card(window, flatten.id)  # the canvas has the focus, not the palette
    tree = window.palette_panel.tree
    double_click_palette(window, "dropout")
    assert tree.verticalScrollBar().value() > 0  # it had to scroll to show Dropout
    new = window.doc.selection[0]
    assert g.nodes[new].kind == "dropout" and g.input_ids(new) == [flatten.id]


_ = QPoint


def test_a_refused_entry_is_still_there_when_its_layer_is_selected_again(window, qtbot):
    """A drive typed stride 0 (refused, red), clicked another card and came back: the field said 1 again and the
    message was gone, with nothing said. What was typed stays, refused, until it is changed or taken back."""
    conv, dense = window.graph.by_name("conv2d"), window.graph.by_name("dense")
    click_card(window, conv.id)
    type_field(window.inspector.fields["strides"], "0", Qt.Key_Tab)
    assert window.inspector.msgs["strides"].isVisible()
    click_card(window, dense.id)
    assert "conv2d keeps stride 1" in window.statusBar().currentMessage()
    click_card(window, conv.id)
    field = window.inspector.fields["strides"]
    assert field.text() == "0"
    assert window.inspector.msgs["strides"].isVisible() and "stride" in window.inspector.msgs["strides"].text()
    assert conv.params["strides"] == 1
    type_field(field, "2")  # a value it holds: applied, and nothing kept any more
    assert conv.params["strides"] == 2 and not window.inspector.msgs["strides"].isVisible()
    click_card(window, dense.id)
    click_card(window, conv.id)
    assert window.inspector.fields["strides"].text() == "2"
    type_field(window.inspector.fields["filters"], "abc", Qt.Key_Tab)  # a spin box's refused text too
    click_card(window, dense.id)
    click_card(window, conv.id)
    filters = window.inspector.fields["filters"]
    assert filters.lineEdit().text() == "abc" and filters.refusing and window.inspector.msgs["filters"].isVisible()
    QTest.mouseClick(filters.lineEdit(), Qt.LeftButton)
    QTest.keyClick(filters, Qt.Key_Z, Qt.ControlModifier)  # Ctrl+Z in the field takes the entry back
    assert filters.lineEdit().text() == str(conv.params["filters"]) and not window.inspector.msgs["filters"].isVisible()
    assert conv.params["strides"] == 2  # (the field's entry, not the document's last step)
    click_card(window, dense.id)
    click_card(window, conv.id)
    assert window.inspector.fields["filters"].lineEdit().text() == str(conv.params["filters"])


def test_a_chain_built_with_enter_at_1280x720_wraps_into_rows_the_canvas_shows(window, qtbot):
    """A drive added Input, Conv2D, MaxPool2D, Conv2D, MaxPool2D, Flatten, Dense with the palette's Enter at 1280x720:
    each went one column further right, the canvas scrolled after them and the first layers were off screen. A chain
    grown at its end wraps to a new row, under its first layer, where the next column would pass the canvas's right
    edge, as the presets open."""
    window.resize(1280, 720)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    QTest.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    assert not window.graph.nodes
    kinds = ["input", "conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense", "dropout", "dense"]
    search, tree = window.palette_panel.search, window.palette_panel.tree
    for kind in kinds:
        QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
        QTest.keyClicks(search, get_spec(kind).title)
        QTest.keyClick(search, Qt.Key_Return)  # into the list, on the first match
        QTest.keyClick(tree, Qt.Key_Return)  # added after the selected layer
        qtbot.wait(5)
    g = window.graph
    order = g.topological_order()
    assert [g.nodes[n].kind for n in order] == kinds and len(g.edges) == len(kinds) - 1  # one wired chain
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    cards = [window.scene.node_items[n].card_rect() for n in order]
    assert all(shown.left() <= r.left() and r.right() <= shown.right() for r in cards), shown
    rows = sorted({round(r.top()) for r in cards})
    assert len(rows) >= 2 and len(kinds) / len(rows) >= 3  # wrapped, three or more a row (the first at the left),
    # each row starting under the first layer
    assert {round(r.left()) for r in cards if round(r.top()) in rows[1:]} >= {round(cards[0].left())}
    assert not any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1:])


def test_replace_the_head_is_offered_only_where_a_head_comes_after(window):
    """A drive found "classes: 2 · Replace the head after this layer" on a network's last layer (and on the only
    Conv2D of an edge detector): there is no head after it to replace. It is offered where layers follow."""
    trained = window.inspector.trained
    g = window.graph
    out = next(n for n in g.nodes.values() if not g.output_ids(n.id))
    click_card(window, out.id)
    assert not trained.replace_head.isVisibleTo(window.inspector)
    assert not trained.head_classes.isVisibleTo(window.inspector)
    click_card(window, g.by_name("flatten").id)
    assert trained.replace_head.isVisibleTo(window.inspector) and trained.head_classes.isVisibleTo(window.inspector)
    click_card(window, out.id)
    double_click_palette(window, "dense")  # a layer after it: now a head follows it
    click_card(window, out.id)
    assert trained.replace_head.isVisibleTo(window.inspector)
    inp = g.inputs()[0]  # nothing learned up to the Input, or an augmentation layer right after it: no base to keep
    click_card(window, inp.id)
    assert not trained.replace_head.isVisibleTo(window.inspector)
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)  # Shift+Enter in the palette: between Input and the next
    QTest.keyClicks(window.palette_panel.search, "RandomFlip")
    QTest.keyClick(window.palette_panel.search, Qt.Key_Return)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Return, Qt.ShiftModifier)
    flip = next(n for n in g.nodes.values() if n.kind == "randomflip")
    click_card(window, flip.id)
    assert g.input_ids(flip.id) == [inp.id] and g.output_ids(flip.id)
    assert not trained.replace_head.isVisibleTo(window.inspector)


def test_a_refused_entry_goes_with_its_project(window, qtbot):
    """A review: a refused entry held while another project opened raised KeyError (the layer's id looked up in the
    new network, where it was a Dense) and left the old form on screen; the same preset opened again showed the old
    refused text. Another project starts with no entry kept."""
    from menus import choose_preset  # tests/ui/menus.py
    conv = window.graph.by_name("conv2d")
    click_card(window, conv.id)
    type_field(window.inspector.fields["kernel_size"], "0", Qt.Key_Tab)
    assert window.inspector.msgs["kernel_size"].isVisible()
    choose_preset(window, qtbot, "mnist-mlp")  # n2 is a Dense there
    assert window.inspector.node_id is None and "kernel_size" not in window.inspector.fields
    choose_preset(window, qtbot, "mnist-cnn")
    click_card(window, window.graph.by_name("conv2d").id)
    field = window.inspector.fields["kernel_size"]
    assert field.text() == "5" and not window.inspector.msgs["kernel_size"].isVisible()


def test_escape_in_the_palette_search_clears_it_before_it_stops_anything(window, qtbot):
    """A drive pressed Escape in the palette's search during a run: the run stopped (Build does not show it) and the
    search stayed as typed. Escape clears a typed search first; pressed again, on an empty one, it is Stop."""
    from PySide6.QtGui import QAction
    stopped = []
    stop = next(a for a in window.findChildren(QAction) if a.text() == "S&top training")
    stop.triggered.connect(lambda *_: stopped.append(1))  # the window's Stop (Train > Stop training), counted
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    search = window.palette_panel.search
    QTest.keyClicks(search, "conv")
    QTest.keyClick(search, Qt.Key_Escape)
    assert search.text() == "" and not stopped
    QTest.keyClick(search, Qt.Key_Escape)  # an empty search: Escape is Stop
    assert stopped == [1]


def test_a_second_input_wired_into_the_head_is_named_with_the_layer_it_cut_off(window, qtbot):
    """A drive: a second Input dragged onto the Dense left the Conv2D before it leading nowhere, and Train said
    only "this network has 2 and 2". It names the two Inputs and the layers nothing follows."""
    from playground.core import project
    from playground.resources_path import preset_text
    window.load_project(project.loads(preset_text("mnist-mlp")), None)
    g = window.graph
    names = {n.name for n in g.nodes.values()}
    double_click_palette(window, "input")
    (extra,) = [n for n in g.nodes.values() if n.name not in names]
    (head,) = g.outputs()
    before = g.input_ids(head.id)[0]
    drag_wire(window, extra.id, head.id)
    assert g.input_ids(head.id) == [extra.id]
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    said = window.train_panel.start_btn.toolTip()
    assert not window.train_panel.start_btn.isEnabled()
    assert f"2 Inputs ({g.inputs()[0].name!r}, {g.inputs()[1].name!r})" in said, said
    assert f"2 layers that nothing follows" in said and f"{g.nodes[before].name!r}" in said, said
