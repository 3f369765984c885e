"""See inside: stepping the explorers fills the expected cells."""

import numpy as np

from playground.core import conv


def test_stepping_fills_the_expected_output_cells(window):
    window.set_workspace("See inside")
    ex = window.inside_panel.conv
    ex.load_preset("Lecture: 6x6 * vertical edge")
    expected = conv.convolve2d(conv.LECTURE_IMAGE, conv.VERTICAL_EDGE)
    ex.step()
    out = ex.filled_output()
    assert out[0, 0] == expected[0, 0] == -5 and np.isnan(out[0, 1])
    for _ in range(4):
        ex.step()
    out = ex.filled_output()
    assert out[1, 0] == expected[1, 0] and np.isnan(out[1, 1])
    ex.back()
    assert np.isnan(ex.filled_output()[1, 0])
    for _ in range(20):
        ex.step()
    assert np.array_equal(ex.filled_output(), expected)
    assert "floor((6 + 2*0 - 3)/1) + 1 = 4" in ex.formula.text()


def test_stride_and_padding_controls(window):
    ex = window.inside_panel.conv
    ex.load_preset("Stride 2 on 7x7")
    assert ex.output.rowCount() == 3
    ex.padding.setCurrentText("1")
    assert ex.output.rowCount() == 4  # floor((7 + 2 - 3)/2) + 1


def test_bad_cell_is_red_and_not_used(window):
    ex = window.inside_panel.conv
    ex.image.item(0, 0).setText("x")
    assert ex.image.values() is None and "a pixel must be a finite number. Received 'x'" in ex.message.text()


def test_pooling_explorer(window):
    ex = window.inside_panel.pool
    for _ in range(4):
        ex.step()
    out = np.array([[float(ex.output.item(r, c).text()) for c in range(2)] for r in range(2)])
    assert np.array_equal(out, conv.pool2d(conv.POOL_GRID, 2, 2, "max"))
    ex.mode.setCurrentText("avg")
    for _ in range(4):
        ex.step()
    assert ex.output.item(0, 0).text() == "3.25"


def test_a_smaller_image_or_filter_and_back_keeps_every_number(window, qtbot):
    """A new-user drive: image n 6 -> 3 -> 6 left the lecture image's top-left 3x3 and zeros, filter f 3 -> 1 -> 3
    left [[1, 0, 0], [0, 0, 0], [0, 0, 0]]: one nudge of a spin box lost the numbers for good, typed ones too."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.set_workspace("See inside")
    ex = window.inside_panel.conv
    grid = ex.image

    def type_cell(r, c, text):  # a double-click on the cell, its number selected, typed over, Enter
        at = grid.visualItemRect(grid.item(r, c)).center()
        QTest.mouseClick(grid.viewport(), Qt.LeftButton, pos=at)  # a real double click: a click, then a second
        QTest.mouseDClick(grid.viewport(), Qt.LeftButton, pos=at)
        editor = grid.viewport().focusWidget() or grid.focusWidget()
        QTest.keyClick(editor, Qt.Key_A, Qt.ControlModifier)
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, Qt.Key_Return)
        qtbot.waitUntil(lambda: grid.item(r, c).text() == text)
    type_cell(5, 5, "42")  # a number of the user's, at the edge
    image = conv.LECTURE_IMAGE.copy()
    image[5, 5] = 42
    assert np.array_equal(grid.values(), image)
    for spin, ups, want in ((ex.size, 3, image), (ex.fsize, 2, conv.VERTICAL_EDGE)):
        spin.setFocus()
        for key in [Qt.Key_Down] * ups + [Qt.Key_Up] * ups:
            QTest.keyClick(spin, key)
        values = (ex.image if spin is ex.size else ex.kernel).values()
        assert np.array_equal(values, want), values
    # a smaller image, one cell changed, then larger again: the change and the cells outside it both stay
    ex.size.setFocus()
    QTest.keyClick(ex.size, Qt.Key_Down)
    type_cell(0, 0, "7")
    ex.size.setFocus()
    QTest.keyClick(ex.size, Qt.Key_Up)
    image[0, 0] = 7
    assert np.array_equal(grid.values(), image)
    # a preset puts its own numbers: the kept ones go with it
    from menus import pick
    pick(ex.preset, qtbot, "Edge image 10/0 * vertical edge")
    ex.size.setFocus()
    QTest.keyClick(ex.size, Qt.Key_Up)
    assert np.array_equal(grid.values()[:6, :6], conv.EDGE_IMAGE) and not grid.values()[6].any()


def test_a_size_the_explorer_cannot_use_is_said_and_stays_as_typed(window, qtbot):
    """A new-user drive typed 0 into the stride: the box put the old value back without a word (the Train form's
    fields keep what was typed and say why; the explorers' did not)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.set_workspace("See inside")
    for page, box, name, low, high in ((window.inside_panel.conv, "stride", "stride s", 1, 6),
                                       (window.inside_panel.conv, "size", "image n", 3, 12),
                                       (window.inside_panel.pool, "size", "size f", 1, 6)):
        field = getattr(page, box)
        before = field.value()
        field.setFocus()
        field.lineEdit().selectAll()
        QTest.keyClicks(field, "0")
        QTest.keyClick(field, Qt.Key_Tab)
        assert field.lineEdit().text() == "0" and field.value() == before, name
        assert f"{name} must be a whole number from {low} to {high}. Received '0'" in page.message.text(), \
            page.message.text()
        QTest.mouseClick(page.reset_btn, Qt.LeftButton)  # a recompute while the field still shows 0: still said
        assert "Received '0'" in page.message.text(), page.message.text()
        field.setFocus()
        field.lineEdit().selectAll()
        QTest.keyClicks(field, "2.5")
        assert f"{name} must be a whole number, not 2.5" in page.message.text(), page.message.text()
        field.lineEdit().selectAll()
        QTest.keyClicks(field, str(before))  # the value it had: the message goes
        QTest.keyClick(field, Qt.Key_Tab)
        assert page.message.text() == "" and field.value() == before, name
