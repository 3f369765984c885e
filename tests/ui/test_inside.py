"""See inside with a trained model: layer and example choices (real clicks), the activation path,
weight surgery through the undo stack, the lecture's edge filter on a real digit, the draw pad, and
screenshots of every page at two window sizes."""

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from playground.core import conv, project
from playground.core.digits import as_unit_grey
from playground.core.graph import chain

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def trained():
    """A small CNN trained for one epoch on the built-in digits (about 5 s), shared by this module."""
    from playground.backend import session
    g = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
              ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    settings = {**project.DEFAULT_TRAINING, "epochs": 1, "validation_split": 0.0}
    outcome = session.run_training(g, "mnist-sample", settings, name="tinycnn")
    for nid, w in outcome.weights.items():
        g.set_weights(nid, w)
    return g, outcome


def open_model_view(window, qtbot, trained):
    graph, outcome = trained
    window.load_project(project.Project(graph.copy(), "tinycnn", training={**project.DEFAULT_TRAINING}), None)
    window.doc.set_trained(outcome.model, outcome)
    window.set_workspace("See inside")
    panel = window.inside_panel
    QTest.mouseClick(panel.tabBar(), Qt.LeftButton, pos=panel.tabBar().tabRect(2).center())
    assert panel.currentWidget() is panel.model_view
    wait_idle(qtbot, panel)
    return panel.model_view


def wait_idle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.jobs.busy, timeout=60_000)
    qtbot.wait(10)


def type_in_cell(grid, row: int, col: int, text: str) -> None:
    """Double-click a grid's cell, select what it holds (Ctrl+A), type ``text``, Enter."""
    QTest.mouseDClick(grid.viewport(), Qt.LeftButton, pos=grid.visualItemRect(grid.item(row, col)).center())
    editor = grid.viewport().focusWidget() or grid.focusWidget()
    QTest.keyClick(editor, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key_Return)


def type_in_box(box, text: str) -> None:
    """Click into a number box, select what it holds, type ``text``, Tab."""
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box, text)
    QTest.keyClick(box, Qt.Key_Tab)


def click(widget, pos=None):
    QTest.mouseClick(widget, Qt.LeftButton, pos=pos or widget.rect().center())


def test_choosing_a_layer_and_an_example_updates_the_maps_and_the_path(window, qtbot, trained):
    view = open_model_view(window, qtbot, trained)
    _, outcome = trained
    x_test = outcome.data.x_test
    assert view.layer.currentText() == "conv2d" and view.maps.count() == 4
    assert view.maps_bar.scale.hi > 0
    rows = {r.name: r for r in view.path.rows}
    assert list(rows) == ["input", "conv2d", "maxpool2d", "flatten", "dense"]
    assert "floor((28 + 2*0 - 3)/1) + 1 = 26" in rows["conv2d"].head.text()
    assert "26x26x4" in rows["conv2d"].head.text() and "13x13x4" in rows["maxpool2d"].head.text()
    assert np.allclose(rows["input"].maps[0].values, x_test[0][..., 0])
    probs_before = rows["dense"].bars.values.copy()
    assert probs_before.sum() == pytest.approx(1.0, abs=1e-4)

    # choose the pooling layer with the keyboard on the combo box
    view.layer.setFocus()
    QTest.keyClick(view.layer, Qt.Key_Down)
    assert view.layer.currentText() == "maxpool2d"
    assert view.maps.count() == 4 and view.maps.itemAt(0).widget().values.shape == (13, 13)

    # type another test example
    view.sample.setFocus()
    view.sample.selectAll()
    QTest.keyClicks(view.sample, "7")
    QTest.keyClick(view.sample, Qt.Key_Return)
    wait_idle(qtbot, window.inside_panel)
    assert view.shown_example == 7
    assert np.allclose(rows["input"].maps[0].values, x_test[7][..., 0])
    pooled = view.values["maxpool2d"]
    assert np.allclose(view.maps.itemAt(2).widget().values, pooled[..., 2])
    assert not np.allclose(rows["dense"].bars.values, probs_before)
    assert "#7" in view.maps_caption.text()
    # an example past the test split stays as typed and is named, not cut to 999 without a word (a drive)
    view.sample.setFocus()
    view.sample.selectAll()
    QTest.keyClicks(view.sample, "99999")
    QTest.keyClick(view.sample, Qt.Key_Return)
    last = len(x_test) - 1
    assert view.sample.lineEdit().text() == "99999" and view.shown_example == 7
    assert f"from 0 to {last:,}" in view.sample_text.text() and "99999" in view.sample_text.text()
    for _ in range(5):  # back to 7, the example shown: the reason goes, the label and prediction come back
        QTest.keyClick(view.sample.lineEdit(), Qt.Key_Backspace)
    QTest.keyClicks(view.sample.lineEdit(), "7")
    assert "from 0 to" not in view.sample_text.text() and "label" in view.sample_text.text(), view.sample_text.text()


def test_zeroing_every_first_layer_filter_drops_to_chance_and_undo_restores(window, qtbot, trained):
    view = open_model_view(window, qtbot, trained)
    _, outcome = trained
    panel = window.inside_panel
    trained_acc = view.accuracy
    assert trained_acc == pytest.approx(outcome.result.test_accuracy, abs=1e-6) and trained_acc > 0.5
    steps = window.stack.count()
    node = window.graph.by_name("conv2d")
    for i, tile in enumerate(view.filter_tiles):
        click(tile)
        assert view.selected == i and "filter " + str(i + 1) in view.surgery.title.text()
        click(view.surgery.zero_btn)
    wait_idle(qtbot, panel)
    assert window.stack.count() == steps + 4
    assert not node.weights["kernel"].any() and not node.weights["bias"].any()  # in the project's weights
    y = outcome.data.y_test
    most_common = np.bincount(y).max() / len(y)
    assert view.accuracy <= most_common + 1e-9 and view.accuracy < 0.2  # one class for everything: chance
    assert np.ptp(view.surgery.map.values) == 0  # the filter's map is flat: it sees nothing
    assert view.surgery.map_caption.text().endswith("all 0")  # and says so (its scale read 0 .. 1)
    bar = view.surgery.map.grab().toImage()  # its colour bar is one colour, the map's, not a ramp
    column = {bar.pixelColor(bar.width() - 50, y).rgb() for y in range(bar.height() // 3, 2 * bar.height() // 3)}
    assert len(column) == 1, column
    assert "Test accuracy now" in view.surgery.accuracy.text()
    for _ in range(4):
        window.stack.undo()
    wait_idle(qtbot, panel)
    assert view.accuracy == pytest.approx(trained_acc, abs=1e-9)
    assert node.weights["kernel"].any()


def test_typing_a_filter_number_and_pasting_the_edge_filter(window, qtbot, trained):
    view = open_model_view(window, qtbot, trained)
    click(view.filter_tiles[1])
    grid = view.surgery.grid
    # a cell shows its number rounded (3 significant digits for the filter's largest); its tooltip, every digit
    from playground.ui.weight_grid import exact
    learned = window.graph.by_name("conv2d").weights["kernel"][:, :, 0, 1]
    assert all(grid.item(r, c).toolTip().startswith(exact(learned[r, c]) + " ") for r in range(3) for c in range(3))
    assert any(grid.item(r, c).text() != exact(learned[r, c]) for r in range(3) for c in range(3))
    before_map = view.surgery.map.values.copy()
    steps = window.stack.count()
    type_in_cell(grid, 0, 0, "50")
    qtbot.waitUntil(lambda: window.stack.count() == steps + 1)  # the delegate commits queued
    wait_idle(qtbot, window.inside_panel)
    kernel = window.graph.by_name("conv2d").weights["kernel"]
    assert window.stack.count() == steps + 1 and kernel[0, 0, 0, 1] == 50
    assert not np.allclose(view.surgery.map.values, before_map)
    click(view.surgery.vertical_btn)
    wait_idle(qtbot, window.inside_panel)
    assert np.array_equal(window.graph.by_name("conv2d").weights["kernel"][:, :, 0, 1], conv.VERTICAL_EDGE)
    window.stack.undo()
    window.stack.undo()
    assert window.graph.by_name("conv2d").weights["kernel"][0, 0, 0, 1] != 50
    # past float32 (1e39 was stored as inf) or not finite: refused by name, nothing stored
    steps = window.stack.count()
    type_in_cell(grid, 0, 0, "1e39")
    qtbot.wait(50)
    assert window.stack.count() == steps and "fit in 32 bits" in grid.item(0, 0).toolTip()
    assert "1e39" in grid.item(0, 0).toolTip() and np.isfinite(window.graph.by_name("conv2d").weights["kernel"]).all()
    said = view.surgery.problem  # on screen, not only in a tooltip (a drive: a pink cell and no word why)
    assert said.isVisible() and said.text() == ("Row 1, column 1: a weight must fit in 32 bits, at most "
                                                "3.4028235e+38 either way. Received '1e39'."), said.text()
    bias = view.surgery.bias_edit
    bias.setFocus()
    bias.selectAll()
    QTest.keyClicks(bias, "nan")
    QTest.keyClick(bias, Qt.Key_Return)
    qtbot.wait(50)
    assert window.stack.count() == steps and "The bias must be a finite number. Received 'nan'" in bias.toolTip()


def test_vertical_edge_filter_on_a_digit_matches_core_and_keras(window, qtbot):
    window.set_workspace("See inside")
    page = window.inside_panel.conv
    lesson = page.digit
    click(lesson.horizontal_btn)
    assert np.array_equal(page.kernel.values(), conv.HORIZONTAL_EDGE)
    click(lesson.vertical_btn)
    assert np.array_equal(page.kernel.values(), conv.VERTICAL_EDGE)
    lesson.picker.index.setFocus()
    lesson.picker.index.selectAll()
    QTest.keyClicks(lesson.picker.index, "3")
    QTest.keyClick(lesson.picker.index, Qt.Key_Return)
    from playground.ui.inside.digit_lesson import sample_digits
    digit = as_unit_grey(sample_digits()[0][3])
    shown = lesson.output_map.values
    assert shown.shape == (26, 26) and np.array_equal(shown, lesson.output)
    assert np.array_equal(shown, conv.convolve2d(digit, conv.VERTICAL_EDGE))
    from playground.backend.runtime import get_keras
    keras = get_keras()
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    layer.build((1, 28, 28, 1))
    layer.set_weights([conv.VERTICAL_EDGE.reshape(3, 3, 1, 1).astype(np.float32)])
    by_keras = np.asarray(layer(digit.reshape(1, 28, 28, 1).astype(np.float32)))[0, :, :, 0]
    assert np.allclose(shown, by_keras, atol=1e-5)
    assert np.array_equal(lesson.pooled["max"], conv.pool2d(shown, 2, 2, "max"))
    assert "floor((28 + 2*0 - 3)/1) + 1 = 26" in lesson.output_cap.text()
    # stride 2 from the explorer's controls reaches the digit
    page.stride.setFocus()
    QTest.keyClick(page.stride, Qt.Key_Up)
    assert lesson.output.shape == (13, 13)
    assert np.array_equal(lesson.output, conv.convolve2d(digit, conv.VERTICAL_EDGE, 2, 0))
    # (28 - 3)/2 = 12.5, floored, and 2x2 pooling of the 13x13 output: (13 - 2)/2 = 5.5. Each caption says what its
    # floor drops, as the explorer's formula line does (the captions gave the sizes without a word)
    assert "floor((28 + 2*0 - 3)/2) + 1 = 13" in lesson.output_cap.text()
    assert ("⚠ s=2 does not divide (n + 2p - f) = 25 evenly, so floor drops the remainder: the last 1 row and 1 "
            "column of input are never covered.") in lesson.output_cap.text()
    for cap in (lesson.max_cap, lesson.avg_cap):
        assert "floor((13 - 2)/2) + 1 = 6" in cap.text() and "(n + 2p - f) = 11 evenly" in cap.text(), cap.text()
    QTest.keyClick(page.stride, Qt.Key_Down)  # back to 1: 26x26, pooled to 13x13, nothing dropped
    assert "⚠" not in lesson.output_cap.text() + lesson.max_cap.text() + lesson.avg_cap.text()


def test_draw_pad_prediction_runs_in_the_worker(window, qtbot, trained):
    open_model_view(window, qtbot, trained)
    panel = window.inside_panel
    click(panel.tabBar(), panel.tabBar().tabRect(3).center())
    digits = panel.digits
    QTest.mousePress(digits.pad, Qt.LeftButton, pos=QPoint(140, 50))
    for y in range(60, 240, 20):
        QTest.mouseMove(digits.pad, QPoint(140, y))
    QTest.mouseRelease(digits.pad, Qt.LeftButton, pos=QPoint(140, 230))
    qtbot.waitUntil(lambda: digits.probabilities is not None, timeout=60_000)
    p = digits.probabilities
    assert p.shape == (10,) and p.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(digits.bars.values, p) and "Prediction:" in digits.status.text()
    img = digits.pad.image()
    assert img.shape == (28, 28) and img.max() > 0.5
    click(digits.clear_btn, digits.clear_btn.rect().center())  # a blank pad predicts nothing (it said
    qtbot.wait(300)  # "Prediction: 1 (100%)" over an empty pad, a drive found)
    assert "Prediction" not in digits.status.text() and "Draw a digit" in digits.status.text()
    assert digits.probabilities is None and not np.any(digits.bars.values)


def test_empty_state_asks_for_training(window, qtbot):
    window.set_workspace("See inside")
    panel = window.inside_panel
    panel.setCurrentWidget(panel.model_view)
    assert panel.model_view.stack.currentWidget() is panel.model_view.empty
    assert "Train the model" in panel.model_view.empty.label.text()
    with qtbot.waitSignal(panel.train_requested, timeout=1000):
        click(panel.model_view.empty.button)


@pytest.mark.parametrize("size", [(1480, 900), (1280, 720)])
def test_screenshots_of_every_page(window, qtbot, trained, size, tmp_path):
    """Every See-inside page fits the window at both sizes (nothing forces it wider or taller, every figure
    lies inside its page) and is saved as a PNG (docs/screenshots with PLAYGROUND_SCREENSHOTS=1)."""
    from PySide6.QtWidgets import QWidget
    from playground.ui.inside.figure_widgets import Heatmap
    out = SHOTS if os.environ.get("PLAYGROUND_SCREENSHOTS") else tmp_path
    open_model_view(window, qtbot, trained)
    window.resize(*size)
    panel = window.inside_panel
    for i, name in enumerate(("convolution", "pooling", "model", "digits")):
        panel.setCurrentIndex(i)
        wait_idle(qtbot, panel)
        qtbot.wait(20)
        assert (window.width(), window.height()) == size, f"{name} does not fit {size}"
        page = panel.currentWidget()
        figures = [w for w in page.findChildren(QWidget) if isinstance(w, Heatmap) and w.isVisible()]
        if name != "digits":
            assert figures, name
        for f in figures:
            top_left = f.mapTo(page, QPoint(0, 0))
            assert top_left.x() >= 0 and top_left.x() + f.width() <= page.width() + 1, name
        path = out / f"inside-{name}-{size[0]}x{size[1]}.png"
        assert window.grab().save(str(path))
        assert path.stat().st_size > 10_000


def test_a_cell_that_is_not_a_number_is_named_with_what_was_typed(window, qtbot):
    """The explorer said "A cell is not a number (marked red)": which, and what it holds, only in a tooltip."""
    window.set_workspace("See inside")
    page = window.inside_panel.conv
    grid = page.kernel
    type_in_cell(grid, 1, 2, "abc")
    qtbot.waitUntil(lambda: "Row 2, column 3" in page.message.text(), timeout=2000)
    assert "filter" in page.message.text() and "Received 'abc'" in page.message.text(), page.message.text()


def test_same_padding_in_the_explorer_says_what_it_pads_each_side(window, qtbot):
    """n = 7, f = 4, s = 2, same: the padded grid had 1 row before and 2 after, and the formula said only
    "same: out = ceil(7/2) = 4" (a drive). It says the padding and how it splits, as the inspector does."""
    window.set_workspace("See inside")
    page = window.inside_panel.conv
    for box, value in ((page.size, "7"), (page.fsize, "4"), (page.stride, "2")):
        type_in_box(box, value)
    page.padding.setFocus()
    QTest.keyClicks(page.padding, "s")  # a closed list takes the entry its first letter starts
    assert page.padding.currentText() == "same"
    text = page.formula.text()
    assert "ceil(7/2) = 4 (same: pads 1 before, 2 after)" in text, text
    assert "(out - 1)*s + f - n = (4 - 1)*2 + 4 - 7 = 3" in text, text
    assert page.padded.rowCount() == 10  # 1 + 7 + 2


def test_large_grids_put_the_digit_below_them_rather_than_off_the_right_edge(window, qtbot):
    """A drive: a 7x7 image padded 'same' for a 4x4 filter widened the page past 1280 px; the digit's output,
    its pooling and the Horizontal edge button were cut off to the right. The digit goes below the grids where the
    two do not fit side by side; with the lecture's 6x6 back, beside them again."""
    window.resize(1280, 720)
    window.set_workspace("See inside")
    page = window.inside_panel.conv
    scroll = window.inside_panel.widget(0)
    qtbot.wait(50)  # the window's new size laid out
    beside = page.digit.geometry().left() > page.padded.geometry().right()
    assert beside and not scroll.horizontalScrollBar().isVisible()
    for box, value in ((page.size, "7"), (page.fsize, "4"), (page.stride, "2")):  # the drive's
        type_in_box(box, value)
    page.padding.setFocus()
    QTest.keyClicks(page.padding, "s")
    qtbot.waitUntil(lambda: page.digit.geometry().top() > page.padded.geometry().bottom(), timeout=2000)
    qtbot.wait(20)
    assert not scroll.horizontalScrollBar().isVisible()
    button = page.digit.horizontal_btn
    assert button.mapTo(page, button.rect().bottomRight()).x() <= scroll.viewport().width()  # whole, in view
    QTest.keyClick(page.padding, Qt.Key_Home)  # padding 0
    for box, value in ((page.size, "6"), (page.fsize, "3"), (page.stride, "1")):
        type_in_box(box, value)
    qtbot.waitUntil(lambda: page.digit.geometry().left() > page.padded.geometry().right(), timeout=2000)


def test_the_two_poolings_of_the_digit_are_drawn_the_same_size(window, qtbot):
    """A drive: the max-pooled digit was 118 px and the average-pooled one 157 px, side by side, to be compared."""
    window.resize(1280, 720)
    window.set_workspace("See inside")
    qtbot.wait(50)
    digit = window.inside_panel.conv.digit
    assert digit.max_map.size() == digit.avg_map.size()
    assert digit.max_map.geometry().top() == digit.avg_map.geometry().top()


def test_a_stride_that_leaves_a_remainder_is_said_in_the_explorer(window, qtbot):
    """Stride 2 on the lecture's 6x6 with a 3x3 filter: (6 - 3)/2 = 1.5, floored; the explorer gave the 2x2 output
    without a word, where the inspector warns of the input's last row and column left uncovered."""
    window.set_workspace("See inside")
    page = window.inside_panel.conv
    assert "\u26a0" not in page.formula.text()
    page.stride.setFocus()
    QTest.keyClick(page.stride, Qt.Key_Up)
    text = page.formula.text()
    assert "floor((6 + 2*0 - 3)/2) + 1 = 2" in text and "2x2 output" in text
    assert ("\u26a0 s=2 does not divide (n + 2p - f) = 3 evenly, so floor drops the remainder: the last 1 row and 1 "
            "column of input are never covered.") in text
    QTest.keyClick(page.stride, Qt.Key_Up)  # 3 divides 3: nothing dropped
    assert "\u26a0" not in page.formula.text() and "= 2</tt>" in page.formula.text()


def test_a_pooling_stride_that_leaves_a_remainder_is_said_too(window, qtbot):
    window.set_workspace("See inside")
    panel = window.inside_panel
    click(panel.tabBar(), panel.tabBar().tabRect(1).center())
    page = panel.pool
    assert "\u26a0" not in page.formula.text()  # 2x2, stride 2 on the lecture's 4x4
    page.size.setFocus()
    QTest.keyClick(page.size, Qt.Key_Up)  # a 3x3 window: (4 - 3)/2 = 0.5
    assert "floor((4 - 3)/2) + 1 = 1" in page.formula.text()
    assert ("\u26a0 s=2 does not divide (n + 2p - f) = 1 evenly, so floor drops the remainder: the last 1 row and 1 "
            "column of input are never covered.") in page.formula.text()
    # and the digit below it: (28 - 3)/2 = 12.5
    assert "floor((28 - 3)/2) + 1 = 13" in page.digit.output_cap.text()
    assert "(n + 2p - f) = 25 evenly" in page.digit.output_cap.text(), page.digit.output_cap.text()


def test_the_trained_model_page_beside_the_lessons_scrolls_rather_than_widen_the_window(window, qtbot, trained):
    """A drive: beside the lessons at 1280x720, a 32-filter CNN's page grew the window to 1411 px, and to 1487 px after
    a filter was zeroed. The page scrolls where it does not fit; the window keeps the size the user gave it."""
    from test_lessons_panel import open_lessons
    window.resize(1280, 720)
    open_lessons(window)
    qtbot.wait(20)
    view = open_model_view(window, qtbot, trained)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1280, 720)
    click(view.surgery.zero_btn)  # an edit redraws the page
    wait_idle(qtbot, window.inside_panel)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1280, 720)
    panel = window.inside_panel
    for i in range(panel.count()):  # and every other page beside the lessons
        click(panel.tabBar(), panel.tabBar().tabRect(i).center())
        wait_idle(qtbot, panel)
        qtbot.wait(20)
        assert (window.width(), window.height()) == (1280, 720), panel.tabText(i)


def test_a_filter_cannot_be_edited_while_a_run_is_paused_over_it(window, qtbot):
    """A drive paused a run, zeroed filter 1 in See inside (the accuracy fell), pressed F7: one batch later the
    filter was back to the run's values, the 'Edit filter 1' step left on the stack with no effect. While a run
    trains or is paused the edit is refused, with the reason; the filter stays as the run has it."""
    from test_training_lab import finish, running, wait_paused
    g = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
              ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    proj = project.Project(g, "lab", training={**project.DEFAULT_TRAINING, "epochs": 3, "batch_size": 16,
                                               "validation_split": 0.0, "seed": 3})
    train = running(window, qtbot, proj, 3)
    train.pause_btn.setFocus()
    QTest.keyClick(train.pause_btn, Qt.Key_Space)
    wait_paused(qtbot, train)
    QTest.mouseClick(window.workspaces.buttons["See inside"], Qt.LeftButton)
    panel = window.inside_panel
    QTest.mouseClick(panel.tabBar(), Qt.LeftButton, pos=panel.tabBar().tabRect(2).center())
    wait_idle(qtbot, panel)
    view = panel.model_view
    assert view.filter_tiles
    steps = window.stack.count()
    click(view.filter_tiles[0])
    click(view.surgery.zero_btn)
    assert window.stack.count() == steps  # nothing pushed that the next batch would undo
    assert "Stop it first" in window.banner.label.text()
    assert window.graph.by_name("conv2d").weights["kernel"][..., 0].any()
    train.stop()
    finish(qtbot, train)
