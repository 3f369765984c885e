"""Opening a project file with its weights: ``project.loads`` (parse, every field checked, the base64 weights
decoded) against ``json.loads`` of the same text alone, the baseline in the same run. The project is the
lecture's MLP (784-500-10) holding all its 397,510 weights as a saved project holds them (2.1 MB of JSON).

    python benchmarks/project_load.py [rounds]
Last line: load_ms=<project.loads> json_ms=<json.loads> ratio=<load/json> (medians of the rounds, each the
median of 20 loads; min..max of the rounds' ratios)
"""

import json
import statistics
import sys
import time

import numpy as np

from playground.core import project
from playground.core.analysis import infer
from playground.resources_path import preset_text


def weighted_text(description: str | None = None) -> bytes:
    """The lecture's MLP with all its weights, as saved (``description``: the project's, else the preset's)."""
    proj = project.loads(preset_text("mnist-mlp"))
    if description is not None:
        proj.description = description
    shapes, rng = infer(proj.graph), np.random.default_rng(0)
    for nid, node in proj.graph.nodes.items():
        if node.kind == "dense":
            fan = int(np.prod(shapes[proj.graph.input_ids(nid)[0]].shape))
            units = node.params["units"]
            proj.graph.set_weights(nid, {"kernel": rng.normal(size=(fan, units)).astype("float32"),
                                         "bias": rng.normal(size=(units,)).astype("float32")})
    return project.dumps(proj).encode()


def median_ms(fn, text, n=20) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main(rounds: int = 5) -> None:
    text = weighted_text()
    loads, parses, ratios = [], [], []
    for _ in range(rounds):  # alternated, so both sides see the same machine
        load = median_ms(project.loads, text)
        parse = median_ms(json.loads, text)
        loads.append(load)
        parses.append(parse)
        ratios.append(load / parse)
    print(f"project: {len(text) / 1e6:.1f} MB of JSON, {rounds} rounds")
    print(f"load_ms={statistics.median(loads):.1f} json_ms={statistics.median(parses):.1f} "
          f"ratio={statistics.median(ratios):.2f} ({min(ratios):.2f}..{max(ratios):.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
