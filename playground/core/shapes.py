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
                axis: str = "row", layer: str = "Conv2D", dilation: int = 1) -> SizeResult:
    """Output length of a sliding window of size ``f``, stride ``s`` over ``n`` inputs.

    ``padding`` is ``"valid"`` (p = 0), ``"same"`` or ``"causal"`` (Keras: out = ceil(n/s)) or an
    integer p added on both sides. A dilation d > 1 spreads the window to d*(f-1)+1 inputs.
    Raises ShapeError naming ``param`` when the output would be empty.
    """
    fe = dilation * (f - 1) + 1
    if padding in ("same", "causal"):
        out = -(-n // s)
        total = max((out - 1) * s + fe - n, 0)
        if not total:
            note = ""
        elif padding == "causal":
            note = f" (causal: pads {total} before)"
        elif total % 2 == 0:
            note = f" (same: p = {total // 2})"
        else:
            note = f" (same: pads {total // 2} before, {total - total // 2} after)"
        return SizeResult(out, f"ceil({n}/{s}) = {out}{note}")
    p = 0 if padding == "valid" else int(padding)
    span = n + 2 * p - fe
    if span < 0:
        hint = (f"use {param} <= {n + 2 * p}, add padding, or use padding='same'"
                if layer != "pool" else f"use {param} <= {n + 2 * p} or padding='same'")
        what = f"{param}={f}" if dilation == 1 else f"{param}={f} dilated by {dilation} (spans {fe})"
        raise ShapeError(
            f"{what} is larger than the {'padded ' if p else ''}input ({n} + 2*{p} = {n + 2 * p} "
            f"{axis}s): the output would have {span // s + 1} {axis}s. To fix it, {hint}.",
            param=param)
    out = span // s + 1
    dropped = span % s
    if dilation == 1:
        return SizeResult(out, f"floor(({n} + 2*{p} - {f})/{s}) + 1 = {out}", dropped)
    return SizeResult(out, f"floor(({n} + 2*{p} - {dilation}*({f}-1) - 1)/{s}) + 1 = {out}", dropped)


def pair(v) -> tuple[int, int]:
    """A size given as one int (square) or (height, width)."""
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def pair_text(v) -> str:
    """``3`` -> ``3x3``; ``(1, 7)`` -> ``1x7``."""
    h, w = pair(v)
    return f"{h}x{w}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def spatial(h: int, w: int, f, s, padding, *, param: str, layer: str,
            stride_param: str = "strides", dilation=1) -> tuple[int, int, str, list[str]]:
    """Apply ``window_size`` to height and width; merge the formulas when they are the same.

    ``f``, ``s`` and ``dilation`` are an int (square) or a (height, width) pair.
    """
    (fh, fw), (sh, sw), (dh, dw) = pair(f), pair(s), pair(dilation)
    rh = window_size(h, fh, sh, padding, param=param, axis="row", layer=layer, dilation=dh)
    rw = window_size(w, fw, sw, padding, param=param, axis="column", layer=layer, dilation=dw)
    formula = f"H = W = {rh.formula}" if rh.formula == rw.formula else f"H = {rh.formula}; W = {rw.formula}"
    warnings = []
    lost = []
    if rh.dropped:
        lost.append(_plural(rh.dropped, "row"))
    if rw.dropped:
        lost.append(_plural(rw.dropped, "column"))
    if lost:
        p = 0 if padding == "valid" else padding
        spans = sorted({h + 2 * p - (dh * (fh - 1) + 1), w + 2 * p - (dw * (fw - 1) + 1)})
        verb = "is" if len(lost) == 1 and (rh.dropped or rw.dropped) == 1 else "are"
        s_text = s if isinstance(s, int) else tuple(s)
        warnings.append(
            f"{stride_param}={s_text} does not divide (n + 2p - f) = {' / '.join(map(str, spans))} evenly, "
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


def _no_stride_with_dilation(p, layer: str) -> None:
    if pair(p.get("dilation_rate", 1)) != (1, 1) and pair(p["strides"]) != (1, 1):
        raise ShapeError(f"{layer} cannot combine strides > 1 with dilation_rate > 1 (Keras refuses it). "
                         f"Received strides={p['strides']!r}, dilation_rate={p['dilation_rate']!r}.",
                         param="dilation_rate")


def rule_conv2d(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "Conv2D")
    groups = p.get("groups", 1)
    if c % groups or p["filters"] % groups:
        raise ShapeError(f"groups={groups} must divide both the input channels ({c}) and filters "
                         f"({p['filters']}).", param="groups")
    _no_stride_with_dilation(p, "Conv2D")
    oh, ow, formula, warns = spatial(h, w, p["kernel_size"], p["strides"], p["padding"],
                                     param="kernel_size", layer="Conv2D", dilation=p.get("dilation_rate", 1))
    return LayerResult((oh, ow, p["filters"]), formula, warns)


def rule_depthwise2d(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "DepthwiseConv2D")
    _no_stride_with_dilation(p, "DepthwiseConv2D")
    oh, ow, formula, warns = spatial(h, w, p["kernel_size"], p["strides"], p["padding"],
                                     param="kernel_size", layer="DepthwiseConv2D", dilation=p["dilation_rate"])
    m = p["depth_multiplier"]
    return LayerResult((oh, ow, c * m), f"{formula}; C = {c}*{m} = {c * m}", warns)


def rule_separable2d(p, inputs) -> LayerResult:
    h, w, _ = need_rank(inputs, 3, "SeparableConv2D")
    _no_stride_with_dilation(p, "SeparableConv2D")
    oh, ow, formula, warns = spatial(h, w, p["kernel_size"], p["strides"], p["padding"],
                                     param="kernel_size", layer="SeparableConv2D", dilation=p["dilation_rate"])
    return LayerResult((oh, ow, p["filters"]), formula, warns)


def _transpose_size(n: int, f: int, s: int, d: int, padding: str) -> tuple[int, str]:
    fe = d * (f - 1) + 1
    if padding == "same":
        return n * s, f"{n}*{s} = {n * s}"
    out = n * s + max(fe - s, 0)
    return out, f"{n}*{s} + max({fe} - {s}, 0) = {out}"


def rule_conv2d_transpose(p, inputs) -> LayerResult:
    h, w, _ = need_rank(inputs, 3, "Conv2DTranspose")
    _no_stride_with_dilation(p, "Conv2DTranspose")
    (fh, fw), (sh, sw), (dh, dw) = pair(p["kernel_size"]), pair(p["strides"]), pair(p["dilation_rate"])
    oh, th = _transpose_size(h, fh, sh, dh, p["padding"])
    ow, tw = _transpose_size(w, fw, sw, dw, p["padding"])
    formula = f"H = W = {th}" if th == tw else f"H = {th}; W = {tw}"
    return LayerResult((oh, ow, p["filters"]), formula)


def rule_conv1d(p, inputs) -> LayerResult:
    n, _ = need_rank(inputs, 2, "Conv1D")
    if p["dilation_rate"] > 1 and p["strides"] > 1:
        raise ShapeError(f"Conv1D cannot combine strides > 1 with dilation_rate > 1. Received "
                         f"strides={p['strides']}, dilation_rate={p['dilation_rate']}.", param="dilation_rate")
    r = window_size(n, p["kernel_size"], p["strides"], p["padding"], param="kernel_size", axis="step",
                    layer="Conv1D", dilation=p["dilation_rate"])
    return LayerResult((r.out, p["filters"]), f"steps = {r.formula}")


def rule_pool1d(p, inputs) -> LayerResult:
    n, c = need_rank(inputs, 2, "MaxPooling1D")
    r = window_size(n, p["pool_size"], _pool_stride(p), p["padding"], param="pool_size", axis="step",
                    layer="pool")
    return LayerResult((r.out, c), f"steps = {r.formula}")


def _pool_stride(p):
    return p["strides"] if p.get("strides") else p["pool_size"]


def rule_pool2d(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "Pooling")
    oh, ow, formula, warns = spatial(h, w, p["pool_size"], _pool_stride(p), p["padding"],
                                     param="pool_size", layer="pool")
    return LayerResult((oh, ow, c), formula, warns)


def rule_global_pool(p, inputs, how: str = "mean") -> LayerResult:
    h, w, c = need_rank(inputs, 3, "Global pooling 2D")
    if p.get("keepdims"):
        return LayerResult((1, 1, c), f"{how} over {h}x{w} per channel -> 1x1x{c}")
    return LayerResult((c,), f"{how} over {h}x{w} per channel -> {c}")


def rule_global_max_pool(p, inputs) -> LayerResult:
    return rule_global_pool(p, inputs, "max")


def rule_global_pool1d(p, inputs) -> LayerResult:
    n, c = need_rank(inputs, 2, "GlobalAveragePooling1D")
    if p.get("keepdims"):
        return LayerResult((1, c), f"mean over {n} steps per channel -> 1x{c}")
    return LayerResult((c,), f"mean over {n} steps per channel -> {c}")


def pad2d(v) -> tuple[tuple[int, int], tuple[int, int]]:
    """ZeroPadding2D / Cropping2D amounts as ((top, bottom), (left, right))."""
    if isinstance(v, int):
        return ((v, v), (v, v))
    (t, b), (l, r) = v
    return ((t, b), (l, r))


def _sides(name: str, a: int, b: int, n: int, sign: str) -> str:
    if a == b:
        return f"{name} = {n} {sign} 2*{a}"
    return f"{name} = {n} {sign} {a} {sign} {b}"


def rule_zeropad(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "ZeroPadding2D")
    (t, b), (l, r) = pad2d(p["padding"])
    oh, ow = h + t + b, w + l + r
    fh, fw = f"{_sides('H', t, b, h, '+')} = {oh}", f"{_sides('W', l, r, w, '+')} = {ow}"
    return LayerResult((oh, ow, c), fh if (h, t, b) == (w, l, r) else f"{fh}; {fw}")


def rule_cropping(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "Cropping2D")
    (t, b), (l, r) = pad2d(p["cropping"])
    oh, ow = h - t - b, w - l - r
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"cropping={p['cropping']!r} removes the whole {h}x{w} input "
                         f"(leaves {oh}x{ow}). Crop less than the input size.", param="cropping")
    fh, fw = f"{_sides('H', t, b, h, '-')} = {oh}", f"{_sides('W', l, r, w, '-')} = {ow}"
    return LayerResult((oh, ow, c), fh if (h, t, b) == (w, l, r) else f"{fh}; {fw}")


def rule_upsampling(p, inputs) -> LayerResult:
    h, w, c = need_rank(inputs, 3, "UpSampling2D")
    sh, sw = pair(p["size"])
    fh, fw = f"H = {h}*{sh} = {h * sh}", f"W = {w}*{sw} = {w * sw}"
    return LayerResult((h * sh, w * sw, c), f"{fh}; {fw}")


# ---- augmentation and resizing (issue 28): the Random* layers act only while training (Keras passes
# images through unchanged at inference), so their shape rule is the identity on an image.


def augment_rule(layer: str, what: str):
    """Shape rule of a random augmentation layer: an image in, the same shape out."""
    def rule(p, inputs) -> LayerResult:
        need_rank(inputs, 3, layer)
        return LayerResult(inputs[0], f"shape unchanged ({what} while training; identity at inference)")
    return rule


def _to_size(p, inputs, layer: str, how: str) -> LayerResult:
    h, w, c = need_rank(inputs, 3, layer)
    oh, ow = p["height"], p["width"]
    res = LayerResult((oh, ow, c), f"H = height = {oh}; W = width = {ow} ({h}x{w} -> {oh}x{ow}, {how})")
    if layer != "Resizing" and (oh > h or ow > w):
        res.warnings.append(f"{layer} of {oh}x{ow} is larger than the {h}x{w} input: Keras resizes the image up "
                            f"instead of cropping it. Use height <= {h} and width <= {w} to crop.")
    return res


def rule_random_crop(p, inputs) -> LayerResult:
    return _to_size(p, inputs, "RandomCrop", "a random window while training, the centre at inference")


def rule_center_crop(p, inputs) -> LayerResult:
    return _to_size(p, inputs, "CenterCrop", "the centre window")


def rule_resizing(p, inputs) -> LayerResult:
    how = f"{p['interpolation']} resampling" + (", cropped to the aspect ratio" if p["crop_to_aspect_ratio"] else "")
    return _to_size(p, inputs, "Resizing", how)


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


def rule_permute(p, inputs) -> LayerResult:
    shape = inputs[0]
    dims = tuple(p["dims"])
    if sorted(dims) != list(range(1, len(shape) + 1)):
        raise ShapeError(f"dims must order the axes 1..{len(shape)} of the {shape_text(shape)} input, each once "
                         f"(axis 0 is the batch). Received dims={dims}.", param="dims")
    out = tuple(shape[d - 1] for d in dims)
    return LayerResult(out, f"{shape_text(shape)} -> axes {dims} -> {shape_text(out)}")


def rule_same(p, inputs) -> LayerResult:
    return LayerResult(inputs[0], "shape unchanged")


def rule_same_image(p, inputs) -> LayerResult:
    need_rank(inputs, 3, "SpatialDropout2D")
    return LayerResult(inputs[0], "shape unchanged")


def axis_index(axis: int, shape: Shape, param: str = "axis") -> int:
    """Keras' axis (0 = batch, negative from the end) as an index into a shape without the batch."""
    rank = len(shape)
    if axis == 0 or axis > rank or axis < -rank:
        valid = f"1 to {rank} or -1 to -{rank}"
        raise ShapeError(f"{param}={axis} is not an axis of the {shape_text(shape)} input: use {valid} "
                         f"(axis 0 is the batch).", param=param)
    return axis - 1 if axis > 0 else rank + axis


def rule_axis_same(p, inputs) -> LayerResult:
    axis_index(p["axis"], inputs[0])
    return LayerResult(inputs[0], "shape unchanged")


def axes_indexes(axis, shape: Shape, param: str = "axis", batch_ok: bool = False) -> list[int]:
    """One or several Keras axes as indexes into a shape without the batch (-1 stands for the batch)."""
    out = []
    for a in (axis if isinstance(axis, (list, tuple)) else (axis,)):
        out.append(-1 if batch_ok and a == 0 else axis_index(a, shape, param))
    if len(set(out)) != len(out):
        raise ShapeError(f"{param}={axis} names the same axis of the {shape_text(shape)} input twice.", param=param)
    return out


def rule_axes_same(p, inputs) -> LayerResult:
    axes_indexes(p["axis"], inputs[0])
    return LayerResult(inputs[0], "shape unchanged")


def rule_softmax(p, inputs) -> LayerResult:
    """Softmax may also run across the batch (axis 0), as Keras allows."""
    batch = -1 in axes_indexes(p["axis"], inputs[0], batch_ok=True)
    return LayerResult(inputs[0], "shape unchanged" + ("; the probabilities sum to 1 across the examples of "
                                                        "a batch (axis 0)" if batch else ""))


def broadcast(a: Shape, b: Shape) -> Shape | None:
    """Keras' element-wise merge shape (trailing axes aligned, size 1 stretches), None if they clash."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[:len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            return None
    return tuple(out)


def rule_elementwise(p, inputs, what: str = "Add", sign: str = "+") -> LayerResult:
    out = inputs[0]
    for other in inputs[1:]:
        out = broadcast(out, other)
        if out is None:
            raise ShapeError(f"{what} needs inputs of the same shape (or size 1 where they differ) but receives "
                             + ", ".join(shape_text(s) for s in inputs) + ".")
    return LayerResult(out, f" {sign} ".join(shape_text(s) for s in inputs) + " (element-wise)")


def rule_add(p, inputs) -> LayerResult:
    return rule_elementwise(p, inputs, "Add", "+")


def elementwise_rule(what: str, sign: str):
    """A shape rule for an element-wise merge layer named ``what``."""
    return lambda p, inputs: rule_elementwise(p, inputs, what, sign)


def rule_concatenate(p, inputs) -> LayerResult:
    first = inputs[0]
    axis = p.get("axis", -1)
    for other in inputs[1:]:
        if len(other) != len(first):
            raise ShapeError("Concatenate needs inputs of the same rank; it receives "
                             + ", ".join(shape_text(s) for s in inputs) + ".")
    k = axis_index(axis, first)
    for other in inputs[1:]:
        if other[:k] + other[k + 1:] != first[:k] + first[k + 1:]:
            raise ShapeError(f"Concatenate joins along axis {axis}, so all other dimensions must match; "
                             "it receives " + ", ".join(shape_text(s) for s in inputs) + ".", param="axis")
    total = sum(s[k] for s in inputs)
    where = "last axis" if k == len(first) - 1 else f"axis {axis}"
    return LayerResult(first[:k] + (total,) + first[k + 1:],
                       f"{where} " + " + ".join(str(s[k]) for s in inputs) + f" = {total}")


def rule_opaque(p, inputs) -> LayerResult:
    """A layer the table lacks: its output shape is the one Keras computed for the inputs it had."""
    had = [tuple(s) for s in p["input_shapes"]]
    out = tuple(p["output_shape"])
    if [tuple(s) for s in inputs] != had:
        raise ShapeError(f"{p['class_name']} is an opaque layer: Keras computed its output "
                         f"({shape_text(out)}) for input {', '.join(shape_text(s) for s in had)}, but it now "
                         f"receives {', '.join(shape_text(s) for s in inputs)}. Restore that input shape, or "
                         f"let Keras recompute it (Model > Check with Keras).")
    return LayerResult(out, f"Keras' compute_output_shape: {', '.join(shape_text(s) for s in had)} -> "
                            f"{shape_text(out)}")


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


def _bias(total: int, text: str, p, k: int) -> tuple[int, int, str]:
    if p.get("use_bias", True):
        total += k
        text += f" + {k}"
    return total, total, f"params = {text} = {fmt_int(total)}"


def _fxf(p) -> tuple[int, int, str]:
    fh, fw = pair(p["kernel_size"])
    return fh, fw, f"{fh}*{fw}"


def count_conv2d(p, inputs, out) -> tuple[int, int, str]:
    fh, fw, ft = _fxf(p)
    d, k, g = inputs[0][-1], p["filters"], p.get("groups", 1)
    if g == 1:
        return _bias(fh * fw * d * k, f"({ft}*{d})*{k}", p, k)
    return _bias(fh * fw * (d // g) * k, f"({ft}*{d}/{g})*{k}", p, k)


def count_conv1d(p, inputs, out) -> tuple[int, int, str]:
    f, d, k = p["kernel_size"], inputs[0][-1], p["filters"]
    return _bias(f * d * k, f"({f}*{d})*{k}", p, k)


def count_depthwise(p, inputs, out) -> tuple[int, int, str]:
    fh, fw, ft = _fxf(p)
    c, m = inputs[0][-1], p["depth_multiplier"]
    return _bias(fh * fw * c * m, f"{ft}*{c}*{m}", p, c * m)


def count_separable(p, inputs, out) -> tuple[int, int, str]:
    fh, fw, ft = _fxf(p)
    c, m, k = inputs[0][-1], p["depth_multiplier"], p["filters"]
    return _bias(fh * fw * c * m + c * m * k, f"{ft}*{c}*{m} + {c}*{m}*{k}", p, k)


def count_transpose(p, inputs, out) -> tuple[int, int, str]:
    fh, fw, ft = _fxf(p)
    d, k = inputs[0][-1], p["filters"]
    return _bias(fh * fw * k * d, f"({ft}*{k})*{d}", p, k)


def count_opaque(p, inputs, out) -> tuple[int, int, str]:
    total, trainable = p["param_count"]
    # (the count Keras made when the layer was imported, as the project stores it: a file can claim any; every
    # build counts again with Keras, before anything is allocated: backend.opaque.opaque_counts)
    return total, trainable, f"params = {fmt_int(total)} (Keras' count, as stored with the layer)" if total else ""


def count_batchnorm(p, inputs, out) -> tuple[int, int, str]:
    c = inputs[0][axis_index(p.get("axis", -1), inputs[0])]
    learned = int(p.get("center", True)) + int(p.get("scale", True))
    names = ", ".join(n for n, on in (("gamma", p.get("scale", True)), ("beta", p.get("center", True))) if on)
    total = (learned + 2) * c
    text = f"params = {learned + 2}*{c} = {fmt_int(total)}"
    return total, learned * c, text + (f" ({fmt_int(learned * c)} trainable: {names})" if learned else
                                        " (none trainable: moving mean and variance)")


def count_layernorm(p, inputs, out) -> tuple[int, int, str]:
    c = math.prod(inputs[0][i] for i in axes_indexes(p["axis"], inputs[0]))
    learned = int(p["center"]) + int(p["scale"])
    total = learned * c
    return total, total, f"params = {learned}*{c} = {fmt_int(total)}" if learned else ""


def count_normalization(p, inputs, out) -> tuple[int, int, str]:
    c = inputs[0][axis_index(p["axis"], inputs[0])]
    total = 2 * c + 1
    return total, 0, f"params = 2*{c} + 1 = {fmt_int(total)} (mean, variance, count; none trainable)"


# ---------------------------------------------------------------- whole-graph inference


def stored_weights_problem(node, params: int) -> str | None:
    """Stored (trained or imported) weights that no longer fit the layer, e.g. after filters 32 -> 16.

    Their numbers must add up to the layer's parameter count; building or exporting would fail otherwise.
    """
    if not node.weights:
        return None
    stored = sum(int(v.size) for v in node.weights.values())
    if stored == params:
        return None
    text = ", ".join(f"{k} {tuple(v.shape)}" for k, v in node.weights.items())
    return (f"The stored weights ({text}: {fmt_int(stored)} numbers) no longer fit this layer, which now has "
            f"{fmt_int(params)} parameters. Reset this layer's weights in the inspector (it starts again from "
            f"random values).")
