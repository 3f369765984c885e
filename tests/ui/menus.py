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
