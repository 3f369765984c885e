"""Every entry of the layer table crosses the Keras boundary and comes back unchanged.

The walk builds one model holding every kind of ``LAYERS`` (with its defaults and with each parameter
moved off its default in turn), gives every weighted layer random weights, saves it as .h5 and .keras,
imports both files and compares graph, parameters and weights; Keras' own shapes and counts are the
oracle for ours. A new table entry is in this walk the moment it is added.
"""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import builder, export, model_import
from playground.core import shapes
from playground.core import analysis
from playground.core.errors import ParamError
from playground.core.graph import Graph
from playground.core.registry import LAYERS, ParamSpec

INPUTS = [(9, 9, 4), (12, 4), (16,), (784,)]  # images, sequences, vectors: the first that a kind accepts is used
NOT_WALKED = {"input", "opaque"}  # the inputs are the walk's own; opaque layers come from files (see below)


def _variants(p: ParamSpec) -> list:
    """Values other than the default, for the parameter's kind."""
    d = p.default
    if p.pair == "hw":
        return [(2, 3), 1] if d is None else [(d + 1, d), d + 1]
    if p.pair == "sides":
        return [((1, 2), (0, 1))]
    if p.kind == "bool":
        return [not d]
    if p.kind == "int":
        return [v for v in (d + 1, 1 if d < 0 else d - 1) if (p.min is None or v >= p.min) and
                (p.max is None or v <= p.max) and v != 0]
    if p.kind == "float":
        return [round(d * 0.5 + 0.01, 4)]
    if p.kind == "choice":
        return [c for c in p.choices if c != d][:1]
    if p.kind == "padding":
        return ["same", 1]
    if p.kind == "optional_float":
        return [6.0 if p.max is None or p.max > 6 else round(p.max / 2, 4)]
    if p.kind == "optional_int":
        return [1]
    if p.kind == "shape":
        return [tuple(reversed(d))]
    return []


def _ok(kind: str, params: dict, in_shape: tuple) -> bool:
    spec = LAYERS[kind]
    n_in = max(spec.min_inputs, 1)
    try:
        clean = spec.validate_params(params)
        res = spec.shape_rule(clean, [in_shape] * n_in)
        spec.count_rule(clean, [in_shape] * n_in, res.shape)
    except (ParamError, ValueError):
        return False
    return all(d > 0 for d in res.shape)


def walk_graph() -> Graph:
    g = Graph()
    inputs = {s: g.add_node("input", {"shape": s}, name=f"in_{'x'.join(map(str, s))}") for s in INPUTS}
    for kind, spec in LAYERS.items():
        if kind in NOT_WALKED:
            continue
        shape = next((s for s in INPUTS if _ok(kind, {}, s)), None)
        assert shape is not None, f"{kind}: no walk input suits its defaults; add one to INPUTS"
        variants = [{}] + [{p.name: v} for p in spec.params for v in _variants(p)]
        for i, params in enumerate(variants):
            s = shape if _ok(kind, params, shape) else next((s for s in INPUTS if _ok(kind, params, s)), None)
            if s is None:
                continue
            node = g.add_node(kind, params, name=f"{kind}_v{i}")
            for _ in range(max(spec.min_inputs, 1)):
                src = inputs[s]
                if spec.merge:  # merge layers get two different tensors of the same shape
                    src = g.add_node("identity", {}, name=f"{kind}_v{i}_in{len(g.input_ids(node.id))}")
                    g.connect(inputs[s].id, src.id)
                g.connect(src.id, node.id)
    return g


def expected(kind: str, params: dict) -> tuple[str, dict]:
    """What a node should import back as. A Neuron without the step is a plain Dense in Keras."""
    if kind == "neuron" and params["activation"] != "step":
        return "dense", LAYERS["dense"].validate_params(
            {"units": params["units"], "activation": params["activation"], "use_bias": True})
    return kind, params


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The walk graph with random weights, its model, and the graph imported back from each format."""
    g = walk_graph()
    model = builder.build_model(g)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([rng.normal(size=v.shape).astype(np.float32) + 1.5 for v in layer.weights])
    for nid, w in builder.read_weights(model, g).items():
        g.set_weights(nid, w)
    folder = tmp_path_factory.mktemp("walk")
    back = {fmt: model_import.import_model(export.export(g, folder / f"walk.{fmt}", model=model)) for fmt in ("h5", "keras")}
    return g, model, back


def test_walk_covers_every_kind(walked):
    g, _, _ = walked
    assert {n.kind for n in g.nodes.values()} == set(LAYERS) - {"opaque"}
    for kind, spec in LAYERS.items():  # and every parameter off its default at least once
        if kind in NOT_WALKED:
            continue
        moved = {name for n in g.nodes.values() if n.kind == kind
                 for name, v in n.params.items() if v != spec.param(name).default}
        assert moved >= {p.name for p in spec.params if _variants(p)}, kind


def test_walk_shapes_and_counts_are_keras_own(walked):
    g, model, _ = walked
    infos = analysis.infer(g)
    for node in g.nodes.values():
        layer = model.get_layer(node.name)
        assert tuple(layer.output.shape[1:]) == infos[node.id].shape, node.name
        assert layer.count_params() == infos[node.id].params, node.name
        trainable = sum(int(np.prod(v.shape)) for v in layer.trainable_weights)
        assert trainable == infos[node.id].trainable_params, node.name


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_walk_round_trips_graph_and_weights(walked, fmt):
    g, _, back = walked
    b = back[fmt]
    assert [(n.name, n.kind, n.params) for n in g.nodes.values()
            if expected(n.kind, n.params) != (b.by_name(n.name).kind, b.by_name(n.name).params)] == []
    assert len(b.nodes) == len(g.nodes)
    edges = lambda gr: sorted((gr.nodes[e.src].name, gr.nodes[e.dst].name, e.port) for e in gr.edges)  # noqa: E731
    assert edges(b) == edges(g)
    for node in g.nodes.values():
        other = b.by_name(node.name)
        assert other.weights.keys() == node.weights.keys(), node.name
        for k, v in node.weights.items():
            assert np.array_equal(other.weights[k], v), (node.name, k)


def test_walk_python_script_rebuilds_it(walked):
    g, model, _ = walked
    scope: dict = {}
    exec(compile(export.python_script(g, "walk"), "walk.py", "exec"), scope)  # noqa: S102 - our own output
    rebuilt = scope["build_model"]()
    assert [(l.name, tuple(l.output.shape[1:]), l.count_params()) for l in rebuilt.layers] == \
        [(l.name, tuple(l.output.shape[1:]), l.count_params()) for l in model.layers]
