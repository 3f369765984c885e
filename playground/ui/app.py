"""Start the desktop app: QApplication, theme, the main window, crash recovery."""

from __future__ import annotations

import sys


def run_app(argv: list[str]) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from ..resources_path import resource_file
    from .main_window import MainWindow
    from .theme import app_type, apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Network Playground")
    app.setOrganizationName("NetworkPlayground")
    app.setDesktopFileName("io.github.network_playground")
    icon = resource_file("icons", "playground.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    app_type(app)  # before any widget is made (the theme, which needs the window's settings, comes after)
    window = MainWindow()
    apply_theme(app, str(window.settings.value("theme", "system")))
    window.show()
    window.offer_recovery()
    paths = [a for a in argv if not a.startswith("-")]
    if paths:
        window.open_file(paths[0], chosen=False)
    code = app.exec()
    # Orderly teardown while Qt is alive, then leave without interpreter finalization: its last
    # garbage collection can trip a C-extension refcount bug once Qt and TensorFlow were both loaded.
    window.settings.sync()
    window.deleteLater()
    app.processEvents()
    import gc
    import os

    from ..backend.runtime import remove_generated_files
    gc.collect()
    remove_generated_files()  # what interpreter exit would have removed
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
