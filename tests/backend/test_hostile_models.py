"""Hostile model files and absurd networks (issue 15, items 6-8, 11, 12): refused before Keras reads them
or allocates anything; the checks read exactly what Keras would load."""

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from playground.backend import export, model_files, model_import
from playground.backend.builder import build_model
from playground.core import limits
from playground.core.errors import ModelImportError, ResourceError
from playground.core.graph import chain

SAFE = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 2], "name": "x"}},
    {"class_name": "Dense", "config": {"units": 1, "name": "d"}}]}}
EVIL = {"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [None, 2], "name": "x"}},
    {"class_name": "Lambda", "config": {"function": "os.system('echo owned')", "name": "l"}}]}}


def keras_zip(path, config_text: str, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr("config.json", config_text)
        zf.writestr("metadata.json", "{}")
    return path


def test_an_hdf5_file_with_a_zip_appended_is_checked_on_the_zip_part(tmp_path):
    h5 = tmp_path / "poly.keras"
    with h5py.File(h5, "w") as f:
        f.attrs["model_config"] = json.dumps(SAFE)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("config.json", json.dumps(EVIL))
    h5.write_bytes(h5.read_bytes() + buf.getvalue())
    assert zipfile.is_zipfile(h5)  # what Keras tests to choose the zip loader
    with pytest.raises(ModelImportError, match="Lambda"):
        model_import.import_model(h5)


def test_a_keras_name_on_a_plain_hdf5_file_is_refused(tmp_path):
    h5 = tmp_path / "plain.keras"
    with h5py.File(h5, "w") as f:
        f.attrs["model_config"] = json.dumps(SAFE)
    with pytest.raises(ModelImportError, match="not a valid .keras archive"):
        model_files.read_model_config(h5)


def test_a_config_bomb_is_refused_from_the_directory(tmp_path, monkeypatch):
    path = keras_zip(tmp_path / "bomb.keras", " " * 200_000 + json.dumps(SAFE))
    assert path.stat().st_size < 5_000
    monkeypatch.setattr(limits, "MAX_MODEL_CONFIG", 100_000)
    with pytest.raises(ModelImportError, match="config.json would unpack to 200.2 KB"):
        model_files.read_model_config(path)


def test_an_encrypted_member_is_refused(tmp_path):
    path = keras_zip(tmp_path / "enc.keras", json.dumps(SAFE))
    raw = bytearray(path.read_bytes())
    cd = raw.find(b"PK\x01\x02")
    raw[cd + 8] |= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(ModelImportError, match="encrypted"):
        model_files.read_model_config(path)


@pytest.mark.parametrize("text,needle", [
    ("[" * 200_000, "nested too deeply"),
    ('{"a":' * 300 + "1" + "}" * 300, "nested 300 levels deep"),
])
def test_deep_or_huge_configs_are_refused_before_any_recursive_walk(tmp_path, text, needle):
    with pytest.raises(ModelImportError, match=needle):
        model_import.import_model(keras_zip(tmp_path / "deep.keras", text))


def test_many_layers_are_not_refused_for_their_count():
    from playground.backend.safe_import import parse_config  # issue 25: Keras gets the stack it needs
    text = json.dumps({"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {}}] * 3000}})
    assert len(parse_config(text, "deep.keras")["config"]["layers"]) == 3000


def test_an_oversized_hdf5_attribute_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = np.zeros(5_000)
    monkeypatch.setattr(limits, "MAX_MODEL_CONFIG", 10_000)
    with pytest.raises(ModelImportError, match="model_config attribute is 40.0 KB"):
        model_files.read_model_config(path)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_special_files_are_refused(tmp_path, suffix):
    fifo = tmp_path / f"m{suffix}"
    os.mkfifo(fifo)
    with pytest.raises(ModelImportError, match="pipe"):
        model_import.import_model(fifo)
    link = tmp_path / f"z{suffix}"
    link.symlink_to("/dev/zero")
    with pytest.raises(ModelImportError, match="device"):
        model_import.import_model(link)


def test_a_network_too_large_for_memory_names_both_figures():
    g = chain(("input", {"shape": (100_000, 100_000, 3)}), ("flatten", {}), ("dense", {"units": 10}))
    with pytest.raises(ResourceError, match=r"needs 1.2 TB of weights; this machine has .* available"):
        build_model(g)
    with pytest.raises(ResourceError, match="needs 1.6 GB of weights; this machine has 1.0 GB"):
        limits.check_network_fits(chain(("input", {"shape": (1000,)}), ("dense", {"units": 400_000})),
                                  available=10 ** 9)


def test_training_memory_counts_the_batch():
    g = chain(("input", {"shape": (1000, 1000, 3)}), ("conv2d", {"filters": 64, "padding": "same"}))
    limits.check_network_fits(g, available=10 ** 9)  # the weights alone fit
    with pytest.raises(ResourceError, match="with batch size 64"):
        limits.check_network_fits(g, batch_size=64, available=10 ** 9)


def test_no_layer_count_of_our_own():
    # issue 25: NASNetLarge has 1,041 layers; Keras gets the stack it needs (backend/deep.py)
    limits.check_buildable(chain(("input", {"shape": (2,)}), *[("dense", {"units": 2})] * 1200))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_corruption_of_a_keras_archive_is_a_model_import_error(tmp_path_factory, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", data.draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
        zf.writestr("config.json", json.dumps(SAFE))
        zf.writestr("model.weights.h5", b"\0" * 300)
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    path = tmp_path_factory.mktemp("fuzz") / "m.keras"
    path.write_bytes(bytes(raw))
    try:
        config = model_files.read_model_config(path)
    except ModelImportError:
        return
    assert isinstance(config, dict)


def _seq(*layers):
    return json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 100_000, 100_000, 3], "name": "x"}},
        *layers]}})


@pytest.mark.parametrize("text,needle", [
    (_seq({"class_name": "Flatten", "config": {"name": "f"}}, {"class_name": "Dense", "config": {"units": 10,
                                                                                               "name": "d"}}),
     r"needs 1.2 TB of weights"),
    (_seq({"class_name": "Flatten", "config": {"name": "f"}}, {"class_name": "Dense", "config": {
        "units": 10 ** 9, "name": "d"}}), "units"),
])
def test_absurd_models_are_refused_before_keras_allocates_them(tmp_path, text, needle):
    with pytest.raises(ModelImportError, match=needle):
        model_import.import_model(keras_zip(tmp_path / "huge.keras", text))


def _with_number(path, old: str, new: str):
    """The same .keras archive with ``old`` in its config.json replaced by ``new`` (text, so any JSON number)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    text = members["config.json"].decode()
    assert old in text
    members["config.json"] = text.replace(old, new).encode()
    out = path.with_name("hostile-" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


@pytest.mark.parametrize("build", ["rescaling", "rotation", "regularizer", "constant"])
def test_a_number_no_float_holds_in_a_model_config_is_one_line_not_an_overflow(tmp_path, build):
    """JSON integers have no size limit: 10**400 where a layer config needs a number (a Rescaling's scale, a
    RandomRotation's factor, an L2 factor, the constant of a functional ``x + c``) made float() raise
    OverflowError out of the import, a traceback in `playground summary`. It is a ModelImportError now."""
    import keras
    inp = keras.Input((4,), name="x")
    if build == "rescaling":
        out = keras.layers.ReLU(name="r")(keras.layers.Rescaling(2.5, name="s")(keras.layers.Dense(2, name="d")(inp)))
    elif build == "rotation":
        inp = keras.Input((8, 8, 1), name="x")
        out = keras.layers.RandomRotation(0.25, name="rot")(inp)
    elif build == "regularizer":
        out = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(2.5), name="d")(inp)
    else:
        out = keras.layers.Dense(2, name="d")(inp) + 2.5
    path = tmp_path / "m.keras"
    keras.Model(inp, out).save(path)
    model_import.import_model(path)  # the file as Keras wrote it opens
    with pytest.raises(ModelImportError) as exc:
        model_import.import_model(_with_number(path, "2.5" if build != "rotation" else "0.25", "1" + "0" * 400))
    assert "\n" not in str(exc.value) and "Traceback" not in str(exc.value)


def test_a_build_config_that_disagrees_with_the_input_is_refused_before_keras_loads_it(tmp_path, monkeypatch):
    """A hostile-file review: a layer whose saved build_config claims 20,833,333 input channels (the network
    feeds it 3). The shapes-only build, which the memory check reads, raised; the file then went to Keras' own
    load, which builds each layer from its build_config first, with no check: 3 GB allocated from a 34 KB file,
    then a traceback. The shapes-only build's error is now the answer, and Keras' own loader never runs."""
    import keras
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, name="conv")])
    path = tmp_path / "claims.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {m: z.read(m) for m in z.namelist()}
    cfg = json.loads(members["config.json"])
    cfg["config"]["layers"][-1]["build_config"]["input_shape"][3] = 20_833_333
    members["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(path, "w") as z:
        for m, b in members.items():
            z.writestr(m, b)
    plain = []
    monkeypatch.setattr(keras.models, "load_model", lambda *a, **k: plain.append(a) or 1 / 0)
    with pytest.raises(ModelImportError, match=r"Keras could not build the model in claims\.keras: .*incompatible"):
        model_import.import_model(path)
    assert not plain  # (before: Keras' own load_model, unchecked)


@pytest.mark.parametrize("case", ["unnamed_out", "no_inbound", "inputs_unknown"])
def test_a_config_keras_trips_over_is_one_line_not_a_traceback(tmp_path, case):
    """A hostile-file review: a functional .keras whose last layer has no name (Keras: RuntimeError "could not
    find layer"), no inbound nodes (IndexError) or whose input_layers name a layer it lacks ended the CLI with a
    traceback; they are one line naming the file."""
    import keras
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="out")(keras.layers.Dense(3, name="mid")(x)))
    path = tmp_path / f"{case}.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {m: z.read(m) for m in z.namelist()}
    cfg = json.loads(members["config.json"])
    last = cfg["config"]["layers"][-1]
    if case == "unnamed_out":
        last["name"] = None
    elif case == "no_inbound":
        last["inbound_nodes"] = []
    else:
        cfg["config"]["input_layers"] = [["nowhere", 0, 0]]
    members["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(path, "w") as z:
        for m, b in members.items():
            z.writestr(m, b)
    with pytest.raises(ModelImportError, match=rf"{case}\.keras"):
        model_import.import_model(path)


def test_a_keras2_class_name_that_is_not_text_is_one_line():
    from playground.core import keras2_dialect
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": ["Dense"], "config": {"name": "d", "units": 2}}]}}
    with pytest.raises(ModelImportError, match="class_name in the model config must be text"):
        keras2_dialect.translate(config)


def test_a_keras_archive_cannot_make_keras_unpack_gigabytes(tmp_path, monkeypatch):
    """A hostile-file review: Keras' own loader unpacks every member besides the config and weights (assets)
    into a temporary folder, so a 3.6 MB archive of compressed zeros wrote 3.4 GB there. Such members are
    bounded (64 MiB) before Keras sees the file."""
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    path = tmp_path / "assets.keras"
    model.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("assets/junk0", b"\0" * (70 * 2 ** 20))
    assert path.stat().st_size < 2 ** 20
    plain = []
    monkeypatch.setattr(keras.models, "load_model", lambda *a, **k: plain.append(a) or 1 / 0)
    with pytest.raises(ModelImportError, match=r"assets\.keras holds 73\.4 MB besides its config and weights"):
        model_import.import_model(path)
    assert not plain


def _with_weight(src, dst, name: str, value) -> None:
    """``src``'s archive with one weight array of model.weights.h5 replaced (``name`` as the store names it)."""
    with zipfile.ZipFile(src) as zin:
        store = io.BytesIO(zin.read("model.weights.h5"))
        with h5py.File(store, "r+") as f:
            del f[name]
            f.create_dataset(name, data=value)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, store.getvalue() if info.filename == "model.weights.h5" else zin.read(info))


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_a_weight_of_the_wrong_shape_names_the_layer_and_both_shapes(tmp_path, fmt):
    """A file whose weights do not fit its config said, for a .keras, "Keras could not load bad.keras: A total of
    1 objects could not be loaded. Example error message for object <Dense name=d1, built=True>:" and stopped
    there; the shapes were on Keras' next lines."""
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"), keras.layers.Dense(2, name="d2")])
    good = tmp_path / f"good.{fmt}"
    model.save(good)
    bad = tmp_path / f"bad.{fmt}"
    if fmt == "keras":
        _with_weight(good, bad, "layers/dense/vars/0", np.zeros((5, 3), np.float32))
    else:
        bad.write_bytes(good.read_bytes())
        with h5py.File(bad, "r+") as f:
            names = []
            f["model_weights/d1"].visit(names.append)  # d1/sequential_N/d1/kernel, N as the process counts
            group = f["model_weights/d1"][next(n for n in names if n.endswith("d1/kernel"))].parent
            del group["kernel"]
            group.create_dataset("kernel", data=np.zeros((5, 3), np.float32))
    with pytest.raises(ModelImportError) as err:
        model_import.import_model(bad)
    text = str(err.value)
    assert "\n" not in text and "d1" in text and "(4, 3)" in text and "(5, 3)" in text, text
    assert "Example error message" not in text and "<Dense" not in text, text


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_a_config_whose_parsing_would_not_fit_is_refused_before_it_is_parsed(tmp_path, monkeypatch, fmt):
    """901 KB of "[[[...]]]" takes 40 MB to parse, and Keras parses its own copy: refused on a machine with 60 MB
    free before json.loads sees it (tests/core/test_json_memory.py measures the bound)."""
    text = '{"class_name": "Sequential", "config": {"layers": [' + ",".join(["[" * 500 + "]" * 500] * 900) + "]}}"
    if fmt == "keras":
        path = keras_zip(tmp_path / "nested.keras", text)
    else:
        path = tmp_path / "nested.h5"
        with h5py.File(path, "w") as f:
            f.attrs["model_config"] = text
    monkeypatch.setattr(limits, "available_memory", lambda: 60_000_000)
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed before the memory check"))
    with pytest.raises(ResourceError, match=rf"nested\.{fmt} \(901\.0 KB of JSON\) needs [\d.]+ MB of memory to "
                                            r"read; this machine has 60\.0 MB available"):
        model_import.import_model(path)


def test_a_layer_cannot_name_a_function_for_keras_to_call(tmp_path):
    """A hostile sweep: a Dense whose activation was {"class_name": "function", "module": "keras.config", "config":
    "set_epsilon"} opened (Keras' safe mode loads it) and would have called set_epsilon on every batch; a config of
    another type made the importer raise AttributeError, a 43-line traceback. Only Keras' activations are named."""
    def config(activation):
        return {"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 2], "name": "x"}},
            {"class_name": "Dense", "config": {"units": 1, "name": "d", "activation": activation}}]}}
    evil = {"module": "keras.config", "class_name": "function", "config": "set_epsilon", "registered_name": "function"}
    path = keras_zip(tmp_path / "eps.keras", json.dumps(config(evil)))
    with pytest.raises(ModelImportError, match=r"eps\.keras: a layer names the function keras\.config\.set_epsilon"):
        model_import.import_model(path)
    for bad in ({**evil, "config": None}, {**evil, "config": {"name": "relu"}}):
        with pytest.raises(ModelImportError, match="names the function"):
            model_files.check_safe(config(bad), "f.keras")
    model_files.check_safe(config({**evil, "module": "keras.activations", "config": "gelu"}), "f.keras")  # an activation
    model_files.check_safe(config("relu"), "f.keras")
    with pytest.raises(ModelImportError, match=r"names the function os\.relu"):  # Keras' modules only
        model_files.check_safe(config({**evil, "module": "os", "config": "relu"}), "f.keras")
    nested = config("relu")  # a nested model's compile settings, which Keras reads (a review)
    nested["config"]["layers"].append({"class_name": "Sequential", "config": {"name": "inner", "layers": []},
                                       "compile_config": {"loss": {**evil, "module": "keras.ops", "config": "xyz"}}})
    with pytest.raises(ModelImportError, match=r"names the function keras\.ops\.xyz"):
        model_files.check_safe(nested, "f.keras")


def test_the_activations_a_file_may_name_are_keras_own():
    import keras
    from playground.core.layer_data import KERAS_ACTIVATIONS
    assert KERAS_ACTIVATIONS == {n for n in dir(keras.activations)
                                 if not n.startswith("_") and n not in ("get", "serialize", "deserialize")}


def test_a_projects_opaque_layer_cannot_name_a_function_either(tmp_path):
    """A second hostile sweep: the check ran for model files only; a project's opaque Dense whose activation named
    keras.config.set_epsilon loaded, and `playground train` called it (Keras' epsilon became a tensor)."""
    from playground.core import project
    from playground.core.errors import ProjectFormatError
    evil = {"module": "keras.config", "class_name": "function", "config": "set_epsilon", "registered_name": "function"}
    opaque = {"class_name": "Dense", "module": "keras.layers", "registered_name": None,
              "config": {"name": "d", "units": 2, "activation": evil}}
    d = {"schema_version": 2, "app": "playground", "name": "p", "nodes": [
        {"id": "n1", "type": "input", "name": "x", "params": {"shape": [3]}},
        {"id": "n2", "type": "opaque", "name": "d", "params": {"config": opaque, "input_shapes": [[3]],
                                                               "output_shape": [2], "param_count": [8, 0]}}],
        "edges": [{"from": "n1", "to": "n2"}]}
    with pytest.raises(ProjectFormatError, match=r"names the function keras\.config\.set_epsilon"):
        project.loads(json.dumps(d))
    opaque["config"]["activation"] = {**evil, "module": "keras.activations", "config": "gelu"}
    assert project.loads(json.dumps(d)).graph.by_name("d").kind == "opaque"
