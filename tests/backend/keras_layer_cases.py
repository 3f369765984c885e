"""The parameterised cases of Keras' own layer tests, read as data.

Keras ships its layer tests (``keras/src/layers/**/*_test.py``). Most cases call
``self.run_layer_test(layers.X, init_kwargs={...}, input_shape=..., expected_output_shape=...)``, either
with literal arguments or with the values of an ``@parameterized.parameters`` / ``named_parameters`` /
``product`` decorator. This module reads those files with ``ast`` (nothing in them runs) and yields one
``Case`` per call whose arguments are plain literals once the decorator's values are bound. A case whose
arguments are not literals (a constraint object, a computed shape) is left out and counted.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One ``run_layer_test`` call of Keras' test suite, with every argument a literal."""

    source: str  # file:function[#index]
    class_name: str
    init_kwargs: dict = field(hash=False)
    input_shapes: tuple = ()  # one shape per input, batch first
    expected_output_shape: tuple | None = None  # None: the test leaves the shape to Keras


class ClassRef(str):
    """A layer class named in a test (``layers.Add``): its name only."""


class _NotLiteral(Exception):
    pass


class _Unreadable:
    """A value that is no literal (``np.add``, a lambda): fine to carry, an error to use."""


UNREADABLE = _Unreadable()


def _lenient(node: ast.AST, env: dict):
    try:
        return _value(node, env)
    except _NotLiteral:
        return UNREADABLE


def _value(node: ast.AST, env: dict):
    """Evaluate a literal expression, with names bound from ``env`` (the decorator's values)."""
    if isinstance(node, ast.Starred):
        return _value(node.value, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in ("None", "True", "False"):
            return {"None": None, "True": True, "False": False}[node.id]
        raise _NotLiteral(node.id)
    if isinstance(node, ast.Tuple):
        return tuple(_value(e, env) for e in node.elts)
    if isinstance(node, ast.List):
        return [_value(e, env) for e in node.elts]
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise _NotLiteral("**")
        return {_value(k, env): _lenient(v, env) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, env)
    if isinstance(node, ast.Attribute) and node.attr[:1].isupper():
        return ClassRef(node.attr)  # layers.Conv2D, as a decorator value or the call's first argument
    raise _NotLiteral(ast.dump(node)[:40])


def _bindings(fn: ast.FunctionDef, module: dict) -> list[dict] | None:
    """The argument sets the function's parameterized decorator gives it; [{}] for none; None if unreadable."""
    names = [a.arg for a in fn.args.args if a.arg != "self"]
    for dec in fn.decorator_list:
        if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute)):
            continue
        how = dec.func.attr
        try:
            if how in ("parameters", "named_parameters"):
                out = []
                args = []
                for arg in dec.args:  # parameters(*CASES) or parameters(CASES) with a module-level list
                    if isinstance(arg, (ast.Starred, ast.Name)):
                        v = _value(arg, module)
                        args.extend(v if isinstance(arg, ast.Starred) or len(dec.args) == 1 else [v])
                    else:
                        args.append(_value(arg, module))
                for v in args:
                    if isinstance(v, dict):
                        v = {k: x for k, x in v.items() if k != "testcase_name"}
                        out.append(v)
                    elif isinstance(v, (tuple, list)):
                        vals = list(v[1:]) if how == "named_parameters" else list(v)
                        out.append(dict(zip(names, vals)))
                    else:
                        out.append(dict(zip(names, [v])))
                return out
            if how == "product":
                axes = {k.arg: _value(k.value, module) for k in dec.keywords}
                return [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]
        except _NotLiteral:
            return None
    return [{}]


def _defaults(fn: ast.FunctionDef) -> dict:
    args = [a.arg for a in fn.args.args]
    out = {}
    for name, d in zip(args[len(args) - len(fn.args.defaults):], fn.args.defaults):
        try:
            out[name] = _value(d, {})
        except _NotLiteral:
            pass
    return out


def _is_shape(v) -> bool:
    return isinstance(v, (tuple, list)) and bool(v) and all(
        isinstance(d, int) and not isinstance(d, bool) for d in v)


def _is_shapes(v) -> bool:
    return isinstance(v, (tuple, list)) and bool(v) and all(_is_shape(s) for s in v)


def _array_shape(node: ast.AST, env: dict) -> tuple | None:
    """The shape of a test's input array: np.array(literal), np.ones((..)), np.random.rand(a, b), ..."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    how = node.func.attr
    try:
        if how == "array" and node.args:
            v = _value(node.args[0], env)
            shape = []
            while isinstance(v, (list, tuple)):
                shape.append(len(v))
                v = v[0] if v else None
            return tuple(shape) or None
        if how in ("rand", "randn") and node.args:
            return tuple(_value(a, env) for a in node.args)
        if how in ("ones", "zeros", "random", "normal", "uniform", "standard_normal"):
            kw = {k.arg: k.value for k in node.keywords}
            arg = kw.get("size") or kw.get("shape") or (node.args[0] if how in ("ones", "zeros", "random",
                                                                               "standard_normal") and node.args else None)
            v = _value(arg, env) if arg is not None else None
            return tuple(v) if _is_shape(v) else None
    except _NotLiteral:
        return None
    return None


def _direct_calls(fn: ast.FunctionDef, env: dict):
    """``layers.X(literal kwargs)(x)`` and ``layer = layers.X(...); layer(x)`` with x a literal-shaped array."""
    arrays: dict[str, tuple] = {}
    made: dict[str, tuple] = {}
    for st in ast.walk(fn):
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            shape = _array_shape(st.value, env)
            if shape:
                arrays[st.targets[0].id] = shape
            elif isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Attribute) \
                    and st.value.func.attr[:1].isupper() and not st.value.args:
                made[st.targets[0].id] = st.value
    for call in ast.walk(fn):
        if not (isinstance(call, ast.Call) and len(call.args) == 1):
            continue
        ctor = call.func
        if isinstance(ctor, ast.Name):
            ctor = made.get(ctor.id)
        if not (isinstance(ctor, ast.Call) and isinstance(ctor.func, ast.Attribute) and not ctor.args
                and ctor.func.attr[:1].isupper()):
            continue
        arg = call.args[0]
        shape = arrays.get(arg.id) if isinstance(arg, ast.Name) else _array_shape(arg, env)
        if not shape:
            continue
        try:
            init = {k.arg: _value(k.value, env) for k in ctor.keywords}
        except _NotLiteral:
            continue
        yield ctor.func.attr, init, shape


def read_cases(keras_root: Path) -> tuple[list[Case], int]:
    """Every literal ``run_layer_test`` case under ``keras_root/src/layers``, and how many were left out."""
    cases: list[Case] = []
    left_out = 0
    for path in sorted((keras_root / "src" / "layers").rglob("*_test.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = {t.id: _lenient(st.value, {}) for st in tree.body if isinstance(st, ast.Assign)
                  for t in st.targets if isinstance(t, ast.Name)}
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [c for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                     and c.func.attr == "run_layer_test"]
            binds = _bindings(fn, module)
            if binds is None:
                left_out += len(calls)
                continue
            for i, env in enumerate(binds):
                env = {**_defaults(fn), **env}
                for cls, init, shape in _direct_calls(fn, env):
                    cases.append(Case(f"{path.relative_to(keras_root)}:{fn.name}#{i}", cls, init, (shape,), None))
                for call in calls:
                    kw = {k.arg: k.value for k in call.keywords}
                    cls_node = call.args[0] if call.args else kw.get("layer_cls")
                    if cls_node is None or "input_shape" not in kw:
                        left_out += 1
                        continue
                    try:
                        cls = _value(cls_node, env)
                        init = _value(kw["init_kwargs"], env) if "init_kwargs" in kw else {}
                        shape_in = _value(kw["input_shape"], env)
                        shape_out = (_value(kw["expected_output_shape"], env)
                                     if "expected_output_shape" in kw else None)
                    except _NotLiteral:
                        left_out += 1
                        continue
                    shapes_in = (tuple(tuple(s) for s in shape_in) if _is_shapes(shape_in)
                                 else (tuple(shape_in),) if _is_shape(shape_in) else None)
                    if not (isinstance(cls, ClassRef) and isinstance(init, dict) and shapes_in
                            and not any(v is UNREADABLE for v in init.values())
                            and (shape_out is None or _is_shape(shape_out))):
                        left_out += 1  # several outputs, a dict of inputs: not a one-layer case
                        continue
                    cases.append(Case(f"{path.relative_to(keras_root)}:{fn.name}#{i}", str(cls), init,
                                      shapes_in, None if shape_out is None else tuple(shape_out)))
    return cases, left_out
