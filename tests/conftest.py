import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# One TensorFlow thread per pool in every test process: the workers (one more than cores) already keep every core
# busy, and TensorFlow's pools of one thread per core each, three processes' worth on two cores, spin waiting
# for work they then share. On this 2-core machine the suite took 510 s of CPU and 261 s with TensorFlow's
# default pools, 419 s and 216 s with one thread each (6 Dec, 16:32 and 16:43). A run's last digits depend on
# the thread count (README, "Replaying a run"), so a test that compares a child process's run with its own
# passes these on.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

# Each test process its own home: Qt's test-mode folders (autosave and recovery files) and Keras' cache live under
# it, so two workers never see each other's recovery files or locks, and a run with -n0 never sees what an earlier
# one left in the user's home (a recovery file set aside as broken failed a test there).
import tempfile  # noqa: E402

_WHO = os.environ.get("PYTEST_XDIST_WORKER", "tests")
WORKER_HOME = os.environ["HOME"] = tempfile.mkdtemp(prefix=f"playground-{_WHO}-")


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than cores on a small machine. Some tests wait (a child process training,
    a coordinator's time-out), and the spare worker fills the core they leave idle: on 2 cores, 3 workers ran
    the suite in 156-158 s against 162-165 s for 2 (two alternated pairs, quiet). On more cores a worker per
    core is plenty, and each holds TensorFlow and Qt and the models its tests open (the training-UI and
    open-model tests alone peaked at 2.7 GB in one process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = cores + 1 if cores <= 4 else cores
    try:  # and no more workers than 3 GB of memory each allows
        memory_gb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2 ** 30
        workers = min(workers, max(1, int(memory_gb // 3)))
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): by cores alone
        pass
    return workers


# Modules whose tests share no module-scoped fixture between them: each test is its own unit of work for the
# workers, not the whole module (test_applications_families' 11 families took one worker 150 s of a 240 s run,
# test_several_hosts' child processes another 60 s).
SPLIT_MODULES = {"tests/backend/test_applications_families.py", "tests/backend/test_several_hosts.py"}


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` (the default here), but the modules in SPLIT_MODULES go out test by test."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SplitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.split("::", 1)[0] in SPLIT_MODULES:
                return nodeid
            return super()._split_scope(nodeid)
    return SplitScheduling(config, log)


def pytest_sessionfinish(session, exitstatus):
    session.config._playground_status = int(exitstatus)


def pytest_unconfigure(config):
    """Leave without Python's finalization once Qt and TensorFlow have both been loaded.

    After a long run with both, the interpreter's final garbage collection can hit a refcount bug in
    a C extension ("bool_dealloc", seen with PySide6 6.12 + TensorFlow 2.21) *after* every result is
    reported. Exiting here keeps pytest's own status and closing line; it hides no test outcome. Before it: what
    that exit would have cleaned up (AutoGraph's temp files), and the worker's own temporary home.
    """
    import shutil
    import sys
    if WORKER_HOME:  # the worker's own home, which nothing else removes
        shutil.rmtree(WORKER_HOME, ignore_errors=True)
    if "PySide6" in sys.modules and "tensorflow" in sys.modules:
        from playground.backend.runtime import remove_generated_files
        remove_generated_files()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(getattr(config, "_playground_status", 0))
