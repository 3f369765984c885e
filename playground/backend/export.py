"""Export a network (.h5, .keras, a runnable .py script) and import .h5/.keras files as graphs.

A model file never runs code: before Keras sees it we read its config (HDF5 attribute or the zip's
config.json) and refuse any layer class the registry does not know, Lambda and custom layers
included; then Keras loads it with ``safe_mode=True``.
"""

from __future__ import annotations

import json
import keyword
import math
import zipfile
from pathlib import Path

import numpy as np

from .. import __version__
from ..core.errors import ModelImportError, PlaygroundError
from ..core.files import read_bytes
from ..core.graph import Graph
from ..core.layout import apply_layout
from ..core.registry import ACTIVATIONS, KERAS_CLASS_TO_KEY
from .builder import STEP_GAIN, build_model, layer_plan
from .runtime import get_keras

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ALLOWED_CLASSES = set(KERAS_CLASS_TO_KEY) | {"InputLayer", "Rescaling", "ReLU", "Functional", "Sequential",
                                             "Model"}
FORMATS = ("h5", "keras", "py")


# ------------------------------------------------------------------ export

def export(graph: Graph, path: str | Path, fmt: str | None = None, name: str = "playground", model=None) -> Path:
    """Write the network as it stands (hand-set or trained weights) to ``path``."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    if fmt not in FORMATS:
        raise PlaygroundError(f"Export format must be h5, keras or py. Received {fmt!r}.")
    if path.suffix != f".{fmt}":
        raise PlaygroundError(f"The file name must end in .{fmt} for the {fmt} format. Received {path.name!r}.")
    if fmt == "py":
        return export_python(graph, path, name, model)
    model = model if model is not None else build_model(graph, name)
    import logging  # noqa: PLC0415
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)  # .h5 is asked for on purpose; skip Keras' "legacy format" notice
    try:
        model.save(path)
    except OSError as exc:
        raise PlaygroundError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    finally:
        absl.setLevel(level)
    return path


def _ident(name: str, taken: set[str]) -> str:
    ident = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not ident or ident[0].isdigit() or keyword.iskeyword(ident) or ident in ("keras", "layers", "np"):
        ident = f"l_{ident}"
    base, i = ident, 1
    while ident in taken:
        ident = f"{base}_{i}"
        i += 1
    taken.add(ident)
    return ident


def _fmt_kwargs(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


WEIGHTED_KINDS = ("dense", "conv2d", "batchnorm")  # layers whose weights come from training


def weights_file_for(script: Path) -> Path:
    """``NAME.weights.h5`` beside ``NAME.py`` (Keras 3 wants the ``.weights.h5`` ending)."""
    return script.with_name(f"{script.stem}.weights.h5")


def export_python(graph: Graph, path: Path, name: str = "playground", model=None) -> Path:
    """Write the script; when the network holds trained weights, also ``NAME.weights.h5`` beside it,
    which the script loads. Without trained weights the script says its layers start from random values."""
    path = Path(path)
    trained = any(n.weights for n in graph.nodes.values() if n.kind in WEIGHTED_KINDS)
    weights = weights_file_for(path) if trained else None
    text = python_script(graph, name, filename=path.name, weights_file=weights.name if weights else None)
    if weights is not None:
        model = model if model is not None else build_model(graph, name)
        try:
            model.save_weights(weights)
        except OSError as exc:
            raise PlaygroundError(f"Cannot write {weights}: {exc.strerror or exc}.") from None
    path.write_text(text, encoding="utf-8")
    return path


def python_script(graph: Graph, name: str = "playground", filename: str | None = None,
                  weights_file: str | None = None) -> str:
    """A readable Keras script that rebuilds the architecture; with ``weights_file``, it loads the trained
    weights from that file beside it, otherwise it keeps only hand-set Neuron weights (written inline)."""
    plan = layer_plan(graph)
    taken: set[str] = set()
    var = {c.name: _ident(c.name, taken) for c in plan.calls}
    filename = filename or f"{name}.py"
    hand = [n for n in graph.nodes.values() if n.kind == "neuron" and n.weights]
    if weights_file:
        about = [f"The trained weights are in {weights_file}, beside this file; build_model() loads them, so keep",
                 "the two files together."]
    else:
        about = []
        if any(n.kind in WEIGHTED_KINDS for n in graph.nodes.values()):
            about += ["Trained weights are NOT included: the project held none, so its layers start from Keras'",
                      "random initial values. Train it in the app and export again to include them."]
        if hand:
            about.append("The hand-set Neuron weights are written out in build_model().")
    lines = [
        f'"""{name}: generated by Network Playground {__version__}.',
        "",
        "Rebuilds the network with plain Keras 3. Run it to print the summary:",
        f"    python {filename}",
        "",
        *about,
        '"""',
        "",
    ]
    if weights_file:
        lines += ["from pathlib import Path", ""]
    lines += ["import keras", "import numpy as np", "from keras import layers", ""]
    if weights_file:
        lines += [f"WEIGHTS = Path(__file__).with_name({weights_file!r})", ""]
    lines += ["", "def build_model():"]
    for c in plan.calls:
        if c.cls == "Input":
            lines.append(f"    {var[c.name]} = keras.Input(shape={c.kwargs['shape']!r}, name={c.name!r})")
            continue
        args = [var[i] for i in c.inputs]
        arg = f"[{', '.join(args)}]" if c.cls in ("Add", "Concatenate") else args[0]
        kw = _fmt_kwargs(c.kwargs)
        lines.append(f"    {var[c.name]} = layers.{c.cls}({kw}{', ' if kw else ''}name={c.name!r})({arg})")
    ins = [var[n] for n in plan.inputs]
    outs = [var[n] for n in plan.outputs]
    model_name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name) or "playground"
    lines.append(f"    model = keras.Model(inputs={ins[0] if len(ins) == 1 else '[' + ', '.join(ins) + ']'}, "
                 f"outputs={outs[0] if len(outs) == 1 else '[' + ', '.join(outs) + ']'}, name={model_name!r})")
    if weights_file:
        lines += ["    if not WEIGHTS.exists():",
                  "        raise FileNotFoundError(f\"{WEIGHTS} is missing: it holds the trained weights; keep it \"",
                  "                                \"beside this script.\")",
                  "    model.load_weights(WEIGHTS)"]
    elif hand:
        lines.append("    # hand-set neuron weights (z = w0 + sum wi*xi; step = Rescaling + ReLU(max_value=1))")
        for n in hand:
            k, b = n.weights["kernel"], n.weights["bias"]
            lines.append(f"    model.get_layer({n.name!r}).set_weights([np.array({k.tolist()!r}, dtype='float32'), "
                         f"np.array({b.tolist()!r}, dtype='float32')])")
    lines += ["    return model", "", "", 'if __name__ == "__main__":', "    build_model().summary()", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------ import

def read_model_config(path: Path) -> dict:
    """The model's architecture JSON, read without Keras and without running anything."""
    head = read_bytes(path, ModelImportError, "a model file", limit=8)  # not the whole (maybe huge) file
    if path.suffix == ".h5" or head == HDF5_MAGIC:
        if head != HDF5_MAGIC:
            raise ModelImportError(f"{path.name} is not an HDF5 file (it does not start with the HDF5 signature).")
        import h5py  # noqa: PLC0415
        try:
            with h5py.File(path, "r") as f:
                raw = f.attrs.get("model_config")
        except OSError as exc:
            raise ModelImportError(f"{path.name} is damaged or truncated: h5py says {exc}.") from None
        if raw is None:
            raise ModelImportError(f"{path.name} holds no model architecture (weights-only file?).")
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    elif path.suffix == ".keras":
        try:
            with zipfile.ZipFile(path) as z:
                text = z.read("config.json").decode("utf-8")
        except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError) as exc:
            raise ModelImportError(f"{path.name} is not a valid .keras archive ({exc}).") from None
    else:
        raise ModelImportError(f"{path.name}: models are imported from .h5 or .keras files.")
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise ModelImportError(f"{path.name}: the model architecture is not valid JSON ({exc}).") from None
    if not isinstance(config, dict):
        raise ModelImportError(f"{path.name}: the model architecture is not a JSON object.")
    return config


def _layer_classes(config) -> list[str]:
    found = []
    if isinstance(config, dict):
        if isinstance(config.get("class_name"), str) and isinstance(config.get("config"), dict):
            found.append(config["class_name"])
        for v in config.values():
            found.extend(_layer_classes(v))
    elif isinstance(config, list):
        for v in config:
            found.extend(_layer_classes(v))
    return found


def check_safe(config: dict, filename: str) -> None:
    """Refuse Lambda, custom and unsupported layers before Keras deserialises anything."""
    classes = [c for c in _layer_classes(config) if not c.startswith("__")]
    if config.get("class_name") not in ("Functional", "Sequential", "Model"):
        raise ModelImportError(f"{filename}: the file holds a {config.get('class_name')!r}, not a Keras model.")
    code = sorted({c for c in classes if c in ("Lambda", "TFOpLambda", "SlicingOpLambda")})
    if code:
        raise ModelImportError(f"{filename} contains a {code[0]} layer, which would run code stored in the file; "
                               "refused. Rebuild that step with built-in layers.")
    # Initializers, regularizers, dtype policies etc. also appear as class_name entries; only layers matter.
    layer_names = _layer_class_names(config)
    bad = sorted({c for c in layer_names if c not in ALLOWED_CLASSES})
    if bad:
        raise ModelImportError(f"{filename} uses layer types this app does not support: {', '.join(bad)}. "
                               f"Supported: {', '.join(sorted(KERAS_CLASS_TO_KEY))}.")


def _layer_class_names(config: dict) -> list[str]:
    layers = config.get("config", {}).get("layers", []) if isinstance(config.get("config"), dict) else []
    if not isinstance(layers, list):
        raise ModelImportError("the model config's layer list is not a list.")
    names = []
    for layer in layers:
        if not isinstance(layer, dict):
            raise ModelImportError("a layer entry in the model config is not an object.")
        cls = layer.get("class_name")
        names.append(cls if isinstance(cls, str) else repr(cls))
        if cls in ("Functional", "Sequential", "Model"):
            raise ModelImportError("nested models are not supported; flatten the model before importing.")
    return names


def load_keras_model(path: str | Path):
    """Load a model file safely (config checked first, safe_mode on, not compiled)."""
    path = Path(path)
    config = read_model_config(path)
    check_safe(config, path.name)
    keras = get_keras()
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (ValueError, TypeError, KeyError, OSError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not load {path.name}: {first[:300]}") from None


def _inbound_names(layer_cfg: dict) -> list[str]:
    names: list[str] = []

    def walk(obj):
        if isinstance(obj, dict):
            hist = obj.get("config", {}).get("keras_history") if isinstance(obj.get("config"), dict) else None
            if hist:
                names.append(hist[0])
                return
            for v in obj.values():
                walk(v)
        elif isinstance(obj, (list, tuple)):
            if len(obj) >= 3 and isinstance(obj[0], str) and isinstance(obj[1], int):  # Keras 2 style
                names.append(obj[0])
                return
            for v in obj:
                walk(v)

    walk(layer_cfg.get("inbound_nodes", []))
    return names


def _pair(value, what: str, layer: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 2 and value[0] == value[1]:
        return int(value[0])
    raise ModelImportError(f"layer {layer!r}: only square {what} are supported; received {what}={value!r}.")


def _activation(cfg: dict, layer: str) -> str:
    act = cfg.get("activation", "linear")
    if isinstance(act, dict):
        act = act.get("config", {}).get("name") or act.get("class_name")
    if act == "silu":
        act = "swish"
    if act not in ACTIVATIONS:
        raise ModelImportError(f"layer {layer!r} uses activation {act!r}, which this app does not support "
                               f"(supported: {', '.join(ACTIVATIONS)}).")
    return act


def _params_for(cls: str, cfg: dict, name: str) -> tuple[str, dict]:
    key = KERAS_CLASS_TO_KEY[cls]
    if cls == "Dense":
        return key, {"units": cfg["units"], "activation": _activation(cfg, name), "use_bias": cfg.get("use_bias", True)}
    if cls == "Conv2D":
        if _pair(cfg.get("dilation_rate", 1), "dilation rates", name) != 1 or cfg.get("groups", 1) != 1:
            raise ModelImportError(f"layer {name!r}: dilated or grouped convolutions are not supported.")
        return key, {"filters": cfg["filters"], "kernel_size": _pair(cfg["kernel_size"], "kernels", name),
                     "strides": _pair(cfg.get("strides", 1), "strides", name), "padding": cfg.get("padding", "valid"),
                     "activation": _activation(cfg, name), "use_bias": cfg.get("use_bias", True)}
    if cls in ("MaxPooling2D", "AveragePooling2D", "MaxPool2D", "AvgPool2D"):
        size = _pair(cfg.get("pool_size", 2), "pool sizes", name)
        strides = cfg.get("strides")
        s = size if strides is None else _pair(strides, "strides", name)
        return key, {"pool_size": size, "strides": None if s == size else s, "padding": cfg.get("padding", "valid")}
    if cls in ("GlobalAveragePooling2D", "GlobalAvgPool2D"):
        if cfg.get("keepdims"):
            raise ModelImportError(f"layer {name!r}: keepdims=True is not supported.")
        return key, {}
    if cls == "ZeroPadding2D":
        pad = cfg.get("padding", 1)
        flat = np.array(pad).ravel().tolist() if not isinstance(pad, int) else [pad]
        if len(set(flat)) != 1:
            raise ModelImportError(f"layer {name!r}: only equal padding on every side is supported; received {pad!r}.")
        return key, {"padding": int(flat[0])}
    if cls == "Reshape":
        return key, {"target_shape": list(cfg["target_shape"])}
    if cls == "Dropout":
        return key, {"rate": float(cfg["rate"])}
    if cls == "Activation":
        return key, {"activation": _activation(cfg, name)}
    if cls == "BatchNormalization":
        axis = cfg.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        if axis not in (-1, 1, 3):
            raise ModelImportError(f"layer {name!r}: BatchNormalization over axis {axis} is not supported.")
        return key, {"momentum": float(cfg.get("momentum", 0.99)), "epsilon": float(cfg.get("epsilon", 1e-3))}
    if cls == "Concatenate" and cfg.get("axis", -1) not in (-1,):
        raise ModelImportError(f"layer {name!r}: Concatenate is supported along the last axis only.")
    return key, {}


def graph_from_model(model) -> Graph:
    """Turn a loaded Keras model into a graph: layers, connections, parameters and weights."""
    cfg = model.get_config()
    layers = cfg.get("layers", [])
    sequential = model.__class__.__name__ == "Sequential"
    g = Graph()
    node_of: dict[str, str] = {}  # keras layer name -> node id whose output it stands for
    prev = None
    if sequential and (not layers or layers[0]["class_name"] != "InputLayer"):
        shape = tuple(int(d) for d in model.inputs[0].shape[1:])
        prev = g.add_node("input", {"shape": shape}, name="input").id
    skip: set[str] = set()
    for i, lc in enumerate(layers):
        cls, lcfg = lc["class_name"], lc["config"]
        name = lc.get("name") or lcfg["name"]
        if name in skip:
            continue
        ins = [prev] if sequential and prev else [node_of[n] for n in _inbound_names(lc) if n in node_of]
        nxt = layers[i + 1:i + 3]
        try:
            if cls == "InputLayer":
                shape = lcfg.get("batch_shape") or lcfg.get("batch_input_shape")
                node = g.add_node("input", {"shape": tuple(int(d) for d in shape[1:])}, name=name)
            elif cls == "Dense" and len(nxt) == 2 and nxt[0]["class_name"] == "Rescaling" and \
                    nxt[1]["class_name"] == "ReLU" and _is_step(nxt[0]["config"], nxt[1]["config"]):
                if _activation(lcfg, name) != "linear":
                    raise ModelImportError(f"layer {name!r}: a step neuron's Dense must be linear.")
                node = g.add_node("neuron", {"units": lcfg["units"], "activation": "step"}, name=name)
                skip.update(n.get("name") or n["config"]["name"] for n in nxt)
                for n in nxt:
                    node_of[n.get("name") or n["config"]["name"]] = node.id
            elif cls in ("Rescaling", "ReLU"):
                raise ModelImportError(f"layer {name!r} ({cls}) is only supported as part of a step neuron.")
            elif cls == "ZeroPadding2D" and len(nxt) >= 1 and nxt[0]["class_name"] == "Conv2D" and \
                    name == f"{nxt[0].get('name') or nxt[0]['config']['name']}_pad" and \
                    nxt[0]["config"].get("padding") == "valid":
                # our own explicit-padding pattern: fold it back into the conv's padding p
                p = _params_for("ZeroPadding2D", lcfg, name)[1]["padding"]
                key, params = _params_for("Conv2D", nxt[0]["config"], nxt[0]["config"]["name"])
                params["padding"] = p
                conv_name = nxt[0].get("name") or nxt[0]["config"]["name"]
                node = g.add_node(key, params, name=conv_name)
                skip.add(conv_name)
                node_of[conv_name] = node.id
            else:
                key, params = _params_for(cls, lcfg, name)
                node = g.add_node(key, params, name=name)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PlaygroundError):
                raise ModelImportError(f"layer {name!r}: {exc}") from None
            raise ModelImportError(f"layer {name!r} ({cls}) has a config this app cannot read ({exc!r}).") from None
        node_of[name] = node.id
        for src in ins:
            g.connect(src, node.id)
        prev = node.id
    for node in g.nodes.values():
        if node.kind in ("dense", "conv2d", "batchnorm", "neuron"):
            layer = model.get_layer(node.name)
            node.weights = {v.name: np.asarray(w, dtype=np.float32) for v, w in zip(layer.weights, layer.get_weights())}
    apply_layout(g)
    return g


def _is_step(rescale_cfg: dict, relu_cfg: dict) -> bool:
    return math.isclose(float(rescale_cfg.get("scale", 0)), STEP_GAIN) and \
        float(rescale_cfg.get("offset", 0)) == 1.0 and relu_cfg.get("max_value") == 1.0 and \
        not relu_cfg.get("negative_slope") and not relu_cfg.get("threshold")


def import_model(path: str | Path) -> Graph:
    """Read an .h5 or .keras file into a graph; ModelImportError names what stops it."""
    model = load_keras_model(path)
    try:
        return graph_from_model(model)
    except ModelImportError as exc:
        raise ModelImportError(f"{Path(path).name}: {exc}") from None
