"""Choosing the Keras backend and importing Keras lazily, and the process-wide clean-up around it.

The backend (tensorflow, jax or torch) must be fixed before Keras is first imported; ``select_backend``
does that from ``--backend``, the app setting or ``KERAS_BACKEND``. A backend whose package is missing
is a BackendUnavailableError naming the package to install, never a traceback. The rest is what the backend
does to the process: its per-thread state, its native log lines, its devices, and the temp files
``remove_generated_files`` clears before the app's ``os._exit``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import re
import sys
import tempfile
import threading
import types

from ..core.errors import BackendUnavailableError

BACKENDS = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
INSTALL_HINT = {"tensorflow": "pip install tensorflow", "jax": "pip install 'network-playground[jax]' (or pip install jax)",
                "torch": "pip install torch"}


def select_backend(name: str | None = None) -> str:
    """Fix the Keras backend before Keras loads; returns the backend in force."""
    name = name or os.environ.get("KERAS_BACKEND") or "tensorflow"
    if name not in BACKENDS:
        raise BackendUnavailableError(f"Unknown backend {name!r}; choose tensorflow, jax or torch.")
    if importlib.util.find_spec(BACKENDS[name]) is None:  # first: no point restarting for a missing package
        raise BackendUnavailableError(f"The {name} backend is not installed: {INSTALL_HINT[name]}")
    if "keras" in sys.modules:
        current = sys.modules["keras"].backend.backend()
        if current != name:
            raise BackendUnavailableError(f"Keras is already running on {current}; restart to use {name}.")
        return name
    os.environ["KERAS_BACKEND"] = name
    # 3: TensorFlow's C++ log lines after start-up too (tf.data's harmless "NodeDef mentions attribute
    # use_unbounded_threadpool" error on TF 2.21, say); real failures still reach Python as exceptions.
    # TF_CPP_MIN_LOG_LEVEL=0 in the environment shows everything.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return name


def get_keras():
    """Import and return ``keras`` (after ``select_backend``); clear error if it is missing."""
    if "keras" not in sys.modules:
        with _IMPORT_LOCK:  # one thread at a time points file descriptor 2 elsewhere
            if "keras" not in sys.modules:
                _import_keras()
    import keras  # noqa: PLC0415
    return keras


_IMPORT_LOCK = threading.Lock()


def _import_keras() -> None:
    name = select_backend()
    if importlib.util.find_spec("keras") is None:
        raise BackendUnavailableError("Keras is not installed: pip install keras tensorflow")
    with quiet_native_logs():
        import keras  # noqa: F401, PLC0415 - lazy by design: the window opens without Keras
        if name == "tensorflow":
            _tf_start_runtime()  # its CUDA probe logs too: inside the quiet region
    # TensorFlow's Python warnings ("N out of the last M calls ... triggered tf.function retracing")
    # follow from building a fresh model per run, which we do on purpose; real errors still show.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


# TensorFlow's C++ start-up lines ("Could not find cuda drivers", "failed call to cuInit", oneDNN and
# CPU-feature notices) are written by absl straight to file descriptor 2 before its logging is set up,
# so TF_CPP_MIN_LOG_LEVEL cannot hide them. While TensorFlow loads we point descriptor 2 at a file,
# then pass on every line that is not such a notice. The notices are kept for `playground devices`.
_NATIVE = re.compile(r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]"
                     r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\]"
                     r"|WARNING: All log messages before absl::InitializeLog\(\) is called)")
_GPU_WORDS = ("cuda", "cuinit", "cudnn", "cufft", "cublas", "tensorrt", "gpu")
NATIVE_NOTES: list[str] = []


def fresh_thread_state() -> None:
    """Give the calling thread Keras' per-thread state as a new thread has it: nothing of an earlier task on it
    (layer-name counters, name scopes, the global seed generator, a distribution). Keras keeps that state in
    ``threading.local`` objects; clearing this thread's view of them is what a new thread starts with. The app's
    worker threads are long-lived (TensorFlow's own first-use cost in a new thread, about 50 ms of CPU, is paid
    once) and call this after each task, so the next one starts as on a new thread. Nothing to do before Keras
    is imported."""
    state = sys.modules.get("keras.src.backend.common.global_state")
    if state is not None:
        vars(state.GLOBAL_STATE_TRACKER).clear()
        vars(state.GLOBAL_SETTINGS_TRACKER).clear()


def set_random_seed(seed: int) -> None:
    """``keras.utils.set_random_seed``: Python's, NumPy's and Keras' own generators and the backend's.

    Keras also seeds TensorFlow whatever the backend, and on JAX or PyTorch that first *imports* TensorFlow,
    when it is installed, for a run that never uses it: 1.6-3.6 s of CPU and TensorFlow's start-up lines on stderr
    (a JAX ``playground train`` of the digit CNN took 27-30 s of CPU with it and 26-27 s without). Where
    TensorFlow is neither the backend nor loaded yet and this process trains alone, the one name Keras' seeding
    asks (``rng_utils.tf``) answers "not available" for this call, under a lock (two runs may seed at once);
    Keras' shared stand-in for TensorFlow is not touched, so everything else finds TensorFlow as before.
    Several processes feed ``fit`` a seeded ``tf.data`` pipeline (``distribute.fit_feed``), so they seed
    TensorFlow as before, and their runs replay as before."""
    keras = get_keras()
    from .hosts import process_count  # noqa: PLC0415
    rng = sys.modules.get("keras.src.utils.rng_utils")
    if rng is None or "tf" not in vars(rng) or keras.backend.backend() == "tensorflow" or \
            "tensorflow" in sys.modules or process_count() > 1:
        keras.utils.set_random_seed(int(seed))
        return
    with _SEEDING:
        before = rng.tf
        rng.tf = _NO_TENSORFLOW
        try:
            keras.utils.set_random_seed(int(seed))
        finally:
            rng.tf = before


_SEEDING = threading.Lock()
_NO_TENSORFLOW = types.SimpleNamespace(available=False)  # what rng_utils asks of TensorFlow: only .available


AUTOGRAPH_FILE_PREFIX = "__autograph_generated_file"


def remove_generated_files() -> int:
    """Remove the files TensorFlow's AutoGraph wrote for this process; returns how many.

    AutoGraph writes each function it converts (the SavedModel signatures an ONNX or LiteRT export traces) to a
    ``__autograph_generated_file*.py`` in the temp folder and imports it as a module of that name (Python may cache
    its bytecode beside it, in ``__pycache__``); it removes the source at interpreter exit. The app leaves through
    ``os._exit`` (see ``ui/app.py``), which skips that, so without this every session that exported would leave its
    files behind. Only this process's modules of that name are looked at, and only a ``<name>.py`` directly in the
    temp folder (its folder resolved, never the file: a link is removed, not what it points to) and its cached
    bytecode in the temp folder's ``__pycache__`` are removed. A conversion still being written by another thread at
    the moment of exit may leave its one file."""
    tmp = os.path.normcase(os.path.realpath(tempfile.gettempdir()))
    removed, removed_cache = 0, False
    for name, module in list(sys.modules.items()):
        if not name.startswith(AUTOGRAPH_FILE_PREFIX):
            continue
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or os.path.basename(path) != name + ".py":
            continue
        if os.path.normcase(os.path.realpath(os.path.dirname(os.path.abspath(path)))) != tmp:
            continue
        try:
            os.remove(path)
            removed += 1
        except OSError:  # already gone (a temp-folder cleaner), or not ours to remove: nothing to do
            pass
        cached = getattr(module, "__cached__", None)
        pycache = os.path.join(os.path.dirname(os.path.abspath(path)), "__pycache__")
        if isinstance(cached, str) and os.path.dirname(os.path.abspath(cached)) == pycache \
                and os.path.basename(cached).startswith(name + "."):
            with contextlib.suppress(OSError):
                os.remove(cached)
                removed_cache = True
    if removed_cache:  # the temp folder's __pycache__, if that left it empty (never a full one)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(tempfile.gettempdir(), "__pycache__"))
    return removed


def gpu_notes() -> list[str]:
    """The held-back start-up lines that speak of the GPU stack, without their log prefix."""
    out = []
    for line in NATIVE_NOTES:
        if _NATIVE.match(line) and "]" in line and any(w in line.lower() for w in _GPU_WORDS):
            out.append(line.split("] ", 1)[-1].strip())
    return list(dict.fromkeys(out))


def is_native_notice(line: str) -> bool:
    """A TensorFlow/absl start-up notice: info and warning lines, and errors about a missing GPU stack."""
    if not _NATIVE.match(line):
        return False
    level = line[0] if line[0] in "IWEF" else line.split(": ", 1)[1][:1]
    if level in "IW" or line.startswith("WARNING: All log"):
        return True
    return level == "E" and any(w in line.lower() for w in _GPU_WORDS)


def _flush_c_streams() -> None:
    try:
        import ctypes  # noqa: PLC0415
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # no C library to ask (rare platforms): nothing buffered we can reach
        pass


@contextlib.contextmanager
def quiet_native_logs():
    """Hold back TensorFlow's native start-up notices (unless TF_CPP_MIN_LOG_LEVEL=0 asks for them)."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() == "0":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            _flush_c_streams()  # absl's lines may still sit in the C library's buffer
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = []
            for line in held.read().decode("utf-8", "replace").splitlines():
                (NATIVE_NOTES if is_native_notice(line) else kept).append(line)
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def backend_name() -> str:
    return get_keras().backend.backend()


def list_devices() -> list[dict]:
    """What Keras sees on the chosen backend: [{"kind": "cpu"|"gpu", "name": str}, ...]."""
    keras = get_keras()
    out = []
    try:
        for d in keras.distribution.list_devices():
            kind = d.split(":")[0].lower()
            out.append({"kind": "gpu" if kind in ("gpu", "cuda") else kind, "name": d})
    except (ValueError, RuntimeError, NotImplementedError):
        out.append({"kind": "cpu", "name": "cpu:0"})
    if keras.backend.backend() == "tensorflow":
        out = _tf_device_names(out)
    return out


# ----------------------------------------------------------------------------------------------
# The one marked place that may call TensorFlow directly (``tf.``): device names and
# MirroredStrategy, and the tf.data pipeline several processes train from, which have no backend-neutral Keras API.
# ----------------------------------------------------------------------------------------------

def _tf_start_runtime() -> None:
    import tensorflow as tf  # noqa: PLC0415
    tf.config.list_logical_devices()  # starts the runtime and its CUDA probe


def _tf_device_names(devices: list[dict]) -> list[dict]:
    import tensorflow as tf  # noqa: PLC0415
    named = []
    for d in tf.config.list_physical_devices():
        kind = "gpu" if d.device_type == "GPU" else d.device_type.lower()
        name = d.name.replace("/physical_device:", "")
        if kind == "gpu":
            details = tf.config.experimental.get_device_details(d)
            name = f"{name} ({details.get('device_name', 'GPU')})"
        named.append({"kind": kind, "name": name})
    return named or devices


def tf_mirrored_strategy(n_devices: int):
    """A MirroredStrategy over the first ``n_devices`` GPUs (TensorFlow backend's data parallel)."""
    import tensorflow as tf  # noqa: PLC0415
    gpus = [d.name.replace("/physical_device:", "/") for d in tf.config.list_physical_devices("GPU")]
    return tf.distribute.MirroredStrategy(devices=gpus[:n_devices] or None)


def tf_data_batches(x, y, batch_size: int, seed: int | None):
    """Whole batches of (x, y), repeated without end: shuffled each pass with ``seed`` (the same order in every
    process), or in order with None. The caller gives ``fit`` the steps per epoch."""
    import tensorflow as tf  # noqa: PLC0415
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if seed is not None:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).repeat()


def tf_one_epoch_repeated(x, y, batch_size: int):
    """The batches Keras' own array adapter gives a seeded, shuffled ``fit`` in one epoch, in its order, as a
    pipeline made once and repeated; None where this Keras has no such adapter or a distribution strategy is in
    scope. A seeded TensorFlow run takes its batches in the same order every epoch (its seeded shuffle starts over
    with each pass: ``tests/backend/test_replay.py``), so the weights are plain Keras' to the bit; what goes is
    the two input pipelines Keras starts for every epoch, about 11 ms each: most of an epoch of a four-row truth
    table (the Logic lab's *Learn instead*, a gate preset). Call it after the run is seeded."""
    import tensorflow as tf  # noqa: PLC0415
    try:
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter  # noqa: PLC0415
    except ImportError:
        return None
    if tf.distribute.has_strategy():
        return None
    batches = list(ArrayDataAdapter(x, y, batch_size=batch_size, shuffle=True).get_tf_dataset())
    ds = tf.data.Dataset.from_tensors(batches[0])
    for batch in batches[1:]:
        ds = ds.concatenate(tf.data.Dataset.from_tensors(batch))
    return ds.repeat()


def device_summary() -> str:
    """One line for the training panel: backend and device in use."""
    devs = list_devices()
    gpus = [d["name"] for d in devs if d["kind"] == "gpu"]
    return f"{backend_name()} on " + (", ".join(gpus) if gpus else "CPU")
