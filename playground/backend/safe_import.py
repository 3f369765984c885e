"""Read a model file's architecture exactly as Keras will, without Keras and without unpacking anything large.

Keras decides by name and signature: a ``.keras`` path that is a zip archive (``zipfile.is_zipfile``, which
finds a zip appended to anything, an HDF5 file included) loads from the zip; ``.h5``/``.hdf5`` loads as HDF5.
We take the same branch, so a polyglot HDF5+zip file is checked on the part Keras will actually read.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ..core import limits
from ..core.errors import ParamError, ModelImportError
from ..core.files import fmt_over, open_regular
from ..core.safe_files import check_zip_directory, read_member



def read_model_config(path: Path) -> dict:
    """The model's architecture JSON, read the way Keras will read it; ModelImportError names any problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".keras":
        text = _keras_zip_config(path)
    elif suffix in (".h5", ".hdf5"):
        text = _hdf5_config(path)
    else:
        raise ModelImportError(f"{path.name}: models are imported from .h5 or .keras files.")
    return parse_config(text, path.name)


def _keras_zip_config(path: Path) -> str:
    with open_regular(path, ModelImportError, "a model file", limits.MAX_MODEL_FILE) as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        if not zipfile.is_zipfile(fh):  # Keras would refuse it too: it loads .keras files only from a zip
            raise ModelImportError(f"{path.name} is not a valid .keras archive (no zip directory found); Keras "
                                   f"reads .keras files only as zip archives.")
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                NotImplementedError) as exc:
            raise ModelImportError(f"{path.name} is not a valid .keras archive ({exc}).") from None
        with zf:
            check_zip_directory(zf, path.name, ModelImportError, size, max_member=limits.MAX_MODEL_FILE,
                                max_total=limits.MAX_MODEL_FILE)
            try:
                info = zf.getinfo("config.json")
            except KeyError:
                raise ModelImportError(f"{path.name} is not a valid .keras archive (no config.json).") from None
            if info.file_size > limits.MAX_MODEL_CONFIG:
                size, most = fmt_over(info.file_size, limits.MAX_MODEL_CONFIG)
                raise ModelImportError(f"{path.name}: config.json would unpack to {size}; a model architecture may "
                                       f"be at most {most}.")
            raw = read_member(zf, "config.json", path.name, ModelImportError)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelImportError(f"{path.name}: config.json is not UTF-8 text ({exc.reason}).") from None


def _hdf5_config(path: Path) -> str:
    from ..core.hdf5 import open_h5  # noqa: PLC0415 - the one gate every .h5 passes (no links out)
    with open_h5(path, ModelImportError) as f:
        return hdf5_config_text(f, path.name)


def hdf5_config_text(f, name: str) -> str:
    """The ``model_config`` attribute of an HDF5 file that passed the gate (``core.hdf5.open_h5``), its stored
    size checked before it is read."""
    from ..core.hdf5 import attr_size  # noqa: PLC0415
    try:
        if "model_config" not in f.attrs:
            raise ModelImportError(f"{name} holds no model architecture (weights-only file?).")
        stored, shape = attr_size(f, "model_config")
        if stored > limits.MAX_MODEL_CONFIG or shape not in ((), None):
            size, most = fmt_over(stored, limits.MAX_MODEL_CONFIG)
            raise ModelImportError(f"{name}: the model_config attribute is {size}{' of ' + str(shape) if shape else ''}"
                                   f"; a model architecture is one text of at most {most}.")
        raw = f.attrs["model_config"]
    except ModelImportError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        raise ModelImportError(f"{name} is damaged or truncated: h5py says {str(exc)[:200]}.") from None
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelImportError(f"{name}: model_config is not UTF-8 text ({exc.reason}).") from None
    if not isinstance(raw, str):
        raise ModelImportError(f"{name}: model_config is not text.")
    if len(raw) > limits.MAX_MODEL_CONFIG:
        size, most = fmt_over(len(raw), limits.MAX_MODEL_CONFIG)
        raise ModelImportError(f"{name}: the model architecture is {size}; at most {most}.")
    return raw


def parse_config(text: str, name: str) -> dict:
    """JSON text -> dict, refusing deep nesting (before any recursive walk) and a text whose parsing could take
    more memory than there is (twice: Keras parses its own copy while ours is held)."""
    limits.require_json(text, name, times=2)
    try:
        config = json.loads(text)
    except RecursionError:
        raise ModelImportError(f"{name}: the model architecture is nested too deeply to read.") from None
    except ValueError as exc:
        raise ModelImportError(f"{name}: the model architecture is not valid JSON ({exc}).") from None
    if not isinstance(config, dict):
        raise ModelImportError(f"{name}: the model architecture is not a JSON object.")
    depth = nesting_depth(config)
    if depth > limits.MAX_CONFIG_DEPTH:
        raise ModelImportError(f"{name}: the model architecture is nested {depth} levels deep; at most "
                               f"{limits.MAX_CONFIG_DEPTH} are read.")
    return config


def nesting_depth(obj) -> int:
    """How deeply lists and dicts nest in ``obj``, walked without recursion."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, (list, dict)):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in (node.values() if isinstance(node, dict) else node))
    return deepest


class _ConfigLayer:
    """Stands in for a Keras layer with no weights yet."""

    weights: list = []

    def get_weights(self) -> list:
        return []


class _ConfigInput:
    def __init__(self, shape):
        self.shape = shape


def _config_model(config: dict):
    """An object shaped like the Keras model the config describes, enough for ``graph_from_model`` to turn the
    architecture into a graph without Keras (no variables, so nothing is allocated)."""
    inner = config.get("config") if isinstance(config.get("config"), dict) else {}
    layers = inner.get("layers") if isinstance(inner.get("layers"), list) else []
    first = layers[0].get("config", {}) if layers and isinstance(layers[0], dict) else {}
    shape = first.get("batch_shape") or first.get("batch_input_shape") if isinstance(first, dict) else None
    attrs = {"get_config": lambda self: inner, "get_layer": lambda self, name: _ConfigLayer(),
             "inputs": [_ConfigInput(shape)] if shape else []}
    return type(str(config.get("class_name", "Model")), (), attrs)()


class _LeaveToKeras(Exception):
    """The stand-in cannot judge this part of the config; Keras will."""


class _PrecheckFacts:
    """Facts for the pre-check without Keras: the declared input shape, no weights, no opaque descriptions."""

    def __init__(self, config: dict):
        self.model = _config_model(config)

    def input_shape(self):
        if not self.model.inputs:
            raise _LeaveToKeras
        return tuple(int(d) for d in self.model.inputs[0].shape[1:])

    def weights(self, path):
        return {}

    def opaque(self, path):
        raise _LeaveToKeras


def _precheck_importer(facts):
    """The importer, strict about sizes: a parameter out of its range (Dense(units=1e9)) is refused here,
    before Keras allocates it, rather than kept as an opaque layer for Keras to build."""
    from .importer import _Importer  # noqa: PLC0415

    class Strict(_Importer):
        def params(self, kind, cfg, name, strict=False):
            from ..core.registry import get_spec  # noqa: PLC0415
            try:
                return get_spec(kind).params_from_keras(cfg)
            except ParamError as exc:
                if " from " in str(exc) and " to " in str(exc):  # a number out of its range
                    raise ModelImportError(f"layer {name!r}: {exc}") from None
                raise _LeaveToKeras from None
    return Strict(facts)


def check_config_fits(config: dict, name: str) -> None:
    """Before Keras builds a model file's layers (and allocates their weights): turn its architecture into a
    graph with our own shape rules and refuse it if its weights cannot fit in memory, or if a size is out of
    range (a Dense of 1e9 units). Whatever the stand-in cannot read is left to Keras to judge."""
    from ..core.errors import PlaygroundError, ResourceError  # noqa: PLC0415
    imp = _precheck_importer(_PrecheckFacts(config))
    try:
        imp.model(config)
        imp.g.check_structure()
    except _LeaveToKeras:
        return
    except ModelImportError as exc:
        raise ModelImportError(f"{name}: {exc}") from None
    except (PlaygroundError, KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError,
            OverflowError):
        return
    try:
        limits.check_network_fits(imp.g)
    except ResourceError as exc:
        raise ModelImportError(f"{name}: {exc}") from None