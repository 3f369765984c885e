"""Data-parallel training through Keras' own engine.

JAX: ``keras.distribution.DataParallel`` (one model copy per device, each batch split between them).
TensorFlow: ``tf.distribute.MirroredStrategy`` (made in runtime.py, the one place that calls ``tf.``).
One device takes the plain path. Several processes (hosts, see hosts.py) feed ``fit`` a ``tf.data`` pipeline,
which Keras shards between them.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from dataclasses import dataclass

from ..core.errors import PlaygroundError
from ..core.settings import training_rows
from ..core.words import count
from .hosts import process_count
from .runtime import get_keras, tf_data_batches, tf_mirrored_strategy, tf_one_epoch_repeated


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


def local_copy(model):
    """A copy of a model trained across processes that lives on this process's own device only: it can score,
    predict and be saved without the other processes (the trained weights are the same on all of them).
    Call it outside ``distribution``; the copy is not compiled."""
    keras = get_keras()
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


# ------------------------------------------------------------------ more CPU devices than cores

def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def forced_cpu_devices(xla_flags: str | None = None) -> int | None:
    """The virtual CPU device count set by ``--xla_force_host_platform_device_count`` in XLA_FLAGS, if any."""
    flags = os.environ.get("XLA_FLAGS", "") if xla_flags is None else xla_flags
    found = re.findall(r"--xla_force_host_platform_device_count=(\d+)", flags)
    return int(found[-1]) if found else None


def oversubscription_note(devices, backend: str | None, xla_flags: str | None = None,
                          cores: int | None = None) -> str | None:
    """One line when ``--devices`` on JAX would run more virtual CPU devices than there are cores, else None.

    XLA's CPU all-reduce waits for every device's thread at a rendezvous; with more devices than cores, a busy
    machine can starve one long enough (40 s) that XLA aborts the process."""
    forced = forced_cpu_devices(xla_flags)
    if devices is None or backend != "jax" or forced is None:
        return None
    n = forced if devices == "all" else min(int(devices), forced)
    cores = cpu_cores() if cores is None else cores
    if n <= cores:
        return None
    return (f"{n} virtual devices on {cores} cores: XLA's CPU all-reduce can time out under load (the run then "
            f"stops); use --devices {cores} or fewer.")


# ------------------------------------------------------------------ what model.fit is given

# A seeded TensorFlow fit of at most this many batches an epoch, over at most this many bytes of data, is fed
# one epoch's batches made once and repeated (runtime.tf_one_epoch_repeated): on a four-row truth table Keras'
# two new input pipelines an epoch were two thirds of each epoch's time. Making the batches costs more the more
# there are (64 batches of 16 MiB: 0.2-0.3 s, against about 22 ms saved an epoch), so only small sets qualify
SMALL_EPOCH_STEPS = 16
SMALL_EPOCH_BYTES = 2 ** 20


@dataclass
class Feed:
    """Arguments for ``model.fit`` and the batches per epoch they give."""

    kwargs: dict
    steps: int


def fit_feed(x, y, batch_size: int, validation_split: float, seed: int | None) -> Feed:
    """NumPy arrays as they are for one process. For several, Keras wants a ``tf.data`` pipeline to shard: every
    process shuffles the same way (same seed), and only whole global batches are used, so that each process gets
    its share of every batch and all take the same number of steps (the last partial batch of each epoch, fewer
    than ``batch_size`` examples, is left out; the shuffle changes which)."""
    n = len(x)
    n_train = training_rows(n, validation_split)
    if process_count() == 1:
        steps = math.ceil(n_train / batch_size)
        kwargs = {"x": x, "y": y, "batch_size": batch_size, "validation_split": validation_split or 0.0,
                  "shuffle": True}
        if get_keras().backend.backend() != "tensorflow":
            return Feed(kwargs, steps)
        if seed is not None and not validation_split and steps <= SMALL_EPOCH_STEPS and \
                x.nbytes + y.nbytes <= SMALL_EPOCH_BYTES:
            batches = tf_one_epoch_repeated(x, y, batch_size)
            if batches is not None:
                return Feed({"x": batches, "steps_per_epoch": steps, "shuffle": False}, steps)
        # The length said: Keras' TensorFlow loop then starts one input pipeline an epoch, not two (the same
        # batches, the same weights to the bit)
        return Feed({**kwargs, "steps_per_epoch": steps}, steps)
    steps = n_train // batch_size
    if steps == 0:
        raise DeviceError(f"the training set has {count(n_train, 'example')}, fewer than one batch of {batch_size}; "
                          f"lower the batch size.")
    kwargs = {"x": tf_data_batches(x[:n_train], y[:n_train], batch_size, seed=0 if seed is None else seed),
              "steps_per_epoch": steps, "shuffle": False}  # shuffled in the pipeline
    if n_train < n:  # Keras holds out the last fraction, unshuffled: the same here
        val_steps = (n - n_train) // batch_size
        if val_steps:
            kwargs.update(validation_data=tf_data_batches(x[n_train:], y[n_train:], batch_size, seed=None),
                          validation_steps=val_steps)
    return Feed(kwargs, steps)
