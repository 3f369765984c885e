"""Run history taken from a file is checked before anything uses it (issue 23, item 6): no stored path is used,
a replay or restore is checked whole first, and every number is bounded."""

import numpy as np
import pytest

from playground.core import runs
from playground.core.errors import ProjectFormatError
from playground.core.graph import chain


def dense_net():
    return chain(("input", {"shape": [4]}), ("dense", {"units": 2}))


def stored(settings, **kw):
    run = runs.make_run(1, "2026-11-25T16:00:00Z", 1.0, settings, 7, "f" * 32, runs.EMPTY_DIGEST, None, 1,
                        [1.0], [0.5], {}, **kw)
    return runs.to_dict(runs.RunHistory().added(run))


def test_a_stored_tensorboard_folder_is_dropped_on_load():
    data = stored({"dataset": "gate-and", "epochs": 1, "tensorboard_dir": "/home/u/.config/autostart"})
    loaded = runs.from_dict(data).runs[0]
    assert "tensorboard_dir" not in loaded.settings and loaded.settings["dataset"] == "gate-and"


def test_a_run_without_its_dataset_loads_but_says_it_cannot_be_replayed():
    run = runs.from_dict(stored({"epochs": 1})).runs[0]
    assert runs.replay_problem(run) == "Run #1 does not say which dataset it trained on, so it cannot be replayed."


@pytest.mark.parametrize("key,value", [("epochs", 2 ** 70), ("learning_rate", -1),
                                       ("seed", 2 ** 70), ("optimizer", "evil")])
def test_stored_settings_are_checked_like_the_projects(key, value):
    with pytest.raises(ProjectFormatError, match=f"runs.items\\[0\\].settings.{key}"):
        runs.from_dict(stored({"dataset": "gate-and", key: value}))


def test_a_restore_with_the_wrong_shape_is_refused_whole_before_anything_changes():
    g = dense_net()
    dense = g.by_name("dense")
    g.set_weights(dense.id, {"kernel": np.ones((4, 2), np.float32), "bias": np.ones(2, np.float32)})
    bad = {dense.id: {"kernel": np.zeros((3, 5), np.float32), "bias": np.zeros(2, np.float32)}}
    problem = runs.restore_problem(g, bad)
    assert problem and "kernel 3x5" in problem and "kernel 4x2" in problem
    np.testing.assert_array_equal(g.nodes[dense.id].weights["kernel"], np.ones((4, 2)))
    fresh = dense_net()  # no weights yet: the sizes are checked against the layer's parameter count
    nid = fresh.by_name("dense").id
    assert "no longer fit" in runs.restore_problem(fresh, {nid: bad[dense.id]})
    assert runs.restore_problem(fresh, {nid: {"kernel": np.zeros((4, 2)), "bias": np.zeros(2)}}) is None


def test_old_names_of_unnamed_variables_are_matched_by_position_and_nothing_else_is():
    a, b = np.zeros(3, np.float32), np.ones((2, 3), np.float32)
    # Keras' counter names from an older project, in the layer's order: matched by position
    assert runs.rekeyed({"variable": a, "variable_1": b}, {"variable_18": a + 1, "variable_19": b + 1}).keys() \
        == {"variable", "variable_1"}
    got = runs.rekeyed({"variable": a, "variable_1": b}, {"variable_18": a + 1, "variable_19": b + 1})
    assert np.array_equal(got["variable"], a + 1) and np.array_equal(got["variable_1"], b + 1)
    # named and unnamed variables together, in the layer's order
    got = runs.rekeyed({"gamma": a, "variable": b}, {"gamma": a + 2, "variable_7": b + 2})
    assert list(got) == ["gamma", "variable"] and np.array_equal(got["variable"], b + 2)
    # the same names, other names, another order, another count or a layer without weights: as they were
    same = {"variable": a}
    assert runs.rekeyed({"variable": a}, same) is same
    for have, w in (({"kernel": b, "bias": a}, {"variable_1": b, "bias": a}), ({"variable": a}, {"gamma": a}),
                    ({"variable": a}, {"variable_3": a, "variable_4": a}), ({}, {"variable_3": a}),
                    ({"gamma": a, "variable": b}, {"variable_7": b, "gamma": a})):
        assert runs.rekeyed(have, w) is w


def test_the_run_a_start_continues_is_found_under_kerass_old_names_only_when_every_number_matches():
    v = np.full(3, 0.25, np.float32)
    old = {"scale": {"variable_18": v}, "c": {"kernel": np.ones((1, 1, 3, 3), np.float32)}}
    run = runs.make_run(0, "2026-12-01T10:00:00Z", 1.0, {}, 0, "0" * 32, runs.EMPTY_DIGEST, runs.weights_digest(old),
                        1, [1.0], [0.5], {})
    history = runs.RunHistory().added(run, end=old)
    now = {"scale": {"variable": v.copy()}, "c": {"kernel": np.ones((1, 1, 3, 3), np.float32)}}
    assert runs.continued_run(history, now) == 1  # its place in the layer, as Restore maps it
    assert runs.continued_run(history, old) == 1  # the same names: the digest alone
    now["scale"]["variable"] = np.full(3, 0.5, np.float32)
    assert runs.continued_run(history, now) is None  # renamed and different: another start
    assert runs.continued_run(history, {"c": now["c"]}) is None
