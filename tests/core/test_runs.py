"""Run history: fingerprints, digests, pruning, and the file format (round trip, migration, bad input)."""

import json

import numpy as np
import pytest

from playground.core import project, runs
from playground.core.errors import ProjectFormatError
from playground.core.graph import chain


def cnn():
    return chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3}),
                 ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))


def make(number=1, loss=(2.0, 1.5, 1.25), end="e" * 32, start=runs.EMPTY_DIGEST, **kw):
    return runs.make_run(number, "2026-11-25T16:00:00Z", 3.5, {"epochs": 1, "seed": 7}, 7, "f" * 32, start, end, 3,
                         loss, [0.1, 0.2, 0.3][:len(loss)], {"loss": [1.5], "val_loss": [1.4]}, 1.3, 0.61,
                         np.eye(3, dtype=int) * 5, **kw)


def weights(value):
    return {"n2": {"kernel": np.full((3, 3, 1, 4), value, np.float32), "bias": np.zeros(4, np.float32)}}


def test_fingerprint_ignores_names_positions_ids_and_weights_but_not_architecture():
    g = cnn()
    base = runs.fingerprint(g)
    moved = g.copy()
    node = moved.by_name("dense")
    moved.rename(node.id, "classifier")
    moved.move_node(node.id, (500.0, -20.0))
    moved.set_weights(node.id, {"kernel": np.ones((2704, 10), np.float32), "bias": np.ones(10, np.float32)})
    assert runs.fingerprint(moved) == base
    wider = g.copy()
    wider.set_param(wider.by_name("conv2d").id, "filters", 8)
    assert runs.fingerprint(wider) != base


def test_weights_digest_is_bit_exact():
    a = weights(0.5)
    b = weights(0.5)
    assert runs.weights_digest(a) == runs.weights_digest(b)
    b["n2"]["kernel"][0, 0, 0, 0] = np.nextafter(np.float32(0.5), np.float32(1))
    assert runs.weights_digest(a) != runs.weights_digest(b)
    assert runs.weights_digest({}) == runs.EMPTY_DIGEST


def test_added_numbers_runs_and_limit_drops_the_oldest():
    h = runs.RunHistory(limit=3, keep_weights=1)
    for i in range(5):
        h = h.added(make(end=runs.weights_digest(weights(i))), end=weights(i))
    assert [r.number for r in h.runs] == [3, 4, 5]
    assert h.next_number == 6
    assert list(h.weights) == [runs.weights_digest(weights(4))]  # only the last run keeps its weights
    assert h.weights_of(h.runs[0].end_digest) is None
    assert h.weights_of(runs.EMPTY_DIGEST) == {}


def test_a_run_start_weights_are_pooled_once_with_the_previous_end():
    w = weights(1.0)
    d = runs.weights_digest(w)
    h = runs.RunHistory().added(make(end=d), end=w).added(make(start=d, end=runs.weights_digest(weights(2))),
                                                          start=w, end=weights(2))
    assert len(h.weights) == 2 and h.weights_of(h.runs[1].start_digest) is w


def test_changes_leave_the_old_history_alone():
    h = runs.RunHistory().added(make())
    h2 = h.added(make()).removed([1])
    assert [r.number for r in h.runs] == [1]
    assert [r.number for r in h2.runs] == [2]
    h3 = h2.with_limits(1, 0)
    assert (h2.limit, h3.limit) == (runs.DEFAULT_LIMIT, 1)


@pytest.mark.parametrize("limit, keep", [(0, 1), (1001, 1), (5, -1), (2.5, 1), (True, 1)])
def test_bad_limits_name_the_value(limit, keep):
    with pytest.raises(runs.RunHistoryError, match=repr(limit) if limit not in (5,) else "-1"):
        runs.RunHistory().with_limits(limit, keep)


def test_history_round_trips_exactly_through_a_project_file(tmp_path):
    w = weights(0.25)
    h = runs.RunHistory(limit=7, keep_weights=2).added(make(end=runs.weights_digest(w)), end=w).added(
        make(loss=(float("nan"), 3.0, 2.0), end=None, stopped="nan", replay_of=1))
    proj = project.Project(cnn(), "with runs", runs=h)
    path = tmp_path / "p.json"
    project.save(proj, path)
    back = project.load(path)
    assert runs.to_dict(back.runs) == runs.to_dict(h)
    r1, r2 = back.runs.runs
    assert r1.same_result(h.runs[0]) and np.array_equal(r1.confusion, np.eye(3) * 5)
    assert np.isnan(r2.batch_loss[0]) and r2.replay_of == 1 and r2.stopped == "nan"
    np.testing.assert_array_equal(back.runs.weights_of(r1.end_digest)["n2"]["kernel"], w["n2"]["kernel"])
    np.testing.assert_allclose(r1.batch_x, [1 / 3, 2 / 3, 1])


def test_curves_are_compact_base64_float32():
    long = np.linspace(3, 0.1, 5000)
    data = runs.to_dict(runs.RunHistory().added(make(loss=long)))
    text = json.dumps(data)
    assert data["items"][0]["batch"]["loss"]["n"] == 5000
    assert len(text) < 2 * 5000 * 4 * 4 / 3 + 2000  # two float32 curves in base64, plus a little


def test_a_version_1_file_migrates_to_an_empty_history():
    old = {"schema_version": 1, "nodes": [{"id": "a", "type": "input", "params": {"shape": [2]}}]}
    p = project.from_dict(old)
    assert p.runs.runs == [] and p.runs.limit == runs.DEFAULT_LIMIT
    assert project.to_dict(p)["schema_version"] == project.SCHEMA_VERSION == 2


def good():
    return runs.to_dict(runs.RunHistory().added(make(end=runs.weights_digest(weights(1))), end=weights(1)))


def with_change(path, value):
    d = good()
    target = d
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


@pytest.mark.parametrize("path, value, words", [
    (("limit",), 0, "runs limit must be a whole number from 1 to 1000. Received 0"),
    (("items",), {"a": 1}, "runs.items must be a list"),
    (("items", 0, "number"), "one",
     "runs.items[0].number must be a whole number from 1 to 2,147,483,647; received 'one'"),
    (("items", 0, "seed"), -1, "runs.items[0].seed must be a whole number from 0 to 2**32-1; received -1"),
    (("items", 0, "settings"), {"epochs": [1]}, "`runs.items[0].settings.epochs` must be a whole number"),
    (("items", 0, "settings"), [1], "runs.items[0].settings must be an object of settings"),
    (("items", 0, "number"), 2 ** 70, "runs.items[0].number must be a whole number from 1 to 2,147,483,647"),
    (("items", 0, "steps"), 2 ** 70, "runs.items[0].steps must be a whole number from 0 to 2,147,483,647"),
    (("items", 0, "seconds"), 1e300, "runs.items[0].seconds must be a number of seconds from 0 to 1e+09"),
    (("items", 0, "replay_of"), 2 ** 70, "runs.items[0].replay_of must be a run number or null"),
    (("items", 0, "settings", "batch_size"), 2 ** 70, "`runs.items[0].settings.batch_size` must be a whole number "
                                                       "from 1 to 65,536"),
    (("items", 0, "confusion"), [[2 ** 70]], "runs.items[0].confusion must be a square table of counts"),
    (("items", 0, "batch", "loss"), {"n": 3, "f32": "!!"}, "runs.items[0].batch.loss.f32 is not valid base64"),
    (("items", 0, "batch", "loss", "n"), 4, "runs.items[0].batch.loss holds 3 values but says n=4"),
    (("items", 0, "stopped"), "exploded", "runs.items[0].stopped must be one of finished, stopped, early, nan"),
    (("items", 0, "confusion"), [[1, 2]], "runs.items[0].confusion must be a square table of counts"),
    (("items", 0, "fingerprint"), KeyError, "runs.items[0].fingerprint is missing"),
    (("next_number",), 1,
     "runs.next_number must be a whole number above every run's number, at most 2,147,483,647; received 1"),
    (("next_number",), 2 ** 70, "runs.next_number must be a whole number above every run's number"),
])
def test_bad_history_fields_are_named(path, value, words):
    with pytest.raises(ProjectFormatError) as info:
        runs.from_dict(with_change(path, value))
    assert words in str(info.value)


def test_weights_that_do_not_match_their_digest_are_refused():
    d = good()
    digest = next(iter(d["weights"]))
    d["weights"][digest]["n2"]["bias"] = d["weights"][digest]["n2"]["kernel"]
    with pytest.raises(ProjectFormatError, match="do not match their digest"):
        runs.from_dict(d)


def test_confusion_counts_true_rows_and_predicted_columns():
    cm = runs.confusion(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]


# ------------------------------------------------------------------ where a run started, what differed

def run_with(number, settings, start, end):
    return runs.make_run(number, "2026-12-05T15:00:00Z", 1.0, settings, 7, "f" * 32, start, end, 1, [1.0], [0.5],
                         {})


@pytest.mark.parametrize("settings_2, start_2, differs", [
    ({"learning_rate": 0.02, "optimizer": "adam", "start_weights": "fresh"}, "fresh",
     ("lr 0.003", "lr 0.02")),
    ({"learning_rate": 0.003, "optimizer": "sgd", "start_weights": "fresh"}, "fresh",
     ("optimizer adam", "optimizer sgd")),
    ({"learning_rate": 0.003, "optimizer": "adam", "start_weights": "current"}, "after #1",
     ("fresh start", "after #1 start")),
    ({"learning_rate": 0.003, "optimizer": "adam", "start_weights": "fresh"}, "fresh", ("", "")),
])
def test_start_and_differences_between_runs(settings_2, start_2, differs):
    first = run_with(1, {"learning_rate": 0.003, "optimizer": "adam", "start_weights": "fresh"}, runs.EMPTY_DIGEST,
                     "a" * 32)
    second = run_with(2, settings_2, runs.EMPTY_DIGEST if settings_2["start_weights"] == "fresh" else "a" * 32,
                      "b" * 32)
    h = runs.RunHistory().added(first).added(second)
    first, second = h.runs
    assert runs.start_text(h, second) == start_2
    assert runs.differences(h, h.runs) == {1: differs[0], 2: differs[1]}
    assert runs.differences(h, [second]) == {2: ""}  # one run alone differs from nothing


def test_fresh_start_drops_trainable_weights_and_keeps_frozen_ones():
    g = cnn()
    conv, dense = g.by_name("conv2d"), g.by_name("dense")
    g.set_weights(conv.id, weights(1.0)["n2"])
    g.set_weights(dense.id, {"kernel": np.ones((2704, 10), np.float32), "bias": np.ones(10, np.float32)})
    g.set_trainable(conv.id, False)
    fresh = runs.fresh_start(g)
    assert fresh.nodes[conv.id].weights["kernel"].sum() == 36 and not fresh.nodes[dense.id].weights
    assert g.nodes[dense.id].weights  # the graph itself is untouched
    assert runs.fingerprint(fresh) == runs.fingerprint(g)


def test_a_stopped_run_says_where_its_replay_stops_and_how():
    """A replay of a stopped run stops where it did: Keras records a run stopped while running as having an epoch
    for the part it trained; a run stopped while paused ends before the next batch, with no such record."""
    import dataclasses
    ran = runs.make_run(1, "2026-12-07T06:00:00Z", 1.0, {"epochs": 3}, 0, "fp", "", "d", 10, np.zeros(12),
                        np.zeros(12), {"loss": np.zeros(2)}, stopped="stopped")
    assert runs.stop_position(ran) == (12, True)  # 2 epochs recorded for 12 batches of 10 a epoch
    paused = dataclasses.replace(ran, epochs={"loss": np.zeros(1)})
    assert runs.stop_position(paused) == (12, False)
    assert runs.stop_position(dataclasses.replace(ran, stopped="finished")) is None



@pytest.mark.parametrize("n_runs", [1, 2, 3, 4])
def test_fewer_runs_than_weights_kept_keep_all_their_weights(n_runs):
    """A drive: two runs, three weight sets kept, and run 1's were dropped ("no longer kept (the project keeps those
    of the last 3 runs)"): the slice counted from the end went below zero."""
    h = runs.RunHistory(limit=20, keep_weights=3)
    for i in range(n_runs):
        h = h.added(make(end=runs.weights_digest(weights(i))), end=weights(i))
    kept = [h.weights_of(r.end_digest) is not None for r in h.runs]
    assert kept == [i >= n_runs - 3 for i in range(n_runs)], kept


def test_a_run_adds_about_11_kb_to_the_file_per_1000_batches():
    """The README: the project keeps per-batch curves as base64 float32, about 11 KB per 1,000 batches (two curves,
    4 KB each, base64 a third more)."""
    rng = np.random.default_rng(0)

    def size(batches: int) -> int:
        run = runs.make_run(1, "2026-11-25T16:00:00Z", 3.5, {"epochs": 1, "seed": 7}, 7, "f" * 32, runs.EMPTY_DIGEST,
                            "e" * 32, 100, rng.random(batches), rng.random(batches), {"loss": [1.5]}, 1.3, 0.61, None)
        return len(project.dumps(project.Project(cnn(), "curves", runs=runs.RunHistory().added(run))).encode())
    per_1000 = (size(3000) - size(0)) / 3
    assert 10_500 <= per_1000 <= 11_500, per_1000
