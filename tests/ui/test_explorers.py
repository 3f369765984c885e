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
    assert ex.image.values() is None and "not a number" in ex.message.text()


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
