"""The long-lived worker threads (ui/worker.py): a task's handle behaves as the QThread it replaced, and the
threads survive what a task's ending may meet."""

import gc
import threading
import time
import weakref

from PySide6.QtCore import QObject, Qt

from playground.ui.worker import start_job


def test_wait_returns_only_once_finished_has_been_emitted(qtbot):
    """As QThread.wait: a caller that waits and then deletes the handle never races its ``finished``."""
    heard = []
    task = start_job(time.sleep, 0.05)
    task.finished.connect(lambda: (time.sleep(0.2), heard.append("finished")), Qt.DirectConnection)
    assert task.wait(10_000)
    assert heard == ["finished"]
    assert not task.isRunning()


def test_a_handle_deleted_with_its_window_mid_task_does_not_cost_the_next_task_its_thread(qtbot):
    """A job whose parent (a closed window) is deleted while it runs cannot tell anyone it ended: the thread it
    ran on still serves the next job."""
    import shiboken6
    parent = QObject()
    release = threading.Event()
    task = start_job(release.wait, 60, parent=parent)
    shiboken6.delete(parent)  # the handle goes with it
    release.set()
    assert task.wait(10_000)
    results = []
    for _ in range(3):  # more than the idle threads: each must be alive to serve
        start_job(threading.current_thread, on_done=results.append)
    qtbot.waitUntil(lambda: len(results) == 3, timeout=10_000)


def test_an_idle_thread_keeps_nothing_of_its_last_task(qtbot):
    """A finished job's objects (a model, test arrays) are freed once the job has ended, as with a thread that
    exits: an idle worker thread does not hold them until its next task."""
    class Big:
        pass
    big = Big()
    gone = weakref.ref(big)
    task = start_job(lambda thing: None, big)
    del big
    assert task.wait(10_000)
    qtbot.wait(50)  # the job's own signals land
    del task
    gc.collect()
    assert gone() is None
