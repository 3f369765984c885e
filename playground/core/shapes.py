"""Output-size arithmetic. Every result carries its worked formula with the numbers filled in.

Shapes never include the batch dimension: an MNIST image is ``(28, 28, 1)``, a vector ``(784,)``.
The per-layer rules here are pure functions of ``(params, input_shapes)``; ``infer`` runs them over a
whole graph in topological order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import ShapeError

Shape = tuple[int, ...]


@dataclass(frozen=True)
class SizeResult:
    """One spatial dimension's output size and how it was reached."""

    out: int
    formula: str
    dropped: int = 0  # input rows (or columns) that the last window never reaches


@dataclass
class LayerResult:
    """What a shape rule returns for one layer."""

    shape: Shape
    formula: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class NodeInfo:
    """Inference result for one node: shape, parameters, worked formulas and diagnostics.

    ``status`` is ``ok``, ``warning``, ``error`` (this node's own rule failed) or ``blocked``
    (an upstream node is in error, so this one could not be computed; shown dimmed, not red).
    """

    shape: Shape | None = None
    params: int = 0
    trainable_params: int = 0
    formula: str = ""
    params_formula: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_param: str | None = None
    status: str = "ok"

    @property
    def full_formula(self) -> str:
        parts = [p for p in (self.formula, self.params_formula) if p]
        return "; ".join(parts)


def fmt_int(n: int) -> str:
    """Group thousands the way people read parameter counts: 14,450,688."""
    return f"{n:,}"


def shape_text(shape: Shape | None) -> str:
    """``(28, 28, 1)`` -> ``28x28x1``; ``(784,)`` -> ``784``; None -> ``?``."""
    if shape is None:
        return "?"
    return "x".join(str(d) for d in shape)


def window_size(n: int, f: int, s: int, padding, *, param: str = "kernel_size",
                axis: str = "row", layer: str = "Conv2D") -> SizeResult:
    """Output length of a sliding window of size ``f``, stride ``s`` over ``n`` inputs.

    ``padding`` is ``"valid"`` (p = 0), ``"same"`` (Keras: out = ceil(n/s)) or an integer p added on
    both sides. Raises ShapeError naming ``param`` when the output would be empty.
    """
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + f - n, 0)
        if not total:
            note = ""
        elif total % 2 == 0:
            note = f" (same: p = {total // 2})"
        else:
            note = f" (same: pads {total // 2} before, {total - total // 2} after)"
        return SizeResult(out, f"ceil({n}/{s}) = {out}{note}")
    p = 0 if padding == "valid" else int(padding)
    span = n + 2 * p - f
    if span < 0:
        hint = (f"use {param} <= {n + 2 * p}, add padding, or use padding='same'"
                if layer != "pool" else f"use {param} <= {n + 2 * p} or padding='same'")
        raise ShapeError(
            f"{param}={f} is larger than the {'padded ' if p else ''}input ({n} + 2*{p} = {n + 2 * p} "
            f"{axis}s): the output would have {span // s + 1} {axis}s. To fix it, {hint}.",
            param=param)
    out = span // s + 1
    dropped = span % s
    return SizeResult(out, f"floor(({n} + 2*{p} - {f})/{s}) + 1 = {out}", dropped)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def spatial(h: int, w: int, f: int, s: int, padding, *, param: str, layer: str,
            stride_param: str = "strides") -> tuple[int, int, str, list[str]]:
    """Apply ``window_size`` to height and width; merge the formulas when they are the same."""
    rh = window_size(h, f, s, padding, param=param, axis="row", layer=layer)
    rw = window_size(w, f, s, padding, param=param, axis="column", layer=layer)
    formula = f"H = W = {rh.formula}" if rh.formula == rw.formula else f"H = {rh.formula}; W = {rw.formula}"
    warnings = []
    lost = []
    if rh.dropped:
        lost.append(_plural(rh.dropped, "row"))
    if rw.dropped:
        lost.append(_plural(rw.dropped, "column"))
    if lost:
        p = 0 if padding == "valid" else padding
        spans = sorted({h + 2 * p - f, w + 2 * p - f})
        verb = "is" if len(lost) == 1 and (rh.dropped or rw.dropped) == 1 else "are"
        warnings.append(
            f"{stride_param}={s} does not divide (n + 2p - f) = {' / '.join(map(str, spans))} evenly, "
            f"so floor drops the remainder: the last {' and '.join(lost)} of input {verb} never covered.")
    return rh.out, rw.out, formula, warnings


def need_rank(inputs: list[Shape], rank: int, what: str) -> Shape:
    shape = inputs[0]
    if len(shape) != rank:
        raise ShapeError(
            f"{what} needs a {rank}-D input (height, width, channels) but receives {shape_text(shape)} "
            f"({len(shape)}-D). Add a Reshape before it, or start from an image Input."
            if rank == 3 else
            f"{what} needs a {rank}-D input but receives {shape_text(shape)} ({len(shape)}-D).")
    return shape


# ---------------------------------------------------------------- per-layer shape rules


def rule_input(p, inputs) -> LayerResult:
    shape = tuple(p["shape"])
    return LayerResult(shape, f"input {shape_text(shape)}")


def rule_dense(p, inputs) -> LayerResult:
    shape = inputs[0]
    return LayerResult(shape[:-1] + (p["units"],), f"units = {p['units']}")


def rule_neuron(p, inputs) -> LayerResult:
    shape = inputs[0]
    if len(shape) != 1:
        raise ShapeError(f"Neuron needs a vector input (like 2 for two bits) but receives "
                         f"{shape_text(shape)}. Add a Flatten before it.")
    return LayerResult((p["units"],), f"{p['units']} neuron{'s' if p['units'] != 1 else ''}, "
                                      f"a = {p['activation']}(w0 + sum wi*xi)")


def rule_conv2d(p, inputs) -> LayerResult:
    h, w, _ = need_rank(inputs, 3, "Conv2D")
    oh, ow, formula, warns = spatial(h, w, p["kernel_size"], p["strides"], p["padding"],
                                     param="kernel_size", layer="Conv2D")
    return LayerResult((oh, ow, p["filters"]), formula, warns)


def _pool_stride(p) -> int:
    return p["strides"] if p.get("strides") else p["pool_size"]


def rule_pool2d(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "Pooling")
    oh, ow, formula, warns = spatial(h, w, p["pool_size"], _pool_stride(p), p["padding"],
                                     param="pool_size", layer="pool")
    return LayerResult((oh, ow, c), formula, warns)


def rule_global_pool(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "GlobalAveragePooling2D")
    return LayerResult((c,), f"mean over {h}x{w} per channel -> {c}")


def rule_zeropad(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "ZeroPadding2D")
    q = p["padding"]
    return LayerResult((h + 2 * q, w + 2 * q, c), f"H = {h} + 2*{q} = {h + 2 * q}"
                       + ("" if h == w else f"; W = {w} + 2*{q} = {w + 2 * q}"))


def rule_flatten(p, inputs) -> LayerResult:
    shape = inputs[0]
    n = math.prod(shape)
    return LayerResult((n,), f"{'*'.join(map(str, shape))} = {fmt_int(n)}" if len(shape) > 1 else f"{n}")


def rule_reshape(p, inputs) -> LayerResult:
    shape = inputs[0]
    n = math.prod(shape)
    target = list(p["target_shape"])
    if target.count(-1) > 1:
        raise ShapeError(f"target_shape may contain at most one -1. Received target_shape={tuple(target)}.",
                         param="target_shape")
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if n % known:
            raise ShapeError(f"target_shape={tuple(target)} cannot hold {shape_text(shape)} = {n} values: "
                             f"{n} is not a multiple of {known}.", param="target_shape")
        target[target.index(-1)] = n // known
    elif known != n:
        raise ShapeError(f"target_shape={tuple(target)} holds {known} values but the input "
                         f"{shape_text(shape)} has {n}. Choose a shape whose product is {n}.",
                         param="target_shape")
    return LayerResult(tuple(target), f"{shape_text(shape)} -> {shape_text(tuple(target))} ({n} values)")


def rule_same(p, inputs) -> LayerResult:
    return LayerResult(inputs[0], "shape unchanged")


def rule_add(p, inputs) -> LayerResult:
    first = inputs[0]
    for other in inputs[1:]:
        if other != first:
            raise ShapeError("Add needs inputs of the same shape but receives "
                             + ", ".join(shape_text(s) for s in inputs) + ".")
    return LayerResult(first, " + ".join(shape_text(s) for s in inputs) + " (element-wise)")


def rule_concatenate(p, inputs) -> LayerResult:
    first = inputs[0]
    for other in inputs[1:]:
        if len(other) != len(first) or other[:-1] != first[:-1]:
            raise ShapeError("Concatenate joins along the last axis, so all other dimensions must match; "
                             "it receives " + ", ".join(shape_text(s) for s in inputs) + ".")
    total = sum(s[-1] for s in inputs)
    return LayerResult(first[:-1] + (total,),
                       "last axis " + " + ".join(str(s[-1]) for s in inputs) + f" = {total}")


# ---------------------------------------------------------------- parameter counts


def count_none(p, inputs, out) -> tuple[int, int, str]:
    return 0, 0, ""


def count_dense(p, inputs, out) -> tuple[int, int, str]:
    n_in, k = inputs[0][-1], p["units"]
    if p.get("use_bias", True):
        total = n_in * k + k
        return total, total, f"params = {n_in}*{k} + {k} = {fmt_int(total)}"
    total = n_in * k
    return total, total, f"params = {n_in}*{k} = {fmt_int(total)}"


def count_conv2d(p, inputs, out) -> tuple[int, int, str]:
    f, d, k = p["kernel_size"], inputs[0][-1], p["filters"]
    if p.get("use_bias", True):
        total = f * f * d * k + k
        return total, total, f"params = ({f}*{f}*{d})*{k} + {k} = {fmt_int(total)}"
    total = f * f * d * k
    return total, total, f"params = ({f}*{f}*{d})*{k} = {fmt_int(total)}"


def count_batchnorm(p, inputs, out) -> tuple[int, int, str]:
    c = inputs[0][-1]
    return 4 * c, 2 * c, f"params = 4*{c} = {fmt_int(4 * c)} ({fmt_int(2 * c)} trainable: gamma, beta)"


# ---------------------------------------------------------------- whole-graph inference


def infer(graph) -> dict[str, NodeInfo]:
    """Run every node's shape and parameter rule in topological order.

    A node whose own rule fails is ``error``; its descendants are ``blocked``. Never raises for a
    bad setting: errors are data, shown on the node.
    """
    from .registry import get_spec  # registry imports the rules above

    infos: dict[str, NodeInfo] = {}
    inputs_of: dict[str, list] = {}
    for e in sorted(graph.edges, key=lambda e: e.port):  # one pass, not one scan of all edges per node
        inputs_of.setdefault(e.dst, []).append(e.src)
    for node_id in graph.topological_order():
        node = graph.nodes[node_id]
        spec = get_spec(node.kind)
        info = NodeInfo()
        infos[node_id] = info
        inputs = inputs_of.get(node_id, [])
        if len(inputs) < spec.min_inputs:
            info.status = "error"
            info.errors.append(
                f"{spec.title} needs {'at least ' if spec.max_inputs is None else ''}{spec.min_inputs} "
                f"input{'s' if spec.min_inputs > 1 else ''}; connect "
                f"{'one' if spec.min_inputs == 1 else 'more'} to its left port.")
            continue
        in_shapes = [infos[i].shape for i in inputs]
        if any(s is None for s in in_shapes):
            info.status = "blocked"
            continue
        try:
            res = spec.shape_rule(node.params, in_shapes)
            total, trainable, pformula = spec.count_rule(node.params, in_shapes, res.shape)
        except ShapeError as exc:
            info.status = "error"
            info.errors.append(str(exc))
            info.error_param = exc.param
            continue
        if any(d <= 0 for d in res.shape):
            info.status = "error"
            info.errors.append(f"output shape {res.shape} has an empty dimension.")
            continue
        info.shape, info.formula, info.warnings = res.shape, res.formula, list(res.warnings)
        info.params, info.trainable_params, info.params_formula = total, trainable, pformula
        if spec.check_weights is not None:
            msg = spec.check_weights(node, in_shapes)
            if msg:
                info.errors.append(msg)
                info.status = "error"
                info.error_param = "weights"
                continue
        info.status = "warning" if info.warnings else "ok"
    return infos


def totals(infos: dict[str, NodeInfo]) -> tuple[int, int]:
    """(total, trainable) parameters over the nodes whose shapes were computed."""
    return (sum(i.params for i in infos.values()), sum(i.trainable_params for i in infos.values()))
