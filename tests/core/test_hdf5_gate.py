"""The one HDF5 gate (issue 23, item 1): a file that points outside itself is refused before any data is read,
naming the dataset or link; nothing else in the app opens an HDF5 file with h5py."""

import ast
import os
import pathlib
import time

import h5py
import numpy as np
import pytest

import playground
from playground.core.errors import ModelImportError
from playground.core.hdf5 import open_h5


def refused(path, *words):
    t0 = time.perf_counter()
    with pytest.raises(ModelImportError) as info:
        with open_h5(path, ModelImportError):
            pass
    assert time.perf_counter() - t0 < 10
    msg = str(info.value)
    assert "\n" not in msg and all(w in msg for w in words), msg
    return msg


def external_storage(tmp_path, target, **kw):
    path = tmp_path / "ext.h5"
    with h5py.File(path, "w") as f:
        f.create_group("model_weights").create_dataset("kernel", shape=kw.get("shape", (8,)), dtype="f4",
                                                       maxshape=kw.get("maxshape"),
                                                       external=[(target, 0, kw.get("size", 32))])
    return path


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../etc/hostname", "/dev/zero"])
def test_external_storage_is_refused_naming_dataset_and_target(tmp_path, target):
    msg = refused(external_storage(tmp_path, target), "'/model_weights/kernel'", "external storage", target)
    assert "root:" not in msg


def test_unlimited_external_storage_is_refused(tmp_path):
    path = external_storage(tmp_path, "/dev/zero", shape=(8,), maxshape=(None,), size=h5py.h5f.UNLIMITED)
    refused(path, "external storage")


def test_external_links_are_refused_without_being_followed(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3.0)
    fifo = tmp_path / "pipe.h5"
    os.mkfifo(fifo)  # following this link would block forever
    for name, target in (("to_other.h5", str(other)), ("to_self.h5", "to_self.h5"), ("to_fifo.h5", str(fifo))):
        path = tmp_path / name
        with h5py.File(path, "w") as f:
            f.create_group("g")["w"] = h5py.ExternalLink(target, "/x")
        refused(path, "'/g/w'", "external link", target)


def test_virtual_dataset_is_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3.0)
    layout = h5py.VirtualLayout(shape=(3,), dtype="f8")
    layout[:] = h5py.VirtualSource(str(other), "x", shape=(3,))
    path = tmp_path / "vds.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f.create_virtual_dataset("v", layout, fillvalue=0)
    refused(path, "'/v'", "virtual dataset")


def test_soft_link_loop_is_refused(tmp_path):
    path = tmp_path / "loop.h5"
    with h5py.File(path, "w") as f:
        f["a"] = h5py.SoftLink("/b")
        f["b"] = h5py.SoftLink("/a")
    refused(path, "soft link", "loops")


@pytest.mark.parametrize("data,words", [
    (np.array([b"abc", b"def"]), "dtype '|S3'"),
    (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), "dtype"),
    (np.array(["x"], dtype=h5py.string_dtype()), "dtype 'object'"),
])
def test_non_numeric_weights_are_refused(tmp_path, data, words):
    path = tmp_path / "text.h5"
    with h5py.File(path, "w") as f:
        f.create_group("layer")["kernel"] = data
    refused(path, "'/layer/kernel'", words, "numbers")


def test_a_plain_file_with_a_hard_link_cycle_and_a_soft_link_inside_passes(tmp_path):
    path = tmp_path / "ok.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g["d"] = np.ones((2, 2), "f4")
        g["again"] = g  # a hard link back to the group: walked once
        f["alias"] = h5py.SoftLink("/g/d")
    with open_h5(path, ModelImportError) as f:
        np.testing.assert_array_equal(f["alias"][()], np.ones((2, 2)))


def test_fifo_and_non_hdf5_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "m.h5"
    os.mkfifo(fifo)
    refused(fifo, "pipe")
    text = tmp_path / "t.h5"
    text.write_text("not hdf5")
    refused(text, "not an HDF5 file")


def test_nothing_else_opens_hdf5_with_h5py():
    """h5py is imported by the gate alone: every .h5 the app reads passes ``open_h5``'s checks first."""
    root = pathlib.Path(playground.__file__).parent
    users = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n == "h5py" or n.startswith("h5py.") for n in names):
                users.append(path.relative_to(root).as_posix())
    assert set(users) == {"core/hdf5.py"}, users


def test_a_filter_that_would_load_a_plugin_is_refused(tmp_path):
    path = tmp_path / "plugin.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("w", shape=(4,), chunks=(4,), dtype="f4", compression=32001, allow_unknown_filter=True)
    refused(path, "'/w'", "filter 32001", "plugin")


def test_data_declared_but_never_stored_is_refused(tmp_path):
    """A hostile-file review: a chunked dataset whose chunks were never written reads as its fill value, so a
    13 KB file declared 3.99 GB of weights and Keras read all of it (4.6 GB of memory) before finding the shape
    wrong. Data past 64 times the file's size (or 64 MiB) is refused; stored data of any size is not."""
    bomb = tmp_path / "bomb.h5"
    with h5py.File(bomb, "w") as f:
        f.create_dataset("model_weights/dense/kernel", shape=(250_000_000,), dtype="f4", chunks=(1_000_000,))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ModelImportError, match=r"declare over 1\.0 GB of data in a file of .* never written"):
        with open_h5(bomb, ModelImportError):
            pass
    stored = tmp_path / "stored.h5"
    with h5py.File(stored, "w") as f:
        f.create_dataset("model_weights/dense/kernel", data=np.ones(20_000_000, np.float32))  # 80 MB, written
    with open_h5(stored, ModelImportError) as f:
        assert f["model_weights/dense/kernel"].shape == (20_000_000,)
