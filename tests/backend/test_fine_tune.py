"""Issue 17 fine-tuning: a pretrained CNN saved by plain Keras, its head replaced, trained on an image folder."""

from __future__ import annotations

import numpy as np

from playground.backend import export, model_import
from playground.backend.session import run_training
from playground.core.graph import plan_head_replacement


def image_folder(root, n=6):
    from PIL import Image
    rng = np.random.default_rng(0)
    for cls, colour in (("cats", (200, 40, 40)), ("dogs", (40, 40, 200))):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            pixels = np.clip(np.array(colour) + rng.normal(0, 25, size=(16, 16, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "RGB").save(root / cls / f"{i}.png")
    return root


def test_replace_head_train_on_folder_keeps_frozen_weights(tmp_path):
    import keras
    keras.utils.set_random_seed(0)
    inp = keras.Input((16, 16, 3), name="img")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inp)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv2")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    base = keras.Model(inp, keras.layers.Dense(5, activation="softmax", name="predictions")(x))
    base.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    base.fit(rng.uniform(size=(32, 16, 16, 3)), rng.integers(0, 5, 32), epochs=1, verbose=0)  # "pretrained"
    base.save(tmp_path / "pretrained.h5")

    g = model_import.import_model(tmp_path / "pretrained.h5")
    plan = plan_head_replacement(g, g.by_name("gap").id, 2)
    plan.apply(g)
    frozen = [n for n in g.nodes.values() if not n.trainable]
    assert [n.name for n in frozen] == ["conv1", "bn1", "conv2"]
    before = {n.id: {k: v.copy() for k, v in n.weights.items()} for n in g.nodes.values()}

    outcome = run_training(g, str(image_folder(tmp_path / "pets")),
                           {"epochs": 1, "batch_size": 4, "validation_split": 0.0, "learning_rate": 0.05,
                            "seed": 0})
    assert outcome.result.epochs_run == 1 and outcome.dataset.class_names == ("cats", "dogs")
    for node in frozen:  # bit-identical, moving mean and variance included
        for k, v in before[node.id].items():
            assert np.array_equal(outcome.weights[node.id][k], v), (node.name, k)
    assert sum(int(np.prod(v.shape)) for v in outcome.model.trainable_weights) == 8 * 2 + 2  # the head alone
    assert outcome.weights[g.by_name("new_head").id]["kernel"].shape == (8, 2)
    for nid, w in outcome.weights.items():
        g.set_weights(nid, w)

    out = export.export(g, tmp_path / "tuned.h5", model=outcome.model)
    tuned = keras.models.load_model(out, compile=False)  # plain Keras, nothing of ours
    assert tuple(tuned.output.shape) == (None, 2)
    for name in ("conv1", "bn1", "conv2"):
        for a, b in zip(tuned.get_layer(name).get_weights(), base.get_layer(name).get_weights()):
            assert np.array_equal(a, b), name
    assert not tuned.get_layer("conv1").trainable and tuned.get_layer("new_head").trainable
