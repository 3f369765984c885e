"""Does training through the app slow Keras down, and how long does a user wait from Start to results?

    python benchmarks/training_overhead.py [ROUNDS] [--keras-compile-baseline]

Two comparisons, alternated within each round (the machine is shared: interleaving keeps the load alike,
and the side that goes first alternates between rounds):

- fit: the ``model.fit`` call inside the app's training path (worker thread, live plots shown offscreen)
  against plain ``model.fit(verbose=0)``, the same small CNN, 1 epoch on the built-in digits. The app builds
  its optimizer at compile, which spares TensorFlow a second trace of the first step (about 0.2 s, outside
  the timed ``fit``); the plain side is compiled the same way, so the ratio is the app's own cost alone
  (worker thread, callbacks, window). With --keras-compile-baseline the plain side compiles as a Keras user
  does and pays that trace inside its ``fit`` (benchmarks/optimizer_build.py measures the saving itself). A fresh
  model each time, so graph tracing is in both. Each round also runs one more app fit, outside the comparison,
  in which a 10 ms UI timer records how late each tick fires (the responsiveness figure): the timer is this
  benchmark's probe, not the app's work, and it would add about 1 % of CPU (its 100 wake-ups a second take the
  GIL) to the app side of the compared fits.
- end to end: from pressing Start to the results on screen (accuracy, confusion matrix, gallery, the
  trained weights back in the project), 2 epochs with a 10% validation split, against a plain Keras
  script that builds the same network and runs fit + evaluate + predict on the same arrays (already in
  memory; evaluate and predict with the app's batch sizes, 256 and 512). Keras is loaded and the data
  were read once before the first round, as for a second press of Start. The script compiles as Keras users
  do (whatever the flag), so this ratio includes the saving of the app's optimizer build.

Each is timed on the wall clock and in CPU seconds of the whole process (all threads: the GUI's share
counts against the app). CPU time hardly moves when other programs load the machine; wall time does.
Last line: ratio=<median app fit / median plain fit> e2e_ratio=<the same for Start-to-results>
cpu_ratio=... e2e_cpu_ratio=... ui_p99_ms=<99th percentile timer lateness> gui_cpu_share=<the GUI thread's
CPU from Start to the end of an app fit, over a plain fit's CPU: the window's share of the overhead>
gui_in_fit_share=<the GUI thread's CPU during the fit alone, over the app fit's CPU> callback_share=<the app's
per-batch callback's CPU over the same: the two are the app's own work inside fit, counted, not inferred from
two noisy totals; the probe timer runs in none of these fits>
loop_thread_cpu_ratio=<the CPU of the thread that runs the training loop: the app's worker thread against the
plain fit's main thread (TensorFlow's own threads and Keras' callback threads are in neither)>, after one
line per round and one with the spread of the per-round ratios and the fastest-against-fastest ratios (the least
disturbed runs of each side: the better estimate when the machine is busy).
Goals (issue 16): ratio <= 1.05, e2e_ratio <= 1.10, ui_p99_ms < 50; issue 26: ratio, cpu_ratio and
e2e_ratio <= 1.05.

    python benchmarks/training_overhead.py [ROUNDS] --mnist PATH/mnist.npz

The fit comparison only, on full MNIST (60,000 digits, from a Keras mnist.npz) for 3 epochs: about 35 s a
fit on the quiet 2-core machine, so 3 rounds, the warm-up and the one probe fit (after the rounds) take about
5.5 minutes (the default run, 5 rounds on the built-in digits, about 1.5 minutes). Last line: ratio=... cpu_ratio=... ui_p99_ms=...
"""

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QStandardPaths, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SETTINGS = {"dataset": "mnist-sample", "optimizer": "adam", "learning_rate": 0.001, "lr_schedule": "constant",
            "batch_size": 64, "epochs": 1, "validation_split": 0.0, "early_stopping": 0, "loss": "auto", "seed": 0}
E2E_SETTINGS = {**SETTINGS, "epochs": 2, "validation_split": 0.1}
FITS: list[tuple[float, float]] = []  # (wall s, process CPU s) of every model.fit call, in order
IN_FIT: list[tuple[float, float]] = []  # per app fit: CPU s of the GUI thread and of the app's callback during it
CALLBACK_CPU: list[float] = []  # CPU s of each call of the app's per-batch callback, in the current fit
FIT_THREAD: dict = {"app": [], "plain": []}  # CPU s of the thread that called fit (it runs the training loop)
COMPARED: dict = {"in_fit": [], "app": [], "plain": []}  # the above for the fit comparison's fits alone (not e2e's)
_PLAIN_DATA: dict = {}
KERAS_COMPILE_BASELINE = "--keras-compile-baseline" in sys.argv  # see plain_fit
GUI_CPU: list[float] = []  # CPU s of the GUI thread from Start to the end of each app fit (plots, labels, events)


def time_every_fit() -> None:
    """Wrap keras.Model.fit once, so the app's fit (in its worker thread) is timed the same way as ours.

    Also the app's own work *inside* its fit, counted directly: the GUI thread's CPU clock read at the fit's start
    and end (from the worker: ``pthread_getcpuclockid``), and the CPU of each call of the app's per-batch
    callback (``on_train_batch_begin``/``_end``). Start-up and the results shown after the fit are not in it."""
    import threading

    import keras

    from playground.backend import training
    fit = keras.Model.fit
    gui_clock = time.pthread_getcpuclockid(threading.main_thread().ident)

    def timed_fit(self, *args, **kwargs):
        app_side = threading.current_thread() is not threading.main_thread()
        CALLBACK_CPU.clear()
        gui, own = time.clock_gettime(gui_clock), time.thread_time()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fit(self, *args, **kwargs)
        finally:
            FITS.append((time.perf_counter() - wall, time.process_time() - cpu))
            FIT_THREAD["app" if app_side else "plain"].append(time.thread_time() - own)
            if app_side:
                IN_FIT.append((time.clock_gettime(gui_clock) - gui, sum(CALLBACK_CPU)))
    keras.Model.fit = timed_fit

    make_callback = training._make_callback

    def counted_callback(*args, **kwargs):
        cb = make_callback(*args, **kwargs)
        for name in ("on_train_batch_begin", "on_train_batch_end"):
            def counted(batch, logs=None, _f=getattr(cb, name)):
                t = time.thread_time()
                _f(batch, logs)
                CALLBACK_CPU.append(time.thread_time() - t)
            setattr(cb, name, counted)
        return cb
    training._make_callback = counted_callback


def graph():
    from playground.core.graph import chain
    return chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 16, "kernel_size": 3, "activation": "relu"}),
                 ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))


def plain_fit() -> tuple[float, float]:
    from playground.backend import builder, datasets, training
    data = _PLAIN_DATA.get(SETTINGS["dataset"])
    if data is None:  # read once, as the app keeps its last prepared arrays (backend.session._PREPARED)
        _PLAIN_DATA.clear()
        data = _PLAIN_DATA[SETTINGS["dataset"]] = datasets.prepare(datasets.load(SETTINGS["dataset"]),
                                                                   (28, 28, 1), 10)
    cfg = training.TrainConfig.from_settings(SETTINGS)
    import keras
    keras.utils.set_random_seed(0)
    model = builder.build_model(graph())
    # compiled as the app compiles (its optimizer built before fit, sparing TensorFlow a second trace of the
    # first step), so the ratio is the app's own cost; --keras-compile-baseline: as a Keras user compiles
    if not KERAS_COMPILE_BASELINE:
        training.compile_model(model, cfg, data.loss, len(data.x_train))
    else:
        model.compile(optimizer=training.make_optimizer(cfg, training.total_steps(cfg, len(data.x_train))),
                      loss=data.loss, metrics=[training.accuracy_metric(data.loss)])
    model.fit(data.x_train, data.y_train, batch_size=cfg.batch_size, epochs=cfg.epochs, verbose=0, shuffle=True)
    COMPARED["plain"].append(FIT_THREAD["plain"][-1])
    return FITS[-1]


def plain_arrays():
    """The digits as a plain script would hold them: float32 in [0, 1], 28x28x1, integer labels."""
    import numpy as np
    from playground.resources_path import resource_file
    d = np.load(resource_file("datasets", "mnist-sample.npz"))
    return ((d["x_train"].astype("float32") / 255.0)[..., None], d["y_train"].astype("int64"),
            (d["x_test"].astype("float32") / 255.0)[..., None], d["y_test"].astype("int64"))


def plain_e2e(arrays) -> tuple[float, float]:
    """The plain Keras script: build, compile, fit, evaluate, predict."""
    import keras
    from keras import layers
    x, y, x_test, y_test = arrays
    s = E2E_SETTINGS
    keras.utils.set_random_seed(0)
    wall, cpu = time.perf_counter(), time.process_time()
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(16, 3, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(s["learning_rate"]), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=s["batch_size"], epochs=s["epochs"], validation_split=s["validation_split"],
              verbose=0, shuffle=True)
    model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    model.predict(x_test, batch_size=512, verbose=0)
    return time.perf_counter() - wall, time.process_time() - cpu


def app_e2e(app, window) -> tuple[float, float]:
    """Start pressed -> results shown (the finished handler has run and the window has painted)."""
    from playground.core import project
    window.load_project(project.Project(graph(), "bench", training=dict(E2E_SETTINGS)), None)
    window.set_workspace(os.environ.get("BENCH_WORKSPACE", "Train"))
    panel = window.train_panel
    app.processEvents()
    loop = QEventLoop()
    wall, cpu = time.perf_counter(), time.process_time()
    assert panel.start()
    panel.thread.finished.connect(loop.quit)
    loop.exec()
    app.processEvents()  # paint the results
    elapsed = time.perf_counter() - wall, time.process_time() - cpu
    assert panel.outcome is not None and panel.outcome.result.stopped == "finished"
    assert panel.confusion.rowCount() == 10
    return elapsed


def app_fit(app, window, probe: bool = False) -> tuple[tuple[float, float], list[float]]:
    """One app fit, waited for in the event loop. ``probe``: run the 10 ms lateness timer during it (such a fit
    is not one of the compared ones: its figures go to no list but FITS and IN_FIT)."""
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
    gui = time.thread_time()  # this (the GUI) thread's CPU while the app trains
    assert panel.start()
    panel.thread.finished.connect(loop.quit)
    if probe:
        timer.start()
    loop.exec()  # wait the way the app does: in the event loop, not a polling loop
    timer.stop()
    app.processEvents()
    if not probe:
        GUI_CPU.append(time.thread_time() - gui)
        COMPARED["in_fit"].append(IN_FIT[-1])
        COMPARED["app"].append(FIT_THREAD["app"][-1])
    return FITS[-1], lateness


def gui_share(fit: dict) -> float:
    """The GUI thread's CPU while the app trained, as a share of the plain fit's CPU (median of each): the
    app's own work in the window, which the machine's load hardly changes."""
    return statistics.median(GUI_CPU[-len(fit["app"]):]) / statistics.median(x[1] for x in fit["plain"])


def in_fit_shares(fit: dict) -> str:
    """The app's own CPU inside its fit over that fit's CPU (medians): the GUI thread's, the callback's."""
    app_cpu = statistics.median(x[1] for x in fit["app"])
    n = len(fit["app"])
    p = len(fit["plain"])
    in_fit = COMPARED["in_fit"][-n:]
    loop = statistics.median(COMPARED["app"][-n:]) / statistics.median(COMPARED["plain"][-p:])
    return (f"gui_in_fit_share={statistics.median(g for g, _ in in_fit) / app_cpu:.4f} "
            f"callback_share={statistics.median(c for _, c in in_fit) / app_cpu:.4f} "
            f"loop_thread_cpu_ratio={loop:.3f}")


def spread(values: list[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}"


def main_mnist(rounds: int, path: str) -> None:
    """The fit comparison alone, 3 epochs on full MNIST (the file at ``path``)."""
    SETTINGS.update(dataset=path, epochs=3)
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    from playground.backend.runtime import get_keras
    get_keras()
    time_every_fit()
    from playground.ui.main_window import MainWindow
    window = MainWindow(settings=QSettings("/tmp/playground-bench.ini", QSettings.IniFormat))
    window.ask_save = lambda: "discard"
    window.resize(1480, 900)
    window.show()
    SETTINGS["epochs"] = 1
    plain_fit()  # warm-up (1 epoch): imports, first traces, the data read once on each side
    app_fit(app, window)
    SETTINGS["epochs"] = 3
    fit = {"plain": [], "app": []}
    for i in range(rounds):
        for side in (("plain", "app") if i % 2 == 0 else ("app", "plain")):
            if side == "plain":
                fit["plain"].append(plain_fit())
            else:
                fit["app"].append(app_fit(app, window)[0])
        (fw, fc), (pw, pc) = fit["app"][-1], fit["plain"][-1]
        print(f"round {i + 1}: 3 epochs of MNIST: plain {pw:.1f} s, app {fw:.1f} s ({fw / pw:.3f}; cpu "
              f"{fc / pc:.3f})", flush=True)
    late = app_fit(app, window, probe=True)[1]  # the responsiveness probe, in one more app fit of its own
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)) for k, v in fit.items()}
    p99 = sorted(late)[int(0.99 * (len(late) - 1))] if late else float("nan")
    print(f"ratio={med['app'][0] / med['plain'][0]:.3f} cpu_ratio={med['app'][1] / med['plain'][1]:.3f} "
          f"ui_p99_ms={p99:.1f} gui_cpu_share={gui_share(fit):.3f} {in_fit_shares(fit)}", flush=True)
    window.close()
    os._exit(0)


def main(rounds: int) -> None:
    QStandardPaths.setTestModeEnabled(True)
    app = QApplication.instance() or QApplication([])
    from playground.backend.runtime import get_keras
    get_keras()  # as the app loads it (TensorFlow's start-up notices held back)
    time_every_fit()
    from playground.ui.main_window import MainWindow
    window = MainWindow(settings=QSettings("/tmp/playground-bench.ini", QSettings.IniFormat))
    window.ask_save = lambda: "discard"
    window.resize(1480, 900)
    window.show()
    arrays = plain_arrays()
    plain_fit()  # warm-up: imports, first traces, the app's data read once
    app_fit(app, window)
    plain_e2e(arrays)
    app_e2e(app, window)
    fit = {"plain": [], "app": []}
    e2e = {"plain": [], "app": []}
    late: list[float] = []
    for i in range(rounds):
        steps = [("fit", "plain"), ("fit", "app"), ("e2e", "plain"), ("e2e", "app")]
        if i % 2:
            steps = [("fit", "app"), ("fit", "plain"), ("e2e", "app"), ("e2e", "plain")]
        for what, side in steps:
            if what == "fit" and side == "plain":
                fit["plain"].append(plain_fit())
            elif what == "fit":
                fit["app"].append(app_fit(app, window)[0])
            elif side == "plain":
                e2e["plain"].append(plain_e2e(arrays))
            else:
                e2e["app"].append(app_e2e(app, window))
        late += app_fit(app, window, probe=True)[1]  # the responsiveness probe, in a fit of its own
        (fw, fc), (pw, pc) = fit["app"][-1], fit["plain"][-1]
        (ew, ec), (qw, qc) = e2e["app"][-1], e2e["plain"][-1]
        print(f"round {i + 1}: fit plain {pw:.2f} s, app {fw:.2f} s ({fw / pw:.3f}; cpu {fc / pc:.3f}); "
              f"start-to-results plain {qw:.2f} s, app {ew:.2f} s ({ew / qw:.3f}; cpu {ec / qc:.3f})", flush=True)

    def ratio(d, k):
        return statistics.median(x[k] for x in d["app"]) / statistics.median(x[k] for x in d["plain"])
    per_round = [a[0] / p[0] for a, p in zip(fit["app"], fit["plain"])]
    per_round_e2e = [a[0] / p[0] for a, p in zip(e2e["app"], e2e["plain"])]
    def best(d):
        return min(x[0] for x in d["app"]) / min(x[0] for x in d["plain"])
    print(f"per-round wall ratios: fit {spread(per_round)}, start-to-results {spread(per_round_e2e)}; "
          f"fastest against fastest: fit {best(fit):.3f}, start-to-results {best(e2e):.3f}")
    p99 = sorted(late)[int(0.99 * (len(late) - 1))] if late else float("nan")
    print(f"ratio={ratio(fit, 0):.3f} e2e_ratio={ratio(e2e, 0):.3f} cpu_ratio={ratio(fit, 1):.3f} "
          f"e2e_cpu_ratio={ratio(e2e, 1):.3f} ui_p99_ms={p99:.1f} gui_cpu_share={gui_share(fit):.3f} "
          f"{in_fit_shares(fit)}", flush=True)
    window.close()
    os._exit(0)  # skip interpreter finalization (see tests/conftest.py)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--keras-compile-baseline"]
    if "--mnist" in args:
        i = args.index("--mnist")
        path = args[i + 1]
        del args[i:i + 2]
        main_mnist(int(args[0]) if args else 3, path)
    main(int(args[0]) if args else 5)
