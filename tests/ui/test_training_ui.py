"""Training from the panel: worker thread, metrics into the plot buffers, stop, close mid-run, NaN."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.core import project
from playground.core.graph import chain
from playground.resources_path import preset_text
from menus import choose_theme  # tests/ui/menus.py


def gate_project(epochs=60):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
              ("dense", {"units": 1, "activation": "sigmoid"}))
    return project.Project(g, "tiny", training={"dataset": "gate-xor", "optimizer": "adam", "learning_rate": 0.1,
                                                "batch_size": 4, "epochs": epochs, "validation_split": 0.0,
                                                "early_stopping": 0, "loss": "auto", "seed": 0})


def train_with_clicks(window, qtbot, proj):
    """Open ``proj``, click Start in the Train workspace, wait for the end, click the Curves tab."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    window.load_project(proj, None)
    window.set_workspace("Train")
    panel = window.train_panel
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    QTest.mouseClick(panel.tabs.tabBar(), Qt.LeftButton, pos=panel.tabs.tabBar().tabRect(0).center())
    qtbot.wait(50)
    return panel


def run_and_wait(window, qtbot, timeout=120_000):
    panel = window.train_panel
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=timeout)
    qtbot.wait(50)  # let queued signals land
    return panel


def test_training_a_gate_fills_buffers_and_finishes(window, qtbot):
    window.load_project(gate_project(epochs=20), None)  # every epoch's point and batch, not 60 of them
    panel = run_and_wait(window, qtbot)
    plots = panel.plots
    assert plots.buffers["epoch_loss"].n == 20
    assert plots.buffers["batch_loss"].n == 20  # one batch of 4 rows per epoch
    assert np.all(np.isfinite(plots.buffers["batch_loss"].y[:20]))
    assert panel.outcome is not None and panel.outcome.result.stopped == "finished"
    assert "Finished 20 epochs in" in panel.status.text()
    assert "Device:" in panel.device.text()
    # trained weights came back through the undo stack
    dense = window.graph.by_name("dense")
    assert dense.weights["kernel"].shape == (2, 4)
    window.stack.undo()
    assert not dense.weights


def test_stop_ends_training(window, qtbot):
    proj = gate_project()
    proj.training["epochs"] = 100000
    window.load_project(proj, None)
    panel = window.train_panel
    assert panel.start()
    qtbot.waitUntil(lambda: panel.plots.buffers["batch_loss"].n > 5, timeout=120_000)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30_000)
    qtbot.wait(50)
    assert panel.outcome.result.stopped == "stopped"
    assert panel.outcome.result.epochs_run < 100000


def test_nan_loss_ends_with_message_and_graph_untouched(window, qtbot):
    # a linear output with squared error and a huge step diverges to inf, then NaN, whatever the seed
    g = chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "linear"}))
    window.load_project(project.Project(g, "nan", training={
        "dataset": "mnist-sample", "optimizer": "sgd", "learning_rate": 1e12, "batch_size": 256, "epochs": 2,
        "validation_split": 0.0, "early_stopping": 0, "loss": "mse", "seed": 0}), None)
    before = window.graph.copy()
    panel = run_and_wait(window, qtbot)
    assert "smaller learning rate" in panel.status.text()
    assert window.graph == before


def test_shape_mismatch_is_a_message(window, qtbot):
    g = chain(("input", {"shape": [32, 32, 3]}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    window.load_project(project.Project(g, "mismatch", training={**project.DEFAULT_TRAINING, "epochs": 1}), None)
    panel = run_and_wait(window, qtbot)
    assert "Input expects 32x32x3" in panel.status.text()


def test_bad_setting_is_red_and_blocks_start(window):
    panel = window.train_panel
    panel.lr.setText("fast")
    assert not panel.start()
    assert "learning_rate='fast'" in panel.settings_msg.text()


def training_without_end(qtbot, settings):
    """A window whose Start (clicked) runs a gate network for 100,000 epochs, past its first batches; closing it
    discards the unsaved project."""
    from PySide6.QtTest import QTest

    from playground.ui.main_window import MainWindow
    w = MainWindow(settings=settings)
    w.ask_save = lambda: "discard"
    qtbot.addWidget(w)
    w.show()
    proj = gate_project()
    proj.training["epochs"] = 100000
    w.load_project(proj, None)
    QTest.mouseClick(w.train_panel.start_btn, Qt.LeftButton)
    assert w.train_panel.is_running()
    qtbot.waitUntil(lambda: w.train_panel.plots.buffers["batch_loss"].n > 3, timeout=120_000)
    return w


def test_closing_mid_training_exits_cleanly(qtbot, settings):
    w = training_without_end(qtbot, settings)
    # issue 15.10: close does not block on the batch; it says so, offers to quit now, and closes after
    assert not w.close()
    assert w.quit_box is not None and w.quit_box.isVisible() and "after this batch" in w.quit_box.text()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=60_000)
    assert not w.train_panel.is_running()


def test_quit_now_ends_at_once_and_leaves_nothing_behind(qtbot, settings, monkeypatch, tmp_path):
    """The quit box's Quit now, clicked: the process ends with status 0 (``os._exit``, recorded here instead), this
    window's autosave goes, and so do AutoGraph's files in the temp folder, sources and cached bytecode (its atexit
    hook, which would remove the sources, never runs after ``os._exit``; an ONNX or LiteRT export makes them, a
    converted function stands in for one here)."""
    import tempfile

    import tensorflow as tf
    from PySide6.QtTest import QTest

    exits = []
    monkeypatch.setattr(os, "_exit", exits.append)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # this test's own temp folder
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as on a machine without PYTHONDONTWRITEBYTECODE
    w = training_without_end(qtbot, settings)
    tf.function(lambda x: x + 1 if x > 0 else x, autograph=True)(tf.constant(1))
    made = sorted(p.name for p in temp.rglob("*") if p.is_file())
    assert [p for p in made if p.endswith(".py")] and [p for p in made if p.endswith(".pyc")], made
    w.files.recovery_path().write_text("{}")  # the window's autosave, as its timer writes it
    assert not w.close()
    QTest.mouseClick(w.quit_now_button, Qt.LeftButton)
    assert exits == [0]
    assert not w.files.recovery_path().exists()
    assert not list(temp.iterdir())
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=60_000)  # os._exit did not end this test process


def test_digit_results_and_draw_pad(window, qtbot):  # noqa: C901
    g = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
              ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    window.load_project(project.Project(g, "tinycnn", training={**project.DEFAULT_TRAINING, "epochs": 1,
                                                                 "batch_size": 256}), None)
    size = window.size()
    window.resize(1280, 720)  # a laptop: the run is started and its results read there first
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)  # the Train workspace
    qtbot.waitUntil(lambda: window.workspace == "Train")
    panel = window.train_panel
    QTest.keyClick(window, Qt.Key_F5)
    qtbot.waitUntil(lambda: panel.outcome is not None and not panel.is_running(), timeout=180_000)
    qtbot.wait(100)
    assert panel.outcome.result.test_accuracy > 0.5
    cm = panel.confusion_matrix
    assert cm.shape == (10, 10) and cm.sum() == 2000
    assert panel.confusion.rowCount() == 10 and panel.gallery.count() > 0
    # within the Results tab nothing runs off to the right: the examples wrap into the width they have and the
    # titles wrap (a new-user drive: "click a cell of the matrix to see its e" behind a sideways scroll bar)
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QScrollArea
    shown = panel.results.findChild(QScrollArea)
    assert panel.tabs.currentWidget() is panel.results and not shown.horizontalScrollBar().isVisible()
    for label in (panel.results.gallery_title, panel.results.matrix_title, panel.results.label):
        right = label.mapTo(shown.widget(), label.rect().topRight()).x()
        assert right <= shown.viewport().width() and label.isVisibleTo(window), label.text()
    cells = [panel.gallery.itemAt(i).widget() for i in range(panel.gallery.count())]
    assert all(c.mapTo(shown.widget(), c.rect().topRight()).x() <= shown.viewport().width() for c in cells)
    # at 1280x720 the tabs had about 200 px under Data, Run and Settings: three rows of the matrix (a new user's
    # drive). Enlarge hides Data and Settings, the whole matrix in view; Restore brings them back
    table = panel.confusion
    whole = lambda: table.rowViewportPosition(9) + table.rowHeight(9) <= table.viewport().height() and \
        table.mapTo(shown.viewport(), table.rect().bottomLeft()).y() <= shown.viewport().height()  # noqa: E731
    assert not whole()
    QTest.mouseClick(panel.enlarge, Qt.LeftButton)
    qtbot.waitUntil(whole, timeout=2000)
    assert not panel.data_box.isVisible() and not panel.form.isVisible() and panel.enlarge.text() == "Restore"
    assert panel.start_btn.isVisible() and panel.status.isVisible()  # the run's own box stays (a drive: a paused
    # run said nothing with it hidden)
    QTest.mouseClick(panel.enlarge, Qt.LeftButton)
    assert panel.data_box.isVisible() and panel.start_btn.isVisible() and panel.enlarge.text() == "Enlarge"
    # the curves' legends leave most of a short plot to the curves (one entry a row covered two thirds of it)
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(0).center())
    qtbot.wait(50)
    assert panel.tabs.currentWidget() is panel.plots
    for plot, kind in ((panel.plots.loss_plot, "loss"), (panel.plots.acc_plot, "acc")):
        item = plot.getPlotItem()
        view, legend = item.getViewBox().sceneBoundingRect(), item.legend.sceneBoundingRect()
        assert len(item.legend.items) >= 3 and legend.height() <= 0.45 * view.height(), (legend, view)
        assert view.contains(legend)
        for points in (panel.plots.curves[f"epoch_{kind}"], panel.plots.curves[f"val_{kind}"]):  # each epoch's
            xs, ys = points.getData()
            for x, y in zip(xs, ys, strict=True):
                assert not legend.contains(item.getViewBox().mapViewToScene(QPointF(x, y))), (x, y)
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(1).center())
    # issue 16.2: at 1480x900 the results come forward, the whole matrix shows without scrolling
    window.resize(size)
    qtbot.wait(100)
    assert panel.tabs.currentWidget() is panel.results
    assert not panel.confusion.verticalScrollBar().isVisible()
    assert panel.confusion.rowViewportPosition(9) + panel.confusion.rowHeight(9) <= \
        panel.confusion.viewport().height()
    off = [(r, c) for r in range(10) for c in range(10) if r != c and cm[r, c]]
    r, c = off[0]
    rect = panel.confusion.visualItemRect(panel.confusion.item(r, c))
    QTest.mouseClick(panel.confusion.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    # the examples before go at once, not when the event loop gets to deleting them: a frame drawn in between
    # showed the old captions under the new ones
    from PySide6.QtWidgets import QWidget
    holder = panel.gallery.parentWidget()
    shown_cells = [w for w in holder.findChildren(QWidget, options=Qt.FindDirectChildrenOnly) if not w.isHidden()]
    assert len(shown_cells) == panel.gallery.count() == min(cm[r, c], 12)
    qtbot.wait(10)
    assert panel.gallery.count() == min(cm[r, c], 12)
    assert (f"{cm[r, c]} example" + ("" if cm[r, c] == 1 else "s")) in panel.results.gallery_title.text()
    # two new-user drives: at 1280x720 a run's results asked the panel for 900x767 px, so it squeezed Start to
    # 16 px and cut its settings at the right; the results now scroll in their tab
    window.resize(1280, 720)
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)  # the Train workspace
    qtbot.waitUntil(lambda: window.workspace == "Train")
    qtbot.wait(150)
    assert panel.start_btn.height() >= panel.start_btn.sizeHint().height()
    assert panel.content.minimumSizeHint().width() <= panel.scroll.viewport().width(), (window.size(), window.hsplit.sizes(), window.workspace)
    assert panel.form.geometry().right() <= panel.scroll.viewport().width()
    # draw a stroke on the pad: probabilities over 10 classes that sum to 1
    window.set_workspace("See inside")
    digits = window.inside_panel.digits
    from PySide6.QtCore import QPointF
    digits.pad.draw_line(QPointF(140, 50), QPointF(140, 230))
    digits.predict()  # runs in the worker
    qtbot.waitUntil(lambda: digits.probabilities is not None, timeout=60_000)
    p = digits.probabilities
    assert p.shape == (10,) and p.sum() == pytest.approx(1.0, abs=1e-5)
    # the model view shows filters and maps
    window.inside_panel.setCurrentWidget(window.inside_panel.model_view)
    assert window.inside_panel.model_view.filters.count() == 4
    qtbot.waitUntil(lambda: window.inside_panel.model_view.maps.count() == 4, timeout=60_000)


# ---------------------------------------------------------------- issue 16: driven with clicks
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402


def click(widget):
    QTest.mouseClick(widget, Qt.LeftButton)


def shown(label) -> str:
    """The text a rich-text label displays."""
    from PySide6.QtGui import QTextDocument
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def type_into(field, text: str, then=None) -> None:
    """Focus ``field``, select what it holds, type ``text`` over it, then press ``then`` (Tab, Return) if given."""
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)
    if then is not None:
        QTest.keyClick(field, then)


def kernel_of_40(window, then=None) -> None:
    """conv2d selected, 40 typed as its kernel size: a network that cannot train on 28x28 digits."""
    window.select_nodes([window.graph.by_name("conv2d").id])
    type_into(window.inspector.fields["kernel_size"], "40", then)


def test_broken_network_cannot_start_and_says_which_layer(window):
    kernel_of_40(window)
    window.set_workspace("Train")
    panel = window.train_panel
    assert not panel.start_btn.isEnabled()
    assert "'conv2d'" in panel.start_btn.toolTip() and "kernel=40" in panel.start_btn.toolTip()
    window.start_training()  # F5 / Train > Start: refused before anything loads
    assert not panel.is_running() and "'conv2d'" in shown(panel.status) and "<= 28" in shown(panel.status)
    window.undo_action.trigger()
    assert panel.start_btn.isEnabled()


def test_stop_says_where_it_stopped(window, qtbot):
    g = chain(("input", {"shape": [28, 28, 1]}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    window.load_project(project.Project(g, "stopper", training={**project.DEFAULT_TRAINING, "epochs": 50,
                                                                 "batch_size": 16}), None)
    window.set_workspace("Train")
    panel = window.train_panel
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.plots.buffers["batch_loss"].n > 5, timeout=120_000)
    click(panel.stop_btn)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=60_000)
    qtbot.wait(50)
    at = panel.outcome.result.stopped_at
    text = shown(panel.status)
    assert text.startswith(f"Stopped by you at epoch {at['epoch']}") and f"batch {at['batch']} of {at['steps']}" in text
    assert f"weights are those after batch {at['batch']}" in text
    assert panel.last_batch[1] + 1 <= at["batch"]  # the plot never shows a batch the weights have not seen


def test_devices_setting_is_offered_and_checked(window, qtbot):
    window.load_project(gate_project(), None)
    window.set_workspace("Train")
    panel = window.train_panel
    panel.devices.setFocus()
    panel.devices.selectAll()
    QTest.keyClicks(panel.devices, "0")
    assert "devices" in panel.settings_msg.text() and window.project.training.get("devices", 1) == 1
    panel.devices.selectAll()
    QTest.keyClicks(panel.devices, "64")
    assert window.project.training["devices"] == 64
    click(panel.start_btn)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    assert "64 devices" in shown(panel.status)  # this machine has fewer: named, nothing trained


def test_the_curves_hold_still_while_a_run_starts_and_redraw_only_what_changed(window, qtbot):
    """A second run, started with a click from the Results tab, and a third stopped at once: the status line's
    one- to three-line messages never move the curves (they jumped 14 px when "Training: ..." replaced the
    two-line "starts" note), and the axes are drawn again only where the loss axis moves (every jump laid the
    plots out again, and pyqtgraph then regenerated all four axes)."""
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    kept = app.font(), app.palette(), app.style().name()
    window.load_project(gate_project(epochs=30), None)
    window.set_workspace("Train")
    panel = window.train_panel
    # the app's own type, as it starts (View > Theme applies it after the window is built: 9.5 pt)
    choose_theme(window, qtbot, "Light")
    try:
        _curves_hold_still(window, panel, qtbot)
    finally:
        app.setFont(kept[0])
        app.setPalette(kept[1])
        app.setStyle(kept[2])


def _curves_hold_still(window, panel, qtbot):
    import pyqtgraph as pg
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    assert panel.tabs.currentWidget() is panel.results  # where a finished run leaves the user
    window.load_project(gate_project(epochs=30), None)  # the same network opened again: the same axes
    sizes = []
    regenerated = []
    original = pg.AxisItem.generateDrawSpecs

    def counting(axis, painter):
        regenerated.append(axis.orientation)
        return original(axis, painter)

    pg.AxisItem.generateDrawSpecs = counting
    try:
        QTest.mouseClick(panel.start_btn, Qt.LeftButton)
        while panel.is_running():  # from the click to the last batch
            sizes.append(panel.plots.loss_plot.size().toTuple())
            qtbot.wait(5)
        qtbot.wait(50)
    finally:
        pg.AxisItem.generateDrawSpecs = original
    # stopped at once from the trained weights: the longest message ("Stopped by you ... Run #3 started from
    # run #2's trained weights ...") takes three lines, and the curves still keep their place
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    QTest.mouseClick(panel.stop_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=60_000)
    qtbot.wait(50)
    QTest.mouseClick(panel.tabs.tabBar(), Qt.LeftButton, pos=panel.tabs.tabBar().tabRect(0).center())
    qtbot.wait(20)
    sizes.append(panel.plots.loss_plot.size().toTuple())
    assert len(set(sizes)) == 1, sizes  # the curves kept their place for the whole run
    # the same epochs, the same accuracy range: only the loss axis moves (its top follows the new run's loss)
    assert regenerated.count("bottom") == 0, regenerated
    assert regenerated.count("left") <= 2, regenerated


def test_the_loss_axis_reads_in_plain_numbers_when_the_loss_is_small(window, qtbot):
    """pyqtgraph rescales an axis whose numbers are small ("loss (x0.001)" over ticks 100-600): a learner
    reads the loss as it is printed everywhere else, 0.1-0.6."""
    panel = train_with_clicks(window, qtbot, gate_project(epochs=20))
    axis = panel.plots.loss_plot.getAxis("left")
    # the axis tops out below 1, where pyqtgraph would switch to milli-units: the case at hand
    assert 0 < panel.plots.loss_top < 1, panel.plots.loss_top
    assert axis.labelString() == axis.labelString().replace("(x", "") and "x0.0" not in axis.labelString()
    assert axis.autoSIPrefixScale == 1.0


def test_a_finished_run_is_drawn_once_not_under_its_own_overlay(window, qtbot):
    """When a run ends, the Runs table selects it and its curve is overlaid as "run N": the live smoothed curve,
    the same numbers, is hidden under it, and so is its legend entry (pyqtgraph's closed-eye mark beside
    "smoothed" read as a broken icon); the next Start shows the live curves and their entry again."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    panel = train_with_clicks(window, qtbot, gate_project(epochs=5))
    plots = panel.plots
    assert plots.overlaid == [1]
    for kind, plot in (("loss", plots.loss_plot), ("acc", plots.acc_plot)):
        listed = [label.text for _sample, label in plot.plotItem.legend.items]
        assert "run 1" in listed and "smoothed" not in listed, listed
        assert not plots.curves[f"smooth_{kind}"].isVisible()  # "run 1" is this curve: drawn once
        assert plots.curves[f"batch_{kind}"].isVisible() and plots.curves[f"epoch_{kind}"].isVisible()
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)  # a new run: its own live curve
    qtbot.waitUntil(lambda: plots.buffers["smooth_loss"].n > 0, timeout=120_000)
    assert plots.curves["smooth_loss"].isVisible() and plots.curves["smooth_acc"].isVisible()
    for plot in (plots.loss_plot, plots.acc_plot):
        listed = [label.text for _sample, label in plot.plotItem.legend.items]
        assert listed.count("smoothed") == 1 and listed.index("smoothed") == 1, listed  # under "batch", as before
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    assert plots.overlaid == [2] and not plots.curves["smooth_loss"].isVisible()


def test_the_legend_names_the_validation_curve_only_when_a_run_validates(window, qtbot):
    """Without a validation split there are no validation points, and the legend does not promise them; a split
    typed in brings the entry back with its points."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    def legend(plot):
        return [label.text for _sample, label in plot.plotItem.legend.items]
    panel = train_with_clicks(window, qtbot, gate_project(epochs=3))  # validation split 0
    plots = panel.plots
    for plot in (plots.loss_plot, plots.acc_plot):
        assert "epoch (train)" in legend(plot) and "epoch (validation)" not in legend(plot), legend(plot)
    spin = panel.val_split
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "0.25")
    QTest.keyClick(spin, Qt.Key_Return)
    assert window.project.training["validation_split"] == 0.25
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.wait(50)
    assert plots.buffers["val_loss"].n == 3
    for plot in (plots.loss_plot, plots.acc_plot):
        assert legend(plot).count("epoch (validation)") == 1, legend(plot)


def test_runs_share_a_long_lived_worker_thread_each_from_fresh_keras_state(window, qtbot, monkeypatch):
    """Issue 26: TensorFlow sets up every new thread the first time it runs a model there (about 50 ms of CPU in
    kernel lookups, ``benchmarks/fit_thread.py``), so a run does not get a thread of its own: the runs share a
    worker thread that lives on, and each starts from Keras' per-thread state as a new thread would (layer-name
    counters, seed generator: nothing of the run before)."""
    import threading

    from playground.backend import session
    seen = []
    here = threading.local()  # what a thread has seen dies with it: a tag found again means the same thread
    real = session.run_training

    def recording(*args, **kwargs):
        from keras.src.backend.common import global_state
        seen.append((getattr(here, "tag", None), set(vars(global_state.GLOBAL_STATE_TRACKER)),
                     threading.current_thread() is threading.main_thread()))
        here.tag = len(seen)
        try:
            return real(*args, **kwargs)
        finally:
            seen[-1] += (set(vars(global_state.GLOBAL_STATE_TRACKER)),)
    monkeypatch.setattr(session, "run_training", recording)
    for _ in range(2):
        panel = train_with_clicks(window, qtbot, gate_project(epochs=2))
        assert panel.outcome is not None and panel.outcome.result.stopped == "finished"
    (tag1, entry1, main1, exit1), (tag2, entry2, main2, _) = seen
    assert not main1 and not main2
    assert tag1 is None and tag2 == 1  # the second run ran on the first one's thread
    assert exit1 - entry1  # the first run left Keras state in its thread (names, scopes) ...
    assert not entry2 & (exit1 - entry1)  # ... and the second started without any of it


def test_a_job_started_while_another_runs_does_not_wait_for_it(qtbot):
    """Long-lived worker threads, but never one queue: a job started during a long one (a feature map during
    training) gets a thread of its own at once, and a job started after both reuses one of theirs."""
    import threading

    from playground.ui.worker import start_job
    here = threading.local()

    def tag(value):
        before = getattr(here, "tag", None)
        here.tag = value
        return before
    release = threading.Event()
    long_one = start_job(lambda: (tag("long"), release.wait(60)))
    before = []
    start_job(tag, "short", on_done=before.append)
    qtbot.waitUntil(lambda: len(before) == 1, timeout=10_000)
    assert long_one.isRunning()  # the short job did not wait for the long one
    release.set()
    qtbot.waitUntil(lambda: not long_one.isRunning(), timeout=10_000)
    start_job(tag, "third", on_done=before.append)
    qtbot.waitUntil(lambda: len(before) == 2, timeout=10_000)
    assert before[1] in ("long", "short")  # it ran on a thread an earlier job had used


@pytest.mark.parametrize("entry", ["folder", "file"])
def test_your_own_folder_or_file_from_the_list_asks_once(window, qtbot, tmp_path, monkeypatch, entry):
    """A new-user drive picked "Your own image folder..." in the Data list and chose a folder; a second folder
    dialog opened at once (the new entry, put above the chosen one, moved the list's current row, which asked
    again), and a different folder picked in it was overwritten by the first."""
    from PySide6.QtWidgets import QFileDialog
    from measures import image_folder
    folder = image_folder(tmp_path / "shapes", ("circles", "squares"), 2)
    data = tmp_path / "rows.csv"
    data.write_text("a,b,label\n0,1,0\n1,0,1\n1,1,1\n0,0,0\n")
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(a) or str(folder))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: asked.append(a) or (str(data), ""))
    window.load_project(project.loads(preset_text("mnist-cnn")), None)
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    box = window.train_panel.data_box
    combo = box.dataset
    from menus import pick
    pick(combo, qtbot, "Your own image folder\u2026" if entry == "folder" else "Your own file\u2026")
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    qtbot.wait(50)
    chosen = str(folder if entry == "folder" else data)
    assert len(asked) == 1, asked
    assert window.doc.training["dataset"] == chosen and combo.currentData() == chosen
    assert combo.currentText() == Path(chosen).name


def test_a_folder_that_does_not_fit_the_output_keeps_start_off_and_f5_says_why(window, qtbot, tmp_path, monkeypatch):
    """A new-user drive: the data box said in red that the folder has 3 classes and the output 5 units, while Start
    stayed on (a run that could only fail). Start is off with that reason, F5 says it, and fixing the head (or the
    data) turns Start on again."""
    from PySide6.QtWidgets import QApplication
    from measures import image_folder
    from menus import choose_image_folder, pick
    from test_build_by_hand import click_card
    folder = image_folder(tmp_path / "shapes", ("circles", "squares", "lines"), 2)
    window.load_project(project.loads(preset_text("mnist-cnn")), None)  # 10 units out
    panel = window.train_panel
    box = panel.data_box
    choose_image_folder(window, qtbot, monkeypatch, folder)
    qtbot.wait(20)
    assert "3 classes but the model's output layer has 10 units" in shown(box.feeds)
    assert "choose data with as many classes" not in shown(box.feeds)  # (the folder is the data: that advice is for
    # the built-in digits after a new head, where it was only to undo it, a drive; tests/core/test_words.py)
    assert "Replace the head" in shown(box.feeds) and "last Dense" not in shown(box.feeds)  # (an opened model's
    # classifier may be a Conv2D: "set the last Dense to 2 units" named a layer MobileNet does not have, a drive)
    assert not panel.start_btn.isEnabled() and "3 classes" in panel.start_btn.toolTip()
    QTest.keyClick(window, Qt.Key_F5)
    assert "3 classes but the model's output layer has 10 units" in shown(panel.status) and not panel.is_running()
    # the built-in digits again: 10 classes for 10 units
    pick(box.dataset, qtbot, box.dataset.itemText(0))
    qtbot.wait(20)
    assert panel.start_btn.isEnabled(), shown(box.feeds)
    # the folder again, and a head for its 3 classes made in Build: back in Train (F5), the line and Start follow
    pick(box.dataset, qtbot, "shapes")
    qtbot.waitUntil(lambda: not box.busy and not panel.start_btn.isEnabled(), timeout=30_000)
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    qtbot.wait(50)  # the canvas refitted to Build's size
    click_card(window, window.graph.by_name("flatten").id)
    assert window.doc.selection == [window.graph.by_name("flatten").id]
    spin = window.inspector.trained.head_classes
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "3")
    QTest.mouseClick(window.inspector.trained.replace_head, Qt.LeftButton)
    window.activateWindow()  # (the list's popup had been the active window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    QTest.keyClick(window, Qt.Key_F5)  # from Build: to Train, and the run starts
    assert "3 classes \u2192 the output's 3 units" in shown(box.feeds)
    assert panel.is_running(), shown(panel.status)
    window.stop_training(wait=True)


def test_an_image_folder_at_1280x720_is_shown_whole(window, qtbot, tmp_path, monkeypatch):
    """A new-user drive at 1280x720: the folder's thumbnails were squeezed to 12 px under their class names, and the
    red line about the class count was cut after its first line. The panel scrolls instead: every part whole."""
    from PySide6.QtWidgets import QLabel
    from measures import image_folder, text_height
    from menus import choose_image_folder
    folder = image_folder(tmp_path / "shapes", ("circles", "squares", "stripes"), 4, (120, 90), "RGB")
    window.resize(1280, 720)
    window.load_project(project.loads(preset_text("mnist-cnn")), None)
    box = window.train_panel.data_box
    choose_image_folder(window, qtbot, monkeypatch, folder)
    qtbot.wait(50)
    assert "3 classes but the model's output layer has 10 units" in shown(box.feeds)
    for label in (box.feeds, box.folder_info):  # (the layout settles after the text: waited for, under load too)
        qtbot.waitUntil(lambda label=label: label.contentsRect().height() >= text_height(label) - 2, timeout=5_000)
    thumbs = [lab for lab in box.findChildren(QLabel) if lab.pixmap() is not None and not lab.pixmap().isNull()
              and lab.isVisible()]
    assert len(thumbs) == 9
    for lab in thumbs:
        assert lab.height() >= lab.pixmap().height(), (lab.size(), lab.pixmap().size())


def test_the_train_panel_is_as_wide_with_its_scroll_bar_as_without(window, qtbot):
    """A drive crashed the app four times in four (a lesson's Train panel at 1280x720, Start): word-wrapped labels are
    taller when narrower, so a panel just taller than its area with the scroll bar and just shorter without it made
    the bar come and go, each turn a resize inside the last, until the stack ran out. The panel's width no longer
    depends on the bar."""
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    scroll = window.train_panel.scroll
    widths, bars = set(), set()
    for height in (1000, 600, 1000, 560):
        window.resize(1280, height)
        qtbot.wait(30)
        widths.add(scroll.widget().width())
        bars.add(scroll.verticalScrollBar().isVisible())
    assert bars == {True, False}, bars  # the sizes tried show the bar and hide it
    assert len(widths) == 1, widths


def test_the_run_box_says_why_start_is_off_and_ready_once_it_is_on(window, qtbot):
    """The run's status said "Ready" under a Start that was off (the reason only in a tooltip); after F5 said why
    in red and Ctrl+Z mended the network, the red reason stayed beside an enabled Start."""
    kernel_of_40(window, Qt.Key_Return)
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)  # the Train workspace
    qtbot.waitUntil(lambda: window.workspace == "Train")
    panel = window.train_panel
    assert not panel.start_btn.isEnabled()
    said = shown(panel.status)
    assert "Ready" not in said and "Start is off" in said and "'conv2d'" in said and "kernel=40" in said, said
    QTest.keyClick(window, Qt.Key_F5)
    assert not panel.is_running() and "#D64541" in panel.status.text() and "'conv2d'" in shown(panel.status)
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert panel.start_btn.isEnabled() and shown(panel.status).startswith("Ready"), shown(panel.status)
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # the 40 again: off, and why
    assert not panel.start_btn.isEnabled() and "Start is off" in shown(panel.status)


@pytest.mark.parametrize("how", ["to the end", "paused"])
def test_weights_gone_nan_under_a_finite_loss_end_the_run_and_the_next_run_is_safe(window, qtbot, how):
    """A drive: the digit CNN at a learning rate of 1e9, stopped with Esc a few batches in. Its loss was still a
    number (3e30), its weights NaN: the run was "stopped by you", the graph refused its NaN weights inside the run's
    undo step, and the next run's end crashed the window (a segmentation fault: all work lost). Here the digits come
    in batches of 5,000 (two batches: the second's update makes them NaN, its loss is a number), or of 3,334, paused
    and stepped. Such a run ends as a NaN run, says so in red, leaves the weights as they were; the next run trains."""
    window.resize(1280, 720)
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.workspace == "Train")
    panel = window.train_panel
    batch = "5000" if how == "to the end" else "3334"
    for field, text in ((panel.epochs_box.lineEdit(), "1"), (panel.lr, "1e9"), (panel.batch.lineEdit(), batch),
                        (panel.val_split.lineEdit(), "0")):
        type_into(field, text, Qt.Key_Tab)
    assert window.doc.training["batch_size"] == int(batch) and window.doc.training["validation_split"] == 0
    click(panel.start_btn)
    if how == "paused":
        click(panel.pause_btn)  # after the batch in flight (the first or the second)
        qtbot.waitUntil(lambda: panel.paused or not panel.is_running(), timeout=60_000)
        while panel.is_running() and panel.paused and panel.batches_done < 2:
            click(panel.step_btn)  # to the second batch, whose update made the weights NaN
            qtbot.waitUntil(lambda: panel.paused or not panel.is_running(), timeout=60_000)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)  # (it stops itself)
    qtbot.wait(100)
    (first,) = window.doc.project.runs.runs
    assert first.stopped == "nan" and first.end_digest is None
    assert "#D64541" in panel.status.text() and "weights became NaN" in shown(panel.status), shown(panel.status)
    assert not any(n.weights for n in window.graph.nodes.values())  # as before the run: none (not those it showed
    # while paused, from which the next run went on and ended in NaN at once)
    type_into(panel.lr, "0.004", Qt.Key_Tab)
    click(panel.start_btn)
    qtbot.waitUntil(lambda: not panel.is_running() and len(window.doc.project.runs.runs) == 2, timeout=120_000)
    assert window.doc.project.runs.runs[-1].stopped == "finished", shown(panel.status)


@pytest.mark.parametrize("box,text", [("epochs_box", "abc"), ("batch", "abc"), ("val_split", "abc"),
                                      ("epochs_box", "2.5"), ("batch", "0")])
def test_text_a_number_box_refuses_keeps_start_from_training(window, qtbot, box, text):
    """A drive: "abc" typed into epochs turned the box red ("epochs must be a whole number. Received 'abc'."), and
    F5 trained anyway, 3 epochs, with the old value while the box showed abc. F5 refuses it as it refuses 0."""
    QTest.keyClick(window, Qt.Key_3, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.workspace == "Train")
    panel = window.train_panel
    type_into(getattr(panel, box).lineEdit(), text, Qt.Key_Tab)
    QTest.keyClick(window, Qt.Key_F5)
    assert not panel.is_running() and window.doc.project.runs.runs == []
    assert "Fix the settings marked in red first" in shown(panel.status)
    assert text in panel.settings_msg.text() and panel.settings_msg.isVisibleTo(panel)
