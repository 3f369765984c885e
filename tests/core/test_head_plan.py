"""Fine-tuning in core: the per-layer trainable flag and the "replace the classifier head" plan."""

import pytest

from playground.core import project, shapes

from playground.core import analysis
from playground.core.errors import ParamError, ProjectFormatError
from playground.core.graph import Graph, chain, plan_head_replacement


def cnn() -> Graph:
    g = Graph()
    prev = None
    for kind, params, name in [("input", {"shape": [16, 16, 3]}, "img"), ("conv2d", {"filters": 4}, "conv1"),
                               ("batchnorm", {}, "bn1"), ("maxpool2d", {}, "pool1"),
                               ("conv2d", {"filters": 8}, "conv2"), ("flatten", {}, "flat"),
                               ("dense", {"units": 32, "activation": "relu"}, "fc"),
                               ("dense", {"units": 10, "activation": "softmax"}, "predictions")]:
        node = g.add_node(kind, params, name=name)
        if prev is not None:
            g.connect(prev.id, node.id)
        prev = node
    return g


def test_trainable_flag_round_trips_in_the_project_file():
    g = cnn()
    g.set_trainable(g.by_name("conv1").id, False)
    data = project.to_dict(project.Project(g))
    assert [n.get("trainable", True) for n in data["nodes"]][:3] == [True, False, True]
    back = project.from_dict(data)
    assert back.graph == g and not back.graph.by_name("conv1").trainable
    data["nodes"][1]["trainable"] = "no"
    with pytest.raises(ProjectFormatError, match=r"nodes\[1\]\.trainable must be true or false; received 'no'"):
        project.from_dict(data)


def learned(g: Graph, *names: str) -> Graph:
    """``names`` given stored weights, as training or an opened file leaves them."""
    import numpy as np
    for name in names:
        node = g.by_name(name)
        d = 4 if name == "conv1" else 8
        g.set_weights(node.id, {"kernel": np.ones((3, 3, 3 if name == "conv1" else 4, d)), "bias": np.zeros(d)}
                      if node.kind == "conv2d" else {k: np.ones(4) for k in ("gamma", "beta", "moving_mean",
                                                                             "moving_variance")})
    return g


def test_head_plan_cuts_adds_freezes_and_reverts():
    g = learned(cnn(), "conv1", "bn1", "conv2")
    before = g.copy()
    events = []
    g.events.connect_all(lambda event, **kw: events.append(event))
    plan = plan_head_replacement(g, g.by_name("conv2").id, 2)
    assert g == before and events == []  # planning changes nothing
    plan.apply(g)
    assert [n.name for n in g.nodes.values()] == ["img", "conv1", "bn1", "pool1", "conv2", "new_head_pool",
                                                 "new_head"]
    infos = analysis.infer(g)
    head = g.by_name("new_head")
    assert g.by_name("new_head_pool").kind == "globalavgpool2d" and infos[head.id].shape == (2,)
    assert head.params["activation"] == "softmax" and g.outputs() == [head]
    assert [n.name for n in g.nodes.values() if not n.trainable] == ["conv1", "bn1", "conv2"]
    total, trainable = analysis.totals(infos)
    assert trainable == 8 * 2 + 2  # only the new head learns
    plan.revert(g)
    assert g == before
    plan.apply(g)  # redo after undo
    assert g.by_name("new_head").kind == "dense"


def test_head_plan_freezes_only_what_has_learned():
    """A head put on a network not trained yet froze its random layers: its next run then trained the head alone
    on random features. A kept layer freezes only where it holds weights (trained, or from a file)."""
    g = learned(cnn(), "conv1", "bn1")
    plan = plan_head_replacement(g, g.by_name("conv2").id, 2)
    plan.apply(g)
    assert [n.name for n in g.nodes.values() if not n.trainable] == ["conv1", "bn1"]  # conv2 learns with the head
    g = cnn()
    plan = plan_head_replacement(g, g.by_name("conv2").id, 2)
    assert plan.frozen == []
    plan.apply(g)
    assert all(n.trainable for n in g.nodes.values())


def test_head_plan_on_a_vector_adds_only_the_dense():
    g = cnn()
    plan = plan_head_replacement(g, g.by_name("fc").id, 3, freeze_base=False)
    plan.apply(g)
    assert [n.name for n in g.nodes.values()][-2:] == ["fc", "new_head"]
    assert all(n.trainable for n in g.nodes.values())


@pytest.mark.parametrize("classes", [1, 0, 2.5, True])
def test_head_plan_needs_two_classes_or_more(classes):
    g = cnn()
    with pytest.raises(ParamError, match=f"at least 2. Received classes={classes!r}"):
        plan_head_replacement(g, g.by_name("conv2").id, classes)


def test_a_head_after_a_pooling_that_kept_its_axes_flattens_and_does_not_pool_again():
    """A drive: MobileNet's GlobalAveragePooling2D keeps its axes (1x1x1024); the new head after it began with a
    second GlobalAveragePooling2D, averaging one value. A map of 1x1 is flattened."""
    g = chain(("input", {"shape": (8, 8, 3)}), ("conv2d", {"filters": 4, "kernel_size": 3}),
              ("globalavgpool2d", {"keepdims": True}))
    pool = next(n for n in g.nodes.values() if n.kind == "globalavgpool2d")
    assert analysis.infer(g)[pool.id].shape == (1, 1, 4)
    plan = plan_head_replacement(g, pool.id, 3)
    plan.apply(g)
    assert [n.kind for n in plan.added] == ["flatten", "dense"]
    assert analysis.infer(g)[g.by_name("new_head").id].shape == (3,)
