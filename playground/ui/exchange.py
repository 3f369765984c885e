"""Export the document's network as .h5 / .keras / a Python script, in a worker thread.

Keras loads on the first export (about 3 s): that happens off the GUI thread, so the window stays
responsive; the banner says when the file is written or why it was not.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ..core.words import file_stem

FORMATS = (("h5", "Keras .h5\u2026"), ("keras", "Keras .keras\u2026"), ("py", "Python script .py\u2026"),
           ("onnx", "ONNX .onnx\u2026"), ("litert", "LiteRT .tflite\u2026"))
SUFFIX = {"h5": ".h5", "keras": ".keras", "py": ".py", "onnx": ".onnx", "litert": ".tflite"}


class Exporter(QObject):
    finished = Signal(bool, str)  # ok, the path or the message

    def __init__(self, doc, last_dir, parent: QWidget, opened=lambda: []):
        super().__init__(parent)
        self.doc, self.last_dir, self.widget = doc, last_dir, parent
        self.opened = opened  # the files opened, newest first (the window's recent files)
        self.busy: str | None = None

    def export_dialog(self, fmt: str) -> None:
        suffix = SUFFIX[fmt]
        stem = file_stem(self.doc.project.name)
        default = self.last_dir() / f"{stem}{suffix}"
        # never the file a model was opened from (after opening base.h5 it offered base.h5 itself), but the last
        # export's name again, where that is what is there (Qt asks before it is overwritten)
        mine = {Path(p) for p in self.opened()[:10]}
        for n in range(2, 1000):
            if default not in mine:
                break
            default = default.with_name(f"{stem}-{n}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self.widget, f"Export as {suffix}", str(default), f"*{suffix}")
        if path:
            self.export_to(path if path.endswith(suffix) else f"{path}{suffix}", fmt)

    def export_to(self, path: str, fmt: str) -> bool:
        """Start writing ``path``; False if another export is still running."""
        if self.busy:
            self.doc.tell(f"Still exporting {Path(self.busy).name}.", "info")
            return False
        from .worker import start_job
        self.busy = str(path)
        self.doc.say(f"Exporting {Path(path).name}\u2026", 0)
        from ..core.imagenet import preparation
        pre = preparation(self.doc.graph)  # what the file takes: said with where it went (a drive fed it 0-255)
        self._takes = "" if pre is None else (f" It takes images in [0, 1], as the app gives them: its first layer, "
                                              f"{pre.name}, prepares them for the rest.")
        start_job(_export, self.doc.graph.copy(), str(path), fmt, self.doc.project.name,
                  on_done=self._on_done, on_failed=self._on_failed, parent=self)
        return True

    def _on_done(self, result) -> None:
        path, note = result
        self.busy = None
        if path.endswith(".py"):
            weights = Path(path).with_name(Path(path).stem + ".weights.h5")
            text = f"Exported {path}. Run it with Python to rebuild the model in plain Keras." + (
                f" The trained weights are in {weights.name} beside it; keep the two together." if weights.exists()
                else " Its docstring says which weights it carries (hand-set Neuron weights are written inline).")
        elif path.endswith((".onnx", ".tflite")):
            runtime = "onnxruntime" if path.endswith(".onnx") else "the LiteRT interpreter"  # (it named both)
            text = f"Exported {path} ({note}); {runtime} runs it without Keras."
        else:
            text = f"Exported {path}. Plain Keras loads it with keras.models.load_model()."
        text += getattr(self, "_takes", "")
        self.doc.tell(text, "info")  # (the banner is above the canvas: See inside, where a drive exported, hides it)
        self.doc.say(text, 12000)
        self.finished.emit(True, path)

    def _on_failed(self, message: str) -> None:
        self.busy = None
        self.doc.tell(f"Could not export: {message}")
        self.doc.say(f"Could not export: {message}", 12000)
        self.finished.emit(False, message)


def _export(graph, path: str, fmt: str, name: str) -> tuple[str, str | None]:
    from ..backend.export import export_checked  # Keras loads here, in the worker thread
    return path, export_checked(graph, path, fmt, name=name)[1]
