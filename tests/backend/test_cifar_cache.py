"""CIFAR-10 from the Keras cache, offline: the python batches are read as data (a pickle that asks to run
anything but numpy's array reconstruction is refused with one line, and nothing runs)."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from playground.backend import datasets
from playground.core.errors import DatasetError


def _write_batches(folder, n=6):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": [int(v) for v in rng.integers(0, 10, n)],
                         b"batch_label": name.encode()}, f, protocol=2)


@pytest.mark.parametrize("where", datasets.CIFAR_DIRS)
def test_cifar10_loads_from_the_cache_without_a_network(tmp_path, monkeypatch, where):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    _write_batches(tmp_path / "datasets" / where)
    ds = datasets.load("cifar10")
    assert ds.x_train.shape == (30, 32, 32, 3) and ds.x_test.shape == (6, 32, 32, 3)
    assert ds.x_train.dtype == np.uint8 and ds.class_names[0] == "airplane"
    with open(tmp_path / "datasets" / where / "data_batch_1", "rb") as f:
        raw = pickle.load(f)[b"data"][0]  # noqa: S301 - our own test file
    assert np.array_equal(ds.x_train[0, :, :, 0].ravel(), raw[:1024])  # channel-first rows -> HWC


class _Hostile:
    def __reduce__(self):
        return (os.system, ("touch hacked",))


def test_a_batch_that_asks_to_run_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "datasets" / "cifar-10-batches-py"
    _write_batches(folder)
    with open(folder / "data_batch_3", "wb") as f:
        pickle.dump({b"data": _Hostile(), b"labels": []}, f, protocol=2)
    with pytest.raises(DatasetError, match=r"data_batch_3 is not a CIFAR-10 python batch .*posix.system"):
        datasets.load("cifar10")
    assert not (tmp_path / "hacked").exists()


def test_a_batch_of_the_wrong_shape_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets" / "cifar-10-batches-py"
    _write_batches(folder)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": np.zeros((2, 784), np.uint8), b"labels": [0, 1]}, f, protocol=2)
    with pytest.raises(DatasetError, match=r"test_batch is not a CIFAR-10 python batch \(it needs"):
        datasets.load("cifar10")
