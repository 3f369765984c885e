"""Render the README's screenshots offscreen (no display needed):

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py [OUT_DIR]

main.png: the Build workspace with the mnist-cnn preset and a conv layer selected;
logic-lab.png: the Logic lab with xnor-case2; inside.png: the convolution explorer mid-way.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(out: Path) -> None:
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    from playground.core import project
    from playground.resources_path import preset_text
    from playground.ui.main_window import MainWindow
    from playground.ui.theme import apply_theme

    apply_theme(app, "light")
    settings = QSettings(str(out / ".screenshot-settings.ini"), QSettings.IniFormat)
    w = MainWindow(settings=settings)
    w.resize(1480, 900)
    w.show()

    def settle():
        for _ in range(10):
            app.processEvents()

    settle()
    w.select_nodes([w.graph.by_name("conv2d_1").id])
    w.view.fit_all()
    settle()
    w.grab().save(str(out / "main.png"))

    w.load_project(project.loads(preset_text("xnor-case2")), None)
    w.set_workspace("Logic lab")
    settle()
    w.select_nodes([w.graph.by_name("and").id])
    w.view.fit_all()
    settle()
    w.grab().save(str(out / "logic-lab.png"))

    w.set_workspace("See inside")
    ex = w.inside_panel.conv
    ex.load_preset("Lecture: 6x6 * vertical edge")
    for _ in range(6):
        ex.step()
    settle()
    w.grab().save(str(out / "inside.png"))
    (out / ".screenshot-settings.ini").unlink(missing_ok=True)
    print("wrote", ", ".join(str(out / n) for n in ("main.png", "logic-lab.png", "inside.png")))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
