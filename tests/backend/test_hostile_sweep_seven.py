"""A seventh hostile sweep (7 December, evening): small files that made the app allocate or loop far past what they
hold, and fields of the wrong type that ended in a traceback. Each is refused with one line naming it, before the
work it asked for."""

import json
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

from playground.backend import model_import
from playground.core.errors import ModelImportError


def _relist(path, out, layer_names=None, weight_names=None):
    """``path``'s .h5 copied to ``out`` with model_weights' layer_names (and layer ``weight_names[0]``'s
    weight_names) replaced: written with the latest HDF5 format, where an attribute may be large."""
    with h5py.File(path, "r") as src, h5py.File(out, "w", libver="latest") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        group = dst.create_group("model_weights")
        for key, value in src["model_weights"].attrs.items():
            group.attrs[key] = value
        for name in src["model_weights"]:
            src.copy(src["model_weights"][name], group, name=name)
        if layer_names is not None:
            del group.attrs["layer_names"]
            group.attrs.create("layer_names", layer_names)
        if weight_names is not None:
            layer, names = weight_names
            del group[layer].attrs["weight_names"]
            group[layer].attrs.create("weight_names", names)
    return out


def _two_dense(tmp_path, keras2: bool):
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d"), keras.layers.Dense(3, name="e")])
    if keras2:
        from keras2_files import write_keras2_h5
        return write_keras2_h5(model, tmp_path / "k2.h5")
    model.save(tmp_path / "k3.h5")
    return tmp_path / "k3.h5"


@pytest.mark.parametrize("keras2", [True, False], ids=["keras2", "keras3"])
def test_a_layer_listed_thousands_of_times_is_refused_before_its_weights_are_indexed(tmp_path, keras2):
    """A 45 KB Keras 2 file listing layer 'd' 3,000 times, each with 3,000 weight names, took 5.1 GB and 41 s:
    every pair was indexed before a duplicate was noticed. A layer listed twice is refused at once."""
    src = _two_dense(tmp_path, keras2)
    layer = "d"
    with h5py.File(src, "r") as f:
        wn = f["model_weights"][layer].attrs["weight_names"][0]
    bad = _relist(src, tmp_path / "dup.h5", layer_names=np.full(800, layer.encode(), "S1"),
                  weight_names=(layer, np.full(800, wn, f"S{len(wn)}")))
    tracemalloc.start()
    try:
        with pytest.raises(ModelImportError, match=r"dup\.h5: .*'d' is listed 800 times|dup\.h5: .*lists 800 layers"):
            model_import.import_model(bad)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2 ** 20, peak  # 800 x 800 pairs indexed took about 560 MB


@pytest.mark.parametrize("keras2", [True, False], ids=["keras2", "keras3"])
def test_a_huge_list_of_layer_names_is_refused_from_its_header(tmp_path, keras2, monkeypatch):
    """A 40 MB Keras 3 .h5 whose layer_names held 40 million entries kept Keras' loader busy for about an hour
    (75 us an entry) before "Layer count mismatch"; its length is read from the attribute's header first."""
    src = _two_dense(tmp_path, keras2)
    bad = _relist(src, tmp_path / "long.h5", layer_names=np.full(200_000, b"c", "S1"))
    from keras.src.legacy.saving import legacy_h5_format
    called = []
    monkeypatch.setattr(legacy_h5_format, "load_weights_from_hdf5_group", lambda *a, **k: called.append(1))
    with pytest.raises(ModelImportError, match=r"long\.h5: model_weights lists 200,000 layers; the model has [0-9]+"):
        model_import.import_model(bad)
    assert not called


def test_a_layer_listed_twice_within_the_bound_is_refused(tmp_path):
    src = _two_dense(tmp_path, keras2=False)
    bad = _relist(src, tmp_path / "twice.h5", layer_names=np.array([b"d", b"d", b"e"]))
    with pytest.raises(ModelImportError, match=r"twice\.h5: layer 'd' is listed 2 times in model_weights/layer_names"):
        model_import.import_model(bad)


def test_a_long_list_in_keras_own_pieces_opens_and_is_bounded_too(tmp_path):
    """A review: Keras splits a name list over 64 KB into layer_names0, layer_names1 ... and its loader joins them;
    the bound read `layer_names` only, so a model of 600 long-named layers was refused ("holds no weights"), and a
    weight_names in pieces listed 1,500 names unbounded (2.2 GB before Keras' own count)."""
    import keras
    inp = keras.Input((2,))
    x = inp
    for k in range(600):
        x = keras.layers.Dense(2, name="L" * 110 + f"_{k:05d}")(x)
    keras.Model(inp, x).save(tmp_path / "many.h5")
    with h5py.File(tmp_path / "many.h5", "r") as f:
        assert "layer_names" not in f["model_weights"].attrs and "layer_names0" in f["model_weights"].attrs
    assert len(model_import.import_model(tmp_path / "many.h5").nodes) == 601
    src = _two_dense(tmp_path, keras2=False)
    with h5py.File(src, "r+") as f:
        g = f["model_weights"]["d"]
        name = g.attrs["weight_names"][0]
        del g.attrs["weight_names"]
        g.attrs["weight_names0"] = np.full(750, name, f"S{len(name)}")
        g.attrs["weight_names1"] = np.full(750, name, f"S{len(name)}")
    with pytest.raises(ModelImportError, match=r"layer 'd' lists 1,500 weights; the model's layer of that name has 2"):
        model_import.import_model(src)


def test_hard_links_to_one_weight_are_bounded_by_the_layers_own_count(tmp_path):
    """A review: 178 distinct names, each a hard link to one 16 MB kernel, passed a bound counted over the whole
    model, and Keras' loader read each (2.8 GB). A layer may list as many weights as its namesake in the model has."""
    src = _two_dense(tmp_path, keras2=False)
    with h5py.File(src, "r+") as f:
        g = f["model_weights"]["d"]
        first = g.attrs["weight_names"][0]
        first = first.decode() if isinstance(first, bytes) else first
        names = [first]
        for i in range(5):
            g[f"link{i}"] = g[first]  # a hard link: the same data under another name
            names.append(f"link{i}")
        del g.attrs["weight_names"]
        g.attrs["weight_names"] = np.array([n.encode() for n in names])
    with pytest.raises(ModelImportError, match=r"layer 'd' lists 6 weights; the model's layer of that name has 2"):
        model_import.import_model(src)


def test_an_empty_weight_list_counts_as_none(tmp_path):
    """A review: h5py.Empty, which a layer without weights may hold, has no shape, and was counted as one weight."""
    import keras
    from keras2_files import write_keras2_h5
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="d")] +
                             [keras.layers.ReLU(name=f"r{i}") for i in range(40)])
    path = write_keras2_h5(model, tmp_path / "k2.h5")
    with h5py.File(path, "r+") as f:
        for i in range(40):
            g = f["model_weights"][f"r{i}"]
            del g.attrs["weight_names"]
            g.attrs["weight_names"] = h5py.Empty("f8")
    assert len(model_import.import_model(path).nodes) == 42


def test_a_keras_archive_counts_every_member_keras_would_unpack(tmp_path, monkeypatch):
    """metadata.json (and an earlier copy of config.json under the same name) were left out of the 64 MiB bound
    on what Keras unpacks into a temporary folder: a 257 KB file wrote 250 MiB there."""
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    for name, extra in (("meta.keras", [("metadata.json", b" " * (70 * 2 ** 20))]),
                        ("twice.keras", [("config.json", b" " * (70 * 2 ** 20))])):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for member, data in extra:
                z.writestr(member, data)
            for member, data in members.items():
                if not (member == "metadata.json" and name == "meta.keras"):
                    z.writestr(member, data)
            z.writestr("assets/readme.txt", b"hello")  # a fourth member: Keras unpacks them all
        assert path.stat().st_size < 2 ** 20
        plain = []
        monkeypatch.setattr(keras.models, "load_model", lambda *a, **k: plain.append(a) or 1 / 0)
        with pytest.raises(ModelImportError, match=rf"{name} holds .*(besides its config and weights|more than once)"):
            model_import.import_model(path)
        assert not plain


@pytest.mark.parametrize("shape", [5, None, True, 1e308, "28"])
def test_a_keras2_input_shape_that_is_not_a_list_names_it(tmp_path, shape):
    """A Keras 2 file whose first layer's batch_input_shape was 5 printed "TypeError: 'int' object is not
    iterable"."""
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "batch_input_shape": shape}}]}}
    path = tmp_path / "k2.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.4.0"
        f.create_group("model_weights").attrs["layer_names"] = np.array([], dtype="S1")
    with pytest.raises(ModelImportError, match=r"batch_input_shape .*must be a list") as exc:
        model_import.import_model(path)
    assert json.dumps(shape) in str(exc.value) or repr(shape) in str(exc.value), str(exc.value)


@pytest.mark.parametrize("name", [[], {}, 3, None])
def test_a_keras3_h5_class_name_that_is_not_text_is_one_line(tmp_path, name):
    """In a Keras 3 .h5 a layer's class_name of [] ended in "TypeError: unhashable type: 'list'" (the check ran
    after the rescue looked it up)."""
    import keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][-1]["class_name"] = name
        f.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ModelImportError, match=r"m\.h5: layer class .* is neither a built-in Keras layer"):
        model_import.import_model(tmp_path / "m.h5")
