"""Issue 17 in the window: freeze layers and replace the classifier head, each one undo step."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from playground.core import project
from playground.resources_path import preset_text


def undo(window):
    """Ctrl+Z, as a user presses it over the canvas."""
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)


def redo(window):
    """Ctrl+Shift+Z over the canvas."""
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def open_model(window, qtbot, monkeypatch, path, last: str) -> None:
    """File > Open (Ctrl+O) of the model at ``path``, the dialog answering it; waits until its layer ``last`` is
    on the canvas."""
    from PySide6.QtWidgets import QFileDialog
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_O, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window.files.importing is None and window.graph.by_name(last) is not None,
                    timeout=60_000)


def course_model(path, flip: bool = False):
    """A course's model saved at ``path``: Input "photo" (16x16x3), a RandomFlip (``flip``), Rescaling(1/255)
    "scale", Conv2D "conv", pooling "gap" and a 3-class head "flowers"."""
    import keras
    inp = keras.Input((16, 16, 3), name="photo")
    x = keras.layers.RandomFlip(name="flip")(inp) if flip else inp
    x = keras.layers.Rescaling(1 / 255, name="scale")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(keras.layers.Conv2D(4, 3, name="conv")(x))
    keras.Model(inp, keras.layers.Dense(3, activation="softmax", name="flowers")(x)).save(path)
    return path


def trained_preset(name: str) -> project.Project:
    """The preset ``name`` with every layer's weights stored, as after a run (Keras' own starting values)."""
    from playground.backend.builder import build_model, read_weights
    proj = project.loads(preset_text(name))
    for nid, weights in read_weights(build_model(proj.graph), proj.graph).items():
        proj.graph.set_weights(nid, weights)
    return proj


def test_freeze_and_replace_head_from_the_inspector(window, qtbot):
    window.load_project(trained_preset("mnist-cnn"), None)
    g = window.graph
    conv = g.by_name("conv2d")
    window.select_nodes([conv.id])
    box = window.inspector.trained.trainable
    assert box.isVisibleTo(window.inspector) and box.isChecked()
    QTest.mouseClick(box, Qt.LeftButton, Qt.NoModifier, QPoint(8, box.height() // 2))  # on the tick box
    assert conv.trainable is False
    assert "frozen" in window.scene.node_items[conv.id].params_line
    assert "non-trainable" in window.summary.totals.text()
    undo(window)
    assert conv.trainable is True
    # cut after the flatten layer, 3 classes
    flatten = g.by_name("flatten")
    window.select_nodes([flatten.id])
    spin = window.inspector.trained.head_classes
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "3")
    before, text = g.copy(), project.dumps(window.doc.project)
    window.resize(1100, 700)  # (where the minimap's corner, chosen after the reveal, was the new head's)
    window.view.setFocus()
    for _ in range(3):  # zoomed in (Ctrl++) on the first layers: the network's end is out of view
        QTest.keyClick(window.view, Qt.Key_Plus, Qt.ControlModifier)
    window.view.centerOn(window.scene.node_items[g.inputs()[0].id])
    QTest.mouseClick(window.inspector.trained.replace_head, Qt.LeftButton)
    outs = [n for n in g.nodes.values() if not g.output_ids(n.id)]
    assert len(outs) == 1 and outs[0].kind == "dense" and outs[0].params["units"] == 3
    assert g.input_ids(outs[0].id) == [flatten.id]
    # the new head is selected and scrolled into view, clear of the minimap (it sat past the canvas's right edge)
    view = window.view
    card = lambda: view.mapFromScene(window.scene.node_items[outs[0].id].card_rect()).boundingRect()  # noqa: E731
    qtbot.waitUntil(lambda: view.viewport().rect().contains(card()), timeout=2000)
    assert window.doc.selection == [outs[0].id]
    assert not (view.minimap.isVisible() and view.minimap.geometry().intersects(card().translated(
        view.viewport().pos())))
    assert not conv.trainable  # the base is frozen
    from PySide6.QtGui import QFontMetricsF

    from playground.ui import theme
    from playground.ui.canvas.items import CARD_W
    lines = {n.name: window.scene.node_items[n.id].params_line for n in g.nodes.values() if not n.trainable}
    assert lines["conv2d_1"] == "\u2744 frozen \u00b7 18.5k params", lines  # 18,496 was cut at the card's edge
    assert all(QFontMetricsF(theme.ui_font(9)).horizontalAdvance(t) <= CARD_W - 20 for t in lines.values()), lines
    undo(window)
    assert g == before and project.dumps(window.doc.project) == text  # each layer and edge back in its place


def test_a_head_on_a_network_not_trained_yet_freezes_nothing(window, qtbot):
    """The digits' CNN as the preset makes it (no run yet): Replace the head froze its random layers, so the next
    run trained the head alone on random features. Nothing has learned: nothing is frozen, and the message says so."""
    window.load_project(project.loads(preset_text("mnist-cnn")), None)
    g = window.graph
    window.select_nodes([g.by_name("flatten").id])
    trained = window.inspector.trained
    assert "that have learned weights" in trained.replace_head.toolTip()
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)
    assert g.outputs()[0].name == "new_head" and all(n.trainable for n in g.nodes.values())
    said = window.banner.label.text()
    assert "froze none" in said and "they all train with the head" in said, said
    undo(window)
    assert g.outputs()[0].name != "new_head"


def test_the_head_takes_the_class_count_of_the_image_folder_chosen(window, qtbot, tmp_path, monkeypatch):
    """The inspector's "classes" for a new head started at 2 whatever the data. With an image folder of three
    classes chosen in Train, a layer clicked in Build offers 3; a count the user typed is theirs to keep."""
    from measures import image_folder
    from menus import choose_image_folder
    folder = image_folder(tmp_path / "fruit", ("apple", "banana", "cherry"), 2, (12, 12), "RGB")
    (folder / ".cache").mkdir()  # hidden: not a class
    window.load_project(project.loads(preset_text("mnist-cnn")), None)
    choose_image_folder(window, qtbot, monkeypatch, folder)
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    qtbot.wait(30)
    g = window.graph
    flatten = g.by_name("flatten")
    item = window.scene.node_items[flatten.id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    assert window.doc.selection == [flatten.id]
    trained = window.inspector.trained
    assert trained.head_classes.value() == 3 and "fruit" in trained.head_classes.toolTip()
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)
    outs = [n for n in g.nodes.values() if not g.output_ids(n.id)]
    assert len(outs) == 1 and outs[0].params["units"] == 3
    undo(window)
    # the user's own count stays through another click
    spin = trained.head_classes
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "5")
    dense = g.by_name("dense")
    item = window.scene.node_items[dense.id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    assert window.doc.selection == [dense.id] and spin.value() == 5
    # back to 3 offered, then the built-in digits chosen: the offer of the folder's count goes with the folder
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "3")
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    combo = window.train_panel.data_box.dataset
    combo.setFocus()
    while combo.currentData() != "mnist-sample":
        QTest.keyClick(combo, Qt.Key_Up)
    assert window.doc.training["dataset"] == "mnist-sample"
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    qtbot.wait(30)
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    assert spin.value() == 2 and "fruit" not in spin.toolTip()


def test_undo_of_a_new_head_puts_every_layer_back_in_its_place(window, qtbot):
    """A layer inserted after the network was built is last in the file's node order though it sits early in the
    chain; a head replaced after it, then Ctrl+Z, gives back the project to the byte (the removed head layers came
    back last, after the inserted one)."""
    proj = project.loads(preset_text("mnist-cnn"))
    g = proj.graph
    conv, inp = g.by_name("conv2d").id, g.by_name("input").id
    g.disconnect(next(e for e in g.edges if e.dst == conv))
    scale = g.add_node("dropout", {"rate": 0.1}, name="early_dropout", pos=(114.0, 150.0))
    g.connect(inp, scale.id)
    g.connect(scale.id, conv)
    window.load_project(proj, None)
    g = window.graph
    text = project.dumps(window.doc.project)
    item = window.scene.node_items[g.by_name("flatten").id]
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     window.view.mapFromScene(item.mapToScene(item.boundingRect().center())))
    QTest.mouseClick(window.inspector.trained.replace_head, Qt.LeftButton)
    assert "dense_1" not in {n.name for n in g.nodes.values()}  # the old head is gone
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert project.dumps(window.doc.project) == text


def test_a_new_head_on_a_network_that_wants_0_255_pixels_gets_them_in_the_same_step(window, qtbot, tmp_path,
                                                                                     monkeypatch):
    """A course's model starts with Rescaling(1/255), as Keras' tutorials write it; the app's images are already in
    [0, 1], so fine-tuned here its base saw values of at most 0.004. Replace the head puts the frozen preprocessing
    layer after the Input in the same step and says why; one Ctrl+Z takes both back; a second new head adds none."""
    import keras
    import numpy as np
    from PySide6.QtWidgets import QFileDialog
    from test_build_by_hand import click_card, type_field
    inp = keras.Input((16, 16, 3), name="photo")
    x = keras.layers.Rescaling(1 / 255, name="scale")(inp)
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    keras.Model(inp, keras.layers.Dense(5, activation="softmax", name="flowers")(x)).save(tmp_path / "course.h5")
    open_model(window, qtbot, monkeypatch, tmp_path / "course.h5", "flowers")
    g = window.graph
    before = g.copy()
    columns = len({n.pos[0] for n in g.nodes.values()})  # as it opened: one row (it fits)
    from test_lessons_panel import open_lessons
    open_lessons(window)  # the Lessons dock narrows the canvas: the network keeps the rows it opened in (a review)
    click_card(window, g.by_name("gap").id)
    trained = window.inspector.trained
    type_field(trained.head_classes, "2", Qt.Key_Tab)
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)
    assert window.doc.undo_text().startswith("Replace the head")  # (it read "Move": a review)
    photo = g.by_name("photo")
    (first,) = [g.nodes[n] for n in g.output_ids(photo.id)]
    assert first.name == "pixels_to_0_255" and not first.trainable, first.name  # (no ImageNet in it: a drive)
    assert g.output_ids(first.id) == [g.by_name("scale").id]
    assert np.allclose(first.weights["kernel"].reshape(3, 3), 255 * np.eye(3)) and not first.weights["bias"].any()
    said = window.banner.label.text()
    assert "pixels_to_0_255" in said and "multiplies each pixel by 255" in said and "scale" in said, said
    assert window.doc.infos[first.id].status == "ok" and first.pos[0] > photo.pos[0]  # wired, left to right
    assert not any(a.pos == b.pos for a in g.nodes.values() for b in g.nodes.values() if a.id < b.id)
    from playground.core.layout import auto_layout  # opened in the canvas's rows, it stays in them (a drive: the
    assert {n.id: n.pos for n in g.nodes.values()} == auto_layout(g, per_row=columns)  # head stuck out of them)
    out = tmp_path / "tuned.h5"  # the file made takes [0, 1] now, and says so (a drive fed it 0-255 pixels)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    from PySide6.QtGui import QAction
    next(a for a in window.findChildren(QAction) if a.text() == "Keras .h5\u2026").trigger()  # File > Export
    qtbot.waitUntil(lambda: window.exporter.busy is None, timeout=60_000)
    said = window.banner.label.text()
    assert out.exists() and "It takes images in [0, 1]" in said and "pixels_to_0_255" in said, said
    undo(window)  # a note on no step (the export) stays through an undo; the head comes back with redo
    assert window.banner.isVisible() and window.banner.label.text() == said
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert g.by_name("pixels_to_0_255") is not None
    click_card(window, g.by_name("gap").id)
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)  # again: the pixels are prepared already
    assert sum(n.name.startswith("pixels_to_0_255") for n in g.nodes.values()) == 1
    assert window.banner.isVisible()
    said = window.banner.label.text()
    undo(window)
    assert not window.banner.isVisible()  # the note on the undone step went with it (a drive: it stayed)
    redo(window)  # and comes back with it (it did not: the step came back unexplained)
    assert window.banner.isVisible() and window.banner.label.text() == said
    undo(window)
    undo(window)
    assert g == before  # one step each: the preprocessing went with its head


def test_a_network_made_here_keeps_its_pixels_when_its_head_is_replaced(window, qtbot):
    """A review: a network built here with a Rescaling (its default 1/255) got the x255 layer on a new head, though
    it learns (or learned) from the app's [0, 1] images: only weights that came from elsewhere get it."""
    from playground.core.graph import chain
    from test_build_by_hand import click_card
    g0 = chain(("input", {"shape": (16, 16, 3)}), ("rescaling", {}), ("conv2d", {"filters": 4, "kernel_size": 3}),
               ("flatten", {}), ("dense", {"units": 10, "activation": "softmax"}))
    window.load_project(project.Project(g0, "mine"), None)
    g = window.graph
    click_card(window, g.by_name("flatten").id)
    QTest.mouseClick(window.inspector.trained.replace_head, Qt.LeftButton)
    assert not any(n.name.startswith("imagenet_preprocessing") for n in g.nodes.values())
    assert "imagenet_preprocessing" not in window.banner.label.text()


def test_reset_on_a_frozen_layer_says_it_would_stay_random(window):
    """A drive reset the frozen pixels layer: "it starts from random values at the next training", where frozen
    it keeps those random values for good."""
    import numpy as np
    from playground.core.graph import chain
    from test_build_by_hand import click_card
    g0 = chain(("input", {"shape": (4,)}), ("dense", {"units": 2}))
    dense = g0.by_name("dense")
    g0.set_weights(dense.id, {"kernel": np.ones((4, 2), np.float32), "bias": np.zeros(2, np.float32)})
    g0.set_trainable(dense.id, False)
    window.load_project(project.Project(g0, "frozen"), None)
    click_card(window, window.graph.by_name("dense").id)
    QTest.mouseClick(window.inspector.trained.reset_layer, Qt.LeftButton)
    said = window.banner.label.text()
    assert "frozen, keeps them: tick trainable" in said and not window.graph.by_name("dense").weights, said


def test_a_model_kept_whole_gets_its_pixels_prepared_from_its_input(window, qtbot, tmp_path, monkeypatch):
    """Fine-tuned with its own head, a course's model starting with Rescaling(1/255) was fed [0, 1] and said nothing
    (only a new head prepared the pixels). Opening it says so and how; its Input has Prepare the pixels, one undo
    step; prepared, the button goes."""
    import numpy as np
    from PySide6.QtWidgets import QFileDialog
    from test_build_by_hand import click_card
    open_model(window, qtbot, monkeypatch, course_model(tmp_path / "course.keras", flip=True), "flowers")
    said = window.banner.label.text()
    assert "takes pixels from 0 to 255" in said and "scale" in said and "Prepare the pixels" in said, said
    g = window.graph
    before = g.copy()
    click_card(window, g.by_name("conv").id)
    trained = window.inspector.trained
    assert not trained.prepare.isVisible()  # an Input's button
    click_card(window, g.by_name("photo").id)
    assert trained.prepare.isVisible() and "0 to 255" in trained.pixels_note.text()
    assert not trained.replace_head.isVisible() and not trained.reset_all.isVisible()
    QTest.mouseClick(trained.prepare, Qt.LeftButton)
    (first,) = [g.nodes[n] for n in g.output_ids(g.by_name("photo").id)]
    assert first.name == "pixels_to_0_255" and not first.trainable and g.output_ids(first.id) == [g.by_name("flip").id]
    assert np.allclose(first.weights["kernel"].reshape(3, 3), 255 * np.eye(3))
    assert window.doc.undo_text() == "Prepare the pixels" and "pixels_to_0_255" in window.banner.label.text()
    click_card(window, g.by_name("photo").id)
    assert not trained.prepare.isVisible()  # prepared now
    undo(window)
    assert g == before and not window.banner.isVisible()
    # saved unprepared and reopened: said again (a drive: only the Input's inspector said it)
    path = tmp_path / "course.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # File > Save As
    window.load_project(project.loads(preset_text("mnist-mlp")), None)
    assert window.open_file(path) and window.workspace == "Build"
    assert "Opened course.json. Its first layer, scale" in window.banner.label.text()
    g = window.graph
    click_card(window, g.by_name("photo").id)
    QTest.mouseClick(trained.prepare, Qt.LeftButton)
    pre = g.by_name("pixels_to_0_255")
    click_card(window, pre.id)  # no head on the preparation: it learned nothing (a drive cut the Rescaling so)
    assert trained.isVisible() and trained.reset_layer.isVisible() and not trained.replace_head.isVisible()
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete, Qt.ControlModifier)  # the way out: deleted, the Input joined
    names = lambda: {n.name for n in g.nodes.values()}  # noqa: E731
    assert "pixels_to_0_255" not in names() and not window.banner.isVisible()  # (its note said "Added")
    click_card(window, g.by_name("photo").id)
    assert "taken this network's pixel preparation out" in trained.pixels_note.text()  # declined: it is put back
    click_card(window, g.by_name("gap").id)  # only on asking, not with a new head
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)
    assert not any(n.name.startswith("pixels_to_0_255") for n in g.nodes.values()) and "new_head" in names()
    undo(window)
    undo(window)  # the delete undone: prepared again; undone too, it is offered again
    assert "pixels_to_0_255" in names()
    undo(window)
    click_card(window, g.by_name("photo").id)
    assert trained.prepare.isVisible()


def test_a_deleted_preparation_stays_declined_in_the_saved_project_and_can_be_put_back(window, qtbot, tmp_path,
                                                                                        monkeypatch):
    """A user who took the preparation out (the base learned from [0, 1] images) saved and reopened the project:
    the banner offered it again and a new head put it back. Declined, it is kept in the file; the Input's button
    still puts it back, on asking."""
    from PySide6.QtWidgets import QFileDialog
    from test_build_by_hand import click_card, type_field
    open_model(window, qtbot, monkeypatch, course_model(tmp_path / "course.keras"), "flowers")
    g = window.graph
    trained = window.inspector.trained
    click_card(window, g.by_name("photo").id)
    QTest.mouseClick(trained.prepare, Qt.LeftButton)
    click_card(window, g.by_name("pixels_to_0_255").id)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Delete, Qt.ControlModifier)  # taken out: declined
    path = tmp_path / "mine.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier | Qt.ShiftModifier)  # File > Save As
    window.load_project(project.loads(preset_text("mnist-mlp")), None)
    assert window.open_file(path) and window.workspace == "Build"
    g = window.graph
    assert "Prepare the pixels" not in window.banner.label.text()  # not offered again on opening
    click_card(window, g.by_name("gap").id)
    type_field(trained.head_classes, "2", Qt.Key_Tab)
    QTest.mouseClick(trained.replace_head, Qt.LeftButton)
    assert not any(n.name.startswith("pixels_to") for n in g.nodes.values()) and g.by_name("new_head")
    undo(window)
    click_card(window, g.by_name("photo").id)  # asked for, it is put back
    said = trained.pixels_note.text()
    assert trained.prepare.isVisible() and "taken this network's pixel preparation out" in said, said
    QTest.mouseClick(trained.prepare, Qt.LeftButton)
    assert g.by_name("pixels_to_0_255") is not None
    QTest.keyClick(window, Qt.Key_S, Qt.ControlModifier)  # saved prepared: no longer declined
    assert not project.load(path).pixels_declined


def test_a_run_on_unprepared_pixels_says_so_at_start(window, qtbot, tmp_path, monkeypatch):
    """A drive trained a Rescaling(1/255) model as it was: nothing said the base saw [0, 0.004]."""
    import keras
    from PySide6.QtWidgets import QFileDialog
    from measures import image_folder
    inp = keras.Input((8, 8, 3), name="photo")
    x = keras.layers.Flatten(name="flat")(keras.layers.Rescaling(1 / 255, name="scale")(inp))
    keras.Model(inp, keras.layers.Dense(2, activation="softmax", name="out")(x)).save(tmp_path / "m.keras")
    open_model(window, qtbot, monkeypatch, tmp_path / "m.keras", "out")
    folder = image_folder(tmp_path / "pics", ["a", "b"], 4, mode="RGB")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    QTest.mouseClick(window.workspaces.buttons["Train"], Qt.LeftButton)
    panel = window.train_panel
    QTest.mouseClick(panel.data_box.folder_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.data_box.busy, timeout=30_000)
    fed = panel.data_box.feeds.text()  # the line that says what the network is fed says it (it said "[0, 1]" only)
    assert "scaled to [0, 1]" in fed and "takes pixels from 0 to 255" in fed and "Prepare the pixels" in fed, fed
    QTest.mouseClick(panel.start_btn, Qt.LeftButton)
    said = window.banner.label.text()
    assert "This run feeds the app's [0, 1] images as they are" in said and "Prepare the pixels" in said, said
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=120_000)
    qtbot.waitUntil(lambda: "Prepare the pixels" not in panel.data_box.feeds.text(), timeout=5000)  # trained here
    from test_build_by_hand import click_card  # trained here, on [0, 1]: its pixels are the app's from now on
    QTest.mouseClick(window.workspaces.buttons["Build"], Qt.LeftButton)
    click_card(window, window.graph.inputs()[0].id)
    assert window.inspector.isVisible() and not window.inspector.trained.prepare.isVisible()
    assert "Ctrl+Z (the run goes" in said
    undo(window)  # as the banner says: the run taken back, the network's pixels can be prepared again
    assert not window.doc.project.runs.runs
    click_card(window, window.graph.inputs()[0].id)
    assert window.inspector.trained.prepare.isVisible()
