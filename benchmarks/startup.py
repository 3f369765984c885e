"""Time to a shown main window, against a bare PySide6 + pyqtgraph window, each in a fresh process.

    python benchmarks/startup.py [ROUNDS]
Runs are alternated (app, bare, app, bare, ...) so machine noise hits both alike.
Last line: app_ms=<median> bare_ms=<median> ratio=<app/bare>   (goal, issue 5: ratio <= 1.5)
"""

import os
import statistics
import subprocess
import sys

APP = r"""
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
import pyqtgraph
app = QApplication([])
from playground.ui.main_window import MainWindow
w = MainWindow(); w.show(); app.processEvents()
import sys; assert "keras" not in sys.modules
print((time.perf_counter() - t0) * 1000)
"""

BARE = r"""
import time; t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(pg.PlotWidget()); w.resize(1480, 900); w.show(); app.processEvents()
print((time.perf_counter() - t0) * 1000)
"""


def run(code: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    run(APP), run(BARE)  # warm the disk cache
    app, bare = [], []
    for _ in range(rounds):
        app.append(run(APP))
        bare.append(run(BARE))
    a, b = statistics.median(app), statistics.median(bare)
    print(f"app_ms={a:.0f} bare_ms={b:.0f} ratio={a / b:.2f}")
