"""Reading a model file into a graph: the file checked (config, code, memory, the HDF5 gate), the Keras 2
dialect translated or a file plain Keras refuses rescued as data, Keras' safe load on a deep enough stack, and the
graph made from the loaded model.

Each step is done once: an ``.h5`` file is opened (and walked by the HDF5 gate) once, and its config, version
and weights are read from that handle; Keras builds the model once, shapes-only first, so that its own parameter
count passes the memory check before the weights are allocated (``prechecks.build_within_memory``); the status
bar's note comes from the same reading, not from reading the file again.
"""

from __future__ import annotations

import io
from pathlib import Path

from ..core.errors import ModelImportError
from ..core.files import fmt_over
from ..core.graph import Graph
from .importer import graph_from_model
from .model_files import check_safe, read_model_config
from .runtime import get_keras

MAX_ASSETS = 64 * 2 ** 20  # a .keras archive's members besides its config and weights (a vocabulary, a table)


def load_keras_model(path: str | Path):
    """Load a model file safely (config checked first, safe_mode on, not compiled)."""
    return _load(Path(path))[0]


def _load(path: Path) -> tuple[object, str]:
    """(Keras model, the status bar's note: what was converted or rescued, else "")."""
    if path.suffix.lower() in (".h5", ".hdf5"):
        from ..core.hdf5 import open_h5, read_attr  # noqa: PLC0415 - the one gate every .h5 passes
        from .safe_import import hdf5_config_text, parse_config  # noqa: PLC0415
        with open_h5(path, ModelImportError) as f:
            config = parse_config(hdf5_config_text(f, path.name), path.name)
            version = read_attr(f, "keras_version", path.name, ModelImportError, max_bytes=4096)
            return _load_h5(path, f, config, version)
    config = read_model_config(path)
    from .keras2 import is_keras2_file, load_keras2  # noqa: PLC0415 - Keras 2 dialect: translate, then check
    if is_keras2_file(path, config):  # a .keras name on an HDF5 file (with a zip appended)
        model, conv = load_keras2(path, config, check=check_safe)
        return model, conv.message()
    _check_config(config, path.name)
    count = None
    if path.suffix.lower() == ".keras":
        model, count = _run_deep(config, path, _build_keras_archive, path, config)
        if model is not None:
            return model, ""
    check_before_keras_loads(path, config, count)
    return _run_deep(config, path, get_keras().models.load_model, path, compile=False, safe_mode=True), ""


def _load_h5(path: Path, f, config: dict, version) -> tuple[object, str]:
    """A checked, open ``.h5``: the Keras 2 converter, the rescue of what plain Keras refuses, or Keras' own
    loader, all reading ``f``."""
    from ..core.keras2_dialect import is_keras2  # noqa: PLC0415
    if is_keras2(config, version):
        from .keras2 import load_keras2  # noqa: PLC0415
        model, conv = load_keras2(path, config, check=check_safe, h5=f, version=version)
        return model, conv.message()
    from .h5_rescue import load_rewritten, rewrite  # noqa: PLC0415 - .h5 files plain Keras refuses
    rescued = rewrite(config)
    config = rescued[0] if rescued else config
    _check_config(config, path.name)
    if rescued:
        from .prechecks import check_config_data  # noqa: PLC0415
        check_config_data(config, path.name)
        return _run_deep(config, path, load_rewritten, path, config, f), rescued[1]
    model, count = _run_deep(config, path, _build_h5, path, f, config)
    if model is None:  # Keras' own loader, after the same checks
        check_before_keras_loads(path, config, count)
        model = _run_deep(config, path, get_keras().models.load_model, path, compile=False, safe_mode=True)
    return model, ""


def _check_config(config: dict, filename: str) -> None:
    """The checks on the config alone: no code, no unknown layers, and our own shape rules' memory check."""
    check_safe(config, filename)
    from .safe_import import check_config_fits  # noqa: PLC0415
    check_config_fits(config, filename)  # before Keras allocates the layers' weights


def _run_deep(config: dict, path: Path, fn, *args, **kwargs):
    """``fn`` on a stack deep enough for the model; Keras' failures as one line naming the file."""
    from .deep import config_layer_count, run_deep_if  # noqa: PLC0415 - Keras recurses along the longest path
    try:
        return run_deep_if(config_layer_count(config), fn, *args, **kwargs)
    except RecursionError:
        raise ModelImportError(f"Keras could not load {path.name}: the model is too deep.") from None
    except (ValueError, TypeError, KeyError, OSError, AttributeError, IndexError, RuntimeError, OverflowError,
            NotImplementedError) as exc:  # (a config naming a layer it lacks: Keras' RuntimeError, IndexError)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not load {path.name}: {first[:300]}") from None


def _build_h5(path: Path, f, checked: dict) -> tuple[object | None, int | None]:
    """What ``keras.models.load_model`` does with an ``.h5`` (``legacy_h5_format.load_model_from_hdf5``), on
    the gate's handle, its build made once and checked first; (None, count) where that cannot be done.
    ``checked`` is the config as our checks read it (plain JSON)."""
    from .prechecks import build_within_memory, check_config_data  # noqa: PLC0415
    get_keras()  # imported the app's way first: TensorFlow's start-up notices held back
    try:
        from keras.src.legacy.saving import json_utils, legacy_h5_format, saving_options, saving_utils  # noqa: PLC0415
        from keras.src.saving import serialization_lib  # noqa: PLC0415
    except ImportError:  # another Keras: its own loader, after the separate count
        return None, None
    from .safe_import import hdf5_config_text  # noqa: PLC0415
    check_config_data(checked, path.name)
    config = json_utils.decode(hdf5_config_text(f, path.name))  # as Keras decodes it (tuples included)

    def build():
        with saving_options.keras_option_scope(use_legacy_config=True), serialization_lib.SafeModeScope(True):
            return saving_utils.model_from_config(config, custom_objects={})
    model, count = build_within_memory(build, path.name)
    if model is None:
        return None, count
    from .keras2 import check_weight_lists  # noqa: PLC0415
    check_weight_lists(f["model_weights"], path.name, model)  # what Keras' loader walks, bounded first
    with saving_options.keras_option_scope(use_legacy_config=True), serialization_lib.SafeModeScope(True):
        legacy_h5_format.load_weights_from_hdf5_group(f["model_weights"], model)
    return model, count


def _build_keras_archive(path: Path, config: dict) -> tuple[object | None, int | None]:
    """What ``keras.models.load_model`` does with a ``.keras`` archive (``saving_lib._load_model_from_fileobj``),
    its build made once and checked first, the weights member checked (size, HDF5 gate) before it is read;
    (None, count) where that cannot be done (assets in the archive, no ``model.weights.h5``, another Keras)."""
    from ..core import limits  # noqa: PLC0415
    from ..core.safe_files import open_zip, read_member  # noqa: PLC0415
    from .prechecks import WEIGHTS_MEMBER, build_within_memory, check_config_data  # noqa: PLC0415
    get_keras()  # imported the app's way first: TensorFlow's start-up notices held back
    try:
        from keras.src.saving import saving_lib, serialization_lib  # noqa: PLC0415
        load_state, store_class = saving_lib._load_state, saving_lib.H5IOStore  # noqa: SLF001
    except (ImportError, AttributeError):
        return None, None
    import inspect  # noqa: PLC0415
    if "visited_saveables" not in inspect.signature(load_state).parameters:
        return None, None
    sizes = dict(max_file=limits.MAX_MODEL_FILE, max_member=limits.MAX_MODEL_FILE, max_total=limits.MAX_MODEL_FILE)
    with open_zip(path, ModelImportError, ".keras archive", **sizes) as zf:
        names = zf.namelist()
    if WEIGHTS_MEMBER not in names or len(names) > 3:  # Keras reads assets (or .npz weights) then
        return None, None
    check_config_data(config, path.name)
    import copy  # noqa: PLC0415
    config = {**copy.deepcopy(config), "compile_config": None}  # Keras pops what it reads; compile=False

    def build():
        with serialization_lib.ObjectSharingScope():
            return get_keras().saving.deserialize_keras_object(config, safe_mode=True)
    model, count = build_within_memory(build, path.name, lambda n: _check_keras_weights(path, n))
    if model is None:
        return None, count
    with open_zip(path, ModelImportError, ".keras archive", **sizes) as zf:
        store = store_class(io.BytesIO(read_member(zf, WEIGHTS_MEMBER, path.name, ModelImportError)), mode="r")
    failed: set = set()
    errors: dict = {}
    try:
        load_state(model, weights_store=store, assets_store=None, inner_path="", visited_saveables=set(),
                   failed_saveables=failed, error_msgs=errors)
    finally:
        store.close()
    if failed:
        raise ModelImportError(_weights_do_not_fit(path.name, errors))
    return model, count


def _weights_do_not_fit(filename: str, errors: dict) -> str:
    """Keras' list of the objects its weights could not fill (``{id: (object, exception)}``, which its own message
    cuts to "Example error message for object <Dense name=d1, built=True>:" on its first line) as one line naming
    the layer, and the two shapes where that was the reason."""
    import re  # noqa: PLC0415
    saveable, exc = next(iter(errors.values()))
    text, name = str(exc), getattr(saveable, "name", type(saveable).__name__)
    shapes = re.search(r"variable\.shape=(\([^)]*\)), Received: value\.shape=(\([^)]*\))", text)
    variable = re.search(r"<Variable path=([^,>]+)", text)
    if shapes:
        what = f"its {variable.group(1).rsplit('/', 1)[-1]}" if variable else "a weight"
        first = f"layer {name!r} needs {what} of shape {shapes.group(1)}; the file's weights hold {shapes.group(2)}"
    else:
        line = (text.strip().splitlines() or [type(exc).__name__])[0][:300].rstrip(".")
        first = line if repr(name) in line else f"layer {name!r}: {line}"
    more = f" ({len(errors)} layers' weights do not fit)" if len(errors) > 1 else ""
    return f"{filename}: its weights do not fit the model its config describes: {first}{more}."


def check_before_keras_loads(path: Path, config: dict, count: int | None = None) -> None:
    """What Keras' own loader would read, checked first: no file paths in the config, Keras' shapes-only
    parameter count under the memory check (``count`` when it is known already), and (``.keras``) the weights
    member through the HDF5 gate, its declared size matching that count. (An ``.h5`` went through the gate when
    its config was read.)"""
    from .prechecks import check_config_data, check_config_memory  # noqa: PLC0415
    check_config_data(config, path.name)
    if count is None:
        count = check_config_memory(config, path.name)
    if path.suffix.lower() == ".keras":
        _check_keras_weights(path, count)


def _check_keras_weights(path: Path, count: int | None) -> None:
    from ..core import limits  # noqa: PLC0415
    from ..core.hdf5 import open_zip_member  # noqa: PLC0415
    from ..core.safe_files import open_zip  # noqa: PLC0415
    from .prechecks import WEIGHTS_MEMBER, check_weights_member  # noqa: PLC0415
    with open_zip(path, ModelImportError, ".keras archive", max_file=limits.MAX_MODEL_FILE,
                  max_member=limits.MAX_MODEL_FILE, max_total=limits.MAX_MODEL_FILE) as zf:
        # Keras' own loader unpacks every other member (assets) into a temporary folder: bounded, so a small
        # archive cannot write gigabytes there (a 3.6 MB file wrote 3.4 GB)
        from collections import Counter  # noqa: PLC0415 - (a name twice: Keras unpacks both, reads the last)
        twice, times = Counter(i.filename for i in zf.infolist()).most_common(1)[0] if zf.infolist() else ("", 1)
        if times > 1:
            raise ModelImportError(f"{path.name} holds {twice[:80]!r} more than once; a Keras archive holds each "
                                   f"member once.")
        other = sum(i.file_size for i in zf.infolist() if i.filename not in (WEIGHTS_MEMBER, "config.json"))
        if other > MAX_ASSETS:  # metadata.json too: with assets, Keras unpacks every member (a 257 KB file wrote a
            # 250 MiB metadata.json there)
            size, most = fmt_over(other, MAX_ASSETS)
            raise ModelImportError(f"{path.name} holds {size} besides its config and weights (assets Keras would "
                                   f"unpack to a temporary folder); at most {most} is read.")
        try:
            info = zf.getinfo(WEIGHTS_MEMBER)
        except KeyError:
            return  # Keras says what is missing
        check_weights_member(info.file_size, count, path.name)
        try:
            with open_zip_member(zf, info, f"{path.name}: {WEIGHTS_MEMBER}", ModelImportError):
                pass
        except ModelImportError:
            raise
        except (OSError, ValueError, EOFError, RuntimeError) as exc:
            raise ModelImportError(f"{path.name}: {WEIGHTS_MEMBER} is damaged ({str(exc)[:200]}).") from None


def import_model(path: str | Path) -> Graph:
    """Read an .h5 or .keras file into a graph; ModelImportError names what stops it."""
    model, note = _load(Path(path))
    from .deep import run_deep_if  # noqa: PLC0415
    try:
        graph = run_deep_if(len(model.layers), graph_from_model, model)
    except ModelImportError as exc:
        raise ModelImportError(f"{Path(path).name}: {exc}") from None
    graph.import_note = note  # the status bar shows it after "Imported"
    return graph
