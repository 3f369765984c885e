"""What building the optimizer at compile saves: compile + fit of a fresh small network, the app's way
(``training.compile_model``, which builds the optimizer's variables) against plain Keras' (``model.compile``,
which leaves them to the first traced step, so TensorFlow traces it twice), alternated in each round.

    python benchmarks/optimizer_build.py [ROUNDS]

Two networks: the 2-4-1 XOR gate (1 epoch of 4 rows: the fixed cost of pressing Start) and the overhead
benchmark's digit CNN (1 epoch of the built-in digits). Both sides use the same optimizer object settings, seed and
data; both have op determinism on. Last line: gate_ratio=<median app / median plain> cnn_ratio=<...>
gate_s=<app>/<plain> cnn_s=<app>/<plain> (medians, seconds of compile + fit).
"""

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def nets():
    from playground.core.graph import chain
    gate = chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
                 ("dense", {"units": 1, "activation": "sigmoid"}))
    cnn = chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 16, "kernel_size": 3, "activation": "relu"}),
                ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    return {"gate": (gate, "gate-xor", 4), "cnn": (cnn, "mnist-sample", 64)}


def one(graph, data, batch_size: int, app: bool) -> float:
    import keras
    from playground.backend import builder, training
    cfg = training.TrainConfig.from_settings({"optimizer": "adam", "learning_rate": 0.01, "batch_size": batch_size,
                                              "epochs": 1, "validation_split": 0.0})
    keras.utils.set_random_seed(0)
    model = builder.build_model(graph)
    t = time.perf_counter()
    if app:
        training.compile_model(model, cfg, data.loss, len(data.x_train))
    else:
        model.compile(optimizer=training.make_optimizer(cfg), loss=data.loss,
                      metrics=[training.accuracy_metric(data.loss)])
    model.fit(data.x_train, data.y_train, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    return time.perf_counter() - t


def main(rounds: int) -> None:
    from playground.backend import datasets, session
    session.seed_everything(0)  # op determinism on, as in the app
    prepared = {}
    for name, (graph, ds, _) in nets().items():
        loaded = datasets.load(ds)
        prepared[name] = datasets.prepare(loaded, tuple(graph.inputs()[0].params["shape"]),
                                          int(graph.outputs()[0].params["units"]))
    times = {(name, side): [] for name in prepared for side in ("app", "plain")}
    for name, (graph, _, bs) in nets().items():
        one(graph, prepared[name], bs, app=True)  # warm-up: Keras' first-call costs on neither side
        one(graph, prepared[name], bs, app=False)
    for i in range(rounds):
        for name, (graph, _, bs) in nets().items():
            for side in (("app", "plain") if i % 2 == 0 else ("plain", "app")):
                times[(name, side)].append(one(graph, prepared[name], bs, app=side == "app"))
        print(f"round {i + 1}: " + ", ".join(f"{name} app {times[(name, 'app')][-1]:.3f} s plain "
                                             f"{times[(name, 'plain')][-1]:.3f} s" for name in prepared), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(" ".join(f"{name}_ratio={med[(name, 'app')] / med[(name, 'plain')]:.3f}" for name in prepared) + " " +
          " ".join(f"{name}_s={med[(name, 'app')]:.3f}/{med[(name, 'plain')]:.3f}" for name in prepared))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
