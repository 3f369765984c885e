"""A JSON file never makes the app allocate past the memory check: ``limits.json_bytes`` bounds what parsing it
takes, from the text alone, and every JSON a file holds (project, recovery, lesson) is refused before parsing when
that bound is over the memory available. Parsing takes up to 45 bytes a byte ("[[[...]]]"), so a 512 MiB project
could have taken 23 GB; loading a project with its base64 weights peaks at 2.7 times the file."""

import json
import sys
import tracemalloc
from pathlib import Path

import pytest

from playground.core import lessons, limits, project, recovery
from playground.core.errors import ResourceError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from project_load import weighted_text  # noqa: E402 - the benchmark's project, shared

# the shapes that take the most memory a byte (measured: 22-45 bytes a byte), and plain ones
UNITS = ["[[]]", "[[[]]]", "[{}]", '{"a":{}}', "[[],[]]", '{"a":[]}', "[[{}]]", '{"":{}}', "[0]", "[[0]]", "{}", "[]",
         "0", "1e1", "1.5", '""', '"a"', '"\u00e9"', '"\U0001f600"', "[" * 900 + "]" * 900, '{"a":' * 400 + "0" + "}" * 400,
         "null", "123456789012345678901234567890", '"' + "a" * 50 + '\U0001f600"',
         '"' + '\\ud83d\\ude00' + 'a' * 20_000 + '"']  # (ASCII text parsed to 4 bytes a character: a review)


def peak_of(fn, *args):
    """The least of three peaks of ``fn(*args)``'s allocations: tracemalloc counts every thread's, and another
    thread of a test worker (a run's, a job's, from an earlier test) allocating meanwhile made one measure too high
    under -n auto (``[{}]`` once, 7 Dec)."""
    peaks = []
    for _ in range(3):
        tracemalloc.start()
        try:
            fn(*args)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


@pytest.mark.parametrize("unit", UNITS)
def test_the_bound_is_over_what_parsing_takes(unit):
    raw = ("[" + ",".join([unit] * max(1, 250_000 // len(unit))) + "]").encode()  # (well past the 64 KiB constant)
    peak = peak_of(json.loads, raw)
    assert peak + len(raw) <= limits.json_bytes(raw)  # (the text itself is held while it is parsed)
    assert peak + len(raw) <= limits.json_bytes(raw.decode())  # the clipboard's text is a str


def test_distinct_keys_are_counted_too():
    raw = ("{" + ",".join(f'"{i}":{{}}' for i in range(60_000)) + "}").encode()
    assert peak_of(json.loads, raw) <= limits.json_bytes(raw)


@pytest.mark.parametrize("description", ["plain", "one character beyond ASCII: \U0001f600"])
def test_a_real_project_is_bounded_and_not_refused_at_the_worst_rate(description):
    raw = weighted_text(description)  # the lecture's MLP with its 397,510 weights, as saved
    assert len(raw) > 2_000_000
    assert peak_of(project.loads, raw) + len(raw) <= limits.json_bytes(raw)  # the parse, the weights decoded
    assert limits.json_bytes(raw) <= len(raw) * 11.1  # a 512 MiB project asks for 2.7 GB (ASCII), not 23 GB


@pytest.fixture
def little_memory(monkeypatch):
    """A machine with 40 MB free, and a json.loads that must never be reached."""
    monkeypatch.setattr(limits, "available_memory", lambda: 40_000_000)

    def no_parse(*a, **k):
        raise AssertionError("parsed before the memory check")
    monkeypatch.setattr(json, "loads", no_parse)


NESTED = ("[" * 800 + "]" * 800 + ",") * 600  # 960 KB that would take 43 MB to parse


def test_a_project_that_would_not_fit_is_refused_before_it_is_parsed(tmp_path, little_memory):
    path = tmp_path / "nested.json"
    path.write_text('{"nodes": [' + NESTED + "0]}")
    with pytest.raises(ResourceError, match=r"nested\.json \(960\.\d KB of JSON\) needs [\d.]+ MB of memory to read; "
                                            r"this machine has 40\.0 MB available"):
        project.load(path)
    (tmp_path / "rec.json").write_text(path.read_text())
    with pytest.raises(ResourceError, match=r"rec\.json .* needs"):
        recovery.read_recovery(tmp_path / "rec.json")
    with pytest.raises(ResourceError, match=r"The project .* needs"):  # pasted text
        project.loads(path.read_text())


def test_a_lesson_that_would_not_fit_is_one_lesson_error(tmp_path, monkeypatch, little_memory):
    monkeypatch.setattr(limits, "available_memory", lambda: 8_000_000)
    path = tmp_path / "l.json"
    path.write_text('{"steps": [' + NESTED[:200_000] + "0]}")
    with pytest.raises(lessons.LessonFormatError, match=r"The lesson \(200\.0 KB of JSON\) needs [\d.]+ MB"):
        lessons.load(path)


def test_a_file_that_fits_at_the_worst_rate_is_not_even_counted(monkeypatch):
    monkeypatch.setattr(limits, "json_bytes", lambda text: 1 / 0)
    limits.require_json("[]" * 1000, "x", available=10 ** 9)  # 2 KB x 121 < 1 GB
    with pytest.raises(ZeroDivisionError):
        limits.require_json("[]" * 1000, "x", available=10 ** 5)
