"""Issue 25: every keras.applications family opens exactly, .h5 and .keras, the deep ones included.

Keras is the oracle (as in test_open_models): every layer's output shape and parameter count equal the model's
own (nested models' layers as ``outer.inner``, operations like ``x + y`` included), both files open to the same
graph (layers, wiring, weights bit for bit), and that graph re-exported by the playground as .keras predicts what
the original predicts (one re-export speaks for both files, since they are the same graph). One model per family, its smallest member at its
smallest input, built once per module. The other families (VGG, ResNet, MobileNetV2) are in test_open_models;
``benchmarks/open_applications.py`` walks all 40 constructors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from playground import cli
from playground.backend import export, model_import
from playground.core import imagenet

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from open_applications import keras_rows  # noqa: E402 - the benchmark's oracle, shared

FAMILIES = {  # name: (side, what it exercises)
    "MobileNetV3Small": (32, "x + 3.0 and x * (1/6) in hard-swish"),
    "ConvNeXtTiny": (32, "names over 64 characters; LayerScale in .h5"),
    "NASNetMobile": (32, "771 layers"),
    "EfficientNetV2B0": (32, "Normalization, 270 layers"),
    "EfficientNetB0": (32, "Normalization with its variance, Rescaling, 238 layers"),
    "DenseNet121": (32, "427 layers, 58 concatenations"),
    "InceptionV3": (75, "its smallest input; asymmetric 1x7/7x1 kernels"),
    "InceptionResNetV2": (75, "782 layers; CustomScaleLayer in .h5, which plain Keras cannot load"),
    "Xception": (71, "separable convolutions at its smallest input"),
    "MobileNet": (32, "depthwise convolutions, ReLU(6.0)"),
    "ResNet50V2": (32, "pre-activation blocks, ZeroPadding2D"),
}  # VGG16, VGG19, ResNet50 and MobileNetV2: test_open_models; every constructor: benchmarks/open_applications.py
PIXELS = {  # what each family's ImageNet weights expect (keras.applications' preprocess_input), by core.imagenet
    "MobileNetV3Small": "0-255", "ConvNeXtTiny": "0-255", "EfficientNetV2B0": "0-255", "EfficientNetB0": "0-255",
    "DenseNet121": "torch", "NASNetMobile": "tf", "InceptionV3": "tf", "InceptionResNetV2": "tf", "Xception": "tf",
    "MobileNet": "tf", "ResNet50V2": "tf"}  # (the first four scale 0-255 pixels themselves)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def family(request, tmp_path_factory):
    import keras
    name = request.param
    side = FAMILIES[name][0]
    model = getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), classes=10)
    folder = tmp_path_factory.mktemp(name)
    paths = {fmt: folder / f"{name}.{fmt}" for fmt in ("h5", "keras")}
    for p in paths.values():
        model.save(p)
    x = np.random.default_rng(1).uniform(0, 255, size=(2, side, side, 3)).astype(np.float32)
    return name, model, paths, x, np.asarray(model(x))


def test_family_opens_exactly_and_round_trips(family, tmp_path):
    import keras
    name, model, paths, x, want = family
    graphs = {}
    for fmt in ("h5", "keras"):
        graph = model_import.import_model(paths[fmt])  # what `playground summary` and the window open
        layers, total, _ = cli.summary_rows(graph)  # the rows `playground summary` prints
        rows = sorted((r["name"], r["output_shape"], r["params"]) for r in layers)
        assert rows == keras_rows(model), fmt
        assert total == model.count_params(), fmt
        expected = {"MobileNetV3Small": "18 operations with a number", "ConvNeXtTiny": "18 LayerScale layers built "
                    "from keras.applications.convnext", "InceptionResNetV2": "40 CustomScaleLayer layers built from "
                    "keras.applications.inception_resnet_v2"}.get(name) if fmt == "h5" else None
        assert (expected in graph.import_note) if expected else graph.import_note == "", fmt  # status bar, summary
        graphs[fmt] = graph
        if name == "ConvNeXtTiny":  # the README: nested layers flattened to outer.inner reach 73 characters here
            assert max(len(n.name) for n in graph.nodes.values()) == 73, fmt
        assert imagenet.expected_pixels(graph)[1] == PIXELS[name], fmt  # a new head prepares the pixels so
    # both files open to the same layers, parameters, wiring and weights (bit for bit), so what the re-export of
    # one predicts, the other's predicts: the .h5 one (the rescue path) is exported and loaded by plain Keras
    assert graphs["h5"] == graphs["keras"]
    again = export.export(graphs["h5"], tmp_path / "again.keras")
    got = np.asarray(keras.models.load_model(again, compile=False)(x))  # plain Keras loads the re-export
    assert float(np.max(np.abs(got - want))) <= 1e-5


def test_custom_scale_layer_h5_opens_beyond_plain_keras(tmp_path):
    """InceptionResNetV2's helper layer, in a model small enough for every run."""
    import keras
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
    inp = keras.Input((6, 6, 3))
    a = keras.layers.Conv2D(4, 1, name="a")(inp)
    b = keras.layers.Conv2D(4, 3, padding="same", name="b")(inp)
    out = keras.layers.GlobalAveragePooling2D(name="gap")(CustomScaleLayer(scale=0.17, name="scale")([a, b]))
    model = keras.Model(inp, out)
    model.save(tmp_path / "irv2ish.h5")
    with pytest.raises(Exception, match="CustomScaleLayer"):
        keras.models.load_model(tmp_path / "irv2ish.h5")  # plain Keras cannot
    graph = model_import.import_model(tmp_path / "irv2ish.h5")
    assert "1 CustomScaleLayer layer built from keras.applications.inception_resnet_v2" in graph.import_note
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 3)).astype(np.float32)
    again = keras.models.load_model(export.export(graph, tmp_path / "again.keras"))
    assert np.array_equal(np.asarray(again(x)), np.asarray(model(x)))


def test_an_unnamed_variable_has_the_same_key_each_time_its_file_opens(tmp_path):
    """ConvNeXt's LayerScale makes its variable without a name; Keras names it from a process-wide counter
    ("variable_18" in one load, "variable_36" in the next). The graph's key is its place in the layer."""
    import keras
    from keras.src.applications.convnext import LayerScale
    inp = keras.Input((4, 4, 3))
    model = keras.Model(inp, LayerScale(1e-6, 3, name="scale")(keras.layers.Conv2D(3, 1, name="c")(inp)))
    model.save(tmp_path / "m.keras")
    first, second = (model_import.import_model(tmp_path / "m.keras") for _ in range(2))
    assert list(first.by_name("scale").weights) == ["variable"]
    assert first == second
