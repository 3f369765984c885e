"""What the tests used to ask of a fresh Python process, done in this one (a new process that loads
TensorFlow costs 5-8 s of a 2-core machine; the suite has a few tests that really start one).

Plain Keras in this process is plain Keras when nothing custom is registered with it: the app registers no
custom objects (its files load with Keras' own classes), and ``plain_keras_load`` asserts so each time.
"""

from __future__ import annotations

import contextlib
import io
import runpy
import sys


def plain_keras_load(path, **kwargs):
    """``keras.models.load_model(path)`` with Keras' own classes only (no custom object registered)."""
    import keras
    assert keras.saving.get_custom_objects() == {}, "something registered a custom Keras object"
    return keras.models.load_model(path, **kwargs)


def run_script(script, argv: list[str] | None = None) -> dict:
    """Run a script file here; returns its globals. With ``argv`` None it is loaded as a module (``runpy``,
    its ``if __name__ == "__main__"`` block not run); with ``argv``, as ``python SCRIPT ARGV`` runs it."""
    if argv is None:
        return runpy.run_path(str(script))
    old = sys.argv
    sys.argv = [str(script), *argv]
    try:
        return runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = old


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``playground ARGV`` in this process: (exit status, stdout, stderr)."""
    from playground import cli
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            rc = exc.code if isinstance(exc.code, int) else 2
    return rc, out.getvalue(), err.getvalue()
