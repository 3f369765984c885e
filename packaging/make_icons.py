"""Render resources/icons/playground.svg to PNG sizes for desktop entries and installers."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"

if __name__ == "__main__":
    app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "playground.svg"))
    for size in (16, 32, 48, 64, 128, 256, 512):
        img = QImage(size, size, QImage.Format_ARGB32)
        img.fill(Qt.transparent)
        p = QPainter(img)
        renderer.render(p)
        p.end()
        img.save(str(ICONS / f"playground-{size}.png"))
        print("wrote", ICONS / f"playground-{size}.png")
