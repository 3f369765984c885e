"""Hostile project files and settings (issue 15, items 1-6, 9, 13): refused whole, with the field and
value named, before anything is returned; saves fail loudly; killed saves are cleaned up."""

import json
import math
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from playground.core import project, recovery
from playground.core.errors import GraphError, ProjectFormatError, ProjectSaveError, SettingsError
from playground.core.graph import Graph, chain
from playground.core.settings import TRAINING, LogicConfig, TrainConfig
from playground.resources_path import preset_text


def _with(section: str, key: str, value) -> dict:
    data = project.to_dict(project.loads(preset_text("and")))
    data[section][key] = value
    return data


# ------------------------------------------------------------------ item 1: settings are validated on load

@pytest.mark.parametrize("section,key,value,needle", [
    ("training", "batch_size", "abc", "training.batch_size='abc'"),
    ("training", "epochs", None, "training.epochs=None"),
    ("training", "epochs", 1e300, "training.epochs=1e+300"),
    ("training", "learning_rate", "0.1", "training.learning_rate='0.1'"),
    ("training", "learning_rate", -1e-9, "must be > 0"),
    ("training", "learning_rate", 0, "training.learning_rate=0"),
    ("training", "momentum", 5, "training.momentum=5"),
    ("training", "seed", -1, "training.seed=-1"),
    ("training", "seed", 2 ** 40, "training.seed=1099511627776"),
    ("training", "optimizer", "adamw", "training.optimizer='adamw'"),
    ("training", "dataset", "a\x1b[31mb", "training.dataset"),
    ("training", "warp", 1, "`training.warp` is not a setting"),
    ("logic", "target", [1, "a"], "logic.target[1]='a'"),
    ("logic", "target", [1, 0, 1], "3 values"),
    ("logic", "target", "maybe", "logic.target='maybe'"),
])
def test_bad_settings_refuse_the_file_naming_field_and_value(section, key, value, needle):
    with pytest.raises(ProjectFormatError) as exc:
        project.from_dict(_with(section, key, value))
    assert needle in str(exc.value)


def test_infinity_in_the_text_is_refused():
    text = json.dumps(_with("training", "learning_rate", 0.5)).replace('"learning_rate": 0.5', '"learning_rate": 1e400')
    with pytest.raises(ProjectFormatError, match="learning_rate=inf"):
        project.loads(text)


def test_a_good_file_keeps_its_settings_and_fills_defaults():
    data = _with("training", "batch_size", 7)
    del data["training"]["epochs"]
    p = project.from_dict(data)
    assert p.training["batch_size"] == 7 and p.training["epochs"] == TrainConfig().epochs
    assert p.logic == {"target": "and"}


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from([s.name for s in TRAINING if s.saved]),
       value=st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) |
       st.lists(st.integers(0, 1), max_size=3))
def test_any_setting_value_is_either_valid_or_refused_by_name(key, value):
    try:
        p = project.from_dict(_with("training", key, value))
    except ProjectFormatError as exc:
        assert f"training.{key}" in str(exc)
        return
    got = p.training[key]
    assert got == value and (not isinstance(got, float) or math.isfinite(got))
    TrainConfig.from_dict(p.training)  # what loaded is what the backend accepts


@settings(max_examples=100, deadline=None)
@given(target=st.none() | st.sampled_from(["and", "xor", "not"]) |
       st.lists(st.integers(0, 1), min_size=2, max_size=16) | st.lists(st.booleans(), min_size=2, max_size=4))
def test_logic_target_round_trips_or_is_refused(target):
    try:
        cfg = LogicConfig.from_dict({"target": target})
    except SettingsError:
        assert isinstance(target, list) and (len(target) & (len(target) - 1) or any(isinstance(v, bool)
                                                                                     for v in target))
        return
    assert LogicConfig.from_dict(cfg.to_dict()) == cfg


# ------------------------------------------------------------------ item 2: weight shapes per layer kind

def _neuron_file(weights: dict) -> dict:
    return {"schema_version": 1, "nodes": [
        {"id": "i", "type": "input", "params": {"shape": [2]}},
        {"id": "n", "type": "neuron", "name": "gate", "weights": weights}],
        "edges": [{"from": "i", "to": "n"}]}


@pytest.mark.parametrize("weights,needle", [
    ({"kernel": {"shape": [2], "values": [1, 1]}}, "'kernel' must have 2 dimensions; received shape [2]"),
    ({"bias": {"shape": [1, 1], "values": [1]}}, "'bias' must have 1 dimension"),
    ({"gamma": {"shape": [1], "values": [1]}}, "no weight 'gamma'"),
])
def test_weights_of_the_wrong_rank_are_refused_on_load(weights, needle):
    with pytest.raises(ProjectFormatError) as exc:
        project.from_dict(_neuron_file(weights))
    assert needle in str(exc.value) and "nodes[1].weights" in str(exc.value)


def test_weights_on_a_layer_without_weights_are_refused():
    data = {"schema_version": 1, "nodes": [{"id": "f", "type": "flatten",
                                            "weights": {"kernel": {"shape": [1], "values": [1]}}}]}
    with pytest.raises(ProjectFormatError, match="Flatten layers have no weights"):
        project.from_dict(data)


def test_stale_but_well_formed_weights_still_load():
    # weights that no longer fit the inputs are a normal state (shown on the node), not a bad file
    p = project.from_dict(_neuron_file({"kernel": {"shape": [3, 1], "values": [1, 1, 1]}}))
    assert p.graph.nodes["n"].weights["kernel"].shape == (3, 1)


def test_set_weights_refuses_the_wrong_rank():
    g = chain(("input", {"shape": (2,)}), ("neuron", {"units": 1}))
    nid = g.by_name("neuron").id
    with pytest.raises(GraphError, match="2 dimension"):
        g.set_weights(nid, {"kernel": np.ones(2), "bias": np.zeros(1)})
    assert g.nodes[nid].weights == {}


# ------------------------------------------------------------------ item 3: a broken recovery is set aside

def test_recovery_round_trip(tmp_path):
    p = project.loads(preset_text("and"))
    project.save(p, tmp_path / "and.json")  # the project file the work was opened from
    recovery.write_recovery(p, tmp_path / "recovery.json", tmp_path / "and.json")
    q, original = recovery.read_recovery(tmp_path / "recovery.json")
    assert q == p and original == tmp_path / "and.json"


@pytest.mark.parametrize("target", ["victim.txt", "notes.json", "gone.json", "relative.json"])
def test_a_recovery_file_cannot_choose_where_save_writes(tmp_path, target):
    """A hostile sweep: a recovery file naming ~/.bashrc as its project made Ctrl+S, after Restore, write the project
    over it with no dialog. The work is restored with that file only where it is a project file that is there
    (the file the work came from); otherwise with none, so Save asks where."""
    p = project.loads(preset_text("and"))
    (tmp_path / "victim.txt").write_text("export PATH=...")
    (tmp_path / "notes.json").write_text('{"todo": ["not a project"]}')
    original = target if target == "relative.json" else str(tmp_path / target)
    if target == "relative.json":
        project.save(p, tmp_path / "relative.json")
    path = tmp_path / "recovery-abcdef12.json"
    path.write_text(json.dumps({**json.loads(project.dumps(p)), "recovery": {"path": original}}))
    q, where = recovery.read_recovery(path)
    assert q == p and where is None
    assert (tmp_path / "victim.txt").read_text() == "export PATH=..."


@pytest.mark.parametrize("text", ["{", "[]", json.dumps(_with("logic", "target", [1, "a"])), "[" * 100_000])
def test_broken_recovery_is_refused_then_set_aside(tmp_path, text):
    path = tmp_path / "recovery.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectFormatError):
        recovery.read_recovery(path)
    moved = recovery.set_aside(path)
    assert not path.exists() and moved.read_text(encoding="utf-8") == text
    assert moved.parent == tmp_path and "broken" in moved.name
    again = tmp_path / "recovery.json"
    again.write_text("{", encoding="utf-8")
    assert recovery.set_aside(again) != moved  # never overwrites an earlier one


# ------------------------------------------------------------------ item 4: every save failure is typed and loud

def test_a_non_finite_setting_is_not_saved_and_says_why(tmp_path):
    p = project.loads(preset_text("and"))
    p.training["learning_rate"] = float("1e400")
    with pytest.raises(ProjectSaveError, match="learning_rate=inf"):
        project.save(p, tmp_path / "a.json")
    assert list(tmp_path.iterdir()) == []


def test_non_finite_weights_are_not_saved(tmp_path):
    p = project.loads(preset_text("and"))
    node = next(n for n in p.graph.nodes.values() if n.weights)
    node.weights["bias"] = np.array([np.nan], dtype=np.float32)
    with pytest.raises(ProjectSaveError, match="not a finite number"):
        project.save(p, tmp_path / "a.json")


@pytest.mark.parametrize("where", ["missing/a.json", "."])
def test_unwritable_targets_raise_project_save_error(tmp_path, where):
    with pytest.raises(ProjectSaveError, match="Not saved"):
        project.save(project.loads(preset_text("and")), tmp_path / where)


# ------------------------------------------------------------------ item 5: killed saves leave no litter

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_are_removed_on_save_and_open(tmp_path):
    path = tmp_path / "a.json"
    project.save(project.loads(preset_text("and")), path)
    dead = tmp_path / f".a.json.{_dead_pid()}.x1y2.tmp"
    mine = tmp_path / f".a.json.{os.getpid()}.q.tmp"
    old = tmp_path / ".a.jsonzz12.tmp"  # an older naming with no pid: removed when over an hour old
    other = tmp_path / f".b.json.{_dead_pid()}.x.tmp"  # another project's: not ours to touch
    for f in (dead, mine, old, other):
        f.write_bytes(b"x" * 100)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    old2 = tmp_path / ".a.json.zz.tmp"
    old2.write_bytes(b"x")
    os.utime(old2, (time.time() - 7200, time.time() - 7200))
    project.load(path)
    assert not dead.exists() and not old2.exists() and mine.exists() and other.exists()
    dead2 = tmp_path / f".a.json.{_dead_pid()}.r.tmp"
    dead2.write_bytes(b"x")
    project.save(project.loads(preset_text("and")), path)
    assert not dead2.exists() and mine.exists()


# ------------------------------------------------------------------ item 6: regular files only, limited size

def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    result = {}

    def go():
        try:
            project.load(fifo)
        except ProjectFormatError as exc:
            result["msg"] = str(exc)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(10)
    assert "pipe" in result.get("msg", "blocked")


def test_a_link_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "p.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(ProjectFormatError, match="device"):
        project.load(link)


def test_an_oversized_project_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(project, "MAX_PROJECT_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(" " * 2000 + "{}")
    with pytest.raises(ProjectFormatError, match="at most 1.0 KB"):
        project.load(path)


# ------------------------------------------------------------------ item 9: big graphs load, structure checked once

def _reversed_chain(n: int) -> dict:
    nodes = [{"id": f"n{i}", "type": "input" if i == 0 else "dense", "name": f"l{i}",
              "params": {"shape": [4]} if i == 0 else {"units": 4}} for i in range(n)]
    edges = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(n - 1)]
    return {"schema_version": 1, "nodes": nodes[::-1], "edges": edges[::-1]}


def test_a_reversed_chain_loads_in_order():
    g = project.from_dict(_reversed_chain(3000)).graph
    order = g.topological_order()
    assert order[0] == "n0" and order[-1] == "n2999" and g.input_ids("n5") == ["n4"]


def test_a_cycle_in_a_file_is_refused():
    data = _reversed_chain(4)
    data["nodes"][-1] = {"id": "n0", "type": "dense", "name": "l0"}
    data["edges"].append({"from": "n3", "to": "n0"})
    with pytest.raises(ProjectFormatError, match="cycle"):
        project.from_dict(data)


def test_mismatched_merge_inputs_in_a_file_are_refused():
    data = {"schema_version": 1, "nodes": [
        {"id": "a", "type": "input", "params": {"shape": [2]}}, {"id": "b", "type": "input", "params": {"shape": [3]}},
        {"id": "m", "type": "add"}], "edges": [{"from": "a", "to": "m"}, {"from": "b", "to": "m"}]}
    with pytest.raises(ProjectFormatError, match="same shape"):
        project.from_dict(data)


def test_many_inputs_into_one_concatenate():
    n = 2000
    nodes = [{"id": f"i{k}", "type": "input", "name": f"i{k}", "params": {"shape": [1]}} for k in range(n)]
    nodes.append({"id": "c", "type": "concatenate"})
    data = {"schema_version": 1, "nodes": nodes, "edges": [{"from": f"i{k}", "to": "c"} for k in range(n)]}
    from playground.core.analysis import infer
    g = project.from_dict(data).graph
    assert infer(g)["c"].shape == (n,)


def test_indexes_follow_every_edit():
    g = chain(("input", {"shape": (4,)}), ("dense", {}), ("dense", {}))
    a, b, c = list(g.nodes)
    edge = next(e for e in g.edges if e.dst == c)
    g.disconnect(edge)
    assert g.input_ids(c) == [] and g.output_ids(b) == []
    g.add_edge_unchecked(edge)
    assert g.input_ids(c) == [b]
    g.rename(b, "middle")
    assert g.by_name("middle").id == b and g.unique_name("middle") == "middle_1"
    g.remove_node(b)
    assert g.input_ids(c) == [] and g.unique_name("middle") == "middle"
    h = Graph()
    h.replace_with(g)
    assert h.by_name("dense_1").id == c


# ------------------------------------------------------------------ item 13: names are matched whole

@pytest.mark.parametrize("name", ["dense\n", "a\x1b[31m", "", "9a", "x" * 256])
def test_bad_layer_names_are_refused(name):
    g = Graph()
    with pytest.raises(GraphError, match="Layer names"):
        g.add_node("dense", name=name)


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(st.tuples(st.sampled_from(["add", "connect", "disconnect", "remove", "rename", "undo_edge"]),
                              st.integers(0, 50), st.integers(0, 50)), max_size=40))
def test_graph_indexes_agree_with_a_scan_of_the_edges(ops):
    from playground.core.errors import PlaygroundError
    g = Graph()
    g.add_node("input", {"shape": (3,)}, name="x")
    removed = []
    for op, a, b in ops:
        ids = list(g.nodes)
        try:
            if op == "add":
                g.add_node(["dense", "add", "concatenate"][a % 3], name=f"n{a}_{b}")
            elif op == "connect":
                g.connect(ids[a % len(ids)], ids[b % len(ids)])
            elif op == "disconnect" and g.edges:
                e = g.edges[a % len(g.edges)]
                g.disconnect(e)
                removed.append(e)
            elif op == "remove" and len(ids) > 1:
                g.remove_node(ids[1 + a % (len(ids) - 1)])
            elif op == "rename":
                g.rename(ids[a % len(ids)], f"r{b}")
            elif op == "undo_edge" and removed:
                e = removed.pop()
                if e.src in g.nodes and e.dst in g.nodes and e not in g.edges and \
                        all(x.dst != e.dst or x.port != e.port for x in g.edges):
                    g.add_edge_unchecked(e)
        except PlaygroundError:
            pass
        for nid in g.nodes:
            assert g.input_ids(nid) == [e.src for e in sorted((e for e in g.edges if e.dst == nid),
                                                              key=lambda e: e.port)]
            assert sorted(g.output_ids(nid)) == sorted(e.dst for e in g.edges if e.src == nid)
            assert g.by_name(g.nodes[nid].name).id == nid
        assert len(g.topological_order()) == len(g.nodes)


def _numeric_leaves(obj, path=()):
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield path
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numeric_leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numeric_leaves(v, (*path, i))


def _put(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400), 2 ** 53 + 1])
def test_an_integer_no_float_holds_anywhere_in_a_file_is_refused_by_name_or_kept_exactly(value):
    """JSON integers have no size limit: 10**400 made float() raise OverflowError ("int too large to convert to
    float") out of the settings, a layer's parameters, a position and a weight list, and 2**53 + 1 was read as
    2**53 with no word. Every number in a project with weights, settings, a logic target and a run history is
    tried; each file loads with the number kept exactly (a weight as the float32 nearest it), or is refused
    naming where."""
    from playground.core import runs
    p = project.loads(preset_text("xnor-case1"))
    run = runs.make_run(1, "2026-11-25T16:00:00Z", 3.5, {"epochs": 1, "seed": 7}, 7, "f" * 32, runs.EMPTY_DIGEST,
                        "e" * 32, 3, (2.0, 1.5), [0.1, 0.2], {"loss": [1.5], "val_loss": [1.4]}, 1.3, 0.61,
                        np.eye(2, dtype=int) * 5)
    p.runs = p.runs.added(run)
    base = project.to_dict(p)
    leaves = list(_numeric_leaves(base))
    assert len(leaves) > 40 and {path[0] for path in leaves} >= {"nodes", "training", "runs"}
    for path in leaves:
        data = json.loads(json.dumps(base))
        _put(data, path, value)
        where = ".".join(map(str, path))
        try:
            loaded = project.to_dict(project.from_dict(json.loads(json.dumps(data))))
        except ProjectFormatError as exc:
            assert str(exc), where
            continue
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may escape
            pytest.fail(f"{where}={value}: {type(exc).__name__}: {exc}")
        kept = loaded
        try:
            for key in path:
                kept = kept[key]
        except (KeyError, IndexError, TypeError):
            continue  # a field the loader derives or drops (an older form's), not one it keeps
        if "values" in path:  # a weight: float32, as every weight is (0.1 is read as float32's 0.1 too)
            assert kept == float(np.float32(value)), f"{where}={value} was read as {kept!r}"
        else:
            assert kept == value and type(kept) is int, f"{where}={value} was read as {kept!r}"


@pytest.mark.parametrize("value, says", [(10 ** 400, "must be a finite number"),
                                         (2 ** 53 + 1, "must be a number a 64-bit float holds exactly")])
def test_a_model_file_config_with_an_integer_no_float_holds_is_refused_by_name(value, says):
    """The same through a model file's layer config (a .keras config.json or an .h5 model_config): a float
    parameter given as such an integer is refused naming it, not an OverflowError or a silent 2**53."""
    from playground.core.errors import ParamError
    from playground.core.registry import get_spec
    with pytest.raises(ParamError, match=f"`rate` {says}"):
        get_spec("dropout").params_from_keras({"name": "d", "rate": value, "trainable": True})


@pytest.mark.parametrize("data, says", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "The file is not a project: it is a PNG image."),
    (b"\x89HDF\r\n\x1a\n" + b"\xff" * 8, "it is an HDF5 file (a Keras .h5 model? File > Open reads it as a model)"),
    (b'{"hello": 1}', "The file is JSON but not a Network Playground project: it has no schema_version"),
])
def test_a_file_that_is_not_a_project_says_what_it_is(data, says):
    """A new-user drive: a PNG opened as a project said "The file is not UTF-8 text (invalid start byte at byte
    0)", and {"hello": 1} "schema_version must be a whole number; received None": neither said it was not a
    project."""
    with pytest.raises(ProjectFormatError) as refused:
        project.loads(data)
    assert says in str(refused.value)


def test_an_opaque_layer_nested_past_the_config_depth_is_refused_when_the_project_loads():
    """A sweep: an opaque layer's config nested 600 deep opened, then every fingerprint of the network (the Runs
    table, Start, a lesson's check) ended in RecursionError: the Train workspace would not open at all."""
    from playground.core import limits
    deep: object = 1
    for _ in range(600):
        deep = [deep]
    data = {"schema_version": 2, "nodes": [
        {"id": "i", "type": "input", "params": {"shape": [4]}},
        {"id": "o", "type": "opaque", "params": {"class_name": "Dense", "config": {
            "module": "keras.layers", "class_name": "Dense", "config": {"name": "opq", "units": 4, "x": deep}}}}],
        "edges": [{"from": "i", "to": "o"}]}
    with pytest.raises(ProjectFormatError, match=rf"nested more than {limits.MAX_CONFIG_DEPTH} deep"):
        project.from_dict(data)
    from playground.core import layer_data
    assert layer_data.MAX_CONFIG_DEPTH == limits.MAX_CONFIG_DEPTH  # one bound for a model's config and a layer's


def test_one_byte_over_a_size_limit_says_both_sizes_apart(tmp_path):
    """At its edge the refusal read "p.json is 536.9 MB; a project file may be at most 536.9 MB": the two figures
    the README promises, rounded to the same text. Where they would, they are given in bytes."""
    from playground.core.files import fmt_over
    from playground.core.project import MAX_PROJECT_BYTES
    path = tmp_path / "p.json"
    with open(path, "wb") as f:
        f.truncate(MAX_PROJECT_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(ProjectFormatError) as info:
        project.load(path)
    assert str(info.value) == (f"p.json is {MAX_PROJECT_BYTES + 1:,} bytes; a project file may be at most "
                               f"{MAX_PROJECT_BYTES:,} bytes.")
    assert fmt_over(2_000_000, 1_000_000) == ("2.0 MB", "1.0 MB")  # apart already: as before
