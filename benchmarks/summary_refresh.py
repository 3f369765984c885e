"""One edit in a large opened model: from the keys to the window redrawn, against Keras' own model.summary().

    python benchmarks/summary_refresh.py [ROUNDS] [MODEL]          (default 5 rounds, DenseNet121: 429 layers)

The model (keras.applications, weights=None, 32x32 input, 10 classes) is saved as .keras and opened in the
window. Each round types a new unit count into the inspector for the last Dense layer (chosen by a click on its
row in the layer table) and presses Enter, then lets the window redraw: the canvas, the inspector, and the
layer table of every layer with its worked formula. The baseline prints the same model's table with Keras' own
``model.summary()``. Rounds alternate the two. Last line: edit_ms=<median> keras_summary_ms=<median> ratio=<...>
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    name = sys.argv[2] if len(sys.argv) > 2 else "DenseNet121"
    from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])
    import keras
    model = getattr(keras.applications, name)(weights=None, input_shape=(32, 32, 3), classes=10)
    path = Path(tempfile.mkdtemp()) / f"{name.lower()}.keras"
    model.save(path)
    from playground.ui.main_window import MainWindow
    window = MainWindow(settings=QSettings(str(path.with_suffix(".ini")), QSettings.IniFormat))
    window.ask_save = lambda: "discard"
    window.resize(1480, 900)
    window.show()
    loop = QEventLoop()
    window.files.opened.connect(loop.quit)
    assert window.open_file(path)
    loop.exec()
    app.processEvents()
    graph = window.graph
    dense = [n for n in graph.nodes.values() if n.kind == "dense"][-1]
    table = window.summary.table
    row = window.summary.row_ids.index(dense.id)
    table.scrollToItem(table.item(row, 0))
    QTest.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center())
    app.processEvents()
    field = window.inspector.fields["units"]
    assert window.inspector.node_id == dense.id, "the click did not select the layer"
    edits, summaries = [], []
    for i in range(rounds):
        for side in (("edit", "keras") if i % 2 == 0 else ("keras", "edit")):
            if side == "edit":
                units = 11 + i
                t0 = time.perf_counter()
                field.setFocus()
                QTest.keyClick(field, Qt.Key_A, Qt.ControlModifier)
                QTest.keyClicks(field, str(units))
                QTest.keyClick(field, Qt.Key_Return)
                app.processEvents()  # the canvas, the inspector and the layer table redrawn
                edits.append(time.perf_counter() - t0)
                assert dense.params["units"] == units, dense.params
                assert table.item(row, 2).text().endswith(str(units)), table.item(row, 2).text()
            else:
                out = io.StringIO()
                t0 = time.perf_counter()
                model.summary(print_fn=lambda line, **_: out.write(line + "\n"))
                summaries.append(time.perf_counter() - t0)
        print(f"round {i + 1}: edit {edits[-1] * 1000:.0f} ms, model.summary() {summaries[-1] * 1000:.0f} ms",
              flush=True)
    a, b = statistics.median(edits), statistics.median(summaries)
    print(f"edit_ms={a * 1000:.0f} keras_summary_ms={b * 1000:.0f} ratio={a / b:.2f} ({len(graph.nodes)} layers)")
    window.close()


if __name__ == "__main__":
    main()
