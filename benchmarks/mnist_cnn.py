"""The digit CNN preset against Keras' own MNIST convnet example, both on full MNIST, in one run.

    KERAS_HOME=... python benchmarks/mnist_cnn.py       (needs $KERAS_HOME/datasets/mnist.npz)
Baseline: keras.io's "Simple MNIST convnet" (Conv 32, pool, Conv 64, pool, Flatten, Dropout 0.5, Dense 10;
Adam, batch 128, 3 epochs, validation split 0.1). Ours: resources/presets/mnist-cnn.json as it ships.
Last line: preset_acc=<test accuracy> preset_s=<fit seconds> keras_acc=<...> keras_s=<...> time_ratio=<preset/keras>
"""

import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def keras_example(data) -> tuple[float, float]:
    import keras
    from keras import layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                              layers.MaxPooling2D(pool_size=(2, 2)),
                              layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
                              layers.MaxPooling2D(pool_size=(2, 2)),
                              layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    t = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=128, epochs=3, validation_split=0.1, verbose=0)
    seconds = time.perf_counter() - t
    return float(model.evaluate(data.x_test, data.y_test, verbose=0)[1]), seconds


def ours(ds) -> tuple[float, float]:
    from playground.backend import session
    from playground.core import project
    from playground.resources_path import preset_text
    proj = project.loads(preset_text("mnist-cnn"))
    out = session.run_training(proj.graph, ds, proj.training)
    return out.result.test_accuracy, out.result.seconds


if __name__ == "__main__":
    from playground.backend import datasets
    ds = datasets.load("mnist")
    data = datasets.prepare(ds, (28, 28, 1), 10)
    k_acc, k_s = keras_example(data)
    print(json.dumps({"keras_example": {"test_accuracy": k_acc, "fit_s": k_s}}), flush=True)
    p_acc, p_s = ours(ds)
    print(json.dumps({"preset": {"test_accuracy": p_acc, "fit_s": p_s}}), flush=True)
    print(f"preset_acc={p_acc:.4f} preset_s={p_s:.1f} keras_acc={k_acc:.4f} keras_s={k_s:.1f} "
          f"time_ratio={p_s / k_s:.2f}")
