"""Lessons: guided exercises whose checks read what the learner actually built.

A lesson file is data (JSON in ``resources/lessons/``, ``"format": "playground-lesson"``, ``"version": 1``): a
title, an optional starting network, and short steps. A step has rich text, hints, an optional check, an optional
layer to highlight, ``setup`` edits made when the learner reaches it and ``show_me`` edits that do the step for them
(both become ordinary undo steps in the app). Nothing in a file runs code or names another file: a starting network
is a built-in preset name or a short chain of layers given inline.

Checks are pure functions of a ``LessonState`` (the graph, its shape results, the run history, the learner's typed
answer, the logic lab's target, a measured accuracy): never a separate quiz model. The loader follows
``core/project.py``: everything is validated before a ``Lesson`` is returned, and every failure is one
``LessonFormatError`` naming the field path and the value. The format is documented in the README ("Lesson files").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import conv, limits, logic
from .errors import PlaygroundError, ResourceError
from .files import read_bytes
from .graph import Graph
from .logic import GATES
from .imagenet import is_preparation
from .numbers import finite_number
from .registry import LAYERS, get_spec
from .runs import RunHistory, fingerprint, start_text
from .analysis import infer
from .shapes import NodeInfo, shape_text, window_size
from .words import count
from .words import short as _short  # one cut for every value a message names


def _many(v: Any, noun: str) -> str:
    """A value refused for its length: a list by its count ("a list of 13 edits"), anything else as it is."""
    return f"a list of {count(len(v), noun)}" if isinstance(v, list) else _short(v)

FORMAT = "playground-lesson"
FORMAT_VERSION = 1
MAX_LESSON_BYTES = 1_000_000  # a lesson is a page of text; the size is refused before anything is parsed
MAX_DEPTH = 12  # nesting of objects and lists; the deepest valid field (a grid row's number) is 7 deep
MAX_STEPS = 60
MAX_TEXT = 4000  # characters in a step's text
MAX_SHORT = 200  # characters in a title, a layer name or a short value
MAX_HINT = 600  # characters in one hint
MAX_HINTS = 6
MAX_ACTIONS = 12  # edits in one setup or show_me
MAX_CHAIN = 30  # layers in a starting chain
MAX_GRID = 16  # rows or columns of a grid in a formula
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# A lesson's text is shown as Qt rich text, which loads what an <img src=...> names from the disk (a FIFO hung the
# app, /dev/zero crashed it): only these tags, and these attributes with plain values, are let through
MARKUP_TAGS = frozenset({"p", "b", "i", "em", "strong", "tt", "code", "br", "sub", "sup", "ul", "ol", "li", "table",
                         "tr", "td", "th"})
MARKUP_ATTRIBUTES = frozenset({"align", "border", "cellspacing", "cellpadding"})
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z-]+\s*=\s*(?:'[A-Za-z0-9]*'|\"[A-Za-z0-9]*\"|[A-Za-z0-9]+))*)"
                     r"\s*/?>")
_ATTR_NAME_RE = re.compile(r"([A-Za-z-]+)\s*=")
# a lesson starts on a dataset the app ships or knows by name, never a path: a lesson names no file
BUILTIN_DATASETS = ("mnist-sample", "mnist", "fashion-mnist", "cifar10", *(f"gate-{g}" for g in GATES))
OUTPUT = "@output"  # a layer reference: the network's one output layer
BASE = "@base"  # a layer set: every layer but the output
WORKSPACES = ("Build", "Logic lab", "Train", "See inside")
INSIDE_PAGES = ("Convolution", "Pooling", "Inside the trained model", "Draw a digit")  # See inside's tabs
GRIDS = {"lecture": conv.LECTURE_IMAGE, "vertical_edge": conv.VERTICAL_EDGE, "horizontal_edge": conv.HORIZONTAL_EDGE,
         "edge_image": conv.EDGE_IMAGE, "pool_grid": conv.POOL_GRID}
DROPOUT_KINDS = ("dropout", "spatialdropout2d")


class LessonFormatError(PlaygroundError):
    """A lesson file cannot be used: one line naming the field and the value."""


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class Check:
    """What a step asks for: ``kind`` (a key of CHECKS) and its validated arguments."""

    kind: str
    args: dict


@dataclass(frozen=True)
class Action:
    """One edit a step makes (setup) or offers (show me): ``do`` (a key of ACTIONS) and its arguments."""

    do: str
    args: dict


@dataclass(frozen=True)
class Start:
    """A starting network: a preset name, or a chain of (type, name, params, weights) layers."""

    preset: str | None = None
    chain: tuple = ()
    dataset: str | None = None  # the training dataset for a chain


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    text: str  # rich text (Qt's HTML subset)
    hints: tuple[str, ...] = ()
    check: Check | None = None  # None: a reading step
    highlight: str | None = None  # a layer name (or @output) selected on the canvas when the step opens
    workspace: str | None = None  # the workspace the step opens in
    page: str | None = None  # with workspace "See inside": the page (tab) it opens on
    start: Start | None = None  # replaces the project when the step opens (asks to save first)
    setup: tuple[Action, ...] = ()
    show_me: tuple[Action, ...] = ()
    mask: str | None = None  # a layer (or @output) whose sizes stay hidden while this step shows: the next asks them

    @property
    def asks_answer(self) -> bool:
        return self.check is not None and self.check.kind == "answer"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    start: Start | None = None
    version: int = FORMAT_VERSION


@dataclass
class LessonState:
    """What a check may read: the document's real state, and the learner's typed answer."""

    graph: Graph
    infos: dict[str, NodeInfo] | None = None
    runs: RunHistory = field(default_factory=RunHistory)
    answer: str | None = None
    logic_target: Any = None
    filter_accuracy: tuple[float | None, float] | None = None  # (accuracy when trained, accuracy now)

    def __post_init__(self):
        if self.infos is None:
            self.infos = infer(self.graph)


@dataclass(frozen=True)
class Result:
    passed: bool
    message: str


# ------------------------------------------------------------------ loading



def _need(cond: bool, msg: str) -> None:
    if not cond:
        raise LessonFormatError(msg)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    return finite_number(v)


def _text(obj: dict, key: str, where: str, limit: int, required: bool = True, default: str = "") -> str:
    if key not in obj:
        _need(not required, f"{where}.{key} is missing.")
        return default
    v = obj[key]
    _need(isinstance(v, str), f"{where}.{key} must be text; received {_short(v)}.")
    _need(len(v) <= limit, f"{where}.{key} is {len(v):,} characters; at most {limit:,} are allowed.")
    _markup(v, f"{where}.{key}")
    return v


def _markup(text: str, where: str) -> None:
    """Every ``<`` in ``text`` opens an allowed tag whose attributes are allowed ones with plain values."""
    at = text.find("<")
    while at >= 0:
        after = text[at + 1:].lstrip()[:1]
        if after and not (after.isalpha() or after in "/!?"):  # "w1 < 0" is text, not a tag
            at = text.find("<", at + 1)
            continue
        tag = _TAG_RE.match(text, at)
        bad = tag is None or tag[2].lower() not in MARKUP_TAGS or \
            any(a.lower() not in MARKUP_ATTRIBUTES for a in _ATTR_NAME_RE.findall(tag[3]))
        _need(not bad, f"{where} may use only the tags {', '.join(sorted(MARKUP_TAGS))} (attributes "
                       f"{', '.join(sorted(MARKUP_ATTRIBUTES))}); write &lt; for a '<' of the text. Received "
                       f"{_short(text[at:at + 60])}.")
        at = text.find("<", tag.end())


def _keys(obj: dict, allowed: tuple, where: str) -> None:
    for k in obj:
        _need(k in allowed, f"{where}.{k} is not a field this format knows ({', '.join(allowed)}).")


def _depth(data: Any) -> int:
    """Nesting depth of parsed JSON, without recursion (a hostile file must not exhaust the stack)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if d > MAX_DEPTH:
                return d
            todo.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _layer_ref(v: Any, where: str) -> str:
    from .graph import NAME_RE  # a layer name as the canvas allows one (no markup: "<img src=...>" passed a sweep)
    _need(isinstance(v, str) and 0 < len(v) <= MAX_SHORT and (v == OUTPUT or NAME_RE.fullmatch(v) is not None),
          f"{where} must name a layer (its name on the canvas, or {OUTPUT!r}); received {_short(v)}.")
    return v


def _grid(v: Any, where: str) -> np.ndarray:
    if isinstance(v, str):
        _need(v in GRIDS, f"{where} {_short(v)} is not a known grid ({', '.join(GRIDS)}) or a list of rows.")
        return np.asarray(GRIDS[v], dtype=float)
    _need(isinstance(v, list) and 0 < len(v) <= MAX_GRID and all(
        isinstance(r, list) and 0 < len(r) <= MAX_GRID and all(_is_num(x) for x in r) for r in v)
        and len({len(r) for r in v}) == 1,
        f"{where} must be a grid name or 1 to {MAX_GRID} rows of equally many numbers; received {_short(v)}.")
    return np.asarray(v, dtype=float)


def _int_arg(args: dict, key: str, where: str, lo: int = 0, hi: int = 10 ** 9, default=None) -> int:
    v = args.get(key, default)
    _need(_is_int(v) and lo <= v <= hi, f"{where}.{key} must be a whole number from {lo} to {hi:,}; "
                                        f"received {_short(v)}.")
    return v


def _padding(v: Any, where: str):
    _need(v in ("valid", "same") or (_is_int(v) and 0 <= v <= 100),
          f"{where} must be 'valid', 'same' or a whole number 0 to 100; received {_short(v)}.")
    return v


# formulas for answer checks: name -> (argument names, validator)
def _v_window(a: dict, w: str) -> dict:
    _keys(a, ("n", "f", "p", "s"), w)
    return {"n": _int_arg(a, "n", w, 1, 100_000), "f": _int_arg(a, "f", w, 1, 1000),
            "p": _padding(a.get("p", 0), f"{w}.p"), "s": _int_arg(a, "s", w, 1, 1000, default=1)}


def _v_conv_params(a: dict, w: str) -> dict:
    _keys(a, ("f", "d", "k", "bias"), w)
    bias = a.get("bias", True)
    _need(isinstance(bias, bool), f"{w}.bias must be true or false; received {_short(bias)}.")
    return {"f": _int_arg(a, "f", w, 1, 1000), "d": _int_arg(a, "d", w, 1, 100_000),
            "k": _int_arg(a, "k", w, 1, 100_000), "bias": bias}


def _v_conv_cell(a: dict, w: str) -> dict:
    _keys(a, ("image", "kernel", "row", "col", "padding", "stride"), w)
    image, kernel = _grid(a.get("image"), f"{w}.image"), _grid(a.get("kernel"), f"{w}.kernel")
    _need(kernel.shape[0] == kernel.shape[1], f"{w}.kernel must be square; received {kernel.shape[0]}x"
                                              f"{kernel.shape[1]}.")
    out = {"image": image, "kernel": kernel, "row": _int_arg(a, "row", w, 0, MAX_GRID),
           "col": _int_arg(a, "col", w, 0, MAX_GRID), "padding": _padding(a.get("padding", 0), f"{w}.padding"),
           "stride": _int_arg(a, "stride", w, 1, MAX_GRID, default=1)}
    try:
        oh, ow = conv.convolve2d(image, kernel, out["stride"], out["padding"]).shape
    except PlaygroundError as exc:
        raise LessonFormatError(f"{w}: {exc}") from None
    _need(out["row"] < oh and out["col"] < ow, f"{w}: cell ({out['row']}, {out['col']}) is outside the {oh}x{ow} "
                                               f"output.")
    return out


def _v_pool_cell(a: dict, w: str) -> dict:
    _keys(a, ("grid", "size", "stride", "mode", "row", "col"), w)
    grid = _grid(a.get("grid"), f"{w}.grid")
    mode = a.get("mode", "max")
    _need(mode in ("max", "avg"), f"{w}.mode must be 'max' or 'avg'; received {_short(mode)}.")
    out = {"grid": grid, "size": _int_arg(a, "size", w, 1, MAX_GRID, default=2), "mode": mode,
           "row": _int_arg(a, "row", w, 0, MAX_GRID), "col": _int_arg(a, "col", w, 0, MAX_GRID)}
    out["stride"] = _int_arg(a, "stride", w, 1, MAX_GRID, default=out["size"])
    try:
        res = conv.pool2d(grid, out["size"], out["stride"], mode)
    except PlaygroundError as exc:
        raise LessonFormatError(f"{w}: {exc}") from None
    _need(out["row"] < res.shape[0] and out["col"] < res.shape[1],
          f"{w}: cell ({out['row']}, {out['col']}) is outside the {res.shape[0]}x{res.shape[1]} output.")
    return out


def _v_layer(a: dict, w: str) -> dict:
    _keys(a, ("layer",), w)
    return {"layer": _layer_ref(a.get("layer"), f"{w}.layer")}


FORMULAS = {"window": _v_window, "conv_params": _v_conv_params, "conv_cell": _v_conv_cell,
            "pool_cell": _v_pool_cell, "layer_shape": _v_layer, "layer_params": _v_layer}


def _v_check_answer(c: dict, w: str) -> dict:
    _keys(c, ("kind", "formula"), w)
    f = c.get("formula")
    _need(isinstance(f, dict) and len(f) == 1, f"{w}.formula must be an object with one of "
                                               f"{', '.join(FORMULAS)}; received {_short(f)}.")
    (name, args), = f.items()
    _need(name in FORMULAS, f"{w}.formula.{name} is not a formula this format knows ({', '.join(FORMULAS)}).")
    _need(isinstance(args, dict), f"{w}.formula.{name} must be an object; received {_short(args)}.")
    return {"formula": name, "args": FORMULAS[name](args, f"{w}.formula.{name}")}


def _v_check_truth(c: dict, w: str) -> dict:
    _keys(c, ("kind", "target", "layer", "unit"), w)
    t = c.get("target")
    ok = (isinstance(t, str) and t in logic.GATES) or (
        isinstance(t, list) and len(t) in (2, 4, 8, 16, 32, 64) and all(v in (0, 1) and not isinstance(v, bool)
                                                                         for v in t))
    _need(ok, f"{w}.target must be a gate ({', '.join(logic.GATES)}) or a list of 0/1 values, one per row; "
              f"received {_short(t)}.")
    out = {"target": t, "layer": None, "unit": 1}
    if "layer" in c:  # one neuron of a hidden layer: its own column of the table
        out["layer"] = _layer_ref(c["layer"], f"{w}.layer")
        out["unit"] = _int_arg(c, "unit", w, 1, 64, default=1)
    return out


def _v_check_shape(c: dict, w: str) -> dict:
    _keys(c, ("kind", "layer", "shape"), w)
    s = c.get("shape")
    _need(isinstance(s, list) and 0 < len(s) <= 8 and all(_is_int(d) and d > 0 for d in s),
          f"{w}.shape must be a list of 1 to 8 sizes > 0; received {_short(s)}.")
    return {"layer": _layer_ref(c.get("layer"), f"{w}.layer"), "shape": tuple(s)}


def _v_check_params(c: dict, w: str) -> dict:
    _keys(c, ("kind", "layer", "params"), w)
    return {"layer": _layer_ref(c.get("layer"), f"{w}.layer"), "params": _int_arg(c, "params", w, 0, 10 ** 15)}


def _scalar(v: Any, where: str):
    _need(isinstance(v, (str, bool)) and len(str(v)) <= MAX_SHORT or _is_num(v) or v is None or (
        isinstance(v, list) and len(v) <= 8 and all(_is_num(x) for x in v)),
        f"{where} must be a number, short text, true/false, null or a short list of numbers; received {_short(v)}.")
    return v


def _layer_param_value(c: dict, w: str, tag: str) -> dict:
    """A check's or an action's {layer, param, value} (``tag`` is its "kind" or "do" key)."""
    _keys(c, (tag, "layer", "param", "value"), w)
    p = c.get("param")
    _need(isinstance(p, str) and 0 < len(p) <= 64, f"{w}.param must name a layer parameter; received {_short(p)}.")
    _need("value" in c, f"{w}.value is missing.")
    return {"layer": _layer_ref(c.get("layer"), f"{w}.layer"), "param": p, "value": _scalar(c["value"], f"{w}.value")}


def _v_check_param(c: dict, w: str) -> dict:
    return _layer_param_value(c, w, "kind")


def _v_check_layer_type(c: dict, w: str) -> dict:
    _keys(c, ("kind", "type"), w)
    t = c.get("type")
    _need(isinstance(t, str) and t in LAYERS, f"{w}.type {_short(t)} is not a layer type ({', '.join(LAYERS)}).")
    return {"type": t}


def _v_check_accuracy(c: dict, w: str) -> dict:
    _keys(c, ("kind", "at_least", "same_network", "own_data"), w)
    a = c.get("at_least")
    _need(_is_num(a) and 0 <= a <= 1, f"{w}.at_least must be a number from 0 to 1; received {_short(a)}.")
    same, own = c.get("same_network", True), c.get("own_data", False)
    _need(isinstance(same, bool), f"{w}.same_network must be true or false; received {_short(same)}.")
    _need(isinstance(own, bool), f"{w}.own_data must be true or false; received {_short(own)}.")
    return {"at_least": float(a), "same_network": same, "own_data": own}


def _v_check_between(c: dict, w: str) -> dict:
    """A layer of a type wired between two; with ``params``, its parameters too ({"rate": 0.5})."""
    _keys(c, ("kind", "type", "after", "before", "params"), w)
    out = {**_v_check_layer_type({"kind": c.get("kind"), "type": c.get("type")}, w),
           "after": _layer_ref(c.get("after"), f"{w}.after"), "before": _layer_ref(c.get("before"), f"{w}.before")}
    params = c.get("params", {})
    _need(isinstance(params, dict) and len(params) <= 8,
          f"{w}.params must be an object of up to 8 parameters; received {_short(params)}.")
    specs = {p.name: p for p in get_spec(out["type"]).params}
    checked = {}
    for name, value in params.items():
        _need(name in specs, f"{w}.params: {_short(name)} is not a parameter of {out['type']} ({', '.join(specs)}).")
        _scalar(value, f"{w}.params.{name}")
        try:  # a value the layer could hold (a rate of "lots" or 7 made a step nobody could pass)
            checked[name] = specs[name].validate(value, f"{w}.params")
        except PlaygroundError as exc:
            raise LessonFormatError(str(exc)) from None
    return {**out, "params": checked}


MAX_ALL = 6  # checks one step may ask for together


def _v_check_all(c: dict, w: str) -> dict:
    """Every one of a few checks (a step that asks for a stride of 2 checks the stride as well as the size it makes:
    a kernel of 5 at stride 1 made the same 2x2)."""
    _keys(c, ("kind", "checks"), w)
    checks = c.get("checks")
    _need(isinstance(checks, list) and 2 <= len(checks) <= MAX_ALL,
          f"{w}.checks must be a list of 2 to {MAX_ALL} checks; received {_many(checks, 'check')}.")
    out = []
    for i, sub in enumerate(checks):
        _need(not (isinstance(sub, dict) and sub.get("kind") == "all"), f"{w}.checks[{i}] may not be another 'all'.")
        out.append(_check(sub, f"{w}.checks[{i}]"))
    return {"checks": tuple(out)}


def _v_check_distinct(c: dict, w: str) -> dict:
    _keys(c, ("kind", "count"), w)
    return {"count": _int_arg(c, "count", w, 2, 20)}


def _v_check_target(c: dict, w: str) -> dict:
    _keys(c, ("kind", "value"), w)
    v = c.get("value")
    _need(isinstance(v, str) and v in logic.GATES, f"{w}.value must be a gate ({', '.join(logic.GATES)}); "
                                                  f"received {_short(v)}.")
    return {"value": v}


def _v_check_none(c: dict, w: str) -> dict:
    _keys(c, ("kind",), w)
    return {}


CHECK_VALIDATORS = {
    "truth_table": _v_check_truth, "layer_shape": _v_check_shape, "layer_params": _v_check_params,
    "layer_param": _v_check_param, "answer": _v_check_answer, "hidden_layer": _v_check_none,
    "has_layer": _v_check_layer_type, "logic_target": _v_check_target, "run_accuracy": _v_check_accuracy,
    "distinct_runs": _v_check_distinct, "dropout_gap": _v_check_none, "filter_edit": _v_check_none,
    "frozen_base": _v_check_none, "layer_between": _v_check_between, "all": _v_check_all,
}


def _is_number_like(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _v_weights(a: dict, w: str) -> dict:
    _keys(a, ("do", "layer", "kernel", "bias"), w)
    k, b = a.get("kernel"), a.get("bias")
    _need(isinstance(k, list) and 0 < len(k) <= 64 and all(
        isinstance(r, list) and 0 < len(r) <= 64 and all(_is_number_like(x) for x in r) for r in k)
        and len({len(r) for r in k}) == 1,
        f"{w}.kernel must be rows of numbers, one row per input; received {_short(k)}.")
    _need(isinstance(b, list) and len(b) == len(k[0]) and all(_is_number_like(x) for x in b),
          f"{w}.bias must be {len(k[0])} numbers, one per neuron; received {_short(b)}.")
    cells = [(f"kernel[{i}][{j}]", x) for i, r in enumerate(k) for j, x in enumerate(r)] + \
        [(f"bias[{j}]", x) for j, x in enumerate(b)]
    bad = next(((where, x) for where, x in cells if not _is_num(x)), None)
    _need(bad is None, f"{w}.{bad and bad[0]} must be a finite number a 64-bit float holds exactly; received "
                       f"{_short(bad and bad[1])}.")
    with np.errstate(over="ignore"):  # a value past float32 becomes inf, refused just below
        kernel, bias = np.array(k, np.float32), np.array(b, np.float32)
    _need(bool(np.all(np.isfinite(kernel)) and np.all(np.isfinite(bias))),
          f"{w}: a weight is past float32's range (about 3.4e38), so it would be infinite.")
    return {"layer": _layer_ref(a.get("layer"), f"{w}.layer"), "kernel": kernel, "bias": bias}


def _v_set_param(a: dict, w: str) -> dict:
    return _layer_param_value(a, w, "do")


def _v_target(a: dict, w: str) -> dict:
    _keys(a, ("do", "value"), w)
    v = a.get("value")
    _need(isinstance(v, str) and v in logic.GATES, f"{w}.value must be a gate ({', '.join(logic.GATES)}); "
                                                  f"received {_short(v)}.")
    return {"value": v}


def _v_insert(a: dict, w: str) -> dict:
    _keys(a, ("do", "layer", "type", "name", "params"), w)
    t = a.get("type")
    _need(isinstance(t, str) and t in LAYERS, f"{w}.type {_short(t)} is not a layer type ({', '.join(LAYERS)}).")
    params = a.get("params", {})
    _need(isinstance(params, dict), f"{w}.params must be an object; received {_short(params)}.")
    try:
        clean = get_spec(t).validate_params(params)
    except PlaygroundError as exc:
        raise LessonFormatError(f"{w}.params: {exc}") from None
    name = a.get("name")
    _need(name is None or (isinstance(name, str) and 0 < len(name) <= 64),
          f"{w}.name must be a short text; received {_short(name)}.")
    return {"layer": _layer_ref(a.get("layer"), f"{w}.layer"), "type": t, "name": name, "params": clean}


def _v_rename(a: dict, w: str) -> dict:
    _keys(a, ("do", "layer", "name"), w)
    name = a.get("name")
    _need(isinstance(name, str) and 0 < len(name) <= 64, f"{w}.name must be a short text; received {_short(name)}.")
    return {"layer": _layer_ref(a.get("layer"), f"{w}.layer"), "name": name}


def _v_trainable(a: dict, w: str) -> dict:
    _keys(a, ("do", "layers", "value"), w)
    ls = a.get("layers")
    _need(ls == BASE or (isinstance(ls, list) and 0 < len(ls) <= 100 and all(
        isinstance(x, str) and 0 < len(x) <= MAX_SHORT for x in ls)),
        f"{w}.layers must be {BASE!r} or a list of layer names; received {_short(ls)}.")
    v = a.get("value")
    _need(isinstance(v, bool), f"{w}.value must be true or false; received {_short(v)}.")
    return {"layers": ls, "value": v}


def _v_network(a: dict, w: str) -> dict:
    _keys(a, ("do", "preset"), w)
    return {"preset": _preset_name(a.get("preset"), f"{w}.preset")}


ACTION_VALIDATORS = {"set_weights": _v_weights, "set_param": _v_set_param, "set_logic_target": _v_target,
                     "insert_after": _v_insert, "set_trainable": _v_trainable, "load_network": _v_network,
                     "rename": _v_rename}


def _preset_name(v: Any, where: str) -> str:
    from ..resources_path import preset_names  # the shipped presets; no path a file could point elsewhere
    names = preset_names()
    _need(isinstance(v, str) and v in names, f"{where} {_short(v)} is not a built-in preset ({', '.join(names)}).")
    return v


def _check(c: Any, w: str) -> Check | None:
    if c is None:
        return None
    _need(isinstance(c, dict), f"{w} must be an object with a 'kind'; received {_short(c)}.")
    kind = c.get("kind")
    _need(isinstance(kind, str) and kind in CHECK_VALIDATORS,
          f"{w}.kind {_short(kind)} is not a check this format knows ({', '.join(CHECK_VALIDATORS)}).")
    return Check(kind, CHECK_VALIDATORS[kind](c, w))


def _actions(v: Any, w: str) -> tuple[Action, ...]:
    if v is None:
        return ()
    _need(isinstance(v, list) and len(v) <= MAX_ACTIONS,
          f"{w} must be a list of at most {MAX_ACTIONS} edits; received {_many(v, 'edit')}.")
    out = []
    for i, a in enumerate(v):
        wi = f"{w}[{i}]"
        _need(isinstance(a, dict), f"{wi} must be an object with a 'do'; received {_short(a)}.")
        do = a.get("do")
        _need(isinstance(do, str) and do in ACTION_VALIDATORS,
              f"{wi}.do {_short(do)} is not an edit this format knows ({', '.join(ACTION_VALIDATORS)}).")
        out.append(Action(do, ACTION_VALIDATORS[do](a, wi)))
    return tuple(out)


def _start(v: Any, w: str) -> Start | None:
    if v is None:
        return None
    _need(isinstance(v, dict), f"{w} must be an object with 'preset' or 'chain'; received {_short(v)}.")
    _keys(v, ("preset", "chain", "dataset"), w)
    if "preset" in v:
        _need("chain" not in v, f"{w} takes 'preset' or 'chain', not both.")
        return Start(preset=_preset_name(v["preset"], f"{w}.preset"))
    chain = v.get("chain")
    _need(isinstance(chain, list) and 0 < len(chain) <= MAX_CHAIN,
          f"{w}.chain must be a list of 1 to {MAX_CHAIN} layers; received {_many(chain, 'layer')}.")
    layers, names = [], set()
    for i, layer in enumerate(chain):
        wi = f"{w}.chain[{i}]"
        _need(isinstance(layer, dict), f"{wi} must be an object with a 'type'; received {_short(layer)}.")
        _keys(layer, ("type", "name", "params", "weights"), wi)
        t = layer.get("type")
        _need(isinstance(t, str) and t in LAYERS, f"{wi}.type {_short(t)} is not a layer type ({', '.join(LAYERS)}).")
        _need((t == "input") == (i == 0), f"{wi}: a chain starts with one input layer and has no other.")
        params = layer.get("params", {})
        _need(isinstance(params, dict), f"{wi}.params must be an object; received {_short(params)}.")
        try:
            clean = get_spec(t).validate_params(params)
        except PlaygroundError as exc:
            raise LessonFormatError(f"{wi}.params: {exc}") from None
        name = layer.get("name", t if t not in names else f"{t}_{i}")
        _need(isinstance(name, str) and 0 < len(name) <= 64 and name not in names,
              f"{wi}.name must be a short text used once; received {_short(name)}.")
        names.add(name)
        weights = None
        if "weights" in layer:
            _need(t == "neuron", f"{wi}.weights: only neuron layers take weights in a lesson file.")
            given = layer["weights"]
            _need(isinstance(given, dict), f"{wi}.weights must be an object with 'kernel' and 'bias'; received "
                                           f"{_short(given)}.")
            _keys(given, ("kernel", "bias"), f"{wi}.weights")
            wts = _v_weights({**given, "layer": name}, f"{wi}.weights")
            weights = {"kernel": wts["kernel"], "bias": wts["bias"]}
        layers.append((t, name, clean, weights))
    ds = v.get("dataset")
    _need(ds is None or ds in BUILTIN_DATASETS,
          f"{w}.dataset must be one of the datasets the app knows by name ({', '.join(BUILTIN_DATASETS)}): a lesson "
          f"names no file; received {_short(ds)}.")
    start = Start(chain=tuple(layers), dataset=ds)
    try:
        start_graph(start)
    except PlaygroundError as exc:
        raise LessonFormatError(f"{w}.chain: {exc}") from None
    return start


def from_dict(data: Any) -> Lesson:
    """Validate and build a Lesson; LessonFormatError names the bad field and its value."""
    _need(isinstance(data, dict), f"A lesson file holds a JSON object at the top; this one holds "
                                  f"{type(data).__name__} {_short(data)}.")
    _need(_depth(data) <= MAX_DEPTH, f"The lesson is nested more than {MAX_DEPTH} levels deep; no field of the "
                                     f"format needs that.")
    _need(data.get("format") == FORMAT, f"format must be {FORMAT!r}; received {_short(data.get('format'))}.")
    version = data.get("version")
    _need(_is_int(version), f"version must be a whole number; received {_short(version)}.")
    _need(version <= FORMAT_VERSION, f"This lesson is format version {version}; this playground reads up to "
                                     f"{FORMAT_VERSION}. Please update the playground to use it.")
    _need(version >= 1, f"version must be 1 or more; received {version}.")
    _keys(data, ("format", "version", "id", "title", "summary", "start", "steps"), "lesson")
    lid = data.get("id")
    _need(isinstance(lid, str) and ID_RE.match(lid) is not None,
          f"id must be lower-case letters, digits, '-' or '_' (at most 64); received {_short(lid)}.")
    title = _text(data, "title", "lesson", MAX_SHORT)
    summary = _text(data, "summary", "lesson", MAX_TEXT, required=False)
    start = _start(data.get("start"), "start")
    steps = data.get("steps")
    _need(isinstance(steps, list) and 0 < len(steps) <= MAX_STEPS,
          f"steps must be a list of 1 to {MAX_STEPS} steps; received "
          f"{_short(steps) if not isinstance(steps, list) else f'{len(steps):,} steps'}.")
    out, ids = [], set()
    for i, s in enumerate(steps):
        w = f"steps[{i}]"
        _need(isinstance(s, dict), f"{w} must be an object; received {_short(s)}.")
        _keys(s, ("id", "title", "text", "hints", "check", "highlight", "workspace", "page", "start", "setup",
                  "show_me", "mask"), w)
        sid = s.get("id", f"step{i + 1}")
        _need(isinstance(sid, str) and ID_RE.match(sid) is not None and sid not in ids,
              f"{w}.id must be a short lower-case id used once; received {_short(sid)}.")
        ids.add(sid)
        hints = s.get("hints", [])
        _need(isinstance(hints, list) and len(hints) <= MAX_HINTS,
              f"{w}.hints must be a list of at most {MAX_HINTS} texts; received {_many(hints, 'text')}.")
        for j, h in enumerate(hints):
            _need(isinstance(h, str) and len(h) <= MAX_HINT,
                  f"{w}.hints[{j}] must be text of at most {MAX_HINT} characters; received {_short(h)}.")
            _markup(h, f"{w}.hints[{j}]")
        hl, mask = s.get("highlight"), s.get("mask")
        if hl is not None:
            _layer_ref(hl, f"{w}.highlight")
        if mask is not None:
            _layer_ref(mask, f"{w}.mask")
        ws = s.get("workspace")
        _need(ws is None or ws in WORKSPACES, f"{w}.workspace must be one of {', '.join(WORKSPACES)}; "
                                              f"received {_short(ws)}.")
        page = s.get("page")
        _need(page is None or page in INSIDE_PAGES, f"{w}.page must be one of {', '.join(INSIDE_PAGES)}; "
                                                    f"received {_short(page)}.")
        _need(page is None or ws == "See inside", f"{w}.page is a See inside page: it needs \"workspace\": "
                                                  f"\"See inside\"; received workspace {_short(ws)}.")
        out.append(Step(sid, _text(s, "title", w, MAX_SHORT), _text(s, "text", w, MAX_TEXT), tuple(hints),
                        _check(s.get("check"), f"{w}.check"), hl, ws, page, _start(s.get("start"), f"{w}.start"),
                        _actions(s.get("setup"), f"{w}.setup"), _actions(s.get("show_me"), f"{w}.show_me"),
                        mask))
    return Lesson(lid, title, summary, tuple(out), start, version)


def loads(text: str | bytes) -> Lesson:
    """Parse JSON text into a Lesson; every failure is one LessonFormatError."""
    _need(len(text) <= MAX_LESSON_BYTES, f"The lesson is {len(text):,} characters; a lesson may be at most "
                                         f"{MAX_LESSON_BYTES:,}.")
    try:
        limits.require_json(text, "The lesson")  # 121 MB at worst: refused only where even that is not free
    except ResourceError as exc:
        raise LessonFormatError(str(exc)) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise LessonFormatError(f"The lesson is nested more than {MAX_DEPTH} levels deep; no field of the format "
                                f"needs that.") from None
    except UnicodeDecodeError as exc:
        raise LessonFormatError(f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except ValueError as exc:
        raise LessonFormatError(f"The file is not valid JSON: {exc}.") from None
    return from_dict(data)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in a lesson file")


def load(path) -> Lesson:
    """Read one lesson file (a regular file of at most MAX_LESSON_BYTES); LessonFormatError names the problem."""
    return loads(read_bytes(Path(path), LessonFormatError, "a lesson file", max_size=MAX_LESSON_BYTES))


def builtin_lessons() -> list[Lesson]:
    """The shipped lessons, in file-name order (``01-...json`` first)."""
    from ..resources_path import resource_root
    folder = resource_root() / "lessons"
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)
    return [loads(p.read_bytes()) for p in files]


# ------------------------------------------------------------------ starting networks

def start_graph(start: Start) -> Graph:
    """The chain of a Start as a Graph (a preset start is read by the caller, like File > New from preset)."""
    g = Graph()
    prev = None
    for i, (kind, name, params, weights) in enumerate(start.chain):
        n = g.add_node(kind, dict(params), name=name, pos=(i * 240.0, 0.0),
                       weights={k: v.copy() for k, v in weights.items()} if weights else None)
        if prev is not None:
            g.connect(prev.id, n.id)
        prev = n
    return g


# ------------------------------------------------------------------ checks

def find_layer(graph: Graph, ref: str):
    """The node a lesson names (by its canvas name, or @output), or None."""
    if ref == OUTPUT:
        outs = graph.outputs()
        return outs[0] if len(outs) == 1 else None
    try:
        return graph.by_name(ref)
    except PlaygroundError:
        return graph.was_named(ref)  # renamed by the learner: still the layer the lesson means


def _missing(ref: str) -> Result:
    if ref == OUTPUT:
        return Result(False, "The network needs exactly one output layer for this step.")
    return Result(False, f"There is no layer named {ref!r} on the canvas; this step needs it (rename a layer, or "
                         f"press Show me).")


def parse_numbers(text: str | None) -> list[float] | None:
    """A typed answer as numbers: '4', '-5', '5.25', '4x4', '55 x 55 x 96', '4, 4'; None if it is not numbers."""
    if text is None:
        return None
    text = text.replace("\u2212", "-")  # the minus sign a keyboard layout or a copied formula gives
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 614,656 is one number
    parts = [p for p in re.split(r"[\s,x\u00d7*()]+", text.strip().lower()) if p]
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return None
    return nums if nums and all(math.isfinite(v) for v in nums) else None


def _fmt(v: float) -> str:
    return f"{v:g}" if float(v).is_integer() else f"{v:.4g}"


def formula_value(name: str, args: dict, state: LessonState) -> tuple[list[float] | None, str]:
    """(expected numbers, the worked formula ending in '= value'), or (None, why it cannot be computed)."""
    if name == "window":
        r = window_size(args["n"], args["f"], args["s"], args["p"])
        return [r.out], r.formula.split(" (")[0]
    if name == "conv_params":
        f, d, k = args["f"], args["d"], args["k"]
        total = f * f * d * k + (k if args["bias"] else 0)
        return [total], f"({f}*{f}*{d})*{k}{f' + {k}' if args['bias'] else ''} = {total:,}"
    if name == "conv_cell":
        step = next(s for s in conv.conv_steps(args["image"], args["kernel"], args["stride"], args["padding"])
                    if (s.row, s.col) == (args["row"], args["col"]))
        f = args["kernel"].shape[0]
        x = conv.pad2d(args["image"], f, args["stride"], args["padding"])
        win = x[step.top:step.top + f, step.left:step.left + f]
        pairs = [(a, b) for a, b in zip(win.ravel(), args["kernel"].ravel()) if b != 0]
        terms = " + ".join(f"{_fmt(a)}*{_fmt(b) if b >= 0 else f'({_fmt(b)})'}" for a, b in pairs)
        return [step.value], f"{terms or '0'} = {_fmt(step.value)}"
    if name == "pool_cell":
        step = next(s for s in conv.pool_steps(args["grid"], args["size"], args["stride"], args["mode"])
                    if (s.row, s.col) == (args["row"], args["col"]))
        vals = ", ".join(_fmt(v) for v in step.terms.ravel())
        fn = "max" if args["mode"] == "max" else "mean"
        return [step.value], f"{fn}({vals}) = {_fmt(step.value)}"
    node = find_layer(state.graph, args["layer"])
    if node is None:
        return None, _missing(args["layer"]).message
    info = state.infos.get(node.id)
    if info is None or info.shape is None:
        return None, f"The shape of {node.name!r} cannot be computed yet: {'; '.join(info.errors) if info else ''}"
    if name == "layer_shape":
        return [float(d) for d in info.shape], f"{info.formula} -> {shape_text(info.shape)}"
    return [float(info.params)], info.params_formula or f"{node.name} has {info.params:,} parameters"


def said_back(typed: str) -> str:
    """An answer as a message repeats it: at most 24 characters, so that it fits the lessons' column whatever it is
    (600 typed were said back whole)."""
    return typed if len(typed) <= 24 else typed[:21] + "..."


def check_answer(args: dict, state: LessonState) -> Result:
    expected, formula = formula_value(args["formula"], args["args"], state)
    if expected is None:
        return Result(False, formula)
    typed = (state.answer or "").strip()
    if not typed:
        return Result(False, "Type your prediction in the answer field first, then check it.")
    typed = re.sub(r"[\u00a0\u202f\u2009]", " ", typed.replace("\u2212", "-"))  # a minus sign, no-break and
    got = parse_numbers(typed)  # thin spaces as a keyboard or a copied number gives them
    cell = args["formula"] in ("pool_cell", "conv_cell")  # a value, maybe a fraction (a size's "4,4" is 4x4)
    if cell and (m := re.fullmatch(r"\s*(-?\d+),(\d+)\s*", typed)):  # a decimal comma: 5,25
        got = [float(f"{m.group(1)}.{m.group(2)}")]
    elif cell and (m := re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", typed)) \
            and float(m.group(2)) != 0:  # a fraction: 21/4
        got = [float(m.group(1)) / float(m.group(2))]
    if len(expected) == 1 and args["formula"] != "window" and re.fullmatch(r"\s*-?\d{1,3}(?: \d{3})+\s*", typed):
        got = [float(typed.replace(" ", ""))]  # 614 656: one number spaced in thousands (it was read as 614x656; a
        # size's "100 100" is still its square)
    if got is None:
        return Result(False, f"{said_back(typed)!r} is not a number; type a number such as 4 (or a shape such as "
                             f"4x4x1).")
    if args["formula"] == "layer_shape" and len(got) < len(expected) and \
            all(math.isclose(a, b, abs_tol=0.005) for a, b in zip(got, expected)):  # (55 for 55x55x96: "wrong")
        what = "height x width x channels" if len(expected) == 3 else " x ".join(["size"] * len(expected))
        return Result(False, f"{said_back(typed)} is right as far as it goes, but the output's shape has "
                             f"{len(expected)} numbers ({what}): type all {len(expected)}.")
    if args["formula"] == "window" and len(got) in (2, 3):  # a side asked, written as the square it makes
        got = got[:1] if got[0] == got[1] else got  # ("4x4" or "4x4x1" for 4: refused as wrong before, though
        # the field's placeholder offered the shape form; the channels, not asked, are not checked)
    if len(got) == len(expected) and all(math.isclose(a, b, abs_tol=0.005) for a, b in zip(got, expected)):
        return Result(True, f"Right: {formula}.")
    return Result(False, f"{formula}, you wrote {said_back(typed)}.")


def check_truth_table(args: dict, state: LessonState) -> Result:
    target = args["target"]
    name = target.upper() if isinstance(target, str) else "the target column"
    try:
        table = logic.truth_table(state.graph, None if args["layer"] else target)
        if args["layer"] is None:
            if table.all_correct:
                return Result(True, f"All {len(table.inputs)} rows give {name}.")
            return Result(False, f"Not {name} yet: {table.verdict()}")
        node = find_layer(state.graph, args["layer"])
        trace = next((t for t in table.layers if node is not None and t.node_id == node.id), None)
        if trace is None:
            return _missing(args["layer"])
        u = args["unit"]
        if u > trace.a.shape[1]:
            return Result(False, f"{node.name} has {count(trace.a.shape[1], 'neuron')}; this step asks about "
                                 f"neuron {u}.")
        col = logic.target_column(target, table.inputs.shape[1])
    except PlaygroundError as exc:
        return Result(False, str(exc))
    bits = logic.predicted_bits(trace.a[:, u - 1])
    wrong = [i for i in range(len(col)) if bits[i] != col[i]]
    who = f"neuron {u} of {node.name}"
    if not wrong:
        return Result(True, f"{who} computes {name} on all {len(col)} rows.")
    rows = ", ".join(f"row {r + 1} ({logic.row_label(table.inputs[r])}) gives {bits[r]}" for r in wrong)
    return Result(False, f"{who} is not {name} yet: {rows}.")


def _info(state: LessonState, ref: str):
    node = find_layer(state.graph, ref)
    if node is None:
        return None, None, _missing(ref)
    info = state.infos.get(node.id)
    if info is None or info.shape is None:
        why = "; ".join(info.errors) if info and info.errors else "an earlier layer has an error"
        return node, None, Result(False, f"The output of {node.name!r} cannot be computed: {why}")
    return node, info, None


def check_layer_shape(args: dict, state: LessonState) -> Result:
    node, info, bad = _info(state, args["layer"])
    if bad:
        return bad
    want = shape_text(args["shape"])
    if tuple(info.shape) == tuple(args["shape"]):
        return Result(True, f"{node.name} outputs {want}: {info.formula}.")
    return Result(False, f"{node.name} outputs {shape_text(info.shape)} ({info.formula}); this step wants {want}.")


def check_layer_params(args: dict, state: LessonState) -> Result:
    node, info, bad = _info(state, args["layer"])
    if bad:
        return bad
    if info.params == args["params"]:
        return Result(True, f"{node.name} has {info.params:,} parameters: {info.params_formula}.")
    return Result(False, f"{node.name} has {info.params:,} parameters ({info.params_formula}); this step wants "
                         f"{args['params']:,}.")


def _same_value(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    for one, other in ((a, b), (b, a)):  # strides 2 and strides [2, 2] are the same strides
        if isinstance(one, (list, tuple)) and one and isinstance(other, (int, float)) and \
                all(not isinstance(v, bool) and v == other for v in one):
            return True
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and list(a) == list(b)
    return a == b


def check_layer_param(args: dict, state: LessonState) -> Result:
    node = find_layer(state.graph, args["layer"])
    if node is None:
        return _missing(args["layer"])
    if args["param"] not in node.params:
        return Result(False, f"{node.name} ({get_spec(node.kind).title}) has no parameter {args['param']!r}.")
    have, want = node.params[args["param"]], args["value"]
    if _same_value(have, want):
        info = state.infos.get(node.id)
        seen = f"; it outputs {shape_text(info.shape)}: {info.formula}" if info and info.shape else ""
        return Result(True, f"{node.name}: {args['param']} = {_value_text(have)}{seen}.")
    return Result(False, f"{node.name}: {args['param']} is {_value_text(have)}; this step wants {_value_text(want)}.")


def _value_text(v) -> str:
    """A parameter's value as the inspector shows it: 32x32x3 for a shape, 'same' quoted, numbers as they are."""
    if isinstance(v, (list, tuple)) and v and all(_is_number_like(x) for x in v):
        return "x".join(_fmt(x) for x in v)
    return repr(v)


def check_hidden_layer(args: dict, state: LessonState) -> Result:
    g = state.graph
    outputs = {n.id for n in g.outputs()}
    hidden = [n for n in g.nodes.values() if n.kind in ("neuron", "dense") and n.id not in outputs
              and g.output_ids(n.id)]
    if hidden:
        return Result(True, f"{hidden[0].name} is a hidden layer: it feeds the next layer, not the output.")
    return Result(False, "Every neuron layer is an output: add a hidden layer between the input and the output "
                         "(the Logic lab's \u201cAdd a hidden layer\u201d button, or a Neuron from the palette).")


def check_has_layer(args: dict, state: LessonState) -> Result:
    found = [n for n in state.graph.nodes.values() if n.kind == args["type"]]
    title = get_spec(args["type"]).title
    if found:
        return Result(True, f"{found[0].name} is a {title} layer.")
    return Result(False, f"The network has no {title} layer yet.")


def check_layer_between(args: dict, state: LessonState) -> Result:
    """A layer of ``type`` wired from ``after`` straight into ``before`` (a Dropout left unwired, or put after the
    softmax output, passed "Add dropout between hidden and out")."""
    g, title = state.graph, get_spec(args["type"]).title
    a, b = find_layer(g, args["after"]), find_layer(g, args["before"])
    if a is None or b is None:
        return _missing(args["after"] if a is None else args["before"])
    found = [n for n in g.nodes.values() if n.kind == args["type"]]
    if not found:
        return Result(False, f"The network has no {title} layer yet.")
    for n in found:
        if g.input_ids(n.id) == [a.id] and n.id in g.input_ids(b.id):
            off = [(k, v) for k, v in args.get("params", {}).items() if not _same_value(n.params.get(k), v)]
            if off:  # (a rate of 0 drops nothing: a drive passed "Dropout (rate 0.5)" with it)
                have = ", ".join(f"{k} {_value_text(n.params.get(k))}" for k, _ in off)
                want = ", ".join(f"{k} {_value_text(v)}" for k, v in off)
                return Result(False, f"{n.name} sits between {a.name} and {b.name}, its {have}; this step wants "
                                     f"{want}.")
            return Result(True, f"{n.name} ({title}) sits between {a.name} and {b.name}.")
    n = found[0]
    ins, outs = [g.nodes[i].name for i in g.input_ids(n.id)], [g.nodes[o].name for o in g.output_ids(n.id)]
    where = (f"takes {', '.join(ins) or 'nothing'} and feeds {', '.join(outs) or 'nothing'}")
    return Result(False, f"{n.name} {where}; this step wants it between {a.name} and {b.name} ({a.name} \u2192 "
                         f"{n.name} \u2192 {b.name}).")


def check_all(args: dict, state: LessonState) -> Result:
    said = []
    for check in args["checks"]:
        res = run_check(check, state)
        if not res.passed:
            return res
        if res.message:
            said.append(res.message)
    return Result(True, " ".join(dict.fromkeys(said)))


def check_logic_target(args: dict, state: LessonState) -> Result:
    if state.logic_target == args["value"]:
        return Result(True, f"The Logic lab's target is {args['value'].upper()}.")
    have = state.logic_target.upper() if isinstance(state.logic_target, str) else "not set to a gate"
    return Result(False, f"The Logic lab's target is {have}; choose {args['value'].upper()} in its Target box.")


def check_run_accuracy(args: dict, state: LessonState) -> Result:
    fp = fingerprint(state.graph) if args["same_network"] else None
    runs = [r for r in state.runs.runs if r.test_accuracy is not None and (fp is None or r.fingerprint == fp)]
    want = args["at_least"]
    if args.get("own_data"):  # your own images, not a built-in set (the digits passed "train the head on yours")
        built_in = [r for r in runs if r.settings.get("dataset", "mnist-sample") in BUILTIN_DATASETS]
        runs = [r for r in runs if r not in built_in]
        if not runs and built_in:
            return Result(False, f"Run {built_in[-1].number} trained on the built-in "
                                 f"{built_in[-1].settings.get('dataset', 'mnist-sample')}; this step wants your own "
                                 f"data: in Train choose your image folder (Data: Your own image folder\u2026).")
    if not runs:
        which = "this network" if fp else "any network"
        return Result(False, f"No finished run of {which} with a test accuracy yet: press F5 (Train \u2192 Start).")
    best = max(runs, key=lambda r: r.test_accuracy)
    if best.test_accuracy >= want:
        return Result(True, f"Run {best.number} reached {best.test_accuracy:.1%} test accuracy "
                            f"(at least {want:.0%}).")
    return Result(False, f"The best run so far, run {best.number}, reached {best.test_accuracy:.1%}; this step "
                         f"wants at least {want:.0%}.")


def check_distinct_runs(args: dict, state: LessonState) -> Result:
    seen = {}
    for r in state.runs.runs:
        if r.test_accuracy is not None:
            seen[r.fingerprint] = r
    n = args["count"]
    if len(seen) >= n:
        text = ", ".join(f"run {r.number}: {r.test_accuracy:.1%}" for r in seen.values())
        return Result(True, f"{len(seen)} different networks trained ({text}); compare them in the Runs tab.")
    return Result(False, f"{len(seen)} of {n} different networks trained so far (each needs a finished run with a "
                         f"test accuracy).")


LEARNS_TOLERANCE = 0.05  # the dropout run's validation accuracy may be this much below the run without it


def _gap(run) -> float | None:
    acc, val = run.epochs.get("accuracy"), run.epochs.get("val_accuracy")
    if acc is None or val is None or not len(acc) or not len(val):
        return None
    return float(acc[-1]) - float(val[-1])


def without_dropout(graph: Graph) -> Graph:
    """The graph with its dropout layers taken out and their inputs wired to their consumers."""
    g = graph.copy()
    for n in [n for n in g.nodes.values() if n.kind in DROPOUT_KINDS]:
        srcs = g.input_ids(n.id)
        outs = [(e.dst, e.port) for e in g.edges if e.src == n.id]
        g.remove_node(n.id)
        for dst, port in outs:
            for s in srcs:
                g.connect(s, dst, port)
    return g


def check_dropout_gap(args: dict, state: LessonState) -> Result:
    g = state.graph
    if not any(n.kind in DROPOUT_KINDS for n in g.nodes.values()):
        return Result(False, "The network has no Dropout layer yet.")
    fp, fp_before = fingerprint(g), fingerprint(without_dropout(g))
    after = [r for r in state.runs.runs if r.fingerprint == fp and _gap(r) is not None]
    before = [r for r in state.runs.runs if r.fingerprint == fp_before and _gap(r) is not None]
    if not before:
        return Result(False, "No run of this network without its dropout (with a validation split) is in the run "
                             "history: train it before adding dropout.")
    if not after:
        return Result(False, "Train the network with dropout now (keep the validation split).")
    fresh = [r for r in after if not start_text(state.runs, r).startswith("after #")]  # not going on from a run
    if not fresh:
        return Result(False, f"Run {after[-1].number} went on from trained weights, so it is not the same training "
                             f"with dropout: in Train set \u201cstart from\u201d to \u201cfresh weights\u201d and "
                             f"train again.")
    b, a = before[-1], fresh[-1]
    gb, ga = _gap(b), _gap(a)
    text = (f"train - validation accuracy: run {b.number} without dropout {gb:+.1%}, run {a.number} with dropout "
            f"{ga:+.1%}")
    va, vb = float(a.epochs["val_accuracy"][-1]), float(b.epochs["val_accuracy"][-1])
    if ga < gb and va < vb - LEARNS_TOLERANCE:  # (dropout after the softmax: train accuracy fell to 46%, the gap
        outs = {n.id for n in g.outputs()}  # -43%)
        after_out = any(g.input_ids(n.id) and set(g.input_ids(n.id)) <= outs or n.id in outs
                        for n in g.nodes.values() if n.kind in DROPOUT_KINDS)
        fix = ("Put the Dropout between the hidden layer and the output, not after the output." if after_out else
               "Try a lower dropout rate (0.5 zeroes half of the hidden units).")
        return Result(False, f"The gap closed because run {a.number} stopped learning, not because it overfits "
                             f"less: its validation accuracy is {va:.1%} against {vb:.1%} without dropout ({text}). "
                             f"{fix}")
    if ga < gb:
        return Result(True, f"The gap shrank: {text}.")
    return Result(False, f"The gap did not shrink: {text}. Try a higher dropout rate, or more epochs for both.")


def check_filter_edit(args: dict, state: LessonState) -> Result:
    g = state.graph
    last = next((r for r in reversed(state.runs.runs) if r.end_digest), None)
    if last is None:
        return Result(False, "Train the network first: a filter edit needs trained filters.")
    trained = state.runs.weights_of(last.end_digest)
    if trained is None:
        return Result(False, f"The weights of run {last.number} are no longer kept; train again.")
    convs = [n for n in g.nodes.values() if n.kind == "conv2d" and n.id in trained and n.weights]
    edited = [n for n in convs if any(
        k not in trained[n.id] or trained[n.id][k].shape != v.shape or not np.array_equal(trained[n.id][k], v)
        for k, v in n.weights.items())]
    if not edited:
        return Result(False, "No filter differs from the trained ones yet: in See inside, click a filter and edit "
                             "its numbers (or zero it).")
    if state.filter_accuracy is None:
        return Result(False, f"{edited[0].name}'s filters were edited; wait for the test accuracy to be measured "
                             f"in See inside.")
    was, now = state.filter_accuracy
    was = last.test_accuracy if was is None else was
    if was is None or now == was:
        return Result(False, f"The accuracy did not change ({now:.1%}); edit a filter that matters more.")
    return Result(True, f"Editing {edited[0].name} moved the test accuracy from {was:.1%} to {now:.1%}.")


def check_frozen_base(args: dict, state: LessonState) -> Result:
    g = state.graph
    outs = g.outputs()
    if len(outs) != 1:
        return Result(False, "The network needs exactly one output layer (the new head).")
    head = outs[0]
    weighted = [n for n in g.nodes.values() if state.infos.get(n.id) and state.infos[n.id].params > 0
                and not is_preparation(n)]  # (the pixels' preparation is not a trained base)
    frozen = [n for n in weighted if not n.trainable]
    if not head.trainable:
        return Result(False, f"The head, {head.name}, is frozen: it must learn your classes (select it and "
                             f"unfreeze it).")
    start = ("Start from a trained network: File \u2192 New from a pretrained network, File \u2192 Open a Keras "
             "model, or, offline, the mnist-cnn preset trained here first.")
    if not frozen:
        if not any(n.weights for n in weighted):
            return Result(False, f"No layer holds trained weights, and none is frozen. {start}")
        return Result(False, "No layer of the base is frozen: freeze the pretrained layers so training keeps "
                             "their weights.")
    blank = [n for n in frozen if not n.weights]
    if blank:  # (an untrained preset's frozen conv2d passed: freezing random weights keeps them random)
        return Result(False, f"{blank[0].name} is frozen but holds no trained weights: freezing random weights keeps "
                             f"them random. {start}")
    unfrozen = [n for n in weighted if n.trainable and n.id != head.id]
    trains = "trains" if len(unfrozen) == 1 else "train"
    note = f" ({count(len(unfrozen), 'other layer')} still {trains})" if unfrozen else ""
    return Result(True, f"{count(len(frozen), 'base layer')} frozen, the head {head.name} trains{note}.")


CHECKS = {
    "truth_table": check_truth_table, "layer_shape": check_layer_shape, "layer_params": check_layer_params,
    "layer_param": check_layer_param, "answer": check_answer, "hidden_layer": check_hidden_layer,
    "has_layer": check_has_layer, "logic_target": check_logic_target, "run_accuracy": check_run_accuracy,
    "distinct_runs": check_distinct_runs, "dropout_gap": check_dropout_gap, "filter_edit": check_filter_edit,
    "frozen_base": check_frozen_base, "layer_between": check_layer_between, "all": check_all,
}
assert CHECKS.keys() == CHECK_VALIDATORS.keys()


RUN_CHECKS = {"run_accuracy", "distinct_runs", "dropout_gap", "filter_edit"}


def about_runs(check: Check | None) -> bool:
    """A check that reads the runs: a finished run says where the step stands (a Build step does not get a red cross
    from a run of an earlier step finishing)."""
    if check is None:
        return False
    if check.kind == "all":
        return any(about_runs(c) for c in check.args["checks"])
    return check.kind in RUN_CHECKS


NETWORK_CHECKS = {"layer_param", "layer_shape", "layer_params", "layer_between", "has_layer",
                  "logic_target"}  # (and the Logic lab's target, which the learner sets as part of the network)


def about_the_network(check: Check | None) -> bool:
    """A check of what the network is (a parameter, a size, a count, a layer's place), which a change to the network
    can fail at once, as against one that waits for a run or an answer."""
    if check is None:
        return False
    if check.kind == "all":
        return all(about_the_network(c) for c in check.args["checks"])
    return check.kind in NETWORK_CHECKS


def run_check(check: Check | None, state: LessonState) -> Result:
    """Evaluate a step's check on the real state; a reading step (no check) always passes."""
    if check is None:
        return Result(True, "")
    return CHECKS[check.kind](check.args, state)


__all__ = ["Lesson", "Step", "Check", "Action", "Start", "LessonState", "Result", "LessonFormatError", "loads",
           "load", "from_dict", "run_check", "about_the_network", "about_runs", "builtin_lessons", "start_graph",
           "find_layer", "FORMAT",
           "FORMAT_VERSION"]
