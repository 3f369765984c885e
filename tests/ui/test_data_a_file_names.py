"""A file is data: a dataset path that a project names (or a recovery file, or a stored run) is not read until the
user says so. The app showed a project's image folder (its classes, its images) as Train opened, listed it for a new
head, read it for the layer previews and the augmentation strip, and Start or Replay trained on it.

Keys and clicks on the real widgets; the project is opened as File > Open does after its dialog. What reads data
is watched at the backend's own functions (the folder summary, the class list, a dataset's load)."""

import os

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from playground.backend import datasets
from playground.core import project
from playground.core.graph import chain

from test_build_by_hand import plain, type_field
from test_journeys import click, image_folder, workspace
from test_training_lab import click_row


def cnn_on(folder):
    g = chain(("input", {"shape": [12, 12, 3]}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("flatten", {}),
              ("dense", {"units": 2, "activation": "softmax"}))
    conv = g.by_name("conv2d")  # trained weights stored with it: See inside rebuilds such a model with its data
    g.set_weights(conv.id, {"kernel": np.full((3, 3, 3, 4), 0.1, np.float32), "bias": np.zeros(4, np.float32)})
    return project.Project(g, "pets", training={**project.DEFAULT_TRAINING, "dataset": str(folder), "epochs": 1,
                                                "batch_size": 4, "validation_split": 0.0, "seed": 3})


def watch_reads(monkeypatch):
    reads = []
    for name in ("folder_summary", "folder_classes", "load", "load_file"):
        real = getattr(datasets, name)
        monkeypatch.setattr(datasets, name, lambda *a, _real=real, _name=name, **k: (reads.append((_name, str(a[0]))),
                                                                                   _real(*a, **k))[1])
    return reads


def test_a_projects_data_folder_is_read_only_once_the_user_says_so(window, qtbot, tmp_path, monkeypatch):
    folder = image_folder(tmp_path / "elsewhere" / "pets", n=5, size=12)
    project.save(cnn_on(folder), tmp_path / "given.json")
    reads = watch_reads(monkeypatch)
    assert window.open_file(tmp_path / "given.json")
    from PySide6.QtGui import QAction
    previews = next(a for a in window.findChildren(QAction) if a.text() == "Layer &previews")
    previews.trigger()  # View > Layer previews: they run one of the data's examples through the network
    assert window.view.previews.enabled
    qtbot.wait(600)  # past the previews' debounce: a job reading the data would be under way now
    qtbot.waitUntil(lambda: not window.view.previews._running, timeout=60_000)
    from test_build_by_hand import click_card
    click_card(window, window.graph.by_name("conv2d").id)  # the inspector's trained box lists a folder's classes
    workspace(window, "See inside")  # See inside would rebuild the model with the data (its weights are stored)
    inside = window.inside_panel
    bar = inside.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(inside.indexOf(inside.model_view)).center())
    assert "its data, which has not been read yet: press Use this data in Train" in inside.model_view.empty.label.text()
    workspace(window, "Train")
    panel, box = window.train_panel, window.train_panel.data_box
    qtbot.wait(600)  # (previews and a folder would be read in the worker by now)
    assert not box.busy and not any(str(folder) in where for _, where in reads), reads
    assert f"This project names its data: {folder}. Nothing there is read until you press Use this data" in \
        plain(box.feeds)
    assert box.allow_btn.isVisible() and not box.folder_info.isVisible()
    assert not panel.start_btn.isEnabled() and str(folder) in panel.start_btn.toolTip()
    QTest.keyClick(window, Qt.Key_F5)  # Start's shortcut: refused, with the reason
    assert not panel.is_running() and "has not been read: press Use this data" in plain(panel.status)
    assert not any(str(folder) in where for _, where in reads), reads

    click(box.allow_btn)  # the user says so
    qtbot.waitUntil(lambda: box.folder_info.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: any(name == "load" and where == str(folder) for name, where in reads), timeout=30_000)
    # (the layer previews, turned on, now read one example)
    assert "2 classes, 10 images" in plain(box.folder_info) and not box.allow_btn.isVisible()
    assert any(name == "folder_summary" and where == str(folder) for name, where in reads)
    assert panel.start_btn.isEnabled(), panel.start_btn.toolTip()
    assert not window.doc.is_modified()  # allowing it changed nothing in the project

    # the same path in another project of this session, and in the next session: read without asking
    project.save(cnn_on(folder), tmp_path / "again.json")
    assert window.open_file(tmp_path / "again.json")
    qtbot.waitUntil(lambda: box.folder_info.isVisible(), timeout=30_000)
    assert not box.allow_btn.isVisible()
    from playground.ui.main_window import MainWindow
    later = MainWindow(settings=window.settings)
    qtbot.addWidget(later)
    assert later.doc.may_read_data(str(folder)) and not later.doc.may_read_data(str(tmp_path / "other"))


def test_a_typed_path_is_the_users_choice_and_a_run_naming_another_is_not_replayed(window, qtbot, tmp_path,
                                                                                      monkeypatch):
    folder = image_folder(tmp_path / "given" / "pets", n=5, size=12)
    proj = cnn_on(folder)
    project.save(proj, tmp_path / "given.json")
    reads = watch_reads(monkeypatch)
    assert window.open_file(tmp_path / "given.json")
    workspace(window, "Train")
    box = window.train_panel.data_box
    type_field(box.path, str(folder))  # Enter in the path field: the user's own choice
    qtbot.waitUntil(lambda: box.folder_info.isVisible(), timeout=30_000)
    assert any(where == str(folder) for _, where in reads)

    # a stored run that trained on a folder the user never chose: Replay is off and says so; nothing is read
    from playground.core import runs as runs_core
    other = image_folder(tmp_path / "secret" / "pets", n=5, size=12)
    run = runs_core.make_run(1, "2026-12-07T10:00:00Z", 1.0, {**proj.training, "dataset": str(other)}, 3,
                             runs_core.fingerprint(window.doc.graph), runs_core.EMPTY_DIGEST, None, 3,
                             np.ones(3), np.zeros(3), {})
    proj.runs = runs_core.RunHistory().added(run, start={})
    project.save(proj, tmp_path / "with_run.json")
    assert window.open_file(tmp_path / "with_run.json")
    table = window.train_panel.runs_table
    bar = window.train_panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(window.train_panel.tabs.indexOf(table)).center())
    click_row(table.table, 0)
    assert not table.replay_btn.isEnabled()
    assert f"Run #1 trained on {other}, which has not been read here" in table.replay_btn.toolTip()
    QTest.mouseClick(table.replay_btn, Qt.LeftButton)  # (a disabled button: nothing)
    assert not window.train_panel.is_running() and not any(str(other) in where for _, where in reads)
    box = window.train_panel.data_box
    workspace(window, "Train")
    type_field(box.path, str(other))  # the user chooses that folder: Replay is on at once (it stayed off)
    qtbot.waitUntil(lambda: table.replay_btn.isEnabled(), timeout=10_000)
    assert "Run #1 trained on" not in table.replay_btn.toolTip()


def test_a_stored_runs_dataset_text_stays_text_in_the_replay_tooltip(window, qtbot, tmp_path):
    from playground.core import runs as runs_core
    proj = cnn_on(tmp_path / "nothing")
    odd = 'x<img src="/dev/zero">'  # a file's text, never rich text: Qt would load what an <img> names
    run = runs_core.make_run(1, "2026-12-07T10:00:00Z", 1.0, {**proj.training, "dataset": odd}, 3,
                             runs_core.fingerprint(proj.graph), runs_core.EMPTY_DIGEST, None, 3, np.ones(3),
                             np.zeros(3), {})
    proj.runs = runs_core.RunHistory().added(run, start={})
    project.save(proj, tmp_path / "odd.json")
    assert window.open_file(tmp_path / "odd.json")
    workspace(window, "Train")
    table = window.train_panel.runs_table
    bar = window.train_panel.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(window.train_panel.tabs.indexOf(table)).center())
    click_row(table.table, 0)
    tip = table.replay_btn.toolTip()
    assert "<img" not in tip and "&lt;img" in tip, tip


def test_a_relative_path_chosen_in_one_folder_is_not_another_folders(window, tmp_path, monkeypatch):
    """A review: consent was kept as the text typed, so "data.npz" chosen in one folder let a project read another
    folder's data.npz without asking. It is kept as the absolute path it named when chosen."""
    rng = np.random.default_rng(0)
    for where in ("a", "b"):
        (tmp_path / where).mkdir()
        np.savez(tmp_path / where / "data.npz", x_train=rng.uniform(size=(6, 12, 12, 3)), y_train=np.arange(6) % 2)
    monkeypatch.chdir(tmp_path / "a")
    workspace(window, "Train")
    type_field(window.train_panel.data_box.path, "data.npz")
    assert window.doc.training["dataset"] == str(tmp_path / "a" / "data.npz")  # kept as the path it named
    assert window.doc.may_read_data("data.npz")
    monkeypatch.chdir(tmp_path / "b")
    assert not window.doc.may_read_data("data.npz")
    assert window.doc.may_read_data(str(tmp_path / "a" / "data.npz"))


def test_a_path_chosen_in_another_window_is_known_here(window, qtbot, tmp_path):
    """A review: a window read the user's choices once, when it opened; one chosen in another window since was asked
    for again."""
    from playground.ui.main_window import MainWindow
    other = MainWindow(preset=None, settings=window.settings)
    other.ask_save = lambda: "discard"  # (closed at the end with its change unsaved)
    qtbot.addWidget(other)
    folder = image_folder(tmp_path / "pets", n=5, size=12)
    assert not window.doc.may_read_data(str(folder))
    other.set_workspace("Train")
    type_field(other.train_panel.data_box.path, str(folder))  # chosen there
    assert window.doc.may_read_data(str(folder))  # known here


def test_a_link_and_dot_dot_do_not_borrow_a_chosen_folders_consent(window, qtbot, tmp_path, monkeypatch):
    """A hostile sweep: consent kept "proj/l/../pets" as "proj/pets" (text), while the system read the folder beside
    where the link l leads. A project naming it is asked about like any other."""
    chosen = image_folder(tmp_path / "proj" / "pets", n=5, size=12)
    image_folder(tmp_path / "private" / "pets", n=5, size=12)
    (tmp_path / "private" / "sub").mkdir()
    (tmp_path / "proj" / "l").symlink_to(tmp_path / "private" / "sub")
    workspace(window, "Train")
    box = window.train_panel.data_box
    type_field(box.path, str(chosen))  # the user's own folder
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    sneaky = str(tmp_path / "proj" / "l" / ".." / "pets")
    project.save(cnn_on(sneaky), tmp_path / "given.json")
    reads = watch_reads(monkeypatch)
    assert window.open_file(tmp_path / "given.json")
    qtbot.wait(300)
    assert not window.doc.may_read_data(sneaky) and box.allow_btn.isVisible()
    assert not any(where == sneaky for _, where in reads), reads


def test_a_dataset_name_too_long_for_the_system_is_one_line(window, qtbot, tmp_path):
    """A hostile sweep: a project's dataset of 300 characters ending in .npz crashed the app (segfault) as Train
    showed: the path's lookup raised ENAMETOOLONG inside showEvent."""
    project.save(cnn_on("a" * 300 + ".npz"), tmp_path / "long.json")
    assert window.open_file(tmp_path / "long.json")
    workspace(window, "Train")
    box = window.train_panel.data_box
    assert "the system could not look this path up" in plain(box.feeds), plain(box.feeds)
    assert not window.train_panel.start_btn.isEnabled()


def test_a_relative_path_in_a_project_is_the_projects_folders(window, qtbot, tmp_path, monkeypatch):
    """A drive: a project naming "pets" beside its pets/ folder, opened while the app ran elsewhere, said "pets: no
    such file or folder". It is the project's folder's pets/ (asked about first, as any path a file names)."""
    folder = image_folder(tmp_path / "proj" / "pets", n=5, size=12)
    project.save(cnn_on("pets"), tmp_path / "proj" / "given.json")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert window.open_file(tmp_path / "proj" / "given.json")
    workspace(window, "Train")
    box = window.train_panel.data_box
    assert window.doc.training["dataset"] == str(folder)
    assert f"This project names its data: {folder}." in plain(box.feeds)
    click(box.allow_btn)
    qtbot.waitUntil(lambda: box.folder_info.isVisible(), timeout=30_000)
    assert "2 classes, 10 images" in plain(box.folder_info)


def test_data_in_the_projects_folder_is_saved_relative_and_travels_with_it(window, qtbot, tmp_path, monkeypatch):
    """A project saved beside its data names it relative to its own folder, so the folder moved or sent whole opens
    with its data (read from there; still asked about where the user has not chosen it)."""
    import json
    import shutil
    from PySide6.QtWidgets import QFileDialog
    folder = image_folder(tmp_path / "proj" / "pets", n=5, size=12)
    workspace(window, "Train")
    type_field(window.train_panel.data_box.path, str(folder))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "proj" / "mine.json"), ""))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # File > Save as
    saved = json.loads((tmp_path / "proj" / "mine.json").read_text())
    assert saved["training"]["dataset"] == "pets" and window.doc.training["dataset"] == str(folder)
    shutil.move(str(tmp_path / "proj"), str(tmp_path / "moved"))  # the folder sent whole
    assert window.open_file(tmp_path / "moved" / "mine.json")
    assert window.doc.training["dataset"] == str(tmp_path / "moved" / "pets")
    assert window.train_panel.data_box.allow_btn.isVisible()  # a path the user never chose: asked first


def test_a_link_and_dot_dot_in_the_data_path_is_saved_as_it_is(tmp_path):
    """A review: "F/link/../pets" (the folder beside where link leads) was saved as "pets", which reopens as F/pets."""
    import json
    from playground.ui.file_controller import _data_beside
    (tmp_path / "private" / "sub").mkdir(parents=True)
    (tmp_path / "F").mkdir()
    (tmp_path / "F" / "link").symlink_to(tmp_path / "private" / "sub")
    sneaky = str(tmp_path / "F" / "link" / ".." / "pets")
    proj = cnn_on(sneaky)
    assert _data_beside(proj, tmp_path / "F" / "p.json").training["dataset"] == sneaky
    plain_one = cnn_on(str(tmp_path / "F" / "data" / "pets"))  # in the folder, plainly: relative, with "/"
    assert _data_beside(plain_one, tmp_path / "F" / "p.json").training["dataset"] == "data/pets"
    assert json.loads(project.dumps(plain_one))["training"]["dataset"] == str(tmp_path / "F" / "data" / "pets")


def test_a_remembered_path_kept_as_text_is_keyed_as_checks_key_it(window, tmp_path):
    """A review: choices an older version kept as text (through a link) no longer matched the real-path key."""
    import json
    from playground.ui.data_list import chosen_data
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    window.settings.setValue("data_chosen", json.dumps([str(tmp_path / "alias" / "pets")]))
    assert chosen_data(window.settings) == [os.path.realpath(tmp_path / "real" / "pets")]


def test_the_data_is_read_at_the_real_path_its_consent_was_checked_on(window, qtbot, tmp_path, monkeypatch):
    """A review: consent was checked on the real path, and the worker then read by the path's text: a link changed in
    between would lead elsewhere. The readers are handed the real path checked."""
    real = image_folder(tmp_path / "real" / "pets", n=5, size=12)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    reads = watch_reads(monkeypatch)
    workspace(window, "Train")
    box = window.train_panel.data_box
    type_field(box.path, str(tmp_path / "link" / "pets"))
    qtbot.waitUntil(lambda: box.folder_info.isVisible(), timeout=30_000)
    assert window.doc.training["dataset"] == str(tmp_path / "link" / "pets")  # the project names what was typed
    mine = [where for _, where in reads if where != "mnist-sample"]  # (the built-in sample shown before)
    assert mine and all(where == str(real) for where in mine), reads


def test_the_runs_data_travels_with_the_project_too(window, qtbot, tmp_path):
    """A review: the runs stored with a project kept their absolute data paths: moved whole, its runs read as on
    another dataset, and the old path travelled in the file. They are saved relative and read as the folder's too."""
    import json
    import shutil
    from playground.core import runs as runs_core
    folder = image_folder(tmp_path / "proj" / "pets", n=5, size=12)
    proj = cnn_on(folder)
    run = runs_core.make_run(1, "2026-12-07T10:00:00Z", 1.0, dict(proj.training), 3,
                             runs_core.fingerprint(proj.graph), runs_core.EMPTY_DIGEST, None, 3, np.ones(3),
                             np.zeros(3), {})
    proj.runs = runs_core.RunHistory().added(run, start={})
    assert window.open_file(_saved(proj, tmp_path / "start.json"))
    assert window.files.save_to(tmp_path / "proj" / "mine.json")  # (File > Save as, after its dialog)
    saved = json.loads((tmp_path / "proj" / "mine.json").read_text())
    assert saved["training"]["dataset"] == "pets" and saved["runs"]["items"][0]["settings"]["dataset"] == "pets"
    shutil.move(str(tmp_path / "proj"), str(tmp_path / "moved"))
    assert window.open_file(tmp_path / "moved" / "mine.json")
    moved = str(tmp_path / "moved" / "pets")
    assert window.doc.training["dataset"] == moved
    assert window.doc.project.runs.runs[0].settings["dataset"] == moved


def _saved(proj, path):
    project.save(proj, path)
    return path


def test_the_last_fifty_paths_chosen_are_remembered(window, tmp_path):
    """The README: the user's chosen paths are remembered, the last 50; the oldest goes first, and choosing one again
    makes it the newest."""
    from playground.ui.data_list import CHOSEN_KEPT, chosen_data, remember_chosen
    assert CHOSEN_KEPT == 50
    paths = [str(tmp_path / f"d{i}") for i in range(55)]
    for p in paths:
        remember_chosen(window.settings, p)
    kept = chosen_data(window.settings)
    assert kept == [os.path.realpath(p) for p in paths[5:]]
    remember_chosen(window.settings, paths[10])
    assert chosen_data(window.settings)[-1] == os.path.realpath(paths[10]) and len(chosen_data(window.settings)) == 50
