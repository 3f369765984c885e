import json
import os
import re
import stat

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from playground.core import project
from playground.core.errors import PlaygroundError, ProjectFormatError
from playground.core.words import short
from playground.resources_path import preset_names, preset_text

PRESETS = preset_names()


def test_all_the_promised_presets_ship():
    for name in ["and", "or", "not", "nor", "xnor-case1", "xnor-case2", "mnist-mlp", "mnist-cnn", "lenet5",
                 "cifar10-baseline", "alexnet"]:
        assert name in PRESETS


@pytest.mark.parametrize("name", PRESETS)
def test_preset_round_trip(name, tmp_path):
    p = project.loads(preset_text(name))
    project.save(p, tmp_path / "p.json")
    q = project.load(tmp_path / "p.json")
    assert q == p
    assert project.to_dict(q) == project.to_dict(p)


def test_big_weights_round_trip_exactly(tmp_path):
    p = project.loads(preset_text("mnist-mlp"))
    dense = p.graph.by_name("dense")
    w = np.random.default_rng(0).standard_normal((784, 500)).astype(np.float32)
    p.graph.set_weights(dense.id, {"kernel": w, "bias": np.arange(500, dtype=np.float32) / 7})
    project.save(p, tmp_path / "w.json")
    q = project.load(tmp_path / "w.json")
    assert np.array_equal(q.graph.by_name("dense").weights["kernel"], w)
    assert q == p


def test_save_is_atomic_and_readable(tmp_path):
    path = tmp_path / "a.json"
    project.save(project.loads(preset_text("and")), path)
    assert [f.name for f in tmp_path.iterdir()] == ["a.json"]
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o044  # not the 0600 of a temp file


def test_missing_optional_keys_take_defaults():
    p = project.from_dict({"schema_version": 1, "nodes": [{"id": "a", "type": "conv2d"}]})
    node = p.graph.nodes["a"]
    assert node.params["kernel_size"] == 3 and node.name == "conv2d" and node.pos == (0.0, 0.0)
    assert p.training["dataset"] == "mnist-sample"


@pytest.mark.parametrize("data,needle", [
    ([], "JSON object"),
    ({"nodes": []}, "schema_version"),
    ({"schema_version": 99, "nodes": []}, "newer version"),
    ({"schema_version": 1, "nodes": [{"type": "warp"}]}, "nodes[0].type 'warp'"),
    ({"schema_version": 1, "nodes": [{"type": "conv2d", "params": {"kernel_size": -3}}]}, "kernel_size=-3"),
    ({"schema_version": 1, "nodes": [{"type": "conv2d", "params": {"kernel_size": "3"}}]}, "kernel_size='3'"),
    ({"schema_version": 1, "nodes": [{"type": "dense", "pos": [1]}]}, "nodes[0].pos"),
    ({"schema_version": 1, "nodes": [{"id": "a", "type": "dense"}], "edges": [{"from": "a", "to": "b"}]},
     "edges[0].to 'b'"),
    ({"schema_version": 1, "nodes": [{"id": "a", "type": "dense", "weights": {"kernel": {"shape": [2],
                                                                                   "values": [1]}}}]},
     "holds 1 value but its shape"),
])
def test_bad_files_name_the_field(data, needle):
    with pytest.raises(ProjectFormatError) as exc:
        project.from_dict(data)
    assert needle in str(exc.value)


def test_a_declined_preparation_is_kept_in_the_file_and_written_only_when_declined(tmp_path):
    """The user deleted the pixels' preparation an opened model was offered: the project remembers it."""
    p = project.loads(preset_text("mnist-mlp"))
    assert "pixels_declined" not in project.to_dict(p)  # (older files stay as they were)
    p.pixels_declined = True
    project.save(p, tmp_path / "p.json")
    assert json.loads((tmp_path / "p.json").read_text())["pixels_declined"] is True
    assert project.load(tmp_path / "p.json").pixels_declined
    data = project.to_dict(p)
    for bad in ("yes", 1, None, [True]):
        with pytest.raises(ProjectFormatError, match=re.escape(f"pixels_declined must be true or false; received "
                                                               f"{short(bad)}.")):
            project.from_dict({**data, "pixels_declined": bad})


def test_not_json_and_missing_file(tmp_path):
    with pytest.raises(ProjectFormatError, match="not valid JSON"):
        project.loads("{nope")
    with pytest.raises(ProjectFormatError, match="No such file"):
        project.load(tmp_path / "missing.json")
    with pytest.raises(ProjectFormatError, match="UTF-8"):
        project.loads(b"\xff\xfe\x00")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_corrupted_json_only_raises_typed_errors(data):
    base = project.to_dict(project.loads(preset_text(data.draw(st.sampled_from(["xnor-case2", "mnist-cnn"])))))
    # corrupt one place: a top-level key, a node field, a param, or an edge
    where = data.draw(st.sampled_from(["top", "node", "param", "edge", "text"]))
    if where == "top":
        base[data.draw(st.sampled_from(list(base)))] = data.draw(json_values)
    elif where == "node":
        node = data.draw(st.sampled_from(base["nodes"]))
        node[data.draw(st.sampled_from(["id", "type", "name", "params", "pos", "weights", "x"]))] = \
            data.draw(json_values)
    elif where == "param":
        node = data.draw(st.sampled_from(base["nodes"]))
        keys = list(node["params"]) or ["x"]
        node["params"][data.draw(st.sampled_from(keys))] = data.draw(json_values)
    elif where == "edge" and base["edges"]:
        edge = data.draw(st.sampled_from(base["edges"]))
        edge[data.draw(st.sampled_from(["from", "to", "port"]))] = data.draw(json_values)
    text = json.dumps(base)
    if where == "text":
        cut = data.draw(st.integers(0, len(text)))
        text = text[:cut] + data.draw(st.text(max_size=3)) + text[cut + 1:]
    try:
        project.loads(text)
    except ProjectFormatError:
        pass
    except PlaygroundError as exc:  # pragma: no cover - would be a bug: not wrapped
        raise AssertionError(f"unwrapped error {type(exc).__name__}: {exc}")
