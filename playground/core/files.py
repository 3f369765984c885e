"""Reading a user's file with one clear message for each way it can fail.

Only regular files are read (a FIFO would block forever, ``/dev/zero`` never ends), and never more
than a stated size: the checks run on the open descriptor, so a file swapped after the check is caught too.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from .errors import PlaygroundError


def fmt_bytes(n: float) -> str:
    """1536 -> '1.5 KB'; decimal units, as file managers show them."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError


def fmt_over(value: int, limit: int) -> tuple[str, str]:
    """A size and the limit it is over, as ``fmt_bytes`` writes them, or in bytes where those would read the same
    ("536.9 MB; at most 536.9 MB" for one byte over 512 MiB)."""
    a, b = fmt_bytes(value), fmt_bytes(limit)
    return (a, b) if a != b else (f"{value:,} bytes", f"{limit:,} bytes")


@contextmanager
def open_regular(path: Path, error: type[PlaygroundError], what: str,
                 max_size: int | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for reading if it is a regular file of at most ``max_size`` bytes.

    Symlinks are followed (a link to a real file is fine); a link to a device, a FIFO or a socket is
    refused without blocking. ``error`` carries the message.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise error(f"No such file: {path}") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not {what}.") from None
    except OSError as exc:
        raise error(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"{path} is a folder, not {what}.")
        if not stat.S_ISREG(st.st_mode):
            kind = "a pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else \
                "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else \
                "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file"
            raise error(f"{path} is {kind}, not {what}; only regular files are read.")
        if max_size is not None and st.st_size > max_size:
            size, most = fmt_over(st.st_size, max_size)
            raise error(f"{path.name} is {size}; {what} may be at most {most}.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh


def read_bytes(path: Path, error: type[PlaygroundError], what: str, limit: int | None = None,
               max_size: int | None = None) -> bytes:
    """The file's bytes (at most ``limit``); ``error`` names a missing file, a folder, a pipe or a device,
    an unreadable file, or one larger than ``max_size``."""
    with open_regular(Path(path), error, what, max_size) as fh:
        try:
            return fh.read() if limit is None else fh.read(limit)
        except OSError as exc:
            raise error(f"Cannot read {path}: {exc.strerror}.") from None
