"""What the tests used to ask of a fresh Python process, done in this one (a new process that loads
TensorFlow costs 5-8 s of a 2-core machine; the suite keeps a few tests that really start one: the README's
commands, `playground train` as a user runs it, the JAX devices, Qt never loaded by headless training).

Plain Keras in this process is plain Keras when nothing custom is registered with it: the app registers no
custom objects (its files load with Keras' own classes), and ``plain_keras_load`` asserts so each time.
"""

from __future__ import annotations

import runpy


def plain_keras_load(path, **kwargs):
    """``keras.models.load_model(path)`` with Keras' own classes only (no custom object registered)."""
    import keras
    assert keras.saving.get_custom_objects() == {}, "something registered a custom Keras object"
    return keras.models.load_model(path, **kwargs)


def run_script(script) -> dict:
    """A generated script's globals, loaded as a module (its ``if __name__ == "__main__"`` block not run),
    as ``runpy.run_path`` in a fresh process would give them."""
    return runpy.run_path(str(script))
