"""Recovery per window (issue 23, item 5): a live window's autosave is never offered to, nor deleted by,
another window; a dead owner's file is offered."""

import subprocess
import sys
import textwrap

import pytest
from PySide6.QtWidgets import QMessageBox

from playground.ui.file_controller import app_data_dir


@pytest.fixture
def second_window(qtbot, settings):
    from playground.ui.main_window import MainWindow
    w = MainWindow(settings=settings)
    w.ask_save = lambda: "discard"
    qtbot.addWidget(w)
    w.show()
    yield w
    w.files.shutdown()
    w.close()


def test_two_windows_never_take_each_others_autosave(window, second_window, monkeypatch):
    a, b = window, second_window
    a.select_nodes([a.graph.by_name("dense").id])
    a.inspector.fields["units"].setValue(77)
    a.files.write_recovery()
    a_file = a.files.recovery_path()
    assert a_file.exists() and a_file != b.files.recovery_path()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args) or QMessageBox.No)
    b.files.offer_recovery()  # B starts while A is alive: A's autosave is A's
    assert not asked and a_file.exists()
    assert a.graph.by_name("dense").params["units"] == 77 and a.is_dirty()
    assert b.graph.by_name("dense").params["units"] != 77


def test_a_dead_windows_autosave_is_offered(window, tmp_path, monkeypatch):
    """A process that autosaved and died (its lock is left behind, its pid gone): its file is offered once."""
    folder = app_data_dir()
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).resolve().parents[2])!r})
        from PySide6.QtCore import QLockFile
        from playground.core import project, recovery
        from playground.resources_path import preset_text
        proj = project.loads(preset_text("and"))
        proj.name = "from-the-dead"
        lock = QLockFile({str(folder / 'recovery-0123456789abcdef.lock')!r})
        lock.setStaleLockTime(0)
        assert lock.tryLock(0)
        recovery.write_recovery(proj, {str(folder / 'recovery-0123456789abcdef.json')!r}, None)
        os._exit(0)  # dies holding the lock, as a crash would
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    dead = folder / "recovery-0123456789abcdef.json"
    assert dead.exists() and dead.with_suffix(".lock").exists()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: asked.append(args[2]) or QMessageBox.Yes)
    window.files.offer_recovery()
    assert len(asked) == 1 and "from-the-dead" in asked[0]
    assert window.doc.project.name == "from-the-dead" and window.is_dirty()
    assert not dead.exists() and not dead.with_suffix(".lock").exists()
