"""The training lab with real clicks: pause, step one batch, resume, replay, the runs table and the seed."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from playground.core import project
from playground.core.graph import chain
from playground.resources_path import preset_text


def digits_project(epochs=1, batch_size=8, seed=3):
    g = chain(("input", {"shape": [28, 28, 1]}), ("flatten", {}), ("dense", {"units": 8, "activation": "relu"}),
              ("dropout", {"rate": 0.2}), ("dense", {"units": 10, "activation": "softmax"}))
    return project.Project(g, "lab", training={**project.DEFAULT_TRAINING, "epochs": epochs, "batch_size": batch_size,
                                               "validation_split": 0.0, "seed": seed})


def gate_project(epochs=10):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
              ("dense", {"units": 1, "activation": "sigmoid"}))
    return project.Project(g, "tiny", training={**project.DEFAULT_TRAINING, "dataset": "gate-xor",
                                                "learning_rate": 0.1, "batch_size": 4, "epochs": epochs,
                                                "validation_split": 0.0, "seed": 0})


def click(widget):
    assert widget.isEnabled(), widget.text()
    QTest.mouseClick(widget, Qt.LeftButton)


def click_row(table, row, modifier=Qt.NoModifier):
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.LeftButton, modifier, rect.center())


def trained(window, qtbot, proj):
    """``proj`` opened, the Train workspace shown, Start clicked and the run finished: the Train panel."""
    window.load_project(proj, None)
    window.set_workspace("Train")
    panel = window.train_panel
    click(panel.start_btn)
    finish(qtbot, panel)
    return panel


def wait_paused(qtbot, panel):
    qtbot.waitUntil(lambda: panel.paused, timeout=60_000)
    qtbot.wait(20)  # let queued batch signals land (there must be none)


def finish(qtbot, panel, timeout=120_000):
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=timeout)
    qtbot.wait(50)


def running(window, qtbot, proj, batches):
    """Open ``proj``, Train, click Start, and wait until ``batches`` batches have trained; the panel."""
    window.load_project(proj, None)
    window.set_workspace("Train")
    panel = window.train_panel
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= batches, timeout=120_000)
    return panel


def test_pause_step_resume_and_replay_with_clicks(window, qtbot):
    panel = running(window, qtbot, digits_project(batch_size=16), 3)  # 625 batches: room to pause mid-epoch
    click(panel.pause_btn)
    wait_paused(qtbot, panel)
    steps = panel.steps
    n = panel.batches_done
    assert 3 <= n < steps  # mid-epoch
    assert f"{n} batches trained" in panel.counter.text()
    assert f"batch {n}/{steps}" in panel.progress.format() and panel.progress.format().endswith(" \u00b7 paused"), \
        panel.progress.format()  # the bar says where it paused, as the counter does (it said "stepping")
    shown = {k: v.copy() for k, v in window.graph.by_name("dense").weights.items()}
    assert shown  # the weights after the last batch are in the network while paused
    assert window.doc.trained_model is not None and window.doc.trained_outcome.result.stopped == "paused"
    qtbot.wait(400)
    assert panel.batches_done == n  # the batch counter stops
    assert panel.plots.buffers["batch_loss"].n == n

    click(panel.step_btn)
    qtbot.waitUntil(lambda: panel.paused, timeout=60_000)
    qtbot.wait(300)
    assert panel.batches_done == n + 1  # exactly one more batch
    stepped = window.graph.by_name("dense").weights
    assert not np.array_equal(stepped["kernel"], shown["kernel"])  # and the weights shown moved with it
    click(panel.step_btn)
    qtbot.waitUntil(lambda: panel.paused, timeout=60_000)
    qtbot.wait(300)
    assert panel.batches_done == n + 2
    # the bar says where the run is, as the counter does (it kept the batch it was paused at), and no ETA
    assert f"batch {n + 2}/{steps}" in panel.progress.format() and panel.progress.format().endswith(" \u00b7 paused"), \
        panel.progress.format()
    assert f"batch {n + 2} of {steps}" in panel.counter.text()

    click(panel.pause_btn)  # now reads "Resume"
    finish(qtbot, panel)
    assert panel.outcome is not None, panel.status.text()
    assert panel.outcome.result.stopped == "finished"
    assert panel.batches_done == steps
    assert panel.progress.format().startswith(f"epoch 1/1 \u00b7 batch {steps}/{steps} \u00b7 loss ")
    assert panel.progress.format().endswith(" \u00b7 finished") and panel.progress.value() == 1000
    history = window.doc.project.runs
    assert [r.number for r in history.runs] == [1]
    first = history.runs[0]
    assert len(first.batch_loss) == steps and first.seed == 3

    # one undo step takes the whole run back, weights and history entry alike, and its progress (the bar kept 20 %)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert not window.graph.by_name("dense").weights and not history.runs
    assert panel.progress.value() == 0 and panel.progress.format() == "%p%" and panel.counter.text() == ""
    window.stack.redo()
    assert [r.number for r in history.runs] == [1]

    table = panel.runs_table
    assert table.table.rowCount() == 1
    click_row(table.table, 0)
    click(table.replay_btn)
    finish(qtbot, panel)
    assert [r.number for r in history.runs] == [1, 2]
    replay = history.runs[1]
    assert replay.replay_of == 1
    assert replay.same_result(first)  # curves, test accuracy and final weights, bit for bit
    np.testing.assert_array_equal(replay.batch_loss, first.batch_loss)
    assert "identical" in panel.status.text()
    assert "identical" in table.table.item(0, table.table.columnCount() - 1).text()


def test_stop_while_paused_ends_the_run(window, qtbot):
    window.load_project(digits_project(epochs=50), None)
    window.set_workspace("Train")
    panel = window.train_panel
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 2, timeout=120_000)
    click(panel.pause_btn)
    wait_paused(qtbot, panel)
    n = panel.batches_done
    shown = {k: v.copy() for k, v in window.graph.by_name("dense").weights.items()}
    click(panel.stop_btn)
    finish(qtbot, panel)
    result = panel.outcome.result
    assert result.stopped == "stopped"
    # the run ends where it was paused: the batch it was about to start never trains, so the network keeps the
    # weights shown while paused, and the run says so
    assert panel.batches_done == n and panel.plots.buffers["batch_loss"].n == n
    for name, values in window.graph.by_name("dense").weights.items():
        np.testing.assert_array_equal(values, shown[name])
    assert result.stopped_at == {"epoch": 1, "batch": n, "steps": panel.steps}
    assert f"batch {n} of {panel.steps}; the weights are those after batch {n}." in result.message
    # the bar says where it stopped (it said a bare "0%")
    assert panel.progress.format().startswith(f"epoch 1/50 \u00b7 batch {n}/{panel.steps} \u00b7 loss ")
    assert panel.progress.format().endswith(" \u00b7 stopped"), panel.progress.format()
    assert panel.progress.value() == int(1000 * n / panel.steps / 50)  # its fill where the text says
    run = window.doc.project.runs.runs[-1]
    assert run.stopped == "stopped" and len(run.batch_loss) == n
    table = panel.runs_table.table
    column = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("epochs")
    trained, of = table.item(0, column).text().split("/")  # not "0/50" for n batches of epoch 1
    assert of == "50" and n / panel.steps - 0.01 < float(trained) <= n / panel.steps and float(trained) > 0
    # its replay stops where it stopped, and is the same run (a new-user drive: it trained all 50 epochs, then
    # said "one ran 12 batches, the other 213")
    replay_last(window, qtbot, panel)
    first, replay = window.doc.project.runs.runs[-2:]
    assert replay.replay_of == first.number and len(replay.batch_loss) == n and replay.same_result(first)
    assert "identical" in panel.status.text()


def replay_last(window, qtbot, panel):
    """Select the newest run in the Runs tab and click Replay; wait for it to end."""
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(panel.tabs.indexOf(panel.runs_table)).center())
    table = panel.runs_table
    click_row(table.table, 0)
    click(table.replay_btn)
    finish(qtbot, panel)


def test_a_run_stopped_while_running_replays_to_the_same_batch(window, qtbot):
    panel = running(window, qtbot, digits_project(epochs=50), 5)
    click(panel.stop_btn)
    finish(qtbot, panel)
    first = window.doc.project.runs.runs[-1]
    assert first.stopped == "stopped" and 5 <= len(first.batch_loss) < first.steps
    replay_last(window, qtbot, panel)
    replay = window.doc.project.runs.runs[-1]
    assert replay.replay_of == first.number and replay.same_result(first), first.first_difference(replay)


def test_seed_is_a_document_setting_with_undo(window, qtbot):
    window.load_project(gate_project(), None)
    window.set_workspace("Train")
    panel = window.train_panel
    box = panel.seed
    box.selectAll()
    QTest.keyClicks(box, "42")
    QTest.keyClick(box, Qt.Key_Return)
    assert window.doc.training["seed"] == 42
    click(panel.new_seed_btn)
    drawn = window.doc.training["seed"]
    assert isinstance(drawn, int) and drawn != 42 and box.value() == drawn
    window.stack.undo()
    assert window.doc.training["seed"] == 42 and box.value() == 42


def test_a_project_without_a_seed_records_the_one_drawn_so_the_run_replays(window, qtbot):
    proj = gate_project()
    proj.training["seed"] = None  # an older or hand-made file: a new seed each run
    panel = trained(window, qtbot, proj)
    first = window.doc.project.runs.runs[0]
    assert first.settings["seed"] == first.seed and isinstance(first.seed, int)
    assert window.doc.training["seed"] is None  # the setting stays as it was
    click_row(panel.runs_table.table, 0)
    click(panel.runs_table.replay_btn)
    finish(qtbot, panel)
    assert window.doc.project.runs.runs[1].same_result(first)


def two_gate_runs(window, qtbot):
    """The XOR gate trained twice in Train, at learning rates 0.1 and 0.05 typed in the field. The panel."""
    window.load_project(gate_project(), None)
    window.set_workspace("Train")
    panel = window.train_panel
    for lr in ("0.1", "0.05"):
        panel.lr.selectAll()
        QTest.keyClicks(panel.lr, lr)
        click(panel.start_btn)
        finish(qtbot, panel)
    return panel


def test_runs_overlay_restore_limits_and_file(window, qtbot, tmp_path):
    panel = two_gate_runs(window, qtbot)
    history = window.doc.project.runs
    assert [r.number for r in history.runs] == [1, 2]
    assert history.runs[1].settings["learning_rate"] == 0.05
    table = panel.runs_table
    # newest first: row 0 is run 2; select both to overlay them
    click_row(table.table, 0)
    click_row(table.table, 1, Qt.ControlModifier)
    assert panel.plots.overlaid == [1, 2]
    assert len(panel.plots.overlays) == 4  # loss and accuracy for each
    assert not table.replay_btn.isEnabled()  # one run at a time, and the buttons say so
    assert not table.restore_btn.isEnabled() and "Select one run" in table.restore_btn.toolTip()
    assert "Select one run" in table.replay_btn.toolTip()

    # restore run 1's weights: one undo step
    click_row(table.table, 1)
    assert panel.plots.overlaid == [1]
    dense = window.graph.by_name("dense")
    after_run2 = dense.weights["kernel"].copy()
    click(table.restore_btn)
    run1_end = history.weights_of(history.runs[0].end_digest)
    np.testing.assert_array_equal(dense.weights["kernel"], run1_end[dense.id]["kernel"])
    window.stack.undo()
    np.testing.assert_array_equal(dense.weights["kernel"], after_run2)

    # the limit drops the oldest run, as one undo step
    table.limit.selectAll()
    QTest.keyClicks(table.limit, "1")
    QTest.keyClick(table.limit, Qt.Key_Return)
    assert [r.number for r in history.runs] == [2] and history.limit == 1
    assert "Dropped the 1 oldest" in table.msg.text()
    window.stack.undo()
    assert [r.number for r in history.runs] == [1, 2] and history.limit == 20

    # the history is saved with the project and comes back with it
    path = tmp_path / "lab.json"
    project.save(window.doc.project, path)
    window.load_project(project.load(path), path)
    assert [r.number for r in window.doc.project.runs.runs] == [1, 2]
    assert table.table.rowCount() == 2
    assert window.doc.project.runs.runs[0].same_result(history.runs[0])


def test_delete_runs_is_undoable(window, qtbot):
    panel = trained(window, qtbot, gate_project(epochs=5))
    table = panel.runs_table
    click_row(table.table, 0)
    click(table.delete_btn)
    assert table.table.rowCount() == 0 and not window.doc.project.runs.runs
    window.stack.undo()
    assert table.table.rowCount() == 1


def test_keys_pause_step_and_resume(window, qtbot):
    window.load_project(digits_project(epochs=2), None)
    window.set_workspace("Train")
    panel = window.train_panel
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 2, timeout=120_000)
    panel.stop_btn.setFocus()
    QTest.keyClick(panel.stop_btn, Qt.Key_Space)  # Space, with the focus in the Train panel
    wait_paused(qtbot, panel)
    n = panel.batches_done
    QTest.keyClick(window, Qt.Key_F7)  # step
    qtbot.waitUntil(lambda: panel.paused, timeout=60_000)
    qtbot.wait(300)
    assert panel.batches_done == n + 1
    QTest.keyClick(window, Qt.Key_F6)  # resume
    qtbot.waitUntil(lambda: not panel.paused and panel.batches_done > n + 1, timeout=60_000)
    panel.stop()
    finish(qtbot, panel)


def test_a_run_cut_short_by_opening_another_project_stays_out_of_it(window, qtbot):
    window.load_project(gate_project(epochs=100000), None)
    window.set_workspace("Train")
    panel = window.train_panel
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 3, timeout=120_000)
    other = digits_project()
    window.load_project(other, None)
    qtbot.wait(300)  # the ended run's signals arrive after the switch
    assert not panel.is_running()
    assert window.doc.project.runs.runs == [] and panel.runs_table.table.rowCount() == 0
    assert not any(n.weights for n in window.graph.nodes.values())
    assert window.stack.count() == 0


@pytest.mark.parametrize("same_network", [True, False])
def test_restore_takes_a_run_saved_with_kerass_old_names_for_unnamed_variables(window, qtbot, tmp_path,
                                                                              same_network):
    """A project from before an unnamed variable's key was its place in its layer (ConvNeXt's LayerScale) kept its
    runs' weights as Keras named them then ("variable_18"); a run trained since keys it "variable". Restore maps
    the old names by position, as loading the project into Keras does, instead of refusing the old run."""
    import keras
    from keras.src.applications.convnext import LayerScale

    from playground.backend import model_import
    from playground.core import runs
    inp = keras.Input((4, 4, 3))
    x = LayerScale(1e-6, 3, name="scale")(keras.layers.Conv2D(3, 1, name="c")(inp))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax", name="out")(keras.layers.Flatten()(x)))
    model.save(tmp_path / "m.keras")
    rng = np.random.default_rng(0)  # data this network can train on (Start is off for data that cannot)
    np.savez(tmp_path / "d.npz", x_train=rng.uniform(size=(8, 4, 4, 3)), y_train=np.arange(8) % 2,
             x_test=rng.uniform(size=(4, 4, 4, 3)), y_test=np.arange(4) % 2)
    graph = model_import.import_model(tmp_path / "m.keras")
    scale = graph.by_name("scale")
    assert list(scale.weights) == ["variable"]
    old = {nid: dict(node.weights) for nid, node in graph.nodes.items() if node.weights}
    old[scale.id] = {"variable_18": np.full(3, 0.25, np.float32)}  # as a run of the old version kept it
    # the network the run trained: this one, or one changed since (then each layer's weights are checked to fit)
    trained = runs.fingerprint(graph) if same_network else "0" * 32
    run = runs.make_run(0, "2026-12-01T10:00:00Z", 1.0, {}, 0, trained, runs.EMPTY_DIGEST,
                        runs.weights_digest(old), 1, [1.0], [0.5], {})
    proj = project.Project(graph, "old", runs=runs.RunHistory().added(run, end=old),
                           training={**project.DEFAULT_TRAINING, "dataset": str(tmp_path / "d.npz"), "epochs": 1,
                                     "batch_size": 4, "validation_split": 0.0})
    window.load_project(proj, None)
    window.set_workspace("Train")
    table = window.train_panel.runs_table
    click_row(table.table, 0)
    click(table.restore_btn)
    assert "Restored the weights of run #1" in table.msg.text(), table.msg.text()
    np.testing.assert_array_equal(window.graph.by_name("scale").weights["variable"], np.full(3, 0.25, np.float32))
    assert list(window.graph.by_name("scale").weights) == ["variable"]
    # Start, continuing from them, says whose weights they are (the digest of the old names matched nothing)
    panel = window.train_panel
    click(panel.data_box.allow_btn)  # the project's data, read once the user says so (test_data_a_file_names)
    click(panel.start_btn)
    said = panel.status.text().replace("&#x27;", "'")  # rich text: the apostrophe is escaped
    assert "from run #1's trained weights" in said, said
    finish(qtbot, panel)
    window.stack.undo()  # the run
    np.testing.assert_array_equal(window.graph.by_name("scale").weights["variable"], np.full(3, 0.25, np.float32))
    window.stack.undo()  # the restore
    assert not np.array_equal(window.graph.by_name("scale").weights["variable"], np.full(3, 0.25, np.float32))


def test_a_run_of_one_batch_an_epoch_is_not_smoothed_behind_its_epoch_points(window, qtbot):
    """The smoothed curve averages over about a quarter of an epoch at most: with one batch an epoch (a gate's
    truth table), each batch is its epoch, so the smoothed curve, live and overlaid, ends on the last epoch point
    instead of lagging ten batches behind it."""
    panel = trained(window, qtbot, gate_project(epochs=12))
    plots = panel.plots
    last_epoch = float(plots.buffers["epoch_loss"].y[plots.buffers["epoch_loss"].n - 1])
    first_epoch = float(plots.buffers["epoch_loss"].y[0])
    assert abs(first_epoch - last_epoch) > 1e-3  # the loss moved, so a lagging curve would show it
    smooth = plots.buffers["smooth_loss"]
    assert smooth.y[smooth.n - 1] == pytest.approx(last_epoch, rel=1e-5)
    assert plots.overlaid == [1]
    _, y = plots.overlays[0].getData()  # "run 1": loss
    assert float(y[-1]) == pytest.approx(last_epoch, rel=1e-5)


def test_a_run_stopped_mid_epoch_draws_no_epoch_point_past_its_last_batch(window, qtbot):
    """Keras ends a stopped epoch with its epoch-end logs (the mean of the batches run so far, and a validation
    pass): drawn at epoch 1.0 they stood far to the right of where the curves stop. A cut epoch has no point."""
    panel = running(window, qtbot, digits_project(epochs=2, batch_size=16), 20)  # 625 batches an epoch
    click(panel.stop_btn)
    finish(qtbot, panel)
    assert panel.outcome.result.stopped == "stopped"
    plots = panel.plots
    last_x = float(plots.buffers["batch_loss"].x[plots.buffers["batch_loss"].n - 1])
    assert last_x < 0.5
    for key in ("epoch_loss", "val_loss", "epoch_acc", "val_acc"):
        buf = plots.buffers[key]
        assert all(x <= last_x + 1e-9 for x in buf.x[:buf.n]), (key, buf.x[:buf.n], last_x)
    # and the results say how far it trained (a new-user drive: stopped at batch 287 of 594, they said "1 epoch")
    at = panel.outcome.result.stopped_at
    assert f"{at['batch']:,} of {at['steps']:,} batches of epoch 1 in" in panel.results_label.text()
    # the x axis of a run that ends early in its first epoch still reads in epochs (a drive saw "epoch (x0.001)"
    # under ticks 0-200: pyqtgraph's SI prefix)
    qtbot.wait(50)
    for plot in (plots.loss_plot, plots.acc_plot):
        axis = plot.getAxis("bottom")
        assert axis.autoSIPrefixScale == 1.0 and "x0.0" not in axis.labelString(), axis.labelString()


def test_training_step_neurons_says_that_gradient_descent_cannot_move_them(window, qtbot):
    """A step has no slope: trained through Keras, a hand-built gate's step neurons never change, and the run ends
    at chance with nothing said. Start says why, and where the gate can learn (Logic lab's Learn instead)."""
    from playground.resources_path import preset_text
    proj = project.loads(preset_text("xnor-case1"))
    window.load_project(proj, None)
    window.set_workspace("Logic lab")
    panel = window.train_panel
    # a gate of step neurons alone: nothing can learn, so Start is off and F5 says why (a drive pressed F5 in the
    # Logic lab: a 300-epoch run started, changed nothing, and stayed in the history and on the undo stack)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_F5)
    assert window.workspace == "Train" and not panel.is_running()
    assert not panel.start_btn.isEnabled() and "can learn through them" in panel.start_btn.toolTip()
    said = panel.status.text()
    assert "a step has no slope" in said and "Learn instead" in said and "Start would change nothing" in said, said
    assert not window.doc.project.runs.runs and not window.doc.stack.canUndo()
    # one sigmoid neuron among them: that one learns, so it trains, and Start says the step ones will not move
    proj.graph.by_name("or").params["activation"] = "sigmoid"
    window.load_project(proj, None)
    window.set_workspace("Train")
    assert panel.start_btn.isEnabled()
    click(panel.start_btn)
    said = window.statusBar().currentMessage()
    assert said.startswith("and_nor: a step has no slope") and "Learn instead" in said, said
    click(panel.stop_btn)
    finish(qtbot, panel)


def test_undoing_a_run_clears_its_curves_and_says_so(window, qtbot):
    """Ctrl+Z after a run takes back its weights and its Runs entry; the curves and the status line described it
    still. They are cleared, with a line that says what happened."""
    panel = trained(window, qtbot, gate_project(epochs=5))
    assert panel.plots.buffers["batch_loss"].n == 5 and "Run #1" in panel.status.text(), (panel.status.text(), panel.form.settings_msg.text(), window.doc.training)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert not window.doc.project.runs.runs
    assert panel.plots.buffers["batch_loss"].n == 0 and panel.plots.buffers["epoch_loss"].n == 0
    assert "Run #1 left the history (undone" in panel.status.text(), panel.status.text()


def test_a_finished_run_is_framed_whole_from_its_first_batch(window, qtbot):
    """While a run trains, each epoch end tightens the loss axis to its last batches (the detail of what is
    happening now). When it ends, the run is one curve to read whole: the axis goes back up to its first batches."""
    panel = trained(window, qtbot, digits_project(epochs=3, batch_size=64))  # 157 batches an epoch
    plots = panel.plots
    _, y = plots.overlays[0].getData()  # "run 1": its smoothed loss, from the first batch
    top = plots.loss_plot.getViewBox().viewRange()[1][1]
    assert float(np.nanmax(y)) <= top, (float(np.nanmax(y)), top)
    right = plots.loss_plot.getViewBox().viewRange()[0][1]
    assert right >= 3.0


def test_undo_and_redo_of_a_run_say_so_and_leave_no_stale_count(window, qtbot):
    """A new-user drive: after Ctrl+Z the counter still said "10 batches trained"; after Ctrl+Y the status still
    said the run had left the history (Ctrl+Y brings it back), with the run back in the table."""
    panel = trained(window, qtbot, gate_project())
    assert "10 batches trained" in panel.counter.text()
    ended = (panel.progress.value(), panel.progress.text())
    assert ended[0] == 1000 and ended[1].endswith("finished"), ended
    panel.runs_table.table.setFocus()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    qtbot.wait(20)
    assert not window.doc.project.runs.runs and panel.counter.text() == ""
    assert "left the history" in panel.status.text()
    QTest.keyClick(window, Qt.Key_Y, Qt.ControlModifier)
    qtbot.wait(20)
    assert [r.number for r in window.doc.project.runs.runs] == [1]
    assert "Run #1 is back" in panel.status.text() and "Run #1" in panel.results.label.text()
    # and the bar and the count with it (the bar stayed empty, "0%", beside the run it had ended)
    assert (panel.progress.value(), panel.progress.text()) == ended and "10 batches trained" in panel.counter.text()
    # undone again, then another project with a run #1 opened: that run never left, so it is not "back"
    saved = project.dumps(window.doc.project)
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert "left the history" in panel.status.text()
    window.load_project(project.loads(saved), None)
    qtbot.wait(20)
    assert [r.number for r in window.doc.project.runs.runs] == [1]
    assert "is back" not in panel.status.text(), panel.status.text()


def test_the_bar_names_how_a_run_ended():
    """A run that early stopping or a NaN loss ended read "stopped", as if the user had (a review)."""
    from playground.ui import progress_text
    assert progress_text.bar(0, 9, 50, 3, 0.25, progress_text.ENDS["early"]) == \
        "epoch 1/3 \u00b7 batch 10/50 \u00b7 loss 0.2500 \u00b7 stopped early"
    assert progress_text.bar(2, 49, 50, 3, 0.5, progress_text.ENDS["nan"]).endswith("stopped: NaN (not a number)")
    # (the loss or the weights: a run whose weights became NaN under a loss of 3e30 wrote that loss in 35 digits,
    # wider than the bar)
    assert progress_text.bar(0, 1, 2, 1, 2.974e30, progress_text.ENDS["nan"]) == \
        "epoch 1/1 \u00b7 batch 2/2 \u00b7 loss 2.97e+30 \u00b7 stopped: NaN (not a number)"
    assert progress_text.bar(0, 0, 50, 3, 0.5, None, 65).endswith("ETA 1:05")


def test_the_smoothed_curve_does_not_hang_on_the_first_batch(qtbot):
    """A new-user drive: at batch 7 the batch loss was 0.63 and the smoothed curve still about 2.0, above the raw
    curve for half an epoch. Started from the first batch's value, the average gave that one batch half its weight
    (0.9^6) seven batches on. Debiased (as TensorBoard smooths), each batch weighs less the older it is, the first
    no more than the rest; live and redrawn curves agree."""
    from playground.ui.plots import TrainingPlots, ema
    y = np.linspace(2.3, 0.63, 7)
    s = ema(y, 0.9)
    assert s[0] == y[0] and s[-1] < y.mean()  # recent batches count more than the first
    assert np.allclose(ema(np.full(9, 0.5), 0.9), 0.5) and np.array_equal(ema(y, 0.0), y)
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.begin(1, steps=400)
    for i, v in enumerate(y):
        plots.add_batch((i + 1) / 400, float(v), 0.5)
    smooth = plots.buffers["smooth_loss"]
    assert np.allclose(smooth.y[:smooth.n], ema(y, plots.live_smoothing))


def test_two_runs_overlaid_at_1280x720_keep_their_legend_inside_the_plots(window, qtbot):
    """A new-user drive: two runs overlaid at 1280x720 put their legend in two columns wider than the plot, its
    left column cut off at the plot's edge ("ain)", ".001, fresh start)")."""
    window.resize(1280, 720)
    panel = two_gate_runs(window, qtbot)
    table = panel.runs_table
    bar = panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(2).center())  # Runs
    click_row(table.table, 0)
    click_row(table.table, 1, Qt.ControlModifier)
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(0).center())  # Curves
    qtbot.wait(50)
    assert panel.plots.overlaid == [1, 2]
    for plot in (panel.plots.loss_plot, panel.plots.acc_plot):
        item = plot.getPlotItem()
        labels = [label.text for _sample, label in item.legend.items]
        assert any(t.startswith("run 1 (") for t in labels), labels
        view, legend = item.getViewBox().sceneBoundingRect(), item.legend.sceneBoundingRect()
        assert view.contains(legend), (labels, legend, view)
        under = [(x, y) for curve in item.listDataItems() if curve.isVisible() and curve.getData()[0] is not None
                 for x, y in zip(*curve.getData(), strict=True)
                 if legend.contains(item.getViewBox().mapViewToScene(QPointF(float(x), float(y))))]
        if plot is panel.plots.loss_plot:  # and where no curve is (the loss's top right was full of them)
            assert under == [], (labels, under)


def test_space_in_a_settings_field_pauses_the_run_and_leaves_the_number(window, qtbot):
    """A drive typed batch size 16, Enter, F5, then Space as the Pause button says: the space replaced the selected
    "16" (the field blank and red) and the run went on. A space is never part of a number: it is the panel's key."""
    window.load_project(digits_project(epochs=2), None)
    window.set_workspace("Train")
    panel = window.train_panel
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    box = panel.form.batch
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "16")
    QTest.keyClick(box, Qt.Key_Return)
    assert window.project.training["batch_size"] == 16
    box.selectAll()  # as Enter leaves it, with "16" selected
    QTest.keyClick(window, Qt.Key_F5)
    qtbot.waitUntil(lambda: panel.batches_done >= 2, timeout=120_000)
    QTest.keyClick(box, Qt.Key_Space)
    wait_paused(qtbot, panel)
    assert box.lineEdit().text() == "16" and not box.refusing
    QTest.keyClick(box, Qt.Key_Space)  # and Space again resumes
    qtbot.waitUntil(lambda: not panel.paused, timeout=60_000)
    panel.stop()
    finish(qtbot, panel)
    QTest.keyClick(box, Qt.Key_Space)  # with no run, a space in the field is still no character of it
    assert box.lineEdit().text() == "16" and not box.refusing
    lr = panel.form.lr  # the learning rate too (a second drive: "0.004 " typed, no pause)
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 2, timeout=120_000)
    lr.setFocus()
    before = lr.text()
    QTest.keyClick(lr, Qt.Key_Space)
    wait_paused(qtbot, panel)
    assert lr.text() == before
    panel.stop()
    finish(qtbot, panel)


def test_a_paused_run_shows_its_whole_loss_curve_and_resuming_zooms_back_in(window, qtbot):
    """A drive paused at epoch 6 to study the curves: the loss axis topped out at 0.25, its epoch ends having
    tightened it to the last 200 batches, and the start of the curve was cut off. Paused, the axis takes the whole
    run; resumed, the live view tightens again."""
    panel = running(window, qtbot, digits_project(epochs=3, batch_size=16), 700)  # 625 batches an epoch
    plots = panel.plots
    qtbot.waitUntil(lambda: plots.loss_top > 0, timeout=10_000)
    smooth = plots.buffers["smooth_loss"]
    tightened = plots.loss_plot.viewRange()[1][1]
    assert tightened < float(np.nanmax(smooth.y[:smooth.n]))  # the live view: the start is above it
    panel.pause_btn.setFocus()
    QTest.keyClick(panel.pause_btn, Qt.Key_Space)
    wait_paused(qtbot, panel)
    top = plots.loss_plot.viewRange()[1][1]
    assert top >= float(np.nanmax(smooth.y[:smooth.n]))  # every point of the smoothed curve in view
    QTest.keyClick(panel.pause_btn, Qt.Key_Space)  # resume
    qtbot.waitUntil(lambda: not panel.paused, timeout=10_000)
    assert plots.loss_plot.viewRange()[1][1] < top
    panel.stop()
    finish(qtbot, panel)


def test_a_network_changed_during_a_run_keeps_its_layers_and_the_run_keeps_its_weights(window, qtbot):
    """A drive typed 16 filters into the first Conv2D while a run trained the 32-filter network: the run's end wrote
    its 32-filter weights into the 16-filter layer (both convolutions red, Start off, export failed). The run is
    recorded with its weights; the changed layers are left as the user made them, and the status says why."""
    from test_build_by_hand import click_card, type_field
    g = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("flatten", {}),
              ("dense", {"units": 10, "activation": "softmax"}))
    proj = project.Project(g, "lab", training={**project.DEFAULT_TRAINING, "epochs": 2, "batch_size": 8,
                                               "validation_split": 0.0, "seed": 3})
    panel = running(window, qtbot, proj, 5)
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    conv = window.graph.by_name("conv2d")
    click_card(window, conv.id)
    type_field(window.inspector.fields["filters"], "6")
    assert conv.params["filters"] == 6
    panel.stop()
    finish(qtbot, panel)
    run = window.doc.project.runs.runs[-1]
    assert window.doc.project.runs.weights_of(run.end_digest) is not None  # the run's weights, kept with it
    assert not conv.weights or conv.weights["kernel"].shape[-1] == 6  # nothing of 4 filters in a 6-filter layer
    assert window.doc.shapes.first_error() is None
    assert "changed during the run" in panel.status.text()


def test_ctrl_z_while_a_run_trains_waits_and_the_run_before_it_stays(window, qtbot):
    """A drive pressed Ctrl+Z while a run continued from run #1: it took run #1 out of the history, and the new
    run's landing dropped it for good (numbered #1 in its place). Undo and redo wait while a run trains."""
    panel = trained(window, qtbot, gate_project(epochs=2))
    assert [r.number for r in window.doc.project.runs.runs] == [1]
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    epochs = panel.form.epochs_box
    epochs.setFocus()
    epochs.selectAll()
    QTest.keyClicks(epochs, "100000")  # long enough to be pressed during
    QTest.keyClick(epochs, Qt.Key_Return)
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 3, timeout=60_000)
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert "Undo waits while a run trains" in window.statusBar().currentMessage()
    assert [r.number for r in window.doc.project.runs.runs] == [1]
    panel.stop()
    finish(qtbot, panel)
    assert [r.number for r in window.doc.project.runs.runs] == [1, 2]
    window.view.setFocus()
    QTest.keyClick(window, Qt.Key_Z, Qt.ControlModifier)  # after it: the run taken back, as before
    assert [r.number for r in window.doc.project.runs.runs] == [1]


def test_opening_a_preset_while_a_run_trains_asks_first(window, qtbot):
    """A drive pressed F5 on a saved project, then chose File > New from preset: the run was dropped without a
    question (the running run is not yet in the document, so nothing counted as unsaved)."""
    from menus import choose_preset  # tests/ui/menus.py
    asked = []
    window.ask_save = lambda: asked.append(1) or "cancel"
    panel = running(window, qtbot, gate_project(epochs=100000), 3)
    window.doc.stack.setClean()  # as saved
    from pytestqt.exceptions import TimeoutError as NeverOpened
    with pytest.raises(NeverOpened):  # (the helper waits for the preset to open: it does not, the answer is Cancel)
        choose_preset(window, qtbot, "mnist-mlp")
    assert asked and panel.is_running() and window.project.name == "tiny"
    window.ask_save = lambda: "discard"
    choose_preset(window, qtbot, "mnist-mlp")
    assert window.project.name == "mnist-mlp"
    finish(qtbot, panel)


def test_restore_and_replay_wait_while_a_run_trains(window, qtbot):
    """A drive clicked Restore during a run: 'Restored the weights of run #1', then the run's end put its own back;
    Replay did nothing and said nothing. Both say the run must be stopped first, and change nothing."""
    panel = two_gate_runs(window, qtbot)
    table = panel.runs_table
    epochs = panel.form.epochs_box
    epochs.setFocus()
    epochs.selectAll()
    QTest.keyClicks(epochs, "100000")
    QTest.keyClick(epochs, Qt.Key_Return)
    click(panel.start_btn)
    qtbot.waitUntil(lambda: panel.batches_done >= 3, timeout=60_000)
    click_row(table.table, 1)  # run 1
    steps = window.stack.count()
    for button, says in ((table.restore_btn, "restore the weights"), (table.replay_btn, "replay")):
        if button.isEnabled():
            click(button)
            assert says in table.msg.text() and window.stack.count() == steps and panel.is_running()
    assert "stop it first" in table.msg.text()
    panel.stop()
    finish(qtbot, panel)


def test_a_reopened_run_stopped_mid_epoch_says_how_far_it_went(window, qtbot, tmp_path):
    """A drive stopped a run at epoch 2, batch 19 of 50, saved and reopened: Results said "2 epochs" (the records
    of a part epoch counted whole) where the Runs table said 1.38."""
    panel = running(window, qtbot, digits_project(epochs=3, batch_size=200), 70)  # 50 batches an epoch
    click(panel.pause_btn)  # paused first, so a busy machine cannot carry the run on to an epoch's end
    wait_paused(qtbot, panel)
    if panel.batches_done % 50 == 0:
        click(panel.step_btn)
        qtbot.waitUntil(lambda: panel.paused and panel.batches_done % 50, timeout=60_000)
    panel.stop()
    finish(qtbot, panel)
    run = window.doc.project.runs.runs[-1]
    from playground.core import runs as runs_core
    done = runs_core.epochs_trained(run)
    assert 1 < float(done) < 3 and not float(done).is_integer()
    path = tmp_path / "stopped.json"
    project.save(window.doc.project, path)
    window.load_project(project.loads(preset_text("and")), None)
    assert window.open_file(path)
    window.set_workspace("Train")
    assert f"{done} epochs in" in window.train_panel.results.label.text()


def test_f6_and_f7_pause_and_step_from_see_inside(window, qtbot):
    """A drive paused to watch the filters in See inside: F6 and F7 did nothing there (the panel's shortcuts lived
    on the hidden Train panel), though the README says F6 works anywhere. They are the Train menu's now."""
    panel = running(window, qtbot, digits_project(epochs=2), 3)
    QTest.mouseClick(window.workspaces.buttons["See inside"], Qt.LeftButton)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    QTest.keyClick(window, Qt.Key_F6)
    wait_paused(qtbot, panel)
    n = panel.batches_done
    QTest.keyClick(window, Qt.Key_F7)
    qtbot.waitUntil(lambda: panel.paused and panel.batches_done == n + 1, timeout=60_000)
    QTest.keyClick(window, Qt.Key_F6)
    qtbot.waitUntil(lambda: not panel.paused and panel.batches_done > n + 1, timeout=60_000)
    assert window.workspace == "See inside"
    panel.stop()
    finish(qtbot, panel)


def test_the_runs_tables_loss_says_which_loss_it_is(window):
    """A drive read the Runs table's "last loss" against the bar's last batch: the table's is the last epoch's
    mean, and its header says so."""
    window.set_workspace("Train")
    table = window.train_panel.runs_table.table
    col = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())].index("epoch loss")
    assert "last epoch's mean training loss" in table.horizontalHeaderItem(col).toolTip()
