"""Graph -> Keras, export, import: exact weights, plain-Keras loading, round trips, refusals."""

import zipfile

import numpy as np
import pytest

from in_process import plain_keras_load, run_script  # tests/ is on sys.path (its conftest)
from playground.backend import builder, export, model_import
from playground.core import shapes
from playground.core import analysis
from playground.core.errors import ModelImportError, ShapeError
from playground.core.graph import Graph, chain
from playground.core.logic import GATE_PRESET_TARGETS, GATES, binary_rows, gate_graph

def plain_keras_predict(path, x):
    """Plain Keras loads the file and predicts (in this process: see tests/in_process.py)."""
    m = plain_keras_load(path)
    return np.asarray(m.predict(np.asarray(x, dtype="float32"), verbose=0)).ravel().tolist()


@pytest.mark.parametrize("preset_name", ["xnor-case1", "xnor-case2"])
def test_xnor_presets_export_exactly(preset_name, tmp_path, preset):
    g = preset(preset_name).graph
    path = export.export(g, tmp_path / f"{preset_name}.h5")
    assert plain_keras_predict(path, binary_rows(2)) == [1.0, 0.0, 0.0, 1.0]


@pytest.mark.parametrize("gate", ["and", "or", "not", "nor"])
def test_single_gates_in_keras_match_core(gate):
    g = gate_graph(gate)
    model = builder.build_model(g)
    n = GATES[GATE_PRESET_TARGETS[gate]][0]
    out = model.predict(binary_rows(n).astype("float32"), verbose=0).ravel()
    assert out.tolist() == [float(v) for v in GATES[GATE_PRESET_TARGETS[gate]][1]]


def test_step_boundary_z_equals_zero_gives_one():
    g = Graph()
    i = g.add_node("input", {"shape": [1]})
    n = g.add_node("neuron", weights={"kernel": np.array([[1.0]]), "bias": np.array([-1.0])})
    g.connect(i.id, n.id)
    out = builder.build_model(g).predict(np.array([[1.0], [0.0]], "float32"), verbose=0).ravel()
    assert out.tolist() == [1.0, 0.0]  # z = 0 -> 1, z = -1 -> 0


def test_hand_set_weights_applied_exactly(preset):
    g = preset("xnor-case2").graph
    model = builder.build_model(g)
    node = g.by_name("copy_negate")
    k, b = model.get_layer("copy_negate").get_weights()
    assert np.array_equal(k, node.weights["kernel"]) and np.array_equal(b, node.weights["bias"])


def test_explicit_padding_becomes_zeropadding_plus_valid(preset):
    g = preset("lenet5").graph
    model = builder.build_model(g)
    names = [l.name for l in model.layers]
    assert "conv2d_pad" in names
    assert model.get_layer("conv2d").get_config()["padding"] == "valid"
    assert tuple(model.get_layer("conv2d").output.shape[1:]) == (28, 28, 6)


def test_every_registry_kind_builds():
    g = Graph()
    i = g.add_node("input", {"shape": [8, 8, 2]})
    prev = i
    for kind, params in [("zeropadding2d", {}), ("conv2d", {"filters": 4, "padding": 1}),
                         ("batchnorm", {}), ("activation", {}), ("maxpool2d", {}), ("avgpool2d", {"pool_size": 1}),
                         ("dropout", {}), ("conv2d", {"filters": 4, "padding": "same"})]:
        n = g.add_node(kind, params)
        g.connect(prev.id, n.id)
        prev = n
    add = g.add_node("add")
    g.connect(prev.id, add.id)
    side = g.add_node("conv2d", {"filters": 4, "kernel_size": 1})
    g.connect(prev.id, side.id)
    g.connect(side.id, add.id)
    cat = g.add_node("concatenate")
    g.connect(add.id, cat.id)
    g.connect(side.id, cat.id)
    gap = g.add_node("globalavgpool2d")
    g.connect(cat.id, gap.id)
    r = g.add_node("reshape", {"target_shape": [2, 4]})
    g.connect(gap.id, r.id)
    f = g.add_node("flatten")
    g.connect(r.id, f.id)
    d = g.add_node("dense", {"units": 3})
    g.connect(f.id, d.id)
    nn = g.add_node("neuron", {"units": 2})
    g.connect(d.id, nn.id)
    # every kind of the table is covered by the walk in test_layer_table.py; this is the first release's set
    model = builder.build_model(g)
    infos = analysis.infer(g)
    for node in g.nodes.values():
        layer = model.get_layer(node.name)
        assert tuple(layer.output.shape[1:]) == infos[node.id].shape, node.name
    # and it imports back to the same structure
    assert model.count_params() == analysis.totals(infos)[0]


def test_graph_with_errors_does_not_build():
    g = chain(("input", {"shape": [4, 4, 1]}), ("conv2d", {"kernel_size": 7}))
    with pytest.raises(ShapeError, match="kernel=7"):
        builder.build_model(g)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("name", ["xnor-case2", "lenet5", "mnist-cnn"])
def test_export_import_round_trip(fmt, name, tmp_path, preset):
    g = preset(name).graph
    path = export.export(g, tmp_path / f"m.{fmt}")
    back = model_import.import_model(path)
    assert [(n.kind, n.name, n.params) for n in back.nodes.values()] == \
        [(n.kind, n.name, n.params) for n in g.nodes.values()]
    assert [(back.nodes[e.src].name, back.nodes[e.dst].name) for e in back.edges] == \
        [(g.nodes[e.src].name, g.nodes[e.dst].name) for e in g.edges]
    if name == "xnor-case2":
        for n in g.nodes.values():
            for k, v in n.weights.items():
                assert np.array_equal(back.by_name(n.name).weights[k], v)


def test_import_functional_with_branches(tmp_path):
    import keras
    inp = keras.Input((8, 8, 3), name="img")
    a = keras.layers.Conv2D(3, 3, padding="same", name="c")(inp)
    s = keras.layers.Add(name="skip")([inp, a])
    out = keras.layers.Dense(2, name="head")(keras.layers.Flatten(name="f")(s))
    keras.Model(inp, out).save(tmp_path / "f.keras")
    g = model_import.import_model(tmp_path / "f.keras")
    assert [g.nodes[i].name for i in g.input_ids(g.by_name("skip").id)] == ["img", "c"]


def test_import_sequential_without_input_layer(tmp_path):
    import keras
    m = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    m.build((None, 3))
    m.save(tmp_path / "s.h5")
    g = model_import.import_model(tmp_path / "s.h5")
    assert [n.kind for n in g.nodes.values()] == ["input", "dense", "dense"]
    assert g.inputs()[0].params["shape"] == (3,)


def test_lambda_is_refused_without_running_it(tmp_path):
    import keras
    marker = tmp_path / "ran"
    inp = keras.Input((2,))
    out = keras.layers.Lambda(lambda x: x * 2, name="double")(inp)
    path = tmp_path / "lam.keras"
    keras.Model(inp, out).save(path)
    with pytest.raises(ModelImportError, match="Lambda"):
        model_import.import_model(path)
    assert not marker.exists()


def test_layer_outside_the_table_opens_as_opaque(tmp_path):
    # issue 17: a built-in Keras layer the table lacks is an opaque node, no longer refused
    import keras
    inp = keras.Input((4, 3))
    out = keras.layers.LSTM(2, name="rnn")(inp)
    keras.Model(inp, out).save(tmp_path / "l.h5")
    g = model_import.import_model(tmp_path / "l.h5")
    rnn = g.by_name("rnn")
    assert rnn.kind == "opaque" and rnn.params["class_name"] == "LSTM"
    assert analysis.infer(g)[rnn.id].shape == (2,)


@pytest.mark.parametrize("content,suffix,needle", [
    (b"not a model", ".h5", "HDF5 signature"),
    (b"\x89HDF\r\n\x1a\n" + b"\x00" * 50, ".h5", "damaged or truncated"),
    (b"PK\x03\x04garbage", ".keras", "not a valid .keras"),
    (b"", ".txt", ".h5 or .keras"),
])
def test_bad_model_files(tmp_path, content, suffix, needle):
    p = tmp_path / f"bad{suffix}"
    p.write_bytes(content)
    with pytest.raises(ModelImportError, match=needle):
        model_import.import_model(p)


def test_keras_zip_without_config(tmp_path):
    p = tmp_path / "empty.keras"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("metadata.json", "{}")
    with pytest.raises(ModelImportError, match="not a valid .keras"):
        model_import.import_model(p)


def test_python_script_rebuilds_same_summary(tmp_path, preset):
    for name in ("mnist-cnn", "lenet5", "xnor-case2"):
        g = preset(name).graph
        script = tmp_path / f"{name.replace('-', '_')}.py"
        export.export(g, script, "py", name=name)
        m = run_script(script)["build_model"]()
        theirs = [[l.name, type(l).__name__, list(l.output.shape[1:]), l.count_params()] for l in m.layers]
        model = builder.build_model(g, name)
        ours = [[l.name, type(l).__name__, list(l.output.shape[1:]), l.count_params()] for l in model.layers]
        assert theirs == ours


def test_generated_script_keeps_hand_set_weights(tmp_path, preset):
    script = tmp_path / "x.py"
    export.export(preset("xnor-case1").graph, script, "py", name="xnor-case1")
    m = run_script(script)["build_model"]()
    assert m.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32"), verbose=0).ravel().tolist() == \
        [1.0, 0.0, 0.0, 1.0]


def test_export_format_checks(tmp_path, preset):
    from playground.core.errors import PlaygroundError
    with pytest.raises(PlaygroundError, match="must end in .h5"):
        export.export(preset("and").graph, tmp_path / "x.keras", "h5")
    with pytest.raises(PlaygroundError, match="one of h5, keras, py, onnx, litert. Received 'pdf'"):
        export.export(preset("and").graph, tmp_path / "x.pdf")  # .onnx is a format since issue 17
