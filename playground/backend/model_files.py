"""Model files at the lowest level: a file's architecture read without running anything, refused when it holds
code, and a Keras model written to a file. ``model_import`` (reading a file into a graph), ``keras2`` (the Keras 2
dialect), ``h5_rescue`` and ``export`` build on this module; it imports none of them."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ModelImportError, PlaygroundError
from ..core.registry import KERAS_CLASS_TO_KEY
from ..core.layer_data import CODE_LAYERS, MODEL_CLASSES, code_refusal, function_problem


def read_model_config(path: Path) -> dict:
    """The model's architecture JSON, read without Keras and without running anything (see safe_import)."""
    from .safe_import import read_model_config as read_checked  # noqa: PLC0415
    return read_checked(path)


def layer_classes(config) -> list[str]:
    found = []
    if isinstance(config, dict):
        if isinstance(config.get("class_name"), str) and isinstance(config.get("config"), dict):
            found.append(config["class_name"])
        for v in config.values():
            found.extend(layer_classes(v))
    elif isinstance(config, list):
        for v in config:
            found.extend(layer_classes(v))
    return found


def check_safe(config: dict, filename: str) -> None:
    """Refuse Lambda, unknown custom and unsupported layers before Keras deserialises anything."""
    classes = [c for c in layer_classes(config) if not c.startswith("__")]
    if config.get("class_name") not in MODEL_CLASSES:
        raise ModelImportError(f"{filename}: the file holds a {config.get('class_name')!r}, not a Keras model.")
    code = sorted({c for c in classes if c in CODE_LAYERS})
    if code:
        raise ModelImportError(code_refusal(code[0], filename))
    for entry in _functions(config.get("config")):
        if problem := function_problem(entry):
            raise ModelImportError(f"{filename}: {problem}.")
    # Initializers, regularizers, dtype policies etc. also appear as class_name entries; only layers matter.
    unknown = sorted({(c, r, m) for c, r, m in layer_class_names(config)
                      if c not in KERAS_CLASS_TO_KEY and c not in MODEL_CLASSES and c != "InputLayer"},
                     key=lambda t: tuple(map(str, t)))
    if unknown:
        from .opaque import opaque_class  # noqa: PLC0415 - Keras is about to load the file anyway
        for cls, registered, module in unknown:
            try:
                opaque_class(cls, registered, module)
            except ModelImportError as exc:
                raise ModelImportError(f"{filename}: {exc}") from None


def _functions(obj, depth: int = 0):
    """Each function entry Keras would look up ({"class_name": "function", ...}) in a model's layers, a nested
    model's compile settings included (Keras compiles a nested model from them; the outer model loads uncompiled,
    and its own are not under its "config")."""
    if depth > 200:
        return
    if isinstance(obj, dict):
        if obj.get("class_name") == "function":
            yield obj
        for value in obj.values():
            yield from _functions(value, depth + 1)
    elif isinstance(obj, list):
        for value in obj:
            yield from _functions(value, depth + 1)


def layer_class_names(config: dict) -> list[tuple[str, str | None, str | None]]:
    """(class name, registered name, module) of every layer, nested models' layers included."""
    layers = config.get("config", {}).get("layers", []) if isinstance(config.get("config"), dict) else []
    if not isinstance(layers, list):
        raise ModelImportError("the model config's layer list is not a list.")
    names = []
    for layer in layers:
        if not isinstance(layer, dict):
            raise ModelImportError("a layer entry in the model config is not an object.")
        cls = layer.get("class_name")
        registered, module = layer.get("registered_name"), layer.get("module")
        names.append((cls if isinstance(cls, str) else repr(cls), registered if isinstance(registered, str) else None,
                      module if isinstance(module, str) else None))
        if cls in MODEL_CLASSES:
            names.extend(layer_class_names(layer))
    return names


def save_model(model, path: Path, error: type[PlaygroundError] = PlaygroundError) -> Path:
    """``model.save(path)`` (.keras or .h5); a write failure is ``error`` naming the file."""
    import logging  # noqa: PLC0415
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)  # .h5 is asked for on purpose; skip Keras' "legacy format" notice
    from .deep import run_deep_if  # noqa: PLC0415
    try:
        run_deep_if(len(model.layers), model.save, path)
    except OSError as exc:
        raise error(f"Cannot write {path}: {exc.strerror or exc}.") from None
    finally:
        absl.setLevel(level)
    return Path(path)
