"""Open a Keras 2.x .h5 file in Keras 3: translate its config, build it safely, assign its weights by name.

Nothing in the file runs: the config goes through ``core.keras2_dialect`` (plain dict rewriting), Keras
builds the model from it with ``safe_mode=True`` and classes found only in Keras' own modules, and each
weight array is read with h5py under its layer's name and assigned to the matching variable.

For the app: ``conversion_note(path)`` gives the one line to show (status bar); None for any other file.
"""

from __future__ import annotations

import math

from contextlib import nullcontext
from pathlib import Path

import numpy as np

from ..core.errors import ModelImportError
from ..core.hdf5 import HDF5_MAGIC
from ..core.keras2_dialect import Conversion, is_keras2, keras2_weight_names, translate
from ..core.layer_data import CODE_LAYERS, code_refusal
from ..core.words import count
from .model_files import check_safe, layer_classes, read_model_config, save_model
from .runtime import get_keras

def _h5_version(path: Path):
    from ..core.hdf5 import open_h5, read_attr  # noqa: PLC0415 - the one gate every .h5 passes
    with open_h5(path, ModelImportError) as f:
        return read_attr(f, "keras_version", path.name, ModelImportError, max_bytes=4096)


_UNREAD = object()


def is_keras2_file(path: str | Path, config: dict) -> bool:
    """Whether ``path`` (an HDF5 file whose model config is ``config``) was written by Keras 1 or 2."""
    path = Path(path)
    from ..core.files import read_bytes  # noqa: PLC0415 - a regular file only (never blocks on a FIFO)
    if read_bytes(path, ModelImportError, "a model file", limit=8) != HDF5_MAGIC:
        return False  # a .keras archive: Keras 3's own format
    return is_keras2(config, _h5_version(path))


def conversion_for(path: str | Path) -> Conversion | None:
    """What opening ``path`` converts, or None if it is not a Keras 2 .h5 file. Reads the config only."""
    path = Path(path)
    config = read_model_config(path)
    if not is_keras2_file(path, config):
        return None
    return translate(config, _version_text(path))[1]


def conversion_note(path: str | Path) -> str | None:
    """The status-bar line for a Keras 2 file ("Keras 2 file (2.4.0) converted: ..."), None otherwise."""
    conv = conversion_for(path)
    return conv.message() if conv else None


def _version_text(path: Path, version=_UNREAD) -> str | None:
    version = _h5_version(path) if version is _UNREAD else version
    if isinstance(version, bytes):
        version = version.decode("utf-8", "replace")
    return version if isinstance(version, str) else None


def refuse_code(config: dict, filename: str) -> None:
    """Refuse a layer that would run code from the file (the only check a plain conversion needs)."""
    code = sorted({c for c in layer_classes(config) if c in CODE_LAYERS})
    if code:
        raise ModelImportError(code_refusal(code[0], filename))


def load_keras2(path: str | Path, config: dict | None = None, check=None, h5=None, version=_UNREAD):
    """(Keras 3 model, Conversion) for a Keras 2 .h5 file. ``check(translated config, filename)``, if given,
    runs before Keras sees anything (the importer passes its own layer check). ``h5`` (the gate's open handle)
    and ``version`` (its keras_version attribute) spare opening the file again."""
    path = Path(path)
    config = read_model_config(path) if config is None else config
    new_config, conv = translate(config, _version_text(path, version))
    refuse_code(new_config, path.name)
    if check is not None:
        check(new_config, path.name)
    model = _build_checked(new_config, path.name, conv.keras_version)
    if not model.built:
        raise ModelImportError(f"{path.name}: the model has no input shape, so its weights cannot be placed.")
    assign_weights(model, path, h5)
    return model, conv


def _build_checked(config: dict, filename: str, version) -> object:
    """Keras builds the converted config, after the file-path and memory checks every model build passes."""
    import copy  # noqa: PLC0415

    from .prechecks import build_within_memory, check_config_data  # noqa: PLC0415
    check_config_data(config, filename)
    keras = get_keras()

    def build():
        return keras.saving.deserialize_keras_object(copy.deepcopy(config), safe_mode=True)
    try:
        model = build_within_memory(build, filename)[0]  # once, its count through the memory check first
        return build() if model is None else model
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, ImportError,
            RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not build {filename} after converting it from Keras "
                               f"{version}: {first[:300]}") from None


def _leaves(layer, top: str):
    subs = getattr(layer, "layers", None)
    if subs is None:
        yield top, layer
        return
    for sub in subs:
        yield from _leaves(sub, top)


def _names(value, what: str, filename: str) -> list[str]:
    """An attribute listing names (layer_names, weight_names) as text; anything else is one line."""
    arr = np.asarray(value) if value is not None else np.asarray([], dtype=object)
    if arr.size == 0 or type(value).__name__ == "Empty":  # a layer without weights lists none (h5py.Empty)
        return []
    if arr.ndim != 1 or arr.dtype.kind not in "SUO":
        raise ModelImportError(f"{filename}: {what} is not a list of names.")
    out = []
    for v in arr.tolist():
        if not isinstance(v, (bytes, str)):
            raise ModelImportError(f"{filename}: {what} is not a list of names.")
        out.append(v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
    return out


def _weight_index(group, filename: str, model) -> list[tuple[str, list[str], str]]:
    """(top layer, path parts, dataset path) for every weight the file lists, as Keras 2 listed them; checked
    against ``model`` first (``check_weight_lists``)."""
    out = []
    for top in check_weight_lists(group, filename, model):
        for wn in _listed(group[top], "weight_names", f"the weight_names of {top[:80]!r}", filename):
            out.append((top, wn.split("/"), f"{top}/{wn}"))
    return out


def _chunks(obj, name: str) -> list[str]:
    """The attributes holding the list ``name``: itself, or Keras' pieces of a long one (``name0``, ``name1`` ...:
    ``save_attributes_to_hdf5_group`` splits a list over 64 KB, and its loader joins them)."""
    if name in obj.attrs:
        return [name]
    keys, i = [], 0
    while f"{name}{i}" in obj.attrs:
        keys.append(f"{name}{i}")
        i += 1
    return keys


def _listed_count(obj, name: str) -> int:
    """How many names the list ``name`` holds, from its attributes' headers (none read; an empty one holds 0)."""
    from ..core.hdf5 import attr_size  # noqa: PLC0415
    return sum(math.prod(shape) for shape in (attr_size(obj, k)[1] for k in _chunks(obj, name)) if shape is not None)


def _listed(obj, name: str, what: str, filename: str) -> list[str]:
    from ..core.hdf5 import read_attr  # noqa: PLC0415
    return [n for k in _chunks(obj, name) for n in _names(read_attr(obj, k, filename, ModelImportError), what,
                                                           filename)]


def check_weight_lists(group, filename: str, model) -> list[str]:
    """What an .h5's model_weights lists, checked before anything reads its weights (this app's index, Keras'
    legacy loader), each list whole or in Keras' pieces: no more layers than twice ``model``'s (plus 16), and no
    layer listing more weights than its namesake in ``model`` holds, counted from the attributes' headers before
    they are read; no layer listed twice, none missing. The layers listed. (A 45 KB file listing one layer 3,000
    times with 3,000 weight names each made 9 million index entries, 5.1 GB; a 40 MB list of layer names kept
    Keras' loader busy for about an hour; 178 hard links to one 16 MB kernel, each a name of its own, took 2.8 GB.)"""
    from collections import Counter  # noqa: PLC0415
    if not _chunks(group, "layer_names"):
        raise ModelImportError(f"{filename}: the file holds no weights (no model_weights/layer_names).")
    most_layers = 2 * len(model.layers) + 16  # (room for an Input the file lists and the model does not)
    n = _listed_count(group, "layer_names")
    if n > most_layers:
        raise ModelImportError(f"{filename}: model_weights lists {n:,} layers; the model has {len(model.layers):,}.")
    tops = _listed(group, "layer_names", "model_weights/layer_names", filename)
    top, times = Counter(tops).most_common(1)[0] if tops else ("", 1)
    if times > 1:
        raise ModelImportError(f"{filename}: layer {top[:80]!r} is listed {times:,} times in model_weights/layer_names.")
    own = {layer.name: len(layer.weights) for layer in model.layers}
    for top in tops:
        if top not in group:
            raise ModelImportError(f"{filename}: the weights of layer {top[:80]!r} are listed but missing from the "
                                   f"file.")
        k = _listed_count(group[top], "weight_names")
        if k > own.get(top, 0):
            raise ModelImportError(f"{filename}: layer {top[:80]!r} lists {k:,} weights; the model's layer of that "
                                   f"name has {own.get(top, 0):,}.")
    return tops


def _list_short(items: list[str], most: int = 3) -> str:
    """A few names for a one-line message ('a', 'b', 'c' and 97 more)."""
    shown = ", ".join(repr(i[:80]) for i in items[:most])
    return shown + (f" and {len(items) - most:,} more" if len(items) > most else "")


def assign_weights(model, path: Path, h5=None) -> None:
    """Read every weight of ``model`` from the .h5 at ``path`` by layer and variable name, and assign it.

    A weight the file lacks, one it has twice, one of the wrong shape, or one left over is an error:
    a model that opens must predict as it did where it was saved.
    """
    from ..core.hdf5 import open_h5, read_dataset  # noqa: PLC0415 - the one gate every .h5 passes
    with open_h5(path, ModelImportError) if h5 is None else nullcontext(h5) as f:
        group = f["model_weights"] if "model_weights" in f else f
        index = _weight_index(group, path.name, model)
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
                                               f"file more than once ({_list_short(found)}); cannot tell which.")
                    data = read_dataset(group, found[0], path.name, ModelImportError, expect=tuple(var.shape),
                                        whose=f"layer {leaf.name!r}")
                    var.assign(data.astype(var.dtype))
                    used.add(found[0])
        left = [p for _, _, p in index if p not in used]
        if left:
            belong = "belongs" if len(left) == 1 else "belong"
            raise ModelImportError(f"{path.name}: {count(len(left), 'weight')} in the file {belong} to no layer of "
                                   f"the converted model (first: {left[0][:120]!r}).")


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
    src, out = Path(src), Path(out)
    fmt = fmt or out.suffix.lstrip(".")
    if fmt not in ("keras", "h5"):
        raise ModelImportError(f"A Keras 2 file converts to the keras or h5 format. Received {fmt!r}.")
    if out.suffix != f".{fmt}":
        raise ModelImportError(f"The file name must end in .{fmt} for the {fmt} format. Received {out.name!r}.")
    config = read_model_config(src)
    if not is_keras2_file(src, config):
        return None
    model, conv = load_keras2(src, config, check=check_safe)
    save_model(model, out, ModelImportError)
    return conv
