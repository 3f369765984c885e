"""Datasets: one registry (``playground datasets``) and an adapter to whatever the model's Input expects.

- ``mnist-sample``: 10,000 training and 2,000 test MNIST digits shipped in resources/ (offline default).
- ``mnist``, ``fashion-mnist``, ``cifar10``: the Keras cache first (read with numpy, checked by keys and
  shapes rather than a hash; CIFAR-10's python batches through an unpickler that lets only numpy arrays
  through), then a download through ``keras.datasets``; offline with no file, a message that says where
  to put it.
- ``gate-and`` ... ``gate-not``: the truth tables.
- the user's files: ``.npz`` (x_train, y_train[, x_test, y_test]), a CSV of ``label,pixel0..pixelN``
  (Kaggle digit-recognizer layout) or a folder with one sub-folder of images per class.
"""

from __future__ import annotations

import codecs
import io
import math
import os
import pickle  # noqa: S403 - CIFAR-10 batches, read through _ArraysOnly (no code runs)
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..core import limits
from ..core.errors import DatasetError
from ..core.files import open_regular
from ..core.logic import GATES, binary_rows
from ..core.safe_files import npy_header, open_zip, read_npy
from ..core.words import count, head_advice
from ..resources_path import resource_file

DIGITS = tuple(str(i) for i in range(10))
FASHION = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")
CIFAR = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@dataclass
class Dataset:
    """Arrays as loaded (images keep their natural shape and dtype) plus what they mean."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    binary: bool = False  # one 0/1 target column (gates) rather than class indices
    images: bool = False  # read from an image folder: resized to the model's Input when prepared

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def example_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])


@dataclass(frozen=True)
class DatasetSpec:
    key: str
    title: str
    description: str
    loader: Callable[[], Dataset]
    offline: bool  # available with no network and no cache
    classes: tuple[str, ...] = ()  # its class names, known without loading it (a reopened run's matrix)


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _check_arrays(name: str, x, y, where: str) -> None:
    """x: one row per example (at least 2-D), finite numbers; y: one label (or one-hot row) per example."""
    if x.ndim < 2 or y.ndim not in (1, 2) or len(x) != len(y):
        raise DatasetError(f"{where}: x has shape {x.shape} and y has shape {y.shape}; x needs one row per example "
                           f"(N, ...) and y one label per example (N,), with the same N.")
    if len(x) == 0:
        raise DatasetError(f"{where}: the arrays hold no examples.")
    if x.size == 0 or y.size == 0:  # (10**12 examples of nothing read as a dataset of 0 classes)
        raise DatasetError(f"{where}: x has shape {x.shape} and y has shape {y.shape}: "
                           f"{'each example holds no values' if x.size == 0 else 'the labels hold no values'}.")
    if x.dtype.kind == "f":
        bad = ~np.isfinite(x)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            n_bad = int(bad.sum())
            what = "is not a finite number" if n_bad == 1 else "are not finite numbers"
            raise DatasetError(f"{where}: x holds {count(n_bad, 'value')} that {what} (NaN or infinity), the first "
                               f"at index {first}; fix or drop those examples.")
        big = float(np.finfo(np.float32).max)  # training reads float32: 1e300 became infinity, and trained as one
        if x.dtype.itemsize > 4 and (float(x.max()) > big or float(x.min()) < -big):
            first = tuple(int(i) for i in np.argwhere(np.abs(x) > big)[0])
            raise DatasetError(f"{where}: x holds {x[first]:g} at index {first}, beyond the largest number training "
                               f"reads (float32, \u00b13.4e38); fix or drop those examples.")


def load_mnist_sample() -> Dataset:
    d = np.load(resource_file("datasets", "mnist-sample.npz"))
    return Dataset("mnist-sample", d["x_train"], d["y_train"], d["x_test"], d["y_test"], DIGITS)


def _from_cache_npz(path: Path, shape: tuple, name: str) -> Dataset | None:
    """Read a Keras-layout npz if present and well formed (keys and shapes, not a hash)."""
    if not path.exists():
        return None
    try:
        arrays, _ = read_npz(path)
    except DatasetError as exc:
        raise DatasetError(f"{path} exists but is not a valid {name} file ({exc}); delete or replace it.") from None
    if len(arrays) < 4:
        missing = ", ".join(k for k in NPZ_KEYS if k not in arrays)
        raise DatasetError(f"{path} exists but lacks {missing}; "
                           f"delete or replace it.")
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.shape[1:] != shape or y.ndim != 1 or len(x) != len(y):
            raise DatasetError(f"{path}: x_{split} has shape {x.shape}, expected (N, {', '.join(map(str, shape))}) "
                               f"with one label each; replace the file.")
    return Dataset(name, arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"], DIGITS)


def _download(loader_name: str, name: str, where: str):
    from .runtime import get_keras  # noqa: PLC0415 - Keras only when a download is needed
    keras = get_keras()
    try:
        return getattr(keras.datasets, loader_name).load_data()
    except Exception as exc:  # noqa: BLE001 - any network/IO failure becomes one clear message
        text = " ".join(str(exc).split())  # Keras: "URL fetch failure on URL: None -- [Errno -3] Temporary failure..."
        why = (text.split(" -- ", 1)[-1] or "no answer from the server")[:160]  # the reason, not the address
        raise DatasetError(f"{name} is not cached and could not be downloaded: {why}. Offline? Put the file at "
                           f"{where} and try again.") from None


def load_mnist() -> Dataset:
    path = keras_cache_dir() / "mnist.npz"
    cached = _from_cache_npz(path, (28, 28), "mnist")
    if cached is not None:
        return cached
    (xt, yt), (xs, ys) = _download("mnist", "MNIST", str(path))
    return Dataset("mnist", xt, yt, xs, ys, DIGITS)


def load_fashion() -> Dataset:
    where = keras_cache_dir() / "fashion-mnist"
    (xt, yt), (xs, ys) = _download("fashion_mnist", "Fashion-MNIST", f"{where}/ (the four *-ubyte.gz files)")
    return Dataset("fashion-mnist", xt, yt, xs, ys, FASHION)


# The extracted python batches, where people put them and where Keras 3 extracts its download.
CIFAR_DIRS = ("cifar-10-batches-py", "cifar-10-batches-py-target/cifar-10-batches-py")
CIFAR_BATCH_BYTES = 40_000_000  # one batch is 10,000 x 3,072 pixels (~31 MB) plus labels and names


class _ArraysOnly(pickle.Unpickler):
    """Reads a CIFAR batch (a pickled dict of a numpy array and lists) and nothing else: a pickle can name any
    function to call, so only numpy's array reconstruction is let through."""

    def find_class(self, module: str, name: str):
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name == "_reconstruct":
            return np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's own _reconstruct, wherever it lives
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if (module, name) == ("_codecs", "encode"):  # how protocol 2 writes bytes from Python 3
            return _latin1
        raise pickle.UnpicklingError(f"it asks to run {module}.{name}, which a CIFAR-10 batch never does")


def _latin1(text: str, encoding: str = "latin1") -> bytes:
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"it asks for the codec {encoding!r}")
    return text.encode("latin1")


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images N x 32 x 32 x 3 uint8, labels N) from one python batch, read as data (no code runs)."""
    with open_regular(path, DatasetError, "a CIFAR-10 batch", CIFAR_BATCH_BYTES) as f:
        try:
            d = _ArraysOnly(f, encoding="bytes").load()
        except Exception as exc:  # noqa: BLE001 - any malformed pickle becomes one clear line
            raise DatasetError(f"{path} is not a CIFAR-10 python batch ({exc}); delete or replace it.") from None
    data = d.get(b"data") if isinstance(d, dict) else None
    labels = d.get(b"labels") if isinstance(d, dict) else None
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072 \
            or not isinstance(labels, list) or len(labels) != len(data) \
            or not all(isinstance(v, int) and 0 <= v < 10 for v in labels):
        raise DatasetError(f"{path} is not a CIFAR-10 python batch (it needs b'data': N x 3072 uint8 pixels and "
                           f"b'labels': N labels 0-9); delete or replace it.")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), np.asarray(labels, dtype=np.uint8)


def _cifar_from_cache() -> Dataset | None:
    for rel in CIFAR_DIRS:
        folder = keras_cache_dir() / rel
        if not (folder / "test_batch").exists():
            continue
        parts = [_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
        xs, ys = _cifar_batch(folder / "test_batch")
        return Dataset("cifar10", np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts]),
                       xs, ys, CIFAR)
    return None


def load_cifar10() -> Dataset:
    cached = _cifar_from_cache()
    if cached is not None:
        return cached
    where = keras_cache_dir() / CIFAR_DIRS[0]
    (xt, yt), (xs, ys) = _download("cifar10", "CIFAR-10", f"{where}/ (the extracted python batches data_batch_1 "
                                   f"... data_batch_5 and test_batch, from cifar-10-python.tar.gz)")
    return Dataset("cifar10", xt, yt.reshape(-1), xs, ys.reshape(-1), CIFAR)


def load_gate(gate: str) -> Dataset:
    n, col = GATES[gate]
    x = binary_rows(n).astype(np.float32)
    y = np.array(col, dtype=np.float32).reshape(-1, 1)
    return Dataset(f"gate-{gate}", x, y, x.copy(), y.copy(), ("0", "1"), binary=True)


REGISTRY: dict[str, DatasetSpec] = {s.key: s for s in [
    DatasetSpec("mnist-sample", "MNIST sample (built in)", "10,000 training + 2,000 test handwritten digits, "
                "28x28 grey; ships with the app.", load_mnist_sample, True, DIGITS),
    DatasetSpec("mnist", "MNIST", "60,000 + 10,000 digits 28x28; from the Keras cache or downloaded.", load_mnist,
                False, DIGITS),
    DatasetSpec("fashion-mnist", "Fashion-MNIST", "60,000 + 10,000 clothing images 28x28; cache or download.",
                load_fashion, False, FASHION),
    DatasetSpec("cifar10", "CIFAR-10", "50,000 + 10,000 colour images 32x32x3 in 10 classes; cache or download.",
                load_cifar10, False, CIFAR),
    *[DatasetSpec(f"gate-{g}", f"{g.upper()} truth table", f"{2 ** n} rows of {n} bits -> {g.upper()}",
                  (lambda g=g: load_gate(g)), True, ("0", "1")) for g, (n, _) in GATES.items()],
]}


def load(name: str, image_shape: tuple[int, ...] | None = None) -> Dataset:
    """A registry dataset by key, or a user file/folder path. ``image_shape``: the model's Input, where an image
    folder's images are each resized straight to it when it is an image (see ``load_image_folder``)."""
    if name in REGISTRY:
        return REGISTRY[name].loader()
    path = Path(name)
    try:
        there = path.exists()
    except OSError as exc:  # a name too long for the system (ENAMETOOLONG): it escaped the data box's showEvent,
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise DatasetError(f"{shown}: {exc.strerror or exc} (the system could not look this path up).") from None
    if there:  # and the app crashed
        return load_file(path, image_shape)
    raise DatasetError(f"Unknown dataset {name!r}. Known: {', '.join(REGISTRY)}; or give a .npz, .csv or "
                       f"image-folder path.")


def load_file(path: str | Path, image_shape: tuple[int, ...] | None = None) -> Dataset:
    path = Path(path)
    if path.is_dir():
        return load_image_folder(path, image_shape)
    if path.suffix.lower() == ".npz":  # (digits.NPZ: the data box takes it, as the file dialogs do)
        return load_npz(path)
    if path.suffix.lower() == ".csv":
        return load_csv(path)
    raise DatasetError(f"{path.name}: datasets are read from .npz, .csv or a folder of class sub-folders.")


def _labels(y: np.ndarray, where: str) -> tuple[np.ndarray, tuple[str, ...]]:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)) or np.any(y < 0) or \
            np.any(y != np.round(y)):
        shown = y[~np.isfinite(y)][:5] if np.issubdtype(y.dtype, np.number) and not np.all(np.isfinite(y)) \
            else y[:5]
        raise DatasetError(f"{where}: labels must be whole numbers >= 0 (class indices); received "
                           f"values like {shown.tolist()}.")
    top = int(y.max()) if len(y) else -1
    if top >= limits.MAX_CLASSES:
        raise DatasetError(f"{where}: the label {top:,} would mean {top + 1:,} classes; at most "
                           f"{limits.MAX_CLASSES:,} are supported (labels are class indices 0, 1, 2 ...).")
    y = y.astype(np.int64)
    return y, tuple(str(i) for i in range(top + 1))


NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_npz(path: Path, keys: tuple[str, ...] = NPZ_KEYS) -> tuple[dict[str, np.ndarray], set[str]]:
    """(the numeric arrays ``keys`` that are present, every array name in the file) of an .npz, every size
    checked before anything is read.

    Never unpickles; refuses encrypted or exotic zips, members over the limits, headers whose shape
    disagrees with the data, and arrays that would not fit in memory (the message gives both figures).
    """
    with open_zip(path, DatasetError, ".npz file", max_file=limits.MAX_DATASET_FILE,
                  max_member=limits.MAX_DATASET_FILE, max_total=limits.MAX_DATASET_FILE) as zf:
        members = {m.removesuffix(".npy"): m for m in zf.namelist() if m.endswith(".npy")}
        present = [k for k in keys if k in members]
        total = 0
        for k in present:
            shape, dtype = npy_header(zf, members[k], path.name, DatasetError)
            total += math.prod(shape) * max(dtype.itemsize, 4)  # they become float32 for training
        limits.require(total * 2, f"The dataset {path.name}", "to load and scale", None)
        return {k: read_npy(zf, members[k], path.name, DatasetError) for k in present}, set(members)


def load_npz(path: Path) -> Dataset:
    arr, keys = read_npz(path)
    if not {"x_train", "y_train"} <= keys:
        raise DatasetError(f"{path.name} must contain x_train and y_train (and optionally x_test, y_test); "
                           f"it has {', '.join(sorted(keys)) or 'no arrays'}.")
    _check_arrays("npz", arr["x_train"], arr["y_train"], path.name)
    y_train, names = _labels(arr["y_train"], f"{path.name} y_train")
    x_test = y_test = None
    if "x_test" in arr and "y_test" in arr:
        _check_arrays("npz", arr["x_test"], arr["y_test"], path.name)
        y_test, names2 = _labels(arr["y_test"], f"{path.name} y_test")
        names = names if len(names) >= len(names2) else names2
        x_test = arr["x_test"]
        if x_test.shape[1:] != arr["x_train"].shape[1:]:
            raise DatasetError(f"{path.name}: x_test examples are {x_test.shape[1:]} but x_train examples are "
                               f"{arr['x_train'].shape[1:]}.")
    return Dataset(path.stem, arr["x_train"], y_train, x_test, y_test, names)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# parsing holds each number as float64 while numpy's buffer grows: 10.8-10.9 bytes a number for two million of
# them, measured with tracemalloc (tests/backend/test_hostile_data.py holds it under 16), plus the pieces read
# (1 MiB) and numpy's own buffers within the 4 MiB; 24 leaves room for what the next steps copy
CSV_BYTES_PER_VALUE, CSV_OVERHEAD = 24, 4 * 2 ** 20


def load_csv(path: Path) -> Dataset:
    """``label,pixel0,...`` rows, with or without a header line (and with or without a UTF-8 BOM);
    square images are reshaped. Its numbers are counted first (commas and line ends, read in pieces) and must fit
    in memory as they are parsed: the file's size said too little ("0,1" lines took 25 times it)."""
    with open_regular(path, DatasetError, "a CSV file", limits.MAX_DATASET_FILE) as fh:
        values, at, utf8 = 1, 0, codecs.getincrementaldecoder("utf-8-sig")()
        try:
            for piece in iter(lambda: fh.read(1 << 20), b""):
                # a line ends at "\n", "\r\n" or a bare "\r" (NumPy's too: 100 MB of "0\r" was counted as one)
                values += piece.count(b",") + piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")
                utf8.decode(piece)  # (here, where the byte's place in the file is known)
                at += len(piece)
            utf8.decode(b"", final=True)
            fh.seek(0)
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {at + exc.start:,}).") from None
        except OSError as exc:
            raise DatasetError(f"{path.name} cannot be read ({exc.strerror}).") from None
        limits.require(values * CSV_BYTES_PER_VALUE + CSV_OVERHEAD, f"The dataset {path.name} ({values:,} numbers)",
                       "to parse")
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")  # -sig: a BOM is not part of the first label
        try:
            first = text.readline()
            skip = 0 if first and _is_number(first.split(",")[0].strip()) else 1
            text.seek(0)
            data = np.loadtxt(text, delimiter=",", ndmin=2, dtype=np.float64, skiprows=skip)
        except OSError as exc:
            raise DatasetError(f"{path.name} cannot be read ({exc.strerror}).") from None
        except ValueError as exc:
            raise DatasetError(f"{path.name}: every row must be label,pixel0,pixel1,... numbers "
                               f"({str(exc).splitlines()[0][:200]}).") from None
    if data.shape[1] < 2 or len(data) == 0:
        raise DatasetError(f"{path.name}: expected label,pixel0..pixelN columns; found "
                           f"{count(data.shape[1], 'column')}.")
    y, names = _labels(data[:, 0], path.name)
    x = data[:, 1:]
    _check_arrays("csv", x, y, path.name)
    if x.max() > 1.0 and _whole(x):  # pixels 0-255: one byte each (clipped in place, no float copy)
        x = np.clip(x, 0, 255, out=x).astype(np.uint8)
    side = math.isqrt(x.shape[1])
    if side * side == x.shape[1]:
        x = x.reshape(-1, side, side)
    return Dataset(path.stem, x, y, None, None, names)


def _whole(x: np.ndarray) -> bool:
    """Every value a whole number, checked a million at a time (np.round(x) whole was another float64 copy)."""
    step = max(1, 1_000_000 // max(1, x.shape[1]))
    return all(np.all(x[i:i + step] == np.round(x[i:i + step])) for i in range(0, len(x), step))


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")  # what keras.utils.image_dataset_from_directory reads
# The decoders Pillow may use, whatever a file's name: Pillow tells a format by the file's first bytes, so an EPS
# named 0.png was handed to Ghostscript (an interpreter that runs the file); these four decode pixels only
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF")


def _inside(p: Path, root: Path) -> Path:
    """``p``, refused by name when it is a link that leads out of the chosen folder ``root``: a folder is data
    from that folder (a class folder linked to another folder, or cats/x.png to a private file, was read)."""
    try:
        target = p.resolve()
    except (RuntimeError, OSError) as exc:  # a link to itself: Python's resolve raises RuntimeError, not OSError
        raise DatasetError(f"{p} is a link that leads nowhere readable ({str(exc)[:80] or 'a loop'}); remove it from "
                           f"the folder.") from None
    if not target.is_relative_to(root.resolve()):
        raise DatasetError(f"{p} is a link to {target}, outside the folder you chose ({root.name}); copy the "
                           f"images into it instead.")
    return p


def _image_files(folder: Path) -> list[Path]:
    """Image files of one class folder in name order; hidden files (.DS_Store, ._x.png) and other kinds skipped."""
    return sorted(_inside(f, folder.parent) for f in folder.iterdir() if not f.name.startswith(".")
                  and f.suffix.lower() in IMAGE_SUFFIXES and not f.is_dir())


def _open_image(f: Path):
    """A Pillow image, opened lazily (size known, pixels not yet decoded), or DatasetError naming the file.

    The file's size and the image's header come first: a file larger than any image of the allowed size
    could be (a 6 GB sparse ``big.png``) is refused without reading it, and the sides are read from the
    header before a byte of pixel data is."""
    from PIL import Image  # noqa: PLC0415

    def opened(stream):
        """Pillow's lazy open (header only) under the decompression-bomb guard; one line for a bad image."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                return Image.open(stream, formats=IMAGE_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DatasetError(f"{f}: the image is too large to decode safely (Pillow's decompression-bomb "
                               f"guard); images may be at most {limits.MAX_IMAGE_SIDE} pixels a side.") from None
        except Image.UnidentifiedImageError:
            raise DatasetError(f"{f} is not a PNG, JPEG, BMP or GIF image (whatever its name says); remove it "
                               f"from the folder.") from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise DatasetError(f"{f} is not an image this app can read ({str(exc)[:120]}); remove it from the "
                               f"folder.") from None

    with open_regular(f, DatasetError, "an image", limits.MAX_IMAGE_FILE) as fh:
        w, h = opened(fh).size  # reads the header only
        if max(w, h) > limits.MAX_IMAGE_SIDE:
            raise DatasetError(f"{f} is {w}x{h} pixels; images may be at most {limits.MAX_IMAGE_SIDE} pixels a "
                               f"side.")
        if w * h > 1 << 22:  # decoding, converting and resizing hold about three copies at 4 bytes a pixel: each
            limits.require(w * h * 12, f"{f} ({w}x{h} pixels)", "to decode and resize", None)  # large image checked
        fh.seek(0)  # (the folder's check counts every image at the first one's size: 8192x8192s behind a 1x1)
        data = fh.read()
    return opened(io.BytesIO(data))


def image_input(shape) -> tuple[int, int, int] | None:
    """``shape`` as (height, width, channels) where it is an image Input (1 or 3 channels), else None."""
    shape = tuple(shape or ())
    return shape if len(shape) == 3 and shape[-1] in (1, 3) and all(isinstance(n, int) and n > 0
                                                                     for n in shape) else None


def load_image_folder(path: Path, image_shape: tuple[int, ...] | None = None) -> Dataset:
    """One sub-folder per class. With an image Input's ``image_shape``, every image is resized straight to its
    height and width (bilinear, as Keras does) and made grey or colour as its channels say: one resampling,
    whatever each image's own size (a folder whose first file was an 8x8 thumbnail had every photo cut to 8x8,
    then blown up to the Input). Without one (a look at the folder), every image takes the first one's size and
    greyness. Hidden files are skipped; a broken image is named."""
    classes = folder_classes(path)
    if len(classes) < 2:
        raise DatasetError(f"{path} needs one sub-folder per class (at least two); found {len(classes)}.")
    files = [(i, f) for i, c in enumerate(classes) for f in _image_files(path / c)]
    if not files:
        raise DatasetError(f"{path}: the class folders contain no images ({', '.join(IMAGE_SUFFIXES)}).")
    from PIL import Image  # noqa: PLC0415
    first = _open_image(files[0][1])
    if (target := image_input(image_shape)) is not None:
        (h, w, c) = target
        grey = c == 1
    else:
        w, h = first.size
        grey = first.mode in ("L", "1", "I", "I;16", "F", "LA")
    channels = 1 if grey else 3
    limits.require(len(files) * w * h * channels * 5, f"The image folder {path.name} ({len(files):,} images of "
                   f"{w}x{h})", "to load and scale", None)  # uint8 + float32 copies
    x = np.empty((len(files), h, w) if grey else (len(files), h, w, 3), dtype=np.uint8)
    for k, (_, f) in enumerate(files):
        img = first if k == 0 else _open_image(f)
        try:
            img = img.convert("L" if grey else "RGB")
            if img.size != (w, h):
                img = img.resize((w, h), Image.BILINEAR)
            x[k] = np.asarray(img, dtype=np.uint8)
        except (OSError, ValueError, SyntaxError) as exc:
            raise DatasetError(f"{f} is damaged or not an image ({str(exc)[:120]}); remove it from the folder.") \
                from None
    y = np.array([i for i, _ in files], dtype=np.int64)
    train, test = split_folder(y)
    return Dataset(path.name, x[train], y[train], x[test] if len(test) else None, y[test] if len(test) else None,
                   tuple(classes), images=True)


TEST_EVERY = 5  # an image folder holds out every 5th image of a class (20 %) as its test split


def split_folder(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices of class-sorted labels ``y``: every ``TEST_EVERY``-th image of a class with at least
    ``TEST_EVERY`` images is held out for the test split (per-class results); the training indices take the
    classes in turn (no RNG: the same folder gives the same order), so Keras' validation split, the last
    fraction of the training set, holds every class rather than only the last one."""
    per_class: list[list[int]] = []
    test: list[int] = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c).tolist()
        if len(idx) >= TEST_EVERY:
            test += idx[TEST_EVERY - 1::TEST_EVERY]
            idx = [i for k, i in enumerate(idx) if (k + 1) % TEST_EVERY]
        per_class.append(idx)
    train = [idx[k] for k in range(max(map(len, per_class), default=0)) for idx in per_class if k < len(idx)]
    return np.array(train, dtype=np.int64), np.array(sorted(test), dtype=np.int64)


@dataclass
class FolderClass:
    """One class of an image folder as the data box shows it: its name, how many images, a few examples."""

    name: str
    count: int
    examples: list[np.ndarray]


def folder_classes(path: str | Path) -> list[str]:
    """The class names of an image folder: its sub-folders, hidden ones left out, sorted (as Keras orders them)."""
    return sorted(_inside(p, Path(path)).name for p in Path(path).iterdir() if p.is_dir() and not p.name.startswith("."))


def folder_summary(path: str | Path, per_class: int = 4,
                   max_classes: int | None = None) -> tuple[list[FolderClass], tuple[int, int], bool]:
    """(classes, (width, height) of the first image, grey?) of an image folder, decoding only ``per_class``
    images of each of the first ``max_classes`` classes (the others are counted), JPEGs at a reduced scale:
    a preview of a large folder decodes a handful of images; DatasetError as ``load`` would."""
    path = Path(path)
    classes = folder_classes(path)
    if len(classes) < 2:
        raise DatasetError(f"{path} needs one sub-folder per class (at least two); found {len(classes)}.")
    out, first = [], None
    for k, c in enumerate(classes):
        files = _image_files(path / c)
        examples = []
        shown = per_class if max_classes is None or k < max_classes or first is None else 0
        for f in files[:shown]:
            img = _open_image(f)
            if first is None:
                first = img.size, img.mode in ("L", "1", "I", "I;16", "F", "LA")
            try:
                img.draft("L" if first[1] else "RGB", (96, 96))  # JPEG: decode at 1/2 .. 1/8 scale
                img = img.convert("L" if first[1] else "RGB")
                img.thumbnail((48, 48))
                examples.append(np.asarray(img, dtype=np.uint8))
            except (OSError, ValueError, SyntaxError) as exc:
                raise DatasetError(f"{f} is damaged or not an image ({str(exc)[:120]}); remove it from the "
                                   f"folder.") from None
        out.append(FolderClass(c, len(files), examples))
    if first is None:
        raise DatasetError(f"{path}: the class folders contain no images ({', '.join(IMAGE_SUFFIXES)}).")
    return out, first[0], first[1]


def resize_images(x: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """uint8 images (N, H, W[, 3]) resized (bilinear, as Keras' image loader) to an image Input (h, w, c):
    grey becomes RGB by repeating it, RGB becomes grey by luminance. Returns ``x`` itself when it fits."""
    h, w, c = input_shape
    grey = x.ndim == 3
    if x.shape[1:3] == (h, w) and (c == 1) == grey:
        return x
    from PIL import Image  # noqa: PLC0415
    limits.require(len(x) * h * w * c * 5, f"The images resized to {h}x{w}x{c}", "to resize", None)
    out = np.empty((len(x), h, w) if c == 1 else (len(x), h, w, 3), dtype=np.uint8)
    for k, a in enumerate(x):
        img = Image.fromarray(a, "L" if grey else "RGB").convert("L" if c == 1 else "RGB")
        out[k] = np.asarray(img.resize((w, h), Image.BILINEAR) if img.size != (w, h) else img, dtype=np.uint8)
    return out


def resize_note(example_shape: tuple[int, ...], input_shape: tuple[int, ...]) -> str:
    """One line on how an image folder's images reach the Input (for the data box)."""
    h, w = example_shape[:2]
    colour = "grey" if len(example_shape) == 2 else "colour"
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        return (f"The images are {w}x{h} {colour}; the Input {'x'.join(map(str, input_shape))} is not an image "
                f"(height x width x 1 or 3 channels), so they are only reshaped if the sizes match.")
    ih, iw, ic = input_shape
    chan = "" if (ic == 1) == (colour == "grey") else (" and made colour (grey copied to R, G, B)" if ic == 3
                                                     else " and made grey (luminance)")
    return (f"Each image (the first is {w}x{h} {colour}) is resized (bilinear) from its own size, where it differs, to "
            f"the Input's {iw}x{ih}{chan}, scaled to [0, 1].")  # (only the first is known here: "kept at" was a guess)


# ------------------------------------------------------------------ fitting data to a model


@dataclass
class Prepared:
    """Arrays ready for ``model.fit``: scaled to [0, 1], reshaped to the Input, labels as the loss needs."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    loss: str
    metrics: list[str]
    class_names: tuple[str, ...]


def fit_x(x: np.ndarray, input_shape: tuple[int, ...], dataset: str) -> np.ndarray:
    """Scale and reshape examples to ``input_shape``; DatasetError names both shapes if impossible."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        x = x.astype(np.float32) / 255.0
    else:
        x = x.astype(np.float32)
        if x.size and x.max() > 1.0:
            x = x / 255.0
    example = x.shape[1:]
    if example == tuple(input_shape):
        return x
    if math.prod(example) == math.prod(input_shape) and (
            len(input_shape) == 1 or example + (1,) == tuple(input_shape) or len(example) == 1):
        return x.reshape((len(x),) + tuple(input_shape))
    raise DatasetError(f"{dataset} examples are {'x'.join(map(str, example))} but the model's Input expects "
                       f"{'x'.join(map(str, input_shape))}; change the Input to "
                       f"{'x'.join(map(str, example + ((1,) if len(example) == 2 else ())))} or pick another dataset.")


def one_hot(y: np.ndarray, k: int) -> np.ndarray:
    """Class indices as float32 rows of ``k`` with a 1 at each index (no k x k identity made on the way)."""
    out = np.zeros((len(y), k), np.float32)
    out[np.arange(len(y)), y] = 1.0
    return out


def prepare(ds: Dataset, input_shape: tuple[int, ...], output_units: int, loss: str = "auto",
            whole: bool = True) -> Prepared:
    """Fit a dataset to a model with the given Input shape and number of output units (an image folder's
    images are resized to an image Input first: ``resize_images``). ``whole=False``: ``ds`` is a few rows
    taken to check the shapes, so what its labels hold says nothing about the classes."""
    if ds.images and len(input_shape) == 3 and input_shape[-1] in (1, 3):
        ds = Dataset(ds.name, resize_images(ds.x_train, input_shape), ds.y_train,
                     None if ds.x_test is None else resize_images(ds.x_test, input_shape), ds.y_test,
                     ds.class_names, ds.binary, ds.images)
    if ds.binary:
        if output_units != ds.y_train.shape[1]:
            raise DatasetError(f"{ds.name} has {count(ds.y_train.shape[1], 'target column')} but the model outputs "
                               f"{count(output_units, 'value')}.")
        loss = "binary_crossentropy" if loss == "auto" else loss
        metrics = ["binary_accuracy" if loss != "mse" else "mae"]
        no_test = ds.x_test is None  # the data box checks a two-row sample with no test split
        return Prepared(fit_x(ds.x_train, input_shape, ds.name), ds.y_train.astype(np.float32),
                        None if no_test else fit_x(ds.x_test, input_shape, ds.name),
                        None if no_test else ds.y_test.astype(np.float32), loss, metrics, ds.class_names)
    present = np.unique(ds.y_train)
    if whole and len(present) < 2:
        raise DatasetError(f"{ds.name} has examples of one class only (label {present[0] if len(present) else '?'}, "
                           f"{count(len(ds.y_train), 'example')}); a classifier "
                           f"learns to tell classes apart, so it needs examples of at least two classes "
                           f"(labels 0 and 1).")
    if output_units != ds.num_classes:
        raise DatasetError(f"{ds.name} has {ds.num_classes} classes but the model's output layer has "
                           f"{count(output_units, 'unit')}; {head_advice(ds.num_classes)}")
    loss = "sparse_categorical_crossentropy" if loss == "auto" else loss
    y_train, y_test = ds.y_train.astype(np.int64), None if ds.y_test is None else ds.y_test.astype(np.int64)
    if loss in ("categorical_crossentropy", "mse"):  # one-hot rows: counted first (a 2 MB file of 4,000 classes
        k, rows = ds.num_classes, len(y_train) + (0 if y_test is None else len(y_test))  # made 4 GB unchecked)
        limits.require(rows * k * limits.BYTES_PER_VALUE, f"Turning {ds.name}'s labels into one-hot rows for {loss} "
                       f"({rows:,} rows x {k:,} classes)", "of memory")
        y_train, y_test = one_hot(y_train, k), None if y_test is None else one_hot(y_test, k)
        metrics = ["categorical_accuracy"]
    else:
        metrics = ["sparse_categorical_accuracy"]
    x_test = None if ds.x_test is None else fit_x(ds.x_test, input_shape, ds.name)
    return Prepared(fit_x(ds.x_train, input_shape, ds.name), y_train, x_test, y_test, loss, metrics, ds.class_names)
