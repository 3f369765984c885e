"""Random conv/pool/padding stacks: our shapes and parameter counts equal Keras' own, layer by layer."""

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from playground.backend.builder import build_model
from playground.core import shapes
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
    infos = shapes.infer(g)
    assume(all(i.status in ("ok", "warning") for i in infos.values()))  # impossible stacks are our errors
    model = build_model(g)
    for node in g.nodes.values():
        keras_layer = model.get_layer(node.name)
        assert tuple(keras_layer.output.shape[1:]) == infos[node.id].shape, (node.name, stack)
        assert keras_layer.count_params() == infos[node.id].params, (node.name, stack)
    assert model.count_params() == shapes.totals(infos)[0]
