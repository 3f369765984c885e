"""Time to a shown main window, against a bare PySide6 + pyqtgraph window, each in a fresh process.

    python benchmarks/startup.py [ROUNDS]
Runs are alternated (app, bare, app, bare, ...) so machine noise hits both alike; one untimed run of each
first warms the disk cache and writes the app's bytecode. Each run is a new Python process (about 1 s each
on 2 cores: 7 rounds take about 20 s).
Last line: app_ms=<median> bare_ms=<median> ratio=<app/bare> app_cpu_ms, bare_cpu_ms, cpu_ratio=<the same in
CPU time of the whole process, interpreter start and exit included: steadier on a busy machine>   (goals: issue 5 ratio <= 1.5, issue 26 <= 1.3)
"""

import os
import resource
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


def run(code: str) -> tuple[float, float]:
    """(ms to the shown window as the child measured it, CPU ms of the whole child process)."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # An installed app has its bytecode (pip compiles it, as it did PySide6's and pyqtgraph's): without this,
    # a shell that sets PYTHONDONTWRITEBYTECODE makes every app start compile ~80 modules (0.2 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return float(out.stdout.strip().splitlines()[-1]), cpu


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    run(APP), run(BARE)  # warm the disk cache (and write the app's bytecode)
    app, bare = [], []
    for _ in range(rounds):
        app.append(run(APP))
        bare.append(run(BARE))
    a, b = statistics.median(x[0] for x in app), statistics.median(x[0] for x in bare)
    ac, bc = statistics.median(x[1] for x in app), statistics.median(x[1] for x in bare)
    print(f"app_ms={a:.0f} bare_ms={b:.0f} ratio={a / b:.2f} app_cpu_ms={ac:.0f} bare_cpu_ms={bc:.0f} "
          f"cpu_ratio={ac / bc:.2f}")
