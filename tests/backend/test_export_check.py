"""Issue 25: ONNX and LiteRT files are run and compared with Keras before they are called exported."""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import export
from playground.backend.deep import run_deep
from playground.backend.export_check import ExportCheckError, check_export
from playground.core.graph import chain


def tiny(seed: int):
    import keras
    keras.utils.set_random_seed(seed)
    inp = keras.Input((6, 6, 3))
    x = keras.layers.Normalization(mean=[0.5, 0.4, 0.3], variance=[0.04, 0.09, 0.16])(inp)  # EfficientNet's
    x = keras.layers.Conv2D(4, 3, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, keras.layers.Dense(3, activation="softmax")(x))


def test_normalization_is_folded_so_the_onnx_file_runs(tmp_path):
    path, note = export._export_converted(tiny(0), tmp_path / "n.onnx", "onnx")
    assert path.exists() and note.startswith("checked in onnxruntime")


def test_a_broken_export_is_reported_and_not_kept(tmp_path):
    model = tiny(0)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not an onnx graph")
    with pytest.raises(ExportCheckError, match="garbage.onnx failed its check and was not kept: onnxruntime "
                                               "cannot run it"):
        check_export(model, garbage, "onnx")
    assert not garbage.exists()
    other = export._export_converted(tiny(1), tmp_path / "other.onnx", "onnx")[0]  # another model's weights
    with pytest.raises(ExportCheckError, match=r"differs from Keras by .* \(at most 0.0001 is accepted\)"):
        check_export(model, other, "onnx")
    assert not other.exists()


def test_mobilenetv2_onnx_passes_the_check(tmp_path):
    import keras
    model = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), alpha=0.35, classes=4)
    path, note = export._export_converted(model, tmp_path / "m.onnx", "onnx")
    assert path.exists() and note.startswith("checked in onnxruntime")


def test_litert_file_is_checked(tmp_path):
    path, note = export._export_converted(tiny(0), tmp_path / "t.tflite", "litert")
    assert path.exists() and note.startswith("checked in the LiteRT interpreter")


def test_export_checked_says_it_was_checked(tmp_path):
    g = chain(("input", {"shape": (4,)}), ("dense", {"units": 3, "activation": "softmax"}))
    path, note = export.export_checked(g, tmp_path / "c.onnx")
    assert path.exists() and note.startswith("checked in onnxruntime")


def test_run_deep_gives_recursion_room():
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)
    with pytest.raises(RecursionError):
        depth(5_000)
    assert run_deep(depth, 20_000) == 20_000
    with pytest.raises(RecursionError):  # the limit is back where it was
        depth(5_000)


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_an_export_that_runs_the_model_checks_its_activations_first(tmp_path, monkeypatch, fmt):
    """A hostile-file review: a project of 22 weights whose one example needs 52 GB of activations. Training
    refused it by name; ONNX and LiteRT export ran it (Keras, the converter's trace, the file's check) and died
    with an out-of-memory traceback. The export checks one example's activations first. (Here with the memory
    the check sees lowered to 100 MB: 512x512x64 activations are 67 MB, run three times.)"""
    from playground.core import limits
    from playground.core.errors import ResourceError
    g = chain(("input", {"shape": [512, 512, 1]}), ("conv2d", {"filters": 64, "kernel_size": 3, "padding": "same"}))
    monkeypatch.setattr(limits, "available_memory", lambda: 100 * 2 ** 20)
    path = tmp_path / ("x.onnx" if fmt == "onnx" else "x.tflite")
    with pytest.raises(ResourceError, match="Exporting this network to .* to run one example through Keras"):
        export.export(g, path)
    assert not path.exists()
