"""QA drive 1: build by hand from an empty project."""
from PySide6.QtCore import Qt, QPoint
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def plain(label):
    d = QTextDocument(); d.setHtml(label.text()); return d.toPlainText()


def shot(window, qtbot, name):
    qtbot.wait(50)
    window.grab().save(f"/tmp/drive/{name}.png")


def key_window(window, key, mods=Qt.NoModifier, target=None):
    QTest.keyClick(target or QApplication.focusWidget() or window, key, mods)


def add_via_search(window, qtbot, text):
    """Ctrl+F, type, Enter (into list), Enter (add)."""
    QTest.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    qtbot.wait(10)
    fw = QApplication.focusWidget()
    QTest.keyClicks(fw, text)
    QTest.keyClick(fw, Qt.Key_Return)
    fw2 = QApplication.focusWidget()
    print("focus after search Enter:", type(fw2).__name__, window.palette_panel.current_kind())
    QTest.keyClick(fw2, Qt.Key_Return)
    qtbot.wait(10)


def click_card(window, node_id):
    item = window.scene.node_items[node_id]
    centre = item.mapToScene(item.boundingRect().center())
    QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier, window.view.mapFromScene(centre))


def type_field(widget, text, confirm=Qt.Key_Return):
    widget.setFocus()
    le = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    le.selectAll()
    QTest.keyClicks(le, text)
    if confirm is not None:
        QTest.keyClick(le, confirm)


def dump(window, tag):
    g = window.graph
    print(f"--- {tag}")
    for nid, n in g.nodes.items():
        info = window.doc.infos.get(nid)
        print(f"  {n.name:12s} {n.kind:10s} ins={[g.nodes[i].name for i in g.input_ids(nid)]} params={ {k: v for k, v in n.params.items() if k in ('shape','kernel_size','strides','padding','filters','units','pool_size')} } "
              f"shape={getattr(info,'shape',None)} status={getattr(info,'status',None)} err={getattr(info,'errors',None)} warn={getattr(info,'warnings',None)}")


def test_build(window, qtbot):
    window.resize(1280, 720)
    qtbot.wait(50)
    QTest.keyClick(window, Qt.Key_N, Qt.ControlModifier)
    qtbot.wait(50)
    shot(window, qtbot, "01-empty-1280")
    for kind in ["input", "conv2d", "maxpool", "flatten", "dense"]:
        add_via_search(window, qtbot, kind if kind != "maxpool" else "maxpool")
        dump(window, f"after adding {kind}")
        print("banner:", window.banner.label.text() if window.banner.isVisible() else None)
        print("status:", window.statusBar().currentMessage())
    shot(window, qtbot, "02-chain-1280")
    g = window.graph
    conv = [n for n in g.nodes.values() if n.kind == "conv2d"][0]
    inp = [n for n in g.nodes.values() if n.kind == "input"][0]
    click_card(window, inp.id)
    print("inspector fields input:", list(window.inspector.fields))
    type_field(window.inspector.fields["shape"], "28, 28, 1")
    dump(window, "input 28,28,1")
    click_card(window, conv.id)
    print("inspector fields conv:", list(window.inspector.fields))
    print("output:", plain(window.inspector.output))
    shot(window, qtbot, "03-conv-selected-1280")
    f = window.inspector.fields
    vals = [("kernel_size", "5"), ("strides", "2"), ("padding", "same"), ("padding", "valid"), ("padding", "2"),
            ("padding", "1, 2, 3, 4"), ("strides", "0"), ("strides", "-1"), ("kernel_size", "29"), ("kernel_size", "30"),
            ("kernel_size", "2.5"), ("kernel_size", "abc"), ("kernel_size", "99999999999999"), ("filters", "0"),
            ("filters", "1e3"), ("filters", "100000000"), ("strides", "3"), ("kernel_size", "3"), ("padding", "same"),
            ("strides", "1.5"), ("padding", "-1"), ("padding", "foo"), ("kernel_size", "3, 5"), ("kernel_size", ""),
            ]
    for key, text in vals:
        click_card(window, conv.id)
        f = window.inspector.fields
        type_field(f[key], text)
        msg = window.inspector.msgs[key]
        print(f"TYPE {key}={text!r}: param={conv.params[key]!r} fieldmsg={msg.text()!r} (vis {msg.isVisible()})")
        print("   output:", plain(window.inspector.output).replace("\n", " | "))
        safe = text.replace(" ", "").replace(",", "_").replace(".", "p")[:12] or "empty"
        if key in ("strides",) and text in ("0",) or text in ("29", "abc", "1,2,3,4", "2.5"):
            shot(window, qtbot, f"04-{key}-{safe}")
    dump(window, "after bad values")
    print("undo index", window.stack.index(), "count", window.stack.count())
    for i in range(window.stack.count()):
        print("  cmd", i, window.stack.text(i))
    # undo all with Ctrl+Z from canvas
    window.view.setFocus()
    n = 0
    while window.stack.canUndo() and n < 60:
        QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
        n += 1
    dump(window, f"after {n} undos")
    m = 0
    while window.stack.canRedo() and m < 60:
        QTest.keyClick(window.view, Qt.Key_Y, Qt.ControlModifier)
        m += 1
    dump(window, f"after {m} redos")
    window.resize(1920, 1080)
    qtbot.wait(100)
    click_card(window, conv.id)
    shot(window, qtbot, "05-final-1920")
    window.resize(1280, 720)
    qtbot.wait(100)
    shot(window, qtbot, "06-final-1280")
