"""Automatic layout: layers by longest path from an input, left to right (used on import)."""

from __future__ import annotations

from .graph import Graph

X_SPACING = 230.0
Y_SPACING = 150.0
WRAP = 5  # a long chain snakes onto a new row after this many columns


def auto_layout(graph: Graph) -> dict[str, tuple[float, float]]:
    """Positions for every node: column = depth, row = order within the column.

    A plain chain longer than WRAP columns wraps into rows, so a 20-layer network stays readable.
    """
    depth: dict[str, int] = {}
    ins_of: dict[str, list[str]] = {}
    for e in graph.edges:  # one pass over the edges: linear in the size of the graph
        ins_of.setdefault(e.dst, []).append(e.src)
    for nid in graph.topological_order():
        depth[nid] = 1 + max((depth[i] for i in ins_of.get(nid, ())), default=-1)
    columns: dict[int, list[str]] = {}
    for nid, d in depth.items():
        columns.setdefault(d, []).append(nid)
    is_chain = all(len(v) == 1 for v in columns.values())
    pos = {}
    for d, ids in columns.items():
        for row, nid in enumerate(ids):
            if is_chain and len(columns) > WRAP + 1:
                pos[nid] = ((d % WRAP) * X_SPACING, (d // WRAP) * Y_SPACING * 1.4)
            else:
                pos[nid] = (d * X_SPACING, (row - (len(ids) - 1) / 2) * Y_SPACING)
    return pos


def apply_layout(graph: Graph) -> None:
    for nid, p in auto_layout(graph).items():
        graph.move_node(nid, p)
