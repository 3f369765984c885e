"""Write a Keras model as Keras 2.x / TensorFlow 2.4 wrote it to .h5 (the files Keras 3 refuses).

Written at test time from a Keras 3 model, independently of the app's translator: the config is the one
Keras 3 writes to .h5, turned back into the Keras 2 dialect (``groups`` on DepthwiseConv2D, ``ragged`` and
``batch_input_shape`` on InputLayer, list ``axis`` on BatchNormalization, old-style node lists, no modules,
the input shape on a Sequential's first layer), and the weights laid out as Keras 2 did
(``model_weights/<top layer>/<layer>/<variable>:0``, ``depthwise_kernel``, trainable before non-trainable).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np

KERAS3_ONLY_KEYS = {"module", "registered_name", "build_config", "compile_config", "optional",
                    "quantization_config", "lora_rank", "lora_alpha", "synchronized", "build_input_shape",
                    "input_axes", "output_axes"}


def leaf_layers(layer):
    """Every layer that is not a model, depth first, in model order."""
    subs = getattr(layer, "layers", None)
    if subs is None:
        return [layer]
    return [leaf for sub in subs for leaf in leaf_layers(sub)]


def _old_nodes(nodes: list) -> list:
    old = []
    for node in nodes:
        refs = []

        def walk(obj):
            if isinstance(obj, dict):
                hist = obj.get("config", {}).get("keras_history") if isinstance(obj.get("config"), dict) else None
                if hist:
                    refs.append([hist[0], hist[1], hist[2], {}])
                    return
                for v in obj.values():
                    walk(v)
            elif isinstance(obj, list):
                for v in obj:
                    walk(v)

        walk(node.get("args", []))
        old.append(refs)
    return old


def to_keras2_dialect(config: dict, ranks: dict[str, int], first_layer_shape: set[str]) -> dict:
    """Keras 3's .h5 config rewritten as Keras 2.4 wrote it.

    ``ranks``: rank of each BatchNormalization's input (Keras 2 saved the built axis as a list).
    ``first_layer_shape``: Sequentials written the older way, the input shape on their first layer.
    """

    def walk(obj):
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        out = {k: walk(v) for k, v in obj.items() if k not in KERAS3_ONLY_KEYS}
        if isinstance(out.get("dtype"), dict):
            out["dtype"] = out["dtype"]["config"]["name"]
        cls, cfg = out.get("class_name"), out.get("config")
        if isinstance(cfg, dict):
            if cls == "InputLayer":
                cfg["batch_input_shape"] = cfg.pop("batch_shape")
                cfg["ragged"] = False
            if cls == "DepthwiseConv2D":
                cfg["groups"] = 1
            if cls == "BatchNormalization" and cfg.get("axis") == -1:
                cfg["axis"] = [ranks[cfg["name"]] - 1]
            if "inbound_nodes" in out:
                out["inbound_nodes"] = _old_nodes(obj["inbound_nodes"])
            for key in ("input_layers", "output_layers"):
                if key in cfg and cfg[key] and isinstance(cfg[key][0], str):
                    cfg[key] = [cfg[key]]
            if cls == "Sequential" and cfg["name"] in first_layer_shape and \
                    cfg["layers"][0]["class_name"] == "InputLayer":
                inp = cfg["layers"].pop(0)
                cfg["layers"][0]["config"]["batch_input_shape"] = inp["config"]["batch_input_shape"]
        return out

    old = walk(config)
    old["keras_version"] = "2.4.0"
    old["backend"] = "tensorflow"
    return old


def _keras2_weight_name(layer, variable) -> str:
    name = variable.name.split("/")[-1]
    if type(layer).__name__ == "DepthwiseConv2D" and name == "kernel":
        name = "depthwise_kernel"
    return f"{layer.name}/{name}:0"


def write_keras2_h5(model, path, version: str = "2.4.0", first_layer_shape: set[str] = frozenset()) -> Path:
    """Save ``model`` (Keras 3, in memory) as a Keras ``version`` .h5 file at ``path``."""
    import h5py

    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        k3 = Path(tmp) / "k3.h5"
        model.save(k3)
        with h5py.File(k3, "r") as f:
            config3 = json.loads(f.attrs["model_config"])
    ranks = {leaf.name: len(leaf.input.shape) for leaf in leaf_layers(model)
             if type(leaf).__name__ == "BatchNormalization"}
    config2 = to_keras2_dialect(config3, ranks, set(first_layer_shape))
    training = {"loss": "categorical_crossentropy", "metrics": ["accuracy"], "weighted_metrics": None,
                "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
                    "epsilon": 1e-07, "amsgrad": False}}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config2)
        f.attrs["training_config"] = json.dumps(training)
        mw = f.create_group("model_weights")
        tops = [layer for layer in model.layers]
        mw.attrs["layer_names"] = np.array([t.name.encode() for t in tops])
        mw.attrs["backend"] = "tensorflow"
        mw.attrs["keras_version"] = version
        for top in tops:
            g = mw.create_group(top.name)
            leaves = leaf_layers(top)
            pairs = [(leaf, v) for leaf in leaves for v in leaf.trainable_weights] + \
                    [(leaf, v) for leaf in leaves for v in leaf.non_trainable_weights]
            names = [_keras2_weight_name(leaf, v) for leaf, v in pairs]
            g.attrs["weight_names"] = np.array([n.encode() for n in names])
            for name, (_, v) in zip(names, pairs):
                g.create_dataset(name, data=np.asarray(v.numpy()))
    return path


def teachable_machine_model(classes: int = 3, size: int = 96, seed: int = 0):
    """Teachable Machine's shape: Sequential[Sequential[MobileNetV2 0.35 features], Sequential[Dense head]].

    Batch-norm statistics and the head get random values so that predictions depend on every weight.
    """
    import keras

    keras.utils.set_random_seed(seed)
    base = keras.applications.MobileNetV2(input_shape=(size, size, 3), alpha=0.35, include_top=False,
                                          weights=None, pooling="avg")
    features = keras.Sequential([keras.Input((size, size, 3)), base], name="sequential_1")
    head = keras.Sequential([keras.Input((base.output.shape[-1],)),
                             keras.layers.Dense(100, activation="relu", name="dense_Dense1"),
                             keras.layers.Dense(classes, activation="softmax", name="dense_Dense2")],
                            name="sequential_3")
    model = keras.Sequential([keras.Input((size, size, 3)), features, head], name="sequential_4")
    randomize_statistics(model, seed)
    return model


def randomize_statistics(model, seed: int = 0) -> None:
    """Give batch-norm moving statistics and betas non-default values (a fresh model's are 0 and 1)."""
    rng = np.random.default_rng(seed)
    for leaf in leaf_layers(model):
        if type(leaf).__name__ == "BatchNormalization":
            gamma, beta, mean, var = leaf.get_weights()
            leaf.set_weights([rng.uniform(0.5, 1.5, gamma.shape).astype("float32"),
                              rng.normal(0, 0.1, beta.shape).astype("float32"),
                              rng.normal(0, 0.1, mean.shape).astype("float32"),
                              rng.uniform(0.5, 1.5, var.shape).astype("float32")])
