"""A file never reaches outside itself (issue 23): hostile model and project files, made in each test, exit 2
with one line, never a traceback, never a byte read from another file, and nothing written."""

import json
import os
import subprocess
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest

from playground import cli
from playground.core import project
from playground.core.graph import chain

SECRET = b"root:x:0:0"  # what /etc/passwd starts with


@pytest.fixture(autouse=True, scope="module")
def keras_loaded():
    """Keras is imported once, before the clock starts: the 10-second bound is on handling the file."""
    from playground.backend.runtime import get_keras
    get_keras()


def run(args, capsys):
    t0 = time.perf_counter()
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert time.perf_counter() - t0 < 10 or code != 2
    return code, out, err


def one_line(code, err, *words):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert len(lines[0]) < 600, lines[0]
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def keras2_file(path, *, units=2, n_in=4, mutate=None, config_edit=None):
    """A Keras 2.4 .h5 (Input(n_in) -> Dense 'd'), written with h5py alone; ``mutate(file, group)`` spoils it."""
    layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, n_in], "dtype": "float32",
                                                       "sparse": False, "ragged": False, "name": "i"}},
              {"class_name": "Dense", "config": {"name": "d", "units": units, "activation": "linear",
                                                 "use_bias": True, "dtype": "float32", "trainable": True}}]
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    if config_edit:
        config_edit(config)
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([b"d"])
        g = mw.create_group("d")
        g.attrs["weight_names"] = np.array([b"d/kernel:0", b"d/bias:0"])
        g.create_dataset("d/kernel:0", data=np.ones((n_in, min(units, 8)), "f4"))
        g.create_dataset("d/bias:0", data=np.zeros(min(units, 8), "f4"))
        if mutate:
            mutate(f, g)
    return path


def _replace_kernel(make):
    def mutate(f, g):
        del g["d/kernel:0"]
        make(g, "d/kernel:0")
    return mutate


def _other_file(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.full((4, 2), 7.0, "f4")
    return other


HDF5_CASES = {
    "external storage": (lambda tmp: _replace_kernel(lambda g, n: g.create_dataset(
        n, shape=(4, 2), dtype="f4", external=[("/etc/passwd", 0, 32)])), "external storage"),
    "relative external storage": (lambda tmp: _replace_kernel(lambda g, n: g.create_dataset(
        n, shape=(4, 2), dtype="f4", external=[("../../../../etc/hostname", 0, 32)])), "external storage"),
    "external link": (lambda tmp: _replace_kernel(lambda g, n: g.__setitem__(
        n, h5py.ExternalLink(str(_other_file(tmp)), "/x"))), "external link"),
    "external link to a FIFO": (lambda tmp: _replace_kernel(lambda g, n: (os.mkfifo(tmp / "pipe.h5"), g.__setitem__(
        n, h5py.ExternalLink(str(tmp / "pipe.h5"), "/x")))), "external link"),
    "link loop": (lambda tmp: lambda f, g: (g.__setitem__("loop_a", h5py.SoftLink("/model_weights/d/loop_b")),
                                            g.__setitem__("loop_b", h5py.SoftLink("/model_weights/d/loop_a"))),
                  "loops"),
    "string weights": (lambda tmp: _replace_kernel(lambda g, n: g.__setitem__(n, np.array([[b"ab"] * 2] * 4))),
                       "dtype"),
    "compound weights": (lambda tmp: _replace_kernel(lambda g, n: g.__setitem__(
        n, np.zeros((4, 2), dtype=[("a", "f4"), ("b", "i4")]))), "dtype"),
}


@pytest.mark.parametrize("case", sorted(HDF5_CASES))
def test_keras2_file_pointing_outside_itself_exits_2(tmp_path, capsys, case):
    make, words = HDF5_CASES[case]
    src = keras2_file(tmp_path / "k2.h5", mutate=make(tmp_path))
    out = tmp_path / "X.keras"
    code, _, err = run(["export", src, "--format", "keras", "--out", out], capsys)
    one_line(code, err, "k2.h5", words)
    assert not out.exists()


def test_virtual_dataset_exits_2(tmp_path, capsys):
    other = _other_file(tmp_path)
    layout = h5py.VirtualLayout(shape=(4, 2), dtype="f4")
    layout[:] = h5py.VirtualSource(str(other), "x", shape=(4, 2))

    def mutate(f, g):
        del g["d/kernel:0"]
        g["d"].create_virtual_dataset("kernel:0", layout, fillvalue=0)
    src = keras2_file(tmp_path / "k2.h5", mutate=mutate)
    one_line(*run(["summary", src], capsys)[::2], "virtual dataset")


@pytest.mark.parametrize("name,mutate,config_edit,words", [
    ("missing weight", lambda f, g: g.__delitem__("d/kernel:0"), None, "'d/d/kernel:0' is listed but not in"),
    ("repeated names", lambda f, g: g.attrs.__setitem__("weight_names", np.array([b"d/kernel:0"] * 5000 +
                                                                                   [b"d/bias:0"])), None,
     "layer 'd' lists 5,001 weights; the model's layer of that name has 2"),
    ("batch-norm axis 1e30", None, lambda c: c["config"]["layers"].append(
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1e30]}}), "axis"),
    ("batch-norm axis 10**30", None, lambda c: c["config"]["layers"].append(
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [10 ** 30]}}), "could not build"),
    ("Dense of 1e10 units", None, lambda c: c["config"]["layers"][1]["config"].update(units=10 ** 10),
     "needs"),
    ("Input of 1e12", None, lambda c: c["config"]["layers"][0]["config"].update(batch_input_shape=[None, 10 ** 12]),
     "needs"),
])
def test_keras2_converter_failures_are_one_line(tmp_path, capsys, name, mutate, config_edit, words):
    src = keras2_file(tmp_path / "k2.h5", mutate=mutate, config_edit=config_edit)
    out = tmp_path / "X.keras"
    one_line(*run(["export", src, "--format", "keras", "--out", out], capsys)[::2], words)
    assert not out.exists()


# ------------------------------------------------------------------ layer configs are data, never paths

def opaque_project(tmp_path, cls, config, input_shapes=([4],), output_shape=(4,), param_count=(0, 0),
                   input_shape=(4,)):
    g = chain(("input", {"shape": list(input_shape)}), ("dense", {"units": 4}))
    data = json.loads(project.dumps(project.Project(g, "hostile")))
    data["nodes"].append({"id": "opq", "type": "opaque", "name": "opq", "pos": [0, 0],
                          "params": {"class_name": cls, "config": config, "input_shapes": list(input_shapes),
                                     "output_shape": list(output_shape) if isinstance(output_shape, tuple)
                                     else output_shape, "param_count": list(param_count)}})
    dense = next(n["id"] for n in data["nodes"] if n["type"] == "dense")
    data["edges"].append({"from": dense, "to": "opq", "port": 0})
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def lookup(cls, vocabulary, **extra):
    return {"module": "keras.layers", "class_name": cls, "config": {"name": "opq", "vocabulary": vocabulary,
                                                                   **extra}}


@pytest.mark.parametrize("cls", ["StringLookup", "IntegerLookup", "TextVectorization"])
def test_vocabulary_paths_in_a_project_are_refused(tmp_path, capsys, cls):
    fifo = tmp_path / "vocab.fifo"
    os.mkfifo(fifo)  # reading it would block forever
    for target in ("/etc/passwd", str(fifo), "/dev/zero"):
        path = opaque_project(tmp_path, cls, lookup(cls, target))
        out = tmp_path / "X.keras"
        one_line(*run(["export", path, "--format", "keras", "--out", out], capsys)[::2], "vocabulary",
                 "open as a file")
        assert not out.exists()


def _keras_archive(tmp_path, config, weights: bytes | None = None, name="m.keras", method=zipfile.ZIP_DEFLATED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        zf.writestr("config.json", json.dumps(config))
        if weights is not None:
            zf.writestr("model.weights.h5", weights)
    return path


def _seq3(*layers):
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "i"}},
        *layers]}}


def test_vocabulary_path_in_a_keras_file_is_refused(tmp_path, capsys):
    path = _keras_archive(tmp_path, _seq3(lookup("StringLookup", "/etc/passwd")))
    one_line(*run(["summary", path], capsys)[::2], "m.keras", "vocabulary", "/etc/passwd")


def test_savedmodel_layer_is_refused(tmp_path, capsys):
    path = _keras_archive(tmp_path, _seq3({"module": "keras.layers", "class_name": "TFSMLayer",
                                          "config": {"name": "t", "filepath": "/etc"}}))
    code, _, err = run(["summary", path], capsys)
    one_line(code, err, "TFSMLayer")


EMBED = {"module": "keras.layers", "class_name": "Embedding",
         "config": {"name": "opq", "input_dim": 3_000_000_000, "output_dim": 64}}


def test_a_lying_param_count_does_not_skip_the_memory_check(tmp_path, capsys):
    path = opaque_project(tmp_path, "Embedding", EMBED, output_shape=(4, 64), param_count=(0, 0))
    out = tmp_path / "X.keras"
    one_line(*run(["export", path, "--format", "keras", "--out", out], capsys)[::2], "needs", "available")
    assert not out.exists()


def test_a_lying_output_shape_is_caught_by_keras(tmp_path, capsys):
    small = {**EMBED, "config": {"name": "opq", "input_dim": 10, "output_dim": 3}}
    path = opaque_project(tmp_path, "Embedding", small, output_shape=(4, 99), param_count=(30, 30))
    one_line(*run(["export", path, "--format", "keras", "--out", tmp_path / "X.keras"], capsys)[::2],
             "(4, 99)", "Keras computes (4, 3)")


@pytest.mark.parametrize("field,value,words", [
    ("param_count", [-99_999_999, 0], "param_count"),
    ("config", [], "`config` must be an object"),
    ("config", {"config": [1]}, "config.config"),
    ("class_name", "InputLayer", "InputLayer cannot be an opaque layer"),
    ("class_name", "TorchModuleWrapper", "TorchModuleWrapper"),
    ("input_shapes", 4, "input_shapes"),
    ("output_shape", "4", "output_shape"),
    ("output_shape", [None], "output_shape"),
    ("output_shape", [2.5], "output_shape"),
])
def test_every_opaque_field_is_validated(tmp_path, capsys, field, value, words):
    path = opaque_project(tmp_path, "Embedding", {**EMBED, "config": {"name": "opq", "input_dim": 10,
                                                                      "output_dim": 3}},
                          output_shape=(4, 3), param_count=(30, 30))
    data = json.loads(path.read_text())
    data["nodes"][-1]["params"][field] = value
    path.write_text(json.dumps(data))
    one_line(*run(["summary", path], capsys)[::2], words)


def test_a_zip_bomb_weights_member_is_refused_from_its_declared_size(tmp_path, capsys):
    bomb = b"\0" * (100 * 2 ** 20)  # deflates to ~100 KB; the 22-weight model needs under a kilobyte
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}}
    path = _keras_archive(tmp_path, _seq3(dense), weights=bomb)
    one_line(*run(["summary", path], capsys)[::2], "model.weights.h5 would unpack to 104.9 MB", "zip bomb")


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_keras_archive_whose_weights_point_outside_is_refused(tmp_path, capsys, method):
    weights = tmp_path / "w.h5"
    with h5py.File(weights, "w") as f:
        f.create_group("layers").create_group("dense").create_group("vars").create_dataset(
            "0", shape=(4, 2), dtype="f4", external=[("/etc/passwd", 0, 32)])
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}}
    path = _keras_archive(tmp_path, _seq3(dense), weights=weights.read_bytes(), method=method)
    one_line(*run(["summary", path], capsys)[::2], "m.keras: model.weights.h5", "'/layers/dense/vars/0'",
             "external storage")


# ------------------------------------------------------------------ the exit-code contract, as a real process

def test_external_storage_exits_2_in_a_real_process(tmp_path):
    src = keras2_file(tmp_path / "k2_ext_passwd.h5", mutate=HDF5_CASES["external storage"][0](tmp_path))
    out = tmp_path / "X.keras"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    res = subprocess.run([sys.executable, "-m", "playground", "export", str(src), "--format", "keras", "--out",
                          str(out)], capture_output=True, timeout=120, env=env)
    assert res.returncode == 2, res.stderr
    err = res.stderr.decode()
    assert "Traceback" not in err and "external storage" in err
    assert not out.exists() and SECRET not in res.stdout + res.stderr


def test_weights_member_limit_is_24_bytes_a_weight_plus_64_mib():
    from playground.backend.prechecks import check_weights_member
    from playground.core.errors import ModelImportError
    most = 1000 * 24 + 64 * 2 ** 20
    check_weights_member(most, 1000, "m.keras")
    with pytest.raises(ModelImportError, match="zip bomb"):
        check_weights_member(most + 1, 1000, "m.keras")
    check_weights_member(10 ** 12, None, "m.keras")  # Keras could not count it: its own load says why


def test_autograph_sources_are_removed_before_the_app_leaves(tmp_path, monkeypatch):
    """TensorFlow's AutoGraph writes each function it converts (an ONNX or LiteRT export's signatures) to a file in the
    temp folder, and Python caches its bytecode beside it; TensorFlow removes the source at interpreter exit, which the
    app's ``os._exit`` skips. ``remove_generated_files`` (run by the app, and by Quit now, before they leave) removes
    both, and nothing else: not a file a module of that name claims under another name, not a file outside the temp
    folder, and not what a link of that name points to."""
    import tempfile

    import tensorflow as tf

    from playground.backend.runtime import AUTOGRAPH_FILE_PREFIX, remove_generated_files
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # this test's own temp folder
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as on a machine without PYTHONDONTWRITEBYTECODE

    @tf.function(autograph=True)
    def branchy(x):
        if x > 0:  # a Python `if` on a tensor: AutoGraph converts the function, which writes its source
            x = x - 1
        return x

    branchy(tf.constant(2))
    made = sorted(p.relative_to(temp).as_posix() for p in temp.rglob("*") if p.is_file())
    assert [p for p in made if p.endswith(".py")] and [p for p in made if p.endswith(".pyc")], made
    victims = {"victim.py": temp / "victim.py", "outside.py": tmp_path / "outside.py"}
    for v in victims.values():
        v.write_text("x = 1\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / f"{AUTOGRAPH_FILE_PREFIX}link.py").symlink_to(victims["victim.py"])
    planted = {f"{AUTOGRAPH_FILE_PREFIX}other": victims["victim.py"],  # the prefix, another file's name
               f"{AUTOGRAPH_FILE_PREFIX}outside": tmp_path / f"{AUTOGRAPH_FILE_PREFIX}outside.py",  # not in temp
               f"{AUTOGRAPH_FILE_PREFIX}link": elsewhere / f"{AUTOGRAPH_FILE_PREFIX}link.py"}  # a link to temp
    (tmp_path / f"{AUTOGRAPH_FILE_PREFIX}outside.py").write_text("x = 1\n")
    for name, path in planted.items():
        sys.modules[name] = type(sys)(name)
        sys.modules[name].__file__ = str(path)
    try:
        assert remove_generated_files() >= 1
    finally:
        for name in planted:
            del sys.modules[name]
    assert sorted(p.name for p in temp.iterdir()) == ["victim.py"]  # the sources, their bytecode, its folder: gone
    assert all(v.exists() for v in victims.values()) and all(p.exists() for p in planted.values())
