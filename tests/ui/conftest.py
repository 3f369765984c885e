import gc

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

QStandardPaths.setTestModeEnabled(True)  # autosave/recovery files go to a test location, not the user's


@pytest.fixture(scope="session", autouse=True)
def app_type(qapp):
    """The app's body type, as ``playground`` sets it before its window is made (9.5 pt). Without it a test saw
    Qt's 9 pt until a test that switched the theme set 9.5 pt for the rest of its process: what fitted depended on
    which tests had run before."""
    from playground.ui.theme import app_type
    app_type(qapp)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from playground.ui.main_window import MainWindow
    w = MainWindow(settings=settings)
    w.ask_save = lambda: "discard"  # never block a test on a modal question
    qtbot.addWidget(w)
    w.show()
    yield w
    w.stop_training(wait=True)
    w.files.clear_recovery()
    w.close()
    w.deleteLater()
    qtbot.wait(1)
    gc.collect()  # in the GUI thread, while Qt is alive (automatic collection is off: see main_window)
    # What survives (Keras, TensorFlow, Qt's wrappers, caches: ~340k objects once Keras is loaded) leaves the
    # collector's view, so the next test's collection walks only what that test made (0.15 s -> a few ms)
    gc.freeze()


@pytest.fixture
def logic_window(window):
    from playground.core import project
    from playground.resources_path import preset_text
    window.load_project(project.loads(preset_text("xnor-case1")), None)
    window.set_workspace("Logic lab")
    return window


def pytest_sessionfinish(session, exitstatus):
    gc.collect()
    # Whatever is left now lives until the process ends: freeze it out of Python's last collection at exit,
    # which would free PySide/pyqtgraph wrappers after Qt's own teardown (shiboken 6.12.0 aborted there; it
    # is excluded in pyproject, this keeps other versions' teardown order from mattering).
    gc.freeze()
