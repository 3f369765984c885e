"""The digit CNN preset against Keras' own MNIST convnet example, both on full MNIST, alternated over rounds.

    KERAS_HOME=... python benchmarks/mnist_cnn.py [ROUNDS]      (needs $KERAS_HOME/datasets/mnist.npz)
Baseline: keras.io's "Simple MNIST convnet" (Conv 32, pool, Conv 64, pool, Flatten, Dropout 0.5, Dense 10;
Adam, batch 128, 3 epochs, validation split 0.1), run as a user runs it: in a fresh Python process of its own,
without TensorFlow's op determinism (the app turns that on for exact replay, and it is process-wide, so the
example must not share the app's process). Ours: resources/presets/mnist-cnn.json as it ships, through the
app's training path (session.run_training) in this process. Each round runs both, the side that goes first
alternating; only the ``fit`` call is timed on both sides (imports, data and model building are not).
One line per round, then the last line: preset_acc=<test accuracy> preset_s=<median fit seconds>
keras_acc=<...> keras_s=<...> time_ratio=<median preset / median keras> (spread=<per-round ratios>)
Both sides are seeded (0), so their accuracies repeat from round to round; the times do not.
"""

import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def keras_example() -> tuple[float, float]:
    import keras
    import numpy as np
    from keras import layers
    # keras.datasets.mnist.load_data() reads this file, but checks its hash against Google's copy and, on a
    # mismatch, deletes it and downloads: offline, read the arrays it would return directly
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    with np.load(os.path.join(home, "datasets", "mnist.npz")) as f:
        (x_train, y_train), (x_test, y_test) = (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                              layers.MaxPooling2D(pool_size=(2, 2)),
                              layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                              layers.MaxPooling2D(pool_size=(2, 2)),
                              layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    t = time.perf_counter()
    model.fit(x_train, y_train, batch_size=128, epochs=3, validation_split=0.1, verbose=0)
    seconds = time.perf_counter() - t
    return float(model.evaluate(x_test, y_test, verbose=0)[1]), seconds


def keras_example_in_a_child() -> tuple[float, float]:
    out = subprocess.run([sys.executable, __file__, "--keras-example"], capture_output=True, text=True,
                         check=True, env=os.environ)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return got["test_accuracy"], got["fit_s"]


def ours(ds) -> tuple[float, float]:
    from playground.backend import session
    from playground.core import project
    from playground.resources_path import preset_text
    proj = project.loads(preset_text("mnist-cnn"))
    out = session.run_training(proj.graph, ds, proj.training)
    return out.result.test_accuracy, out.result.seconds


def main(rounds: int) -> None:
    from playground.backend import datasets
    ds = datasets.load("mnist")
    keras_runs, our_runs = [], []
    for i in range(rounds):
        for side in (("keras", "ours") if i % 2 == 0 else ("ours", "keras")):
            if side == "keras":
                keras_runs.append(keras_example_in_a_child())
            else:
                our_runs.append(ours(ds))
        print(f"round {i + 1}: preset {our_runs[-1][1]:.1f} s ({our_runs[-1][0]:.4f}), Keras' example "
              f"{keras_runs[-1][1]:.1f} s ({keras_runs[-1][0]:.4f}): {our_runs[-1][1] / keras_runs[-1][1]:.2f}",
              flush=True)
    p_s = statistics.median(s for _, s in our_runs)
    k_s = statistics.median(s for _, s in keras_runs)
    per_round = [o[1] / k[1] for o, k in zip(our_runs, keras_runs)]
    print(f"preset_acc={our_runs[-1][0]:.4f} preset_s={p_s:.1f} keras_acc={keras_runs[-1][0]:.4f} "
          f"keras_s={k_s:.1f} time_ratio={p_s / k_s:.2f} (spread={min(per_round):.2f}-{max(per_round):.2f})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--keras-example"]:
        acc, seconds = keras_example()
        print(json.dumps({"test_accuracy": acc, "fit_s": seconds}))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
