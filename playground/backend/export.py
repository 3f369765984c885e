"""Export a network: .h5, .keras, ONNX and LiteRT (each converted file run and compared before it counts as
exported), and a runnable Python script. Reading model files is ``model_files`` and ``model_import``."""

from __future__ import annotations

import builtins
import keyword
import re
from pathlib import Path

import numpy as np

from .. import __version__
from ..core import limits
from ..core.errors import PlaygroundError
from ..core.graph import Graph
from ..core.registry import get_spec
from .builder import build_model, layer_plan
from .model_files import save_model

FORMATS = ("h5", "keras", "py", "onnx", "litert")
SUFFIXES = {"h5": ".h5", "keras": ".keras", "py": ".py", "onnx": ".onnx", "litert": ".tflite"}
CONVERTER_HINT = {"onnx": "ONNX export needs the converter: pip install 'network-playground[onnx]' "
                          "(tf2onnx and onnx; onnxruntime runs the file)",
                  "litert": "LiteRT export needs TensorFlow's converter (the tensorflow package)"}


# ------------------------------------------------------------------ export

def export(graph: Graph, path: str | Path, fmt: str | None = None, name: str = "playground", model=None) -> Path:
    """Write the network as it stands (hand-set or trained weights) to ``path``."""
    return export_checked(graph, path, fmt, name, model)[0]


def export_checked(graph: Graph, path: str | Path, fmt: str | None = None, name: str = "playground",
                   model=None) -> tuple[Path, str | None]:
    """``export``, and for ONNX and LiteRT the note of the file's check (``export_check``; a file that fails it
    is an ExportCheckError and is not kept)."""
    path = Path(path)
    fmt = fmt or {v: k for k, v in SUFFIXES.items()}.get(path.suffix, path.suffix.lstrip("."))
    if fmt not in FORMATS:
        raise PlaygroundError(f"Export format must be one of {', '.join(FORMATS)}. Received {fmt!r}.")
    if path.suffix != SUFFIXES[fmt]:
        raise PlaygroundError(f"The file name must end in {SUFFIXES[fmt]} for the {fmt} format. "
                              f"Received {path.name!r}.")
    if fmt == "py":
        return export_python(graph, path, name, model), None
    if fmt in ("onnx", "litert"):  # one example runs through Keras, the converter's trace and the file: their
        weights, acts = limits.network_bytes(graph, 1)  # activations, which the build's check does not count
        limits.require(weights * 3 + acts * 3, f"Exporting this network to {fmt.upper() if fmt == 'onnx' else 'LiteRT'}",
                       "to run one example through Keras, the converter and the converted file")
    model = model if model is not None else build_model(graph, name)
    if fmt in ("onnx", "litert"):
        return _export_converted(model, path, fmt)
    return save_model(model, path), None


def _export_converted(model, path: Path, fmt: str) -> tuple[Path, str]:
    """ONNX or LiteRT through Keras' own ``model.export`` (its converters are optional packages), then run and
    compared with Keras (``export_check``)."""
    import contextlib  # noqa: PLC0415
    import io  # noqa: PLC0415
    from .export_check import check_export, fold_normalization  # noqa: PLC0415
    keras_model = model
    model = fold_normalization(model)  # tf2onnx leaves Normalization's variables as unfed inputs; random layers
    # are inference's identity, and neither converter writes their training-time ops
    zeros = [np.zeros((1, *(int(d) for d in t.shape[1:])), dtype=np.float32) for t in model.inputs]
    from .deep import run_deep_if  # noqa: PLC0415
    # the ONNX exporter traces a model that has been called
    run_deep_if(len(model.layers), model, zeros[0] if len(zeros) == 1 else zeros)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the converters print progress we do not want
            run_deep_if(len(model.layers), model.export, str(path), format=fmt, verbose=False)
    except ImportError as exc:
        raise PlaygroundError(f"{CONVERTER_HINT[fmt]}; {exc}.") from None
    except OSError as exc:
        raise PlaygroundError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path, check_export(keras_model, path, fmt)


def _ident(name: str, taken: set[str]) -> str:
    ident = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    # a layer named like a Python builtin (the Input layer is called "input") must not shadow it
    if not ident or ident[0].isdigit() or keyword.iskeyword(ident) or ident in ("keras", "layers", "np") or \
            hasattr(builtins, ident):
        ident = f"l_{ident}"
    base, i = ident, 1
    while ident in taken:
        ident = f"{base}_{i}"
        i += 1
    taken.add(ident)
    return ident


def _fmt_kwargs(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _learned(kind: str) -> bool:
    """Layers whose weights come from training (the table's weighted kinds; a Neuron's are hand-set)."""
    return get_spec(kind).learned


def weights_file_for(script: Path) -> Path:
    """``NAME.weights.h5`` beside ``NAME.py`` (Keras 3 wants the ``.weights.h5`` ending)."""
    return script.with_name(f"{script.stem}.weights.h5")


def export_python(graph: Graph, path: Path, name: str = "playground", model=None) -> Path:
    """Write the script; when the network holds trained weights, also ``NAME.weights.h5`` beside it,
    which the script loads. Without trained weights the script says its layers start from random values."""
    path = Path(path)
    trained = any(n.weights for n in graph.nodes.values() if _learned(n.kind))
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


def _doc(text: str) -> str:
    """``text`` as it may stand in the script's docstring: printable, one line, with no quote that could end the
    docstring and no backslash (a project whose name held three double quotes, a newline and a statement wrote
    that statement into the script, which ran it)."""
    return "".join(ch for ch in str(text) if ch.isprintable()).replace("\\", "/").replace('"', "'")[:200]


def _shell_word(name: str) -> str:
    """``name`` as one word of a shell command: bare where it is plain, else in double quotes (which cmd and POSIX
    shells both read; ``_doc`` has taken out double quotes and backslashes), else, with a $ or a backquote a POSIX
    shell would expand, in single quotes (POSIX shells; cmd reads those only without them). "python exp script.py"
    ran a file named exp."""
    if name.startswith("-"):
        name = "./" + name  # (python would read it as an option)
    if re.fullmatch(r"[\w.,+@%=:/-]+", name):
        return name
    if not any(ch in name for ch in "$`!"):
        return f'"{name}"'
    return f"'{name}'" if "'" not in name else f'"{name}"'  # (no backslash: it would be an escape here)


def python_script(graph: Graph, name: str = "playground", filename: str | None = None,
                  weights_file: str | None = None) -> str:
    """A readable Keras script that rebuilds the architecture; with ``weights_file``, it loads the trained
    weights from that file beside it, otherwise it keeps only hand-set Neuron weights (written inline)."""
    plan = layer_plan(graph)
    taken: set[str] = set()
    var = {c.name: _ident(c.name, taken) for c in plan.calls}
    filename = _doc(filename or f"{name}.py")
    hand = [n for n in graph.nodes.values() if n.spec.hand_set and n.weights]
    if weights_file:
        about = [f"The trained weights are in {_doc(weights_file)}, beside this file; build_model() loads them, so keep",
                 "the two files together."]
    else:
        about = []
        if any(_learned(n.kind) for n in graph.nodes.values()):
            about += ["Trained weights are NOT included: the project held none, so its layers start from Keras'",
                      "random initial values. Train it in the app and export again to include them."]
        if hand:
            about.append("The hand-set Neuron weights are written out in build_model().")
    lines = [
        f'"""{_doc(name)}: generated by Network Playground {__version__}.',
        "",
        "Rebuilds the network with plain Keras 3. Run it to print the summary:",
        f"    python {_shell_word(filename)}",
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
    if any(not c.trainable for c in plan.calls):
        lines.append("    model_frozen = []  # layers whose weights training must keep")
    for c in plan.calls:
        if c.cls == "Input" and c.config is None:
            lines.append(f"    {var[c.name]} = keras.Input(shape={c.kwargs['shape']!r}, name={c.name!r})")
            continue
        args = [var[i] for i in c.inputs]
        arg = f"[{', '.join(args)}]" if c.merge else args[0]
        if c.config is not None:  # an opaque layer: Keras rebuilds it from the config it saved
            inner = {**c.config.get("config", {}), "name": c.name}
            # (the class named by the file, as a string: never as code)
            make = f"getattr(layers, {c.cls!r}).from_config({inner!r})" if not c.config.get("registered_name") else \
                f"keras.saving.get_registered_object({c.config['registered_name']!r}).from_config({inner!r})"
            lines.append(f"    {var[c.name]} = {make}({arg})")
        else:
            kw = _fmt_kwargs(c.kwargs)
            lines.append(f"    {var[c.name]} = layers.{c.cls}({kw}{', ' if kw else ''}name={c.name!r})({arg})")
        if not c.trainable:
            lines.append(f"    model_frozen.append({c.name!r})")
    ins = [var[n] for n in plan.inputs]
    outs = [var[n] for n in plan.outputs]
    model_name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name) or "playground"
    lines.append(f"    model = keras.Model(inputs={ins[0] if len(ins) == 1 else '[' + ', '.join(ins) + ']'}, "
                 f"outputs={outs[0] if len(outs) == 1 else '[' + ', '.join(outs) + ']'}, name={model_name!r})")
    if any(not c.trainable for c in plan.calls):
        lines.append("    for frozen in model_frozen:")
        lines.append("        model.get_layer(frozen).trainable = False")
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
