"""Issue 24: words that were wrong or stale (items 7-13, 16, 19), each driven as a user would."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from playground.core import project
from playground.resources_path import preset_text

from test_build_by_hand import click_card, plain, type_field
from menus import choose_theme  # tests/ui/menus.py


def load(window, name, workspace="Build"):
    window.load_project(project.loads(preset_text(name)), None)
    window.set_workspace(workspace)
    window.view.fit_all()
    QApplication.processEvents()


def labels_of(widget) -> list[str]:
    return [w.text() for w in widget.findChildren(QLabel)]


def test_a_wrong_weight_in_a_2_2_1_network_is_not_told_to_add_a_hidden_layer(logic_window):
    """Item 7."""
    w = logic_window
    out = w.graph.by_name("or")
    click_card(w, out.id)
    type_field(w.logic_panel.neuron_editor.edit_weight_editor("bias", (0,)), "3")
    assert not w.logic_panel.table_data.all_correct
    assert "add a hidden layer" not in plain(w.decision_plot.caption)
    click_card(w, w.graph.by_name("and_nor").id)  # the input plane: no single line, and rows wrong
    caption = plain(w.decision_plot.caption)
    assert "add a hidden layer" not in caption and "still wrong" in caption and "has a hidden layer" in caption


def test_one_neuron_numbering_in_weights_table_and_plot(logic_window):
    """Item 8: ``and_nor #1`` (from 1) in the weight grid, the table's heads and the decision plot's axes."""
    w = logic_window
    out = w.graph.by_name("or")
    click_card(w, out.id)
    grid = labels_of(w.logic_panel.neuron_editor.weights)
    assert any("and_nor #1" in t for t in grid) and any("and_nor #2" in t for t in grid)
    assert not any("[0]" in t or "[1]" in t for t in grid)
    table = w.logic_panel.table
    heads = [table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())]
    assert "and_nor #1" in heads and "and_nor #2" in heads
    plot = w.decision_plot.plot
    assert plot.getAxis("bottom").labelText == "and_nor #1" and plot.getAxis("left").labelText == "and_nor #2"
    hidden = w.graph.by_name("and_nor")
    click_card(w, hidden.id)
    assert any("w1 \u2190 x1" in t for t in labels_of(w.logic_panel.neuron_editor.weights))
    assert plot.getAxis("bottom").labelText == "x1"


def test_decision_plot_row_labels_do_not_overlap(logic_window):
    """Item 13: in the hidden plane two rows share a point next to another: the labels stay apart."""
    w = logic_window
    w.resize(1480, 900)
    click_card(w, w.graph.by_name("or").id)
    QApplication.processEvents()
    labels = w.decision_plot.labels
    assert len(labels) == 3
    boxes = [lab.mapRectToScene(lab.boundingRect()) for lab in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b)


def test_a_filter_that_does_not_fit_leaves_no_stale_formula_sum_or_window(window):
    """Item 9: filter 7 on the 6x6 image: the red message, and nothing left of the 3x3 result."""
    window.set_workspace("See inside")
    ex = window.inside_panel.conv
    ex.load_preset("Lecture: 6x6 * vertical edge")
    QTest.mouseClick(ex.step_btn, Qt.LeftButton)
    assert "Output cell (1, 1)" in ex.detail.text()
    ex.fsize.setFocus()
    ex.fsize.selectAll()
    QTest.keyClicks(ex.fsize, "7")
    QTest.keyClick(ex.fsize, Qt.Key_Return)
    assert ex.message.text()
    assert "= 4" not in ex.formula.text() and "4x4" not in ex.formula.text()
    assert "floor((6 + 2*0 - 7)/1) + 1 = 0" in ex.formula.text()
    assert "Output cell" not in ex.detail.text()
    painted = {ex.padded.item(r, c).background().color().rgba() for r in range(ex.padded.rowCount())
               for c in range(ex.padded.columnCount())}
    from playground.ui.inside.grid import WINDOW
    assert WINDOW.rgba() not in painted


def test_filter_grid_numbers_never_read_minus_zero():
    """Item 13: a trained filter's tiny weights show as 0, on one scale for the grid."""
    import numpy as np

    from playground.ui.inside.surgery import cell_decimals, cell_number
    k = np.array([[0.35, -0.000123, -1.2], [0.0004, 2.5, -0.06], [0, -0.0, 1e-9]])
    d = cell_decimals(k)
    texts = [cell_number(v, d) for v in k.ravel()]
    assert texts == ["0.35", "0", "-1.2", "0", "2.5", "-0.06", "0", "0", "0"]
    assert all(len(t) <= 6 for t in texts)


def test_an_edge_weight_label_between_close_cards_is_shown_whole_above_them(window, qtbot):
    """Item 13: cards added by Enter or double-click sit 60 px apart: the label moves above, not "w = ..."."""
    from PySide6.QtGui import QFontMetricsF

    from playground.ui import theme
    from playground.ui.canvas.items import CARD_W, PORT_R
    from playground.ui.commands import MoveNodesCommand
    load(window, "and", "Logic lab")
    g = window.graph
    inp, neuron = g.inputs()[0], next(n for n in g.nodes.values() if n.kind == "neuron")
    window.doc.push(MoveNodesCommand(g, {neuron.id: (neuron.pos, (inp.pos[0] + CARD_W + 60, inp.pos[1]))}))
    QApplication.processEvents()
    edge = next(iter(window.scene.edge_items.values()))
    width = QFontMetricsF(theme.mono_font(9)).horizontalAdvance(edge.label)
    box = edge.label_box(width)
    assert box is not None and box.width() >= width + 8  # room for all of it: nothing elided
    for card in (edge.src.card_rect(), edge.dst.card_rect()):
        assert not box.intersects(card.adjusted(-PORT_R, -PORT_R, PORT_R, PORT_R))
    assert edge.boundingRect().contains(box)


def test_a_status_message_goes_with_the_next_step_or_its_undo(window, qtbot):
    """Item 12: "Added ..." does not outlive the step it describes."""
    from test_newcomer_undo_keyboard import key
    window.new_project()
    tree = window.palette_panel.tree
    window.palette_panel.search.setFocus()
    QTest.keyClicks(window.palette_panel.search, "Input")
    key(window.palette_panel.search, Qt.Key_Return)
    key(tree, Qt.Key_Return)
    assert window.statusBar().currentMessage().startswith("Added input")
    key(tree, Qt.Key_Z, Qt.ControlModifier)
    assert not window.graph.nodes and window.statusBar().currentMessage() == ""


def test_ctrl_g_closes_after_the_jump_and_quit_has_ctrl_q(window, qtbot):
    """Item 13."""
    load(window, "mnist-cnn")
    QTest.keyClick(window, Qt.Key_G, Qt.ControlModifier)
    bar = window.view.find_bar
    QTest.keyClicks(bar.field, "flatten")
    QTest.keyClick(bar.field, Qt.Key_Return)
    assert window.doc.selection == [window.graph.by_name("flatten").id]
    assert not bar.isVisible() and not bar.field.completer().popup().isVisible()
    quit_action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Quit")
    assert quit_action.shortcut().toString() == "Ctrl+Q"


def test_a_layer_without_parameters_does_not_promise_random_values(window, qtbot):
    """Item 11."""
    load(window, "mnist-cnn")
    g = window.graph
    g_node = next(n for n in g.nodes.values() if n.kind == "flatten")
    # a trained network: some layer holds weights, so the stored-weights box is shown
    from playground.ui.commands import SetWeightsCommand
    import numpy as np
    dense = next(n for n in g.nodes.values() if n.kind == "dense")
    k = np.zeros((window.doc.shapes.output_width(g.input_ids(dense.id)[0]), dense.params["units"]), np.float32)
    window.doc.push(SetWeightsCommand(g, {dense.id: {"kernel": k, "bias": np.zeros(dense.params["units"],
                                                                                       np.float32)}}))
    click_card(window, g_node.id)
    text = window.inspector.trained.stored.text()
    assert "random" not in text and "no parameters" in text
    assert not window.inspector.trained.reset_layer.isVisible()


def test_summary_shows_small_weights_in_kib_and_a_long_name_leaves_the_formula_room(window, qtbot):
    """Items 13 and 19: 512 parameters are 2.00 KiB; a 60-character name does not squeeze Formula."""
    from playground.core.graph import chain
    g = chain(("input", {"shape": [7]}), ("dense", {"units": 64}))
    window.load_project(project.Project(g, "small"), None)
    assert "weights 2.00 KiB" in window.summary.totals.text()
    click_card(window, g.by_name("dense").id)
    type_field(window.inspector.fields["name"], "block" + "_nested" * 8 + "_dense")
    table = window.summary.table
    assert table.columnWidth(0) <= 170
    assert table.columnWidth(4) > table.viewport().width() // 3


def test_dark_theme_dims_disabled_buttons_and_repaints_the_plots(window, qtbot):
    """Item 16: View > Theme > Dark: a disabled Stop differs from the enabled Start; the curves go dark."""
    from PySide6.QtGui import QPalette

    app = QApplication.instance()
    kept_palette, kept_style, kept_font = app.palette(), app.style().name(), app.font()
    window.set_workspace("Train")
    QApplication.processEvents()
    panel = window.train_panel
    plot = panel.plots.loss_plot
    light_bg = plot.backgroundBrush().color().lightness()
    try:
        choose_theme(window, qtbot, "Dark")
        QApplication.processEvents()
        assert plot.backgroundBrush().color().lightness() < 80 < light_bg
        start, stop = panel.start_btn, panel.stop_btn
        assert start.isEnabled() and not stop.isEnabled()
        on = start.palette().color(QPalette.Active, QPalette.ButtonText)
        off = stop.palette().color(QPalette.Disabled, QPalette.ButtonText)
        assert abs(on.lightness() - off.lightness()) > 60
    finally:
        app.setPalette(kept_palette)
        app.setStyle(kept_style)
        app.setFont(kept_font)  # the theme sets the app's 9.5 pt type too


def test_light_after_dark_gives_every_widget_its_light_colours_back(window, qtbot):
    """View > Theme > Dark, then Light: widgets with a style sheet of their own (the lessons offer, the workspace
    buttons) kept the dark palette's near-white text on their light backgrounds."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLabel

    app = QApplication.instance()
    kept_palette, kept_style, kept_font = app.palette(), app.style().name(), app.font()
    window.set_workspace("Train")
    offer_text = window.lesson_offer.findChild(QLabel)
    try:
        for mode in ("Dark", "Light"):
            choose_theme(window, qtbot, mode)
            QApplication.processEvents()
        assert window.lesson_offer.isVisible()
        for widget in (offer_text, window.lesson_offer.open_btn, window.train_panel.start_btn):
            text = widget.palette().color(QPalette.Active, QPalette.WindowText if widget is offer_text
                                          else QPalette.ButtonText)
            assert text.lightness() < 100, (widget, text.name())
    finally:
        app.setPalette(kept_palette)
        app.setStyle(kept_style)
        app.setFont(kept_font)
