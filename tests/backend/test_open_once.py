"""Opening a model file does each step once: one HDF5 gate walk per file, one Keras build (checked shapes-only
before its weights are allocated), the status bar's note from the same reading; every check still runs."""

import json

import h5py
import numpy as np
import pytest

from playground.backend import model_import, prechecks
from playground.core import hdf5, limits
from playground.core.errors import PlaygroundError


@pytest.fixture
def spies(monkeypatch):
    """Calls of the HDF5 gate's walk and of the separate shapes-only count (the second build)."""
    calls = {"walk": 0, "count": 0}
    walk, count = hdf5.check_h5, prechecks.config_param_count

    def counted_walk(*args, **kwargs):
        calls["walk"] += 1
        return walk(*args, **kwargs)

    def counted_count(*args, **kwargs):
        calls["count"] += 1
        return count(*args, **kwargs)
    monkeypatch.setattr(hdf5, "check_h5", counted_walk)
    monkeypatch.setattr(prechecks, "config_param_count", counted_count)
    return calls


def _small_cnn():
    import keras
    inp = keras.Input((8, 8, 3), name="img")
    x = keras.layers.Conv2D(4, 3, name="conv")(inp)
    y = keras.layers.Conv2D(4, 3, name="side")(inp)
    x = keras.layers.Add(name="sum")([x, y])
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten(name="flat")(x)
    return keras.Model(inp, keras.layers.Dense(2, name="head")(x))


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_a_file_is_walked_once_built_once_and_exact(spies, tmp_path, fmt):
    model = _small_cnn()
    bn = model.get_layer("bn")
    bn.moving_mean.assign(np.arange(4, dtype=np.float32))  # a non-trainable weight that must come back too
    path = tmp_path / f"m.{fmt}"
    model.save(path)
    graph = model_import.import_model(path)
    assert spies == {"walk": 1, "count": 0}  # .h5: the file; .keras: its model.weights.h5
    assert graph.import_note == ""
    for layer in model.layers:
        if layer.weights:
            node = graph.by_name(layer.name)
            for var in layer.weights:
                np.testing.assert_array_equal(node.weights[var.name], np.asarray(var))


def test_a_rescued_h5_is_walked_once_and_keeps_its_note(spies, tmp_path):
    import keras
    inp = keras.Input((4,), name="x")
    out = keras.layers.Dense(3, name="d")(inp) + 3.0  # plain Keras' .h5 loader refuses this file
    path = tmp_path / "plus.h5"
    keras.Model(inp, out).save(path)
    graph = model_import.import_model(path)
    assert spies == {"walk": 1, "count": 0}
    assert graph.import_note.startswith("Opened beyond plain Keras") and "Rescaling" in graph.import_note


def test_an_h5_layer_our_rules_cannot_size_meets_keras_count_before_allocation(tmp_path, monkeypatch):
    """An Embedding (not in the table, so our own shape rules leave it to Keras): its input_dim raised in the
    file's config. Keras' count, made shapes-only, goes through the memory check before anything is
    allocated (the .h5 path had no Keras count before: Keras' new-style loader cannot read a legacy config)."""
    import keras
    path = tmp_path / "embed.h5"
    keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Embedding(10, 8, name="e")]).save(path)
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        config["config"]["layers"][-1]["config"]["input_dim"] = 100_000
        f.attrs["model_config"] = json.dumps(config)
    monkeypatch.setattr(limits, "available_memory", lambda: 1_000_000)  # 800,000 weights need 3.2 MB
    with pytest.raises(PlaygroundError, match=r"embed.h5 \(800,000 weights\) needs 3.2 MB"):
        model_import.import_model(path)
