"""Render the README's screenshots offscreen (no display needed):

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py [OUT_DIR]

main.png: the Build workspace with the mnist-cnn preset and a conv layer selected;
logic-lab.png: the Logic lab with xnor-case2; inside-<page>-<size>.png: every See-inside page at 1480x900
and 1280x720 (the digit CNN trained for one epoch on the built-in digits, about a minute); train-folder-1480x900.png:
the Train workspace with an image folder chosen (drawn circles and squares) after a short run.
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

    names = inside_pages(w, out, settle) + train_folder_page(w, out, settle)
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


def shapes_folder(root: Path, n: int = 30) -> Path:
    """Two classes of drawn pictures, circles and squares in random colours and places (48x48 RGB)."""
    import numpy as np
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(7)
    for cls in ("circles", "squares"):
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            img = Image.new("RGB", (48, 48), tuple(int(v) for v in rng.integers(200, 256, 3)))
            d = ImageDraw.Draw(img)
            r = int(rng.integers(9, 17))
            cx, cy = (int(v) for v in rng.integers(r + 2, 46 - r, 2))
            colour = tuple(int(v) for v in rng.integers(0, 160, 3))
            (d.ellipse if cls == "circles" else d.rectangle)((cx - r, cy - r, cx + r, cy + r), fill=colour)
            img.save(root / cls / f"{i:02d}.png")
    return root


def train_folder_page(w, out: Path, settle) -> list[str]:
    """The Train workspace with an image folder chosen, after a short run on it (1480x900)."""
    import tempfile
    from playground.core import project
    from playground.core.graph import chain

    folder = shapes_folder(Path(tempfile.mkdtemp()) / "shapes")
    g = chain(("input", {"shape": [32, 32, 3]}), ("conv2d", {"filters": 8, "kernel_size": 3, "activation": "relu"}),
              ("maxpool2d", {"pool_size": 2}), ("conv2d", {"filters": 8, "kernel_size": 3, "activation": "relu"}),
              ("flatten", {}), ("dense", {"units": 2, "activation": "softmax"}))
    w.load_project(project.Project(g, "shapes", training={**project.DEFAULT_TRAINING, "epochs": 12,
                                                          "batch_size": 8, "learning_rate": 0.003,
                                                          "validation_split": 0.0}), None)
    w.resize(1480, 900)
    w.set_workspace("Train")
    panel = w.train_panel
    panel.data_box.use_path(str(folder))
    while panel.data_box.busy:  # the folder is read in a worker
        QApplication.instance().processEvents()
        time.sleep(0.01)
    settle()
    panel.start()
    while panel.is_running():
        QApplication.instance().processEvents()
        time.sleep(0.01)
    settle()
    w.grab().save(str(out / "train-folder-1480x900.png"))
    return ["train-folder-1480x900.png"]


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
