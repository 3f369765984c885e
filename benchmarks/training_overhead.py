"""Does training through the app slow Keras down, and how long does a user wait from Start to results?

    python benchmarks/training_overhead.py [ROUNDS]

Two comparisons, alternated within each round (the machine is shared: interleaving keeps the load alike):

- fit: the ``model.fit`` call inside the app's training path (worker thread, live plots shown offscreen)
  against plain ``model.fit(verbose=0)``, the same small CNN, 1 epoch on the built-in digits. A fresh
  model each time, so graph tracing is in both. While the app trains, a 10 ms UI timer records how
  late each tick fires.
- end to end: from pressing Start to the results on screen (accuracy, confusion matrix, gallery, the
  trained weights back in the project), 2 epochs with a 10% validation split, against a plain Keras
  script that builds the same network and runs fit + evaluate + predict on the same arrays (already in
  memory; evaluate and predict with the app's batch sizes, 256 and 512).

Last line: ratio=<median app fit / median plain fit> e2e_ratio=<median app wait / median plain script>
ui_p99_ms=<99th percentile timer lateness>, after one line per round.
Goals (issue 16): ratio <= 1.05, e2e_ratio <= 1.10, ui_p99_ms < 50.
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
E2E_SETTINGS = {**SETTINGS, "epochs": 2, "validation_split": 0.1}


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


def plain_arrays():
    """The digits as a plain script would hold them: float32 in [0, 1], 28x28x1, integer labels."""
    import numpy as np
    from playground.resources_path import resource_file
    d = np.load(resource_file("datasets", "mnist-sample.npz"))
    return ((d["x_train"].astype("float32") / 255.0)[..., None], d["y_train"].astype("int64"),
            (d["x_test"].astype("float32") / 255.0)[..., None], d["y_test"].astype("int64"))


def plain_e2e(arrays) -> float:
    """The plain Keras script: build, compile, fit, evaluate, predict."""
    import keras
    from keras import layers
    x, y, x_test, y_test = arrays
    s = E2E_SETTINGS
    keras.utils.set_random_seed(0)
    t = time.perf_counter()
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 3, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(s["learning_rate"]), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=s["batch_size"], epochs=s["epochs"], validation_split=s["validation_split"],
              verbose=0, shuffle=True)
    model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    model.predict(x_test, batch_size=512, verbose=0)
    return time.perf_counter() - t


def app_e2e(app, window) -> float:
    """Start pressed -> results shown (the finished handler has run and the window has painted)."""
    from playground.core import project
    window.load_project(project.Project(graph(), "bench", training=dict(E2E_SETTINGS)), None)
    window.set_workspace(os.environ.get("BENCH_WORKSPACE", "Train"))
    panel = window.train_panel
    app.processEvents()
    loop = QEventLoop()
    t = time.perf_counter()
    assert panel.start()
    panel.thread.finished.connect(loop.quit)
    loop.exec()
    app.processEvents()  # paint the results
    elapsed = time.perf_counter() - t
    assert panel.outcome is not None and panel.outcome.result.stopped == "finished"
    assert panel.confusion.rowCount() == 10
    return elapsed


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
    from playground.backend.runtime import get_keras
    get_keras()  # as the app loads it (TensorFlow's start-up notices held back)
    arrays = plain_arrays()
    plain_fit()  # warm-up: imports, first traces
    app_fit(app, window)
    plain_e2e(arrays)
    app_e2e(app, window)
    plain, ours, late, plain_wait, app_wait = [], [], [], [], []
    for i in range(rounds):
        # alternate which side goes first, so a slow spell on the shared machine hits both alike
        if i % 2:
            s, lat = app_fit(app, window)
            plain.append(plain_fit())
            app_wait.append(app_e2e(app, window))
            plain_wait.append(plain_e2e(arrays))
        else:
            plain.append(plain_fit())
            s, lat = app_fit(app, window)
            plain_wait.append(plain_e2e(arrays))
            app_wait.append(app_e2e(app, window))
        ours.append(s)
        late += lat
        print(f"round {i + 1}: fit plain {plain[-1]:.2f} s, app {ours[-1]:.2f} s ({ours[-1] / plain[-1]:.3f}); "
              f"start-to-results plain {plain_wait[-1]:.2f} s, app {app_wait[-1]:.2f} s "
              f"({app_wait[-1] / plain_wait[-1]:.3f})", flush=True)
    p99 = sorted(late)[int(0.99 * (len(late) - 1))] if late else float("nan")
    print(f"ratio={statistics.median(ours) / statistics.median(plain):.3f} "
          f"e2e_ratio={statistics.median(app_wait) / statistics.median(plain_wait):.3f} ui_p99_ms={p99:.1f}",
          flush=True)
    window.close()
    os._exit(0)  # skip interpreter finalization (see tests/conftest.py)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
