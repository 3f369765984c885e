"""What the Logic lab's loss target saves: "Learn instead" on a preset's neurons (sigmoid, Adam at 0.1, the four
rows as one batch, at most 400 epochs: ``ui.logic_lab``), run to the loss target (``LEARN_UNTIL_LOSS``, 0.05)
against all 400 epochs, the way it ran before, and all 400 epochs against plain Keras' ``model.fit`` of the same
network on the same four rows (the app's builder makes the model; plain ``compile`` and ``fit``, seeded), alternated
in each round, Keras loaded and warm first.

    python benchmarks/learn_instead.py [ROUNDS] [PRESET TARGET]

PRESET TARGET default to ``or or``; ``xnor-case1 xnor`` times a network with a hidden layer. Last line:
ratio=<median until / median full> epochs=<until>/<full> until_s=<median> full_s=<median> plain_s=<median>
plain_ratio=<median full / median plain> (seconds, wall: the app's whole ``run_training``, plain Keras' ``fit``).
"""

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(rounds: int, preset: str, target: str) -> None:
    from playground.backend import session
    from playground.core import project
    from playground.resources_path import preset_text
    from playground.ui.logic_lab import LEARN_UNTIL_LOSS, LogicPanel  # plain constants: no window is made

    graph = project.loads(preset_text(preset)).graph
    for node in graph.nodes.values():
        if node.kind == "neuron":
            node.params["activation"] = "sigmoid"
    settings = {"optimizer": "adam", "learning_rate": 0.1, "batch_size": 4, "epochs": LogicPanel.learn_epochs,
                "validation_split": 0.0, "loss": "binary_crossentropy", "seed": 0}
    session.run_training(graph, f"gate-{target}", {**settings, "epochs": 3})  # Keras loaded, its first trace done
    times = {"until": [], "full": [], "plain": []}
    epochs = {}
    for r in range(rounds):
        for side in (("until", "full", "plain") if r % 2 == 0 else ("plain", "full", "until")):
            if side == "plain":
                times[side].append(plain_fit(graph, target, settings))
                print(f"round {r + 1} plain: {settings['epochs']} epochs, {times[side][-1]:.2f} s", flush=True)
                continue
            t = time.perf_counter()
            out = session.run_training(graph, f"gate-{target}", settings,
                                       until_loss=LEARN_UNTIL_LOSS if side == "until" else None)
            times[side].append(time.perf_counter() - t)
            epochs[side] = out.result.epochs_run
            print(f"round {r + 1} {side}: {out.result.epochs_run} epochs, {times[side][-1]:.2f} s", flush=True)
    until, full = statistics.median(times["until"]), statistics.median(times["full"])
    plain = statistics.median(times["plain"])
    print(f"ratio={until / full:.3f} epochs={epochs['until']}/{epochs['full']} until_s={until:.2f} full_s={full:.2f} "
          f"plain_s={plain:.2f} plain_ratio={full / plain:.3f}")


def plain_fit(graph, target: str, settings: dict) -> float:
    """Seconds of plain Keras' ``fit`` on the truth table, the app's network, seeded; the model is built first."""
    import keras
    import numpy as np

    from playground.backend.builder import build_model
    from playground.core import logic
    x = logic.binary_rows(2).astype(np.float32)
    y = logic.target_column(target, 2).astype(np.float32).reshape(-1, 1)
    keras.utils.set_random_seed(settings["seed"])
    model = build_model(graph, "plain")
    model.compile(keras.optimizers.Adam(settings["learning_rate"]), "binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    t = time.perf_counter()
    model.fit(x, y, batch_size=4, epochs=settings["epochs"], shuffle=True, verbose=0)
    return time.perf_counter() - t


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 3, *(args[1:3] if len(args) >= 3 else ("or", "or")))
