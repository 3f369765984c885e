"""Render the Lessons panel beside the canvas at 1480x900 and 1280x720 (offscreen, no display needed):

    QT_QPA_PLATFORM=offscreen python packaging/lesson_screenshots.py [OUT_DIR]

lessons-logic-<size>.png: lesson 2 (XNOR) at its hidden-layer step in the Logic lab, after a wrong check;
lessons-conv-<size>.png: lesson 3 (the 6x6 image) with a wrong prediction told what is wrong.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZES = ((1480, 900), (1280, 720))


def main(out: Path) -> None:
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    from playground.ui.main_window import MainWindow
    from playground.ui.theme import apply_theme

    apply_theme(app, "light")
    ini = out / ".lesson-screenshot-settings.ini"
    written = []
    for w_px, h_px in SIZES:
        ini.unlink(missing_ok=True)
        settings = QSettings(str(ini), QSettings.IniFormat)
        w = MainWindow(settings=settings)
        w.ask_save = lambda: "discard"
        w.resize(w_px, h_px)
        w.show()

        def settle():
            for _ in range(10):
                app.processEvents()

        settle()
        w.open_lessons()
        panel = w.lessons_panel
        panel.list.setCurrentRow(1)
        panel.start()
        panel.show_me()  # target XNOR
        panel.next()
        panel.show_me()  # the hidden layer
        panel.next()
        settle()
        panel.check()  # hidden neuron 1 is not AND yet: the panel names the rows
        w.view.fit_all()
        settle()
        name = f"lessons-logic-{w_px}x{h_px}.png"
        w.grab().save(str(out / name))
        written.append(name)

        panel.list.setCurrentRow(2)
        panel.start()
        panel.answer.setText("3")
        panel.check()
        w.view.fit_all()
        settle()
        name = f"lessons-conv-{w_px}x{h_px}.png"
        w.grab().save(str(out / name))
        written.append(name)
        w.files.clear_recovery()
        w.close()
    ini.unlink(missing_ok=True)
    print("wrote", ", ".join(str(out / n) for n in written))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots")
