"""The CIFAR-10 story's three presets on the built-in digit sample, tested on rotated digits.

CIFAR-10 is not cached on every machine, so the story is retold on the digits: each preset's Input becomes
28x28x1, every network trains the same epochs with the same seed and settings (the presets' own: Adam,
learning rate 0.001, batch 64), and each is tested on the plain test set and on the same test set turned by
random angles up to +-MAX_DEG degrees (seeded), where augmentation should help. The fourth row is the
augmented CNN with the horizontal flip (right for photos, wrong for digits) swapped for a rotation of up
to +-TURN of a turn.
Prints one line per network with both accuracies and the rotated accuracy as a ratio to the baseline's.

    python benchmarks/augmentation_rotated_digits.py [--epochs 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from playground.backend import builder, datasets
from playground.backend.runtime import get_keras
from playground.core import project
from playground.resources_path import preset_text

MAX_DEG = 30
TURN = 0.08  # the augmented CNN's rotation for digits: up to +-29 degrees, about what the test set has


def digit_version(name: str, swap_flip: bool = False):
    p = project.loads(preset_text(name))
    g = p.graph
    g.set_param(g.by_name("input").id, "shape", (28, 28, 1))
    if swap_flip:  # digits are not mirror-symmetric: turn them a little instead
        flip = g.by_name("flip")
        src, dst = g.input_ids(flip.id)[0], g.output_ids(flip.id)[0]
        g.remove_node(flip.id)
        rot = g.add_node("randomrotation", {"factor": TURN}, name="turn")
        g.connect(src, rot.id)
        g.connect(rot.id, dst)
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    keras = get_keras()
    ds = datasets.load("mnist-sample")
    x_train = datasets.fit_x(ds.x_train, (28, 28, 1), "mnist-sample")
    x_test = datasets.fit_x(ds.x_test, (28, 28, 1), "mnist-sample")
    turn = keras.layers.RandomRotation(MAX_DEG / 360, fill_mode="constant", seed=1234)
    x_rot = np.asarray(turn(x_test, training=True))
    rows = [("cifar10-baseline", False), ("cifar10-cnn", False), ("cifar10-cnn-augmented", False),
            ("cifar10-cnn-augmented", True)]
    print(f"digit sample: {len(x_train)} train, {len(x_test)} test (and the same turned up to +-{MAX_DEG} deg); "
          f"{args.epochs} epochs, seed {args.seed}; timings on a shared, loaded machine")
    base = None
    for name, swap in rows:
        p = digit_version(name, swap)
        keras.utils.set_random_seed(args.seed)
        model = builder.build_model(p.graph)
        model.compile(optimizer=keras.optimizers.Adam(p.training["learning_rate"]),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        t0 = time.process_time()
        model.fit(x_train, ds.y_train.astype(np.int64), batch_size=p.training["batch_size"], epochs=args.epochs,
                  verbose=0, shuffle=True)
        cpu = time.process_time() - t0
        acc = float(np.mean(model.predict(x_test, verbose=0).argmax(1) == ds.y_test))
        rot = float(np.mean(model.predict(x_rot, verbose=0).argmax(1) == ds.y_test))
        base = rot if base is None else base
        label = name + (f" (flip -> turn {TURN})" if swap else "")
        print(f"{label:44s} test {acc:.3f}  rotated test {rot:.3f}  rotated / baseline {rot / base:.2f}  "
              f"(train CPU {cpu:.0f} s)")


if __name__ == "__main__":
    main()
