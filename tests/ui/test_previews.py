"""Live layer previews (View > Layer previews): off by default, computed in a worker after edits settle,
drawn on every card, switched off when a big network opens."""

import pathlib
import sys

from playground.core import project
from playground.core.layout import apply_layout
from playground.resources_path import preset_text
from playground.ui.canvas.preview_controller import MAX_LAYERS

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
from synthetic_graphs import resnet_like  # noqa: E402


def preview_action(window):
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(a for a in view_menu.actions() if a.text() == "Layer &previews")


def test_previews_show_each_layers_output_and_follow_edits(window, qtbot):
    scene, previews = window.scene, window.view.previews
    act = preview_action(window)
    assert not act.isChecked() and all(i.preview is None for i in scene.node_items.values())
    with qtbot.waitSignal(previews.updated, timeout=120_000):
        act.trigger()
    assert act.isChecked()
    g = window.graph
    conv = scene.node_items[g.by_name("conv2d").id].preview
    assert conv is not None and (conv.width(), conv.height()) == (48, 48)  # 4 of 32 24x24 maps, 2x2
    assert scene.node_items[g.by_name("input").id].preview.width() == 28
    dense = scene.node_items[g.by_name("dense_1").id].preview
    assert dense.width() == 10  # a strip of 10 bars: the 10 class outputs
    window.select_nodes([g.by_name("conv2d").id])
    spin = window.inspector.fields["filters"]
    with qtbot.waitSignal(previews.updated, timeout=60_000):
        spin.setValue(2)  # two edits in quick succession: one preview run once they settle
        spin.setValue(3)
    edited = scene.node_items[g.by_name("conv2d").id].preview
    assert edited.width() == 3 * edited.height()  # 3 maps side by side
    act.trigger()
    assert all(i.preview is None for i in scene.node_items.values())


def test_previews_switch_off_for_big_networks(window, qtbot):
    act = preview_action(window)
    act.trigger()
    g = resnet_like(MAX_LAYERS + 20)
    apply_layout(g)
    window.load_project(project.Project(g, "big", ""), None)
    assert not act.isChecked() and not window.view.previews.enabled
    window.load_project(project.loads(preset_text("mnist-mlp")), None)
    assert not act.isChecked()  # stays as the user left it


def test_an_error_in_one_layer_keeps_the_other_previews(window, qtbot):
    """Issue 24, item 19: kernel 40 on the second conv: the cards before it keep their pictures."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    scene, previews = window.scene, window.view.previews
    with qtbot.waitSignal(previews.updated, timeout=120_000):
        preview_action(window).trigger()
    g = window.graph
    conv1 = g.by_name("conv2d_1")
    window.select_nodes([conv1.id])
    field = window.inspector.fields["kernel_size"]
    with qtbot.waitSignal(previews.updated, timeout=60_000):
        field.setFocus()
        field.selectAll()
        QTest.keyClicks(field, "40")
        QTest.keyClick(field, Qt.Key_Return)
    assert window.doc.infos[conv1.id].errors
    assert scene.node_items[g.by_name("conv2d").id].preview is not None
    assert scene.node_items[g.by_name("input").id].preview is not None
    assert scene.node_items[conv1.id].preview is None
