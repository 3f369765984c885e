"""A file's examples of two channels crashed the app as the data box drew them (a QImage read them as three bytes a
pixel, past the array's end); a card at the edge of the canvas's reach hung the window as its edges were routed."""

import json

import numpy as np
from PySide6.QtGui import QImage

from playground.resources_path import preset_text

from test_build_by_hand import type_field
from test_journeys import workspace


def test_two_channel_examples_show_their_first_channel_grey(window, qtbot, tmp_path):
    x = np.zeros((4, 300, 300, 2), np.uint8)
    x[..., 0], x[..., 1] = 200, 10
    np.savez(tmp_path / "two.npz", x_train=x, y_train=np.array([0, 1, 0, 1]))
    workspace(window, "Train")
    box = window.train_panel.data_box
    type_field(box.path, str(tmp_path / "two.npz"))  # Enter: the user's own file
    assert window.doc.training["dataset"] == str(tmp_path / "two.npz")
    thumbs = [box.strip.itemAt(i).widget() for i in range(box.strip.count()) if box.strip.itemAt(i).widget()]
    assert len(thumbs) == 4
    img = thumbs[0].pixmap().toImage().convertToFormat(QImage.Format_RGB888)
    colours = {img.pixelColor(x, y).getRgb()[:3] for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert colours == {(200, 200, 200)}, colours  # channel one, grey; never the bytes beside it


def test_a_card_at_the_canvas_reach_opens_at_once(window, qtbot, tmp_path):
    d = json.loads(preset_text("mnist-mlp"))
    d["nodes"][-1]["pos"] = [1e7, 0.0]
    (tmp_path / "far.json").write_text(json.dumps(d))
    assert window.open_file(tmp_path / "far.json")
    assert window.graph.nodes[d["nodes"][-1]["id"]].pos == (1e7, 0.0)
    d["nodes"][-1]["pos"] = [1e12, 0.0]  # beyond it: refused by name, the open project kept
    (tmp_path / "farther.json").write_text(json.dumps(d))
    assert not window.open_file(tmp_path / "farther.json")
    assert "within \u00b110,000,000 pixels" in window.banner.label.text()
    assert window.doc.path.name == "far.json"
