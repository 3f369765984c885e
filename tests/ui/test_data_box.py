"""The Train panel's Data list, driven by the keyboard: arrow keys through the closed list choose data, they do
not open a file dialog on the way past "Your own image folder..."; the folder dialog opens where the user's data
was last found, not in whatever folder the app was started from."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from tests.ui.measures import image_folder


def _dialogs(monkeypatch, answer=""):
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, title, start="", *a, **k: asked.append(("folder", start)) or answer)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, title, start="", *a, **k: asked.append(("file", start)) or ("", ""))
    return asked


def _to_train(window, qtbot):
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    box = window.train_panel.data_box
    qtbot.waitUntil(box.dataset.isVisible, timeout=2000)
    return box


def test_arrow_keys_past_your_own_folder_open_no_dialog_and_enter_does(window, qtbot, monkeypatch, tmp_path):
    folder = image_folder(tmp_path / "pets", ["cats", "dogs"], 3, size=(12, 12))
    asked = _dialogs(monkeypatch, answer=str(folder))
    box = _to_train(window, qtbot)
    combo = box.dataset
    before = window.doc.training.get("dataset")
    combo.setFocus()
    at_folder = combo.findText("Your own image folder\u2026")
    for _ in range(at_folder - combo.currentIndex()):
        QTest.keyClick(combo, Qt.Key_Down)
    assert combo.currentIndex() == at_folder
    assert asked == []  # passing it by, the user is not asked for a folder
    assert "Enter" in box.feeds.text() and "folder" in box.feeds.text()  # but told how to choose one
    QTest.keyClick(combo, Qt.Key_Down)  # "Your own file..." too
    assert combo.currentText() == "Your own file\u2026"
    assert asked == [] and "Enter" in box.feeds.text()
    QTest.keyClick(combo, Qt.Key_Up)
    QTest.keyClick(combo, Qt.Key_Up)  # back onto a real dataset: it is chosen, as a keyed choice always was
    chosen = window.doc.training.get("dataset")
    assert chosen == combo.currentData() and combo.currentData() not in (None, "")
    assert asked == []
    QTest.keyClick(combo, Qt.Key_Down)
    QTest.keyClick(combo, Qt.Key_Return)  # Enter on "Your own image folder...": now the dialog
    assert [kind for kind, _ in asked] == ["folder"]
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    assert window.doc.training["dataset"] == str(folder)
    assert "2 classes" in box.folder_info.text()
    assert before != window.doc.training["dataset"]


def test_leaving_the_list_on_your_own_folder_shows_the_data_still_chosen(window, qtbot, monkeypatch):
    asked = _dialogs(monkeypatch)
    box = _to_train(window, qtbot)
    combo = box.dataset
    combo.setFocus()
    for _ in range(combo.findText("Your own image folder\u2026") - combo.currentIndex()):
        QTest.keyClick(combo, Qt.Key_Down)
    assert combo.currentText() == "Your own image folder\u2026"
    QTest.keyClick(combo, Qt.Key_Tab)  # away from the list without choosing
    assert asked == []
    last_passed = combo.itemData(combo.findText("Your own image folder\u2026") - 1)  # (each keyed entry is a choice)
    assert window.doc.training.get("dataset") == last_passed
    assert combo.currentData() == last_passed  # the list shows what Start will train on
    assert "Enter" not in box.feeds.text()


def test_the_folder_dialog_opens_where_data_was_last_chosen_not_in_the_working_folder(window, qtbot, monkeypatch,
                                                                                       tmp_path):
    box = _to_train(window, qtbot)
    asked = _dialogs(monkeypatch)
    QTest.mouseClick(box.folder_btn, Qt.LeftButton)  # a built-in dataset: the home folder, not the working one
    assert asked == [("folder", str(Path.home()))]
    folder = image_folder(tmp_path / "set" / "pets", ["cats", "dogs"], 2, size=(10, 10))
    asked = _dialogs(monkeypatch, answer=str(folder))
    QTest.mouseClick(box.folder_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    assert window.doc.training["dataset"] == str(folder)
    box.path.clear()
    box.path.setFocus()
    QTest.keyClicks(box.path, str(Path(__file__).resolve().parents[2] / "resources" / "no-such.npz"))
    QTest.keyClick(box.path, Qt.Key_Return)  # refused: nothing changes
    asked = _dialogs(monkeypatch)
    QTest.mouseClick(box.folder_btn, Qt.LeftButton)  # beside the folder chosen; Cancel: the dataset stays it
    assert asked == [("folder", str(folder.parent))]
    # a built-in set chosen again: the dialog still opens where the user's data was
    from tests.ui.menus import pick
    pick(box.dataset, qtbot, box.dataset.itemText(0))
    assert window.doc.training["dataset"] != str(folder)
    asked = _dialogs(monkeypatch)
    QTest.mouseClick(box.folder_btn, Qt.LeftButton)
    assert asked == [("folder", str(folder.parent))]
    # and a new window (the next start of the app) remembers it too
    from playground.ui.main_window import MainWindow
    other = MainWindow(settings=window.settings)
    other.ask_save = lambda: "discard"
    qtbot.addWidget(other)
    other.show()
    try:
        box2 = _to_train(other, qtbot)
        asked = _dialogs(monkeypatch)
        QTest.mouseClick(box2.folder_btn, Qt.LeftButton)
        assert asked == [("folder", str(folder.parent))]
    finally:
        other.stop_training(wait=True)
        other.files.clear_recovery()
        other.close()
        other.deleteLater()


def _shown(tooltip: str) -> str:
    """What Qt shows for ``tooltip``; it names no image to load (no <img> tag once read as rich text)."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtGui import Qt as GuiQt
    doc = QTextDocument()
    if GuiQt.mightBeRichText(tooltip):
        doc.setHtml(tooltip)
        assert "<img" not in doc.toHtml().lower(), tooltip
    else:
        doc.setPlainText(tooltip)
    return doc.toPlainText()


EVIL = "<img src=&#47;tmp&#47;nowhere.png>"


def test_a_class_folders_name_is_shown_as_written_never_read_as_an_image_tag(window, qtbot, tmp_path):
    """A hostile sweep: a class folder named <img src=&#47;...> (no slash needed) made the app open that file when
    its tooltip showed (a FIFO hung it): the name went into the tooltips raw, and Qt reads a tip with a tag as rich
    text. The class's name and its examples' tips show the text as written."""
    from PySide6.QtWidgets import QLabel
    from tests.ui.measures import image_folder
    folder = image_folder(tmp_path / "pics", [EVIL, "plain"], 2, size=(8, 8))
    box = _to_train(window, qtbot)
    box.path.setFocus()
    QTest.keyClicks(box.path, str(folder))
    QTest.keyClick(box.path, Qt.Key_Return)
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
    assert window.doc.training["dataset"] == str(folder)
    tips = [_shown(w.toolTip()) for w in box.findChildren(QLabel) if w.toolTip()]
    assert f"2 images in {EVIL}/" in tips and f"{EVIL}, example 1" in tips, tips


def test_a_projects_dataset_text_is_shown_as_written_in_the_list_and_on_start(window, qtbot, tmp_path):
    """A project whose dataset is 'x<img src=...>': the Data list's entry and Start's reason show it as written."""
    import json
    from playground.core import project
    data = json.loads(project.dumps(window.project))
    data["training"]["dataset"] = "x" + EVIL
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    assert window.open_file(path)
    box = _to_train(window, qtbot)
    named = str(tmp_path / ("x" + EVIL))  # (a relative text is the project's folder's)
    at = box.dataset.findData(named)
    assert at >= 0 and "x" + EVIL in _shown(box.dataset.itemData(at, Qt.ToolTipRole))
    # and it is not said to come from the Keras cache: it is no dataset, and Start says why it is off
    assert "no such file or folder" in box.feeds.text() and not window.train_panel.start_btn.isEnabled()
    assert "x" + EVIL in _shown(window.train_panel.start_btn.toolTip())


def test_a_projects_dataset_path_too_long_for_the_system_is_said_not_a_crash(window, qtbot, tmp_path):
    """A review: a project's dataset with a path component over 255 characters crashed the app as Train opened
    (Path.is_dir raised ENAMETOOLONG inside showEvent)."""
    import json
    from playground.core import project
    data = json.loads(project.dumps(window.project))
    data["training"]["dataset"] = str(tmp_path / ("a" * 300)) + "/"
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    assert window.open_file(path)
    box = _to_train(window, qtbot)
    assert "no such file or folder" in box.feeds.text() and not window.train_panel.start_btn.isEnabled()
