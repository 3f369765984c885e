"""Automatic layout: a layered drawing of the graph, left to right; a plain chain longer than the view's width
may wrap into rows (``per_row``), read like lines of text.

A small Sugiyama pipeline, each step linear or close to it so that a 10,000-layer graph lays out in
well under a second:

1. **Layers** by longest path from the inputs (a source that feeds only a late layer moves right, next
   to its first consumer). Column = layer.
2. **Lanes for long edges**: an edge that skips k columns gets k - 1 placeholder nodes, so that skip
   connections (ResNet's shortcuts, DenseNet's concatenations) claim a row of their own instead of
   running under the cards they jump over.
3. **Order within a column** by the barycentre of the neighbours in the previous column, sweeping
   down and back a few times (the classic heuristic for few crossings).
4. **Rows**: each node moves toward the median row of its neighbours, keeping the order and a minimum
   gap (a weighted isotonic fit, solved by pool-adjacent-violators). The spine (a path through the most
   real layers) weighs most, so it stays one straight row; branches and skip lanes bend around it.

Separate pieces of the graph (weakly connected components) are laid out one below the other.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .graph import Graph

X_SPACING = 228.0  # column pitch: a card (172) and room for an edge
NEURON_X_SPACING = 330.0  # neuron networks carry weight labels on their edges: wider gaps
Y_SPACING = 140.0  # row pitch between two cards in a column
LANE_GAP = 0.5  # rows between a card and a skip lane beside it (clears the card's edge)
LANE_LANE_GAP = 0.18  # rows between two skip lanes
COMPONENT_GAP = 1.2  # rows between two separate pieces of the graph
SWEEPS = 4  # down/up ordering passes
ROW_PASSES = 4  # row relaxation passes
DUMMY_WEIGHT = 1e-6  # how much a lane placeholder resists moving, against 1 for a real layer
SPINE_WEIGHT = 1e4  # ...and a layer on the network's longest path (its spine), which stays straight
MAX_DUMMIES_PER_NODE = 20  # beyond this budget the longest edges get no lane (keeps the layout linear)
WRAP_ROW_GAP = 1.25  # a wrapped chain's rows are this many row pitches apart: room for the edge running back


def auto_layout(graph: Graph, x_spacing: float | None = None, y_spacing: float = Y_SPACING,
                per_row: int | None = None) -> dict[str, tuple[float, float]]:
    """Positions (top-left corners) for every node: column = layer, left to right.

    ``x_spacing`` defaults to ``X_SPACING`` (``NEURON_X_SPACING`` when the graph has neurons). With ``per_row``, a
    graph that is one plain chain (each layer feeding the next, nothing else) of more layers than that wraps
    into rows of ``per_row``, each row under the one before, read left to right like text (``wrapped_chain``);
    any other graph longer than that is cut into bands of about ``per_row`` columns where one edge alone
    crosses from a column to the next (``_bands``), each band under the one before.
    """
    ids = list(graph.nodes)
    if not ids:
        return {}
    if x_spacing is None:
        x_spacing = column_pitch(graph)
    if per_row is not None:
        chain = chain_order(graph)
        if chain is not None and len(chain) > max(per_row, 1):
            return wrapped_chain(chain, max(per_row, 1), x_spacing, y_spacing * WRAP_ROW_GAP)
    index = {nid: i for i, nid in enumerate(ids)}
    n = len(ids)
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for e in sorted(graph.edges, key=lambda e: e.port):  # port order: input 0 first
        s, d = index.get(e.src), index.get(e.dst)
        if s is None or d is None or s == d:
            continue
        succs[s].append(d)
        preds[d].append(s)

    order = _topological(n, preds, succs)
    layer = [0] * n
    for v in order:
        layer[v] = 1 + max((layer[p] for p in preds[v]), default=-1)
    for v in order:  # a source that feeds only late layers sits next to its first consumer
        if not preds[v] and succs[v]:
            layer[v] = max(0, min(layer[c] for c in succs[v]) - 1)

    pos: dict[str, tuple[float, float]] = {}
    top = 0.0
    for comp in _components(n, preds, succs, order):
        rows = _layout_component(comp, layer, preds, succs)
        bands = _bands(comp, layer, succs, per_row) if per_row is not None else \
            [(min(layer[v] for v in comp), max(layer[v] for v in comp))]
        by_band: dict[int, list[int]] = {}
        starts = [first for first, _last in bands]
        for v in comp:
            by_band.setdefault(bisect_right(starts, layer[v]) - 1, []).append(v)
        for b, (first, _last) in enumerate(bands):
            members = by_band.get(b, [])
            lo = min(rows[v] for v in members)
            hi = max(rows[v] for v in members)
            for v in members:
                pos[ids[v]] = (float(round((layer[v] - first) * x_spacing)),
                               float(round((rows[v] - lo + top) * y_spacing)))
            top += hi - lo + (WRAP_ROW_GAP if b < len(bands) - 1 else 1 + COMPONENT_GAP)
    return pos


def _bands(comp: list[int], layer: list[int], succs, per_row: int) -> list[tuple[int, int]]:
    """A component's columns as bands of about ``per_row``, each under the one before: a band ends only where
    one edge alone crosses to the next column (between two blocks of a ResNet or a MobileNet), so that edge is
    the one running back along the gap (as a wrapped chain's); a band runs on to the next such place when there
    is none within ``per_row``. Linear in the edges."""
    first = min(layer[v] for v in comp)
    last = max(layer[v] for v in comp)
    span = last - first + 1
    if span <= max(per_row, 1):
        return [(first, last)]
    diff = [0] * (span + 1)
    for u in comp:
        for w in succs[u]:
            a, b = layer[u] - first, layer[w] - first
            if b > a:
                diff[a] += 1
                diff[b] -= 1
    cuts, crossing = [], 0  # gaps (after column first + g) that one edge alone crosses
    for g in range(span - 1):
        crossing += diff[g]
        if crossing == 1:
            cuts.append(g)
    bands, start, narrow = [], 0, (per_row + 1) // 2
    while start < span:
        if span - start <= per_row:
            bands.append((first + start, last))
            break
        lo, hi = bisect_left(cuts, start), bisect_right(cuts, start + per_row - 1)  # the cuts within per_row
        cut = cuts[hi - 1] if hi > lo else None
        if cut is not None and span - cut - 1 <= per_row and span - cut - 1 < narrow:  # a short last band:
            cut = max(cuts[lo:hi], key=lambda c: (span - c - 1 <= per_row, min(c - start + 1, span - c - 1)))
        elif cut is not None and cut - start + 1 < narrow and span - cut - 1 > per_row:
            cut = None  # a band of a lone card or two, and the next runs past per_row anyway: run on with it
        if cut is None:  # no cut within per_row: run on to the first one after it
            if hi >= len(cuts):
                bands.append((first + start, last))
                break
            cut = cuts[hi]
        bands.append((first + start, first + cut))
        start = cut + 1
    return bands


def column_pitch(graph: Graph) -> float:
    """``X_SPACING``, or ``NEURON_X_SPACING`` when the graph has neurons (their edges carry weight labels)."""
    return NEURON_X_SPACING if any(n.spec.hand_set for n in graph.nodes.values()) else X_SPACING


def chain_order(graph: Graph) -> list[str] | None:
    """The node ids of a graph that is one plain chain (one input, each layer feeding exactly the next, no
    branches, no merges, no second piece), first to last; else None."""
    succ: dict[str, list[str]] = {nid: [] for nid in graph.nodes}
    pred: dict[str, list[str]] = {nid: [] for nid in graph.nodes}
    for e in graph.edges:
        if e.src in succ and e.dst in pred:
            succ[e.src].append(e.dst)
            pred[e.dst].append(e.src)
    if any(len(v) > 1 for v in succ.values()) or any(len(v) > 1 for v in pred.values()):
        return None
    starts = [nid for nid, p in pred.items() if not p]
    if len(starts) != 1:
        return None
    order = [starts[0]]
    while succ[order[-1]]:
        order.append(succ[order[-1]][0])
        if len(order) > len(graph.nodes):  # a cycle (never in a valid graph)
            return None
    return order if len(order) == len(graph.nodes) else None


def wrapped_chain(order: list[str], per_row: int, x_spacing: float = X_SPACING,
                  row_spacing: float = Y_SPACING * WRAP_ROW_GAP) -> dict[str, tuple[float, float]]:
    """``order`` in rows of ``per_row``: left to right, each row under the one before (the edge from a row's end
    to the next row's start runs back along the gap between them: ``ui.canvas.items.EdgeItem``)."""
    return {nid: (float(round((i % per_row) * x_spacing)), float(round((i // per_row) * row_spacing)))
            for i, nid in enumerate(order)}


def apply_layout(graph: Graph) -> None:
    """Move every node to its ``auto_layout`` position (no undo: for importers and preset makers)."""
    for nid, p in auto_layout(graph).items():
        graph.move_node(nid, p)


# ------------------------------------------------------------------ steps
def _topological(n: int, preds: list[list[int]], succs: list[list[int]]) -> list[int]:
    """Kahn's order; nodes left over by a cycle (never in a valid graph) are appended as they are."""
    indeg = [len(p) for p in preds]
    ready = [v for v in range(n) if indeg[v] == 0]
    i = 0
    while i < len(ready):
        v = ready[i]
        i += 1
        for c in succs[v]:
            indeg[c] -= 1
            if indeg[c] == 0:
                ready.append(c)
    if len(ready) < n:
        seen = set(ready)
        ready += [v for v in range(n) if v not in seen]
    return ready


def _components(n: int, preds, succs, order: list[int]) -> list[list[int]]:
    """Weakly connected components, each in topological order, ordered by their first node."""
    comp = [-1] * n
    groups: list[list[int]] = []
    for start in order:
        if comp[start] != -1:
            continue
        c = len(groups)
        comp[start] = c
        stack = [start]
        while stack:
            v = stack.pop()
            for w in preds[v] + succs[v]:
                if comp[w] == -1:
                    comp[w] = c
                    stack.append(w)
        groups.append([])
    for v in order:
        groups[comp[v]].append(v)
    return groups


def _layout_component(comp: list[int], layer: list[int], preds, succs) -> dict[int, float]:
    """Rows (in row units) for the real nodes of one component; placeholders are dropped at the end."""
    # local ids: 0..len(comp)-1 the real nodes, then the lane placeholders
    local = {v: i for i, v in enumerate(comp)}
    n_real = len(comp)
    lay = [layer[v] for v in comp]
    up: list[list[int]] = [[] for _ in comp]
    down: list[list[int]] = [[] for _ in comp]
    budget = MAX_DUMMIES_PER_NODE * n_real
    long_edges = []
    for i, v in enumerate(comp):
        for w in succs[v]:
            j = local[w]
            span = lay[j] - lay[i]
            if span > 1:
                long_edges.append((span, i, j))
            else:
                down[i].append(j)
                up[j].append(i)
    long_edges.sort()  # short skips first: they are the ones a reader follows
    for span, i, j in long_edges:
        if span - 1 > budget:
            down[i].append(j)
            up[j].append(i)
            continue
        budget -= span - 1
        prev = i
        for k in range(lay[i] + 1, lay[j]):
            d = len(lay)
            lay.append(k)
            up.append([prev])
            down.append([])
            down[prev].append(d)
            prev = d
        down[prev].append(j)
        up[j].append(prev)
    total = len(lay)

    n_layers = max(lay) + 1
    columns: list[list[int]] = [[] for _ in range(n_layers)]
    # first order: depth-first from the sources, children in port order, so a chain's branches stay together
    seen = [False] * total
    for s in range(n_real):
        if up[s]:
            continue
        stack = [s]
        while stack:
            x = stack.pop()
            if seen[x]:
                continue
            seen[x] = True
            columns[lay[x]].append(x)
            stack.extend(c for c in reversed(down[x]) if not seen[c])
    for x in range(total):  # anything a cycle hid
        if not seen[x]:
            columns[lay[x]].append(x)

    # the spine: layers on a path through the most real layers (lanes do not count); branches and
    # lanes bend around it
    height = [0] * total
    for k in range(n_layers - 1, -1, -1):
        for x in columns[k]:
            height[x] = (x < n_real) + max((height[c] for c in down[x]), default=0)
    depth = [0] * total
    for k in range(n_layers):
        for x in columns[k]:
            depth[x] = (x < n_real) + max((depth[u] for u in up[x]), default=0)
    longest = max(depth[x] + height[x] for x in range(n_real))
    spine = [x < n_real and depth[x] + height[x] == longest for x in range(total)]

    place = [0] * total
    for col in columns:
        for i, x in enumerate(col):
            place[x] = i

    wide = [k for k in range(n_layers) if len(columns[k]) > 1]  # one-node columns need no ordering
    for sweep in range(SWEEPS):
        nbrs = up if sweep % 2 == 0 else down
        for k in (wide if sweep % 2 == 0 else reversed(wide)):
            keyed = []
            for x in columns[k]:
                ns = nbrs[x]
                b = sum(place[u] for u in ns) / len(ns) if ns else float(place[x])
                keyed.append((b, x >= n_real, place[x], x))
            keyed.sort()
            col = columns[k] = [t[3] for t in keyed]
            for i, x in enumerate(col):
                place[x] = i

    # rows: start packed, then relax toward the neighbours' medians
    row = [0.0] * total
    for col in columns:
        y = 0.0
        for i, x in enumerate(col):
            if i:
                y += _gap(col[i - 1] >= n_real, x >= n_real)
            row[x] = y
    for p in range(ROW_PASSES):
        nbrs = up if p % 2 == 0 else down
        for k in (range(1, n_layers) if p % 2 == 0 else range(n_layers - 2, -1, -1)):
            col = columns[k]
            if len(col) == 1:
                x = col[0]
                ns = nbrs[x]
                if ns:
                    row[x] = _target(x, ns, row, n_real, spine)
                continue
            targets, weights, gaps = [], [], []
            prev_dummy = False
            for i, x in enumerate(col):
                ns = nbrs[x]
                is_dummy = x >= n_real
                targets.append(_target(x, ns, row, n_real, spine) if ns else row[x])
                weights.append(DUMMY_WEIGHT if is_dummy else SPINE_WEIGHT if spine[x] else 1.0)
                gaps.append(_gap(prev_dummy, is_dummy) if i else 0.0)
                prev_dummy = is_dummy
            for x, y in zip(col, _isotonic_rows(targets, weights, gaps)):
                row[x] = y
    return {v: row[i] for i, v in enumerate(comp)}


def _target(x: int, ns: list[int], row: list[float], n_real: int, spine: list[bool]) -> float:
    """The median row of a node's neighbours; a real layer follows its real neighbours, not lanes, and a
    spine layer follows the spine."""
    if len(ns) == 1:
        return row[ns[0]]
    cand = []
    if spine[x]:
        cand = [row[u] for u in ns if spine[u]]
    if not cand and x < n_real:
        cand = [row[u] for u in ns if u < n_real]
    if not cand:
        cand = [row[u] for u in ns]
    return _median(cand)


def _gap(a_dummy: bool, b_dummy: bool) -> float:
    if a_dummy and b_dummy:
        return LANE_LANE_GAP
    if a_dummy or b_dummy:
        return LANE_GAP
    return 1.0


def _median(vals: list[float]) -> float:
    s = sorted(vals)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def _isotonic_rows(targets: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Rows y as near the targets as the weights say, keeping y[i] - y[i-1] >= gaps[i] (order kept).

    With c = the running sum of gaps, z = y - c must be non-decreasing: weighted isotonic regression of
    targets - c, solved in linear time by pool-adjacent-violators.
    """
    c, acc = [], 0.0
    for g in gaps:
        acc += g
        c.append(acc)
    blocks: list[list[float]] = []  # [mean, weight, count]
    for t, w, ci in zip(targets, weights, c):
        blocks.append([t - ci, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks[-1]
            wt = w1 + w2
            blocks[-1] = [(m1 * w1 + m2 * w2) / wt, wt, n1 + n2]
    out = []
    i = 0
    for m, _w, cnt in blocks:
        for _ in range(cnt):
            out.append(m + c[i])
            i += 1
    return out


__all__ = ["auto_layout", "apply_layout", "X_SPACING", "Y_SPACING"]
