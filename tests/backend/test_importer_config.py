"""``graph_from_config`` reads a Keras 3 config dict with no Keras at all (the hook for dialect translators)."""

import numpy as np
import pytest

from playground.backend.importer import graph_from_config
from playground.core import shapes
from playground.core import analysis
from playground.core.errors import ModelImportError


def call(*names):
    return [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": [n, 0, 0]}} for n in names]]
             if len(names) > 1 else [{"class_name": "__keras_tensor__", "config": {"keras_history": [names[0], 0, 0]}}],
             "kwargs": {}}]


def layer(cls, name, config, *inputs):
    return {"class_name": cls, "name": name, "config": {"name": name, **config},
            "inbound_nodes": call(*inputs) if inputs else []}


def functional(layers, inputs, outputs):
    return {"class_name": "Functional", "config": {"name": "m", "layers": layers,
                                                  "input_layers": [[n, 0, 0] for n in inputs],
                                                  "output_layers": [[n, 0, 0] for n in outputs]}}


def test_config_with_folding_and_a_nested_sequential():
    stem = {"class_name": "Sequential", "name": "stem", "config": {"name": "stem", "layers": [
        {"class_name": "InputLayer", "config": {"name": "s_in", "batch_shape": [None, 10, 10, 3]}},
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": 3}},
        {"class_name": "Activation", "config": {"name": "act", "activation": "silu"}}]},
        "inbound_nodes": call("c1")}
    cfg = functional([
        layer("InputLayer", "img", {"batch_shape": [None, 8, 8, 3]}),
        layer("ZeroPadding2D", "c1_pad", {"padding": [[1, 1], [1, 1]], "data_format": "channels_last"}, "img"),
        layer("Conv2D", "c1", {"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                               "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True},
              "c1_pad"),
        stem,
        layer("Concatenate", "cat", {"axis": 3}, "stem", "c1"),
        layer("GlobalAveragePooling2D", "gap", {"keepdims": False}, "cat"),
    ], ["img"], ["gap"])
    g = graph_from_config(cfg)
    assert [(n.name, n.kind) for n in g.nodes.values()] == [
        ("img", "input"), ("c1", "conv2d"), ("stem.bn", "batchnorm"), ("stem.act", "activation"),
        ("cat", "concatenate"), ("gap", "globalavgpool2d")]
    assert g.by_name("c1").params["padding"] == 1 and g.by_name("stem.act").params["activation"] == "swish"
    assert g.by_name("cat").params["axis"] == 3
    assert analysis.infer(g)[g.by_name("gap").id].shape == (8,)


def test_config_problems_are_named():
    unknown = functional([layer("InputLayer", "i", {"batch_shape": [None, 3]}),
                          layer("Mystery", "m", {}, "i")], ["i"], ["m"])
    with pytest.raises(ModelImportError, match="'m' \\(Mystery\\) is not in the layer table and no model is loaded"):
        graph_from_config(unknown)
    shared = functional([layer("InputLayer", "i", {"batch_shape": [None, 3]}),
                         {**layer("Dense", "d", {"units": 3}, "i"), "inbound_nodes": call("i") + call("i")}],
                        ["i"], ["d"])
    with pytest.raises(ModelImportError, match="called 2 times \\(shared weights\\)"):
        graph_from_config(shared)
    constant = functional([layer("InputLayer", "i", {"batch_shape": [None, 3]}),
                           {**layer("Add", "a", {}), "inbound_nodes": [{"args": [[call("i")[0]["args"][0], 3.0]],
                                                                        "kwargs": {}}]}], ["i"], ["a"])
    with pytest.raises(ModelImportError, match="'a' \\(Add\\) is called with the constant 3.0 as an input"):
        graph_from_config(constant)
    free = functional([layer("InputLayer", "i", {"batch_shape": [None, None, 3]})], ["i"], ["i"])
    with pytest.raises(ModelImportError, match=r"free size \(None, 3\)"):
        graph_from_config(free)
    with pytest.raises(ModelImportError, match="not a Keras model"):
        graph_from_config({"class_name": "Dense", "config": {}})


# ------------------------------------------------------------------ issue 25: numbers in the graph

@pytest.mark.parametrize("args, cls, expected", [
    (["T", 3.0], "Add", (1.0, 3.0)), ([3.0, "T"], "Add", (1.0, 3.0)), (["T", 1 / 6], "Multiply", (1 / 6, 0.0)),
    ([2, "T"], "Multiply", (2.0, 0.0)), (["T", 2.0], "Subtract", (1.0, -2.0)), ([2.0, "T"], "Subtract", (-1.0, 2.0)),
    (["T", "T"], "Add", None), (["T", True], "Add", None), (["T", 3.0], "Maximum", None),
])
def test_constant_operations_are_rescalings(args, cls, expected):
    from playground.backend.importer import constant_operation
    tensor = call("i")[0]["args"][0]
    lc = {"class_name": cls, "name": "op", "config": {"name": "op"},
          "inbound_nodes": [{"args": [tensor if a == "T" else a for a in args], "kwargs": {}}]}
    assert constant_operation(lc) == expected


def test_hard_swish_opens_trains_and_exports_identically(tmp_path):
    import keras
    from playground.backend import builder, export, model_import
    inp = keras.Input((5,), name="x")
    h = keras.layers.Dense(4, name="d")(inp)
    out = h * keras.layers.ReLU(max_value=6.0, name="r6")(h + 3.0) * (1.0 / 6.0)  # MobileNetV3's hard-swish
    model = keras.Model(inp, out)
    model.save(tmp_path / "hs.keras")
    g = model_import.import_model(tmp_path / "hs.keras")
    kinds = sorted(n.kind for n in g.nodes.values())
    assert kinds.count("rescaling") == 2 and "opaque" not in kinds
    offsets = sorted((n.params["scale"], n.params["offset"]) for n in g.nodes.values() if n.kind == "rescaling")
    assert offsets == [(1 / 6, 0.0), (1.0, 3.0)]
    x = np.random.default_rng(0).normal(size=(8, 5)).astype(np.float32) * 4
    again = keras.models.load_model(export.export(g, tmp_path / "again.keras"))
    assert np.array_equal(np.asarray(again(x)), np.asarray(model(x)))
    rebuilt = builder.build_model(g)
    rebuilt.compile(optimizer="sgd", loss="mse")
    rebuilt.fit(x, np.zeros((8, 4)), epochs=1, verbose=0)  # it trains
