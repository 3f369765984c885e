"""What this app accepts, and memory estimates made before anything large is allocated.

The figures here are the README's "Limits" table. A network or dataset that would not fit is refused
with both numbers ("this network needs 16.4 GB of weights; this machine has 23.0 GB"), never left to
the operating system's out-of-memory killer.
"""

from __future__ import annotations

import math
import os

from .errors import ResourceError
from .files import fmt_bytes

GB = 1000 ** 3
MAX_MODEL_FILE = 4 * GB  # .h5 / .keras: weights included
MAX_MODEL_CONFIG = 64 * 2 ** 20  # a model's architecture JSON (config.json / the HDF5 attribute)
MAX_DATASET_FILE = 8 * GB  # .npz / .csv
MAX_IMAGE_SIDE = 8192  # pixels, per side, for one image in an image folder
MAX_IMAGE_FILE = 512 * 2 ** 20  # one image file: an uncompressed 8192x8192 RGBA image is 268 MB
MAX_CLASSES = 100_000  # a label this large or larger is not a class index
MAX_CONFIG_DEPTH = 200  # nesting of a model's architecture JSON (Keras' own files stay under 20)
BYTES_PER_VALUE = 4  # float32


def available_memory() -> int | None:
    """Bytes this process could still allocate (MemAvailable on Linux; physical memory elsewhere), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def require(nbytes: float, subject: str, purpose: str, available: int | None = None) -> None:
    """ResourceError when ``nbytes`` exceed the memory available:
    '``subject`` needs 16.4 GB ``purpose``; this machine has 23.0 GB available.'"""
    have = available_memory() if available is None else available
    if have is not None and nbytes > have:
        raise ResourceError(f"{subject} needs {fmt_bytes(nbytes)} {purpose}; this machine has {fmt_bytes(have)} "
                            f"available.")


def network_bytes(graph, batch_size: int = 0, counts: dict[str, int] | None = None) -> tuple[int, int]:
    """(weight bytes, activation bytes for one batch) of a graph, from its inferred shapes.

    Training keeps about four copies of the weights (weights, gradients, two Adam moments) and the
    activations of every layer for the backward pass; callers multiply as they need. ``counts`` replaces
    the parameter count of the nodes it names (opaque layers: Keras' own count, never the file's).
    """
    from .analysis import infer  # noqa: PLC0415
    infos = infer(graph)
    counts = counts or {}
    params = sum(counts.get(nid, i.params) for nid, i in infos.items())
    acts = sum(math.prod(i.shape) for i in infos.values() if i.shape)
    return params * BYTES_PER_VALUE, acts * BYTES_PER_VALUE * batch_size


def training_bytes(weight_bytes: float) -> float:
    """What training holds for weights of ``weight_bytes``: the weights, their gradients and Adam's two moments."""
    return weight_bytes * 4


def check_network_fits(graph, batch_size: int = 0, available: int | None = None,
                       counts: dict[str, int] | None = None) -> None:
    """Refuse a network whose weights (x4 when training) and one batch of activations cannot fit."""
    weights, acts = network_bytes(graph, batch_size, counts)
    if not batch_size:
        require(weights, "This network", "of weights", available)
        return
    require(training_bytes(weights), "Training this network", "for its weights, gradients and optimizer state", available)
    require(training_bytes(weights) + acts * 2, "Training this network", f"with batch size {batch_size} (weights and "
            f"activations)", available)


def check_buildable(graph, batch_size: int = 0, available: int | None = None,
                    counts: dict[str, int] | None = None) -> None:
    """Before Keras builds ``graph``: its memory fits (``counts``: see ``network_bytes``; the backend passes Keras'
    count of every opaque layer). No layer count of our own: Keras' recursion gets the stack it needs, see
    ``backend/deep.py``."""
    check_network_fits(graph, batch_size, available, counts)


# What ``json.loads`` holds at its peak, by what the text holds (tests/core/test_json_memory.py measures it with
# tracemalloc over the worst shapes: 900-deep "[[[...]]]" is 45 bytes a byte, 90 a bracket). The text itself, its
# decoded copy and the parsed strings, and a project's base64 weights decoded (5x in all for ASCII text, where
# loading a project with its weights peaks at 2.7x; 11x when one character beyond ASCII, or a \u escape, makes
# Python store the text or its strings 4 bytes a character), plus each container, value and string as an object.
JSON_PER_BYTE = {True: 5, False: 11}  # keyed by: ASCII, with no \u escape
JSON_PER_CONTAINER, JSON_PER_VALUE, JSON_PER_QUOTE = 110, 40, 30
JSON_WORST_PER_BYTE = JSON_PER_BYTE[False] + JSON_PER_CONTAINER  # a text of only "[": no object costs more a byte


def json_bytes(text: str | bytes) -> int:
    """An upper bound on the memory ``json.loads(text)`` takes, from counting its characters (C-speed)."""
    raw = isinstance(text, bytes)
    n = {c: text.count(c.encode() if raw else c) for c in '[{,:"'}
    narrow = text.isascii() and (b"\\u" if raw else "\\u") not in text  # "\ud83d" parses to 4 bytes a character
    return (len(text) * JSON_PER_BYTE[narrow] + (n["["] + n["{"]) * JSON_PER_CONTAINER
            + (n[","] + n[":"]) * JSON_PER_VALUE + n['"'] * JSON_PER_QUOTE + 65536)


def require_json(text: str | bytes, subject: str, times: int = 1, available: int | None = None) -> None:
    """ResourceError before ``text`` is parsed (``times`` over: Keras parses a model's config again) when that
    could exceed the memory available. A text that fits at the worst rate (a 100 MB file in 12 GB) is not counted."""
    have = available_memory() if available is None else available
    if have is None or len(text) * JSON_WORST_PER_BYTE * times <= have:
        return
    require(json_bytes(text) * times, f"{subject} ({fmt_bytes(len(text))} of JSON)", "of memory to read", have)
