"""Open a Keras 2.x .h5 file in Keras 3: translate its config, build it safely, assign its weights by name.

Nothing in the file runs: the config goes through ``core.keras2_dialect`` (plain dict rewriting), Keras
builds the model from it with ``safe_mode=True`` and classes found only in Keras' own modules, and each
weight array is read with h5py under its layer's name and assigned to the matching variable.

For the app: ``conversion_note(path)`` gives the one line to show (status bar); None for any other file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ModelImportError
from ..core.keras2_dialect import Conversion, is_keras2, keras2_weight_names, translate
from .runtime import get_keras

CODE_LAYERS = ("Lambda", "TFOpLambda", "SlicingOpLambda")


def _h5_version(path: Path):
    import h5py  # noqa: PLC0415
    try:
        with h5py.File(path, "r") as f:
            return f.attrs.get("keras_version")
    except OSError as exc:
        raise ModelImportError(f"{path.name} is damaged or truncated: h5py says {exc}.") from None


def is_keras2_file(path: str | Path, config: dict) -> bool:
    """Whether ``path`` (an HDF5 file whose model config is ``config``) was written by Keras 1 or 2."""
    path = Path(path)
    with open(path, "rb") as fh:
        if fh.read(8) != b"\x89HDF\r\n\x1a\n":
            return False  # a .keras archive: Keras 3's own format
    return is_keras2(config, _h5_version(path))


def conversion_for(path: str | Path) -> Conversion | None:
    """What opening ``path`` converts, or None if it is not a Keras 2 .h5 file. Reads the config only."""
    from .export import read_model_config  # noqa: PLC0415 - export imports this module lazily too
    path = Path(path)
    config = read_model_config(path)
    if not is_keras2_file(path, config):
        return None
    return translate(config, _version_text(path))[1]


def conversion_note(path: str | Path) -> str | None:
    """The status-bar line for a Keras 2 file ("Keras 2 file (2.4.0) converted: ..."), None otherwise."""
    conv = conversion_for(path)
    return conv.message() if conv else None


def _version_text(path: Path) -> str | None:
    version = _h5_version(path)
    if isinstance(version, bytes):
        version = version.decode("utf-8", "replace")
    return version if isinstance(version, str) else None


def refuse_code(config: dict, filename: str) -> None:
    """Refuse a layer that would run code from the file (the only check a plain conversion needs)."""
    from .export import _layer_classes  # noqa: PLC0415
    code = sorted({c for c in _layer_classes(config) if c in CODE_LAYERS})
    if code:
        raise ModelImportError(f"{filename} contains a {code[0]} layer, which would run code stored in the file; "
                               "refused. Rebuild that step with built-in layers.")


def load_keras2(path: str | Path, config: dict | None = None, check=None):
    """(Keras 3 model, Conversion) for a Keras 2 .h5 file. ``check(translated config, filename)``, if given,
    runs before Keras sees anything (the importer passes its own layer check)."""
    from .export import read_model_config  # noqa: PLC0415
    path = Path(path)
    config = read_model_config(path) if config is None else config
    new_config, conv = translate(config, _version_text(path))
    refuse_code(new_config, path.name)
    if check is not None:
        check(new_config, path.name)
    keras = get_keras()
    try:
        model = keras.saving.deserialize_keras_object(new_config, safe_mode=True)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not build {path.name} after converting it from Keras "
                               f"{conv.keras_version}: {first[:300]}") from None
    if not model.built:
        raise ModelImportError(f"{path.name}: the model has no input shape, so its weights cannot be placed.")
    assign_weights(model, path)
    return model, conv


def _leaves(layer, top: str):
    subs = getattr(layer, "layers", None)
    if subs is None:
        yield top, layer
        return
    for sub in subs:
        yield from _leaves(sub, top)


def _weight_index(group) -> list[tuple[str, list[str], str]]:
    """(top layer, path parts, dataset path) for every weight the file lists, as Keras 2 listed them."""
    names = group.attrs.get("layer_names")
    if names is None:
        raise ModelImportError("the file holds no weights (no model_weights/layer_names).")
    out = []
    for top in names:
        top = top.decode("utf-8") if isinstance(top, bytes) else str(top)
        if top not in group:
            raise ModelImportError(f"the weights of layer {top!r} are listed but missing from the file.")
        for wn in group[top].attrs.get("weight_names", []):
            wn = wn.decode("utf-8") if isinstance(wn, bytes) else str(wn)
            parts = wn.split("/")
            out.append((top, parts, f"{top}/{wn}"))
    return out


def assign_weights(model, path: Path) -> None:
    """Read every weight of ``model`` from the .h5 at ``path`` by layer and variable name, and assign it.

    A weight the file lacks, one it has twice, one of the wrong shape, or one left over is an error:
    a model that opens must predict as it did where it was saved.
    """
    import h5py  # noqa: PLC0415
    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        index = _weight_index(group)
        used: set[str] = set()
        for top_layer in model.layers:
            for top, leaf in _leaves(top_layer, top_layer.name):
                cls = type(leaf).__name__
                for var in leaf.weights:
                    short = var.name.split("/")[-1]
                    found = _find(index, top, leaf.name, keras2_weight_names(cls, short))
                    if not found:
                        raise ModelImportError(f"{path.name}: no weight {short!r} for layer {leaf.name!r} ({cls}) "
                                               "in the file.")
                    if len(found) > 1:
                        raise ModelImportError(f"{path.name}: the weight {short!r} of layer {leaf.name!r} is in the "
                                               f"file more than once ({', '.join(found)}); cannot tell which.")
                    data = np.asarray(group[found[0]])
                    if tuple(data.shape) != tuple(var.shape):
                        raise ModelImportError(f"{path.name}: weight {found[0]!r} has shape {tuple(data.shape)}, "
                                               f"but layer {leaf.name!r} needs {tuple(var.shape)}.")
                    var.assign(data.astype(var.dtype))
                    used.add(found[0])
        left = [p for _, _, p in index if p not in used]
        if left:
            raise ModelImportError(f"{path.name}: {len(left)} weight(s) in the file belong to no layer of the "
                                   f"converted model (first: {left[0]!r}).")


def _find(index, top: str, layer: str, names: tuple[str, ...]) -> list[str]:
    for name in names:
        hits = [(parts, p) for t, parts, p in index
                if t == top and parts[-1].split(":")[0] == name and layer in (parts[:-1] or [top])]
        if len(hits) > 1:  # "a/b/kernel" where b is the layer beats one where b is a model around it
            exact = [(parts, p) for parts, p in hits if (parts[:-1] or [top])[-1] == layer]
            hits = exact or hits
        if hits:
            return [p for _, p in hits]
    return []


def convert_file(src: str | Path, out: str | Path, fmt: str | None = None) -> Conversion | None:
    """Write the Keras 2 file ``src`` as a Keras 3 ``.keras`` or ``.h5`` at ``out``; None if ``src`` is not Keras 2."""
    from .export import read_model_config  # noqa: PLC0415
    src, out = Path(src), Path(out)
    fmt = fmt or out.suffix.lstrip(".")
    if fmt not in ("keras", "h5"):
        raise ModelImportError(f"A Keras 2 file converts to the keras or h5 format. Received {fmt!r}.")
    if out.suffix != f".{fmt}":
        raise ModelImportError(f"The file name must end in .{fmt} for the {fmt} format. Received {out.name!r}.")
    config = read_model_config(src)
    if not is_keras2_file(src, config):
        return None
    model, conv = load_keras2(src, config)
    from .export import save_model  # noqa: PLC0415
    save_model(model, out, ModelImportError)
    return conv
