"""What does exact replay cost? The same seeded training with TensorFlow's op determinism on and off, in one run.

    python benchmarks/determinism.py [PAIRS]
Each pair trains the digit CNN below twice on the built-in 10,000 digits (1 epoch, batch 128, a fresh model
each time, seeded the same way): once with op determinism, once without, the order alternating from pair to
pair, so a change in the machine's load hits both sides of a pair alike. The app cannot switch determinism
off again (TensorFlow has no public switch for that); this benchmark uses TensorFlow's internal one to
compare within one process. Tracing is in every fit on both sides.
Last line: ratio=<median over pairs of (seconds with determinism / without)> spread=<min..max of the pair
ratios> same_on=<bool: every deterministic fit gave the same losses> same_off=<bool: likewise without>
"""

import hashlib
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(pairs: int) -> None:
    import numpy as np
    from tensorflow.python.framework import config as tf_config  # the internal switch: benchmark only

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

    def fit(deterministic: bool) -> tuple[float, str]:
        session.seed_everything(1, deterministic=False)
        if deterministic:
            tf_config.enable_op_determinism()
        else:
            tf_config.disable_op_determinism()
        model = builder.build_model(graph)
        losses = []
        t = time.perf_counter()
        training.train(model, data, cfg, on_event=lambda k, p: losses.append(p["loss"]) if k == "batch" else None)
        seconds = time.perf_counter() - t
        return seconds, hashlib.sha256(np.asarray(losses, np.float64).tobytes()).hexdigest()

    fit(True)  # warm-up: imports, first traces
    fit(False)
    ratios, digests = [], {True: set(), False: set()}
    for i in range(pairs):
        order = (True, False) if i % 2 == 0 else (False, True)
        got = {}
        for det in order:
            got[det] = fit(det)
            digests[det].add(got[det][1])
        ratios.append(got[True][0] / got[False][0])
        print(f"pair {i + 1}: deterministic {got[True][0]:.2f} s, not {got[False][0]:.2f} s, "
              f"ratio {ratios[-1]:.3f}", flush=True)
    print(f"ratio={statistics.median(ratios):.3f} spread={min(ratios):.3f}..{max(ratios):.3f} "
          f"same_on={len(digests[True]) == 1} same_off={len(digests[False]) == 1}", flush=True)
    os._exit(0)  # skip interpreter finalization (see tests/conftest.py)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
