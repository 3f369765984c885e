"""The preset gallery (a picture and a line for each preset) and the About text."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from .. import __version__
from ..core import project as project_io
from ..core.registry import get_spec
from ..resources_path import preset_names, preset_text
from . import theme

PRESET_ORDER = ["mnist-cnn", "mnist-mlp", "lenet5", "cifar10-baseline", "cifar10-cnn", "cifar10-cnn-augmented",
                "alexnet", "and", "or", "not", "nor", "xnor-case1", "xnor-case2"]


def graph_thumbnail(graph, w: int = 220, h: int = 110) -> QPixmap:
    """A small picture of the network: each layer a box in its category colour, edges as lines."""
    pm = QPixmap(w * 2, h * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(theme.card_colours()["canvas"])
    if not graph.nodes:
        return pm
    xs = [n.pos[0] for n in graph.nodes.values()]
    ys = [n.pos[1] for n in graph.nodes.values()]
    x0, x1, y0, y1 = min(xs), max(xs) + 196, min(ys), max(ys) + 96
    scale = min((w - 16) / max(x1 - x0, 1), (h - 16) / max(y1 - y0, 1))
    ox = (w - (x1 - x0) * scale) / 2
    oy = (h - (y1 - y0) * scale) / 2

    def box(n):
        return QRectF(ox + (n.pos[0] - x0) * scale, oy + (n.pos[1] - y0) * scale, 196 * scale, 96 * scale)

    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QPen(theme.card_colours()["edge"], 1.2))
    for e in graph.edges:
        a, b = box(graph.nodes[e.src]), box(graph.nodes[e.dst])
        p.drawLine(a.right(), a.center().y(), b.left(), b.center().y())
    for n in graph.nodes.values():
        p.setPen(Qt.NoPen)
        p.setBrush(theme.category_colour(get_spec(n.kind).category))
        p.drawRoundedRect(box(n), 3, 3)
    p.end()
    return pm


class PresetGallery(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New from preset")
        self.chosen: str | None = None
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(QSize(220, 110))
        self.list.setGridSize(QSize(250, 190))
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setWordWrap(True)
        self.list.setMovement(QListWidget.Static)
        names = preset_names()
        for name in [n for n in PRESET_ORDER if n in names] + [n for n in names if n not in PRESET_ORDER]:
            proj = project_io.loads(preset_text(name))
            item = QListWidgetItem(QIcon(graph_thumbnail(proj.graph)), f"{name}\n{proj.description}")
            item.setData(Qt.UserRole, name)
            item.setToolTip(proj.description)
            item.setSizeHint(QSize(240, 180))
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _: self._accept())
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Start from a network from the lectures. Digits train offline on the built-in sample."))
        lay.addWidget(self.list)
        lay.addWidget(buttons)
        self.resize(820, 640)

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen = item.data(Qt.UserRole)
            self.accept()


def about_text() -> str:
    """Version, the Keras/TensorFlow in use (only if already loaded: About never loads Keras), attributions."""
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        backend = keras.backend.backend()
        engine = f"Keras {keras.__version__} on {backend}"
        if backend == "tensorflow" and "tensorflow" in sys.modules:
            engine += f" (TensorFlow {sys.modules['tensorflow'].__version__})"
    else:
        from importlib.metadata import PackageNotFoundError, version
        try:
            engine = f"Keras {version('keras')}, TensorFlow {version('tensorflow')} (not loaded yet)"
        except PackageNotFoundError:
            engine = "Keras or TensorFlow is not installed"
    from PySide6 import __version__ as pyside_version
    import pyqtgraph
    return (f"<h3>Network Playground {__version__}</h3>"
            f"<p>Build neural networks by hand, see every shape, and watch them learn.</p>"
            f"<p>{engine}<br>PySide6 {pyside_version}, pyqtgraph {pyqtgraph.__version__}</p>"
            f"<p><b>Data</b>: the built-in digit sample is from MNIST (Y. LeCun, C. Cortes, C. J. C. Burges; "
            f"CC BY-SA 3.0). Fashion-MNIST (Zalando Research, MIT) and CIFAR-10 (A. Krizhevsky, V. Nair, "
            f"G. Hinton) are downloaded through Keras when used.</p><p>MIT licence.</p>")
