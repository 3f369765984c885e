"""Issue 17 in the window: freeze layers and replace the classifier head, each one undo step."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from playground.core import project
from playground.resources_path import preset_text


def test_freeze_and_replace_head_from_the_inspector(window):
    window.load_project(project.loads(preset_text("mnist-cnn")), None)
    g = window.graph
    conv = g.by_name("conv2d")
    window.select_nodes([conv.id])
    box = window.inspector.trained.trainable
    assert box.isVisibleTo(window.inspector) and box.isChecked()
    QTest.mouseClick(box, Qt.LeftButton, Qt.NoModifier, QPoint(8, box.height() // 2))  # on the tick box
    assert conv.trainable is False
    assert "frozen" in window.scene.node_items[conv.id].params_line
    assert "non-trainable" in window.summary.totals.text()
    window.undo_action.trigger()
    assert conv.trainable is True
    # cut after the flatten layer, 3 classes
    flatten = g.by_name("flatten")
    window.select_nodes([flatten.id])
    spin = window.inspector.trained.head_classes
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "3")
    before = g.copy()
    QTest.mouseClick(window.inspector.trained.replace_head, Qt.LeftButton)
    outs = [n for n in g.nodes.values() if not g.output_ids(n.id)]
    assert len(outs) == 1 and outs[0].kind == "dense" and outs[0].params["units"] == 3
    assert g.input_ids(outs[0].id) == [flatten.id]
    assert not conv.trainable  # the base is frozen
    window.undo_action.trigger()
    assert g == before
