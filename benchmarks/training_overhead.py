"""Does training through the app slow Keras down? Plain ``model.fit(verbose=0)`` against the app's worker
with the live plots shown (offscreen), alternated, the same small CNN on the same data.

    python benchmarks/training_overhead.py [ROUNDS]
Each round times the ``model.fit`` call on both sides (a fresh model each time, so graph tracing is in
both). While the app trains, a 10 ms UI timer records how late each tick fires.
Last line: ratio=<median app fit / median plain fit> ui_p99_ms=<99th percentile timer lateness>
Goals (issue 6): ratio <= 1.05, ui_p99_ms < 50.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SETTINGS = {"dataset": "mnist-sample", "optimizer": "adam", "learning_rate": 0.001, "lr_schedule": "constant",
            "batch_size": 64, "epochs": 1, "validation_split": 0.0, "early_stopping": 0, "loss": "auto", "seed": 0}


def graph():
    from playground.core.graph import chain
    return chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 16, "kernel_size": 3, "activation": "relu"}),
                 ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))


def plain_fit() -> float:
    from playground.backend import builder, datasets, training
    data = datasets.prepare(datasets.load("mnist-sample"), (28, 28, 1), 10)
    cfg = training.TrainConfig.from_settings(SETTINGS)
    import keras
    keras.utils.set_random_seed(0)
    model = builder.build_model(graph())
    training.compile_model(model, cfg, data.loss, len(data.x_train))
    t = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=cfg.batch_size, epochs=cfg.epochs, verbose=0, shuffle=True)
    return time.perf_counter() - t


def app_fit(app, window) -> tuple[float, list[float]]:
    from playground.core import project
    window.load_project(project.Project(graph(), "bench", training=dict(SETTINGS)), None)
    window.set_workspace(os.environ.get("BENCH_WORKSPACE", "Train"))
    panel = window.train_panel
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 10.0))
        last[0] = now

    def tick_when_training():
        if panel.plots.buffers["batch_loss"].n:  # measure only while batches flow
            tick()
        else:
            last[0] = time.perf_counter()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick_when_training)
    loop = QEventLoop()
    assert panel.start()
    panel.thread.finished.connect(loop.quit)
    timer.start()
    loop.exec()  # wait the way the app does: in the event loop, not a polling loop
    timer.stop()
    app.processEvents()
    return panel.outcome.result.seconds, lateness


def main(rounds: int) -> None:
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    from playground.ui.main_window import MainWindow
    window = MainWindow(settings=QSettings("/tmp/playground-bench.ini", QSettings.IniFormat))
    window.ask_save = lambda: "discard"
    window.resize(1480, 900)
    window.show()
    plain_fit()  # warm-up: imports, first traces
    app_fit(app, window)
    plain, ours, late = [], [], []
    for i in range(rounds):
        plain.append(plain_fit())
        s, lat = app_fit(app, window)
        ours.append(s)
        late += lat
        print(f"round {i + 1}: plain {plain[-1]:.2f} s, app {ours[-1]:.2f} s, "
              f"redraws {window.train_panel.plots.redraws}", flush=True)
    p99 = sorted(late)[int(0.99 * (len(late) - 1))] if late else float("nan")
    print(f"ratio={statistics.median(ours) / statistics.median(plain):.3f} ui_p99_ms={p99:.1f}", flush=True)
    window.close()
    os._exit(0)  # skip interpreter finalization (see tests/conftest.py)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
