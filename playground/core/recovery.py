"""The autosaved recovery file: written atomically, read with the project loader's checks, and set aside
(renamed, never deleted, never retried) when it cannot be read, so a bad file cannot make every start fail.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import project as project_io
from .errors import ProjectFormatError, ProjectSaveError


def write_recovery(proj: project_io.Project, path: str | os.PathLike, original: str | os.PathLike | None) -> None:
    """Autosave ``proj`` (and the path it was opened from) to ``path``; ProjectSaveError if impossible."""
    path = Path(path)
    data = json.loads(project_io.dumps(proj))
    data["recovery"] = {"path": None if original is None else str(original)}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise ProjectSaveError(f"Autosave failed: cannot write {path} ({exc.strerror or exc}).") from None


def read_recovery(path: str | os.PathLike) -> tuple[project_io.Project, Path | None]:
    """(project, the file it came from or None); ProjectFormatError for anything unreadable."""
    path = Path(path)
    from .files import read_bytes  # noqa: PLC0415
    raw = read_bytes(path, ProjectFormatError, "a recovery file", max_size=project_io.MAX_PROJECT_BYTES)
    try:
        data = json.loads(raw, parse_constant=project_io._reject_constant)
    except RecursionError:
        raise ProjectFormatError("The recovery file is nested too deeply to be a project.") from None
    except ValueError as exc:  # UnicodeDecodeError included
        raise ProjectFormatError(f"The recovery file is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ProjectFormatError("The recovery file does not hold a project.")
    meta = data.pop("recovery", None)
    original = meta.get("path") if isinstance(meta, dict) else None
    if original is not None and (not isinstance(original, str) or not original or "\0" in original):
        raise ProjectFormatError(f"recovery.path must be a file path or null; received {original!r:.60}.")
    try:
        proj = project_io.from_dict(data)
    except RecursionError:
        raise ProjectFormatError("The recovery file is nested too deeply to be a project.") from None
    return proj, Path(original) if original else None


def set_aside(path: str | os.PathLike) -> Path:
    """Rename a recovery file that could not be loaded to ``<stem>.broken-<time>.json`` beside it and return the
    new path (name it in the message). It is kept for the user, never loaded again."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for i in range(1000):
        target = path.with_name(f"{path.stem}.broken-{stamp}{'' if i == 0 else f'-{i}'}{path.suffix}")
        if not target.exists():
            break
    try:
        os.replace(path, target)
    except OSError as exc:
        raise ProjectSaveError(f"Cannot set the broken recovery file {path} aside ({exc.strerror or exc}); "
                               f"move or delete it by hand.") from None
    return target
