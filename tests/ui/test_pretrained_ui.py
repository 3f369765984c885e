"""Issue 25: File > New from a pretrained network, offline, with a weights file in Keras' cache, through to a
trained, exported model that plain Keras loads."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

# the file Keras 3.15's MobileNetV2(alpha=0.35, include_top=False) asks for below 96 px (it loads the 224 weights)
WEIGHTS = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5"


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """A Keras cache of our own: KERAS_HOME, and Keras' copy of it (read when Keras was imported)."""
    import keras
    from keras.src.backend import config
    home = tmp_path / "keras_home"
    (home / "models").mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setattr(config, "_KERAS_DIR", str(home))
    return home, keras


def write_weights(home, keras) -> np.ndarray:
    """A weights file written from a random model, where Keras looks for the ImageNet one (its legacy layout)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    with h5py.File(home / "models" / WEIGHTS, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, base)
    return base.get_layer("Conv1").get_weights()[0]


def image_folder(root) -> str:
    from PIL import Image
    rng = np.random.default_rng(0)
    for k, cls in enumerate(("cats", "dogs")):
        (root / cls).mkdir(parents=True)
        for i in range(4):
            pixels = (rng.uniform(0, 1, (32, 32, 3)) * 120 + 100 * k).astype(np.uint8)
            Image.fromarray(pixels).save(root / cls / f"{i}.png")
    return str(root)


def test_pretrained_start_offline_trains_and_exports(window, qtbot, keras_home, tmp_path):
    home, keras = keras_home
    conv1 = write_weights(home, keras)
    folder = image_folder(tmp_path / "pets")
    window.pretrained_action.trigger()
    dlg = window.pretrained_dialog
    qtbot.waitUntil(dlg.isVisible)
    dlg.network.setFocus()
    while dlg.network.currentData() != "MobileNetV2 (alpha 0.35)":
        QTest.keyClick(dlg.network, Qt.Key_Down)
    for field, text in ((dlg.side, "32"), (dlg.classes, "2"), (dlg.data, folder)):
        field.setFocus()
        QTest.keySequence(field, "Ctrl+A")
        QTest.keyClicks(field, text)
        QTest.keyClick(field, Qt.Key_Tab)
    qtbot.waitUntil(lambda: "in Keras' cache" in dlg.info.text(), timeout=120_000)  # the size comes first
    assert WEIGHTS in dlg.info.text()
    QTest.mouseClick(dlg.create, Qt.LeftButton)
    qtbot.waitUntil(lambda: dlg.created is not None or dlg.create.isEnabled(), timeout=180_000)
    assert dlg.created is not None, dlg.info.text()
    g = window.graph
    head = g.by_name("new_head")
    assert head.params["units"] == 2 and head.trainable
    weighted = [n for n in g.nodes.values() if n.weights]
    assert all(not n.trainable for n in weighted if n.name != "new_head")  # the base is frozen
    assert np.array_equal(g.by_name("Conv1").weights["kernel"], conv1)  # Keras read the cached file
    pre = g.by_name("imagenet_preprocessing")  # [0, 1] images made MobileNetV2's [-1, 1], frozen, after the Input
    assert not pre.trainable and g.input_ids(pre.id) == [g.inputs()[0].id] and g.output_ids(pre.id)
    assert "ImageNet weights" in window.statusBar().currentMessage()
    # one short epoch on the image folder
    panel = window.train_panel
    assert window.doc.project.training["dataset"] == folder
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.is_running(), timeout=10_000)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=240_000)
    qtbot.wait(50)
    assert head.weights["kernel"].shape[1] == 2  # trained: the head's weights are back in the project
    assert np.array_equal(g.by_name("Conv1").weights["kernel"], conv1)  # frozen: unchanged by training
    path = tmp_path / "pets.keras"
    assert window.export_to(str(path), "keras")
    qtbot.waitUntil(lambda: window.exporter.busy is None, timeout=120_000)
    assert path.exists(), window.banner.label.text()
    model = keras.models.load_model(path)  # plain Keras, no custom objects
    out = model.predict(np.zeros((1, 32, 32, 3), np.float32), verbose=0)
    assert out.shape == (1, 2) and abs(float(out.sum()) - 1) < 1e-5


def test_pretrained_offline_names_the_file_and_folder(window, qtbot, keras_home, monkeypatch):
    home, _ = keras_home
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("Name or service not known")
    monkeypatch.setattr(urllib.request, "urlopen", offline)  # no network, whatever the machine has
    window.pretrained_action.trigger()
    dlg = window.pretrained_dialog
    dlg.network.setFocus()
    while dlg.network.currentData() != "MobileNetV2 (alpha 0.35)":
        QTest.keyClick(dlg.network, Qt.Key_Down)
    dlg.side.setFocus()
    QTest.keySequence(dlg.side, "Ctrl+A")
    QTest.keyClicks(dlg.side, "32")
    QTest.keyClick(dlg.side, Qt.Key_Tab)
    qtbot.waitUntil(lambda: WEIGHTS in dlg.info.text(), timeout=120_000)
    QTest.mouseClick(dlg.create, Qt.LeftButton)
    qtbot.waitUntil(lambda: dlg.create.isEnabled(), timeout=120_000)
    text = dlg.info.text()
    assert f"Keras needs {WEIGHTS}" in text and str(home / "models") in text and dlg.created is None
    assert not (home / "models" / WEIGHTS).exists()
