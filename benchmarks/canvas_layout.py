"""Opening a big network on the canvas: layout, and scene build, against plain Qt items in the same run.

    QT_QPA_PLATFORM=offscreen python benchmarks/canvas_layout.py

For DenseNet-like graphs of 430 and 2000 layers (benchmarks/synthetic_graphs.py) and a 10,000-layer
one (layout only), prints the median of 5 runs (with min-max) of:
  layout_ms   core.layout.auto_layout, wall clock (layout_cpu_ms: process CPU time, steadier on a shared machine)
  scene_ms    loading the laid-out project into a Document observed by the canvas (cards, edges with
              their lanes, labels from the shape results, scene rect)
  baseline_ms the same number of plain QGraphicsRectItems and QGraphicsPathItems (one per card and edge,
              with a position and a straight path) added to a QGraphicsScene
  ratio       scene_ms / baseline_ms
Goal (issue 17.4): a 430-layer model opens in well under 3 s; layout of 10,000 layers well under 1 s.
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QPainterPath  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene  # noqa: E402

from synthetic_graphs import densenet_like, fast_copy  # noqa: E402

from playground.core import project  # noqa: E402
from playground.core.layout import auto_layout  # noqa: E402

REPEAT = 5


def stats(runs):
    return f"{statistics.median(runs):.1f} ({min(runs):.1f}-{max(runs):.1f})"


def baseline(graph, pos) -> float:
    t = time.perf_counter()
    scene = QGraphicsScene()
    for nid in graph.nodes:
        r = QGraphicsRectItem(0, 0, 172, 96)
        r.setPos(*pos[nid])
        scene.addItem(r)
    for e in graph.edges:
        a, b = pos[e.src], pos[e.dst]
        path = QPainterPath(QPointF(a[0] + 172, a[1] + 48))
        path.lineTo(QPointF(b[0], b[1] + 48))
        scene.addItem(QGraphicsPathItem(path))
    dt = time.perf_counter() - t
    scene.clear()
    return dt * 1000


def scene_build(doc, graph) -> float:
    proj = project.Project(graph.copy(), "bench", "")
    t = time.perf_counter()
    doc.replace(proj, None)
    QApplication.processEvents()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from playground.ui.canvas.scene import GraphScene
    from playground.ui.canvas.view import GraphView
    from playground.ui.document import Document

    doc = Document()
    scene = GraphScene(doc)
    view = GraphView(scene)
    view.resize(1000, 700)
    view.show()
    app.processEvents()
    summary = {}
    for n in (430, 2000):
        g = densenet_like(n) if n <= 500 else fast_copy(densenet_like(500), n // 500)
        lay, cpu, sc, base = [], [], [], []
        for _ in range(REPEAT):
            t, c = time.perf_counter(), time.process_time()
            pos = auto_layout(g)
            lay.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            for nid, p in pos.items():
                g.nodes[nid].pos = p
            sc.append(scene_build(doc, g))
            base.append(baseline(g, pos))
        ratio = [s / b for s, b in zip(sc, base)]
        summary[len(g.nodes)] = statistics.median(ratio)
        print(f"layers={len(g.nodes)} edges={len(g.edges)} layout_ms={stats(lay)} layout_cpu_ms={stats(cpu)} "
              f"scene_ms={stats(sc)} "
              f"baseline_ms={stats(base)} ratio={stats(ratio)}", flush=True)
    big = fast_copy(densenet_like(500), 20)
    lay, cpu = [], []
    for _ in range(REPEAT):
        t, c = time.perf_counter(), time.process_time()
        auto_layout(big)
        lay.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    print(f"layers={len(big.nodes)} edges={len(big.edges)} layout_ms={stats(lay)} layout_cpu_ms={stats(cpu)}",
          flush=True)
    # the last line: each scene build's median ratio to plain Qt items, and the 10,000-layer layout
    print(" ".join(f"scene_ratio_{n}={r:.2f}" for n, r in summary.items()) +
          f" layout_{len(big.nodes)}_ms={statistics.median(lay):.0f}", flush=True)


if __name__ == "__main__":
    main()
