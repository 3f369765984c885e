"""Load + shape inference + layout of big graphs, against the same work on 1,000 nodes in the same run.

    python benchmarks/large_graph.py
One line per case: n, median CPU seconds of this process (min-max over the runs), median wall seconds, and
the CPU ratio against 1,000 nodes. CPU time is the figure because wall time on a shared machine mostly
measures the neighbours. Linear work gives ratio ~ n/1000 (10 for 10,000 nodes); quadratic would give 100.
Last line: chain10k_cpu_s=<median load+infer+layout, 10,000-node chain listed in reverse> ratio_vs_1k=<...>
Goal (issue 15 item 9): 10,000 nodes load + infer in under 1 s; growth linear-ish. Before: 1,000 nodes
took 31-37 s (cubic: every connect scanned every edge for each node it walked).
"""

import json
import statistics
import sys
import time

from playground.core import project, shapes

from playground.core import analysis
from playground.core.layout import auto_layout


def reversed_chain(n: int) -> str:
    """A project file of an Input and n-1 Dense layers, nodes and edges listed output-first."""
    nodes = [{"id": f"n{i}", "type": "input" if i == 0 else "dense", "name": f"l{i}",
              "params": {"shape": [8]} if i == 0 else {"units": 8}} for i in range(n)]
    edges = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(n - 1)]
    return json.dumps({"schema_version": 1, "nodes": nodes[::-1], "edges": edges[::-1]})


def fan_in(n: int) -> str:
    """n Inputs into one Concatenate."""
    nodes = [{"id": f"i{k}", "type": "input", "name": f"i{k}", "params": {"shape": [1]}} for k in range(n)]
    nodes.append({"id": "c", "type": "concatenate", "name": "c"})
    return json.dumps({"schema_version": 1, "nodes": nodes, "edges": [{"from": f"i{k}", "to": "c"} for k in range(n)]})


def run(text: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) to load, infer and lay out."""
    c, t = time.process_time(), time.perf_counter()
    g = project.loads(text).graph
    analysis.infer(g)
    auto_layout(g)
    return time.process_time() - c, time.perf_counter() - t


def measure(make, n: int, repeat: int) -> tuple[float, float, float, float]:
    text = make(n)
    runs = [run(text) for _ in range(repeat)]
    cpu = [r[0] for r in runs]
    return statistics.median(cpu), min(cpu), max(cpu), statistics.median(r[1] for r in runs)


if __name__ == "__main__":
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = {}
    for label, make, sizes in (("chain", reversed_chain, (1000, 5000, 10000)), ("concat", fan_in, (1000, 5000))):
        base = measure(make, 1000, repeat)[0]
        for n in sizes:
            med, lo, hi, wall = measure(make, n, repeat)
            results[(label, n)] = (med, med / base)
            print(f"{label:<7} n={n:>6}  cpu {med:.3f} s ({lo:.3f}-{hi:.3f}, {repeat} runs)  wall {wall:.3f} s  "
                  f"ratio vs 1,000 = {med / base:.1f}")
    med, ratio = results[("chain", 10000)]
    print(f"chain10k_cpu_s={med:.3f} ratio_vs_1k={ratio:.1f} concat5k_cpu_s={results[('concat', 5000)][0]:.3f} "
          f"concat_ratio_vs_1k={results[('concat', 5000)][1]:.1f}")
