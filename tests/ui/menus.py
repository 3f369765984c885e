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
