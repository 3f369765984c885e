"""What does exact replay cost? The same training with TensorFlow's op determinism on and off, in one run.

    python benchmarks/determinism.py [ROUNDS]
Op determinism is process-wide (TensorFlow has no public switch to turn it off again), so each side runs
in its own child process; the children alternate (on, off, off, on, ...) so load on the machine hits both.
Each child imports Keras, then times FITS fits of the digit CNN below on the built-in 10,000 digits
(1 epoch, batch 128, a fresh model each fit, seeded the same way) and prints the seconds and a digest of
the per-batch losses. Tracing is in every fit on both sides.
Last line: ratio=<median fit seconds with determinism / without> spread=<min..max of per-round ratios>
same_on=<bool: every deterministic fit gave the same losses> same_off=<bool: likewise without>
"""

import json
import os
import statistics
import subprocess
import sys
import time

FITS = 2


def child(deterministic: bool) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import hashlib

    import numpy as np

    from playground.backend import builder, datasets, session, training
    from playground.core.graph import chain
    graph = chain(("input", {"shape": [28, 28, 1]}),
                  ("conv2d", {"filters": 16, "kernel_size": 3, "activation": "relu"}),
                  ("maxpool2d", {"pool_size": 2}),
                  ("conv2d", {"filters": 32, "kernel_size": 3, "activation": "relu"}),
                  ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dropout", {"rate": 0.25}),
                  ("dense", {"units": 10, "activation": "softmax"}))
    data = datasets.prepare(datasets.load("mnist-sample"), (28, 28, 1), 10)
    cfg = training.TrainConfig.from_settings({"epochs": 1, "batch_size": 128, "validation_split": 0.1, "seed": 1})
    times, digests = [], []
    for _ in range(FITS):
        session.seed_everything(1, deterministic=deterministic)
        model = builder.build_model(graph)
        losses = []
        t = time.perf_counter()
        training.train(model, data, cfg, on_event=lambda k, p: losses.append(p["loss"]) if k == "batch" else None)
        times.append(time.perf_counter() - t)
        digests.append(hashlib.sha256(np.asarray(losses, np.float64).tobytes()).hexdigest()[:16])
    print(json.dumps({"times": times, "digests": digests}), flush=True)
    os._exit(0)


def run_child(deterministic: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", "on" if deterministic else "off"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(rounds: int) -> None:
    on, off, ratios, dig_on, dig_off = [], [], [], set(), set()
    for i in range(rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        got = {d: run_child(d) for d in order}
        m_on, m_off = statistics.median(got[True]["times"]), statistics.median(got[False]["times"])
        on += got[True]["times"]
        off += got[False]["times"]
        dig_on.update(got[True]["digests"])
        dig_off.update(got[False]["digests"])
        ratios.append(m_on / m_off)
        print(f"round {i + 1}: deterministic {m_on:.2f} s, not {m_off:.2f} s, ratio {ratios[-1]:.3f}", flush=True)
    print(f"ratio={statistics.median(on) / statistics.median(off):.3f} spread={min(ratios):.3f}..{max(ratios):.3f} "
          f"same_on={len(dig_on) == 1} same_off={len(dig_off) == 1}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2] == "on")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
