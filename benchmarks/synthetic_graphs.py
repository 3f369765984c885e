"""Synthetic big graphs with the structure of keras.applications models, from the layer table alone.

``densenet_like(n)``: dense blocks (BN, ReLU, 1x1 conv, BN, ReLU, 3x3 conv, concatenated with the block's
input: DenseNet's skip pattern), transition layers between blocks, a classifier head; about ``n`` layers.
``resnet_like(n)``: bottleneck blocks with identity shortcuts into Add, a projection shortcut per stage.
Used by tests/ui/test_canvas_big.py and benchmarks/canvas_layout.py.
"""

from __future__ import annotations

from playground.core.graph import Graph


def _chain(g: Graph, x, layers, prefix: str):
    for i, (kind, params) in enumerate(layers):
        n = g.add_node(kind, params, name=f"{prefix}_{i}_{kind}")
        g.connect(x.id, n.id)
        x = n
    return x


def densenet_like(n_layers: int = 430) -> Graph:
    """About ``n_layers`` layers; every dense-block layer concatenates its input with 6 new layers."""
    g = Graph()
    x = g.add_node("input", {"shape": [32, 32, 3]}, name="input_1")
    x = _chain(g, x, [("conv2d", {"filters": 16, "kernel_size": 3, "padding": "same"}),
                      ("batchnorm", {}), ("activation", {"activation": "relu"})], "stem")
    block, layer = 1, 0
    while len(g.nodes) < n_layers - 4:
        if layer == 6:  # transition
            x = _chain(g, x, [("batchnorm", {}), ("activation", {"activation": "relu"}),
                              ("conv2d", {"filters": 16, "kernel_size": 1})], f"pool{block}")
            block, layer = block + 1, 0
            continue
        layer += 1
        h = _chain(g, x, [("batchnorm", {}), ("activation", {"activation": "relu"}),
                          ("conv2d", {"filters": 16, "kernel_size": 1}),
                          ("batchnorm", {}), ("activation", {"activation": "relu"}),
                          ("conv2d", {"filters": 8, "kernel_size": 3, "padding": "same"})],
                   f"conv{block}_block{layer}")
        c = g.add_node("concatenate", {}, name=f"conv{block}_block{layer}_concat")
        g.connect(x.id, c.id)
        g.connect(h.id, c.id)
        x = c
    _chain(g, x, [("batchnorm", {}), ("globalavgpool2d", {}), ("dense", {"units": 10, "activation": "softmax"})],
           "head")
    return g


def resnet_like(n_layers: int = 177) -> Graph:
    """About ``n_layers`` layers of bottleneck blocks; the first block of every stage has a projection."""
    g = Graph()
    x = g.add_node("input", {"shape": [32, 32, 16]}, name="input_1")
    stage, block = 2, 0
    conv = {"filters": 16, "kernel_size": 1}
    while len(g.nodes) < n_layers - 3:
        block += 1
        p = f"conv{stage}_block{block}"
        h = _chain(g, x, [("conv2d", conv), ("batchnorm", {}), ("activation", {"activation": "relu"}),
                          ("conv2d", {"filters": 16, "kernel_size": 3, "padding": "same"}), ("batchnorm", {}),
                          ("activation", {"activation": "relu"}), ("conv2d", conv), ("batchnorm", {})], p)
        short = _chain(g, x, [("conv2d", conv), ("batchnorm", {})], p + "_0") if block == 1 else x
        a = g.add_node("add", {}, name=p + "_add")
        g.connect(h.id, a.id)
        g.connect(short.id, a.id)
        x = _chain(g, a, [("activation", {"activation": "relu"})], p + "_out")
        if block == 4:
            stage, block = stage + 1, 0
    _chain(g, x, [("globalavgpool2d", {}), ("dense", {"units": 10, "activation": "softmax"})], "head")
    return g


def fast_copy(g: Graph, times: int) -> Graph:
    """``times`` copies of ``g`` joined end to end (unchecked edges: building a 10,000-layer graph with
    checked connects costs seconds of cycle checks the layout does not need)."""
    from playground.core.graph import Edge
    out = Graph()
    prev_last = None
    order = g.topological_order()
    for t in range(times):
        ids = {}
        for nid in order:
            node = g.nodes[nid].clone()
            node.id = f"{nid}_{t}"
            node.name = f"{node.name}_{t}"
            ids[nid] = node.id
            out._nodes[node.id] = node  # names are unique by construction: skip insert_node's O(n) check
        for e in g.edges:
            out.add_edge_unchecked(Edge(ids[e.src], ids[e.dst], e.port))
        if prev_last is not None:
            out.add_edge_unchecked(Edge(prev_last, ids[order[0]], 0))
        prev_last = ids[order[-1]]
    return out
