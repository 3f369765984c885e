"""Issue 24: the newcomer's journeys, end to end, with real keys and clicks (only the static file-dialog getters
are patched: the dialogs themselves are the system's).

(a) fine-tune a saved CNN on an image folder and export it; (b) a saved, trained project is alive after
reopening; (f) two runs from fresh weights at different learning rates, and the Runs table says what differed.
"""

import subprocess
import sys

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from playground.core import project
from playground.core.graph import chain

from test_build_by_hand import click_card, plain, type_field


def click(widget):
    assert widget.isEnabled(), widget.text()
    QTest.mouseClick(widget, Qt.LeftButton)


def workspace(window, name):
    click(window.workspaces.buttons[name])
    assert window.workspace == name


def finish(qtbot, panel, timeout=120_000):
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=timeout)
    qtbot.wait(50)


def image_folder(root, n=8, size=16):
    from PIL import Image
    rng = np.random.default_rng(0)
    for cls, colour in (("cats", (200, 40, 40)), ("dogs", (40, 40, 200))):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            pixels = np.clip(np.array(colour) + rng.normal(0, 25, size=(size, size, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "RGB").save(root / cls / f"{i}.png")
    return root


def small_cnn_h5(path):
    """A tiny "pretrained" CNN saved by plain Keras: 12x12x3 in, 5 classes out."""
    import keras
    keras.utils.set_random_seed(0)
    inp = keras.Input((12, 12, 3), name="img")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inp)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inp, keras.layers.Dense(5, activation="softmax", name="predictions")(x))
    model.save(path)
    return model.get_layer("conv1").get_weights()


def test_a_fine_tune_a_saved_cnn_on_an_image_folder_in_the_window(window, qtbot, tmp_path, monkeypatch, request):
    # plain Keras in another process: it loads Keras while the window works, then reads the exported path
    code = ("import sys, numpy as np, keras; m = keras.models.load_model(sys.stdin.readline().strip()); "
            "p = m.predict(np.random.default_rng(0).uniform(size=(3, 12, 12, 3)), verbose=0); "
            "print(p.shape, bool(np.allclose(p.sum(axis=1), 1, atol=1e-4)))")
    plain_keras = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    request.addfinalizer(lambda: plain_keras.kill() if plain_keras.poll() is None else None)  # a failed test
    conv_before = small_cnn_h5(tmp_path / "base.h5")
    folder = image_folder(tmp_path / "pets")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "base.h5"), ""))
    QTest.keyClick(window, Qt.Key_O, Qt.ControlModifier)  # File > Open
    qtbot.waitUntil(lambda: window.files.importing is None and len(window.graph.nodes) == 5, timeout=60_000)
    g = window.graph
    click_card(window, g.by_name("gap").id)
    trained = window.inspector.trained
    type_field(trained.head_classes, "2", Qt.Key_Tab)
    click(trained.replace_head)  # freezes the base, a new 2-unit head after gap
    assert not g.by_name("conv1").trainable
    assert "Your own image folder" in window.banner.label.text()  # the banner names the entry that exists

    workspace(window, "Train")
    panel = window.train_panel
    box = panel.data_box
    # Cancel in the folder dialog changes nothing (it used to fall back to the digits, then a red error)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    click(box.folder_btn)
    assert window.doc.training["dataset"] == "mnist-sample"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    click(box.folder_btn)
    assert window.doc.training["dataset"] == str(folder)
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)  # the folder is read in the worker
    info = plain(box.folder_info)
    assert "2 classes, 16 images (14 to train, 2 held out to test" in info, info
    names = [box.strip.itemAt(i).widget().layout().itemAt(0).widget().text() for i in range(2)]
    assert "cats" in names[0] and "8" in names[0] and "dogs" in names[1]
    thumbs = box.strip.itemAt(0).widget().layout().itemAt(1).layout()
    assert sum(1 for i in range(thumbs.count()) if thumbs.itemAt(i).widget()) == 3  # examples of cats
    feeds = plain(box.feeds)
    assert "(the first is 16x16 colour) is resized (bilinear) from its own size, where it differs, to the Input's 12x12" in feeds and "2 classes" in feeds, feeds
    assert "#D64541" not in box.feeds.text()

    type_field(panel.epochs_box, "1")
    type_field(panel.batch, "4")
    type_field(panel.val_split, "0")
    assert window.banner.isVisible()  # "train on your images": up until a run has
    click(panel.start_btn)
    finish(qtbot, panel)
    assert panel.outcome is not None, plain(panel.status)
    assert panel.outcome.result.epochs_run == 1
    assert not window.banner.isVisible()  # done: the note on what to do next went (it stayed after the run)
    workspace(window, "Build")  # a head replaced again with the folder chosen names it, not the list's entry
    click_card(window, g.by_name("gap").id)
    click(trained.replace_head)
    assert "Train it on pets/ (Train > Start, F5)" in window.banner.label.text(), window.banner.label.text()
    window.stack.undo()
    workspace(window, "Train")
    assert panel.tabs.currentWidget() is panel.results  # the results come forward, per class
    res = panel.results
    assert [res.confusion.horizontalHeaderItem(i).text() for i in range(2)] == ["cats", "dogs"]
    assert res.confusion_matrix.sum() == 2
    assert "cats" in plain(res.label) and "dogs" in plain(res.label)
    for a, b in zip(g.by_name("conv1").weights.values(), conv_before):  # the frozen base kept its weights
        assert np.array_equal(a, b)

    workspace(window, "See inside")  # Draw a digit says at once that this colour model is not for the pad
    inside = window.inside_panel
    bar = inside.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(inside.indexOf(inside.digits)).center())
    assert "takes 12x12x3 inputs; the pad draws grey square digits" in plain(inside.digits.status)
    workspace(window, "Train")

    out = tmp_path / "tuned.h5"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    click(panel.export_buttons[0])  # Export .h5
    qtbot.waitUntil(lambda: window.exporter.busy is None and out.exists(), timeout=60_000)
    stdout, stderr = plain_keras.communicate(str(out) + "\n", timeout=300)
    assert plain_keras.returncode == 0, stderr[-2000:]
    assert "(3, 2) True" in stdout


def gate_project(epochs=4):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
              ("dense", {"units": 1, "activation": "sigmoid"}))
    return project.Project(g, "tiny", training={**project.DEFAULT_TRAINING, "dataset": "gate-xor",
                                                "learning_rate": 0.1, "batch_size": 2, "epochs": epochs,
                                                "validation_split": 0.0, "seed": 5})


def legend_texts(plot):
    return [label.text for _sample, label in plot.plotItem.legend.items]


def test_f_two_runs_from_fresh_weights_and_the_runs_table_says_what_differed(window, qtbot):
    from playground.core.runs import EMPTY_DIGEST
    window.load_project(gate_project(), None)
    workspace(window, "Train")
    panel = window.train_panel
    combo = panel.start_from
    assert combo.currentData() == "current"
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key_Down)
    assert window.doc.training["start_weights"] == "fresh"
    window.stack.undo()  # a setting like any other: one undo step
    assert window.doc.training["start_weights"] == "current" and combo.currentData() == "current"
    window.stack.redo()
    assert combo.currentData() == "fresh"

    type_field(panel.lr, "0.003")
    click(panel.start_btn)
    finish(qtbot, panel)
    assert "started from fresh weights (seed 5)" in plain(panel.status)
    type_field(panel.lr, "0.02")
    click(panel.start_btn)
    finish(qtbot, panel)
    status = plain(panel.status)
    assert "Run #2 started from fresh weights" in status, status
    first, second = window.doc.project.runs.runs
    assert second.start_digest == EMPTY_DIGEST != first.end_digest  # not from run #1's trained weights
    assert second.batch_loss[0] == first.batch_loss[0]  # the same fresh start: only the rate differs

    table = panel.runs_table.table
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(2).center())  # the Runs tab
    header = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    start, differs = header.index("start"), header.index("differs")
    assert [table.item(r, start).text() for r in range(2)] == ["fresh", "fresh"]
    assert [table.item(r, differs).text() for r in range(2)] == ["lr 0.02", "lr 0.003"]
    assert "lr 0.02" in table.item(0, 0).toolTip() and "optimizer adam" in table.item(0, 0).toolTip()
    rect = [table.visualRect(table.model().index(r, 0)) for r in range(2)]
    QTest.mouseClick(table.viewport(), Qt.LeftButton, Qt.NoModifier, rect[0].center())
    QTest.mouseClick(table.viewport(), Qt.LeftButton, Qt.ShiftModifier, rect[1].center())
    texts = legend_texts(panel.plots.loss_plot)
    assert "run 1 (lr 0.003)" in texts and "run 2 (lr 0.02)" in texts, texts


def test_b_a_saved_trained_project_is_alive_after_reopening(window, qtbot, tmp_path, monkeypatch, settings):
    from playground.ui.main_window import MainWindow
    g = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 3, "kernel_size": 3, "activation": "relu"}),
              ("maxpool2d", {"pool_size": 4}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    window.load_project(project.Project(g, "digits", training={**project.DEFAULT_TRAINING, "epochs": 1,
                                                               "batch_size": 500, "validation_split": 0.0}), None)
    workspace(window, "Train")
    click(window.train_panel.start_btn)
    finish(qtbot, window.train_panel)
    assert window.train_panel.outcome is not None, plain(window.train_panel.status)
    kernel = window.graph.by_name("conv2d").weights["kernel"].copy()
    path = tmp_path / "digits.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)
    assert path.exists()

    other = MainWindow(settings=settings)
    other.ask_save = lambda: "discard"
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()  # shortcuts go to the active window, as they do for a user
    qtbot.waitUntil(other.isActiveWindow, timeout=5_000)
    try:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
        QTest.keyClick(other, Qt.Key_O, Qt.ControlModifier)
        assert other.doc.path == path and other.doc.trained_model is None  # nothing trained in this window
        workspace(other, "See inside")
        inside = other.inside_panel
        QTest.mouseClick(inside.tabBar(), Qt.LeftButton, Qt.NoModifier, inside.tabBar().tabRect(2).center())
        view = inside.model_view
        assert "Rebuilding the model from the project's saved weights" in view.empty.label.text()
        qtbot.waitUntil(lambda: other.doc.trained_model is not None and not inside.jobs.busy, timeout=120_000)
        assert view.stack.currentIndex() == 1  # the page, not the empty state
        assert "rebuilt from the project's saved weights" in view.info.text()
        assert len(view.filter_tiles) == 3 and np.array_equal(view.kernel, kernel)  # the saved filters
        assert view.layer.currentText() == "conv2d" and view.maps.count() == 3  # feature maps of an example
        assert view.values["conv2d"].shape == (26, 26, 3)
        assert other.train_panel.outcome is None  # no training happened in this window

        QTest.mouseClick(inside.tabBar(), Qt.LeftButton, Qt.NoModifier, inside.tabBar().tabRect(3).center())
        digits = inside.digits
        assert "Train the digit model" not in digits.status.text()
        QTest.mousePress(digits.pad, Qt.LeftButton, Qt.NoModifier, QPoint(140, 50))
        for y in range(60, 240, 20):
            QTest.mouseMove(digits.pad, QPoint(140, y))
        QTest.mouseRelease(digits.pad, Qt.LeftButton, Qt.NoModifier, QPoint(140, 230))
        qtbot.waitUntil(lambda: digits.probabilities is not None, timeout=60_000)
        assert digits.probabilities.shape == (10,) and abs(digits.probabilities.sum() - 1) < 1e-4
        assert "Prediction:" in digits.status.text()
        # a new-user drive: the reopened project's Curves and Results were empty beside its run in the Runs tab;
        # they show that run: its scores and confusion matrix, its curves overlaid
        workspace(other, "Train")
        tp, run = other.train_panel, other.doc.project.runs.runs[-1]
        assert f"Run #{run.number}, kept with the project: test accuracy {run.test_accuracy:.4f}" in \
            plain(tp.results.label)
        assert tp.confusion_matrix is not None and tp.confusion_matrix.sum() == run.confusion.sum() > 0
        assert tp.runs_table.selected_numbers() == [run.number] and tp.plots.overlays
    finally:
        other.files.clear_recovery()  # qtbot closes the window


def test_restore_weights_says_so_where_the_user_looks(window, qtbot):
    window.load_project(gate_project(epochs=2), None)
    workspace(window, "Train")
    panel = window.train_panel
    click(panel.start_btn)
    finish(qtbot, panel)
    trained = {k: v.copy() for k, v in window.graph.by_name("dense").weights.items()}
    window.stack.undo()  # the run's weights go; the history entry with them
    window.stack.redo()
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(2).center())
    table = panel.runs_table
    QTest.mouseClick(table.table.viewport(), Qt.LeftButton, Qt.NoModifier,
                     table.table.visualRect(table.table.model().index(0, 0)).center())
    click(table.restore_btn)
    assert "Restored the weights of run #1" in plain(panel.status)
    assert "Restored the weights of run #1" in window.statusBar().currentMessage()
    for k, v in trained.items():
        assert np.array_equal(window.graph.by_name("dense").weights[k], v)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)  # the restore taken back: the panel no longer says it
    assert "Restored" not in plain(panel.status), plain(panel.status)


def test_too_many_devices_is_said_in_window_words_and_clears_at_one(window, qtbot):
    window.load_project(gate_project(epochs=1), None)
    workspace(window, "Train")
    panel = window.train_panel
    type_field(panel.devices, "64")
    click(panel.start_btn)
    finish(qtbot, panel)
    text = plain(panel.status)
    assert "devices = 64 asks for 64 devices" in text and "--devices" not in text, text
    type_field(panel.devices, "1")
    assert "devices" not in plain(panel.status) and plain(panel.status).startswith("Ready")


def test_a_keras2_conversion_report_goes_whole_to_the_banner(window, qtbot, tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    import keras
    spec = importlib.util.spec_from_file_location("keras2_files", Path(__file__).parents[1] / "backend" /
                                                  "keras2_files.py")
    files = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(files)  # the backend tests' Keras 2 file writer
    write_keras2_h5 = files.write_keras2_h5
    inp = keras.Input((6, 6, 1), name="image")
    x = keras.layers.BatchNormalization(name="bn")(keras.layers.Conv2D(2, 3, name="conv")(inp))
    model = keras.Model(inp, keras.layers.Dense(2, name="probs")(keras.layers.Flatten(name="flat")(x)), name="m")
    path = write_keras2_h5(model, tmp_path / "old.h5", version="2.2.4")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_O, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.files.importing is None and len(window.graph.nodes) == 5, timeout=60_000)
    text = window.banner.label.text()
    assert window.banner.isVisible() and window.banner.kind == "info"
    assert text.startswith("Imported old.h5: Keras 2 file (2.2.4) converted: 4 layers; "), text
    assert text.endswith("list `axis` made an integer on 1 BatchNormalization layer")  # whole, not cut


def test_a_typed_folder_path_is_the_dataset_and_a_wrong_one_is_named(window, qtbot, tmp_path, monkeypatch):
    folder = image_folder(tmp_path / "pets", n=5, size=12)
    window.load_project(gate_project(), None)
    workspace(window, "Train")
    box = window.train_panel.data_box
    assert "#D64541" not in box.feeds.text() and "4 training" in plain(box.feeds)  # a truth table is fed as is
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: asked.append(1) or ("", ""))
    box.dataset.setFocus()
    QTest.keyClick(box.dataset, Qt.Key_End)  # "Your own file...": Enter opens its dialog, then Cancel
    assert not asked
    QTest.keyClick(box.dataset, Qt.Key_Return)
    assert asked and window.doc.training["dataset"] == "gate-xor" and box.dataset.currentData() == "gate-xor"
    assert "#D64541" not in box.feeds.text()
    type_field(box.path, str(tmp_path / "nowhere"))
    assert f"No such folder or file: {tmp_path / 'nowhere'}" in plain(box.feeds)
    assert window.doc.training["dataset"] == "gate-xor"
    type_field(box.path, str(folder))
    assert window.doc.training["dataset"] == str(folder) and box.dataset.currentText() == "pets"
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    assert "2 classes, 10 images" in plain(box.folder_info)
    # the Input is not an image here: said, and the output's single unit does not match the two classes
    assert "is not an image" in plain(box.feeds) and "has 2 classes but the model's output layer has 1" in \
        plain(box.feeds)
    window.stack.undo()  # choosing the data is one undo step
    assert window.doc.training["dataset"] == "gate-xor" and box.dataset.currentData() == "gate-xor"
    assert box.path.text() == "" and not box.folder_info.isVisible()


def test_export_never_offers_the_file_the_model_was_opened_from(window, qtbot, tmp_path, monkeypatch):
    """A new-user drive opened mobilenet.h5 and chose File > Export model > Keras .h5: the dialog offered
    mobilenet.h5 in the same folder, the user's original, so accepting the default would overwrite it."""
    from PySide6.QtWidgets import QApplication
    small_cnn_h5(tmp_path / "base.h5")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "base.h5"), ""))
    QTest.keyClick(window, Qt.Key_O, Qt.ControlModifier)  # File > Open
    qtbot.waitUntil(lambda: window.files.importing is None and len(window.graph.nodes) == 5, timeout=60_000)
    (tmp_path / "base-2.h5").write_bytes(b"taken")  # another file: an earlier export, offered to be replaced
    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(a[2]) or ("", ""))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_F, Qt.AltModifier)  # File > Export model > Keras .h5, with the keys
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key_E)
    QTest.keyClick(QApplication.activePopupWidget(), Qt.Key_Return)
    assert offered == [str(tmp_path / "base-2.h5")]
    assert (tmp_path / "base.h5").stat().st_size > 1000
