"""The layered layout: left to right, chains straight (wrapped into rows only when asked), skip lanes free, few
crossings."""

import pathlib
import sys

import pytest

from playground.core.graph import Edge, Graph
from playground.core.layout import WRAP_ROW_GAP, X_SPACING, Y_SPACING, auto_layout, chain_order

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic_graphs import densenet_like, resnet_like  # noqa: E402


def chain(n: int) -> Graph:
    g = Graph()
    prev = g.add_node("input", {"shape": [8]})
    for _ in range(n - 1):
        node = g.add_node("dense", {"units": 4})
        g.connect(prev.id, node.id)
        prev = node
    return g


def test_a_long_chain_is_one_straight_row_without_wrapping():
    g = chain(14)
    pos = auto_layout(g)
    order = g.topological_order()
    assert [pos[n][0] for n in order] == [i * X_SPACING for i in range(14)]
    assert {pos[n][1] for n in order} == {0.0}


def test_a_chain_longer_than_a_row_wraps_into_rows_read_like_text():
    g = chain(12)
    order = g.topological_order()
    pos = auto_layout(g, per_row=5)
    assert [pos[n] for n in order] == [((i % 5) * X_SPACING, (i // 5) * Y_SPACING * WRAP_ROW_GAP) for i in range(12)]
    assert auto_layout(chain(5), per_row=5) == auto_layout(chain(5))  # it fits one row: one row


def test_a_plain_chain_is_told_apart():
    branchy = resnet_like(30)
    assert chain_order(branchy) is None and auto_layout(branchy, per_row=100) == auto_layout(branchy)  # it fits
    two = chain(6)
    other = two.add_node("input", {"shape": [8]})  # a second piece
    assert chain_order(two) is None
    two.remove_node(other.id)
    assert chain_order(two) == two.topological_order()
    merge = chain(6)
    extra = merge.add_node("input", {"shape": [4]})
    last = merge.topological_order()[-1]
    add = merge.add_node("add", {})
    merge.connect(last, add.id)
    merge.connect(extra.id, add.id)
    assert chain_order(merge) is None


def test_no_two_layers_overlap_and_every_layer_is_placed():
    g = densenet_like(200)
    pos = auto_layout(g)
    assert set(pos) == set(g.nodes)
    by_column = {}
    for x, y in pos.values():
        by_column.setdefault(x, []).append(y)
    for ys in by_column.values():
        ys.sort()
        assert all(b - a >= Y_SPACING for a, b in zip(ys, ys[1:]))


@pytest.mark.parametrize("make", [resnet_like, densenet_like])
def test_skip_connections_get_a_free_lane_beside_the_straight_chain(make):
    """Identity skips (ResNet's Add, DenseNet's Concatenate): the layers a skip jumps over stay in the
    row of its two ends, and no layer sits in the lane half a row below them."""
    g = make(120)
    pos = auto_layout(g)
    col = {x: [] for x, _ in pos.values()}
    for x, y in pos.values():
        col[x].append(y)
    skips = [e for e in g.edges if pos[e.dst][0] - pos[e.src][0] > X_SPACING and
             pos[e.src][1] == pos[e.dst][1]]
    assert len(skips) >= 4
    for e in skips:
        y0 = pos[e.src][1]
        x = pos[e.src][0] + X_SPACING
        while x < pos[e.dst][0]:
            assert y0 in col[x], f"the chain under the skip {e} bends at x={x}"
            assert not [y for y in col[x] if y0 < y < y0 + Y_SPACING], f"a layer blocks the skip lane at x={x}"
            x += X_SPACING


def crossings(g: Graph, pos) -> int:
    edges = [(pos[e.src], pos[e.dst]) for e in g.edges]
    n = 0
    for i, (a, b) in enumerate(edges):
        for c, d in edges[i + 1:]:
            if a[0] == c[0] and b[0] == d[0] and (a[1] - c[1]) * (b[1] - d[1]) < 0:
                n += 1
    return n


def test_barycentre_order_untangles_two_parallel_branches():
    """Branches created in an order that crosses (a1 above b1, but b2 above a2) come out uncrossed."""
    g = Graph()
    x = g.add_node("input", {"shape": [8]}, name="x")
    a1 = g.add_node("dense", {"units": 4}, name="a1")
    b1 = g.add_node("dense", {"units": 4}, name="b1")
    b2 = g.add_node("dense", {"units": 4}, name="b2")
    a2 = g.add_node("dense", {"units": 4}, name="a2")
    a3 = g.add_node("dense", {"units": 4}, name="a3")
    b3 = g.add_node("dense", {"units": 4}, name="b3")
    c = g.add_node("concatenate", {}, name="c")
    for s, d in ((x, a1), (x, b1), (a1, a2), (b1, b2), (a2, a3), (b2, b3), (b3, c), (a3, c)):
        g.connect(s.id, d.id)
    pos = auto_layout(g)
    assert crossings(g, pos) == 0
    assert pos[x.id][0] < pos[a1.id][0] < pos[a2.id][0] < pos[c.id][0]


def test_separate_pieces_are_stacked_not_interleaved():
    g = chain(5)
    h = chain(3)
    for node in h.nodes.values():
        node = node.clone()
        node.id, node.name = "h" + node.id, "h_" + node.name
        g.insert_node(node)
    for e in h.edges:
        g.add_edge_unchecked(Edge("h" + e.src, "h" + e.dst, e.port))
    pos = auto_layout(g)
    first = [pos[n][1] for n in g.nodes if not n.startswith("h")]
    second = [pos["h" + n][1] for n in h.nodes]
    assert max(first) + Y_SPACING <= min(second)


def test_a_late_input_sits_next_to_its_consumer():
    g = chain(6)
    extra = g.add_node("input", {"shape": [4]}, name="extra")
    last = g.topological_order()[-2]
    cat = g.add_node("concatenate", {}, name="cat")
    g.connect(last, cat.id)
    g.connect(extra.id, cat.id)
    pos = auto_layout(g)
    assert pos[extra.id][0] == pos[cat.id][0] - X_SPACING


def test_empty_graph_and_two_thousand_layers():
    assert auto_layout(Graph()) == {}
    from synthetic_graphs import fast_copy
    g = fast_copy(densenet_like(500), 4)
    pos = auto_layout(g)
    assert len(pos) == len(g.nodes) > 1900
    assert len(set(pos.values())) == len(pos)


def test_the_main_path_of_a_resnet_stays_one_straight_row_and_projections_branch_off():
    """The longest path (the spine) is one row; each stage's projection shortcut (conv + BN) runs a row
    below it and joins at the Add."""
    import re
    g = resnet_like(177)
    pos = auto_layout(g)
    shortcut = {nid for nid, n in g.nodes.items() if re.search(r"_0_\d+_", n.name)}
    assert len(shortcut) >= 6
    assert len({pos[n][1] for n in g.nodes if n not in shortcut}) == 1
    spine_y = pos[g.topological_order()[0]][1]
    assert all(pos[n][1] == spine_y + Y_SPACING for n in shortcut)


def test_a_branchy_network_longer_than_a_row_is_cut_into_bands_where_one_edge_goes_on():
    """MobileNetV2 opened as one row of 156 cards, 35,000 px wide. A network that is not a plain chain now wraps
    too: into bands of about ``per_row`` columns, each under the one before, cut only between two columns that
    one edge alone joins (between two blocks), so that edge is the one that runs back along the gap."""
    g = resnet_like(60)
    flat, pos = auto_layout(g), auto_layout(g, per_row=6)
    assert auto_layout(g, per_row=6) == pos and set(pos) == set(g.nodes)
    assert len(set(pos.values())) == len(pos)  # no two cards in one place
    band_tops = sorted({min(y for x, y in pos.values() if y >= top - 1e-9) for top in
                        [y for x, y in pos.values() if x == 0.0]})
    back = [e for e in g.edges if pos[e.dst][0] < pos[e.src][0]]
    assert len(back) == len([n for n in g.nodes if pos[n][0] == 0.0]) - 1 >= 4  # one back edge a band boundary
    for e in g.edges:
        (sx, sy), (dx, dy) = pos[e.src], pos[e.dst]
        if (dx, dy) != (sx, sy) and dx < sx:  # the back edge: from a band's last column to the next's first
            assert dx == 0.0 and dy > sy
            assert sx == max(x for x, y in pos.values() if abs(y - sy) < 2 * Y_SPACING)
        else:  # within a band, left to right
            assert dx > sx
    for e in back:  # the one edge crossing that gap: nothing else goes from above it to below it
        cut = pos[e.dst][1]
        assert sum(1 for f in g.edges if pos[f.src][1] < cut <= pos[f.dst][1]) == 1
    widest = max(x for x, _y in pos.values()) / X_SPACING + 1
    assert widest <= 12 < max(x for x, _y in flat.values()) / X_SPACING  # a block a band: 10 columns, not 63
    assert band_tops == sorted(band_tops)
    two = chain(6)
    two.add_node("input", {"shape": [8]})  # a second piece: each piece in its own bands, one under the other
    rows = auto_layout(two, per_row=3)
    assert max(x for x, _y in rows.values()) == 2 * X_SPACING and len({y for _x, y in rows.values()}) == 3


def test_a_band_is_not_left_with_a_lone_card():
    """A review: an input feeding a block longer than a row stood alone in the first band (the next band ran past
    the row anyway), and a last layer alone in the last."""
    g = Graph()
    prev = g.add_node("input", {"shape": [8]}, name="in")
    split = g.add_node("dense", {"units": 4}, name="s0")
    g.connect(prev.id, split.id)
    ends = []
    for branch, n in (("a", 7), ("b", 2)):
        prev = split
        for i in range(n):
            node = g.add_node("dense", {"units": 4}, name=f"{branch}{i}")
            g.connect(prev.id, node.id)
            prev = node
        ends.append(prev)
    add = g.add_node("add", {}, name="add")
    for end in ends:
        g.connect(end.id, add.id)
    prev = add
    for i in range(3):
        node = g.add_node("dense", {"units": 4}, name=f"t{i}")
        g.connect(prev.id, node.id)
        prev = node
    for per_row in (3, 5):
        pos = auto_layout(g, per_row=per_row)
        y = {node.name: pos[nid][1] for nid, node in g.nodes.items()}
        assert y["in"] == y["s0"], per_row  # the input rides with the block it feeds
        rows = {}
        for name, top in y.items():
            rows.setdefault(top, []).append(name)
        assert min(len(v) for k, v in rows.items() if not any(n.startswith("b") for n in v)) >= 2, rows
