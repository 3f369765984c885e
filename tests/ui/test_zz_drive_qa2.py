from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from tests.ui.test_zz_drive_qa1 import plain, shot, click_card, dump


def typ(w, text, confirm):
    le = w.lineEdit() if hasattr(w, "lineEdit") and w.lineEdit() else w
    w.setFocus()
    le.selectAll()
    QTest.keyClicks(le, text)
    if confirm is not None:
        QTest.keyClick(le, confirm)
    return le


def test_int_boxes(window, qtbot):
    window.resize(1280, 720)
    g = window.graph
    conv = g.by_name("conv2d")
    dense = [n for n in g.nodes.values() if n.kind == "dense"][0]
    print("layers:", [(n.name, n.kind) for n in g.nodes.values()])
    for node, key in ((conv, "filters"), (dense, "units")):
        for text in ("1e3", "2.5", "12abc", "", " 7 ", "+8", "0x10"):
            for confirm in (Qt.Key_Return, Qt.Key_Tab):
                click_card(window, node.id)
                before = node.params[key]
                w = window.inspector.fields[key]
                le = typ(w, text, confirm)
                qtbot.wait(10)
                msg = window.inspector.msgs[key]
                print(f"{node.name}.{key} typed {text!r} + {'Ret' if confirm == Qt.Key_Return else 'Tab'}: "
                      f"before={before} after={node.params[key]} field={le.text()!r} msg={msg.text()!r} vis={msg.isVisible()}")
                # reset
                click_card(window, node.id)
                w = window.inspector.fields[key]
                typ(w, str(before), Qt.Key_Return)
    click_card(window, conv.id)
    typ(window.inspector.fields["filters"], "1e3", Qt.Key_Return)
    shot(window, qtbot, "07-filters-1e3")


def test_kernel_too_big_and_input_shapes(window, qtbot):
    window.resize(1280, 720)
    g = window.graph
    print("layers:", [(n.name, n.kind, dict(n.params)) for n in g.nodes.values()][:4])
    conv = g.by_name("conv2d")
    click_card(window, conv.id)
    typ(window.inspector.fields["padding"], "valid", Qt.Key_Return)
    typ(window.inspector.fields["kernel_size"], "40", Qt.Key_Return)
    qtbot.wait(20)
    dump(window, "kernel 40")
    print("output:", plain(window.inspector.output))
    print("card msg:", window.scene.node_items[conv.id].message)
    shot(window, qtbot, "08-kernel40")
    typ(window.inspector.fields["kernel_size"], "", Qt.Key_Return)
    print("kernel '' ->", conv.params["kernel_size"], repr(window.inspector.fields["kernel_size"].text()),
          repr(window.inspector.msgs["kernel_size"].text()))
    shot(window, qtbot, "09-kernel-empty")
    # Ctrl+Z in the field
    typ(window.inspector.fields["kernel_size"], "7", None)
    print("kernel typing 7 (no confirm) ->", conv.params["kernel_size"])
    QTest.keyClick(window.inspector.fields["kernel_size"], Qt.Key_Z, Qt.ControlModifier)
    print("after Ctrl+Z in field ->", conv.params["kernel_size"], repr(window.inspector.fields["kernel_size"].text()))
    QTest.keyClick(window.inspector.fields["kernel_size"], Qt.Key_Z, Qt.ControlModifier)
    print("after 2nd Ctrl+Z in field ->", conv.params["kernel_size"], repr(window.inspector.fields["kernel_size"].text()))
    QTest.keyClick(window.inspector.fields["kernel_size"], Qt.Key_Y, Qt.ControlModifier)
    print("after Ctrl+Y in field ->", conv.params["kernel_size"], repr(window.inspector.fields["kernel_size"].text()))
    inp = [n for n in g.nodes.values() if n.kind == "input"][0]
    for text in ("28, 28", "0, 28, 1", "28.5, 28, 1", "abc", "28x28x1", "100000, 100000, 3", "28,28,1,", "-1, 28, 1", "28 28 1"):
        click_card(window, inp.id)
        le = typ(window.inspector.fields["shape"], text, Qt.Key_Return)
        qtbot.wait(10)
        print(f"input shape {text!r}: param={inp.params['shape']} field={le.text()!r} msg={window.inspector.msgs['shape'].text()!r}")
        print("   conv:", window.doc.infos[conv.id].shape, window.doc.infos[conv.id].errors)
        if text == "100000, 100000, 3":
            print("   summary total:", window.summary.findChildren(type(window.banner.label))[0].text() if window.summary.findChildren(type(window.banner.label)) else None)
            shot(window, qtbot, "10-huge-input")
