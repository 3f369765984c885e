"""Keras 2 .h5 files: plain Keras 3 refuses them; we open them, say what we converted, and export Keras 3 files
that plain Keras 3 loads with the original's predictions."""

import copy
import json

import h5py
import numpy as np
import pytest

from keras2_cases import CASES  # tests/ is on sys.path (its conftest)
from in_process import plain_keras_load
from keras2_files import leaf_layers, teachable_machine_model, write_keras2_h5
from playground import cli
from playground.backend import export, model_import
from playground.backend.keras2 import conversion_note, convert_file
from playground.core.errors import ModelImportError
from playground.core.keras2_dialect import RULES_BY_KEY

TM_NOTE = ("Keras 2 file (2.4.0) converted: 156 layers in 3 nested models; `groups` dropped from 17 DepthwiseConv2D "
           "layers; `ragged` dropped from 3 InputLayers; `batch_input_shape` renamed `batch_shape` on 3 InputLayers; "
           "an InputLayer made from the first layer's input shape in 1 Sequential model; list `axis` made an integer "
           "on 52 BatchNormalization layers")


def plain_keras(original, x_path, *converted):
    """What a user's own Keras script sees: the original refused or loaded, each converted file's predictions
    (in this process, with no custom object registered: see tests/in_process.py)."""
    out = {}
    try:
        plain_keras_load(original, compile=False)
        out["original"] = "loaded"
    except Exception as exc:  # noqa: BLE001 - the refusal is the finding
        out["original"] = f"{type(exc).__name__}: {exc}"
    x = np.load(x_path)
    for path in converted:
        out[str(path)] = np.asarray(plain_keras_load(path).predict(x, verbose=0)).tolist()
    return out


def run_cli(argv, capsys):
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def teachable(tmp_path_factory):
    """(Keras 3 original, path of its Keras 2.4.0 .h5, inputs, the original's predictions)."""
    tmp = tmp_path_factory.mktemp("tm")
    model = teachable_machine_model()
    path = write_keras2_h5(model, tmp / "keras_model.h5", first_layer_shape={"sequential_3"})
    x = np.random.default_rng(1).uniform(0, 1, (4, 96, 96, 3)).astype("float32")
    np.save(tmp / "x.npy", x)
    return model, path, x, model.predict(x, verbose=0)


# ------------------------------------------------------------------ the table against Keras itself

def _with_modules(obj, role="layer"):
    """A Keras 2 fragment with nothing but Keras 3's module names added (to isolate one rule)."""
    if isinstance(obj, list):
        return [_with_modules(v, role) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: _with_modules(v, k.rsplit("_", 1)[-1] if k.endswith(("_initializer", "_regularizer", "_constraint"))
                            else "layer") for k, v in obj.items()}
    if isinstance(out.get("config"), dict) and "class_name" in out and "module" not in out:
        out["module"] = {"initializer": "keras.initializers", "regularizer": "keras.regularizers",
                         "constraint": "keras.constraints"}.get(role) or \
            {"Sequential": "keras", "Functional": "keras.src.models.functional",
             "Model": "keras.src.models.functional"}.get(out["class_name"], "keras.layers")
    return out


@pytest.mark.parametrize("key, keras2, keras3, fired", CASES, ids=[c[0] for c in CASES])
def test_keras3_builds_each_translated_fragment_and_refuses_the_keras2_one(key, keras2, keras3, fired, recwarn):
    import keras
    keras2, keras3 = copy.deepcopy(keras2), copy.deepcopy(keras3)  # Keras edits a config it reads
    model = keras.saving.deserialize_keras_object(keras3, safe_mode=True)
    assert model.built
    assert not [w for w in recwarn if "keras" in str(w.filename)], [str(w.message) for w in recwarn]
    if RULES_BY_KEY[key].keras3_refuses:
        with pytest.raises((TypeError, ValueError, AttributeError)):
            keras.saving.deserialize_keras_object(keras2 if key == "module" else _with_modules(keras2),
                                                  safe_mode=True)


# ------------------------------------------------------------------ the Teachable Machine fixture

@pytest.mark.slow  # two conversions of a 156-layer model
def test_teachable_machine_file_refused_by_plain_keras_then_converted(teachable, tmp_path, capsys):
    model, path, x, expected = teachable
    outs = []
    for fmt in ("keras", "h5"):
        out = tmp_path / f"converted.{fmt}"
        rc, _, err = run_cli(["export", str(path), "--format", fmt, "--out", str(out)], capsys)
        assert rc == 0, err
        assert TM_NOTE in err and f"saved {out}" in err
        outs.append(out)
    got = plain_keras(path, path.parent / "x.npy", *outs)
    assert "DepthwiseConv2D" in got["original"] and "groups" in got["original"]  # the fixture is real
    for out in outs:
        assert np.abs(np.array(got[str(out)]) - expected).max() <= 1e-4


def test_conversion_note_for_the_status_bar(teachable, tmp_path):
    assert conversion_note(teachable[1]) == TM_NOTE
    model = teachable[0]
    model.save(tmp_path / "keras3.h5")
    assert conversion_note(tmp_path / "keras3.h5") is None  # Keras 3's own files need nothing


def test_summary_of_teachable_machine_file_matches_keras(teachable, capsys):
    model, path, _, _ = teachable
    rc, out, err = run_cli(["summary", str(path), "--json"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    assert data["total_params"] == model.count_params()
    assert data["keras2"]["message"] == TM_NOTE
    rows = data["layers"]
    for leaf in leaf_layers(model):
        if type(leaf).__name__ == "InputLayer":
            continue
        # a nested layer's row may carry its models' names in front: "outer.inner" or "outer/inner"
        match = [r for r in rows if r["name"] == leaf.name or r["name"].endswith(("." + leaf.name, "/" + leaf.name))]
        assert len(match) == 1, f"{len(match)} rows for {leaf.name}"
        assert match[0]["output_shape"] == list(leaf.output.shape[1:]), leaf.name
        assert match[0]["params"] == leaf.count_params(), leaf.name


# ------------------------------------------------------------------ a small Keras 2 CNN the layer table covers

@pytest.fixture(scope="module")
def small_cnn(tmp_path_factory):
    """A Keras 2.2.4-style functional CNN (class Model) with batch norm, in a file, and its Keras 3 original."""
    import keras
    from keras import layers
    keras.utils.set_random_seed(3)
    inp = keras.Input((12, 12, 1), name="image")
    x = layers.Conv2D(4, 3, activation="relu", name="conv")(inp)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Flatten(name="flat")(x)
    out = layers.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model(inp, out, name="cnn")
    from keras2_files import randomize_statistics
    randomize_statistics(model, 3)
    path = write_keras2_h5(model, tmp_path_factory.mktemp("cnn") / "cnn.h5", version="2.2.4")
    with h5py.File(path, "r+") as f:  # Keras 2.2 called a functional model "Model"
        cfg = json.loads(f.attrs["model_config"])
        cfg["class_name"] = "Model"
        f.attrs["model_config"] = json.dumps(cfg)
    return model, path


def test_summary_json_of_keras2_file(small_cnn, capsys):
    model, path = small_cnn
    rc, out, err = run_cli(["summary", str(path), "--json"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    assert data["total_params"] == model.count_params()
    shapes = {r["name"]: r["output_shape"] for r in data["layers"]}
    assert shapes == {layer.name: list(layer.output.shape[1:]) for layer in model.layers}
    assert data["keras2"]["keras_version"] == "2.2.4"
    assert data["keras2"]["changes"]["model_class"] == 1 and data["keras2"]["changes"]["batchnorm_axis"] == 1
    assert data["keras2"]["message"].startswith("Keras 2 file (2.2.4) converted: 5 layers; ")


def test_summary_text_says_what_was_converted(small_cnn, capsys):
    rc, out, _ = run_cli(["summary", str(small_cnn[1])], capsys)
    assert rc == 0
    assert out.splitlines()[0].startswith("Keras 2 file (2.2.4) converted: 5 layers; ")
    assert "list `axis` made an integer on 1 BatchNormalization layer" in out.splitlines()[0]


def test_summary_json_of_keras3_file_has_no_conversion(small_cnn, tmp_path, capsys):
    small_cnn[0].save(tmp_path / "k3.h5")
    rc, out, _ = run_cli(["summary", str(tmp_path / "k3.h5"), "--json"], capsys)
    assert rc == 0 and json.loads(out)["keras2"] is None


def test_keras2_file_without_version_attribute_is_known_by_its_config(small_cnn, tmp_path):
    def drop_versions(f):
        del f.attrs["keras_version"]
        cfg = json.loads(f.attrs["model_config"])
        del cfg["keras_version"]
        f.attrs["model_config"] = json.dumps(cfg)
    bad = _copy_with(small_cnn[1], tmp_path, drop_versions)
    assert conversion_note(bad).startswith("Keras 2 file (unknown version) converted: 5 layers; ")
    assert model_import.import_model(bad).by_name("probs").params["units"] == 3


def test_import_note_for_the_app(small_cnn, tmp_path):
    model, path = small_cnn
    assert model_import.import_model(path).import_note.startswith("Keras 2 file (2.2.4) converted: 5 layers; ")
    model.save(tmp_path / "k3.keras")
    assert model_import.import_model(tmp_path / "k3.keras").import_note == ""


def test_import_keeps_every_weight(small_cnn):
    model, path = small_cnn
    graph = model_import.import_model(path)
    for layer in model.layers:
        if layer.weights:
            node = graph.by_name(layer.name)
            for var in layer.weights:
                np.testing.assert_array_equal(node.weights[var.name], var.numpy())


def test_weights_are_read_by_name_not_by_order(small_cnn, tmp_path):
    model, path = small_cnn
    shuffled = tmp_path / "shuffled.h5"
    shuffled.write_bytes(path.read_bytes())
    with h5py.File(shuffled, "r+") as f:
        for name in ("bn", "conv"):
            g = f["model_weights"][name]
            g.attrs["weight_names"] = g.attrs["weight_names"][::-1]
        mw = f["model_weights"]
        mw.attrs["layer_names"] = mw.attrs["layer_names"][::-1]
    x = np.random.default_rng(0).uniform(size=(2, 12, 12, 1)).astype("float32")
    out = tmp_path / "from_shuffled.keras"
    convert_file(shuffled, out, "keras")
    import keras
    np.testing.assert_allclose(keras.models.load_model(out).predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)


def _copy_with(path, tmp_path, edit):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "r+") as f:
        edit(f)
    return bad


def _rename(f, old, new):
    g = f["model_weights/conv"]
    f["model_weights/conv"].move(old, new)
    g.attrs["weight_names"] = [n.replace(old.encode(), new.encode()) for n in g.attrs["weight_names"]]


def _reshape_bias(f):
    del f["model_weights/conv/conv/bias:0"]
    f["model_weights/conv/conv"].create_dataset("bias:0", data=np.zeros(5, "float32"))


def _extra(f):
    f["model_weights/probs/probs"].create_dataset("extra:0", data=np.zeros(3, "float32"))
    g = f["model_weights/probs"]
    g.attrs["weight_names"] = list(g.attrs["weight_names"]) + [b"probs/extra:0"]


@pytest.mark.parametrize("edit, needle", [
    (lambda f: _rename(f, "conv/kernel:0", "conv/kernel_x:0"), "no weight 'kernel' for layer 'conv' (Conv2D)"),
    (_reshape_bias, "has shape (5,), but layer 'conv' needs (4,)"),
    (_extra, "layer 'probs' lists 3 weights; the model's layer of that name has 2"),
])
def test_weights_that_do_not_fit_are_named(small_cnn, tmp_path, capsys, edit, needle):
    bad = _copy_with(small_cnn[1], tmp_path, edit)
    with pytest.raises(ModelImportError) as err:
        model_import.import_model(bad)
    assert needle in str(err.value)
    rc, _, err_text = run_cli(["export", str(bad), "--format", "keras", "--out", str(tmp_path / "x.keras")], capsys)
    assert rc == 2 and needle in err_text and len(err_text.strip().splitlines()) == 1
    assert not (tmp_path / "x.keras").exists()


def test_lambda_in_a_keras2_file_is_refused_without_running(small_cnn, tmp_path, capsys):
    def add_lambda(f):
        cfg = json.loads(f.attrs["model_config"])
        cfg["config"]["layers"].append({"class_name": "Lambda", "name": "evil",
                                        "inbound_nodes": [[["probs", 0, 0, {}]]],
                                        "config": {"name": "evil", "function": ["4wAAAAAAAAAA", None, None],
                                                   "function_type": "lambda", "arguments": {}}})
        cfg["config"]["output_layers"] = [["evil", 0, 0]]
        f.attrs["model_config"] = json.dumps(cfg)
    bad = _copy_with(small_cnn[1], tmp_path, add_lambda)
    rc, _, err = run_cli(["export", str(bad), "--format", "h5", "--out", str(tmp_path / "x.h5")], capsys)
    assert rc == 2 and "contains a Lambda layer, which would run code stored in the file; refused" in err


def test_export_format_checks_for_keras2_files(small_cnn, tmp_path, capsys):
    rc, _, err = run_cli(["export", str(small_cnn[1]), "--format", "keras", "--out", str(tmp_path / "x.h5")], capsys)
    assert rc == 2 and "must end in .keras for the keras format. Received 'x.h5'" in err
