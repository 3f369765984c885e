"""Issue 15, app side: a hostile file opened through File > Open's path never costs the user their work."""

import json

import numpy as np
import pytest

from playground.core import project
from playground.resources_path import preset_text


def preset_dict(name="mnist-cnn"):
    return json.loads(preset_text(name))


def state(window):
    return (window.graph.copy(), window.stack.count(), window.stack.index(), window.doc.path,
            dict(window.project.training), dict(window.project.logic))


def bad_training(key, value):
    d = preset_dict()
    d.setdefault("training", {})[key] = value
    return json.dumps(d)


CASES = {
    "batch_size_text": (bad_training("batch_size", "abc"), "batch_size"),
    "epochs_null": (bad_training("epochs", None), "epochs"),
    "epochs_huge": (bad_training("epochs", 1e300), "epochs"),
    "lr_text": (bad_training("learning_rate", "fast"), "learning_rate"),
    "logic_target": (json.dumps({**preset_dict("and"), "logic": {"target": [1, "a"]}}), "target"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_setting_in_a_project_is_refused_whole(window, tmp_path, case):
    text, field = CASES[case]
    # the user has unsaved work: an edit on the undo stack
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    window.inspector.fields["filters"].setValue(12)
    before = state(window)
    path = tmp_path / f"{case}.json"
    path.write_text(text)
    window.ask_save = lambda: "discard"
    assert not window.open_file(path)
    after = state(window)
    assert after[0] == before[0] and after[1:] == before[1:]
    assert window.banner.isVisible() and field in window.banner.label.text()
    assert window.isVisible()


def test_neuron_kernel_of_the_wrong_rank_is_refused_and_logic_lab_survives(window, tmp_path):
    d = preset_dict("and")
    for n in d["nodes"]:
        if n.get("type") == "neuron" or n.get("kind") == "neuron":
            n["weights"] = {"kernel": [1.0, 1.0], "bias": [-1.5]}
    path = tmp_path / "rank.json"
    path.write_text(json.dumps(d))
    before = window.graph.copy()
    assert not window.open_file(path)
    assert window.graph == before and "kernel" in window.banner.label.text()
    window.set_workspace("Logic lab")  # used to crash the process
    assert window.isVisible()


def test_tiny_dataset_then_train_workspace_is_a_message(window, tmp_path):
    x = np.random.default_rng(0).integers(0, 255, (3, 28, 28), dtype=np.uint8)
    npz = tmp_path / "three.npz"
    np.savez(npz, x_train=x, y_train=np.array([0, 1, 2]))
    proj = project.loads(preset_text("mnist-cnn"))
    proj.training["dataset"] = str(npz)
    path = tmp_path / "three.json"
    project.save(proj, path)
    assert window.open_file(path)
    window.set_workspace("Train")  # used to crash the process
    assert window.isVisible()
    text = window.train_panel.feeds.text() + window.train_panel.status.text()
    assert "three.npz" in text or "3" in text


def test_broken_recovery_is_set_aside_once(window):
    path = window.files.recovery_path()
    path.write_text('{"schema_version": 1, "nodes": [{"type": "conv2d", "params": {"kernel_size": "big"}}]}')
    window.files.offer_recovery()
    assert not path.exists()
    kept = sorted(path.parent.glob(f"{path.stem}.broken-*.json"))
    assert kept and kept[-1].name in window.banner.label.text()
    window.banner.clear()
    window.files.offer_recovery()  # nothing left to retry: no message, no crash
    assert not window.banner.isVisible()
    for k in kept:
        k.unlink()


def test_save_failure_is_a_banner(window, tmp_path):
    target = tmp_path / "no-such-folder" / "x.json"
    assert not window.save_to(target)
    assert window.banner.isVisible() and "x.json" in window.banner.label.text()
    assert window.is_dirty() is False or window.doc.path != target


def test_a_message_with_a_long_unbroken_word_wraps_instead_of_widening_the_window(window, tmp_path, qtbot):
    """A message naming a long file name (or any long run without spaces: a 400-digit number from a file did it)
    is one word to Qt's word wrap: the banner above the canvas asked for its whole width, and the window grew
    from 1480 px to 3,269 px. It wraps inside."""
    window.resize(1480, 900)
    qtbot.waitUntil(lambda: window.width() == 1480)
    path = tmp_path / ("W" * 245 + ".json")  # the message names the file: 250 characters, over 2,500 px
    path.write_text("{not json")
    assert not window.open_file(path)
    assert window.banner.isVisible() and "W" * 50 in window.banner.label.text()
    qtbot.wait(50)
    assert window.width() == 1480
    assert window.banner.label.width() <= window.width()


def _renders_small(text: str) -> bool:
    """Qt's rich text shows ``text`` without the 400x400 image an <img src> in it names."""
    from PySide6.QtWidgets import QLabel
    label = QLabel(text)
    return label.sizeHint().height() < 200 and label.sizeHint().width() < 400 + len(text) * 12


def test_text_from_a_project_never_loads_a_file_it_names_as_an_image(window, tmp_path, qtbot):
    """A hostile-file review: a project's dataset setting and a stored run's settings went into rich text (the
    Train panel's feeds line, a run's tooltip) unescaped, and Qt loads what an <img src=...> names from the disk:
    a FIFO hung the app, /dev/zero crashed it. They are escaped now: the tag is shown as text."""
    from PySide6.QtGui import QImage
    from PySide6.QtTest import QTest
    from PySide6.QtCore import Qt
    from playground.core import runs
    big = tmp_path / "big.png"
    image = QImage(400, 400, QImage.Format_RGB32)
    image.fill(0)
    assert image.save(str(big))
    tag = f'<img src="{big}">'
    assert not _renders_small(tag)  # the probe itself: unescaped, Qt reads the file
    d = preset_dict("mnist-mlp")
    d.setdefault("training", {})["dataset"] = tag
    proj = project.loads(json.dumps(d))
    run = runs.make_run(1, "2026-12-07T03:00:00Z", 1.0, {"dataset": tag, "epochs": 1}, 7,
                        runs.fingerprint(proj.graph), runs.EMPTY_DIGEST, None, 1, [1.0], [0.5], {})
    proj.runs = runs.RunHistory().added(run)
    window.load_project(project.loads(project.dumps(proj)), None)
    window.set_workspace("Train")
    qtbot.wait(50)
    feeds = window.train_panel.data_box.feeds
    qtbot.waitUntil(lambda: "img" in feeds.text(), timeout=5000)
    assert "&lt;img" in feeds.text() and _renders_small(feeds.text())
    tabs = window.train_panel.tabs
    table = window.train_panel.runs_table
    QTest.mouseClick(tabs.tabBar(), Qt.LeftButton, pos=tabs.tabBar().tabRect(tabs.indexOf(table)).center())
    tip = table.table.item(0, 1).toolTip()
    assert "big.png" in tip and _renders_small(tip), tip


@pytest.mark.parametrize("name", ["../escaped/not_where_you_chose", "/etc/cron.d/x", "..", "a/../../b"])
def test_save_as_and_export_offer_a_file_inside_the_folder_they_open_on(window, monkeypatch, name):
    """A hostile-file review: the dialogs offered the folder they open on joined with the project's name, so a
    project named ../escaped/x (or an absolute path) offered a file outside it, and accepting wrote there."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog
    offered = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: offered.append(a[2]) or ("", ""))
    d = preset_dict("and")
    d["name"] = name
    window.load_project(project.loads(json.dumps(d)), None)
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # File > Save as
    from PySide6.QtWidgets import QApplication
    window.activateWindow()
    QTest.keyClick(window, Qt.Key_F, Qt.AltModifier)  # File > Export model > Keras .h5, with the keys
    file_menu = QApplication.activePopupWidget()
    QTest.keyClick(file_menu, Qt.Key_E)
    export_menu = QApplication.activePopupWidget()
    assert export_menu is not file_menu and "Export" in export_menu.title()
    QTest.keyClick(export_menu, Qt.Key_Return)  # its first entry: Keras .h5
    folder = window.files.last_dir()
    assert len(offered) == 2
    for path in offered:
        p = __import__("pathlib").Path(path)
        assert p.parent == folder and p.name not in ("", ".", "..") and not p.name.startswith("."), path


def test_a_project_too_large_to_parse_here_is_refused_whole(window, tmp_path, monkeypatch):
    """JSON that would take more memory to parse than is free: one banner naming both figures, the work kept."""
    from playground.core import limits
    conv = window.graph.by_name("conv2d")
    window.select_nodes([conv.id])
    window.inspector.fields["filters"].setValue(12)
    before = state(window)
    path = tmp_path / "nested.json"
    path.write_text('{"nodes": [' + ("[" * 800 + "]" * 800 + ",") * 600 + "0]}")
    monkeypatch.setattr(limits, "available_memory", lambda: 40_000_000)
    assert not window.open_file(path)
    after = state(window)
    assert after[0] == before[0] and after[1:] == before[1:]
    assert "nested.json (960.6 KB of JSON) needs" in window.banner.label.text()
    assert "this machine has 40.0 MB available" in window.banner.label.text()
