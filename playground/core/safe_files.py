"""Archives and arrays from untrusted files, checked before anything is unpacked or allocated.

- zip (``.keras``, ``.npz``): every member's declared size, compression method and encryption flag are
  read from the central directory first; a member that would inflate past a limit, is encrypted, uses a
  method other than stored/deflate, or declares more data than deflate can produce from its bytes is refused.
- ``.npy`` members: the header (dtype, shape) is read first; pickles, strings, structured and 0-d arrays
  are refused, and a shape whose bytes disagree with the member's declared size (a header claiming
  313 GB in a 1 KB file) is refused before numpy allocates.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import PlaygroundError
from .files import fmt_bytes, fmt_over, open_regular

ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
DEFLATE_MAX_RATIO = 1100  # deflate cannot expand more than ~1032:1; a larger claim is a lie or a bomb
MAX_ZIP_MEMBERS = 100_000
NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float


@contextmanager
def open_zip(path: Path, error: type[PlaygroundError], what: str, *, max_file: int, max_member: int,
             max_total: int) -> Iterator[zipfile.ZipFile]:
    """A checked ``ZipFile`` over a regular file (see the module doc); ``error`` carries every message."""
    path = Path(path)
    with open_regular(path, error, what, max_file) as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                NotImplementedError) as exc:
            raise error(f"{path.name} is not a valid {what} (not a complete zip archive: {exc}).") from None
        with zf:
            check_zip_directory(zf, path.name, error, size, max_member=max_member, max_total=max_total)
            yield zf


def check_zip_directory(zf: zipfile.ZipFile, name: str, error: type[PlaygroundError], file_size: int, *,
                        max_member: int, max_total: int) -> None:
    """Refuse encrypted members, unknown methods, and declared sizes over the limits or beyond the data."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise error(f"{name} holds {len(infos):,} files; at most {MAX_ZIP_MEMBERS:,} are read.")
    total = 0
    for info in infos:
        member = f"{name}: {info.filename!r:.80}"
        if info.flag_bits & 0x1:
            raise error(f"{member} is encrypted; encrypted archives are not read.")
        if info.compress_type not in ZIP_METHODS:
            raise error(f"{member} uses compression method {info.compress_type}; only stored and deflate "
                        f"archives are read.")
        if info.file_size > max_member:
            size, most = fmt_over(info.file_size, max_member)
            raise error(f"{member} would unpack to {size}; at most {most} per file is read.")
        total += info.file_size
        if total > max_total:
            raise error(f"{name} would unpack to over {fmt_bytes(total)}; at most {fmt_bytes(max_total)} is read.")
        if info.header_offset + info.compress_size > file_size:
            raise error(f"{member} declares more data than the file holds; the archive is truncated.")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise error(f"{member} declares {info.file_size:,} bytes but stores {info.compress_size:,}; "
                        f"the archive is damaged.")
        if info.compress_type == zipfile.ZIP_DEFLATED and \
                info.file_size > DEFLATE_MAX_RATIO * max(info.compress_size, 1) + 1024:
            raise error(f"{member} declares {fmt_bytes(info.file_size)} from {fmt_bytes(info.compress_size)} of "
                        f"data, more than deflate can produce; the archive is damaged or a zip bomb.")


def read_member(zf: zipfile.ZipFile, member: str, name: str, error: type[PlaygroundError]) -> bytes:
    """A member's bytes (its declared size was checked by ``open_zip``); damage becomes ``error``."""
    try:
        return zf.read(member)
    except KeyError:
        raise error(f"{name} has no {member!r}.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise error(f"{name}: {member!r} is damaged or truncated ({exc}).") from None


def npy_header(zf: zipfile.ZipFile, member: str, name: str, error: type[PlaygroundError]) \
        -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) of an ``.npy`` member, read from its header only; non-numeric arrays refused."""
    where = f"{name}: {member.removesuffix('.npy')!r}"
    info = zf.getinfo(member)
    try:
        with zf.open(member) as fp:
            version = np.lib.format.read_magic(fp)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
            else:
                raise error(f"{where} uses .npy format version {version}; versions 1 and 2 are read.")
            header_len = fp.tell()
    except PlaygroundError:
        raise
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, SyntaxError, TypeError,
            NotImplementedError) as exc:
        raise error(f"{where} is not a readable array ({str(exc)[:200]}).") from None
    if dtype.hasobject:
        raise error(f"{where} holds Python objects (a pickle); only numeric arrays are read, never pickles.")
    if dtype.fields is not None or dtype.kind not in NUMERIC_KINDS:
        raise error(f"{where} has dtype {dtype.str!r}; only numbers (bool, integers or floats) are read, "
                    f"not text, dates or structured records.")
    if len(shape) == 0:
        raise error(f"{where} is a single number (a 0-d array); it must hold one entry per example.")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes != info.file_size - header_len:
        raise error(f"{where}: its header claims shape {shape} ({fmt_bytes(nbytes)}) but the file holds "
                    f"{fmt_bytes(max(info.file_size - header_len, 0))} of data; the file is damaged.")
    return tuple(shape), dtype


def read_npy(zf: zipfile.ZipFile, member: str, name: str, error: type[PlaygroundError]) -> np.ndarray:
    """A numeric array from an ``.npy`` member, its header checked first (see ``npy_header``)."""
    npy_header(zf, member, name, error)
    try:
        with zf.open(member) as fp:
            arr = np.lib.format.read_array(fp, allow_pickle=False)
    except (ValueError, EOFError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
        raise error(f"{name}: {member.removesuffix('.npy')!r} is damaged or truncated ({str(exc)[:200]}).") from None
    return np.ascontiguousarray(arr)
