"""`playground lesson check FILE`: a one-line summary and exit 0 for a good lesson; exit 2 and one line naming the
problem for a broken or hostile one (run in-process: the point is the message, not the process)."""

import json

import pytest

from playground.cli import main
from playground.resources_path import resource_file


def test_check_a_shipped_lesson(capsys):
    assert main(["lesson", "check", str(resource_file("lessons", "03-convolution.json"))]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "lesson 'convolution' (format version 1)" in out and "12 steps, 12 checked" in out


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data))
    return p


BASE = {"format": "playground-lesson", "version": 1, "id": "t", "title": "T", "steps": [{"title": "s", "text": "x"}]}


@pytest.mark.parametrize("name, data, words", [
    ("unknown.json", {**BASE, "steps": [{"title": "s", "text": "x", "check": {"kind": "quiz"}}]},
     "steps[0].check.kind 'quiz' is not a check"),
    ("target.json", {**BASE, "steps": [{"title": "s", "text": "x", "check": {
        "kind": "layer_params", "layer": 7, "params": 1}}]}, "steps[0].check.layer must name a layer"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested more than 12"),
    ("text.json", {**BASE, "title": "x" * 300}, "lesson.title is 300 characters"),
    ("notjson.json", "{oops", "not valid JSON"),
])
def test_broken_lessons_exit_2_with_one_line(tmp_path, capsys, name, data, words):
    assert main(["lesson", "check", str(_write(tmp_path, name, data))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_a_100_mb_lesson_is_refused_before_reading(tmp_path, capsys):
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.truncate(100 * 1000 * 1000)  # sparse: nothing is written or read
    assert main(["lesson", "check", str(big)]) == 2
    err = capsys.readouterr().err
    assert "big.json is 100.0 MB; a lesson file may be at most 1.0 MB" in err and err.count("\n") == 1
