"""Issue 23 in the window: a model or project file that points outside itself is one banner, and the work in the
window (its graph, undo stack and path) is untouched."""

import json

import h5py
import numpy as np

from playground.resources_path import preset_text


def state(window):
    return (window.graph.copy(), window.stack.count(), window.stack.index(), window.doc.path)


def edited(window):
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    window.inspector.fields["filters"].setValue(12)
    window.ask_save = lambda: "discard"
    return state(window)


def test_a_keras2_file_with_external_storage_is_a_banner(window, tmp_path, qtbot):
    before = edited(window)
    path = tmp_path / "k2_ext_passwd.h5"
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "name": "i"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["model_config"] = json.dumps(config)
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([b"d"])
        d = g.create_group("d")
        d.attrs["weight_names"] = np.array([b"d/kernel:0", b"d/bias:0"])
        d.create_dataset("d/kernel:0", shape=(4, 2), dtype="f4", external=[("/etc/passwd", 0, 32)])
        d.create_dataset("d/bias:0", data=np.zeros(2, "f4"))
    window.open_file(path)
    qtbot.waitUntil(lambda: window.files.importing is None, timeout=60_000)
    after = state(window)
    assert after[0] == before[0] and after[1:] == before[1:]
    text = window.banner.label.text()
    assert window.banner.isVisible() and "external storage" in text and "root:" not in text


def test_a_project_whose_layer_names_a_vocabulary_file_is_a_banner(window, tmp_path):
    before = edited(window)
    data = json.loads(preset_text("and"))
    data["nodes"].append({"id": "opq", "type": "opaque", "name": "opq", "pos": [0, 0], "params": {
        "class_name": "StringLookup", "config": {"module": "keras.layers", "class_name": "StringLookup",
                                                 "config": {"name": "opq", "vocabulary": "/etc/passwd"}},
        "input_shapes": [[2]], "output_shape": [2], "param_count": [0, 0]}})
    path = tmp_path / "vocab.json"
    path.write_text(json.dumps(data))
    assert not window.open_file(path)
    after = state(window)
    assert after[0] == before[0] and after[1:] == before[1:]
    assert window.banner.isVisible() and "vocabulary" in window.banner.label.text()
