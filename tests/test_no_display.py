"""`playground` on a Linux machine with no display: one line that says what to do, exit 2, no Qt abort."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland detection is Linux's")


def run_without_display(args):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    code = ("import sys; from playground.cli import main; rc = main(sys.argv[1:]); "
            "assert 'PySide6' not in sys.modules, 'Qt was loaded'; sys.exit(rc)")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120,
                          cwd=ROOT)


@pytest.mark.parametrize("args", [[], ["resources/presets/and.json"]])
def test_no_display_is_one_line_and_exit_2(args):
    out = run_without_display(args)
    assert out.returncode == 2, out.stderr[-2000:]
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "QT_QPA_PLATFORM=offscreen" in lines[0] and "playground train" in lines[0]
    assert out.stdout == ""


def test_the_command_line_still_works_without_display():
    out = run_without_display(["summary", "resources/presets/and.json"])
    assert out.returncode == 0 and "Total params: 3" in out.stdout
