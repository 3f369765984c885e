"""Explorer arithmetic and the logic lab, against results computed by hand."""

import numpy as np
import pytest

from playground.core import conv, logic
from playground.core.errors import ShapeError

# 6x6 lecture image * [1 0 -1] rows (sum of left column - sum of right column of each 3x3 window): the lecture's
# filter and its output (a new-user drive: the app had [-1 0 1], every number the negative of the lecture's)
LECTURE_OUT = np.array([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])


def test_lecture_image_vertical_edge():
    out = conv.convolve2d(conv.LECTURE_IMAGE, conv.VERTICAL_EDGE)
    assert np.array_equal(out, LECTURE_OUT)


def test_hand_computed_first_cell():
    # window rows: 3 0 1 / 1 5 8 / 2 7 2 -> left column 3+1+2 = 6, right column 1+8+2 = 11 -> -5
    assert conv.convolve2d(conv.LECTURE_IMAGE, conv.VERTICAL_EDGE)[0, 0] == -5


def test_edge_image_shows_the_edge():
    out = conv.convolve2d(conv.EDGE_IMAGE, conv.VERTICAL_EDGE)
    assert np.array_equal(out, np.array([[0, 30, 30, 0]] * 4))  # the edge is the bright band


@pytest.mark.parametrize("n,f,s,p,shape", [(6, 3, 1, 0, (4, 4)), (6, 3, 1, 1, (6, 6)), (6, 3, 1, 2, (8, 8)),
                                          (7, 3, 2, 0, (3, 3)), (6, 3, 2, 0, (2, 2)), (6, 3, 1, "same", (6, 6))])
def test_conv_output_shapes(n, f, s, p, shape):
    assert conv.convolve2d(np.ones((n, n)), np.ones((f, f)), s, p).shape == shape


def test_padding_adds_zero_border():
    out = conv.convolve2d(np.ones((3, 3)), np.ones((3, 3)), padding=1)
    assert np.array_equal(out, np.array([[4, 6, 4], [6, 9, 6], [4, 6, 4]]))


def test_stride_two_on_7x7():
    img = np.arange(49).reshape(7, 7)
    out = conv.convolve2d(img, np.ones((3, 3)), stride=2)
    # window at (0,0): rows 0-2, cols 0-2 -> sum = 3*(0+1+2) + 3*7*3 ... computed explicitly:
    assert out[0, 0] == img[0:3, 0:3].sum() == 72
    assert out[2, 2] == img[4:7, 4:7].sum() == 360


def test_pooling_lecture_grid():
    assert np.array_equal(conv.pool2d(conv.POOL_GRID, 2, 2, "max"), np.array([[6, 9], [8, 9]]))
    assert np.array_equal(conv.pool2d(conv.POOL_GRID, 2, 2, "avg"), np.array([[3.25, 5.0], [5.25, 5.5]]))
    assert np.array_equal(conv.pool2d(conv.POOL_GRID, 3, 1, "max"), np.array([[8, 9], [8, 9]]))


def test_conv_steps_expose_products():
    steps = list(conv.conv_steps(conv.LECTURE_IMAGE, conv.VERTICAL_EDGE))
    assert len(steps) == 16
    assert np.array_equal(steps[0].terms, np.array([[3, 0, -1], [1, 0, -8], [2, 0, -2]]))


def test_bad_explorer_input():
    with pytest.raises(ShapeError, match="does not fit"):
        conv.convolve2d(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ShapeError, match="stride"):
        conv.convolve2d(np.ones((4, 4)), np.ones((3, 3)), stride=0)


@pytest.mark.parametrize("preset,gate", list(logic.GATE_PRESET_TARGETS.items()))
def test_gate_presets_are_correct(preset, gate):
    table = logic.truth_table(logic.gate_graph(preset), gate)
    assert table.all_correct, table.verdict()


def test_lecture_neurons():
    # AND = step(-1.5 + x1 + x2) etc., evaluated row by row in counting order 00 01 10 11
    x = logic.binary_rows(2)
    assert list(logic.activate(-1.5 + x[:, 0] + x[:, 1], "step")) == [0, 0, 0, 1]
    assert list(logic.activate(-0.5 + x[:, 0] + x[:, 1], "step")) == [0, 1, 1, 1]
    assert list(logic.activate(0.5 - x[:, 0] - x[:, 1], "step")) == [1, 0, 0, 0]
    assert list(logic.activate(np.array([1 - 2 * 0, 1 - 2 * 1]), "step")) == [1, 0]
    assert logic.activate(np.array([0.0]), "step")[0] == 1  # z = 0 gives 1


def test_changing_a_weight_names_the_wrong_row():
    g = logic.gate_graph("xnor-case1")
    hidden = g.by_name("and_nor")
    # NOR's bias 0.5 -> -0.5: step(-0.5 - x1 - x2) is never 1, so only row 00 (XNOR = 1 via NOR) breaks
    g.set_weight_value(hidden.id, "bias", (1,), -0.5)
    table = logic.truth_table(g, "xnor")
    assert table.wrong_rows == [0]
    assert "row 1 (00)" in table.verdict()


@pytest.mark.parametrize("gate,separable", [("and", True), ("or", True), ("nand", True), ("nor", True),
                                            ("xor", False), ("xnor", False)])
def test_separability_is_exact(gate, separable):
    pts = logic.binary_rows(2)
    assert logic.linearly_separable(pts, logic.GATES[gate][1]) is separable


def test_separability_edge_cases():
    # collinear points: + - + on a line cannot be split; + + - can
    assert not logic.linearly_separable([(0, 0), (1, 1), (2, 2)], [1, 0, 1])
    assert logic.linearly_separable([(0, 0), (1, 1), (2, 2)], [1, 1, 0])
    assert not logic.linearly_separable([(0, 0), (0, 0)], [1, 0])


def test_decision_line_passes_through_the_boundary():
    xs, ys = logic.decision_line(-1.5, 1.0, 1.0)
    for x, y in zip(xs, ys):
        assert -1.5 + x + y == pytest.approx(0.0)
    assert logic.decision_line(1.0, 0.0, 0.0) is None


@pytest.mark.parametrize("w, text", [((-1.5, 1, 1), "-1.5 + x1 + x2 = 0"), ((0.5, -1, -1), "0.5 - x1 - x2 = 0"),
                                     ((1, -2, 0), "1 - 2\u00b7x1 = 0"), ((0, -1, 0.5), "-x1 + 0.5\u00b7x2 = 0"),
                                     ((-0.5, 0, 1), "-0.5 + x2 = 0"), ((0, 0, 0), "0 = 0")])
def test_a_decision_line_reads_as_the_lectures_write_it(w, text):
    from playground.core.logic import line_equation
    assert line_equation(*w) == text


def test_short_numbers_keep_what_was_typed_and_cut_learned_ones_to_three_digits():
    import numpy as np

    from playground.core.logic import line_equation, short, short_prob, sum_equation
    typed = {1.0: "1", -1.5: "-1.5", 0.125: "0.125", 1.125: "1.125", 0.0: "0", -0.0: "0", -2.0: "-2",
             1e-05: "1e-05", 12.25: "12.25", 0.1: "0.1", 100000.0: "100000", 0.00012: "0.00012"}
    learned = {-7.672191: "-7.67", 5.014133: "5.01", 2.24493e-05: "2.24e-05", 12345.67: "12346",
               1234.567: "1235", 0.9571234: "0.957"}
    for v, text in {**typed, **learned}.items():
        assert short(v) == text and short(np.float32(v)) == text, v
    assert line_equation(-7.672191, 5.014133, 5.014133) == "-7.67 + 5.01\u00b7x1 + 5.01\u00b7x2 = 0"
    assert line_equation(-1.5, 1, 1) == "-1.5 + x1 + x2 = 0"
    # a weight that reads 1 at three digits is written as the lectures write 1 (not "1·x1")
    assert sum_equation(0.5, [0.99996], ["x1"]) == sum_equation(0.5, [1.0], ["x1"]) == "0.5 + x1 = 0"
    assert sum_equation(0.5, [0.98765], ["x1"]) == "0.5 + 0.988\u00b7x1 = 0"
    # a sigmoid's output: three decimals, more where three would put it on the other side of 0.5
    probs = {0.942345: "0.942", 0.000465: "0.000", 0.49996: "0.49996", 0.5: "0.500", 0.50004: "0.500", 1.0: "1",
             0.0: "0"}
    for a, text in probs.items():
        assert short_prob(a) == text, a
