"""Run history: every training run kept in the project, compactly, with the weights of the last few.

A ``Run`` records what went in (settings, the seed actually used, the network's fingerprint, a digest
of the starting weights) and what came out (per-batch and per-epoch curves, test accuracy, confusion
matrix, duration, a digest of the final weights). Weight sets live once in a pool keyed by their digest
(a run's end weights are usually the next run's start weights), and only the last ``keep_weights`` runs
keep theirs. ``to_dict``/``from_dict`` round-trip exactly; curves are base64 float32, and every field is
checked on load with a message naming its path.

Runs are immutable; a ``RunHistory`` change builds a new history (``added``, ``removed``, ``with_limits``)
so an undo command can keep the old one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .errors import PlaygroundError, ProjectFormatError
from .graph import Graph
from .numbers import finite_number
from .words import short as _short  # one cut for every value a message names

DEFAULT_LIMIT = 20
DEFAULT_KEEP_WEIGHTS = 3
MAX_LIMIT = 1000
MAX_CURVE = 10_000_000  # values in one curve
MAX_WEIGHT_VALUES = 250_000_000
MAX_RUN_NUMBER = 2 ** 31 - 1  # Qt's item data and the table's "#n" hold 32-bit numbers
MAX_STEPS = 2 ** 31 - 1
MAX_SECONDS = 1e9  # about 31 years
MAX_COUNT = 2 ** 53  # a confusion-matrix cell
UNSAVED_SETTINGS = ("tensorboard_dir",)  # per-run paths: a file never chooses where the app writes
EPOCH_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
STOPS = ("finished", "stopped", "early", "nan")

Weights = dict[str, dict[str, np.ndarray]]  # node id -> variable -> array
_MISSING = object()


class RunHistoryError(PlaygroundError):
    """A run-history limit that cannot be used (the message names it and the value)."""


# ------------------------------------------------------------------ fingerprints

def epochs_trained(run: "Run") -> str:
    """Epochs trained, from the batches (0.17 for 12 of 71): a run stopped mid-epoch while running has a record
    for the part epoch and one stopped while paused has none, so the records said 1 for one and 0 for the other
    (and a reopened run stopped at 1.38 of 3 said "2 epochs" in Results)."""
    if run.steps > 0 and len(run.batch_loss):
        x = len(run.batch_loss) / run.steps
        if x.is_integer():
            return str(int(x))
        down = math.floor(x * 100) / 100  # (rounded down: 1,249 of 1,250 batches is not 1 epoch)
        return f"{down:g}" if down != math.floor(x) else f"{x:.{len(str(int(x))) + 3}g}"  # 4 of 1,250: 0.0032
    last = run.epochs.get("loss")
    return str(len(last) if last is not None else 0)


def fingerprint(graph: Graph) -> str:
    """The network's architecture as a short hash: layer kinds, parameters and wiring in order.

    Positions, names, node ids and weights do not count, so moving or renaming a layer keeps it."""
    order = graph.topological_order()
    index = {nid: i for i, nid in enumerate(order)}
    layers = [[graph.nodes[nid].kind, _canonical(graph.nodes[nid].params)] for nid in order]
    wires = sorted([index[e.src], index[e.dst], -1 if e.port is None else e.port] for e in graph.edges)
    text = json.dumps({"layers": layers, "edges": wires}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _canonical(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _canonical(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_canonical(x) for x in v]
    return v


def weights_digest(weights: Weights) -> str:
    """A hash of a set of weights as float32 bits: equal digests mean bit-identical weights."""
    h = hashlib.sha256()
    for nid in sorted(weights):
        for var in sorted(weights[nid]):
            a = np.ascontiguousarray(weights[nid][var], dtype="<f4")
            h.update(f"{nid}\0{var}\0{a.shape}\0".encode())
            h.update(a.tobytes())
    return h.hexdigest()[:32]


def confusion(pred: np.ndarray, true: np.ndarray, classes: int) -> np.ndarray:
    """Counts of (true class, predicted class)."""
    k = max(int(classes), int(np.max(pred, initial=-1)) + 1, int(np.max(true, initial=-1)) + 1)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (np.asarray(true, int), np.asarray(pred, int)), 1)
    return cm


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class Run:
    """One training run. Curves are float32; the per-batch x position is implicit: batch i (from 0, over
    the whole run) ends at epoch (i + 1) / steps."""

    number: int
    started: str  # UTC, ISO 8601
    seconds: float
    settings: dict  # the training settings used, with the seed actually used
    seed: int
    fingerprint: str
    start_digest: str  # the weights it started from ('' digest of {} = fresh initial weights)
    end_digest: str | None  # None when it ended without usable weights (NaN)
    steps: int  # batches per epoch
    batch_loss: np.ndarray = field(repr=False)
    batch_accuracy: np.ndarray = field(repr=False)
    epochs: dict = field(default_factory=dict, repr=False)  # EPOCH_KEYS -> float32 array
    test_loss: float | None = None
    test_accuracy: float | None = None
    confusion: np.ndarray | None = field(default=None, repr=False)
    stopped: str = "finished"
    replay_of: int | None = None

    @property
    def batch_x(self) -> np.ndarray:
        return np.arange(1, len(self.batch_loss) + 1, dtype=np.float64) / max(self.steps, 1)

    def same_result(self, other: "Run") -> bool:
        """Bit-identical curves, test scores and final weights."""
        return (np.array_equal(self.batch_loss, other.batch_loss)
                and np.array_equal(self.batch_accuracy, other.batch_accuracy)
                and self.epochs.keys() == other.epochs.keys()
                and all(np.array_equal(v, other.epochs[k]) for k, v in self.epochs.items())
                and self.test_loss == other.test_loss and self.test_accuracy == other.test_accuracy
                and self.end_digest == other.end_digest)

    def first_difference(self, other: "Run") -> str:
        """Where two runs part ways, in words (for a replay that did not repeat)."""
        n = min(len(self.batch_loss), len(other.batch_loss))
        diff = np.flatnonzero(self.batch_loss[:n] != other.batch_loss[:n])
        if len(diff):
            i = int(diff[0])
            return f"the loss differs from batch {i % max(self.steps, 1) + 1} of epoch {i // max(self.steps, 1) + 1}"
        if len(self.batch_loss) != len(other.batch_loss):
            return f"one ran {len(self.batch_loss)} batches, the other {len(other.batch_loss)}"
        if self.test_accuracy != other.test_accuracy:
            return "the test accuracy differs"
        return "the final weights differ" if self.end_digest != other.end_digest else "nothing"


def make_run(number: int, started: str, seconds: float, settings: dict, seed: int, graph_fingerprint: str,
             start_digest: str, end_digest: str | None, steps: int, batch_loss, batch_accuracy,
             epochs: dict, test_loss=None, test_accuracy=None, confusion_matrix=None, stopped: str = "finished",
             replay_of: int | None = None) -> Run:
    """A Run with its arrays in their stored form (float32 curves, int64 confusion matrix)."""
    return Run(number, started, float(seconds), dict(settings), int(seed), graph_fingerprint, start_digest,
               end_digest, int(steps), np.asarray(batch_loss, np.float32), np.asarray(batch_accuracy, np.float32),
               {k: np.asarray(v, np.float32) for k, v in epochs.items() if k in EPOCH_KEYS},
               None if test_loss is None else float(test_loss),
               None if test_accuracy is None else float(test_accuracy),
               None if confusion_matrix is None else np.asarray(confusion_matrix, np.int64), stopped, replay_of)


@dataclass
class RunHistory:
    """The runs of a project, oldest first, and the weight sets the last ``keep_weights`` of them use."""

    runs: list[Run] = field(default_factory=list)
    weights: dict[str, Weights] = field(default_factory=dict)  # digest -> weight set
    limit: int = DEFAULT_LIMIT  # runs kept; older ones are dropped
    keep_weights: int = DEFAULT_KEEP_WEIGHTS  # the last N runs keep their start and end weights
    next_number: int = 1

    def copy(self) -> "RunHistory":
        return RunHistory(list(self.runs), dict(self.weights), self.limit, self.keep_weights, self.next_number)

    def assign(self, other: "RunHistory") -> None:
        """Take ``other``'s contents (the project keeps this object; undo commands swap contents)."""
        self.runs, self.weights = list(other.runs), dict(other.weights)
        self.limit, self.keep_weights, self.next_number = other.limit, other.keep_weights, other.next_number

    def get(self, number: int) -> Run | None:
        return next((r for r in self.runs if r.number == number), None)

    def weights_of(self, digest: str | None) -> Weights | None:
        """A kept weight set (None if never kept or dropped); the empty digest is 'no weights'."""
        if digest is None:
            return None
        if digest == EMPTY_DIGEST:
            return {}
        return self.weights.get(digest)

    # -------------------------------------------------------------- changes (each returns a new history)
    def added(self, run: Run, start: Weights | None = None, end: Weights | None = None) -> "RunHistory":
        """This history with ``run`` appended (numbered next), its weights pooled, then pruned."""
        h = self.copy()
        run = replace(run, number=h.next_number)
        h.next_number += 1
        h.runs.append(run)
        for digest, w in ((run.start_digest, start), (run.end_digest, end)):
            if digest and digest != EMPTY_DIGEST and w is not None:
                h.weights.setdefault(digest, w)
        return h._pruned()

    def removed(self, numbers) -> "RunHistory":
        h = self.copy()
        gone = set(numbers)
        h.runs = [r for r in h.runs if r.number not in gone]
        return h._pruned()

    def with_limits(self, limit: int, keep_weights: int) -> "RunHistory":
        check_limits(limit, keep_weights)
        h = self.copy()
        h.limit, h.keep_weights = limit, keep_weights
        return h._pruned()

    def _pruned(self) -> "RunHistory":
        if len(self.runs) > self.limit:
            self.runs = self.runs[len(self.runs) - self.limit:]
        wanted = set()
        for r in self.runs[-self.keep_weights:] if self.keep_weights else []:  # (2 runs, 3 kept: both)
            wanted.update(d for d in (r.start_digest, r.end_digest) if d)
        self.weights = {d: w for d, w in self.weights.items() if d in wanted}
        return self


EMPTY_DIGEST = weights_digest({})


def check_limits(limit, keep_weights) -> None:
    for name, v, lo in (("runs limit", limit, 1), ("weights kept", keep_weights, 0)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= MAX_LIMIT:
            raise RunHistoryError(f"The {name} must be a whole number from {lo} to {MAX_LIMIT}. Received {v!r}.")


# ------------------------------------------------------------------ file format

def encode_curve(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a, dtype="<f4")
    return {"n": int(a.size), "f32": base64.b64encode(a.tobytes()).decode("ascii")}


def decode_curve(obj: Any, where: str) -> np.ndarray:
    _need(isinstance(obj, dict) and set(obj) == {"n", "f32"},
          f"{where} must be an object with 'n' and 'f32'; received {_short(obj)}.")
    n = obj["n"]
    _need(_is_int(n) and 0 <= n <= MAX_CURVE, f"{where}.n must be a count from 0 to {MAX_CURVE:,}; "
                                             f"received {_short(n)}.")
    _need(isinstance(obj["f32"], str), f"{where}.f32 must be base64 text; received {_short(obj['f32'])}.")
    try:
        raw = base64.b64decode(obj["f32"].encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ProjectFormatError(f"{where}.f32 is not valid base64.") from None
    _need(len(raw) == 4 * n, f"{where} holds {len(raw) / 4:g} values but says n={n}.")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)  # NaN allowed: a run may have diverged


def _encode_weights(w: Weights) -> dict:
    return {nid: {var: {"shape": list(a.shape), "f32": base64.b64encode(np.ascontiguousarray(a, "<f4").tobytes())
                        .decode("ascii")} for var, a in vs.items()} for nid, vs in w.items()}


def _decode_weights(obj: Any, where: str) -> Weights:
    _need(isinstance(obj, dict), f"{where} must be an object of layers; received {_short(obj)}.")
    out: Weights = {}
    for nid, vs in obj.items():
        _need(isinstance(vs, dict), f"{where}.{nid} must be an object of variables; received {_short(vs)}.")
        out[nid] = {}
        for var, a in vs.items():
            w = f"{where}.{nid}.{var}"
            _need(isinstance(a, dict) and set(a) == {"shape", "f32"},
                  f"{w} must be an object with 'shape' and 'f32'; received {_short(a)}.")
            shape = a["shape"]
            _need(isinstance(shape, list) and len(shape) <= 8 and all(_is_int(d) and d >= 0 for d in shape),
                  f"{w}.shape must be a list of sizes >= 0; received {_short(shape)}.")
            n = math.prod(shape)
            _need(n <= MAX_WEIGHT_VALUES, f"{w}.shape {shape} is absurdly large ({n:,} values).")
            flat = decode_curve({"n": n, "f32": a["f32"]}, w)
            _need(bool(np.all(np.isfinite(flat))), f"{w} contains a value that is not a finite number.")
            out[nid][var] = flat.reshape(shape)
    return out


def to_dict(h: RunHistory) -> dict:
    """The history as JSON-ready data."""
    return {"limit": h.limit, "keep_weights": h.keep_weights, "next_number": h.next_number,
            "items": [_run_to_dict(r) for r in h.runs],
            "weights": {d: _encode_weights(w) for d, w in h.weights.items()}}


def _run_to_dict(r: Run) -> dict:
    return {"number": r.number, "started": r.started, "seconds": r.seconds, "settings": dict(r.settings),
            "seed": r.seed, "fingerprint": r.fingerprint, "start_digest": r.start_digest,
            "end_digest": r.end_digest, "steps": r.steps,
            "batch": {"loss": encode_curve(r.batch_loss), "accuracy": encode_curve(r.batch_accuracy)},
            "epochs": {k: encode_curve(v) for k, v in r.epochs.items()},
            "test_loss": _finite_or_none(r.test_loss), "test_accuracy": _finite_or_none(r.test_accuracy),
            "confusion": None if r.confusion is None else r.confusion.tolist(),
            "stopped": r.stopped, "replay_of": r.replay_of}


def _finite_or_none(v):
    return v if v is None or math.isfinite(v) else None


def from_dict(data: Any, where: str = "runs") -> RunHistory:
    """Validate and build a RunHistory; None (an older file) is an empty history."""
    if data is None:
        return RunHistory()
    _need(isinstance(data, dict), f"{where} must be an object; received {_short(data)}.")
    limit, keep = data.get("limit", DEFAULT_LIMIT), data.get("keep_weights", DEFAULT_KEEP_WEIGHTS)
    try:
        check_limits(limit, keep)
    except RunHistoryError as exc:
        raise ProjectFormatError(f"{where}: {exc}") from None
    items = data.get("items", [])
    _need(isinstance(items, list) and len(items) <= MAX_LIMIT,
          f"{where}.items must be a list of at most {MAX_LIMIT} runs; received {_short(items)}.")
    runs = [_run_from_dict(r, f"{where}.items[{i}]") for i, r in enumerate(items)]
    numbers = [r.number for r in runs]
    _need(len(set(numbers)) == len(numbers), f"{where}.items: a run number is used twice ({numbers}).")
    nxt = data.get("next_number", max(numbers, default=0) + 1)
    _need(_is_int(nxt) and max(numbers, default=0) < nxt <= MAX_RUN_NUMBER,
          f"{where}.next_number must be a whole number above every run's number, at most {MAX_RUN_NUMBER:,}; "
          f"received {_short(nxt)}.")
    pool = data.get("weights", {})
    _need(isinstance(pool, dict), f"{where}.weights must be an object; received {_short(pool)}.")
    weights = {}
    for digest, w in pool.items():
        ws = _decode_weights(w, f"{where}.weights.{digest}")
        _need(weights_digest(ws) == digest, f"{where}.weights.{digest}: the weights do not match their digest "
                                            f"(the file was changed by hand or damaged).")
        weights[digest] = ws
    return RunHistory(runs, weights, limit, keep, nxt)


def _run_from_dict(d: Any, where: str) -> Run:
    _need(isinstance(d, dict), f"{where} must be an object; received {_short(d)}.")

    def get(key, ok, rule, default=_MISSING):
        v = d.get(key, default)
        _need(v is not _MISSING, f"{where}.{key} is missing.")
        _need(ok(v), f"{where}.{key} {rule}; received {_short(v)}.")
        return v

    number = get("number", lambda v: _is_int(v) and 1 <= v <= MAX_RUN_NUMBER,
                 f"must be a whole number from 1 to {MAX_RUN_NUMBER:,}")
    started = get("started", lambda v: isinstance(v, str) and len(v) <= 40, "must be a date text", "")
    seconds = get("seconds", lambda v: _is_num(v) and 0 <= v <= MAX_SECONDS,
                  f"must be a number of seconds from 0 to {MAX_SECONDS:g}", 0.0)
    settings = _run_settings(get("settings", lambda v: isinstance(v, dict), "must be an object of settings"),
                             f"{where}.settings")
    seed = get("seed", lambda v: _is_int(v) and 0 <= v < 2 ** 32, "must be a whole number from 0 to 2**32-1")
    fp = get("fingerprint", _is_digest, "must be a hex digest")
    start = get("start_digest", _is_digest, "must be a hex digest")
    end = get("end_digest", lambda v: v is None or _is_digest(v), "must be a hex digest or null", None)
    steps = get("steps", lambda v: _is_int(v) and 0 <= v <= MAX_STEPS, f"must be a whole number from 0 to "
                                                                         f"{MAX_STEPS:,}")
    batch = get("batch", lambda v: isinstance(v, dict) and set(v) == {"loss", "accuracy"},
                "must be an object with 'loss' and 'accuracy'")
    loss, acc = decode_curve(batch["loss"], f"{where}.batch.loss"), decode_curve(batch["accuracy"],
                                                                                 f"{where}.batch.accuracy")
    _need(len(loss) == len(acc), f"{where}.batch: loss has {len(loss)} values and accuracy {len(acc)}.")
    ep = get("epochs", lambda v: isinstance(v, dict) and set(v) <= set(EPOCH_KEYS),
             f"must be an object with some of {', '.join(EPOCH_KEYS)}", {})
    epochs = {k: decode_curve(v, f"{where}.epochs.{k}") for k, v in ep.items()}
    t_loss = get("test_loss", lambda v: v is None or _is_num(v), "must be a number or null", None)
    t_acc = get("test_accuracy", lambda v: v is None or _is_num(v), "must be a number or null", None)
    cm = get("confusion", lambda v: v is None or _is_matrix(v), "must be a square table of counts or null", None)
    stopped = get("stopped", lambda v: v in STOPS, f"must be one of {', '.join(STOPS)}", "finished")
    replay_of = get("replay_of", lambda v: v is None or (_is_int(v) and 1 <= v <= MAX_RUN_NUMBER),
                    "must be a run number or null", None)
    return make_run(number, started, seconds, settings, seed, fp, start, end, steps, loss, acc, epochs, t_loss,
                    t_acc, None if cm is None else np.array(cm, np.int64), stopped, replay_of)


def _run_settings(settings: dict, where: str) -> dict:
    """A stored run's settings, checked like the project's own (every number bounded) before any replay can use
    them; per-run paths (the TensorBoard folder) are dropped, never used. (A run that does not name its dataset
    loads, for comparing; ``replay_problem`` refuses to replay it.)"""
    from .errors import SettingsError  # noqa: PLC0415
    from .settings import TrainConfig  # noqa: PLC0415 - settings imports nothing from here
    clean = {k: v for k, v in settings.items() if k not in UNSAVED_SETTINGS}
    try:
        TrainConfig.from_dict(clean, where)
    except SettingsError as exc:
        raise ProjectFormatError(str(exc)) from None
    return clean


def stop_position(run: Run) -> tuple[int, bool] | None:
    """Where a replay of ``run`` must stop, as it did: None for a run that was not stopped by the user, else
    (batches trained, whether it was stopped while running). Keras ends a run stopped while running after the
    batch it was starting and records that part of an epoch as an epoch; a run stopped while paused ends before
    the next batch, and records no part of an epoch."""
    if run.stopped != "stopped":
        return None
    batches = len(run.batch_loss)
    epochs = len(run.epochs.get("loss", ()))
    return batches, epochs * max(run.steps, 1) > batches


def replay_problem(run: Run) -> str | None:
    """Why ``run``'s own record cannot be replayed (whatever the network now), or None."""
    if not isinstance(run.settings.get("dataset"), str):
        return f"Run #{run.number} does not say which dataset it trained on, so it cannot be replayed."
    return None


_UNNAMED = re.compile(r"variable(_\d+)?")  # Keras' names for a variable made without one


def rekeyed(have: dict, weights: dict) -> dict:
    """A run's weights for one layer, keyed as the layer's are now (``have``). A run kept in an older version of a
    project names an unnamed variable as Keras did then ("variable_18", from a process-wide counter), where the
    layer now says "variable" (its place in the layer): when the two differ only in such names, and are as many,
    they are matched by position (the stored order is the layer's own, as ``backend.builder.apply_weights`` does
    for such a file). Anything else comes back as it was, for ``restore_problem`` to judge."""
    if not have or set(have) == set(weights) or len(have) != len(weights):
        return weights
    pairs = list(zip(have, weights))
    if all(a == b or (_UNNAMED.fullmatch(a) and _UNNAMED.fullmatch(b)) for a, b in pairs):
        return {a: weights[b] for a, b in pairs}
    return weights


def start_note(seed, history: "RunHistory", start: Weights, fresh: bool) -> str:
    """Where a run about to start begins, in words (the Train panel's status line says it before and after):
    ``seed`` the project's (None: a new one is drawn), ``start`` the weights it starts from, ``fresh`` whether the
    user chose fresh weights."""
    seeded = f"seed {seed}" if seed is not None else "a new seed"
    if fresh:
        kept = " (frozen layers keep theirs)" if start else ""
        return f"from fresh weights ({seeded}){kept}"
    if not start:
        return f"from fresh weights ({seeded}; the network had no weights to continue from)"
    after = continued_run(history, start)
    if after is not None:
        return (f"from run #{after}'s trained weights (it continues that run; choose start from: fresh "
                f"weights to compare runs fairly)")
    return "from the weights the network holds now (pretrained, restored or hand-set)"


def continued_run(history: "RunHistory", start: Weights) -> int | None:
    """The latest run whose final weights ``start`` is, bit for bit, keyed as the layers are now: a run kept with
    Keras' old names for unnamed variables ("variable_18") counts once its names are mapped by position, as
    Restore maps them (``rekeyed``), so a restored old run is continued, not "weights the network holds now"."""
    digest = weights_digest(start)
    for run in reversed(history.runs):
        if run.end_digest == digest:
            return run.number
        end = history.weights_of(run.end_digest)
        if not end or set(end) != set(start):
            continue
        mapped = {nid: rekeyed(start[nid], w) for nid, w in end.items()}
        if any(set(mapped[nid]) != set(end[nid]) for nid in end) and weights_digest(mapped) == digest:
            return run.number
    return None


def restore_problem(graph: Graph, weights: Weights) -> str | None:
    """Why putting ``weights`` (a run's, by node id) into ``graph`` would fail or leave a layer its weights do not
    fit, or None. Checked on a copy, before any undo command exists, so a restore is whole or refused."""
    from .errors import GraphError  # noqa: PLC0415
    from .analysis import infer  # noqa: PLC0415
    trial = graph.copy()
    for nid, w in weights.items():
        if nid not in trial.nodes:
            continue
        node = trial.nodes[nid]
        have = node.weights
        if have and (set(have) != set(w) or any(k not in w or tuple(have[k].shape) != tuple(np.shape(w[k]))
                                                for k in have)):
            def shown(ws):
                return ", ".join(f"{k} {'x'.join(map(str, np.shape(v))) or 'scalar'}" for k, v in list(ws.items())[:4])
            return f"{node.name}: the run's weights ({shown(w)}) do not match the layer's ({shown(have)})."
        try:
            trial.set_weights(nid, w)
        except GraphError as exc:
            return str(exc)
    infos = infer(trial)
    for nid in weights:
        info = infos.get(nid)
        if info is not None and info.status == "error" and info.error_param == "weights":
            return f"{trial.nodes[nid].name}: {info.errors[0]}"
    return None


def _need(cond: bool, msg: str) -> None:
    if not cond:
        raise ProjectFormatError(msg)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return finite_number(v)


def _is_digest(v) -> bool:
    return isinstance(v, str) and 8 <= len(v) <= 64 and all(c in "0123456789abcdef" for c in v)


def _is_matrix(v) -> bool:
    return (isinstance(v, list) and len(v) <= 1000 and all(isinstance(row, list) and len(row) == len(v) and all(
        _is_int(c) and 0 <= c <= MAX_COUNT for c in row) for row in v))




__all__ = ["Run", "RunHistory", "RunHistoryError", "fingerprint", "weights_digest", "confusion", "make_run", "to_dict", "from_dict",
           "EMPTY_DIGEST"]


# ------------------------------------------------------------------ what differs between runs

COMPARED = (("dataset", "data"), ("optimizer", "optimizer"), ("learning_rate", "lr"), ("lr_schedule", "schedule"),
            ("momentum", "momentum"), ("batch_size", "batch"), ("epochs", "epochs"),
            ("validation_split", "val. split"), ("early_stopping", "early stop"), ("start_weights", "start"),
            ("seed", "seed"))


def fresh_start(graph: Graph) -> Graph:
    """A copy of ``graph`` whose trainable layers hold no weights (they start from the seed's random values);
    frozen layers keep theirs (a pretrained base stays pretrained)."""
    g = graph.copy()
    for nid, node in g.nodes.items():
        if node.trainable and node.weights:
            g.set_weights(nid, None)
    return g


def setting_text(key: str, value: Any) -> str:
    if key == "dataset" and isinstance(value, str):
        return value.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return f"{value:g}" if isinstance(value, float) else str(value)


def start_text(history: "RunHistory", run: Run) -> str:
    """Where ``run`` started: "fresh", "after #k" (run k's final weights) or "given" (pretrained or hand-set)."""
    if run.settings.get("start_weights") == "fresh" or run.start_digest == EMPTY_DIGEST:
        return "fresh"
    earlier = [r.number for r in history.runs if r.number < run.number and r.end_digest == run.start_digest]
    return f"after #{earlier[-1]}" if earlier else "given weights"


def differences(history: "RunHistory", runs: list[Run]) -> dict[int, str]:
    """Run number -> the settings in which ``runs`` differ from one another ("lr 0.02, batch 8"), starting
    weights included; empty texts when they agree on everything (or there is one run)."""
    if len(runs) < 2:
        return {r.number: "" for r in runs}
    values = {r.number: {k: r.settings.get(k) for k, _ in COMPARED} for r in runs}
    for r in runs:
        values[r.number]["start_weights"] = start_text(history, r)
    differ = [(k, label) for k, label in COMPARED if len({repr(v[k]) for v in values.values()}) > 1]
    return {n: ", ".join(f"{label} {setting_text(k, v[k])}" if k != "start_weights" else f"{v[k]} start"
                         for k, label in differ) for n, v in values.items()}
