"""The one gate every HDF5 file (``.h5``, a ``.keras`` archive's ``model.weights.h5``) passes before any data is read.

HDF5 can make a reader open other files: a dataset's *external storage* names raw files whose bytes become
the data (``/etc/passwd`` as a Dense kernel), an *external link* names another HDF5 file (or a FIFO, which
blocks forever), a *virtual dataset* maps other files' datasets, and soft links can loop. ``open_h5`` walks
every link and dataset header first (no data is read) and refuses all of these, datasets that are not plain
numbers (strings, compound records, object references), filters outside HDF5's and h5py's built-ins (HDF5
would look for a plugin to load), and declared sizes beyond the limits. Only then does the caller read.

Nothing else in the app opens an HDF5 file with h5py (``tests/core/test_hdf5_gate.py`` checks the sources).
"""

from __future__ import annotations

import io
import math
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from . import limits
from .errors import PlaygroundError
from .files import fmt_bytes, fmt_over, open_regular

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_LINKS = 1_000_000  # links walked in one file; Keras' largest application models have a few thousand
MAX_ATTR_BYTES = limits.MAX_MODEL_CONFIG
# Data a file may declare beyond what it stores: a chunked dataset whose chunks were never written reads as its
# fill value, so a 13 KB file declared 3.99 GB that Keras then read in full. Keras writes weights uncompressed
# (declared = stored); built-in compression of weights stays far below this ratio.
DECLARED_PER_STORED = 64
DECLARED_FLOOR = 64 * 2 ** 20
NUMERIC_KINDS = "biuf"
# deflate, shuffle, fletcher32, szip, nbit, scale-offset (HDF5's own) and lzf (built into h5py): no plugin loads
BUILTIN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})


def _short(name: str) -> str:
    return name if len(name) <= 120 else name[:117] + "..."


@contextmanager
def open_h5(path: Path, error: type[PlaygroundError], what: str = "a model file",
            max_size: int = limits.MAX_MODEL_FILE) -> Iterator:
    """An ``h5py.File`` over the regular file ``path``, opened read-only after ``check_h5`` passed."""
    path = Path(path)
    with open_regular(path, error, what, max_size) as fh:
        if fh.read(8) != HDF5_MAGIC:
            raise error(f"{path.name} is not an HDF5 file (it does not start with the HDF5 signature).")
        fh.seek(0)
        with open_h5_object(fh, path.name, error) as f:
            yield f


@contextmanager
def open_h5_object(fileobj: IO[bytes], name: str, error: type[PlaygroundError]) -> Iterator:
    """An ``h5py.File`` over an open binary file object (a file, a zip member), checked by ``check_h5``.

    h5py reads through the object, so HDF5 never reopens the file by name."""
    import h5py  # noqa: PLC0415
    try:
        f = h5py.File(fileobj, "r")
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise error(f"{name} is damaged or truncated: h5py says {_short(str(exc))}.") from None
    with f:
        check_h5(f, name, error)
        yield f


class _Window(io.RawIOBase):
    """Bytes ``start`` to ``start + size`` of an open file, seekable in place (a stored zip member: Python's own
    member reader re-reads from the start on every backward seek, and h5py seeks back and forth)."""

    def __init__(self, fh, start: int, size: int):
        super().__init__()
        self.fh, self.start, self.size, self.pos = fh, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.pos, 2: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buf) -> int:
        n = max(0, min(len(buf), self.size - self.pos))
        if n == 0:
            return 0
        self.fh.seek(self.start + self.pos)
        data = self.fh.read(n)
        buf[:len(data)] = data
        self.pos += len(data)
        return len(data)


@contextmanager
def open_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, error: type[PlaygroundError]) -> Iterator:
    """An ``h5py.File`` over a zip member (a ``.keras`` archive's weights), checked by ``check_h5`` first. The
    member's declared size must have been checked already (``safe_files.open_zip``)."""
    if info.compress_type == zipfile.ZIP_STORED:
        fp = zf.fp
        fp.seek(info.header_offset)
        head = fp.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise error(f"{name} is damaged (its zip entry has no local header).")
        start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30],
                                                                                                "little")
        member = io.BufferedReader(_Window(fp, start, info.file_size), buffer_size=1 << 16)
        with open_h5_object(member, name, error) as f:
            yield f
        return
    with zf.open(info) as member, open_h5_object(member, name, error) as f:
        yield f


def check_h5(f, name: str, error: type[PlaygroundError]) -> None:
    """Refuse everything that would make reading ``f`` touch another file, loop, or run a plugin (module doc).

    Walked with h5py's low-level calls: one link iteration per group gives every link's kind and (hard links)
    object address, and each object is opened once by address; nothing is resolved through a link before its
    kind is known, and no data is read."""
    import h5py  # noqa: PLC0415
    from h5py import h5i, h5l, h5o  # noqa: PLC0415
    softs: list[tuple[object, bytes, str]] = []
    seen: set = set()
    total = 0
    try:
        stored = f.id.get_filesize()
    except (RuntimeError, OSError, ValueError, AttributeError):
        stored = 0
    cap = min(limits.MAX_MODEL_FILE, max(DECLARED_PER_STORED * stored, DECLARED_FLOOR))
    stack = [(f.id, "")]
    count = 0
    try:
        while stack:
            gid, where = stack.pop()
            links: list[tuple[bytes, int, object]] = []
            # h5py hands the callback one LinkInfo object that it reuses: copy its fields at once
            gid.links.iterate(lambda key, info: links.append((key, info.type, info.u)), info=True)
            for key, kind, address in links:
                count += 1
                if count > MAX_LINKS:
                    raise error(f"{name} holds over {MAX_LINKS:,} objects; at most that many are read.")
                path = f"{where}/{key.decode('utf-8', 'replace')}"
                if kind == h5l.TYPE_EXTERNAL:
                    target = gid.links.get_val(key)[0]
                    target = target.decode("utf-8", "replace") if isinstance(target, bytes) else str(target)
                    raise error(f"{name}: {_short(path)!r} is an external link to {_short(target)!r}; "
                                f"a model file must hold its own data, so it is refused.")
                if kind == h5l.TYPE_SOFT:
                    softs.append((gid, key, path))
                    continue
                if kind != h5l.TYPE_HARD:
                    raise error(f"{name}: {_short(path)!r} is a link of an unknown kind; refused.")
                if address in seen:
                    continue  # a second hard link to an object already checked (or a loop back to a group)
                seen.add(address)
                obj = h5o.open(gid, key)
                what = h5i.get_type(obj)
                if what == h5i.GROUP:
                    stack.append((obj, path))
                elif what == h5i.DATASET:
                    total += _check_dataset(obj, path, name, error)
                    if total > limits.MAX_MODEL_FILE:
                        raise error(f"{name}: its datasets declare over {fmt_bytes(total)} of data; at most "
                                    f"{fmt_bytes(limits.MAX_MODEL_FILE)} is read.")
                    if total > cap:
                        raise error(f"{name}: its datasets declare over {fmt_bytes(total)} of data in a file of "
                                    f"{fmt_bytes(stored)}: data a file declares without storing it (chunks never "
                                    f"written) is refused.")
                # a committed datatype holds no data: nothing to check
        # external links are ruled out now, so resolving a soft link cannot leave the file
        for gid, key, path in softs:
            try:
                target = h5py.Group(gid).get(key.decode("utf-8", "surrogateescape"))
            except (RuntimeError, KeyError, OSError, ValueError) as exc:
                raise error(f"{name}: the soft link {_short(path)!r} loops or points nowhere "
                            f"({_short(str(exc))}); refused.") from None
            if target is None:
                raise error(f"{name}: the soft link {_short(path)!r} points nowhere; refused.")
    except PlaygroundError:
        raise
    except (RuntimeError, KeyError, OSError, ValueError, TypeError) as exc:
        raise error(f"{name} is damaged: h5py says {_short(str(exc))}.") from None


def _check_dataset(ds, path: str, name: str, error: type[PlaygroundError]) -> int:
    """Refuse a dataset (its low-level id) stored outside the file, virtual, non-numeric or filtered by a
    plugin; its bytes."""
    import h5py  # noqa: PLC0415
    where = f"{name}: dataset {_short(path)!r}"
    plist = ds.get_create_plist()
    if plist.get_external_count() > 0:
        target = plist.get_external(0)[0]
        target = target.decode("utf-8", "replace") if isinstance(target, bytes) else str(target)
        raise error(f"{where} keeps its data in another file ({_short(target)!r}, HDF5 external storage); "
                    f"a model file must hold its own data, so it is refused.")
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        raise error(f"{where} is a virtual dataset (its data lives in other files); refused.")
    for i in range(plist.get_nfilters()):
        code = plist.get_filter(i)[0]
        if code not in BUILTIN_FILTERS:
            raise error(f"{where} is compressed with HDF5 filter {code}, which is not built in (HDF5 would load a "
                        f"plugin); refused.")
    dtype = ds.dtype
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in NUMERIC_KINDS or dtype.subdtype:
        raise error(f"{where} has dtype {str(dtype)[:60]!r}; weights are numbers (bool, integers or floats), "
                    f"not text, records or references.")
    shape = ds.shape
    if shape is None:
        return 0
    return math.prod(shape) * dtype.itemsize


def attr_size(obj, key: str) -> tuple[int, tuple | None]:
    """(stored bytes, shape) of an attribute, read from its header (its value is not read)."""
    import h5py  # noqa: PLC0415
    attr = h5py.h5a.open(obj.id, key.encode("utf-8"))
    return _attr_bytes(attr), attr.shape


def _attr_bytes(attr) -> int:
    """Stored bytes of an attribute (HDF5 reports an error, not 0, for an empty one: its shape says 0 then)."""
    declared = math.prod(attr.shape or ()) * attr.dtype.itemsize
    try:
        return max(attr.get_storage_size(), declared)
    except (RuntimeError, OSError, ValueError):
        return declared


def read_attr(obj, key: str, name: str, error: type[PlaygroundError], max_bytes: int = MAX_ATTR_BYTES):
    """An attribute's value, its stored size checked first (None if absent)."""
    import h5py  # noqa: PLC0415
    if key not in obj.attrs:
        return None
    try:
        attr = h5py.h5a.open(obj.id, key.encode("utf-8"))
        size = _attr_bytes(attr)
        if size > max_bytes:
            size_text, most = fmt_over(size, max_bytes)
            raise error(f"{name}: the attribute {key!r} is {size_text}; at most {most} is read.")
        return obj.attrs[key]
    except PlaygroundError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        raise error(f"{name}: the attribute {key!r} cannot be read ({_short(str(exc))}).") from None


def read_dataset(group, path: str, name: str, error: type[PlaygroundError], expect: tuple | None = None,
                 whose: str = "the layer"):
    """The array at ``path`` in a checked file; a missing dataset (or a group there), or one whose shape is not
    ``expect`` (checked from its header, before its data is read), is ``error``."""
    import h5py  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415
    try:
        obj = group.get(path)
    except (RuntimeError, KeyError, OSError, ValueError) as exc:
        raise error(f"{name}: {_short(path)!r} cannot be read ({_short(str(exc))}).") from None
    if not isinstance(obj, h5py.Dataset):
        raise error(f"{name}: the weight {_short(path)!r} is listed but not in the file.")
    if expect is not None and tuple(obj.shape or ()) != tuple(expect):
        raise error(f"{name}: weight {_short(path)!r} has shape {tuple(obj.shape or ())}, but {whose} needs "
                    f"{tuple(expect)}.")
    try:
        return np.asarray(obj)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise error(f"{name}: the weight {_short(path)!r} is damaged ({_short(str(exc))}).") from None
