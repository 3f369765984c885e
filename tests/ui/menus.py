"""Walking the window's menus with keys, as a user does."""


def choose_theme(window, qtbot, mode: str) -> None:
    """View > Theme > ``mode`` ("Light", "Dark", "System") as a user walks it: Alt+V, T, then the mode's letter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    QTest.keyClick(window, Qt.Key_V, Qt.AltModifier)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=2000)
    view = QApplication.activePopupWidget()
    assert view.title() == "&View", view.title()
    QTest.keyClick(view, Qt.Key_T)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() not in (None, view), timeout=2000)
    theme = QApplication.activePopupWidget()
    assert theme.title() == "&Theme", theme.title()
    QTest.keyClick(theme, getattr(Qt, f"Key_{mode[0]}"))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None, timeout=2000)
    assert window.settings.value("theme") == mode.lower()


def choose_preset(window, qtbot, name: str) -> None:
    """File > New from preset (Ctrl+Shift+N): type the preset's name in the gallery, Enter."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    def choose(tries=50):
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            if tries:
                QTimer.singleShot(10, lambda: choose(tries - 1))
            return
        dlg.list.setFocus()
        QTest.keyClicks(dlg.list, name)
        QTest.keyClick(dlg.list, Qt.Key_Return)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    QTimer.singleShot(0, choose)
    QTest.keyClick(window, Qt.Key_N, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: window.doc.project.name == name, timeout=2000)
    qtbot.wait(30)  # the deferred fit


def pick(combo, qtbot, text: str) -> None:
    """Choose ``text`` in a combo box as a user does: click it open, arrow keys to the entry, Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    QTest.mouseClick(combo, Qt.LeftButton)
    qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    steps = combo.findText(text) - combo.currentIndex()
    assert combo.findText(text) >= 0, text
    for _ in range(abs(steps)):
        QTest.keyClick(combo.view(), Qt.Key_Down if steps > 0 else Qt.Key_Up)
    QTest.keyClick(combo.view(), Qt.Key_Return)


def choose_image_folder(window, qtbot, monkeypatch, folder) -> None:
    """Train, then the data box's Folder... button, the dialog answering ``folder``; back once it is read."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    box = window.train_panel.data_box
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    QTest.mouseClick(box.folder_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
