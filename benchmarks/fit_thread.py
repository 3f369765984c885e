"""Plain Keras ``fit`` on the main thread against the same fit in a ``threading.Thread``, alternated, in one process.

    python benchmarks/fit_thread.py [ROUNDS]
The app must train off the main thread (Qt's GUI owns it). This measures what that costs Keras and TensorFlow by
themselves, with no app code in the fit: the network, data and settings of ``training_overhead.py``'s fit (plain
``model.fit(verbose=0)``, 1 epoch of the built-in digits), compiled the same way, a fresh model each time.
Last line: loop_thread_cpu_ratio=<median CPU of the thread that runs the training loop, in a thread / on the main
thread> cpu_ratio=<the same for the whole process's CPU> ratio=<the same on the wall clock>
"""

import os
import statistics
import sys
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import training_overhead as bench  # noqa: E402 - the same network, data, settings and fit wrapper


def in_a_thread() -> None:
    worker = threading.Thread(target=bench.plain_fit)
    worker.start()
    worker.join()


def main(rounds: int) -> None:
    from playground.backend.runtime import get_keras
    get_keras()
    bench.time_every_fit()
    bench.plain_fit()  # warm-up: imports, first traces, the data read once
    in_a_thread()
    runs = {"main": [], "thread": []}  # (wall s, process CPU s, loop thread CPU s)
    for i in range(rounds):
        for side in (("main", "thread") if i % 2 == 0 else ("thread", "main")):
            if side == "main":
                bench.plain_fit()
                loop = bench.FIT_THREAD["plain"][-1]
            else:
                in_a_thread()
                loop = bench.FIT_THREAD["app"][-1]  # the wrapper files every fit off the main thread as "app"
            runs[side].append((*bench.FITS[-1], loop))
        (mw, mc, ml), (tw, tc, tl) = runs["main"][-1], runs["thread"][-1]
        print(f"round {i + 1}: main {mw:.2f} s (cpu {mc:.2f}, loop {ml:.2f}), thread {tw:.2f} s (cpu {tc:.2f}, "
              f"loop {tl:.2f})", flush=True)

    def ratio(k):
        return statistics.median(r[k] for r in runs["thread"]) / statistics.median(r[k] for r in runs["main"])
    print(f"loop_thread_cpu_ratio={ratio(2):.3f} cpu_ratio={ratio(1):.3f} ratio={ratio(0):.3f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
