"""Issue 23, items 7 and 8: image folders read the header and size first; one-class data says what it needs;
a lone surrogate in a project name prints."""

import json
import resource
import time

import numpy as np
import pytest
from PIL import Image

from playground import cli
from playground.backend import datasets
from playground.core.errors import DatasetError
from playground.core.graph import chain
from playground.core import project


def test_a_sparse_6_gb_png_is_refused_without_reading_it(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / cls / "0.png")
    big = tmp_path / "b" / "big.png"
    with open(big, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(6 * 10 ** 9)  # sparse: 6 GB long, nothing on disk
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with pytest.raises(DatasetError, match="big.png is 6.0 GB; an image may be at most"):
        datasets.load_file(tmp_path)
    assert time.perf_counter() - t0 < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: nothing read


def test_an_image_too_large_is_refused_from_its_header(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
    Image.new("L", (9000, 1)).save(tmp_path / "a" / "wide.png")
    Image.new("L", (4, 4)).save(tmp_path / "b" / "ok.png")
    with pytest.raises(DatasetError, match="9000x1 pixels"):
        datasets.load_file(tmp_path)


def test_a_one_row_csv_of_one_class_says_it_needs_two_classes(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("label,p0,p1,p2,p3\n0,1,2,3,4\n")
    ds = datasets.load_file(path)
    with pytest.raises(DatasetError) as info:
        datasets.prepare(ds, (4,), 1)
    msg = str(info.value)
    assert "one class only (label 0, 1 example)" in msg and "at least two classes" in msg
    assert "set the last Dense" not in msg


def test_a_lone_surrogate_in_the_name_prints_escaped(tmp_path, capsys):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 1}))
    data = json.loads(project.dumps(project.Project(g, "x")))
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data).replace('"name": "x"', '"name": "a\\ud800b"'), encoding="utf-8")
    assert cli.main(["summary", str(path)]) == 0
    out, err = capsys.readouterr()
    assert 'Model: "a\\ud800b"' in out and "Traceback" not in err
