"""The .py export of a trained network writes NAME.weights.h5 beside it and loads it; the generated script,
run on its own, predicts what the app's model predicts."""

import numpy as np

from in_process import run_script  # tests/ is on sys.path (its conftest)
from playground.backend import builder, export


def trained(graph):
    """The graph as training leaves it: every weight (batch-norm statistics too) moved off its start value."""
    model = builder.build_model(graph)
    rng = np.random.default_rng(1)
    for v in model.weights:
        value = rng.normal(0, 0.1, v.shape).astype("float32")
        v.assign(np.abs(value) + 0.5 if "variance" in v.path else value)
    for node_id, weights in builder.read_weights(model, graph).items():
        graph.set_weights(node_id, weights)
    return graph


def run_generated(script, x):
    """The generated script's model (its own build and weights file, as ``python SCRIPT`` loads them) on ``x``."""
    model = run_script(script)["build_model"]()
    return np.asarray(model.predict(x, verbose=0))


def test_trained_export_writes_and_loads_the_weights(tmp_path, preset):
    graph = trained(preset("mnist-cnn").graph)
    script = tmp_path / "digit-cnn.py"
    export.export(graph, script, "py", name="digit-cnn")
    weights = tmp_path / "digit-cnn.weights.h5"
    assert weights.exists()
    text = script.read_text()
    assert "python digit-cnn.py" in text and "digit_cnn.py" not in text
    assert "digit-cnn.weights.h5" in text
    x = np.random.default_rng(0).random((8, 28, 28, 1)).astype("float32")
    theirs = run_generated(script, x)
    ours = np.asarray(builder.build_model(graph).predict(x, verbose=0))
    np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours, ours[:1])  # a real network, not a constant output


def test_untrained_export_says_the_weights_are_not_included(tmp_path, preset):
    script = tmp_path / "mnist-mlp.py"
    export.export(preset("mnist-mlp").graph, script, "py", name="mnist-mlp")
    text = script.read_text()
    assert "Trained weights are NOT included" in text and "python mnist-mlp.py" in text
    assert not list(tmp_path.glob("*.weights.h5"))


def test_hand_set_neurons_stay_inline_and_name_the_real_file(tmp_path, preset):
    script = tmp_path / "xnor-case1.py"
    export.export(preset("xnor-case1").graph, script, "py", name="xnor-case1")
    text = script.read_text()
    assert "python xnor-case1.py" in text and "xnor_case1.py" not in text
    assert "hand-set Neuron weights are written out" in text and not list(tmp_path.glob("*.weights.h5"))
