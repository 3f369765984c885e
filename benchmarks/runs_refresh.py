"""The Runs tab redrawn for a long run history, against a plain QTableWidget filled with the same cells.

    python benchmarks/runs_refresh.py [ROUNDS] [RUNS]          (default 5 rounds, 200 runs)

A project with RUNS runs (its limit raised to RUNS) is open in the window, Train workspace, Runs tab shown. Each
round types a new "weights of the last" count into the Runs tab and presses Enter: the table is redrawn with the
same rows. The baseline fills a bare QTableWidget of the same size with the same texts and sizes its columns
once, which is what Qt itself needs to show them. Rounds alternate the two. Last line:
redraw_ms=<median> plain_ms=<median> ratio=<...>
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    from PySide6.QtCore import QSettings, QStandardPaths, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication([])
    from playground.core import project, runs
    from playground.core.graph import chain
    from playground.ui.main_window import MainWindow
    g = chain(("input", {"shape": [4]}), ("dense", {"units": 2}))
    history = runs.RunHistory(limit=n)
    for seed in range(n):
        history = history.added(runs.make_run(1, "2026-12-07T03:00:00Z", 1.5, {"dataset": "gate-and", "epochs": 3},
                                              seed, runs.fingerprint(g), runs.EMPTY_DIGEST, None, 2, [1.0] * 6,
                                              [0.5] * 6, {"loss": [1.0, 0.5, 0.2]}, 0.3, 0.9))
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "bench.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.ask_save = lambda: "discard"
    window.resize(1480, 900)
    window.show()
    window.load_project(project.Project(g, "long", runs=history), None)
    window.set_workspace("Train")
    table = window.train_panel.runs_table
    window.train_panel.tabs.setCurrentWidget(table)
    plain = QTableWidget(table.table.rowCount(), table.table.columnCount())
    plain.resize(table.table.size())
    plain.show()
    texts = [[table.table.item(r, c).text() for c in range(plain.columnCount())] for r in range(plain.rowCount())]

    def settle():
        for _ in range(5):
            app.processEvents()
            time.sleep(0.01)

    box = table.keep.lineEdit()
    redraws, plains = [], []
    for i in range(rounds):
        for side in (("app", "plain") if i % 2 == 0 else ("plain", "app")):
            settle()
            t0 = time.perf_counter()
            if side == "app":
                keep = 4 + i % 2
                box.setFocus()
                QTest.keyClick(box, Qt.Key_A, Qt.ControlModifier)
                QTest.keyClicks(box, str(keep))
                QTest.keyClick(box, Qt.Key_Return)
                app.processEvents()
                redraws.append(time.perf_counter() - t0)
                assert window.doc.project.runs.keep_weights == keep
            else:
                for r, row in enumerate(texts):
                    for c, text in enumerate(row):
                        plain.setItem(r, c, QTableWidgetItem(text))
                plain.resizeColumnsToContents()
                app.processEvents()
                plains.append(time.perf_counter() - t0)
        print(f"round {i + 1}: redraw {redraws[-1] * 1000:.1f} ms, plain {plains[-1] * 1000:.1f} ms", flush=True)
    a, b = statistics.median(redraws), statistics.median(plains)
    print(f"redraw_ms={a * 1000:.1f} plain_ms={b * 1000:.1f} ratio={a / b:.2f} ({n} runs)")
    window.files.clear_recovery()
    os._exit(0)  # (no teardown of the window's threads and caches: nothing here is saved)


if __name__ == "__main__":
    main()
