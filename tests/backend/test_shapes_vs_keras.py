"""Random conv/pool/padding stacks: our shapes and parameter counts equal Keras' own, layer by layer."""

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from playground.backend.builder import build_model
from playground.core import shapes
from playground.core import analysis
from playground.core.graph import chain

layer = st.one_of(
    st.builds(lambda k, f, s, p: ("conv2d", {"filters": k, "kernel_size": f, "strides": s, "padding": p}),
              st.integers(1, 8), st.integers(1, 7), st.integers(1, 3),
              st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 3))),
    st.builds(lambda f, s, p: ("maxpool2d", {"pool_size": f, "strides": s, "padding": p}),
              st.integers(1, 4), st.one_of(st.none(), st.integers(1, 3)), st.sampled_from(["valid", "same"])),
    st.builds(lambda f, s: ("avgpool2d", {"pool_size": f, "strides": s}), st.integers(1, 4),
              st.one_of(st.none(), st.integers(1, 3))),
    st.builds(lambda p: ("zeropadding2d", {"padding": p}), st.integers(0, 3)),
    st.just(("batchnorm", {})),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(5, 40), c=st.integers(1, 4), stack=st.lists(layer, min_size=1, max_size=5),
       units=st.integers(1, 12))
def test_random_stacks_match_keras(n, c, stack, units):
    g = chain(("input", {"shape": [n, n, c]}), *stack, ("flatten", {}), ("dense", {"units": units}))
    infos = analysis.infer(g)
    assume(all(i.status in ("ok", "warning") for i in infos.values()))  # impossible stacks are our errors
    model = build_model(g)
    for node in g.nodes.values():
        keras_layer = model.get_layer(node.name)
        assert tuple(keras_layer.output.shape[1:]) == infos[node.id].shape, (node.name, stack)
        assert keras_layer.count_params() == infos[node.id].params, (node.name, stack)
    assert model.count_params() == analysis.totals(infos)[0]


# ---------------------------------------------------------------- issue 17: the layers real models use
size = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)))
image_layer = st.one_of(
    st.builds(lambda k, f, s, d, g, p: ("conv2d", {"filters": k * g, "kernel_size": f, "strides": s,
                                                   "dilation_rate": d, "groups": g, "padding": p}),
              st.integers(1, 3), size, st.integers(1, 2), st.integers(1, 2), st.sampled_from([1, 2]),
              st.sampled_from(["valid", "same"])),
    st.builds(lambda f, s, m, p: ("depthwiseconv2d", {"kernel_size": f, "strides": s, "depth_multiplier": m,
                                                      "padding": p}),
              size, st.integers(1, 2), st.integers(1, 2), st.one_of(st.sampled_from(["valid", "same"]),
                                                                    st.integers(0, 2))),
    st.builds(lambda k, f, s, m: ("separableconv2d", {"filters": k, "kernel_size": f, "strides": s,
                                                      "depth_multiplier": m}),
              st.integers(1, 6), size, st.integers(1, 2), st.integers(1, 2)),
    st.builds(lambda k, f, s, d, p: ("conv2dtranspose", {"filters": k, "kernel_size": f, "strides": s,
                                                         "dilation_rate": d if s == 1 else 1, "padding": p}),
              st.integers(1, 4), size, st.integers(1, 3), st.integers(1, 2), st.sampled_from(["valid", "same"])),
    st.builds(lambda a, b, c, d: ("zeropadding2d", {"padding": ((a, b), (c, d))}),
              *[st.integers(0, 2)] * 4),
    st.builds(lambda a, b, c, d: ("cropping2d", {"cropping": ((a, b), (c, d))}), *[st.integers(0, 2)] * 4),
    st.builds(lambda s: ("upsampling2d", {"size": s}), size),
    st.builds(lambda f, s: ("maxpool2d", {"pool_size": f, "strides": s}), size, st.one_of(st.none(), size)),
    st.builds(lambda c, s: ("batchnorm", {"center": c, "scale": s}), st.booleans(), st.booleans()),
    st.just(("layernorm", {})),
    st.just(("normalization", {})),
    st.builds(lambda m: ("relu", {"max_value": m}), st.one_of(st.none(), st.just(6.0))),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h=st.integers(4, 20), w=st.integers(4, 20), c=st.integers(1, 4), stack=st.lists(image_layer, min_size=1,
                                                                                        max_size=4),
       keep=st.booleans())
def test_random_issue17_image_stacks_match_keras(h, w, c, stack, keep):
    g = chain(("input", {"shape": [h, w, c]}), *stack, ("globalavgpool2d", {"keepdims": keep}),
              ("flatten", {}), ("dense", {"units": 3}))
    infos = analysis.infer(g)
    assume(all(i.status in ("ok", "warning") for i in infos.values()))
    model = build_model(g)
    for node in g.nodes.values():
        keras_layer = model.get_layer(node.name)
        assert tuple(keras_layer.output.shape[1:]) == infos[node.id].shape, (node.name, stack)
        assert keras_layer.count_params() == infos[node.id].params, (node.name, stack)


sequence_layer = st.one_of(
    st.builds(lambda k, f, s, d, p: ("conv1d", {"filters": k, "kernel_size": f, "strides": s if d == 1 else 1,
                                                "dilation_rate": d, "padding": p}),
              st.integers(1, 4), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3),
              st.sampled_from(["valid", "same", "causal"])),
    st.builds(lambda f, s, p: ("maxpool1d", {"pool_size": f, "strides": s, "padding": p}), st.integers(1, 4),
              st.one_of(st.none(), st.integers(1, 3)), st.sampled_from(["valid", "same"])),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(3, 30), c=st.integers(1, 4), stack=st.lists(sequence_layer, min_size=1, max_size=3),
       axis=st.sampled_from([1, 2, -1, -2]))
def test_random_sequence_stacks_and_concatenate_match_keras(n, c, stack, axis):
    g = chain(("input", {"shape": [n, c]}), *stack)
    last = g.nodes[g.topological_order()[-1]]
    side = g.add_node("conv1d", {"filters": 2, "kernel_size": 1})
    g.connect(last.id, side.id)
    infos = analysis.infer(g)
    assume(all(i.status in ("ok", "warning") for i in infos.values()))
    other_axis_ok = axis in (1, -2) and infos[last.id].shape[1] == 2 or axis in (2, -1)
    assume(other_axis_ok)
    cat = g.add_node("concatenate", {"axis": axis})
    g.connect(last.id, cat.id)
    g.connect(side.id, cat.id)
    pool = g.add_node("globalavgpool1d")
    g.connect(cat.id, pool.id)
    infos = analysis.infer(g)
    model = build_model(g)
    for node in g.nodes.values():
        keras_layer = model.get_layer(node.name)
        assert tuple(keras_layer.output.shape[1:]) == infos[node.id].shape, (node.name, stack, axis)
        assert keras_layer.count_params() == infos[node.id].params, (node.name, stack)
