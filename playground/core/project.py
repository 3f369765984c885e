"""Project files: versioned JSON, written atomically, validated field by field on load.

A project is the graph plus the settings around it (training choices, the logic lab's target) and its
run history (``core/runs.py`` (de)serialises that part; schema 2 added it).
``to_dict``/``from_dict`` round-trip exactly; weights up to 64 values are written as plain nested
lists (readable in presets), larger ones as base64 of little-endian float32.
"""

from __future__ import annotations

import base64
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import PlaygroundError, ProjectFormatError
from .files import read_bytes
from .graph import Graph, LayerNode
from .registry import LAYERS, get_spec
from .runs import RunHistory
from .runs import from_dict as runs_from_dict
from .runs import to_dict as runs_to_dict

SCHEMA_VERSION = 2  # 2: "runs" (the run history)
INLINE_LIMIT = 64

DEFAULT_TRAINING = {
    "dataset": "mnist-sample", "optimizer": "adam", "learning_rate": 0.001, "lr_schedule": "constant", "loss": "auto",
    "batch_size": 128, "epochs": 3, "validation_split": 0.1, "early_stopping": 0, "seed": 0,
}


@dataclass
class Project:
    """A graph with its name, description and settings."""

    graph: Graph = field(default_factory=Graph)
    name: str = "untitled"
    description: str = ""
    training: dict = field(default_factory=lambda: dict(DEFAULT_TRAINING))
    logic: dict = field(default_factory=dict)
    runs: RunHistory = field(default_factory=RunHistory)  # compared by runs_to_dict, not here

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Project):
            return NotImplemented
        return (self.graph, self.name, self.description, self.training, self.logic) == \
            (other.graph, other.name, other.description, other.training, other.logic)


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
    if n > 500_000_000:
        raise ProjectFormatError(f"{where}.shape {shape} is absurdly large ({n:,} values).")
    if "values" in obj:
        vals = obj["values"]
        if not isinstance(vals, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                 for v in vals):
            raise ProjectFormatError(f"{where}.values must be a flat list of numbers; received {_short(vals)}.")
        arr = np.array(vals, dtype=np.float32)
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
            raise ProjectFormatError(f"{where} holds {len(raw) // 4} values but its shape {shape} needs {n}.")
        arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    else:
        raise ProjectFormatError(f"{where} needs 'values' or 'b64'.")
    if arr.size != n:
        raise ProjectFormatError(f"{where} holds {arr.size} values but its shape {shape} needs {n}.")
    if not np.all(np.isfinite(arr)):
        raise ProjectFormatError(f"{where} contains a value that is not a finite number.")
    return arr.reshape(shape)


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


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


def from_dict(data: Any) -> Project:
    """Validate and build a Project; raises ProjectFormatError naming the bad field and value."""
    _need(isinstance(data, dict), f"A project file holds a JSON object at the top; this one holds "
                                  f"{type(data).__name__} {_short(data)}.")
    version = data.get("schema_version")
    _need(isinstance(version, int) and not isinstance(version, bool),
          f"schema_version must be a whole number; received {_short(version)}.")
    if version > SCHEMA_VERSION:
        raise ProjectFormatError(
            f"This project was saved by a newer version of the playground (schema_version {version}; this "
            f"version reads up to {SCHEMA_VERSION}). Please update the playground to open it.")
    _need(version >= 1, f"schema_version must be 1 or more; received {version}.")
    data = _migrate(data)

    name = data.get("name", "untitled")
    _need(_is_str(name), f"name must be text; received {_short(name)}.")
    desc = data.get("description", "")
    _need(_is_str(desc), f"description must be text; received {_short(desc)}.")
    nodes = data.get("nodes")
    _need(isinstance(nodes, list), f"nodes must be a list; received {_short(nodes)}.")
    edges = data.get("edges", [])
    _need(isinstance(edges, list), f"edges must be a list; received {_short(edges)}.")

    g = Graph()
    for i, nd in enumerate(nodes):
        where = f"nodes[{i}]"
        _need(isinstance(nd, dict), f"{where} must be an object; received {_short(nd)}.")
        kind = nd.get("type")
        _need(_is_str(kind) and kind in LAYERS,
              f"{where}.type {_short(kind)} is not a layer type this app knows ({', '.join(LAYERS)}).")
        nid = nd.get("id", f"n{i + 1}")
        _need(_is_str(nid) and 0 < len(nid) <= 64, f"{where}.id must be a short text; received {_short(nid)}.")
        _need(nid not in g.nodes, f"{where}.id {nid!r} is used twice.")
        lname = nd.get("name", g.unique_name(kind))
        params = nd.get("params", {})
        spec = get_spec(kind)
        _need(isinstance(params, dict), f"{where}.params must be an object; received {_short(params)}.")
        try:
            clean = spec.validate_params(params)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"{where} ({_short(lname)}).params: {exc}") from None
        pos = nd.get("pos", [0.0, 0.0])
        _need(isinstance(pos, list) and len(pos) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in pos),
            f"{where}.pos must be two finite numbers [x, y]; received {_short(pos)}.")
        weights = nd.get("weights", {})
        _need(isinstance(weights, dict), f"{where}.weights must be an object; received {_short(weights)}.")
        warr = {}
        for wk, wv in weights.items():
            warr[wk] = decode_array(wv, f"{where}.weights.{wk}")
        node = LayerNode(nid, kind, lname, clean, (float(pos[0]), float(pos[1])), warr)
        try:
            g.insert_node(node)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"{where}: {exc}") from None

    for i, ed in enumerate(edges):
        where = f"edges[{i}]"
        _need(isinstance(ed, dict), f"{where} must be an object with 'from' and 'to'; received {_short(ed)}.")
        src, dst, port = ed.get("from"), ed.get("to"), ed.get("port", None)
        _need(_is_str(src) and src in g.nodes, f"{where}.from {_short(src)} is not a node id in this file.")
        _need(_is_str(dst) and dst in g.nodes, f"{where}.to {_short(dst)} is not a node id in this file.")
        try:
            g.connect(src, dst, port)
        except PlaygroundError as exc:
            raise ProjectFormatError(f"{where}: {exc}") from None

    training = dict(DEFAULT_TRAINING)
    t = data.get("training", {})
    _need(isinstance(t, dict), f"training must be an object; received {_short(t)}.")
    for k, v in t.items():
        _need(isinstance(v, (str, int, float, bool)) or v is None,
              f"training.{k} must be a plain value; received {_short(v)}.")
        training[k] = v
    logic = data.get("logic", {})
    _need(isinstance(logic, dict), f"logic must be an object; received {_short(logic)}.")
    return Project(g, name, desc, training, dict(logic), runs_from_dict(data.get("runs")))


def dumps(project: Project) -> str:
    return json.dumps(to_dict(project), indent=1, allow_nan=False) + "\n"


def loads(text: str | bytes) -> Project:
    """Parse JSON text into a Project; every failure is a ProjectFormatError."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ProjectFormatError("The file is nested too deeply to be a project.") from None
    except UnicodeDecodeError as exc:
        raise ProjectFormatError(f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except ValueError as exc:
        raise ProjectFormatError(f"The file is not valid JSON: {exc}.") from None
    try:
        return from_dict(data)
    except RecursionError:
        raise ProjectFormatError("The file is nested too deeply to be a project.") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in a project file")


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, flushed, then ``os.replace``."""
    path = Path(path)
    text = dumps(project)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike) -> Project:
    """Read a project file; ProjectFormatError names the problem (missing file included)."""
    return loads(read_bytes(Path(path), ProjectFormatError, "a project file"))
