"""Shape arithmetic as tables, straight from the lecture."""

import pytest

from playground.core import shapes

from playground.core import analysis
from playground.core.errors import ShapeError
from playground.core.graph import chain


def out_of(*layers):
    g = chain(*layers)
    infos = analysis.infer(g)
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
    assert "kernel=7" in info.errors[0] and "5" in info.errors[0]


def test_error_blocks_downstream_without_marking_it_red():
    g = chain(("input", {"shape": [5, 5, 1]}), ("conv2d", {"kernel_size": 7}), ("flatten", {}),
              ("dense", {"units": 3}))
    statuses = [analysis.infer(g)[n].status for n in g.topological_order()]
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
    info = analysis.infer(g)[d.id]
    assert info.status == "error" and "input" in info.errors[0]


def test_window_size_raises_typed_error():
    with pytest.raises(ShapeError) as exc:
        shapes.window_size(3, 5, 1, "valid", param="pool_size")
    assert exc.value.param == "pool_size"


# ---------------------------------------------------------------- issue 17: the layers real models use
# Shapes from the examples in Keras' own documentation (batch dimension dropped); counts from the
# summaries of keras.applications models (named) or worked by hand from the layer's weights.

@pytest.mark.parametrize("in_shape,layer,shape,params", [
    ((28, 28, 3), ("conv2d", {"filters": 2, "kernel_size": 3, "activation": "relu"}), (26, 26, 2), 56),
    ((32, 32, 3), ("conv2d", {"filters": 4, "kernel_size": 3, "dilation_rate": 2}), (28, 28, 4), 112),
    ((56, 56, 96), ("conv2d", {"filters": 96, "kernel_size": 7, "padding": "same", "groups": 96}),
     (56, 56, 96), 4800),                                               # ConvNeXt's depthwise 7x7
    ((17, 17, 8), ("conv2d", {"filters": 4, "kernel_size": (1, 7), "padding": "same"}), (17, 17, 4), 228),
    ((10, 10, 12), ("depthwiseconv2d", {"kernel_size": 3, "activation": "relu"}), (8, 8, 12), 120),
    ((112, 112, 32), ("depthwiseconv2d", {"kernel_size": 3, "padding": "same", "use_bias": False}),
     (112, 112, 32), 288),                                              # MobileNetV2 expanded_conv_depthwise
    ((10, 10, 12), ("depthwiseconv2d", {"kernel_size": 3, "depth_multiplier": 2}), (8, 8, 24), 240),
    ((147, 147, 64), ("separableconv2d", {"filters": 128, "kernel_size": 3, "padding": "same",
                                          "use_bias": False}), (147, 147, 128), 8768),  # Xception block2_sepconv1
    ((10, 8, 128), ("conv2dtranspose", {"filters": 32, "kernel_size": 2, "strides": 2, "activation": "relu"}),
     (20, 16, 32), 16416),
    ((10, 128), ("conv1d", {"filters": 32, "kernel_size": 3, "activation": "relu"}), (8, 32), 12320),
    ((10, 4), ("conv1d", {"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}), (10, 2), 26),
    ((5, 1), ("maxpool1d", {"pool_size": 2, "strides": 1}), (4, 1), 0),
    ((5, 1), ("maxpool1d", {"pool_size": 2, "strides": 2}), (2, 1), 0),
    ((5, 1), ("maxpool1d", {"pool_size": 2, "strides": 1, "padding": "same"}), (5, 1), 0),
    ((3, 4), ("globalavgpool1d", {}), (4,), 0),
    ((4, 5, 3), ("globalavgpool2d", {}), (3,), 0),
    ((4, 5, 3), ("globalavgpool2d", {"keepdims": True}), (1, 1, 3), 0),
    ((4, 5, 3), ("globalmaxpool2d", {}), (3,), 0),
    ((28, 28, 3), ("cropping2d", {"cropping": ((2, 2), (4, 4))}), (24, 20, 3), 0),
    ((2, 1, 3), ("upsampling2d", {"size": (1, 2)}), (2, 2, 3), 0),
    ((1, 2, 2), ("zeropadding2d", {"padding": 1}), (3, 4, 2), 0),
    ((32, 32, 3), ("zeropadding2d", {"padding": ((0, 1), (0, 1))}), (33, 33, 3), 0),  # MobileNetV2's correct_pad
    ((10, 64), ("permute", {"dims": (2, 1)}), (64, 10), 0),
    ((8,), ("relu", {"max_value": 6.0}), (8,), 0),
    ((8,), ("leakyrelu", {}), (8,), 0),
    ((8, 3), ("softmax", {"axis": 1}), (8, 3), 0),
    ((32, 32, 3), ("rescaling", {"scale": 1 / 255}), (32, 32, 3), 0),
    ((224, 224, 3), ("normalization", {"axis": 3}), (224, 224, 3), 7),   # EfficientNetB0 normalization
    ((56, 56, 96), ("layernorm", {"epsilon": 1e-6}), (56, 56, 96), 192),
    ((112, 112, 64), ("batchnorm", {"axis": 3, "epsilon": 1.001e-5}), (112, 112, 64), 256),  # ResNet50 conv1_bn
    ((35, 35, 32), ("batchnorm", {"axis": 3, "scale": False}), (35, 35, 32), 96),            # InceptionV3
    ((8, 8, 3), ("spatialdropout2d", {"rate": 0.2}), (8, 8, 3), 0),
    ((8,), ("gaussiannoise", {"stddev": 0.1}), (8,), 0),
    ((8,), ("identity", {}), (8,), 0),
])
def test_issue17_layer_table(in_shape, layer, shape, params):
    info, _ = out_of(("input", {"shape": list(in_shape)}), layer)
    assert info.status in ("ok", "warning"), info.errors
    assert info.shape == shape and info.params == params


def merged(kind, params, *in_shapes):
    from playground.core.graph import Graph
    g = Graph()
    node = g.add_node(kind, params)
    for s in in_shapes:
        g.connect(g.add_node("input", {"shape": list(s)}).id, node.id)
    return analysis.infer(g)[node.id]


@pytest.mark.parametrize("kind,params,ins,shape", [
    ("concatenate", {"axis": 1}, [(2, 5), (1, 5)], (3, 5)),          # Keras' Concatenate(axis=1) example
    ("concatenate", {"axis": 3}, [(7, 7, 64), (7, 7, 32)], (7, 7, 96)),  # DenseNet: axis 3 is the last axis
    ("concatenate", {"axis": -2}, [(4, 2, 3), (4, 5, 3)], (4, 7, 3)),
    ("multiply", {}, [(3, 4), (3, 4)], (3, 4)),
    ("multiply", {}, [(7, 7, 32), (1, 1, 32)], (7, 7, 32)),          # EfficientNet's squeeze-and-excite
    ("subtract", {}, [(8,), (8,)], (8,)),
    ("average", {}, [(8,), (8,), (8,)], (8,)),
    ("maximum", {}, [(2, 8), (2, 8)], (2, 8)),
    ("minimum", {}, [(2, 8), (2, 8)], (2, 8)),
])
def test_merge_layer_table(kind, params, ins, shape):
    info = merged(kind, params, *ins)
    assert info.status == "ok" and info.shape == shape


def test_concatenate_axis_errors_name_the_axis():
    with pytest.raises(ShapeError, match=r"axis=4 is not an axis of the 7x7x64 input: use 1 to 3 or -1 to -3"):
        merged("concatenate", {"axis": 4}, (7, 7, 64), (7, 7, 32))
    with pytest.raises(ShapeError, match="joins along axis -1, so all other dimensions must match"):
        merged("concatenate", {}, (7, 7, 64), (6, 7, 32))


def test_new_formulas_have_the_numbers_in():
    info, _ = out_of(("input", {"shape": [32, 32, 3]}), ("conv2d", {"filters": 4, "kernel_size": 3,
                                                                     "dilation_rate": 2}))
    assert info.formula == "H = W = floor((32 + 2*0 - 2*(3-1) - 1)/1) + 1 = 28"
    info, _ = out_of(("input", {"shape": [10, 8, 128]}), ("conv2dtranspose", {"filters": 32, "kernel_size": 2,
                                                                               "strides": 2}))
    assert info.formula == "H = 10*2 + max(2 - 2, 0) = 20; W = 8*2 + max(2 - 2, 0) = 16"
    info, _ = out_of(("input", {"shape": [10, 10, 12]}), ("depthwiseconv2d", {"depth_multiplier": 2}))
    assert info.formula.endswith("C = 12*2 = 24") and info.params_formula == "params = 3*3*12*2 + 24 = 240"


def test_frozen_layer_counts_as_non_trainable():
    g = chain(("input", {"shape": [8, 8, 4]}), ("batchnorm", {}), ("flatten", {}), ("dense", {"units": 2}))
    bn = next(n for n in g.nodes.values() if n.kind == "batchnorm")
    assert analysis.totals(analysis.infer(g)) == (16 + 514, 8 + 514)
    g.set_trainable(bn.id, False)
    assert analysis.totals(analysis.infer(g)) == (16 + 514, 514)


@pytest.mark.parametrize("kind,params,msg", [
    ("conv2d", {"strides": 2, "dilation_rate": 2}, "stride > 1 with dilation > 1"),
    ("conv2d", {"filters": 6, "groups": 4}, "groups=4 must divide"),
    ("cropping2d", {"cropping": 4}, "removes the whole"),
    ("permute", {"dims": (1, 1, 2)}, "each once"),
])
def test_new_rule_errors(kind, params, msg):
    info, _ = out_of(("input", {"shape": [8, 8, 4]}), (kind, params))
    assert info.status == "error" and msg in info.errors[0]


def dense_block_graph():
    from playground.core.graph import Graph
    g = Graph()
    x = g.add_node("input", {"shape": [16, 16, 3]}, name="img")
    x = g.add_node("conv2d", {"filters": 8, "padding": "same"}, name="stem")
    g.connect(g.by_name("img").id, x.id)
    for b in range(3):
        c = g.add_node("conv2d", {"filters": 4, "padding": "same"}, name=f"c{b}")
        g.connect(x.id, c.id)
        cat = g.add_node("concatenate", {}, name=f"cat{b}")
        g.connect(x.id, cat.id)
        g.connect(c.id, cat.id)
        x = cat
    for kind, name in (("batchnorm", "bn"), ("globalavgpool2d", "gap"), ("dense", "head")):
        n = g.add_node(kind, {}, name=name)
        g.connect(x.id, n.id)
        x = n
    return g


def test_shape_cache_equals_a_full_inference_after_every_kind_of_edit():
    g = dense_block_graph()
    cache = analysis.ShapeCache(g)
    assert cache.infos == analysis.infer(g) and cache.runs == 1
    edits = [
        lambda: g.set_param(g.by_name("stem").id, "filters", 5),
        lambda: g.set_param(g.by_name("c1").id, "kernel_size", 40),  # an error, then blocked downstream
        lambda: g.set_param(g.by_name("c1").id, "kernel_size", 3),
        lambda: g.set_param(g.by_name("img").id, "shape", (9, 9, 2)),
        lambda: g.set_trainable(g.by_name("bn").id, False),
        lambda: g.remove_node(g.by_name("c2").id),
        lambda: g.connect(g.add_node("conv2d", {"filters": 3, "padding": "same"}, name="c9").id,
                          g.by_name("cat2").id),
        lambda: g.connect(g.by_name("cat1").id, g.by_name("c9").id),
        lambda: g.disconnect(next(e for e in g.edges if g.nodes[e.dst].name == "head")),
    ]
    for i, edit in enumerate(edits):
        edit()
        assert cache.infos == analysis.infer(g), i
        assert cache.runs == i + 2  # one inference per edit, however often the result is read
        assert cache.infos is cache.infos
