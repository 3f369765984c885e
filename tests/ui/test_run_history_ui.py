"""The runs table on a hostile run history (issue 23, item 6): a restore of weights that do not fit is refused
whole, with one message, before any undo command exists; a run that does not name its dataset is not
replayable and says why."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from playground.core import project, runs
from playground.core.graph import chain
from measures import CountingStyle  # tests/ui/measures.py


def hostile_project(end_weights, settings):
    g = chain(("input", {"shape": [4]}), ("dense", {"units": 2}))
    dense = g.by_name("dense")
    g.set_weights(dense.id, {"kernel": np.ones((4, 2), np.float32), "bias": np.ones(2, np.float32)})
    end = {dense.id: end_weights}
    run = runs.make_run(1, "2026-11-25T16:00:00Z", 1.0, settings, 7, runs.fingerprint(g), runs.EMPTY_DIGEST,
                        runs.weights_digest(end), 1, [1.0], [0.5], {})
    proj = project.Project(g, "hostile", runs=runs.RunHistory().added(run, {}, end))
    return project.loads(project.dumps(proj))  # through the file format and its checks


def click_row(table, row):
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())


def test_restore_of_weights_with_the_wrong_shape_is_refused_whole(window):
    bad = {"kernel": np.zeros((3, 5), np.float32), "bias": np.zeros(2, np.float32)}
    window.load_project(hostile_project(bad, {"dataset": "gate-and", "epochs": 1}), None)
    window.set_workspace("Train")
    table = window.train_panel.runs_table
    click_row(table.table, 0)
    assert table.restore_btn.isEnabled()
    steps = window.stack.count()
    QTest.mouseClick(table.restore_btn, Qt.LeftButton)
    assert window.stack.count() == steps  # no command was pushed
    assert "were not restored (nothing changed)" in table.msg.text() and "kernel 3x5" in table.msg.text()
    np.testing.assert_array_equal(window.graph.by_name("dense").weights["kernel"], np.ones((4, 2)))


def test_a_run_without_its_dataset_cannot_be_replayed_and_says_why(window):
    good = {"kernel": np.zeros((4, 2), np.float32), "bias": np.zeros(2, np.float32)}
    window.load_project(hostile_project(good, {"epochs": 1, "tensorboard_dir": "/tmp/autostart"}), None)
    assert "tensorboard_dir" not in window.doc.project.runs.runs[0].settings
    window.set_workspace("Train")
    table = window.train_panel.runs_table
    click_row(table.table, 0)
    assert not table.replay_btn.isEnabled()
    assert "does not say which dataset" in table.replay_btn.toolTip()


def test_a_long_run_history_is_redrawn_measuring_each_cell_a_few_times_not_once_per_cell(window, qtbot):
    """The runs table sized its columns to their contents as each cell came in, so every new cell made Qt measure
    every row again: a redraw of n runs that kept their number of rows cost n^2 measures. With the Runs tab shown,
    a change of how many runs keep their weights froze the window for 17 s at 100 runs (24 s at 200; the limit
    goes to 1,000), and so did each run trained once the history was at its limit (one run in, one out). It is
    filled with the sizing off and sized once (benchmarks/runs_refresh.py)."""
    g = chain(("input", {"shape": [4]}), ("dense", {"units": 2}))
    history = runs.RunHistory(limit=100)
    for seed in range(100):
        history = history.added(runs.make_run(1, "2026-12-07T03:00:00Z", 1.5, {"dataset": "gate-and", "epochs": 3},
                                              seed, runs.fingerprint(g), runs.EMPTY_DIGEST, None, 2, [1.0] * 6,
                                              [0.5] * 6, {"loss": [1.0, 0.5, 0.2]}, 0.3, 0.9))
    window.load_project(project.Project(g, "long", runs=history), None)
    window.set_workspace("Train")
    table = window.train_panel.runs_table
    tabs = window.train_panel.tabs
    bar = tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(tabs.indexOf(table)).center())  # the Runs tab
    assert table.table.isVisible()
    counter = CountingStyle()
    table.table.setStyle(counter)
    qtbot.wait(50)  # the table settles (one mid-layout measures its cells once, later)
    counter.measured = 0
    box = table.keep.lineEdit()  # "weights of the last [3]": the user types 7
    QTest.mouseClick(box, Qt.LeftButton)
    QTest.keyClick(box, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(box, "7")
    QTest.keyClick(box, Qt.Key_Return)
    assert window.doc.project.runs.keep_weights == 7

    cells = table.table.rowCount() * table.table.columnCount()
    assert table.table.rowCount() == 100
    assert 0 < counter.measured <= 4 * cells, (counter.measured, cells)  # before: 1,320,000, 1,100 times a cell
    for c in range(table.table.columnCount() - 1):  # and every column still fits what it shows
        assert table.table.columnWidth(c) >= table.table.sizeHintForColumn(c), c


def test_a_reopened_runs_matrix_names_a_built_in_sets_classes(window, tmp_path):
    """A CIFAR-10 run reopened: its confusion matrix was headed 0 to 9, where the run that made it said airplane,
    automobile, ...; a built-in set's classes are known without reading it. A file's own class count (a matrix
    wider than the set's classes) keeps numbers for the rest."""
    g = chain(("input", {"shape": [32, 32, 3]}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    cm = np.diag(np.arange(1, 11))
    run = runs.make_run(1, "2026-12-07T16:00:00Z", 1.0, {"dataset": "cifar10", "epochs": 1}, 7, runs.fingerprint(g),
                        runs.EMPTY_DIGEST, None, 1, [1.0], [0.5], {}, 1.0, 0.5, cm)
    path = tmp_path / "cifar.json"
    project.save(project.Project(g, "cifar", runs=runs.RunHistory().added(run, {})), path)
    assert window.open_file(path)
    window.set_workspace("Train")
    results = window.train_panel.results
    heads = [results.confusion.horizontalHeaderItem(i).text() for i in range(10)]
    assert heads[:3] == ["airplane", "automobile", "bird"] and heads[-1] == "truck", heads
    assert "airplane 1/1" in results.label.text()
    header = results.confusion.horizontalHeader()  # a name wider than its column ends in "...", whole in its tooltip
    assert header.textElideMode() == Qt.ElideRight and results.confusion.horizontalHeaderItem(1).toolTip() == \
        "predicted automobile" and results.confusion.verticalHeaderItem(9).toolTip() == "true truck"
