import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Each worker process its own home: Qt's test-mode folders (autosave and recovery files) and Keras' cache
    # live under it, so two workers never see each other's recovery files or locks.
    import tempfile
    os.environ["HOME"] = tempfile.mkdtemp(prefix=f"playground-{os.environ['PYTEST_XDIST_WORKER']}-")


def pytest_sessionfinish(session, exitstatus):
    session.config._playground_status = int(exitstatus)


def pytest_unconfigure(config):
    """Leave without Python's finalization once Qt and TensorFlow have both been loaded.

    After a long run with both, the interpreter's final garbage collection can hit a refcount bug in
    a C extension ("bool_dealloc", seen with PySide6 6.12 + TensorFlow 2.21) *after* every result is
    reported. Exiting here keeps pytest's own status and closing line; it hides no test outcome.
    """
    import sys
    if "PySide6" in sys.modules and "tensorflow" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(getattr(config, "_playground_status", 0))
