"""Data-parallel training through Keras' own engine.

JAX: ``keras.distribution.DataParallel`` (one model copy per device, each batch split between them).
TensorFlow: ``tf.distribute.MirroredStrategy`` (made in runtime.py, the one place that calls ``tf.``).
One device takes the plain path.
"""

from __future__ import annotations

import contextlib

from ..core.errors import PlaygroundError
from .runtime import get_keras, tf_mirrored_strategy


class DeviceError(PlaygroundError):
    """The devices setting cannot be honoured: too many asked, or the batch does not divide. Worded for the
    window and the command line alike (the setting is ``devices`` in both)."""


def _divisible_sizes(batch: int, n: int) -> str:
    lower = batch - batch % n
    return ", ".join(str(v) for v in sorted({max(lower, n), lower + n}))


@contextlib.contextmanager
def distribution(devices, batch_size: int):
    """Context in which to build, compile and fit; yields the number of devices in use."""
    if devices is None:
        yield 1
        return
    keras = get_keras()
    backend = keras.backend.backend()
    available = list(keras.distribution.list_devices())
    if backend == "tensorflow":
        gpus = [d for d in available if d.split(":")[0].lower() == "gpu"]
        available = gpus or available[:1]
    n = len(available) if devices == "all" else int(devices)
    if n > len(available):
        raise DeviceError(f"devices = {devices} asks for {n} devices but the {backend} backend sees "
                          f"{len(available)} ({', '.join(available)}); set devices to {len(available)} or fewer.")
    if batch_size % n:
        raise DeviceError(f"batch size {batch_size} does not divide across {n} devices; use a multiple of {n} "
                          f"such as {_divisible_sizes(batch_size, n)}.")
    if n == 1:
        yield 1
        return
    if backend == "jax":
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=available[:n]))
        try:
            yield n
        finally:
            keras.distribution.set_distribution(previous)
    elif backend == "tensorflow":
        with tf_mirrored_strategy(n).scope():
            yield n
    else:
        raise DeviceError(f"data-parallel training is supported on the jax and tensorflow backends, not {backend}.")


def weight_device_count(model) -> int:
    """How many devices the model's first weight lives on (4 for a 4-device data-parallel mesh)."""
    v = model.weights[0]
    value = getattr(v, "value", v)
    sharding = getattr(value, "sharding", None)
    if sharding is not None and hasattr(sharding, "device_set"):
        return len(sharding.device_set)
    values = getattr(v, "values", None)  # tf.distribute MirroredVariable
    return len(values) if values is not None else 1
