"""Reading a model file into a graph: the file checked (config, code, memory, the HDF5 gate), the Keras 2
dialect translated or a file plain Keras refuses rescued as data, Keras' safe load on a deep enough stack, and the
graph made from the loaded model."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ModelImportError
from ..core.graph import Graph
from .importer import graph_from_model
from .model_files import check_safe, read_model_config
from .runtime import get_keras


def load_keras_model(path: str | Path):
    """Load a model file safely (config checked first, safe_mode on, not compiled)."""
    path = Path(path)
    config = read_model_config(path)
    from .keras2 import is_keras2_file, load_keras2  # noqa: PLC0415 - Keras 2 dialect: translate, then check
    if is_keras2_file(path, config):
        return load_keras2(path, config, check=check_safe)[0]
    from .h5_rescue import load_rewritten, rewrite_file  # noqa: PLC0415 - .h5 files plain Keras refuses
    rescued = rewrite_file(path, config)
    config = rescued[0] if rescued else config
    check_safe(config, path.name)
    from .safe_import import check_config_fits  # noqa: PLC0415
    check_config_fits(config, path.name)  # before Keras allocates the layers' weights
    check_before_keras_loads(path, config)
    keras = get_keras()
    from .deep import config_layer_count, run_deep_if  # noqa: PLC0415 - Keras recurses along the longest path
    try:
        if rescued:
            return run_deep_if(config_layer_count(config), load_rewritten, path, config)
        return run_deep_if(config_layer_count(config), keras.models.load_model, path, compile=False,
                           safe_mode=True)
    except RecursionError:
        raise ModelImportError(f"Keras could not load {path.name}: the model is too deep.") from None
    except (ValueError, TypeError, KeyError, OSError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelImportError(f"Keras could not load {path.name}: {first[:300]}") from None


def check_before_keras_loads(path: Path, config: dict) -> None:
    """What Keras' own loader would read, checked first: no file paths in the config, Keras' shapes-only
    parameter count under the memory check, and (``.keras``) the weights member through the HDF5 gate, its
    declared size matching that count. (An ``.h5`` went through the gate when its config was read.)"""
    from .prechecks import check_config_data, check_config_memory  # noqa: PLC0415
    check_config_data(config, path.name)
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
    model = load_keras_model(path)
    from .deep import run_deep_if  # noqa: PLC0415
    try:
        graph = run_deep_if(len(model.layers), graph_from_model, model)
    except ModelImportError as exc:
        raise ModelImportError(f"{Path(path).name}: {exc}") from None
    from .keras2 import conversion_note  # noqa: PLC0415
    from .h5_rescue import rescue_note  # noqa: PLC0415
    graph.import_note = conversion_note(path) or rescue_note(path) or ""  # the status bar shows it after "Imported"
    return graph
