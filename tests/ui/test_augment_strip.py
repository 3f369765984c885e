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


def test_the_cifar_story_presets_keep_their_runs_to_compare(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from playground.core import runs

    p = project.loads(preset_text("cifar10-baseline"))
    fp = runs.fingerprint(p.graph)
    run = runs.make_run(0, "2026-01-01T10:00:00Z", 12.0, {**p.training, "seed": 0}, 0, fp, runs.EMPTY_DIGEST,
                        None, 3, [2.0, 1.9, 1.8], [0.1, 0.12, 0.15], {"loss": [1.8]}, test_accuracy=0.15)
    p.runs = p.runs.added(run)  # as if step 1 had been trained (CIFAR-10 is not on a test machine)
    window.load_project(p, None)
    window.ask_save = lambda: "discard"

    def choose():
        dlg = QApplication.activeModalWidget()
        item = next(dlg.list.item(i) for i in range(dlg.list.count())
                    if dlg.list.item(i).data(Qt.UserRole) == "cifar10-cnn")
        rect = dlg.list.visualItemRect(item)
        QTest.mouseClick(dlg.list.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
        QTest.mouseClick(dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.Open), Qt.LeftButton)

    QTimer.singleShot(300, choose)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    next(a for a in file_menu.actions() if a.text().startswith("New from &preset")).trigger()
    assert window.doc.project.name == "cifar10-cnn"
    table = window.train_panel.runs_table.table
    from playground.ui.runs_table import COLUMNS  # noqa: PLC0415
    assert table.rowCount() == 1 and table.item(0, COLUMNS.index("test acc.")).text() == "0.1500"
    # the network it trained, by its preset's name
    assert table.item(0, COLUMNS.index("network")).text() == "cifar10-baseline"
