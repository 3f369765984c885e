"""The canvas stays readable: a layered layout, a zoom floor with scrolling, a minimap, go-to-layer,
cards that say each thing once, and weight labels clear of the ports. Driven by real key, mouse and
wheel events on the window, the view's viewport, the minimap and the search field."""

import pathlib
import sys

import pytest

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPainterPathStroker, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from playground.core import project
from playground.core.layout import WRAP_ROW_GAP, X_SPACING, Y_SPACING, apply_layout
from playground.resources_path import preset_text
from playground.ui.canvas.items import PORT_R
from playground.ui.canvas.view import MIN_ZOOM
from playground.ui.commands import MoveNodesCommand

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic_graphs import densenet_like  # noqa: E402
from menus import choose_preset  # noqa: E402 - tests/ui/menus.py


def load(window, qtbot, proj):
    window.load_project(proj, None)
    qtbot.wait(20)  # the deferred fit and edge routing run


def wheel(view, steps: int) -> None:
    """``steps`` notches of the mouse wheel over the middle of the canvas (negative: zoom out)."""
    vp = view.viewport()
    centre = QPointF(vp.rect().center())
    for _ in range(abs(steps)):
        ev = QWheelEvent(centre, QPointF(vp.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                         QPoint(0, 120 if steps > 0 else -120), Qt.NoButton, Qt.NoModifier,
                         Qt.NoScrollPhase, False)
        QApplication.sendEvent(vp, ev)


def visible_rect(view):
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_wheel_and_fit_never_zoom_below_readable_and_a_wide_network_scrolls(window, qtbot):
    wide = project.loads(preset_text("alexnet"))
    apply_layout(wide.graph)  # 15 layers in one row (the preset itself reads in three rows of five)
    load(window, qtbot, wide)
    view = window.view
    wheel(view, -40)
    assert view.zoom() >= MIN_ZOOM - 1e-6
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier)  # Fit to window
    assert view.zoom() >= MIN_ZOOM - 1e-6
    assert view.horizontalScrollBar().maximum() > 0  # scroll to see the rest
    first = window.scene.node_items[window.graph.by_name("input").id]
    assert visible_rect(view).contains(first.card_rect())  # a fit starts at the inputs
    assert view.minimap.isVisible()
    wheel(view, 8)
    assert view.zoom() > MIN_ZOOM


def test_small_network_fits_whole_without_minimap(window, qtbot):
    load(window, qtbot, project.loads(preset_text("mnist-mlp")))
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier)
    view = window.view
    for item in window.scene.node_items.values():
        assert visible_rect(view).contains(item.card_rect())
    assert not view.minimap.isVisible()


def test_ctrl_l_lays_a_chain_out_in_rows_read_like_text_in_one_undo_step(window, qtbot):
    g = window.graph
    before = {nid: n.pos for nid, n in g.nodes.items()}
    for i, nid in enumerate(g.topological_order()):  # a user's scattered canvas
        window.doc.push(MoveNodesCommand(g, {nid: (g.nodes[nid].pos, (float(i % 3) * 300, float(i) * 90))}))
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    order = g.topological_order()
    rows = sorted({g.nodes[nid].pos[1] for nid in order})
    assert len(rows) == 2  # ten layers, five to a row at 1480x900
    for y in rows:  # each row left to right, and the rows in the chain's order, top to bottom
        xs = [g.nodes[nid].pos[0] for nid in order if g.nodes[nid].pos[1] == y]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert [g.nodes[nid].pos[1] for nid in order] == sorted(g.nodes[nid].pos[1] for nid in order)
    assert {nid: n.pos for nid, n in g.nodes.items()} == before  # the preset was already laid out so
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert len({n.pos[1] for n in g.nodes.values()}) > 2
    load(window, qtbot, project.loads(preset_text("mnist-mlp")))  # four layers fit one row: one row
    QTest.keyClick(window, Qt.Key_L, Qt.ControlModifier)
    assert len({n.pos[1] for n in window.graph.nodes.values()}) == 1


def test_cards_never_repeat_the_output_shape(window):
    item = window.scene.node_items[window.graph.by_name("input").id]
    texts = [t for t, _f, _c in item.text_rows()]
    assert texts.count("28x28x1") == 1
    conv = window.scene.node_items[window.graph.by_name("conv2d").id]
    assert [t for t, _f, _c in conv.text_rows()][:2] == ["32 5x5 s1 valid relu", "24x24x32"]


def test_weight_labels_stay_clear_of_cards_and_ports_even_when_cards_close_in(window, qtbot):
    load(window, qtbot, project.loads(preset_text("xnor-case1")))
    scene = window.scene
    labelled = [e for e in scene.edge_items.values() if e.label]
    assert labelled

    def check():
        shown = 0
        for e in labelled:
            box = e.label_box(90.0)
            if box is None:
                continue
            shown += 1
            for card in (e.src.card_rect(), e.dst.card_rect()):
                assert not box.intersects(card.adjusted(-PORT_R, -PORT_R, PORT_R, PORT_R)), e.label
        return shown

    assert check() == len(labelled)  # the preset has room for every label
    g = window.graph
    hidden = g.by_name("hidden") if "hidden" in {n.name for n in g.nodes.values()} else \
        g.nodes[g.topological_order()[1]]
    src = g.nodes[g.input_ids(hidden.id)[0]]
    window.doc.push(MoveNodesCommand(g, {hidden.id: (hidden.pos, (src.pos[0] + 190, src.pos[1]))}))
    check()  # squeezed: shorter (elided) or hidden, never over a port


def test_go_to_layer_finds_by_name_centres_and_selects_it(window, qtbot):
    g = densenet_like(430)
    apply_layout(g)  # what the Keras importer does
    load(window, qtbot, project.Project(g, "dense", ""))
    view = window.view
    QTest.keyClick(window, Qt.Key_G, Qt.ControlModifier)
    field = view.find_bar.field
    assert view.find_bar.isVisible() and field.hasFocus()
    QTest.keyClicks(field, "conv4_block2_concat")
    QTest.keyClick(field, Qt.Key_Return)
    target = g.by_name("conv4_block2_concat")
    assert window.doc.selection == [target.id]
    card = window.scene.node_items[target.id].card_rect()
    assert visible_rect(view).contains(card)
    assert view.zoom() >= MIN_ZOOM - 1e-6
    # one match: the box and its popup close, and the canvas has the keyboard (issue 24)
    assert not view.find_bar.isVisible() and not field.completer().popup().isVisible() and view.hasFocus()
    # part of a name: Enter again goes to the next match
    QTest.keyClick(window, Qt.Key_G, Qt.ControlModifier)
    field.clear()
    QTest.keyClicks(field, "block3_concat")
    QTest.keyClick(field, Qt.Key_Return)
    first = window.doc.selection
    QTest.keyClick(field, Qt.Key_Return)
    assert window.doc.selection != first
    assert g.nodes[window.doc.selection[0]].name.endswith("block3_concat")
    # no such layer: a message naming what was typed, the selection unchanged
    kept = window.doc.selection
    field.clear()
    QTest.keyClicks(field, "nosuchlayer")
    QTest.keyClick(field, Qt.Key_Return)
    assert "nosuchlayer" in view.find_bar.result.text() and window.doc.selection == kept
    QTest.keyClick(field, Qt.Key_Escape)
    assert not view.find_bar.isVisible()


def test_big_graph_opens_as_a_layered_dag_with_visible_skips_and_a_working_minimap(window, qtbot):
    g = densenet_like(430)
    apply_layout(g)
    load(window, qtbot, project.Project(g, "dense", ""))
    scene, view = window.scene, window.view
    assert len(scene.node_items) == len(g.nodes) >= 430
    # every concatenation's skip runs in a lane that meets no card but its two ends
    skips = [e for e in scene.edge_items.values() if e.routed]
    assert len(skips) >= 50
    stroker = QPainterPathStroker()
    stroker.setWidth(2)
    for e in skips:
        line = stroker.createStroke(e.path())  # the drawn line itself, not the area it encloses
        for r, item in scene.cards_in(e.path().boundingRect()):
            if item is e.src or item is e.dst:
                continue
            assert not line.intersects(r), f"{e.edge} runs over {item.node_id}"
    # the minimap shows it all; a click near its right end moves the view to the network's end
    mm = view.minimap
    assert mm.isVisible()
    QTest.mouseClick(mm, Qt.LeftButton, pos=QPoint(mm.width() - 5, mm.height() // 2))
    content = scene.content_rect()
    assert visible_rect(view).center().x() > content.left() + 0.9 * content.width()
    head = scene.node_items[g.by_name("head_2_dense").id]
    assert visible_rect(view).intersects(head.card_rect())
    # fit selection (Ctrl+Shift+0) brings a selected layer back into view
    QTest.mouseClick(mm, Qt.LeftButton, pos=QPoint(6, mm.height() // 2))
    stem = g.by_name("stem_0_conv2d")
    window.doc.select([g.by_name("conv3_block4_concat").id])
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier | Qt.ShiftModifier)
    sel = scene.node_items[window.doc.selection[0]]
    assert visible_rect(view).contains(sel.card_rect()) and sel.isSelected()
    assert not visible_rect(view).contains(scene.node_items[stem.id].card_rect())


def test_the_minimap_never_covers_a_narrow_canvas(window, qtbot):
    """Train with the Lessons dock open (F1) left the canvas about 200 px wide at 1460x900 (now Train re-splits what
    is left, and it takes a 1060-px window). The minimap (240 px) used to hang off the canvas's left edge and cover
    all of it; it now takes at most half the view, or hides."""
    window.resize(1060, 900)
    wide = project.loads(preset_text("alexnet"))
    apply_layout(wide.graph)  # one long row: wider than any canvas here, so the minimap is wanted
    load(window, qtbot, wide)
    window.set_workspace("Train")
    qtbot.wait(20)
    QTest.keyClick(window, Qt.Key_F1)
    qtbot.waitUntil(lambda: window.lessons_dock.isVisible())
    qtbot.wait(50)
    view, mm = window.view, window.view.minimap
    vp = view.viewport().geometry()
    assert vp.width() < 400  # the squeeze this is about
    # half of this canvas is too narrow to show anything: hidden; where it is shown, inside and at most half
    assert mm.isVisible() == (vp.width() // 2 >= mm.MIN_W) and not mm.isVisible()
    window.resize(1700, 900)
    qtbot.wait(50)
    vp = view.viewport().geometry()
    assert vp.width() // 2 >= mm.MIN_W and mm.isVisible()
    assert vp.contains(mm.geometry()) and mm.width() <= vp.width() / 2
    window.lessons_dock.close()  # room again: the full minimap
    window.set_workspace("Build")
    qtbot.wait(50)
    assert mm.isVisible() and mm.width() == mm.W and view.viewport().geometry().contains(mm.geometry())


def _cards_visible(window) -> list[str]:
    seen = visible_rect(window.view)
    return [n for n, item in window.scene.node_items.items() if seen.contains(item.card_rect())]


def test_the_default_network_shows_whole_on_first_start(window, qtbot):
    """The first thing a newcomer sees: the digit CNN's ten layers, all of them, at a readable zoom. In one row
    (2,224 px) only five fitted the 1480x900 window's canvas; it now reads in two rows of five."""
    qtbot.wait(20)
    assert len(window.graph.nodes) == 10 and window.graph.by_name("conv2d_1")  # the default project
    assert sorted(_cards_visible(window)) == sorted(window.graph.nodes)
    assert window.view.transform().m11() >= MIN_ZOOM


def test_a_wrapped_edge_runs_back_between_the_rows_clear_of_every_card(window, qtbot):
    """The edge from the end of one row to the start of the next runs back along the gap between the rows, not
    as a loop through the cards."""
    scene = window.scene
    wrapped = [e for e in scene.edge_items.values() if e.dst.card_rect().right() < e.src.card_rect().left()]
    assert len(wrapped) == 1
    e = wrapped[0]
    stroker = QPainterPathStroker()
    stroker.setWidth(2)
    line = stroker.createStroke(e.path())
    for r, item in scene.cards_in(e.path().boundingRect().adjusted(-200, -200, 200, 200)):
        if item is not e.src and item is not e.dst:
            assert not line.intersects(r), f"{e.edge} runs over {item.node_id}"
    assert not line.intersects(e.src.card_rect().adjusted(2, 2, -2, -2))  # nor back through its own ends
    assert not line.intersects(e.dst.card_rect().adjusted(2, 2, -2, -2))


def test_auto_layout_wraps_a_long_chain_to_the_canvas_and_undo_puts_it_back(window, qtbot):
    """Ctrl+L on a long chain: rows as wide as the canvas shows at a readable zoom, everything in view."""
    g = window.graph
    for i, nid in enumerate(g.topological_order()):  # the user has strung it out in one long row
        window.doc.push(MoveNodesCommand(g, {nid: (g.nodes[nid].pos, (i * 228.0, 0.0))}))
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_L, Qt.ControlModifier)
    qtbot.wait(20)
    assert sorted(_cards_visible(window)) == sorted(g.nodes)
    assert len({g.nodes[n].pos[1] for n in g.nodes}) >= 2  # wrapped
    for width in (1100, 1280, 1444, 1452, 1612, 1700):  # at any window width, every row fits across the canvas
        window.resize(width, 900)
        qtbot.wait(20)
        QTest.keyClick(window.view, Qt.Key_L, Qt.ControlModifier)
        qtbot.wait(20)
        seen = visible_rect(window.view)
        for item in window.scene.node_items.values():
            card = item.card_rect()
            assert seen.left() <= card.left() and card.right() <= seen.right(), (width, item.node_id)
        assert window.view.transform().m11() >= MIN_ZOOM
    window.resize(1480, 900)
    qtbot.wait(20)
    while window.stack.canUndo() and len({g.nodes[n].pos[1] for n in g.nodes}) > 1:
        window.stack.undo()  # one step each Ctrl+L: back to the long row
    assert {g.nodes[n].pos[1] for n in g.nodes} == {0.0}


def test_xnor_case2_reads_whole_in_the_logic_lab(window, qtbot):
    """The lecture's second XNOR (five neurons' worth of cards, each edge labelled with its weights) was 1,492 px
    wide: the Logic lab's canvas showed three and a half cards. It now reads in two rows."""
    window.set_workspace("Logic lab")
    load(window, qtbot, project.loads(preset_text("xnor-case2")))
    assert sorted(_cards_visible(window)) == sorted(window.graph.nodes)
    assert window.view.transform().m11() >= MIN_ZOOM


def test_a_layer_added_after_the_last_of_a_wrapped_network_starts_a_new_row(window, qtbot):
    """The default network reads in two rows of five. Select its last layer, Ctrl+F, "Dense", Enter, Enter: the new
    Dense goes under the rows, at their left, wired (it ran off to the right of row two, a sixth card there, and
    the view scrolled away from the first column). A network in one row still grows to the right."""
    g = window.graph
    last = g.topological_order()[-1]
    window.select_nodes([last])
    left = min(n.pos[0] for n in g.nodes.values())
    bottom = max(n.pos[1] for n in g.nodes.values())
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    QTest.keyClicks(window.palette_panel.search, "Dense")
    QTest.keyClick(window.palette_panel.search, Qt.Key_Return)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    new = window.doc.selection[0]
    assert new != last and g.nodes[new].kind == "dense" and g.input_ids(new) == [last]
    assert g.nodes[new].pos == (left, bottom + Y_SPACING * WRAP_ROW_GAP)
    qtbot.wait(20)
    assert visible_rect(window.view).contains(window.scene.node_items[new].card_rect())
    load(window, qtbot, project.loads(preset_text("mnist-mlp")))  # one row: the next layer to its right
    g = window.graph
    last = g.topological_order()[-1]
    window.select_nodes([last])
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    QTest.keyClicks(window.palette_panel.search, "Dense")
    QTest.keyClick(window.palette_panel.search, Qt.Key_Return)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    new = window.doc.selection[0]
    assert g.nodes[new].pos == (g.nodes[last].pos[0] + X_SPACING, g.nodes[last].pos[1])


def _palette_pick(window, name):
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    QTest.keyClicks(window.palette_panel.search, name)
    QTest.keyClick(window.palette_panel.search, Qt.Key_Return)  # into the list, on the first match
    return QApplication.focusWidget()


def test_shift_enter_inserts_a_layer_between_the_selected_one_and_the_next(window, qtbot):
    """Enter adds the layer after the selected one as a branch (conv2d feeds maxpool2d and the new layer, and the
    status bar says so); Shift+Enter puts it between them: conv2d -> dropout -> maxpool2d, one undo step."""
    g = window.graph
    conv, pool = g.by_name("conv2d").id, g.by_name("maxpool2d").id
    window.select_nodes([conv])
    QTest.keyClick(_palette_pick(window, "Dropout"), Qt.Key_Return)
    branch = window.doc.selection[0]
    assert sorted(g.output_ids(conv)) == sorted([pool, branch]) and g.input_ids(pool) == [conv]
    said = window.statusBar().currentMessage()
    assert "conv2d now feeds both" in said and "Shift+Enter" in said, said
    window.stack.undo()
    window.select_nodes([conv])
    depth = window.stack.index()
    QTest.keyClick(_palette_pick(window, "Dropout"), Qt.Key_Return, Qt.ShiftModifier)
    new = window.doc.selection[0]
    assert g.input_ids(new) == [conv] and g.output_ids(conv) == [new] and g.input_ids(pool) == [new]
    assert g.nodes[new].kind == "dropout" and window.stack.index() == depth + 1
    assert "Inserted Dropout (dropout" in window.statusBar().currentMessage()  # its kind as the palette says it
    assert "between conv2d and maxpool2d" in window.statusBar().currentMessage()
    assert not any(info.errors for info in window.doc.infos.values())  # shapes flow through it
    window.stack.undo()
    assert g.input_ids(pool) == [conv] and new not in g.nodes
    last = g.topological_order()[-1]
    window.select_nodes([last])  # the last layer feeds nothing: nothing to put a layer between; it says so
    QTest.keyClick(_palette_pick(window, "Dropout"), Qt.Key_Return, Qt.ShiftModifier)
    assert len(g.nodes) == 10 and "feeds exactly one other" in window.statusBar().currentMessage()


def test_ctrl_k_says_which_input_it_replaced(window, qtbot):
    g = window.graph
    conv, dense, drop = g.by_name("conv2d").id, g.by_name("dense").id, g.by_name("dropout").id
    for nid in (conv, drop):
        window.doc.select([*window.doc.selection, nid] if nid != conv else [nid])
    assert window.doc.selection == [conv, drop]
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_K, Qt.ControlModifier)
    assert g.input_ids(drop) == [conv]
    said = window.statusBar().currentMessage()
    assert "replacing dropout's input from dense" in said and "Ctrl+Z" in said, said
    assert dense in g.nodes


def test_ctrl_delete_removes_a_layer_and_joins_its_neighbours(window, qtbot):
    """Delete on a layer in the middle of a chain cuts it (everything after turns grey) and now says how to join;
    Ctrl+Delete removes it and wires the layer before it into the layer after it, one undo step."""
    g = window.graph
    conv, pool, conv2 = (g.by_name(n).id for n in ("conv2d", "maxpool2d", "conv2d_1"))
    window.select_nodes([pool])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete)
    assert pool not in g.nodes and g.input_ids(conv2) == []
    assert "Ctrl+Delete" in window.statusBar().currentMessage()
    window.stack.undo()
    window.select_nodes([pool])
    per_row = window.doc.layout_row(g)  # the preset in the canvas's rows: it stays in them, with no gap (a drive)
    assert per_row
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete, Qt.ControlModifier)
    assert pool not in g.nodes and g.input_ids(conv2) == [conv] and g.output_ids(conv) == [conv2]
    from playground.core.layout import auto_layout
    assert {n.id: n.pos for n in g.nodes.values()} == auto_layout(g, per_row=per_row)
    assert "joined conv2d to conv2d_1" in window.statusBar().currentMessage()
    assert not any(info.errors for info in window.doc.infos.values())
    window.stack.undo()  # one step back: the layer and both its edges
    assert g.input_ids(pool) == [conv] and g.input_ids(conv2) == [pool]


def test_the_whole_network_stays_in_view_when_the_canvas_changes_size_after_a_fit(window, qtbot):
    """A fit made before a workspace's splitters settle, or before the window is resized, used to stay at the old
    width: xnor-case2 opened in Build and shown in the Logic lab had its right column cut. After Fit the view
    refits on a resize (until the user zooms or scrolls); selecting a layer already in view does not scroll."""
    load(window, qtbot, project.loads(preset_text("xnor-case2")))
    QTest.keyClick(window, Qt.Key_2, Qt.ControlModifier)  # Logic lab
    qtbot.waitUntil(lambda: window.workspace == "Logic lab")
    qtbot.wait(50)
    window.select_nodes([window.graph.by_name("and").id])
    assert sorted(_cards_visible(window)) == sorted(window.graph.nodes)
    before = window.view.zoom()
    window.resize(1700, 900)  # wider: refitted, larger, still whole
    qtbot.wait(50)
    assert window.view.zoom() > before and sorted(_cards_visible(window)) == sorted(window.graph.nodes)


def _merge_project():
    from playground.core.graph import Graph
    g = Graph()
    inp = g.add_node("input", {"shape": [8]}, name="x", pos=(0.0, 0.0))
    a = g.add_node("dense", {"units": 4}, name="a", pos=(228.0, 0.0))
    b = g.add_node("dense", {"units": 4}, name="b", pos=(228.0, 175.0))
    cat = g.add_node("concatenate", {}, name="cat", pos=(456.0, 0.0))
    g.connect(inp.id, a.id)
    g.connect(inp.id, b.id)
    g.connect(a.id, cat.id, port=0)
    g.connect(b.id, cat.id, port=1)
    return project.Project(g, "merge", "")


def test_insert_and_join_keep_a_merge_layers_input_order(window, qtbot):
    """Concatenate takes a then b. A layer inserted after a goes into a's place (port 0), and deleting it with
    Ctrl+Delete puts a back there: the features never swap order (they did: [b, dropout], then [b, x])."""
    load(window, qtbot, _merge_project())
    g = window.graph
    a, b, cat = (g.by_name(n).id for n in ("a", "b", "cat"))
    window.select_nodes([a])
    QTest.keyClick(_palette_pick(window, "Dropout"), Qt.Key_Return, Qt.ShiftModifier)
    drop = window.doc.selection[0]
    assert g.input_ids(cat) == [drop, b]
    window.select_nodes([drop])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete, Qt.ControlModifier)
    assert drop not in g.nodes and g.input_ids(cat) == [a, b]


def test_ctrl_delete_in_a_text_field_never_deletes_the_layer(window, qtbot):
    """In the inspector's name field Ctrl+Delete is the field's own key (delete a word); it used to delete the
    selected layer, which the user was renaming."""
    g = window.graph
    conv = g.by_name("conv2d").id
    window.select_nodes([conv])
    field = window.inspector.fields["name"]
    field.setFocus()
    field.setCursorPosition(0)
    QTest.keyClick(field, Qt.Key_Delete, Qt.ControlModifier)
    assert conv in g.nodes and len(g.nodes) == 10


def test_a_preset_opened_on_a_small_screen_shows_whole(window, qtbot):
    """At 1280x720 Build's canvas shows three of the presets' columns at the smallest readable zoom, not the five
    their rows were laid out in: a long preset's chain is wrapped again to what this canvas shows, so it opens
    readable and no wider than the canvas, without Ctrl+L. It is whole where its rows fit the height (three rows:
    nine layers); the rows after the third are below, where the vertical scroll bar brings them in. A preset the
    canvas already shows keeps its own rows."""
    window.resize(1280, 720)
    qtbot.wait(30)
    view = window.view
    for name, whole in (("lenet5", True), ("cifar10-cnn", True), ("mnist-cnn", False),
                        ("cifar10-cnn-augmented", False), ("alexnet", False)):
        choose_preset(window, qtbot, name)
        shown = visible_rect(view)
        cards = [item.card_rect() for item in view.scene().node_items.values()]
        assert len(cards) == len(window.graph.nodes) > 5
        assert view.zoom() >= MIN_ZOOM - 1e-6
        assert all(shown.left() <= r.left() and r.right() <= shown.right() for r in cards), (name, shown)
        first_row = [r for r in cards if r.top() == min(c.top() for c in cards)]
        assert all(shown.contains(r) for r in (cards if whole else first_row)), (name, shown)
        assert not window.doc.stack.canUndo()  # a fresh project: nothing of the user's was moved
        assert len({n.pos[0] for n in window.graph.nodes.values()}) == 3  # three across (the README says so)
    window.resize(1700, 950)  # room for five across: the preset's own layout, untouched
    qtbot.wait(30)
    choose_preset(window, qtbot, "alexnet")
    own = project.loads(preset_text("alexnet")).graph
    assert {n.name: n.pos for n in window.graph.nodes.values()} == {n.name: n.pos for n in own.nodes.values()}


def test_the_first_network_fits_a_small_screen_when_the_app_opens(qtbot, settings):
    """The digit network the app opens with, on a 1280x720 screen: its rows are wrapped to the canvas the window
    is shown with, so no column is cut at the right; nothing is on the undo stack (nothing of the user's moved)."""
    from playground.ui.main_window import MainWindow
    w = MainWindow(settings=settings)
    w.ask_save = lambda: "discard"
    qtbot.addWidget(w)
    w.resize(1280, 720)
    w.show()
    qtbot.wait(50)
    try:
        view = w.view
        shown = visible_rect(view)
        cards = [item.card_rect() for item in view.scene().node_items.values()]
        assert len(cards) == 10 and view.zoom() >= MIN_ZOOM - 1e-6
        assert all(shown.left() <= r.left() and r.right() <= shown.right() for r in cards), shown
        assert not w.doc.stack.canUndo() and not w.isWindowModified()
        # and none cut at the bottom (two new-user drives: the last card, dense_1, was, under the layer table,
        # with the minimap over Dropout): the table gives the canvas the few pixels it lacks, down to 110 px
        assert all(shown.contains(r) for r in cards), shown
        assert not view.minimap.isVisible() and w.vsplit.sizes()[1] >= 110
    finally:
        w.files.clear_recovery()
        w.close()


def test_scroll_bars_show_only_when_there_is_more_to_see(window, qtbot):
    """The digit network, whole at 1480x900: no scroll bar. The same network strung out in one long row is wider
    than the canvas at its smallest readable zoom: the horizontal bar, and scrolling it reaches the last layer."""
    view = window.view
    qtbot.wait(30)
    assert not view.horizontalScrollBar().isVisible() and not view.verticalScrollBar().isVisible()
    wide = project.loads(preset_text("alexnet"))
    apply_layout(wide.graph)  # one row of 15
    load(window, qtbot, wide)
    bar = view.horizontalScrollBar()
    assert bar.isVisible() and not view.verticalScrollBar().isVisible()
    QTest.keyClick(bar, Qt.Key_End)
    qtbot.wait(20)
    last = max(view.scene().node_items.values(), key=lambda item: item.card_rect().right())
    assert visible_rect(view).contains(last.card_rect())


def test_dragging_a_card_past_the_canvas_edge_moves_nothing_else(window, qtbot):
    """A card dragged out past the view's corner brings the scroll bars; the view stays where it was: the other
    cards keep their place on screen and the dragged one stays under the mouse (a scene sized to the cards grew
    under the drag and shifted the whole network by tens of pixels)."""
    load(window, qtbot, project.loads(preset_text("mnist-mlp")))
    view, vp = window.view, window.view.viewport()
    qtbot.wait(30)
    nodes = list(window.graph.nodes.values())
    last, still = window.scene.node_items[nodes[-1].id], window.scene.node_items[nodes[0].id]
    before = view.mapFromScene(still.card_rect().topLeft())
    start = view.mapFromScene(last.card_rect().center())
    end = QPoint(vp.width() - 6, vp.height() - 6)  # the canvas's corner: part of the card is now out of view
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 9):
        QTest.mouseMove(vp, start + (end - start) * k / 8)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    qtbot.wait(50)  # the edges re-route and the view decides its scroll bars
    assert view.horizontalScrollBar().isVisible() and view.verticalScrollBar().isVisible()
    assert view.mapFromScene(still.card_rect().topLeft()) == before
    under = view.mapFromScene(last.card_rect().center())
    assert abs(under.x() - end.x()) <= 2 and abs(under.y() - end.y()) <= 2, (under, end)
    QTest.keyClick(view, Qt.Key_Z, Qt.ControlModifier)  # back, and the bars go with it
    qtbot.wait(50)
    assert not view.horizontalScrollBar().isVisible() and not view.verticalScrollBar().isVisible()


def test_the_first_show_leaves_a_project_opened_before_it_as_it_was(qtbot, settings):
    """A never-saved project put in the window before it is first shown (a recovered autosave) keeps its own
    positions: the first-show wrap is for the preset the window opened with, nothing else."""
    from playground.ui.main_window import MainWindow
    w = MainWindow(settings=settings)
    w.ask_save = lambda: "discard"
    qtbot.addWidget(w)
    mine = project.loads(preset_text("alexnet"))
    w.load_project(mine, None)
    w.resize(1280, 720)
    w.show()
    qtbot.wait(50)
    try:
        assert {n.name: n.pos for n in w.graph.nodes.values()} == {n.name: n.pos for n in mine.graph.nodes.values()}
    finally:
        w.files.clear_recovery()
        w.close()


def test_a_layer_added_where_the_minimap_is_is_scrolled_clear_of_it(window, qtbot):
    """At 1280x720 the digit network is taller than the canvas and the minimap shows in its corner. A layer added
    after one in the lower rows (a click on its card, a click on a palette entry, Enter) went under the minimap,
    selected but hidden."""
    window.resize(1280, 720)
    qtbot.wait(30)
    choose_preset(window, qtbot, "mnist-cnn")
    assert window.view.minimap.isVisible()
    for name in ("dense", "dense_1"):
        check_added_clear_of_minimap(window, qtbot, name)


def check_added_clear_of_minimap(window, qtbot, name):
    view, mm = window.view, window.view.minimap
    item = view.scene().node_items[window.graph.by_name(name).id]
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    tree, entry = window.palette_panel.tree, window.palette_panel.items["dropout"]
    tree.scrollToItem(entry)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, tree.visualItemRect(entry).center())
    QTest.keyClick(tree, Qt.Key_Return)
    qtbot.wait(30)
    new = window.doc.selection[0]
    assert window.graph.nodes[new].kind == "dropout"
    card = view.mapFromScene(view.scene().node_items[new].card_rect()).boundingRect()
    assert view.viewport().rect().contains(card)
    assert not mm.isVisible() or not mm.geometry().intersects(card.translated(view.viewport().pos())), \
        (name, card, mm.geometry())


def test_a_gate_network_opened_in_a_small_logic_lab_fits_its_canvas(window, qtbot):
    """At 1280x720 the Logic lab's canvas is about 540 px wide: xnor-case1 opened there (Ctrl+Shift+N) was wrapped
    for Build's wider canvas, and its last neuron was cut at the right edge."""
    window.resize(1280, 720)
    QTest.keyClick(window, Qt.Key_2, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.workspace == "Logic lab")
    for name in ("xnor-case1", "xnor-case2"):
        choose_preset(window, qtbot, name)
        view = window.view
        shown = visible_rect(view)
        cards = [item.card_rect() for item in view.scene().node_items.values()]
        assert view.zoom() >= MIN_ZOOM - 1e-6
        assert all(shown.left() <= r.left() and r.right() <= shown.right() for r in cards), (name, shown)


def test_a_scroll_bar_ends_where_the_network_does(window, qtbot):
    """At 1280x720 the digit network is a little taller than the canvas. The vertical bar's range was the whole
    6000x4000 scene: its thumb was tiny and its end showed 1,400 px of blank canvas below the network. It now ends
    a card's room past the network (room to drop a layer there), and starts no higher than the view is now."""
    from playground.ui.canvas.view import SCROLL_ROOM as MARGIN
    window.resize(1280, 720)
    qtbot.wait(30)
    choose_preset(window, qtbot, "mnist-cnn")
    view = window.view
    bar = view.verticalScrollBar()
    assert bar.isVisible()
    content = view.scene().content_rect()
    QTest.keyClick(bar, Qt.Key_End)
    qtbot.wait(20)
    shown = visible_rect(view)
    assert shown.bottom() >= content.bottom() and shown.bottom() <= content.bottom() + MARGIN + 2, (shown, content)
    QTest.keyClick(bar, Qt.Key_Home)
    qtbot.wait(20)
    assert visible_rect(view).top() >= content.top() - MARGIN - 2
    assert bar.pageStep() > 0.3 * (bar.maximum() - bar.minimum())  # a thumb worth dragging


def test_the_preset_gallery_is_freed_after_each_use(window, qtbot):
    """A new-user drive found a gallery window (with its thumbnails) alive for every Ctrl+Shift+N ever pressed."""
    from playground.ui.dialogs import PresetGallery
    for name in ("and", "or", "lenet5"):
        choose_preset(window, qtbot, name)
    qtbot.wait(20)  # deleteLater runs in the event loop
    assert window.findChildren(PresetGallery) == []


def test_a_card_dragged_under_the_minimap_sends_it_to_another_corner(window, qtbot):
    """The minimap sat in the canvas's bottom-right corner whatever was there: a card dragged into that corner
    went under it (noticed in the Logic lab). It now takes the bottom-left or top-left corner where that covers
    less of the cards, and comes back when the bottom right is clear again."""
    wide = project.loads(preset_text("alexnet"))
    apply_layout(wide.graph)  # one long row: wider than the canvas, so the minimap is shown
    load(window, qtbot, wide)
    view, mm = window.view, window.view.minimap
    vp = view.viewport()
    assert mm.isVisible()
    corner, viewport_then = mm.geometry(), vp.geometry()
    assert corner.right() > vp.width() // 2 and corner.bottom() > vp.height() // 2  # bottom right
    item = next(i for i in window.scene.node_items.values()
                if visible_rect(view).contains(i.card_rect()) and i.card_rect().center().x() <
                view.mapToScene(vp.rect().center()).x())  # a card in the view's left half
    start = view.mapFromScene(item.card_rect().center())
    to = vp.mapFromParent(corner.center())  # its centre onto the minimap's
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 11):
        QTest.mouseMove(vp, start + (to - start) * k / 10)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, to)
    qtbot.wait(50)
    card = view.mapFromScene(item.card_rect()).boundingRect().translated(vp.pos())
    assert card.intersects(corner)  # the card is where the minimap was
    assert mm.isVisible() and not mm.geometry().intersects(card), (mm.geometry(), card)
    assert view.viewport().geometry().contains(mm.geometry())
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)  # the move undone: the bottom right is clear again
    qtbot.wait(50)
    # (as far from the bottom right as before: the first change took the lessons offer away, the canvas grew)
    gap = lambda r, area: (area.right() - r.right(), area.bottom() - r.bottom())  # noqa: E731
    assert gap(mm.geometry(), vp.geometry()) == gap(corner, viewport_then) and mm.size() == corner.size()



def test_auto_layout_wraps_a_branchy_network_into_bands_and_a_fit_keeps_the_selected_layer_in_view(window, qtbot):
    """MobileNetV2 opened as one row of 156 cards. Auto-layout (Ctrl+L) now wraps a network with branches too,
    into bands cut where one edge alone goes on, read top to bottom; Ctrl+0 then shows its start, or the selected
    layer where that is further down (it showed the selected layer's column at the top: empty canvas)."""
    from synthetic_graphs import resnet_like
    window.resize(1280, 720)
    load(window, qtbot, project.Project(resnet_like(60), "resnetish"))
    window.set_workspace("Build")
    qtbot.wait(20)
    QTest.keyClick(window, Qt.Key_L, Qt.ControlModifier)  # Auto-layout
    qtbot.wait(20)
    g, scene, view = window.graph, window.scene, window.view
    xs = [n.pos[0] for n in g.nodes.values()]
    assert max(xs) / X_SPACING + 1 <= 12  # a block a band, not 63 columns in one row
    back = [e for e in g.edges if g.nodes[e.dst].pos[0] < g.nodes[e.src].pos[0]]
    assert len(back) >= 4  # the edge from one band to the next runs back along the gap
    last = max(g.nodes.values(), key=lambda n: (n.pos[1], n.pos[0]))  # the head, in the last band
    QTest.keyClick(window, Qt.Key_G, Qt.ControlModifier)  # Go to layer: its name, Enter
    QTest.keyClicks(view.find_bar.field, last.name)
    QTest.keyClick(view.find_bar.field, Qt.Key_Return)
    qtbot.wait(20)
    assert window.doc.selection == [last.id]
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier)  # Fit to window
    qtbot.wait(20)
    assert visible_rect(view).contains(scene.node_items[last.id].card_rect())
    empty = next(QPoint(x, y) for y in range(10, 400, 20) for x in range(10, 600, 20)
                 if scene.itemAt(view.mapToScene(QPoint(x, y)), view.transform()) is None)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, empty)  # a click on the empty canvas
    qtbot.wait(20)
    assert window.doc.selection == []
    QTest.keyClick(window, Qt.Key_0, Qt.ControlModifier)
    first = scene.node_items[g.by_name("input_1").id]
    assert visible_rect(view).contains(first.card_rect())  # nothing selected: the start


def and_gate_in_a_small_logic_lab(window, qtbot):
    """The AND preset opened (File menu) in a 1280x720 window, Ctrl+2 to the Logic lab; the canvas view."""
    window.resize(1280, 720)
    choose_preset(window, qtbot, "and")
    QTest.keyClick(window, Qt.Key_2, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.workspace == "Logic lab")
    qtbot.wait(50)
    view = window.view
    return view


def test_a_card_clicked_then_the_window_resized_still_shows_the_network_whole_and_centred(window, qtbot):
    """A new-user drive clicked the AND gate's neuron at 1280x720 and then maximised the window: the two cards
    stayed at the old zoom in the top-left corner of a mostly empty canvas (any press stopped the refit). A click
    that moves nothing keeps it; a drag still stops it (test_dragging_a_card_past_the_canvas_edge...)."""
    view = and_gate_in_a_small_logic_lab(window, qtbot)
    item = view.scene().node_items[window.graph.by_name("and").id]
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(item.card_rect().center()))
    assert window.doc.selection == [window.graph.by_name("and").id]  # the click selected it
    before = view.zoom()
    window.resize(1920, 1080)
    qtbot.wait(50)
    shown = visible_rect(view)
    content = view.scene().content_rect()
    assert view.zoom() > before and shown.contains(content)
    assert abs(shown.center().x() - content.center().x()) < 30  # centred, not in a corner


def test_go_to_a_layer_keeps_a_fitted_gate_whole(window, qtbot):
    """Go to layer zoomed to 1.0 from any zoom below it: the AND gate, fitted at 0.92 in the 1280x720 Logic lab,
    then had its Input card cut at the left edge. It zooms in only to the readable minimum."""
    view = and_gate_in_a_small_logic_lab(window, qtbot)
    zoom = view.zoom()
    assert MIN_ZOOM <= zoom < 1.0
    QTest.keyClick(window, Qt.Key_G, Qt.ControlModifier)
    QTest.keyClicks(view.find_bar.field, "and")
    QTest.keyClick(view.find_bar.field, Qt.Key_Return)
    assert window.doc.selection == [window.graph.by_name("and").id]
    shown = visible_rect(view)
    assert view.zoom() == pytest.approx(zoom) and all(
        shown.contains(i.card_rect()) for i in view.scene().node_items.values())


def test_a_large_network_gets_a_minimap_of_its_shape_whose_cards_can_be_seen(window, qtbot, tmp_path):
    """A new-user drive opened MobileNetV2 (156 layers; its residual blocks in bands up to 6,300 px wide, 4,600 px
    tall): the minimap was a 240x90 box with cards 3x1.7 px in its middle half. It takes the network's shape (up to
    160 px high, two fifths of the canvas: a third left 2.4 px cards under a two-line banner) and fills it, each card
    a block of at least 5x2.5 px; a click on the last layer's block goes there."""
    import keras
    keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3), classes=5).save(tmp_path / "m.keras")
    window.resize(1280, 720)
    window.files.open_file(tmp_path / "m.keras")
    qtbot.waitUntil(lambda: window.files.importing is None and len(window.graph.nodes) > 150, timeout=120_000)
    qtbot.wait(50)
    view, scene = window.view, window.scene
    content = scene.content_rect()
    mm = view.minimap
    assert mm.isVisible() and mm.height() > 120, mm.geometry()
    _, sx, sy, ox, oy = mm._mapping()
    assert content.width() * sx >= 0.8 * (mm.width() - 8) and content.height() * sy >= 0.8 * (mm.height() - 8)
    card = next(iter(scene.node_items.values())).card_rect()
    assert card.width() * sx >= 5 and card.height() * sy >= 2.5, (card.width() * sx, card.height() * sy)
    last = scene.node_items[window.graph.outputs()[0].id].card_rect().center()
    QTest.mouseClick(mm, Qt.LeftButton, pos=QPoint(round(ox + (last.x() - content.left() + 40) * sx),
                                                   round(oy + (last.y() - content.top() + 40) * sy)))
    assert visible_rect(view).contains(last)


def _cards_under(view, rect):
    """The cards (in the viewport's parent coordinates, as the minimap's geometry) that ``rect`` covers."""
    vp = view.viewport()
    return [i.node_id for i in view.scene().node_items.values()
            if view.mapFromScene(i.card_rect()).boundingRect().translated(vp.pos()).intersects(rect)]


def test_the_minimap_takes_a_free_band_over_a_network_that_fills_the_canvas(window, qtbot):
    """Lesson 4 loads AlexNet in rows of five; with the lessons closed at 1280x720 it fills the canvas's width and
    every corner has a card: the minimap sat on Input and the first convolution. The band under the last row was
    free: the minimap takes it, lower, covering no card, and is drawn whole."""
    from test_lessons_panel import to_alexnet
    window.resize(1280, 720)
    to_alexnet(window)
    from PySide6.QtWidgets import QAbstractButton
    close = window.lessons_dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    QTest.mouseClick(close, Qt.LeftButton)  # the lessons closed: the canvas is wider
    qtbot.waitUntil(lambda: not window.lessons_dock.isVisible(), timeout=2000)
    qtbot.wait(50)
    view, mm = window.view, window.view.minimap
    assert mm.isVisible()
    assert _cards_under(view, mm.geometry()) == [], (mm.geometry(), _cards_under(view, mm.geometry()))
    assert mm.height() >= 44 and view.viewport().geometry().contains(mm.geometry())
    assert not mm.faint


def test_a_minimap_that_must_cover_cards_is_faint_until_the_pointer_is_on_it(window, qtbot):
    """Where every place it could take covers a card, the cards under it still show through it."""
    from playground.core.graph import chain
    window.resize(1280, 720)
    g = chain(("input", {"shape": [8]}), *[("dense", {"units": 4})] * 80)
    for k, n in enumerate(g.nodes.values()):  # cards packed as a user may drag them: 10 a row, 20 px between rows
        n.pos = ((k % 10) * X_SPACING, (k // 10) * 90.0)
    load(window, qtbot, project.Project(g, "packed", ""))
    view, mm = window.view, window.view.minimap
    qtbot.wait(50)
    if not mm.isVisible() or not _cards_under(view, mm.geometry()):
        pytest.fail(f"the setup should leave no free corner: {mm.isVisible()}, {mm.geometry()}")
    assert mm.faint
    QTest.mouseMove(mm, mm.rect().center())
    qtbot.waitUntil(lambda: not mm.faint, timeout=1000)
    QTest.mouseMove(view.viewport(), QPoint(5, 5))
    qtbot.waitUntil(lambda: mm.faint, timeout=1000)


def test_the_minimap_keeps_off_the_weight_labels_in_the_logic_lab(window, qtbot):
    """A new-user drive: xnor-case2 in the Logic lab at 1280x720; the minimap sat top left over the first edge's
    weight label, which says the network's weights. It counts the labels as it counts the cards."""
    from PySide6.QtGui import QFontMetricsF

    from playground.ui import theme
    window.resize(1280, 720)
    choose_preset(window, qtbot, "xnor-case2")
    qtbot.waitUntil(lambda: window.workspace == "Logic lab", timeout=2000)
    qtbot.wait(50)
    view, mm = window.view, window.view.minimap
    assert mm.isVisible()  # the network is wider than the lab's canvas
    vp = view.viewport()
    fm = QFontMetricsF(theme.mono_font(9))
    labels = []
    for edge in window.scene.edge_items.values():
        box = edge.label_box(fm.horizontalAdvance(edge.label)) if edge.label else None
        if box is not None:
            labels.append(view.mapFromScene(box).boundingRect().translated(vp.pos()))
    assert labels
    assert not [r for r in labels if r.intersects(mm.geometry())], (mm.geometry(), labels)
    assert _cards_under(view, mm.geometry()) == []


def test_train_beside_the_lessons_gives_the_panel_the_canvas_strip_it_cannot_use(window, qtbot):
    """A drive: Train beside the lessons at 1280x720 left the canvas a 125-px strip holding half a card. Where the
    Train panel leaves the canvas less than a readable width, the panel takes it all; Build has its canvas back."""
    from test_lessons_panel import open_lessons
    window.resize(1280, 720)
    open_lessons(window)
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    qtbot.wait(50)
    palette, canvas, panel = window.hsplit.sizes()
    assert canvas == 0 and panel >= window.train_panel.minimumSizeHint().width(), window.hsplit.sizes()
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    qtbot.wait(50)
    assert window.hsplit.sizes()[1] >= 400 and window.view.isVisible()
    from PySide6.QtWidgets import QAbstractButton
    QTest.mouseClick(window.lessons_dock.findChild(QAbstractButton, "qt_dockwidget_closebutton"), Qt.LeftButton)
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    qtbot.wait(50)
    assert window.hsplit.sizes()[1] >= 240  # room again: Train shows the network beside its panel


def test_a_large_network_opens_with_its_input_clear_of_the_minimap(window, qtbot, tmp_path):
    """ResNet50 opened with the minimap over its Input and first ZeroPadding: every corner had cards, and the
    top-left one covered least. Where the network starts is kept clear."""
    import keras
    window.resize(1280, 720)
    keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10).save(tmp_path / "resnet50.h5")
    window.set_workspace("Build")
    window.open_file(tmp_path / "resnet50.h5")  # File > Open, after its dialog
    qtbot.waitUntil(lambda: window.files.importing is None and len(window.graph.nodes) > 100, timeout=60_000)
    qtbot.wait(100)
    view = window.view
    assert view.minimap.isVisible()
    item = window.scene.node_items[window.graph.inputs()[0].id]
    card = view.mapFromScene(item.mapToScene(item.boundingRect()).boundingRect()).boundingRect()
    card = card.translated(view.viewport().geometry().topLeft())
    assert view.viewport().geometry().intersects(card)  # the Input is in view
    assert not view.minimap.geometry().intersects(card), (view.minimap.geometry(), card)


def test_layers_inserted_into_a_tidy_network_keep_it_tidy(window, qtbot):
    """A drive selected the Input and put five augmentation layers after it with Shift+Enter: they stacked in a column
    below the network, far from the Input they follow, wires crossing. A network in its automatic layout stays in
    it, in the same undo step; one the user arranged keeps its places (Ctrl+L tidies it)."""
    from playground.core.layout import auto_layout
    from playground.ui.commands import MoveNodesCommand
    window.resize(1280, 720)
    window.set_workspace("Build")
    QTest.keyClick(window, Qt.Key_L, Qt.ControlModifier)  # Auto-layout: the preset as Ctrl+L lays it out
    g = window.graph
    inp = g.inputs()[0]
    steps = window.stack.count()
    for name in ("RandomFlip", "RandomRotation", "RandomZoom"):
        window.select_nodes([inp.id])
        QTest.keyClick(_palette_pick(window, name), Qt.Key_Return, Qt.ShiftModifier)
        per_row = window.editor.per_row(g)
        assert {nid: n.pos for nid, n in g.nodes.items()} == auto_layout(g, per_row=per_row)
    order = g.topological_order()
    assert [g.nodes[n].kind for n in order[:4]] == ["input", "randomzoom", "randomrotation", "randomflip"]
    assert window.stack.count() == steps + 3  # each insertion, its moves with it, one step
    window.stack.undo()
    assert not any(n.kind == "randomzoom" for n in g.nodes.values())
    moved = g.nodes[order[-1]]  # arranged by hand (as a drag does): an insertion moves nothing else
    window.doc.push(MoveNodesCommand(g, {moved.id: (moved.pos, (moved.pos[0] + 37.0, moved.pos[1]))}))
    before = {nid: n.pos for nid, n in g.nodes.items()}
    window.select_nodes([inp.id])
    QTest.keyClick(_palette_pick(window, "RandomZoom"), Qt.Key_Return, Qt.ShiftModifier)
    assert all(g.nodes[nid].pos == pos for nid, pos in before.items())
    assert "Ctrl+L tidies the layout" in window.statusBar().currentMessage()


def test_a_paste_lands_where_no_card_is_among_many():
    """The paste's free place is found by cells (1,500 pasted beside 1,000 froze the window 37 s): the same place as
    asking every card, on a crowded canvas."""
    from playground.ui.editor import _Taken, _overlap
    import numpy as np
    rng = np.random.default_rng(0)
    cards = [tuple(map(float, p)) for p in rng.uniform(-3000, 3000, size=(400, 2))]
    taken = _Taken(cards)
    for q in rng.uniform(-3200, 3200, size=(2000, 2)):
        assert taken.hit(tuple(q)) == any(_overlap(p, tuple(q)) for p in cards)


def test_the_empty_canvas_hint_wraps_inside_a_narrow_canvas(window, qtbot):
    """A drive at 1280x720: File > New, then Train: its canvas is about 430 px wide, and the hint ("Drag a layer
    here ... File > New from preset (Ctrl+Shift+N)") ran past both of its edges, cut. It wraps inside them."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.resize(1280, 720)
    QTest.keyClick(window, Qt.Key_N, Qt.ControlModifier)  # File > New
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)  # Train: the canvas beside it is narrow
    qtbot.waitUntil(lambda: window.workspace == "Train")
    qtbot.wait(50)
    image = window.view.viewport().grab().toImage()
    assert image.width() < 600
    ink = lambda x, y: image.pixelColor(x, y).lightness() < 200  # noqa: E731 - text, not the grid's dots (234)
    rows = range(image.height())
    assert sum(ink(x, y) for x in range(0, image.width(), 2) for y in rows) > 200  # the hint is drawn
    edges = [x for x in (0, 1, 2, 3, image.width() - 4, image.width() - 3, image.width() - 2, image.width() - 1)
             if any(ink(x, y) for y in rows)]
    assert edges == [], edges
