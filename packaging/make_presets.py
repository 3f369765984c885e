"""Regenerate resources/presets/*.json from code (run from the repository root).

    python packaging/make_presets.py

The presets are data the app ships; this script is how they were made, so a change to one is
reviewable as code. The test suite checks every shipped preset loads and infers cleanly.
"""

from pathlib import Path

from playground.core import project
from playground.core.graph import Graph
from playground.core.layout import auto_layout
from playground.core.logic import GATE_PRESET_TARGETS, gate_graph

# A chain of more layers than this reads in rows of this many: five cards fit the canvas of the default
# 1480x900 window at its smallest readable zoom (Ctrl+L wraps to the canvas as it is then)
PER_ROW = 5

OUT = Path(__file__).resolve().parent.parent / "resources" / "presets"


def chain(layers, names=None) -> Graph:
    g = Graph()
    prev = None
    for i, (kind, params) in enumerate(layers):
        name = names[i] if names else None
        n = g.add_node(kind, params, name=name)
        if prev is not None:
            g.connect(prev.id, n.id)
        prev = n
    for nid, pos in auto_layout(g, per_row=PER_ROW).items():
        g.move_node(nid, pos)
    return g


def image_training(dataset, epochs=3, batch=128, lr=0.001, optimizer="adam"):
    return dict(project.DEFAULT_TRAINING, dataset=dataset, epochs=epochs, batch_size=batch,
                learning_rate=lr, optimizer=optimizer, loss="auto")


PRESETS = {}

GATE_TEXT = {
    "and": "AND = step(-1.5 + x1 + x2): one neuron, one line.",
    "or": "OR = step(-0.5 + x1 + x2).",
    "not": "NOT = step(1 - 2*x1).",
    "nor": "NOR (A'.B') = step(0.5 - x1 - x2).",
    "xnor-case1": "XNOR = OR(AND, NOR): a hidden layer of two neurons.",
    "xnor-case2": "XNOR = NOT[(A+B).(A'+B')]: copy/negate the inputs, two ORs, an AND, a NOT.",
}
for key, target in GATE_PRESET_TARGETS.items():
    g = gate_graph(key)  # laid out wider than apply_layout would, so edge weights are readable
    PRESETS[key] = project.Project(
        g, key, GATE_TEXT[key],
        dict(project.DEFAULT_TRAINING, dataset=f"gate-{target}", optimizer="adam", learning_rate=0.1,
             loss="binary_crossentropy", batch_size=4, epochs=300, validation_split=0.0),
        {"target": target})

PRESETS["mnist-mlp"] = project.Project(chain([
    ("input", {"shape": [784]}), ("dense", {"units": 500, "activation": "relu"}),
    ("dropout", {"rate": 0.2}), ("dense", {"units": 10, "activation": "softmax"})]),
    "mnist-mlp", "The lecture's MLP: 784 inputs, 500 hidden ReLU units, 10 softmax outputs.",
    image_training("mnist-sample"))

PRESETS["mnist-cnn"] = project.Project(chain([
    ("input", {"shape": [28, 28, 1]}),
    # 5x5 first: 28 -> 24 -> pool 12 -> 3x3 10 -> pool 5: 2.30 M multiply-adds a digit against 2.42 M for 3x3 then
    # 3x3 (the second conv sees 12x12, not 13x13), and a better score on full MNIST (benchmarks/mnist_cnn.py)
    ("conv2d", {"filters": 32, "kernel_size": 5, "activation": "relu"}),
    ("maxpool2d", {"pool_size": 2}),
    ("conv2d", {"filters": 64, "kernel_size": 3, "activation": "relu"}),
    ("maxpool2d", {"pool_size": 2}),
    # batch norm after the pooling, not before: the same per-channel scaling on a quarter of the values (Keras'
    # BatchNormalization is not fused on TensorFlow: before the pool, on 11x11x64, it took ~20 % of the fit).
    # Momentum 0.9, not Keras' 0.99: the running statistics must settle within the ~50 steps of an epoch on the
    # built-in 10,000-digit sample, or validation looks far worse than training
    ("batchnorm", {"momentum": 0.9}),
    ("flatten", {}),
    ("dense", {"units": 128, "activation": "relu"}),
    ("dropout", {"rate": 0.2}),
    ("dense", {"units": 10, "activation": "softmax"})]),
    "mnist-cnn", "The digit CNN: a 5x5 and a 3x3 conv/pool stage, batch norm, a 128-unit dense layer, dropout; "
    "Adam with a cosine-decayed rate. About 99.3% on MNIST after 3 epochs.",
    # batch 192: the per-step cost of batch norm, the dense layer and Adam's updates is spread over more digits
    # (fit time per digit about that of Keras' example at 128); 99.37 % mean over seeds 0-5, 99.30 % at the least
    dict(image_training("mnist-sample", batch=192, lr=0.004), lr_schedule="cosine", validation_split=0.05))

PRESETS["lenet5"] = project.Project(chain([
    ("input", {"shape": [28, 28, 1]}),
    ("conv2d", {"filters": 6, "kernel_size": 5, "padding": 2, "activation": "tanh"}),
    ("avgpool2d", {"pool_size": 2}),
    ("conv2d", {"filters": 16, "kernel_size": 5, "activation": "tanh"}),
    ("avgpool2d", {"pool_size": 2}),
    ("flatten", {}),
    ("dense", {"units": 120, "activation": "tanh"}),
    ("dense", {"units": 84, "activation": "tanh"}),
    ("dense", {"units": 10, "activation": "softmax"})]),
    "lenet5", "LeNet-5 (LeCun 1998) on 28x28 digits: explicit padding p = 2 keeps 28, average pooling.",
    image_training("mnist-sample"))

PRESETS["cifar10-baseline"] = project.Project(chain([
    ("input", {"shape": [32, 32, 3]}),
    ("conv2d", {"filters": 32, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("maxpool2d", {"pool_size": 2}),
    ("dropout", {"rate": 0.3}),
    ("flatten", {}),
    ("dense", {"units": 80, "activation": "relu"}),
    ("dropout", {"rate": 0.3}),
    ("dense", {"units": 10, "activation": "softmax"})]),
    "cifar10-baseline", "The lecture's CIFAR-10 baseline: one conv layer, pooling, dropout, a small dense head.",
    image_training("cifar10", epochs=10, batch=64))

PRESETS["alexnet"] = project.Project(chain([
    ("input", {"shape": [227, 227, 3]}),
    ("conv2d", {"filters": 96, "kernel_size": 11, "strides": 4, "activation": "relu"}),
    ("maxpool2d", {"pool_size": 3, "strides": 2}),
    ("conv2d", {"filters": 256, "kernel_size": 5, "padding": "same", "activation": "relu"}),
    ("maxpool2d", {"pool_size": 3, "strides": 2}),
    ("conv2d", {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("conv2d", {"filters": 384, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("conv2d", {"filters": 256, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    ("maxpool2d", {"pool_size": 3, "strides": 2}),
    ("flatten", {}),
    ("dense", {"units": 4096, "activation": "relu"}),
    ("dropout", {"rate": 0.5}),
    ("dense", {"units": 4096, "activation": "relu"}),
    ("dropout", {"rate": 0.5}),
    ("dense", {"units": 1000, "activation": "softmax"})]),
    "alexnet", "AlexNet (Krizhevsky et al. 2012) for the shape view: 227 -> 55 -> 27 -> 13 -> 6, "
    "9216 features, about 62 million parameters.", image_training("cifar10"))

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for key, proj in PRESETS.items():
        project.save(proj, OUT / f"{key}.json")
        print("wrote", OUT / f"{key}.json")
