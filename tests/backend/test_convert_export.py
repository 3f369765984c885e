"""ONNX and LiteRT export through Keras' own ``model.export``; the files run and agree with Keras."""

from __future__ import annotations

import numpy as np
import pytest

from playground import cli
from playground.backend import builder, export
from playground.core import project
from playground.core.errors import PlaygroundError
from playground.core.graph import chain


def small_cnn():
    g = chain(("input", {"shape": [12, 12, 3]}), ("conv2d", {"filters": 6, "padding": 1}), ("batchnorm", {}),
              ("relu", {"max_value": 6.0}), ("depthwiseconv2d", {"strides": 2, "padding": "same"}),
              ("globalavgpool2d", {}), ("dense", {"units": 4, "activation": "softmax"}))
    model = builder.build_model(g)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([rng.uniform(0.5, 1.5, size=v.shape).astype(np.float32) for v in layer.weights])
    for nid, w in builder.read_weights(model, g).items():
        g.set_weights(nid, w)
    x = rng.normal(size=(5, 12, 12, 3)).astype(np.float32)
    return g, np.asarray(model(x)), x


def test_onnx_export_runs_in_onnxruntime(tmp_path, capsys):
    import onnxruntime as ort  # in the test extra (and the [onnx] extra)
    g, expected, x = small_cnn()
    proj = tmp_path / "cnn.json"
    project.save(project.Project(g, name="cnn"), proj)
    assert cli.main(["export", str(proj), "--format", "onnx", "--out", str(tmp_path / "cnn.onnx")]) == 0
    session = ort.InferenceSession(str(tmp_path / "cnn.onnx"))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    assert got.shape == expected.shape and np.max(np.abs(got - expected)) < 1e-4


def run_litert(path, x):
    """What TensorFlow's LiteRT interpreter makes of ``x`` with the file at ``path``."""
    import tensorflow as tf
    interp = tf.lite.Interpreter(model_path=str(path))
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.resize_tensor_input(inp["index"], x.shape)
    interp.allocate_tensors()
    interp.set_tensor(inp["index"], x)
    interp.invoke()
    return interp.get_tensor(outp["index"])


def test_litert_export_runs_in_the_interpreter(tmp_path):
    g, expected, x = small_cnn()
    out = export.export(g, tmp_path / "cnn.tflite")
    got = run_litert(out, x)
    assert np.max(np.abs(got - expected)) < 1e-4


def test_converted_formats_check_the_file_name(tmp_path):
    g, _, _ = small_cnn()
    with pytest.raises(PlaygroundError, match=r"must end in \.onnx for the onnx format"):
        export.export(g, tmp_path / "cnn.bin", "onnx")
    with pytest.raises(PlaygroundError, match=r"must end in \.tflite for the litert format"):
        export.export(g, tmp_path / "cnn.lite", "litert")


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_augmentation_layers_are_inferences_identity_in_a_converted_file(tmp_path, fmt):
    """A new-user drive put RandomFlip after the Input, trained, and exported ONNX: "failed its check and was not
    kept: ... INVALID_GRAPH ... StatelessRandomUniformV2". The random layers pass images through unchanged at
    inference, which is all the file does: the file holds the rest, and agrees with Keras at inference."""
    g = chain(("input", {"shape": [12, 12, 3]}), ("randomflip", {}), ("randomrotation", {"factor": 0.2}),
              ("randomcontrast", {"factor": 0.3}), ("conv2d", {"filters": 4}), ("flatten", {}),
              ("dense", {"units": 3, "activation": "softmax"}))
    model = builder.build_model(g)
    x = np.random.default_rng(1).uniform(size=(4, 12, 12, 3)).astype(np.float32)
    expected = np.asarray(model(x, training=False))
    out, note = export.export_checked(g, tmp_path / f"aug{export.SUFFIXES[fmt]}", model=model)
    assert out.exists() and note
    if fmt == "onnx":
        import onnxruntime as ort
        session = ort.InferenceSession(str(out))
        got = session.run(None, {session.get_inputs()[0].name: x})[0]
    else:
        got = run_litert(out, x)
    assert np.max(np.abs(got - expected)) < 1e-5
