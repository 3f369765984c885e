"""Digit preprocessing (MNIST's recipe) and the figure arithmetic behind See inside: pure numpy."""

import numpy as np
import pytest

from playground.core.digits import area_resize, as_unit_grey, mnist_style
from playground.core.figures import Scale, figure_kind, number, scale_for, strongest_channels, tile_layout


def test_a_stroke_is_scaled_into_20x20_and_centred_by_mass():
    drawing = np.zeros((280, 280))
    drawing[20:260, 30:50] = 1.0  # a tall bar near the left edge
    img = mnist_style(drawing)
    assert img.shape == (28, 28) and 0 <= img.min() and img.max() <= 1
    rows = np.nonzero(img.sum(axis=1) > 0.05)[0]
    assert rows.max() - rows.min() + 1 == 20  # the longer side becomes 20 pixels
    total = img.sum()
    cy = (img.sum(axis=1) * np.arange(28)).sum() / total
    cx = (img.sum(axis=0) * np.arange(28)).sum() / total
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1  # moved from the left edge to the centre


def test_blank_drawing_stays_blank_and_area_resize_keeps_the_mean():
    assert not mnist_style(np.zeros((50, 50))).any()
    a = np.arange(36, dtype=float).reshape(6, 6)
    small = area_resize(a, 3, 3)
    assert small.shape == (3, 3) and small.mean() == pytest.approx(a.mean())
    assert small[0, 0] == pytest.approx(a[:2, :2].mean())


@pytest.mark.parametrize("x, expected", [
    (np.array([[0, 255]], dtype=np.uint8), [[0.0, 1.0]]),
    (np.array([[0.0, 0.5]]), [[0.0, 0.5]]),
    (np.array([[[0.0], [51.0]]]), [[0.0, 0.2]]),
])
def test_as_unit_grey(x, expected):
    assert np.allclose(as_unit_grey(x), expected)


@pytest.mark.parametrize("values, signed, lo, hi", [
    ([[-1, 0.5]], True, -1.0, 1.0),  # any negative value: symmetric about 0
    ([[0.2, 3.0]], False, 0.0, 3.0),  # non-negative: from 0
    ([[0.0, 0.0]], False, 0.0, 1.0),  # all zero: still a usable range
    ([[0.0, 2.0]], True, -2.0, 2.0),  # a filter is signed even when all its numbers are positive
])
def test_scale_for(values, signed, lo, hi):
    s = scale_for(np.array(values, dtype=float), signed=True if signed and min(map(min, values)) >= 0 else None)
    assert (s.lo, s.hi, s.signed) == (lo, hi, signed)


def test_a_constant_map_says_its_one_value():
    """A zeroed filter's map said "0 .. 1" beside a bar of every colour: it says what it holds."""
    assert scale_for(np.zeros((3, 3))).text() == "all 0"
    assert scale_for(np.full((3, 3), 0.5)).text() == "all 0.5"
    assert scale_for(np.array([[0.0, 1.0]])).text() == "0 .. 1" and scale_for(np.array([[0.0, 1.0]])).constant is None


def test_scale_positions_put_zero_in_the_middle_of_a_signed_scale():
    s = Scale(-2.0, 2.0, True)
    assert np.allclose(s.position(np.array([-2, 0, 2, 5])), [0, 0.5, 1, 1])
    assert s.text() == "-2 .. 0 .. 2"
    assert np.isnan(s.position(np.array([np.nan]))[0])


@pytest.mark.parametrize("n, w, h, tile, cols, cell", [
    (32, 430, 650, 26, 4, 3),  # tall area: 4 columns of 8 rows
    (32, 900, 200, 26, 11, 2),  # wide area: many columns
    (1, 100, 100, 10, 1, 10),
    (4, 10, 10, 26, 1, 1),  # no room: still 1 px per value
])
def test_tile_layout(n, w, h, tile, cols, cell):
    assert tile_layout(n, w, h, tile, tile, gap=3) == (cols, cell)


def test_strongest_channels_and_figure_kind():
    maps = np.zeros((4, 4, 5))
    maps[..., 1], maps[..., 3], maps[..., 4] = 1.0, -3.0, 0.5
    assert strongest_channels(maps, 2) == [1, 3]
    assert [figure_kind(s) for s in [(26, 26, 32), (28, 28), (10,)]] == ["maps", "image", "bars"]
    assert number(0.123456) == "0.123" and number(0) == "0" and number(-1500.0) == "-1.5e+03"
