"""Layer configs are data, never paths or code: the checks every serialised Keras layer passes before Keras sees it.

A Keras layer config can name a file that Keras opens while building the layer: a lookup layer's
``vocabulary`` (StringLookup, IntegerLookup, TextVectorization) given as a path is read whole into the model
(``/etc/passwd`` as a vocabulary lands in the exported ``.keras``); ``TFSMLayer`` loads a SavedModel from its
``filepath``; a FIFO blocks the read forever. Some wrapper layers carry code (``TorchModuleWrapper`` a pickled
module, ``JaxLayer``/``FlaxLayer`` Python functions). ``config_problem`` finds all of these in a layer or a
whole model config (walked without recursion), so the opaque nodes of a project, model files and the Keras 2
converter refuse them with one line, whatever the nesting.

The other checks here validate an opaque node's own fields like any other parameter: its Keras class, its
config, the shapes Keras computed and its parameter counts (which are never trusted: the backend recounts
them with Keras before anything is built).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ParamError

# config keys whose text value Keras would open as a file (Keras' lookup layers; KerasHub tokenizers' files)
FILE_KEYS = ("vocabulary", "filepath", "vocabulary_file", "vocab_file", "proto", "merges", "spm_model_file")
MODEL_CLASSES = ("Functional", "Sequential", "Model")  # a model inside a model (flattened on import)
CODE_LAYERS = ("Lambda", "TFOpLambda", "SlicingOpLambda")  # layers whose config carries Python code
# classes that load something from outside the config, or wrap code
REFUSED_CLASSES = {
    "TFSMLayer": "loads a TensorFlow SavedModel from a path",
    "TorchModuleWrapper": "holds a pickled PyTorch module, which would run code",
    "JaxLayer": "wraps Python functions, which would run code",
    "FlaxLayer": "wraps a Flax module's Python code",
    **{cls: "would run code stored in the file" for cls in CODE_LAYERS},
}
NOT_OPAQUE = ("InputLayer", *MODEL_CLASSES)  # an opaque node is one layer, fed by others


def code_refusal(cls: str, where: str = "") -> str:
    """The one sentence refusing a code-carrying layer (``where``: the file, when known)."""
    return (f"{where + ' contains' if where else 'the file holds'} a {cls} layer, which would run code stored in "
            f"the file; refused. Rebuild that step with built-in layers.")
MAX_DIM = 2 ** 31 - 1
MAX_RANK = 8
MAX_INPUTS = 64
MAX_COUNT = 2 ** 53  # a parameter count beyond this is not a count (and not exact as a float)


# keras.activations' functions, the only functions a file's layers may name (tests/backend/test_hostile_models.py
# keeps this list equal to Keras' own)
KERAS_ACTIVATIONS = frozenset((
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
    "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
    "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus",
    "swish", "tanh", "tanh_shrink", "threshold"))


def function_problem(entry: dict) -> str | None:
    """Why a function entry ({"class_name": "function", "module": ..., "config": name}) may not be loaded, or None.
    Keras writes an activation as its name; an entry naming keras.config.set_epsilon loads in Keras' safe mode
    and would be called on every batch."""
    module, name = entry.get("module"), entry.get("config")
    if (module is None or (isinstance(module, str) and module.split(".")[0] == "keras")) and \
            isinstance(name, str) and name in KERAS_ACTIVATIONS:
        return None
    return (f"a layer names the function {str(module)[:80]}.{str(name)[:80]} where a file's layers may name Keras' "
            f"activations only (relu, gelu ...): a file picks no function for Keras to call")


# limits.MAX_CONFIG_DEPTH, the same (tests/core/test_hostile_project.py); not imported from there, which would make
# an import cycle through the registry
MAX_CONFIG_DEPTH = 200


def config_problem(config: Any) -> str | None:
    """A sentence naming the first file path or code-carrying layer in ``config`` (any depth), or one saying it
    is nested deeper than a model's config may be (every walk of it after, a fingerprint's too, then ends in
    RecursionError: a sweep), or None."""
    stack = [(config, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_CONFIG_DEPTH and isinstance(node, (dict, list)):
            return f"the config is nested more than {MAX_CONFIG_DEPTH} deep (Keras' own stay under 20)"
        if isinstance(node, dict):
            cls = node.get("class_name")
            if isinstance(cls, str) and cls in REFUSED_CLASSES and "config" in node:
                return f"a {cls} layer {REFUSED_CLASSES[cls]}; refused"
            if cls == "function" and (problem := function_problem(node)):
                return problem
            inner = node.get("config") if isinstance(node.get("config"), dict) else None
            for key in FILE_KEYS:
                for where in (node, inner):
                    value = where.get(key) if isinstance(where, dict) else None
                    if isinstance(value, str):
                        who = f"{cls} " if isinstance(cls, str) else ""
                        name = (inner or node).get("name")
                        named = f"{name!s:.60} " if isinstance(name, str) else ""
                        return (f"layer {named}({who.strip() or 'a layer'}) gives `{key}` as the text "
                                f"{value[:80]!r}, which Keras would open as a file; a file is never read on a "
                                f"model's behalf: give the {key} inline (a list of its entries)")
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return None


def _dims(value: Any, what: str, name: str) -> list[int]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_RANK or not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_DIM for d in value):
        raise ParamError(f"`{name}`: {what} must be a list of 1 to {MAX_RANK} sizes, each a whole number from 1 "
                         f"to {MAX_DIM:,}. Received {value!r:.80}.", name)
    return value


def check_class(value: Any, name: str = "class_name") -> str:
    """An opaque node's Keras class: a layer class name, not an Input, a model or a code-carrying layer."""
    if not isinstance(value, str) or not value or len(value) > 200 or not value.isidentifier():  # a class name
        raise ParamError(f"`{name}` must be a Keras layer class name. Received {name}={value!r:.80}.", name)
    if value in NOT_OPAQUE:
        raise ParamError(f"`{name}`: {value} cannot be an opaque layer (an input or a model is not one layer "
                         f"fed by others). Received {name}={value!r}.", name)
    if value in REFUSED_CLASSES:
        raise ParamError(f"`{name}`: a {value} layer {REFUSED_CLASSES[value]}; refused.", name)
    return value


def check_config(value: Any, name: str = "config") -> dict:
    """An opaque node's serialised layer: an object whose ``config`` is an object, naming no file and no code."""
    if not isinstance(value, dict):
        raise ParamError(f"`{name}` must be an object (the layer as Keras serialised it). Received "
                         f"{name}={json.dumps(value)[:80] if _jsonable(value) else repr(value)[:80]}.", name)
    inner = value.get("config", {})
    if not isinstance(inner, dict):
        raise ParamError(f"`{name}.config` must be an object of the layer's arguments. Received {inner!r:.80}.",
                         name)
    for key in ("registered_name", "module", "class_name"):
        if value.get(key) is not None and not isinstance(value.get(key), str):
            raise ParamError(f"`{name}.{key}` must be a text. Received {value.get(key)!r:.80}.", name)
    problem = config_problem(value)
    if problem:
        raise ParamError(f"`{name}`: {problem}.", name)
    return value


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def check_input_shapes(value: Any, name: str = "input_shapes") -> list:
    """The input shapes an opaque layer's output was computed for: 1 to 64 lists of positive sizes."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_INPUTS:
        raise ParamError(f"`{name}` must be a list of 1 to {MAX_INPUTS} input shapes (each a list of sizes). "
                         f"Received {name}={value!r:.80}.", name)
    return [_dims(s, f"input shape {i}", name) for i, s in enumerate(value)]


def check_output_shape(value: Any, name: str = "output_shape") -> list:
    """An opaque layer's output shape: a list of positive whole sizes (no free sizes, no fractions)."""
    return _dims(value, "the output shape", name)


def check_param_count(value: Any, name: str = "param_count") -> list:
    """[total, trainable]: whole numbers, 0 <= trainable <= total. Shown only; the backend recounts with Keras."""
    ok = isinstance(value, list) and len(value) == 2 and all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= MAX_COUNT for c in value)
    if not ok or value[1] > value[0]:
        raise ParamError(f"`{name}` must be [total, trainable] whole numbers from 0 to {MAX_COUNT:,}, trainable "
                         f"at most total. Received {name}={value!r:.80}.", name)
    return value
