"""Render the README's screenshots offscreen (no display needed):

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py [OUT_DIR]

main.png: the Build workspace with the mnist-cnn preset and a conv layer selected;
logic-lab.png: the Logic lab with xnor-case2; inside-<page>-<size>.png: every See-inside page at 1480x900
and 1280x720 (the digit CNN trained for one epoch on the built-in digits, about a minute).
"""

import os
import sys
import time
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
    settings.setValue("lessons/offer_dismissed", True)  # the first-start offer is not part of these pictures
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

    names = inside_pages(w, out, settle)
    (out / ".screenshot-settings.ini").unlink(missing_ok=True)
    print("wrote", ", ".join(str(out / n) for n in ["main.png", "logic-lab.png", *names]))


def inside_pages(w, out: Path, settle) -> list[str]:
    """Train the digit CNN for one epoch, then render every See-inside page at both window sizes."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from playground.backend import session
    from playground.core import project
    from playground.resources_path import preset_text
    from playground.ui.commands import SetWeightsCommand

    w.load_project(project.loads(preset_text("mnist-cnn")), None)
    settings = {**w.project.training, "epochs": 1, "validation_split": 0.0}
    outcome = session.run_training(w.graph, "mnist-sample", settings, name="mnist-cnn")
    w.doc.push(SetWeightsCommand(w.graph, outcome.weights, "Apply trained weights"))
    w.doc.set_trained(outcome.model, outcome)
    w.set_workspace("See inside")
    panel = w.inside_panel

    def idle():
        settle()
        while panel.jobs.busy:  # poll gently: a tight processEvents loop wears out None's refcount (shiboken)
            QApplication.instance().processEvents()
            time.sleep(0.01)
        settle()

    panel.setCurrentWidget(panel.model_view)
    idle()
    panel.model_view.select_filter(5)
    panel.model_view.sample.setValue(3)
    idle()
    panel.setCurrentWidget(panel.digits)
    pad = panel.digits.pad
    stroke = [(80, 60), (200, 60), (190, 90), (160, 150), (140, 200), (130, 235)]
    QTest.mousePress(pad, Qt.LeftButton, pos=QPoint(*stroke[0]))
    for x, y in stroke[1:]:
        for k in range(1, 6):  # several moves per segment, as a hand would
            px, py = stroke[stroke.index((x, y)) - 1]
            QTest.mouseMove(pad, QPoint(px + (x - px) * k // 5, py + (y - py) * k // 5))
    QTest.mouseRelease(pad, Qt.LeftButton, pos=QPoint(*stroke[-1]))
    idle()
    conv = panel.conv
    conv.load_preset("Lecture: 6x6 * vertical edge")
    for _ in range(6):
        conv.step()
    names = []
    for size in ((1480, 900), (1280, 720)):
        w.resize(*size)
        for page, name in ((panel.conv, "convolution"), (panel.pool, "pooling"), (panel.model_view, "model"),
                           (panel.digits, "digits")):
            panel.setCurrentWidget(page)
            idle()
            names.append(f"inside-{name}-{size[0]}x{size[1]}.png")
            w.grab().save(str(out / names[-1]))
    return names


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
