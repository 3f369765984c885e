"""Augmentation layers: random while training, the identity at inference; the seeded preview strip; a Keras
model holding them opens with formulas (and what the table cannot show stays opaque)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import builder, datasets, export, model_import, probes
from playground.backend.previews import augmentation_strip
from playground.core import analysis, shapes
from playground.core.graph import Graph

AUG = [("randomflip", {}), ("randomrotation", {"factor": 0.15}), ("randomzoom", {"height_factor": 0.2}),
       ("randomtranslation", {}), ("randomcontrast", {"factor": 0.3}), ("randombrightness", {"factor": 0.2})]


def _net(with_aug: bool) -> Graph:
    g = Graph()
    prev = g.add_node("input", {"shape": (28, 28, 1)}, name="image")
    if with_aug:
        for kind, params in AUG:
            node = g.add_node(kind, params, name=kind)
            g.connect(prev.id, node.id)
            prev = node
    flat = g.add_node("flatten", {}, name="flat")
    out = g.add_node("dense", {"units": 10, "activation": "softmax"}, name="out")
    g.connect(prev.id, flat.id)
    g.connect(flat.id, out.id)
    return g


def _digits(n: int = 16) -> np.ndarray:
    ds = datasets.load("mnist-sample")
    return datasets.fit_x(ds.x_train[:n], (28, 28, 1), "mnist-sample")


def test_augmentation_changes_training_batches_but_not_inference():
    x = _digits()
    plain, augmented = builder.build_model(_net(False)), builder.build_model(_net(True))
    augmented.get_layer("out").set_weights(plain.get_layer("out").get_weights())
    # inference: the same prediction with and without the layers
    np.testing.assert_array_equal(plain.predict(x, verbose=0), augmented.predict(x, verbose=0))
    # training: each layer changes the batch it is given (the model's fit calls it with training=True)
    for kind, _ in AUG:
        layer = augmented.get_layer(kind)
        assert not np.allclose(np.asarray(layer(x, training=True)), x, atol=1e-3), kind
        np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    # and the network as a whole trains on different numbers than it predicts on
    assert not np.allclose(np.asarray(augmented(x, training=True)), augmented.predict(x, verbose=0), atol=1e-4)


def test_see_inside_path_shows_them_as_identity():
    g = _net(True)
    model = builder.build_model(g)
    x = _digits(1)[0]
    infos = analysis.infer(g)
    for name, kind, value in probes.activations(model, x):
        if name in dict(AUG):
            np.testing.assert_array_equal(value, x)
            assert "identity at inference" in infos[g.by_name(name).id].formula


@pytest.mark.parametrize("kind,params", AUG + [("randomcrop", {"height": 20, "width": 20})])
def test_preview_strip_repeats_for_a_seed_and_changes_with_another(kind, params):
    g = Graph()
    inp = g.add_node("input", {"shape": (28, 28, 1)})
    node = g.add_node(kind, params)
    g.connect(inp.id, node.id)
    a = augmentation_strip(g, node.id, "mnist-sample", seed=1)
    b = augmentation_strip(g, node.id, "mnist-sample", seed=1)
    c = augmentation_strip(g, node.id, "mnist-sample", seed=2)
    assert a["random"] and len(a["augmented"]) == 8
    assert a["original"].shape == (28, 28) and a["augmented"][0].dtype == np.uint8
    for p, q in zip(a["augmented"], b["augmented"]):
        np.testing.assert_array_equal(p, q)
    assert any(not np.array_equal(p, q) for p, q in zip(a["augmented"], c["augmented"]))
    assert len({p.tobytes() for p in a["augmented"]}) > 1  # eight different versions, not one


def test_preview_of_a_resizing_layer_is_one_picture_of_the_new_size():
    g = Graph()
    inp = g.add_node("input", {"shape": (28, 28, 1)})
    scale = g.add_node("rescaling", {"scale": 2.0})
    node = g.add_node("resizing", {"height": 40, "width": 36})
    g.connect(inp.id, scale.id)
    g.connect(scale.id, node.id)
    strip = augmentation_strip(g, node.id, "mnist-sample", seed=0)
    assert not strip["random"] and [p.shape for p in strip["augmented"]] == [(40, 36)]


def test_a_keras_model_with_these_layers_opens_with_formulas_and_exports(tmp_path):
    from playground.backend.runtime import get_keras
    keras = get_keras()
    L = keras.layers
    inp = keras.Input((32, 32, 3))
    x = L.Resizing(36, 36)(inp)
    x = L.RandomCrop(32, 32)(x)
    x = L.RandomFlip("horizontal")(x)
    x = L.RandomRotation(0.1)(x)
    x = L.RandomZoom(0.1, 0.2)(x)
    x = L.RandomTranslation(0.1, 0.05)(x)
    x = L.RandomContrast(0.2)(x)  # Keras' default pixel range 0..255
    x = L.RandomBrightness((-0.1, 0.3), value_range=(0, 1))(x)  # not symmetric: not in the table
    x = L.CenterCrop(30, 30)(x)
    x = L.Flatten()(x)
    out = L.Dense(10)(x)
    path = tmp_path / "aug.keras"
    keras.Model(inp, out).save(path)
    g = model_import.import_model(path)
    kinds = [n.kind for n in g.nodes.values()]
    assert kinds == ["input", "resizing", "randomcrop", "randomflip", "randomrotation", "randomzoom",
                     "randomtranslation", "randomcontrast", "opaque", "centercrop", "flatten", "dense"]
    zoom = next(n for n in g.nodes.values() if n.kind == "randomzoom")
    assert zoom.params["height_factor"] == 0.1 and zoom.params["width_factor"] == 0.2
    contrast = next(n for n in g.nodes.values() if n.kind == "randomcontrast")
    assert contrast.params["value_range"] == "0..255" and contrast.params["factor"] == 0.2
    infos = analysis.infer(g)
    crop = next(n for n in g.nodes.values() if n.kind == "randomcrop")
    assert infos[crop.id].shape == (32, 32, 3) and "36x36 -> 32x32" in infos[crop.id].formula
    assert "identity at inference" in infos[zoom.id].formula
    # and back out to plain Keras: .h5 and a .py script rebuild the same layers
    back = model_import.import_model(export.export(g, tmp_path / "aug.h5"))
    assert [(n.kind, n.params) for n in back.nodes.values() if n.kind != "opaque"] == \
        [(n.kind, n.params) for n in g.nodes.values() if n.kind != "opaque"]
    scope: dict = {}
    exec(compile(export.python_script(g, "aug"), "aug.py", "exec"), scope)  # noqa: S102 - our own output
    rebuilt = scope["build_model"]()
    assert [type(l).__name__ for l in rebuilt.layers][1:4] == ["Resizing", "RandomCrop", "RandomFlip"]
