"""The autosaved recovery files: written atomically, read with the project loader's checks, and set aside
(renamed, never deleted, never retried) when they cannot be read, so a bad file cannot make every start fail.

Every window autosaves to a file of its own, ``recovery-<token>.json``, and holds a lock beside it
(``recovery-<token>.lock``, taken by the UI for the window's lifetime): another window offers, or deletes, only
the files whose owner is gone, so two windows never take each other's work. ``recovery.json`` is the name the
releases before 0.3 shared between windows; it has no owner and is offered like a dead window's file.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from . import limits
from . import project as project_io
from .errors import PlaygroundError, ProjectFormatError, ProjectSaveError


LEGACY_NAME = "recovery.json"
_TOKEN_RE = re.compile(r"^recovery-([0-9a-f]{6,32})\.json$")


def recovery_name(token: str) -> str:
    """The autosave file name of the window with ``token`` (a short hex id, one per window)."""
    if not re.fullmatch(r"[0-9a-f]{6,32}", token):
        raise ValueError(f"a recovery token is 6 to 32 hex digits; received {token!r}")
    return f"recovery-{token}.json"


def lock_path(path: str | os.PathLike) -> Path:
    """The owner's lock file beside a recovery file (the legacy shared file has none)."""
    path = Path(path)
    return path.with_suffix(".lock")


def candidates(folder: str | os.PathLike) -> list[Path]:
    """Recovery files in ``folder``, newest first: every window's, and the legacy shared one."""
    folder = Path(folder)
    try:
        found = [p for p in folder.iterdir() if _TOKEN_RE.match(p.name) or p.name == LEGACY_NAME]
    except OSError:
        return []
    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except OSError:
            return 0.0
    return sorted(found, key=mtime, reverse=True)


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
    limits.require_json(raw, path.name)
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
    return proj, _project_file(original)


def _project_file(original: str | None) -> Path | None:
    """The file the recovered work came from, where Save writes it: only a project file that is there, named by
    its full path. A recovery file is data: one naming ~/.bashrc made Ctrl+S, after Restore, write the project over
    it with no dialog. Anything else gives None: the restored work has no file yet, and Save asks where."""
    if not original or not os.path.isabs(original) or Path(original).suffix.lower() != ".json":
        return None
    from .files import read_bytes  # noqa: PLC0415
    try:  # (a regular file, within the size and memory checks, that is a project; nothing beside it touched)
        project_io.loads(read_bytes(Path(original), ProjectFormatError, "a project file",
                                    max_size=project_io.MAX_PROJECT_BYTES), Path(original).name)
    except PlaygroundError:
        return None
    return Path(original)


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
