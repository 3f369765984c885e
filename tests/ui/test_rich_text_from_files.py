"""Text from a file or a folder's name never reaches Qt's rich text as markup. Qt reads a label, a tooltip or a
pyqtgraph legend with a tag in it as HTML, and loads what an <img src=...> names from the disk (``&#47;`` spells '/'
with no slash). Two hostile sweeps found class folders so named reaching the Results gallery, the draw pad's
prediction, the path's caption and a stored run's dataset reaching the plot legend.

The network is trained on image folders as a user does: the folder's path typed into the data box, Start clicked;
then the Results, the runs overlaid in the Runs tab. Every label and legend entry of the window is read back."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from playground.core import project
from playground.core.graph import chain
from tests.ui.measures import image_folder
from tests.ui.test_data_box import _to_train
from tests.ui.test_training_lab import click, click_row, finish

EVIL = "<img src=&#47;tmp&#47;nowhere.png>"


def _markup_in(text: str, fmt) -> bool:
    """Whether Qt, showing ``text`` in format ``fmt``, would make an image of it."""
    if fmt == Qt.PlainText or (fmt == Qt.AutoText and not GuiQt.mightBeRichText(text)):
        return False
    doc = QTextDocument()
    doc.setHtml(text)
    return "<img" in doc.toHtml().lower()


def test_class_and_folder_names_stay_text_through_a_run_its_results_and_the_runs_compared(window, qtbot, tmp_path):
    plain = image_folder(tmp_path / "pics", ["a", EVIL], 6, size=(28, 28))
    other = image_folder(tmp_path / EVIL.replace("/", "_"), ["a", EVIL], 6, size=(28, 28))
    g = chain(("input", {"shape": [28, 28, 1]}), ("flatten", {}), ("dense", {"units": 2, "activation": "softmax"}))
    window.load_project(project.Project(g, "evil", training={**project.DEFAULT_TRAINING, "epochs": 1,
                                                             "batch_size": 4, "validation_split": 0.0, "seed": 1}),
                        None)
    box = _to_train(window, qtbot)
    panel = window.train_panel
    for folder in (plain, other):
        box.path.clear()
        box.path.setFocus()
        QTest.keyClicks(box.path, str(folder))
        QTest.keyClick(box.path, Qt.Key_Return)
        qtbot.waitUntil(lambda: not box.busy, timeout=30_000)
        click(panel.start_btn)
        finish(qtbot, panel)
    assert [r.number for r in window.doc.project.runs.runs] == [1, 2]
    QTest.mouseClick(panel.tabs.tabBar(), Qt.LeftButton, Qt.NoModifier,
                     panel.tabs.tabBar().tabRect(panel.tabs.indexOf(panel.results)).center())
    qtbot.wait(20)
    table = panel.runs_table
    click_row(table.table, 0)
    click_row(table.table, 1, Qt.ControlModifier)  # both overlaid: the legend says what differed (the data)
    legend = [label.text for plot in (panel.plots.loss_plot, panel.plots.acc_plot)
              for _sample, label in plot.getPlotItem().legend.items]
    assert any("data" in t for t in legend), legend
    assert not any(_markup_in(t, Qt.RichText) for t in legend), legend
    shown = [(w.text(), w.textFormat()) for w in window.findChildren(QLabel) if w.text()]
    assert any(EVIL in QTextDocumentText(t, f) for t, f in shown)  # the class's name is on screen, as written
    assert not [t for t, f in shown if _markup_in(t, f)]
    tips = [w.toolTip() for w in window.findChildren(QLabel) if w.toolTip()]
    assert not [t for t in tips if _markup_in(t, Qt.AutoText)]
    QTest.mouseClick(window.workspaces.buttons["See inside"], Qt.LeftButton)  # the trained model, a test example
    qtbot.wait(200)
    shown = [(w.text(), w.textFormat()) for w in window.findChildren(QLabel) if w.text()]
    assert not [t for t, f in shown if _markup_in(t, f)]


def QTextDocumentText(text: str, fmt) -> str:  # noqa: N802 - what the label reads as
    doc = QTextDocument()
    if fmt == Qt.PlainText or (fmt == Qt.AutoText and not GuiQt.mightBeRichText(text)):
        doc.setPlainText(text)
    else:
        doc.setHtml(text)
    return doc.toPlainText()
