"""Reading a user's file with one clear message for each way it can fail."""

from __future__ import annotations

from pathlib import Path

from .errors import PlaygroundError


def read_bytes(path: Path, error: type[PlaygroundError], what: str, limit: int | None = None) -> bytes:
    """The file's bytes (at most ``limit``); ``error`` names a missing file, a folder or an unreadable one."""
    try:
        with open(path, "rb") as fh:
            return fh.read() if limit is None else fh.read(limit)
    except FileNotFoundError:
        raise error(f"No such file: {path}") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not {what}.") from None
    except OSError as exc:
        raise error(f"Cannot read {path}: {exc.strerror}.") from None
