"""Project files: versioned JSON, written atomically, validated field by field on load.

A project is the graph plus the settings around it (training choices, the logic lab's target) and its
run history (``core/runs.py`` (de)serialises that part; schema 2 added it).
``to_dict``/``from_dict`` round-trip exactly; weights up to 64 values are written as plain nested
lists (readable in presets), larger ones as base64 of little-endian float32.
"""

from __future__ import annotations

import base64
import gc
import json
import math
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import limits
from .errors import PlaygroundError, ProjectFormatError, ProjectSaveError, SettingsError
from .files import read_bytes
from .graph import MAX_POS, Graph, LayerNode
from .numbers import finite_number
from .registry import LAYERS, get_spec
from .runs import RunHistory
from .runs import from_dict as runs_from_dict
from .runs import to_dict as runs_to_dict
from .settings import LogicConfig, TrainConfig, default_training
from .weights import weights_problem
from .words import count
from .words import short as _short  # one cut for every value a message names

SCHEMA_VERSION = 2  # 2: "runs" (the run history)
INLINE_LIMIT = 64
MAX_PROJECT_BYTES = 512 * 2 ** 20  # JSON parsing takes several times the file's size in memory
MAX_WEIGHT_VALUES = 250_000_000  # 1 GB of float32 per array
MAX_TEXT = 10_000  # characters in a project's name or description
STALE_TMP_SECONDS = 3600  # a temp file of a save by a process we cannot see (another machine) this old is dead

DEFAULT_TRAINING = default_training()


@dataclass
class Project:
    """A graph with its name, description and settings."""

    graph: Graph = field(default_factory=Graph)
    name: str = "untitled"
    description: str = ""
    training: dict = field(default_factory=default_training)
    logic: dict = field(default_factory=dict)
    runs: RunHistory = field(default_factory=RunHistory)  # compared by runs_to_dict, not here
    pixels_declined: bool = False  # the user deleted the pixels' preparation an opened model was offered

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Project):
            return NotImplemented
        return (self.graph, self.name, self.description, self.training, self.logic, self.pixels_declined) == \
            (other.graph, other.name, other.description, other.training, other.logic, other.pixels_declined)


# ------------------------------------------------------------------ encoding

def encode_array(a: np.ndarray) -> Any:
    a = np.asarray(a, dtype=np.float32)
    if a.size <= INLINE_LIMIT:
        return {"shape": list(a.shape), "values": [float(x) for x in a.ravel()]}
    return {"shape": list(a.shape), "dtype": "float32",
            "b64": base64.b64encode(a.astype("<f4").tobytes()).decode("ascii")}


def decode_array(obj: Any, where: str) -> np.ndarray:
    if not isinstance(obj, dict) or "shape" not in obj:
        raise ProjectFormatError(f"{where} must be an object with 'shape' and 'values' or 'b64'; "
                                 f"received {_short(obj)}.")
    shape = obj["shape"]
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d
                                              for d in shape) or len(shape) > 8:
        raise ProjectFormatError(f"{where}.shape must be a list of sizes >= 0; received {_short(shape)}.")
    n = math.prod(shape)
    if n > MAX_WEIGHT_VALUES:
        raise ProjectFormatError(f"{where}.shape {_short(shape)} is absurdly large ({_short(n)} values).")
    if "values" in obj:
        vals = obj["values"]
        if not isinstance(vals, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                 for v in vals):
            raise ProjectFormatError(f"{where}.values must be a flat list of numbers; received {_short(vals)}.")
        try:
            arr = np.array(vals, dtype=np.float32)
        except OverflowError:  # an integer past any float (10**400): JSON integers have no size limit
            raise ProjectFormatError(f"{where} contains a value that is not a finite number.") from None
    elif "b64" in obj:
        if obj.get("dtype", "float32") != "float32":
            raise ProjectFormatError(f"{where}.dtype must be 'float32'; received {_short(obj.get('dtype'))}.")
        if not isinstance(obj["b64"], str):
            raise ProjectFormatError(f"{where}.b64 must be a base64 string; received {_short(obj['b64'])}.")
        try:
            raw = base64.b64decode(obj["b64"].encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise ProjectFormatError(f"{where}.b64 is not valid base64.") from None
        if len(raw) != 4 * n:
            raise ProjectFormatError(f"{where} holds {count(len(raw) // 4, 'value')} but its shape {shape} needs {n:,}.")
        arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    else:
        raise ProjectFormatError(f"{where} needs 'values' or 'b64'.")
    if arr.size != n:
        raise ProjectFormatError(f"{where} holds {count(arr.size, 'value')} but its shape {shape} needs {n:,}.")
    if not np.all(np.isfinite(arr)):
        raise ProjectFormatError(f"{where} contains a value that is not a finite number.")
    return arr.reshape(shape)




def _jsonable_params(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def to_dict(project: Project) -> dict:
    """The project as plain JSON-ready data."""
    g = project.graph
    nodes = []
    for nid in g.nodes:  # insertion order is the user's order
        n = g.nodes[nid]
        d = {"id": n.id, "type": n.kind, "name": n.name, "params": _jsonable_params(n.params),
             "pos": [n.pos[0], n.pos[1]]}
        if n.weights:
            d["weights"] = {k: encode_array(v) for k, v in n.weights.items()}
        if not n.trainable:
            d["trainable"] = False  # written only when frozen, so older files stay as they were
        nodes.append(d)
    return {
        "schema_version": SCHEMA_VERSION,
        "app": "playground",
        "name": project.name,
        "description": project.description,
        "nodes": nodes,
        "edges": [{"from": e.src, "to": e.dst, "port": e.port} for e in g.edges],
        "training": dict(project.training),
        "logic": dict(project.logic),
        "runs": runs_to_dict(project.runs),
        **({"pixels_declined": True} if project.pixels_declined else {}),  # written only when declined
    }


def _need(cond: bool, msg: str) -> None:
    if not cond:
        raise ProjectFormatError(msg)


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _migrate(data: dict) -> dict:
    """Bring an older file up to SCHEMA_VERSION, one step per version."""
    if data["schema_version"] == 1:  # 1 -> 2: no run history yet
        data = {**data, "schema_version": 2, "runs": None}
    return data


# what a file that is not text most likely is, by its first bytes (a PNG opened as a project said "not UTF-8 text")
_KINDS = ((b"\x89PNG", "it is a PNG image"), (b"\xff\xd8\xff", "it is a JPEG image"),
          (b"\x89HDF", "it is an HDF5 file (a Keras .h5 model? File > Open reads it as a model)"),
          (b"PK\x03\x04", "it is a zip archive (a Keras .keras model? File > Open reads it as a model)"),
          (b"\x93NUMPY", "it is a numpy array file"))


def from_dict(data: Any) -> Project:
    """Validate and build a Project; raises ProjectFormatError naming the bad field and value."""
    _need(isinstance(data, dict), f"A project file holds a JSON object at the top; this one holds "
                                  f"{type(data).__name__} {_short(data)}.")
    version = data.get("schema_version")
    _need("schema_version" in data or "nodes" in data, "The file is JSON but not a Network Playground project: it "
          "has no schema_version and no nodes (a project saved here starts {\"schema_version\": 2, \"app\": "
          "\"playground\", ...).")
    _need(isinstance(version, int) and not isinstance(version, bool),
          f"schema_version must be a whole number; received {_short(version)}.")
    if version > SCHEMA_VERSION:
        raise ProjectFormatError(
            f"This project was saved by a newer version of the playground (schema_version {_short(version)}; this "
            f"version reads up to {SCHEMA_VERSION}). Please update the playground to open it.")
    _need(version >= 1, f"schema_version must be 1 or more; received {version}.")
    data = _migrate(data)

    name = data.get("name", "untitled")
    _need(_is_str(name) and len(name) <= MAX_TEXT,
          f"name must be text of at most {MAX_TEXT:,} characters; received {_short(name)}.")
    desc = data.get("description", "")
    _need(_is_str(desc) and len(desc) <= MAX_TEXT,
          f"description must be text of at most {MAX_TEXT:,} characters; received {_short(desc)}.")
    nodes = data.get("nodes")
    _need(isinstance(nodes, list), f"nodes must be a list; received {_short(nodes)}.")
    edges = data.get("edges", [])
    _need(isinstance(edges, list), f"edges must be a list; received {_short(edges)}.")

    g = Graph()
    # Messages are built only on failure (an f-string per field per node made loading 10,000 layers slow).
    for i, nd in enumerate(nodes):
        if not isinstance(nd, dict):
            raise ProjectFormatError(f"nodes[{i}] must be an object; received {_short(nd)}.")
        kind = nd.get("type")
        if not (_is_str(kind) and kind in LAYERS):
            raise ProjectFormatError(f"nodes[{i}].type {_short(kind)} is not a layer type this app knows "
                                     f"({', '.join(LAYERS)}).")
        nid = nd.get("id", f"n{i + 1}")
        if not (_is_str(nid) and 0 < len(nid) <= 64):
            raise ProjectFormatError(f"nodes[{i}].id must be a short text; received {_short(nid)}.")
        if nid in g.nodes:
            raise ProjectFormatError(f"nodes[{i}].id {nid!r} is used twice.")
        lname = nd["name"] if "name" in nd else g.unique_name(kind)
        params = nd.get("params", {})
        spec = get_spec(kind)
        if not isinstance(params, dict):
            raise ProjectFormatError(f"nodes[{i}].params must be an object; received {_short(params)}.")
        try:
            clean = spec.validate_params(params)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"nodes[{i}] ({_short(lname)}).params: {exc}") from None
        pos = nd.get("pos", [0.0, 0.0])
        if not (isinstance(pos, list) and len(pos) == 2 and all(finite_number(v) and abs(v) <= MAX_POS
                                                                 for v in pos)):
            raise ProjectFormatError(f"nodes[{i}].pos must be two numbers [x, y] within \u00b1{MAX_POS:,.0f} pixels "
                                     f"(the canvas's reach); received {_short(pos)}.")
        weights = nd.get("weights", {})
        if not isinstance(weights, dict):
            raise ProjectFormatError(f"nodes[{i}].weights must be an object; received {_short(weights)}.")
        warr = {}
        if weights:
            for wk, wv in weights.items():
                warr[wk] = decode_array(wv, f"nodes[{i}].weights.{wk}")
            problem = weights_problem(kind, warr)
            if problem is not None:
                raise ProjectFormatError(f"nodes[{i}].weights ({_short(lname)}): {problem}")
        trainable = nd.get("trainable", True)
        if not isinstance(trainable, bool):
            raise ProjectFormatError(f"nodes[{i}].trainable must be true or false; received {_short(trainable)}.")
        node = LayerNode(nid, kind, lname, clean, (float(pos[0]), float(pos[1])), warr, trainable)
        try:
            g.insert_node(node)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"nodes[{i}]: {exc}") from None

    for i, ed in enumerate(edges):
        if not isinstance(ed, dict):
            raise ProjectFormatError(f"edges[{i}] must be an object with 'from' and 'to'; received {_short(ed)}.")
        src, dst, port = ed.get("from"), ed.get("to"), ed.get("port", None)
        if not (_is_str(src) and src in g.nodes):
            raise ProjectFormatError(f"edges[{i}].from {_short(src)} is not a node id in this file.")
        if not (_is_str(dst) and dst in g.nodes):
            raise ProjectFormatError(f"edges[{i}].to {_short(dst)} is not a node id in this file.")
        try:
            g.connect(src, dst, port, deferred=True)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"edges[{i}]: {exc}") from None
    try:
        g.check_structure()  # cycles and merge shapes, once for the whole graph
    except PlaygroundError as exc:
        raise ProjectFormatError(f"edges: {exc}") from None

    try:
        training = TrainConfig.from_dict(data.get("training", {}), "training").to_dict()
        logic = LogicConfig.from_dict(data.get("logic", {}), "logic").to_dict()
    except SettingsError as exc:
        raise ProjectFormatError(str(exc)) from None
    declined = data.get("pixels_declined", False)
    _need(isinstance(declined, bool), f"pixels_declined must be true or false; received {_short(declined)}.")
    return Project(g, name, desc, training, logic, runs_from_dict(data.get("runs")), declined)


def dumps(project: Project) -> str:
    """The project as JSON text; ProjectSaveError names a setting or value that cannot be saved."""
    try:
        TrainConfig.from_dict(project.training, "training")
        LogicConfig.from_dict(project.logic, "logic")
    except SettingsError as exc:
        raise ProjectSaveError(f"Not saved: {exc}") from None
    for node in project.graph.nodes.values():
        for k, w in node.weights.items():
            if not np.all(np.isfinite(w)):
                raise ProjectSaveError(f"Not saved: weight {k!r} of {node.name!r} holds a value that is not a "
                                       f"finite number (NaN or infinity).")
    try:
        return json.dumps(to_dict(project), indent=1, allow_nan=False) + "\n"
    except (ValueError, TypeError) as exc:  # a non-finite or non-JSON value somewhere we do not validate
        raise ProjectSaveError(f"Not saved: the project holds a value JSON cannot store ({exc}).") from None


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a file builds many small objects that all stay alive
    (its full passes over them made loading a 10,000-layer file several times slower); nothing we build
    here forms cycles to collect."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def loads(text: str | bytes, name: str = "The project") -> Project:
    """Parse JSON text into a Project; every failure is a ProjectFormatError, but for a ResourceError before
    parsing a text that could take more memory than there is (``name``: the file, in that message)."""
    limits.require_json(text, name)
    with _gc_paused():
        return _loads(text)


def _loads(text: str | bytes) -> Project:
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ProjectFormatError("The file is nested too deeply to be a project.") from None
    except UnicodeDecodeError as exc:
        raw = text if isinstance(text, bytes) else b""
        kind = next((k for magic, k in _KINDS if raw.startswith(magic)), None)
        raise ProjectFormatError(f"The file is not a project: {kind}." if kind else f"The file is not a project: "
                                 f"a project is UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except ValueError as exc:
        raise ProjectFormatError(f"The file is not valid JSON: {exc}.") from None
    try:
        return from_dict(data)
    except RecursionError:
        raise ProjectFormatError("The file is nested too deeply to be a project.") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in a project file")


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}."


def clean_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Delete the temp files that killed saves of ``path`` left beside it; returns what was removed.

    A temp file is named ``.<name>.<pid>.<random>.tmp``: it is stale when that process no longer runs
    (or, with no pid in the name or another machine's pid, when it is over an hour old).
    """
    path = Path(path)
    removed = []
    try:
        candidates = list(path.parent.glob(f"{_glob_escape(_tmp_prefix(path))}*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        if _temp_is_stale(tmp, path):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _temp_is_stale(tmp: Path, path: Path) -> bool:
    rest = tmp.name[len(_tmp_prefix(path)):-len(".tmp")]
    pid_text = rest.split(".", 1)[0]
    if pid_text.isdigit() and "." in rest:
        pid = int(pid_text)
        if pid == os.getpid():
            return False  # a save of ours in another thread may be writing it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except (PermissionError, OverflowError, OSError):
            pass  # alive under another user, or not a pid: fall back to age
    try:
        return time.time() - tmp.stat().st_mtime > STALE_TMP_SECONDS
    except OSError:
        return False


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, flushed, then ``os.replace``.

    Every failure is a ProjectSaveError (what failed, and that nothing was replaced); stale temp
    files of earlier killed saves are removed first.
    """
    path = Path(path)
    text = dumps(project)
    if path.is_dir():
        raise ProjectSaveError(f"Not saved: {path} is a folder; choose a file name.")
    clean_stale_temps(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{_tmp_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ProjectSaveError(f"Not saved: cannot write in {path.parent} ({exc.strerror or exc}).") from None
    try:
        try:  # mkstemp makes 0600; give the file the mode a plain open() would (or keep the old one's)
            mode = path.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ProjectSaveError(f"Not saved: cannot write {path} ({exc.strerror or exc}); the file on disk, "
                                   f"if any, is unchanged.") from None
        raise


def load(path: str | os.PathLike) -> Project:
    """Read a project file; ProjectFormatError names the problem (missing file included).

    Everything is validated before a Project is returned, so a caller can replace its current work
    only after this succeeds. Stale temp files of killed saves beside the file are removed.
    """
    path = Path(path)
    proj = loads(read_bytes(path, ProjectFormatError, "a project file", max_size=MAX_PROJECT_BYTES), path.name)
    clean_stale_temps(path)
    return proj
