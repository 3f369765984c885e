"""Shape inference over a 200-layer graph, against the bare arithmetic as a baseline in the same run.

    python benchmarks/shape_inference.py
Last line: infer_ms=<median ms for 200 layers> baseline_ms=<same sizes, bare window_size calls> ratio=<infer/baseline>
Goal (issue 3): infer_ms < 10.
"""

import statistics
import time

from playground.core import shapes

from playground.core import analysis
from playground.core.graph import Graph


def build(n_layers: int = 200) -> Graph:
    g = Graph()
    prev = g.add_node("input", {"shape": [64, 64, 3]})
    kinds = [("conv2d", {"filters": 16, "padding": "same"}), ("batchnorm", {}), ("activation", {}),
             ("dropout", {"rate": 0.1})]
    for i in range(n_layers - 3):
        kind, params = kinds[i % len(kinds)]
        node = g.add_node(kind, params)
        g.connect(prev.id, node.id)
        prev = node
    for kind, params in (("flatten", {}), ("dense", {"units": 10})):
        node = g.add_node(kind, params)
        g.connect(prev.id, node.id)
        prev = node
    return g


def baseline(n_layers: int) -> None:
    """The same number of size computations with no graph, no formulas, no bookkeeping."""
    n = 64
    for _ in range(n_layers):
        n = (n + 2 * 1 - 3) // 1 + 1


def timeit(fn, repeat: int = 50) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


if __name__ == "__main__":
    g = build(200)
    assert len(g.nodes) == 200
    infos = analysis.infer(g)
    assert all(i.status == "ok" for i in infos.values())
    infer_ms = timeit(lambda: analysis.infer(g))
    base_ms = timeit(lambda: baseline(200))
    print(f"infer_ms={infer_ms:.3f} baseline_ms={base_ms:.4f} ratio={infer_ms / base_ms:.1f}")
