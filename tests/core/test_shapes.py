"""Shape arithmetic as tables, straight from the lecture."""

import pytest

from playground.core import shapes
from playground.core.errors import ShapeError
from playground.core.graph import chain


def out_of(*layers):
    g = chain(*layers)
    infos = shapes.infer(g)
    last = g.topological_order()[-1]
    return infos[last], infos


@pytest.mark.parametrize("n,f,s,pad,expected", [
    (6, 3, 1, "valid", 4),      # 6x6 * 3x3 -> 4x4
    (6, 3, 1, 1, 6),            # p = 1 keeps 6
    (6, 3, 1, 2, 8),            # p = 2 grows to 8
    (6, 3, 1, "same", 6),       # same with f = 3 keeps 6
    (7, 3, 2, "valid", 3),      # 7x7, f = 3, s = 2 -> 3x3
    (6, 3, 2, "valid", 2),      # 6x6, f = 3, s = 2 -> 2x2 (with a dropped row)
    (32, 5, 1, "valid", 28),
    (28, 5, 1, "valid", 24),
    (28, 5, 2, "same", 14),
    (227, 11, 4, "valid", 55),
    (1, 1, 1, "valid", 1),
])
def test_window_size_table(n, f, s, pad, expected):
    assert shapes.window_size(n, f, s, pad).out == expected


def test_formula_has_the_numbers_in():
    r = shapes.window_size(28, 5, 1, "valid")
    assert r.formula == "floor((28 + 2*0 - 5)/1) + 1 = 24"
    assert shapes.window_size(28, 3, 2, "same").formula.startswith("ceil(28/2) = 14")


def test_conv_32x32x3_six_5x5_filters():
    info, _ = out_of(("input", {"shape": [32, 32, 3]}), ("conv2d", {"filters": 6, "kernel_size": 5}))
    assert info.shape == (28, 28, 6)
    assert info.params == 456
    assert "(5*5*3)*6 + 6 = 456" in info.params_formula


def test_dense_3072_to_4704():
    info, _ = out_of(("input", {"shape": [3072]}), ("dense", {"units": 4704}))
    assert info.params - 4704 == 14_450_688
    assert info.params == 14_450_688 + 4704


def test_stride_warning_names_the_dropped_row():
    info, infos = out_of(("input", {"shape": [32, 32, 1]}),
                         ("conv2d", {"filters": 10, "kernel_size": 7}),
                         ("conv2d", {"filters": 6, "kernel_size": 5, "strides": 2}))
    first = [i for i in infos.values()][1]
    assert first.shape == (26, 26, 10) and first.status == "ok"
    assert info.shape == (11, 11, 6)
    assert info.status == "warning"
    assert "the last 1 row and 1 column of input are never covered" in info.warnings[0]


def test_too_big_kernel_is_an_error_naming_the_parameter():
    info, _ = out_of(("input", {"shape": [5, 5, 1]}), ("conv2d", {"kernel_size": 7}))
    assert info.status == "error"
    assert info.error_param == "kernel_size"
    assert "kernel_size=7" in info.errors[0] and "5" in info.errors[0]


def test_error_blocks_downstream_without_marking_it_red():
    g = chain(("input", {"shape": [5, 5, 1]}), ("conv2d", {"kernel_size": 7}), ("flatten", {}),
              ("dense", {"units": 3}))
    statuses = [shapes.infer(g)[n].status for n in g.topological_order()]
    assert statuses == ["ok", "error", "blocked", "blocked"]


def test_pool_defaults_to_stride_equal_size():
    info, _ = out_of(("input", {"shape": [4, 4, 1]}), ("maxpool2d", {"pool_size": 2}))
    assert info.shape == (2, 2, 1) and info.params == 0


@pytest.mark.parametrize("layers,shape,params", [
    ([("input", {"shape": [28, 28, 1]}), ("flatten", {})], (784,), 0),
    ([("input", {"shape": [784]}), ("reshape", {"target_shape": [28, 28, 1]})], (28, 28, 1), 0),
    ([("input", {"shape": [784]}), ("reshape", {"target_shape": [-1, 28, 1]})], (28, 28, 1), 0),
    ([("input", {"shape": [8, 8, 16]}), ("globalavgpool2d", {})], (16,), 0),
    ([("input", {"shape": [6, 6, 1]}), ("zeropadding2d", {"padding": 2})], (10, 10, 1), 0),
    ([("input", {"shape": [8, 8, 32]}), ("batchnorm", {})], (8, 8, 32), 128),
    ([("input", {"shape": [784]}), ("dropout", {"rate": 0.3})], (784,), 0),
    ([("input", {"shape": [2]}), ("neuron", {"units": 2})], (2,), 6),
    ([("input", {"shape": [784]}), ("dense", {"units": 500}), ("dense", {"units": 10})], (10,), 5010),
])
def test_layer_table(layers, shape, params):
    info, _ = out_of(*layers)
    assert info.shape == shape and info.params == params


def test_reshape_mismatch_names_both_sizes():
    info, _ = out_of(("input", {"shape": [784]}), ("reshape", {"target_shape": [27, 28, 1]}))
    assert info.status == "error" and "756" in info.errors[0] and "784" in info.errors[0]


def test_conv_needs_an_image():
    info, _ = out_of(("input", {"shape": [784]}), ("conv2d", {}))
    assert info.status == "error" and "784" in info.errors[0]


def test_unconnected_node_says_so():
    from playground.core.graph import Graph
    g = Graph()
    d = g.add_node("dense")
    info = shapes.infer(g)[d.id]
    assert info.status == "error" and "input" in info.errors[0]


def test_window_size_raises_typed_error():
    with pytest.raises(ShapeError) as exc:
        shapes.window_size(3, 5, 1, "valid", param="pool_size")
    assert exc.value.param == "pool_size"
