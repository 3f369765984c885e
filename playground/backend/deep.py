"""Give Keras the stack it needs for deep models.

Keras 3 walks a functional model's graph recursively (``keras.src.ops.function._build_map_helper``: one Python
frame per layer along the model's longest path, more while saving and loading), so with Python's default
recursion limit of 1,000 a model whose longest path is about 990 layers cannot even be constructed. Our own steps
are iterative; the Keras steps (build, load, save, export, convert) go through ``run_deep_if``: for a model of
``DEEP_FROM`` layers or more they run on a thread with a ``DEEP_STACK`` stack (the app's worker threads have one;
elsewhere a thread is started for the call) with the recursion limit raised to ``DEEP_RECURSION`` while they run.
The limit is process-wide in Python 3.11, so it is raised only for the length of such a call.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

DEEP_STACK = 512 * 2 ** 20  # bytes of stack reserved (not committed) for a thread Keras may recurse in
DEEP_FROM = 300  # layers: below this Keras stays far inside the default limit, so the call runs where it is
DEEP_RECURSION = 30_000  # frames; ~17 KB of that stack per frame, far above what Keras' frames take

_lock = threading.Lock()
_stack_lock = threading.Lock()
_active = 0  # raised-limit calls in progress
_saved_limit = 0
_local = threading.local()


@contextmanager
def _raised_limit():
    global _active, _saved_limit
    with _lock:
        if _active == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, DEEP_RECURSION))
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                sys.setrecursionlimit(_saved_limit)


@contextmanager
def deep_thread():
    """Mark the current thread as started with a ``DEEP_STACK`` stack (the app's worker threads), so deep
    Keras calls made in it run in place."""
    _local.big_stack = True
    try:
        yield
    finally:
        _local.big_stack = False


def start_deep_thread(target, *args, name: str) -> threading.Thread:
    """Start a daemon thread with a ``DEEP_STACK`` stack running ``target(*args)``."""
    with _stack_lock:  # threading.stack_size is process-wide: set it only around this start
        old = threading.stack_size()
        threading.stack_size(DEEP_STACK)
        try:
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
        finally:
            threading.stack_size(old)
    return thread


def run_deep(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` on a thread with a deep stack and a raised recursion limit; its result, or its
    exception re-raised here."""
    if getattr(_local, "big_stack", False):
        with _raised_limit():
            return fn(*args, **kwargs)
    out: dict = {}

    def target() -> None:
        try:
            with deep_thread(), _raised_limit():
                out["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread below
            out["error"] = exc

    start_deep_thread(target, name="keras-deep").join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


def run_deep_if(layers: int, fn, *args, **kwargs):
    """``run_deep`` for a model of ``DEEP_FROM`` layers or more; a direct call below (Keras' per-thread state,
    its global seed generator included, then stays in the caller's thread)."""
    if layers < DEEP_FROM:
        return fn(*args, **kwargs)
    return run_deep(fn, *args, **kwargs)


def config_layer_count(config: dict) -> int:
    """Layers in a model config, nested models' included (counted without recursion)."""
    count, stack = 0, [config]
    while stack:
        cfg = stack.pop().get("config")
        layers = cfg.get("layers") if isinstance(cfg, dict) else None
        for lc in layers if isinstance(layers, list) else []:
            if isinstance(lc, dict):
                count += 1
                if lc.get("class_name") in ("Functional", "Sequential", "Model"):
                    stack.append(lc)
    return count
