"""The README's test command against a fixed Keras workload on the same machine, alternated.

    python benchmarks/test_suite.py [ROUNDS]

This machine's speed drifts (the same suite took 2 min 36 s one night and 4 min 23 s the next morning, both with
the load average below 1 at the start), so a suite time alone says little. Each round runs, in fresh processes:
the baseline (two copies at once, one per core, of: import Keras, build DenseNet121 at 32x32 without weights,
save it as .keras, load it back: the kind of work most of the suite's CPU goes to), then the README's test command
(`python -m pytest -q`, without pytest's cache), then the baseline again. The round's baseline is the mean of its
two. ratio = suite seconds / baseline seconds, which follows the machine's speed less than either; cpu_ratio is the
same in CPU seconds (every worker and child process). About 5 minutes a round on 2 cores.

Last line: suite_s=<median> baseline_s=<median> ratio=<median> ratio_min, ratio_max, suite_cpu_s, baseline_cpu_s,
cpu_ratio (medians)
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = r"""
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
m = keras.applications.DenseNet121(weights=None, input_shape=(32, 32, 3), classes=10)
path = os.path.join(sys.argv[1], "densenet.keras")
m.save(path)
keras.models.load_model(path, compile=False)
"""


def cpu_of_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def baseline() -> tuple[float, float]:
    """(wall seconds, CPU seconds) of two copies of the baseline at once."""
    env = dict(os.environ, KERAS_BACKEND="tensorflow")
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        cpu0, t0 = cpu_of_children(), time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BASELINE, d], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for d in (a, b)]
        for p in procs:
            _, err = p.communicate()
            if p.returncode:
                raise SystemExit(f"the baseline failed:\n{err[-2000:]}")
        return time.perf_counter() - t0, cpu_of_children() - cpu0


def suite() -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of every process it started, pytest's closing line)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cpu0, t0 = cpu_of_children(), time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, cpu_of_children() - cpu0
    closing = (out.stdout.strip().splitlines() or [""])[-1]
    if out.returncode:
        raise SystemExit(f"the tests failed: {closing}")
    return wall, cpu, closing


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rows = []
    for i in range(rounds):
        load = os.getloadavg()[0]
        (b1, c1), (wall, cpu, closing), (b2, c2) = baseline(), suite(), baseline()
        base, base_cpu = (b1 + b2) / 2, (c1 + c2) / 2
        rows.append((wall, base, wall / base, cpu, base_cpu, cpu / base_cpu))
        print(f"round {i + 1}: load at start {load:.2f}; baseline {b1:.1f} s and {b2:.1f} s ({c1:.0f} and {c2:.0f} "
              f"CPU s); suite {wall:.1f} s ({cpu:.0f} CPU s; {closing}); ratio {wall / base:.2f}, cpu_ratio "
              f"{cpu / base_cpu:.2f}", flush=True)
    med = [statistics.median(r[k] for r in rows) for k in range(6)]
    print(f"suite_s={med[0]:.1f} baseline_s={med[1]:.2f} ratio={med[2]:.2f} ratio_min={min(r[2] for r in rows):.2f} "
          f"ratio_max={max(r[2] for r in rows):.2f} suite_cpu_s={med[3]:.0f} baseline_cpu_s={med[4]:.1f} "
          f"cpu_ratio={med[5]:.2f}")
