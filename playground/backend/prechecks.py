"""Checks that run before Keras builds anything from a file: no paths in configs, and the memory check on Keras'
own parameter count.

Keras builds layers from a config inside ``keras.StatelessScope(initialize_variables=False)`` without
allocating a single weight: every variable records its shape and waits for an initialisation that we never
ask for. That gives Keras' own parameter count (an ``Embedding`` of 3e9 x 64, a ``Dense`` of 1e10 units, an
``Input`` of 1e12 features) for the memory check to see first, so no count stored in a file is trusted and no
file can allocate past the check. Every path that builds a Keras model passes here: model import (Keras 3 and
the Keras 2 converter), and ``builder.build_model`` (export, training, previews, See inside) for the opaque
layers of a project.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

from ..core import limits
from ..core.errors import ModelImportError
from ..core.files import fmt_over
from ..core.layer_data import config_problem
from .runtime import get_keras

WEIGHTS_MEMBER = "model.weights.h5"
WEIGHTS_SLACK = 64 * 2 ** 20  # HDF5 headers, names and small non-weight variables (seed generators, counters)
BYTES_PER_WEIGHT_MAX = 8 * 3  # float64 at most, and an optimizer's two moments stored beside each weight


@contextmanager
def shapes_only(created: list | None = None) -> Iterator:
    """Build Keras layers without allocating their weights (variables keep their shapes, never initialised);
    yields the scope. The variables made inside are appended to ``created`` when it is given."""
    keras = get_keras()
    from keras.src.backend.common import global_state  # noqa: PLC0415 - thread-local list of deferred variables
    before = list(global_state.get_global_attribute("uninitialized_variables", [], set_to_default=True))
    try:
        with keras.StatelessScope(initialize_variables=False) as scope:
            yield scope
    finally:  # forget the shape-only variables, so nothing initialises them later
        if created is not None:
            old = {id(v) for v in before}
            created.extend(v for v in global_state.get_global_attribute("uninitialized_variables", [])
                           if id(v) not in old)
        global_state.set_global_attribute("uninitialized_variables", before)


def check_config_data(config: dict, filename: str) -> None:
    """Refuse a model config that names a file for Keras to open or carries code (``core.layer_data``)."""
    problem = config_problem(config)
    if problem:
        raise ModelImportError(f"{filename}: {problem}.")


def config_param_count(config: dict) -> int | None:
    """Keras' own parameter count of a model config, built shapes-only; None if Keras cannot build it so
    (the real load then says why)."""
    import copy  # noqa: PLC0415

    from .deep import config_layer_count, run_deep_if  # noqa: PLC0415 - a deep model gets the stack it needs
    keras = get_keras()
    config = copy.deepcopy(config)  # Keras pops keys from the dicts it deserialises; the real build needs them

    def count() -> int:
        with shapes_only():
            model = keras.saving.deserialize_keras_object(config, safe_mode=True)
            return int(sum(math.prod(int(d) for d in v.shape) for v in model.weights))
    try:
        return run_deep_if(config_layer_count(config), count)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, ImportError,
            RecursionError, NotImplementedError):
        return None


def build_within_memory(build, filename: str, before_allocating=None) -> tuple[object | None, int | None]:
    """(model, Keras' parameter count) from one Keras build: ``build()`` runs shapes-only, the count passes
    the memory check (and ``before_allocating(count)``, the caller's checks that need it), and only then are
    the same variables allocated. One build instead of a shapes-only one for the check and a second, real one.

    The model's weights are allocated as zeros: every caller assigns each of them from the file next, and
    Keras' loaders (like ours) raise when the file lacks one, so drawing random starting values, as a plain
    build does, would be work thrown away. Other variables (seed generators' states) keep their initialisers.

    A shapes-only build that raises is ModelImportError with Keras' reason: the file is refused before anything
    is allocated. (It went on to Keras' plain load, which builds from each layer's own ``build_config``: a layer
    whose build_config disagreed with its real input was built at the size it claimed, 3 GB from a 34 KB file,
    before Keras raised the same error.) The model is None when the build did more than create variables
    (assigned one, or left one uninitialised): the count has passed the check then, and the caller builds the
    plain way."""
    created: list = []
    try:
        with shapes_only(created) as scope:
            model = build()
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise ModelImportError(f"Keras could not build the model in {filename}: {first}") from None
    except (ImportError, NotImplementedError):
        return None, None
    weights = getattr(model, "weights", None)
    if weights is None:
        return None, None
    count = int(sum(math.prod(int(d) for d in v.shape) for v in weights))
    overwritten = {id(v) for v in weights}
    _require_memory(count, filename)
    if before_allocating is not None:
        before_allocating(count)
    mine = {id(v) for v in created}
    if getattr(scope, "state_mapping", True) or any(id(v) not in mine for v in getattr(model, "variables", [])):
        return None, count  # an assignment in the build (or a variable made elsewhere): build it the plain way
    if not all(hasattr(v, "_deferred_initialize") and hasattr(v, "_initializer") for v in created):
        return None, count  # a Keras without the deferred initialisation used below: the plain way
    zeros = get_keras().initializers.Zeros()
    for v in created:
        if id(v) in overwritten:
            v._initializer = zeros  # noqa: SLF001 - the value the file's weight replaces
        v._deferred_initialize()  # noqa: SLF001 - Keras' own deferred initialisation, after the check
    return model, count


def _require_memory(count: int, filename: str) -> None:
    limits.require(count * limits.BYTES_PER_VALUE, f"{filename} ({count:,} weights)", "of memory for its weights")


def check_config_memory(config: dict, filename: str) -> int | None:
    """Before Keras allocates a model file's weights: refuse it when they cannot fit; returns the count."""
    count = config_param_count(config)
    if count is not None:
        _require_memory(count, filename)
    return count


def check_weights_member(declared: int, count: int | None, filename: str) -> None:
    """A ``.keras`` archive's weights file must be about the size of the weights the config declares: one that
    would unpack to far more (a zip bomb) is refused from the zip's declared sizes, before it is inflated."""
    if count is None:
        return
    most = count * BYTES_PER_WEIGHT_MAX + WEIGHTS_SLACK
    if declared > most:
        size, most_text = fmt_over(declared, most)
        raise ModelImportError(f"{filename}: {WEIGHTS_MEMBER} would unpack to {size}, but the model's {count:,} "
                               f"weights need at most {most_text}; the archive is damaged or a zip bomb.")
