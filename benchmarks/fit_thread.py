"""Plain Keras ``fit`` on the main thread against the same fit in a new ``threading.Thread`` and in a thread that
lives on (one started once, given each fit in turn), alternated, in one process.

    python benchmarks/fit_thread.py [ROUNDS] [--mnist PATH/mnist.npz]

The app must train off the main thread (Qt's GUI owns it). This measures what that costs Keras and TensorFlow by
themselves, with no app code in the fit: the network, data and settings of ``training_overhead.py``'s fit (plain
``model.fit(verbose=0)``, 1 epoch of the built-in digits), compiled the same way, a fresh model each time.
TensorFlow sets up a thread the first time it runs a model in it (``perf record`` puts about 50 ms of CPU in
``tensorflow::GetFilteredRegisteredKernels`` and its filter, in the first 0.4 s of each fit in a new thread, none
on the main thread or in a reused one): so the app's worker threads live on (ui/worker.py).
With --mnist, 3 epochs of full MNIST (as ``training_overhead.py --mnist``), on the main thread and in the reused
thread only (about 25 s a fit on the quiet 2-core machine; 3 rounds unless ROUNDS says otherwise): does a long fit
cost more off the main thread?
Last line: loop_thread_cpu_ratio=<median CPU of the thread that runs the training loop, in a new thread / on
the main thread> cpu_ratio=<the same for the whole process's CPU> ratio=<the same on the wall clock>, then
reused_loop_thread_cpu_ratio, reused_cpu_ratio and reused_ratio: the same for the thread that lives on.
"""

import os
import queue
import statistics
import sys
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import training_overhead as bench  # noqa: E402 - the same network, data, settings and fit wrapper

_JOBS: queue.SimpleQueue = queue.SimpleQueue()
_DONE: queue.SimpleQueue = queue.SimpleQueue()


def _serve() -> None:
    while True:
        _JOBS.get()
        bench.plain_fit()
        _DONE.put(None)


def in_a_new_thread() -> None:
    worker = threading.Thread(target=bench.plain_fit)
    worker.start()
    worker.join()


def in_the_reused_thread() -> None:
    _JOBS.put(None)
    _DONE.get()


def main(rounds: int, mnist: str | None = None) -> None:
    from playground.backend.runtime import get_keras
    get_keras()
    bench.time_every_fit()
    threading.Thread(target=_serve, daemon=True).start()
    if mnist:
        bench.SETTINGS.update(dataset=mnist, epochs=1)
    bench.plain_fit()  # warm-up: imports, first traces, the data read once
    if not mnist:
        in_a_new_thread()
    in_the_reused_thread()
    sides = {"main": bench.plain_fit, "new": in_a_new_thread, "reused": in_the_reused_thread}
    if mnist:
        bench.SETTINGS["epochs"] = 3
        del sides["new"]
    runs = {side: [] for side in sides}  # (wall s, process CPU s, loop thread CPU s)
    order = list(sides)
    for i in range(rounds):
        for side in order[i % len(order):] + order[:i % len(order)]:
            sides[side]()
            # the wrapper files every fit off the main thread as "app"
            loop = bench.FIT_THREAD["plain" if side == "main" else "app"][-1]
            runs[side].append((*bench.FITS[-1], loop))
        print(f"round {i + 1}: " + ", ".join(f"{side} {w:.2f} s (cpu {c:.2f}, loop {lp:.2f})"
                                            for side, (w, c, lp) in ((s, runs[s][-1]) for s in order)), flush=True)

    def ratio(side, k):
        return statistics.median(r[k] for r in runs[side]) / statistics.median(r[k] for r in runs["main"])
    new = (f"loop_thread_cpu_ratio={ratio('new', 2):.3f} cpu_ratio={ratio('new', 1):.3f} ratio={ratio('new', 0):.3f} "
           if "new" in sides else "")
    print(f"{new}reused_loop_thread_cpu_ratio={ratio('reused', 2):.3f} reused_cpu_ratio={ratio('reused', 1):.3f} "
          f"reused_ratio={ratio('reused', 0):.3f}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    path = None
    if "--mnist" in args:
        i = args.index("--mnist")
        if i + 1 >= len(args):
            sys.exit("usage: python benchmarks/fit_thread.py [ROUNDS] [--mnist PATH/mnist.npz]")
        path = args[i + 1]
        del args[i:i + 2]
    main(int(args[0]) if args else (3 if path else 8), path)
