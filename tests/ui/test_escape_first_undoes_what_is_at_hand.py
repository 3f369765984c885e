"""Escape is the window's Stop, but what is at hand comes first, as in any app: on the canvas a selected layer is
let go (a drive's Escape there stopped a run Build does not show, and left the layer selected); in a settings field
what was just typed is put back (a drive's Escape in the seed field with 123 typed stopped the run and kept 123).
Escape again is Stop."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from test_build_by_hand import click_card
from test_training_lab import digits_project, finish, running


def test_escape_on_the_canvas_lets_go_of_the_selection_before_it_stops_a_run(window, qtbot):
    panel = running(window, qtbot, digits_project(epochs=50), batches=2)
    window.set_workspace("Build")
    dense = window.graph.by_name("dense").id
    click_card(window, dense)
    assert window.doc.selection == [dense]
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Escape)
    assert window.doc.selection == [] and not window.scene.selectedItems()
    assert panel.is_running()
    QTest.keyClick(window.view, Qt.Key_Escape)  # nothing selected now: Stop
    finish(qtbot, panel)
    run = window.doc.project.runs.runs[-1]
    assert run.stopped != "finished" and len(run.batch_loss) < 50 * run.steps


def test_escape_in_a_settings_field_puts_back_what_was_typed_before_it_stops_a_run(window, qtbot):
    panel = running(window, qtbot, digits_project(epochs=50), batches=2)
    seed = panel.form.seed
    seed.setFocus()
    steps = window.doc.stack.count()
    seed.selectAll()
    QTest.keyClicks(seed, "123")
    assert window.doc.training["seed"] == 123
    QTest.keyClick(seed, Qt.Key_Escape)  # the typing put back; the run goes on
    assert window.doc.training["seed"] == 3 and seed.lineEdit().text() == "3" and panel.is_running()
    assert window.doc.stack.count() == steps  # the typing's step went with it
    seed.selectAll()
    QTest.keyClicks(seed, "x")  # a refused entry (red, its reason below): Escape takes it back too
    assert seed.refusing and panel.form.settings_msg.isVisible()
    QTest.keyClick(seed, Qt.Key_Escape)
    assert seed.lineEdit().text() == "3" and not seed.refusing and not panel.form.settings_msg.isVisible()
    assert panel.is_running()
    QTest.keyClick(seed, Qt.Key_Escape)  # nothing typed now: Stop
    finish(qtbot, panel)
    assert window.doc.project.runs.runs[-1].stopped != "finished"
    lr = panel.form.lr  # the learning rate's line too
    lr.setFocus()
    lr.selectAll()
    QTest.keyClicks(lr, "0.5")
    assert window.doc.training["learning_rate"] == 0.5
    QTest.keyClick(lr, Qt.Key_Escape)
    assert window.doc.training["learning_rate"] == 0.001 and lr.text() == "0.001"


def test_the_train_menu_shows_what_applies_while_a_run_trains(window, qtbot):
    from PySide6.QtWidgets import QApplication
    panel = running(window, qtbot, digits_project(epochs=50), batches=2)
    bar = window.menuBar()
    train = next(a for a in bar.actions() if a.text() == "&Train")
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.actionGeometry(train).center())
    menu = train.menu()
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    state = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert state["&Start training"] is False and state["S&top training"] is True
    assert state["&Pause or resume"] is True and state["Step &one batch"] is False  # (not paused)
    QTest.keyClick(menu, Qt.Key_Escape)  # closes the menu; the run goes on
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=5_000)
    assert panel.is_running()
    QTest.keyClick(window, Qt.Key_F5)  # the key still answers: why not
    assert "A run is already training" in window.statusBar().currentMessage()
    panel.stop()
    finish(qtbot, panel)
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.actionGeometry(train).center())
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    state = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert state["&Start training"] and not state["S&top training"] and not state["&Pause or resume"]
    QTest.keyClick(menu, Qt.Key_Escape)
    assert QApplication.activePopupWidget() is None or not menu.isVisible()


def test_escape_in_an_inspector_field_puts_back_the_typing_before_it_stops_a_run(window, qtbot):
    """A drive typed 16 into a Dense's units during a run (it applies at once), then Escape: the run stopped and the
    field kept 16. The typing goes back first, as in the Train settings."""
    panel = running(window, qtbot, digits_project(epochs=50), batches=2)
    window.set_workspace("Build")
    dense = window.graph.by_name("dense")
    click_card(window, dense.id)
    units = window.inspector.fields["units"]
    units.setFocus()
    units.selectAll()
    steps = window.doc.stack.count()
    QTest.keyClicks(units, "16")
    assert window.graph.nodes[dense.id].params["units"] == 16
    QTest.keyClick(units, Qt.Key_Escape)
    assert window.graph.nodes[dense.id].params["units"] == 8 and units.lineEdit().text() == "8"
    assert window.doc.stack.count() == steps and panel.is_running()
    QTest.keyClick(units, Qt.Key_Escape)  # nothing typed now: Stop
    finish(qtbot, panel)
    assert window.doc.project.runs.runs[-1].stopped != "finished"
