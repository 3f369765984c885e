"""Issue 28: clicking an augmentation layer on the canvas shows eight seeded versions of a training image in the
inspector; the strip follows the seed typed in the Train panel and repeats when the seed comes back."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from playground.core import project
from playground.resources_path import preset_text



def click_card(window, node_id):
    item = window.scene.node_items[node_id]
    centre = window.view.mapFromScene(item.mapToScene(item.boundingRect().center()))
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, centre)


def _digit_story(window):
    """The third CIFAR-10 preset, on the built-in digits (CIFAR-10 is not cached on a test machine)."""
    p = project.loads(preset_text("cifar10-cnn-augmented"))
    p.graph.set_param(p.graph.by_name("input").id, "shape", (28, 28, 1))
    p.training["dataset"] = "mnist-sample"
    window.load_project(p, None)
    return p.graph


def _pictures(strip):
    return [label.pixmap().toImage() for label in strip.thumbs]


def test_clicking_an_augmentation_layer_shows_the_seeded_strip(window, qtbot, tmp_path):
    g = _digit_story(window)
    strip = window.inspector.augment
    assert not strip.isVisible()
    with qtbot.waitSignal(strip.updated, timeout=120_000):
        click_card(window, g.by_name("zoom").id)
    assert window.doc.selection == [g.by_name("zoom").id]
    assert strip.isVisible() and len(strip.thumbs) == 9  # the image it receives, then eight versions
    qtbot.waitUntil(lambda: all(t.isVisible() for t in strip.thumbs))  # a label added to a shown box shows next
    assert all(t.pixmap().width() == 52 for t in strip.thumbs)
    assert "seed 0" in strip.note.text() and "passes images through unchanged" in strip.note.text()
    first = _pictures(strip)
    assert len({img.cacheKey() for img in first}) == 9 and first[1] != first[2]  # different versions
    window.inspector.grab().save(str(tmp_path / "augment_strip.png"))

    window.set_workspace("Train")  # a new seed, typed as a user types it: a new strip
    seed = window.train_panel.seed
    with qtbot.waitSignal(strip.updated, timeout=60_000):
        seed.setFocus()
        seed.selectAll()
        QTest.keyClicks(seed, "7")
        QTest.keyClick(seed, Qt.Key_Return)
    assert window.doc.training["seed"] == 7
    other = _pictures(strip)
    assert other[0] == first[0] and other[1:] != first[1:]  # same image in, other versions out
    with qtbot.waitSignal(strip.updated, timeout=60_000):
        window.doc.stack.undo()  # back to seed 0: the same eight as before
    assert _pictures(strip)[1:] == first[1:]

    window.set_workspace("Build")  # a layer that is not an augmentation: no strip
    click_card(window, g.by_name("conv_1").id)
    assert not strip.isVisible()
