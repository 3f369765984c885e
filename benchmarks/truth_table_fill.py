"""The Logic lab's truth table refreshed for xnor-case2 (what every nudge of a weight and every update of Learn
instead does), against the same cells set into a bare QTableWidget sized once.

    python benchmarks/truth_table_fill.py [ROUNDS]          (default 5 rounds of 50 refreshes each)

The window is 1280x720, the preset open in the Logic lab. Each round times 50 calls of the table's fill with the
network's truth table, then 50 fills of a bare QTableWidget of the same size with the same texts and one
resizeColumnsToContents. Last line: fill_ms=<median> plain_ms=<median> ratio=<...>
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])
    from playground.core import logic, project
    from playground.resources_path import preset_text
    from playground.ui.main_window import MainWindow
    from playground.ui.theme import app_type
    app_type(app)
    window = MainWindow(settings=QSettings(os.path.join(tempfile.mkdtemp(), "b.ini"), QSettings.IniFormat))
    window.ask_save = lambda: "discard"
    window.resize(1280, 720)
    window.show()
    window.load_project(project.loads(preset_text("xnor-case2")), None)
    window.set_workspace("Logic lab")
    for _ in range(10):
        app.processEvents()
    lab = window.logic_panel
    table = lab.table
    data = logic.truth_table(lab.network(), lab.target_value())
    plain = QTableWidget(table.rowCount(), table.columnCount())
    plain.resize(table.size())
    plain.show()
    texts = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    fills, plains = [], []
    for i in range(rounds):
        t0 = time.perf_counter()
        for _ in range(50):
            table.fill(data, lab.network())
        fills.append((time.perf_counter() - t0) / 50)
        t0 = time.perf_counter()
        for _ in range(50):
            for r, row in enumerate(texts):
                for c, text in enumerate(row):
                    plain.setItem(r, c, QTableWidgetItem(text))
            plain.resizeColumnsToContents()
        plains.append((time.perf_counter() - t0) / 50)
        print(f"round {i + 1}: fill {fills[-1] * 1000:.2f} ms, plain {plains[-1] * 1000:.2f} ms", flush=True)
    a, b = statistics.median(fills), statistics.median(plains)
    print(f"fill_ms={a * 1000:.2f} plain_ms={b * 1000:.2f} ratio={a / b:.2f} (compact={table.compact})")
    window.files.clear_recovery()
    os._exit(0)


if __name__ == "__main__":
    main()
