"""Every limit the README states, tried at the limit itself and one past it, with the real constants and the app's
own checks: the figure at the limit is accepted (or passes that check and is refused for another reason, named),
one past it is refused with one line naming the file or field and the value. Each constant is pinned to the figure
the README states, and that figure to the README's text, so the two cannot drift apart.

Files are sparse (``truncate``) where the check reads a size from the file system or a header, so an 8 GB dataset
costs nothing; the JSON at 64 MiB is the only thing read whole, as the app reads it."""

import json
import os
import zipfile
from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest
from PIL import Image

from playground.backend import datasets, keras2, model_import, prechecks
from playground.backend.safe_import import nesting_depth, parse_config, read_model_config
from playground.core import hdf5, lessons, limits, project, settings
from playground.core.errors import DatasetError, ModelImportError, ProjectFormatError
from playground.core.files import fmt_bytes, open_regular
from playground.core.lessons import LessonFormatError
from playground.resources_path import preset_text

ROOT = Path(__file__).resolve().parents[2]
MiB = 2 ** 20
GB = 1000 ** 3


def readme() -> str:
    """README.md with its line breaks and indents made single spaces (a phrase may wrap anywhere)."""
    return " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def limits_row(what: str) -> str:
    """The "## Limits" table's row whose first cell is ``what``."""
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith(f"| {what} |")]
    assert len(rows) == 1, f"README's Limits table has {len(rows)} rows for {what!r}"
    return rows[0]


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes that holds ``head`` and then a hole: nothing else is written."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def refused(error, call, *words) -> str:
    """``call()`` raises ``error`` with one line holding every one of ``words``; the message."""
    with pytest.raises(error) as info:
        call()
    msg = str(info.value)
    assert "\n" not in msg, msg
    missing = [w for w in words if w not in msg]
    assert not missing, f"the message {msg!r} does not say {missing!r}"
    return msg


def figures(value: int, limit: int) -> tuple[str, str]:
    """A size and the limit it is over as a message must write them to name both ("names the file and both
    figures"): as ``fmt_bytes`` writes them, or in bytes where those would read the same (one byte over 512 MiB is
    "536,870,913 bytes; ... at most 536,870,912 bytes", never "536.9 MB; ... at most 536.9 MB")."""
    a, b = fmt_bytes(value), fmt_bytes(limit)
    return (a, b) if a != b else (f"{value:,} bytes", f"{limit:,} bytes")


def size_refusal(name: str, size: int, limit: int, what: str) -> str:
    """The words of ``open_regular``'s refusal of a file over its size: the file, its size, the limit."""
    size_text, most = figures(size, limit)
    return f"{name} is {size_text}; {what} may be at most {most}."


def not_a_size_refusal(msg: str) -> None:
    """A refusal for what the file holds, not for its size."""
    assert "may be at most" not in msg, msg


# ------------------------------------------------------------------ project file: 512 MiB

def test_project_file_of_512_mib_passes_the_size_check_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    """README, Limits: "project file (`.json`) | 512 MiB". ``project.load`` of a 536,870,912-byte file passes its
    size check; one byte more is refused by that check, naming the file and both sizes."""
    assert project.MAX_PROJECT_BYTES == 512 * MiB
    assert "| 512 MiB," in limits_row("project file (`.json`)")
    n = project.MAX_PROJECT_BYTES
    # project.load's own size check (open_regular, with the bound load passes it), without then reading 512 MiB of
    # a hole only to hear it is not JSON: what passes the check is read as the text "{}"
    checked = []

    def size_check_only(path, error, what, limit=None, max_size=None):
        with open_regular(path, error, what, max_size):
            checked.append(max_size)
            return b"{}"
    monkeypatch.setattr(project, "read_bytes", size_check_only)
    not_a_size_refusal(refused(ProjectFormatError, lambda: project.load(sparse(tmp_path / "p.json", n)),
                               "not a Network Playground project"))
    assert checked == [n]
    refused(ProjectFormatError, lambda: project.load(sparse(tmp_path / "p1.json", n + 1)),
            size_refusal("p1.json", n + 1, n, "a project file"))
    assert checked == [n]


# ------------------------------------------------------------------ model file: 4 GB

@pytest.mark.parametrize("suffix, then", [(".keras", "is not a valid .keras archive"),
                                          (".h5", "is not an HDF5 file")], ids=[".keras", ".h5"])
def test_model_file_of_4_gb_passes_the_size_check_and_one_byte_more_is_refused(tmp_path, suffix, then):
    """README, Limits: "model file (`.h5`, `.keras`) | 4 GB". ``import_model`` on a 4,000,000,000-byte file gets
    past the size check (and refuses the hole for what it is); 4,000,000,001 bytes is refused by its size."""
    assert limits.MAX_MODEL_FILE == 4 * GB == 4_000_000_000
    assert "| 4 GB;" in limits_row("model file (`.h5`, `.keras`)")
    n = limits.MAX_MODEL_FILE
    at = sparse(tmp_path / f"m{suffix}", n)
    not_a_size_refusal(refused(ModelImportError, lambda: model_import.import_model(at), f"m{suffix} {then}"))
    over = sparse(tmp_path / f"m1{suffix}", n + 1)
    refused(ModelImportError, lambda: model_import.import_model(over),
            size_refusal(f"m1{suffix}", n + 1, n, "a model file"))


# ------------------------------------------------------------------ architecture JSON: 64 MiB, 200 deep

SAFE_CONFIG = {"class_name": "Sequential", "config": {"name": "s", "layers": []}}


def config_text(size: int) -> bytes:
    """A model architecture of exactly ``size`` bytes: spaces, then a small valid config."""
    tail = json.dumps(SAFE_CONFIG).encode()
    return b" " * (size - len(tail)) + tail


def keras_archive(path: Path, members: dict[str, int | bytes]) -> Path:
    """A deflated zip: each member its bytes, or (an int) that many spaces written a MiB at a time (64 MiB of
    spaces deflates to about 64 KB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, body in members.items():
            with zf.open(name, "w") as out:
                if isinstance(body, bytes):
                    out.write(body)
                    continue
                chunk = b" " * MiB
                for _ in range(body // MiB):
                    out.write(chunk)
                out.write(b" " * (body % MiB))
    return path


def h5_with_config(path: Path, size: int, vlen: bool) -> Path:
    """An .h5 whose model_config attribute is ``config_text(size)``: a fixed-length string, whose header gives its
    size, or (``vlen``) a variable-length one, as Keras writes it, whose header holds no size. (Reading a 64 MiB
    variable-length attribute back takes HDF5 and h5py about 350 MB at their peak: the most this file holds.)"""
    text = config_text(size)
    with h5py.File(path, "w", libver="latest") as f:  # (the latest format: an attribute may be large)
        if vlen:
            f.attrs["model_config"] = text.decode("ascii")
        else:
            f.attrs.create("model_config", np.frombuffer(text, dtype=f"S{size}").reshape(()))
    return path


@pytest.mark.parametrize("kind", ["keras config.json", "h5 model_config", "h5 model_config as Keras writes it"])
def test_architecture_json_of_64_mib_is_read_and_one_byte_more_is_refused(tmp_path, kind):
    """README, Limits: "its architecture JSON 64 MiB" (``.keras``: config.json's declared size; ``.h5``: the
    model_config attribute's stored size, from its header, or the text's length where that header says little, as
    for Keras' variable-length string). 67,108,864 bytes are read and parsed; 67,108,865 are refused."""
    assert limits.MAX_MODEL_CONFIG == 64 * MiB == 67_108_864
    assert "its architecture JSON 64 MiB," in limits_row("model file (`.h5`, `.keras`)")
    n = limits.MAX_MODEL_CONFIG
    for size in (n, n + 1):
        if kind.startswith("keras"):
            path = keras_archive(tmp_path / f"c{size}.keras", {"config.json": config_text(size),
                                                              "metadata.json": b"{}"})
        else:
            path = h5_with_config(tmp_path / f"c{size}.h5", size, kind.endswith("Keras writes it"))
        if size == n:
            assert read_model_config(path) == SAFE_CONFIG
            continue
        value, most = figures(size, n)
        words = {"keras config.json": (f"config.json would unpack to {value}",
                                       f"a model architecture may be at most {most}"),
                 "h5 model_config": (f"the model_config attribute is {value}",
                                     f"a model architecture is one text of at most {most}"),
                 "h5 model_config as Keras writes it": (f"the model architecture is {value}; at most {most}.",)}
        refused(ModelImportError, lambda: read_model_config(path), path.name, *words[kind])


def nested(depth: int) -> str:
    """A JSON object nested ``depth`` deep: {"a": {"a": ... {} ...}}."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def test_architecture_nested_200_deep_is_read_and_201_is_refused():
    """README, Limits: "its architecture JSON 64 MiB, nested at most 200 deep". ``parse_config`` (every model
    file's architecture passes it) reads 200 levels and refuses 201, naming both."""
    assert limits.MAX_CONFIG_DEPTH == 200
    assert "nested at most 200 deep" in limits_row("model file (`.h5`, `.keras`)")
    assert nesting_depth(parse_config(nested(200), "x.keras")) == 200
    refused(ModelImportError, lambda: parse_config(nested(201), "x.keras"),
            "x.keras: the model architecture is nested 201 levels deep; at most 200 are read.")


def opaque_project(depth: int) -> dict:
    """A project whose opaque layer's config (the serialised layer) is nested ``depth`` deep."""
    deep: object = 1
    for _ in range(depth - 2):  # the layer's object is 1 deep, its "config" 2, each list one more
        deep = [deep]
    return {"schema_version": 2, "nodes": [
        {"id": "i", "type": "input", "params": {"shape": [1]}},
        {"id": "o", "type": "opaque", "params": {"class_name": "Dense", "config": {
            "module": "keras.layers", "class_name": "Dense", "config": {"name": "opq", "units": 1, "x": deep}}}}],
        "edges": [{"from": "i", "to": "o"}]}


def test_an_opaque_layer_config_nested_200_deep_loads_and_201_is_refused():
    """README, What a file can never do: "An opaque layer's config in a project is nested at most 200 deep"."""
    from playground.core import layer_data
    assert layer_data.MAX_CONFIG_DEPTH == limits.MAX_CONFIG_DEPTH == 200
    assert "An opaque layer's config in a project is nested at most 200 deep." in readme()
    assert layer_data.config_problem(opaque_project(200)["nodes"][1]["params"]["config"]) is None
    assert nesting_depth(opaque_project(200)["nodes"][1]["params"]["config"]) == 200
    project.from_dict(opaque_project(200))
    refused(ProjectFormatError, lambda: project.from_dict(opaque_project(201)), "`config`",
            "nested more than 200 deep")


# ------------------------------------------------------------------ a .keras archive's other members: 64 MiB

@pytest.mark.parametrize("split", [False, True], ids=["metadata.json", "metadata.json+asset"])
def test_keras_archive_members_besides_config_and_weights_may_hold_64_mib(tmp_path, split):
    """README, What a file can never do: "A `.keras` archive's members besides its config and weights (its
    `metadata.json` included) ... may hold 64 MiB at most": exactly 64 MiB (in one member or two) passes the check
    made before Keras' loader unpacks them, one byte more is refused naming the archive and the total."""
    assert model_import.MAX_ASSETS == 64 * MiB
    assert ("A `.keras` archive's members besides its config and weights (its `metadata.json` included), which "
            "Keras' own loader unpacks to a temporary folder, may hold 64 MiB at most") in readme()
    config = json.dumps(SAFE_CONFIG).encode()
    n = model_import.MAX_ASSETS
    for total in (n, n + 1):
        members = {"config.json": config, "metadata.json": total - 5 if split else total}
        if split:
            members["assets/vocabulary.txt"] = b"a\nb\nc"
        path = keras_archive(tmp_path / f"a{total}.keras", members)
        call = lambda: model_import.check_before_keras_loads(path, SAFE_CONFIG, count=0)  # noqa: E731
        if total == n:
            call()
            continue
        value, most = figures(total, n)
        refused(ModelImportError, call, f"a{total}.keras holds {value} besides its config and weights",
                f"at most {most} is read")


def test_keras_weights_member_may_declare_24_bytes_a_weight_plus_64_mib():
    """README, Limits: "a `.keras` file's `model.weights.h5` at most 24 bytes per weight the architecture declares,
    plus 64 MiB" (from the zip's declared size, before it is inflated)."""
    assert prechecks.BYTES_PER_WEIGHT_MAX == 24 and prechecks.WEIGHTS_SLACK == 64 * MiB
    assert ("a `.keras` file's `model.weights.h5` at most 24 bytes per weight the architecture declares, plus "
            "64 MiB") in limits_row("model file (`.h5`, `.keras`)")
    for count in (0, 1_000, 7_654_321):
        most = count * 24 + 64 * MiB
        prechecks.check_weights_member(most, count, "m.keras")
        value, limit = figures(most + 1, most)
        refused(ModelImportError, lambda: prechecks.check_weights_member(most + 1, count, "m.keras"),
                f"m.keras: model.weights.h5 would unpack to {value}",
                f"the model's {count:,} weights need at most {limit}")


# ------------------------------------------------------------------ dataset file: 8 GB

@pytest.mark.parametrize("suffix, head, then", [
    (".npz", b"", "x.npz is not a valid .npz file"),
    (".csv", b"\xff", "x.csv is not UTF-8 text"),  # refused in the first MiB read, not after reading 8 GB
], ids=[".npz", ".csv"])
def test_dataset_file_of_8_gb_passes_the_size_check_and_one_byte_more_is_refused(tmp_path, suffix, head, then):
    """README, Limits: "dataset file (`.npz`, `.csv`) | 8 GB". ``load_file`` gets past the size check of an
    8,000,000,000-byte file (and refuses it for what it holds); 8,000,000,001 bytes is refused by its size."""
    assert limits.MAX_DATASET_FILE == 8 * GB == 8_000_000_000
    assert "| 8 GB," in limits_row("dataset file (`.npz`, `.csv`)")
    n = limits.MAX_DATASET_FILE
    at = sparse(tmp_path / f"x{suffix}", n, head)
    not_a_size_refusal(refused(DatasetError, lambda: datasets.load_file(at), then))
    over = sparse(tmp_path / f"y{suffix}", n + 1, head)
    refused(DatasetError, lambda: datasets.load_file(over),
            size_refusal(f"y{suffix}", n + 1, n, ".npz file" if suffix == ".npz" else "a CSV file"))


# ------------------------------------------------------------------ one image: 512 MiB, 8192 pixels a side

def image_folder(tmp_path: Path) -> Path:
    """A folder of two classes, each with one small image; the test adds its image to class b."""
    folder = tmp_path / "images"
    for cls in "ab":
        (folder / cls).mkdir(parents=True)
        Image.new("L", (8, 8)).save(folder / cls / "0.png")
    return folder


def test_image_file_of_512_mib_passes_the_size_check_and_one_byte_more_is_refused(tmp_path):
    """README, Limits: one image "a file of at most 512 MiB ... checked from the file's size ... before it is
    read". A 536,870,912-byte file gets past the size check (and is refused as no image); one byte more is refused
    by its size."""
    assert limits.MAX_IMAGE_FILE == 512 * MiB
    assert "a file of at most 512 MiB" in limits_row("one image in an image folder")
    folder, n = image_folder(tmp_path), limits.MAX_IMAGE_FILE
    sparse(folder / "b" / "big.png", n, b"\x89PNG\r\n\x1a\n")
    not_a_size_refusal(refused(DatasetError, lambda: datasets.load_file(folder), "big.png is not a PNG"))
    sparse(folder / "b" / "big.png", n + 1, b"\x89PNG\r\n\x1a\n")
    refused(DatasetError, lambda: datasets.load_file(folder), size_refusal("big.png", n + 1, n, "an image"))


@pytest.mark.parametrize("side", ["width", "height"])
def test_an_image_8192_pixels_a_side_is_read_and_8193_is_refused(tmp_path, side):
    """README, Limits: one image "8192 pixels a side": an 8192x1 (1x8192) PNG is read, 8193x1 (1x8193) is
    refused from its header, naming the file and its size."""
    assert limits.MAX_IMAGE_SIDE == 8192
    assert "| 8192 pixels a side" in limits_row("one image in an image folder")
    folder = image_folder(tmp_path)
    for n in (8192, 8193):
        size = (n, 1) if side == "width" else (1, n)
        Image.new("L", size).save(folder / "b" / "w.png")
        if n == 8192:
            data = datasets.load_file(folder)
            assert len(data.x_train) + len(data.x_test if data.x_test is not None else []) == 3
            continue
        refused(DatasetError, lambda: datasets.load_file(folder),
                f"w.png is {size[0]}x{size[1]} pixels; images may be at most 8192 pixels a side.")


# ------------------------------------------------------------------ labels 0 to 99,999

@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_label_99999_is_a_class_and_100000_is_refused(tmp_path, suffix):
    """README, Limits: "classes | labels 0 to 99,999"."""
    assert limits.MAX_CLASSES == 100_000
    assert "| labels 0 to 99,999 |" in limits_row("classes")
    for top in (99_999, 100_000):
        path = tmp_path / f"l{top}{suffix}"
        if suffix == ".npz":
            np.savez(path, x_train=np.zeros((2, 4), np.float32), y_train=np.array([0, top]))
        else:
            path.write_text(f"0,0,0,0,0\n{top},1,1,1,1\n")
        if top == 99_999:
            assert len(datasets.load_file(path).class_names) == 100_000
            continue
        refused(DatasetError, lambda: datasets.load_file(path), path.name,
                "the label 100,000 would mean 100,001 classes; at most 100,000 are supported")


# ------------------------------------------------------------------ lessons

def lesson(**top) -> dict:
    return {"format": "playground-lesson", "version": 1, "id": "t", "title": "T",
            "steps": [{"title": "s", "text": "x", "check": {"kind": "hidden_layer"}}], **top}


def step(d: dict, **fields) -> dict:
    d["steps"][0].update(fields)
    return d


EDIT = {"do": "set_logic_target", "value": "and"}
INPUT = {"type": "input", "params": {"shape": [4]}}
DENSE = {"type": "dense", "params": {"units": 2}}


def conv_cell(rows: int, cols: int) -> dict:
    return {"kind": "answer", "formula": {"conv_cell": {"image": [[1] * cols] * rows, "kernel": "vertical_edge",
                                                        "row": 0, "col": 0}}}


# (README's words, the constant, its figure, the lesson with n of the thing, the value past the limit, the refusal)
LESSON_LIMITS = [
    ("4,000 characters of text per step", "MAX_TEXT", 4000, lambda n: step(lesson(), text="x" * n), +1,
     "steps[0].text is 4,001 characters; at most 4,000 are allowed."),
    ("(200 for a title", "MAX_SHORT", 200, lambda n: step(lesson(), title="x" * n), +1,
     "steps[0].title is 201 characters; at most 200 are allowed."),
    ("(200 for a title", "MAX_SHORT", 200, lambda n: lesson(title="x" * n), +1,
     "lesson.title is 201 characters; at most 200 are allowed."),
    ("600 for a hint", "MAX_HINT", 600, lambda n: step(lesson(), hints=["h" * n]), +1,
     "steps[0].hints[0] must be text of at most 600 characters; received 'hhh"),
    ("6 hints)", "MAX_HINTS", 6, lambda n: step(lesson(), hints=["h"] * n), +1,
     "steps[0].hints must be a list of at most 6 texts; received a list of 7 texts."),
    ("12 edits per setup or show me", "MAX_ACTIONS", 12, lambda n: step(lesson(), setup=[EDIT] * n), +1,
     "steps[0].setup must be a list of at most 12 edits; received a list of 13 edits."),
    ("12 edits per setup or show me", "MAX_ACTIONS", 12, lambda n: step(lesson(), show_me=[EDIT] * n), +1,
     "steps[0].show_me must be a list of at most 12 edits; received a list of 13 edits."),
    ("60 steps", "MAX_STEPS", 60, lambda n: lesson(steps=[{"id": f"s{i}", "title": "s", "text": "x"}
                                                          for i in range(n)]), +1,
     "steps must be a list of 1 to 60 steps; received 61 steps."),
    ("30 layers in a chain", "MAX_CHAIN", 30, lambda n: lesson(start={"chain": [INPUT] + [DENSE] * (n - 1)}), +1,
     "start.chain must be a list of 1 to 30 layers; received a list of 31 layers."),
    ("grids up to 16x16", "MAX_GRID", 16, lambda n: step(lesson(), check=conv_cell(n, 16)), +1,
     "steps[0].check.formula.conv_cell.image must be a grid name or 1 to 16 rows of equally many numbers; "
     "received [[1, 1"),
    ("grids up to 16x16", "MAX_GRID", 16, lambda n: step(lesson(), check=conv_cell(16, n)), +1,
     "steps[0].check.formula.conv_cell.image must be a grid name or 1 to 16 rows of equally many numbers; "
     "received [[1, 1"),
    ("`all` (`checks`: 2 to 6 checks", "MAX_ALL", 6,
     lambda n: step(lesson(), check={"kind": "all", "checks": [{"kind": "hidden_layer"}] * n}), +1,
     "steps[0].check.checks must be a list of 2 to 6 checks; received a list of 7 checks."),
    ("`all` (`checks`: 2 to 6 checks", None, 2,
     lambda n: step(lesson(), check={"kind": "all", "checks": [{"kind": "hidden_layer"}] * n}), -1,
     "steps[0].check.checks must be a list of 2 to 6 checks; received a list of 1 check."),
]


@pytest.mark.parametrize("words, constant, figure, make, past, refusal", LESSON_LIMITS,
                         ids=["step text", "step title", "lesson title", "hint", "hints", "setup", "show_me",
                              "steps", "chain", "grid rows", "grid columns", "all at most", "all at least"])
def test_lesson_limits_hold_at_the_limit_and_refuse_one_past_it(words, constant, figure, make, past, refusal):
    """README, Lesson files: "Limits: ... 60 steps, 4,000 characters of text per step (200 for a title, 600 for a
    hint, 6 hints), 12 edits per setup or show me, 30 layers in a chain, grids up to 16x16" and `all`'s "2 to 6
    checks": at the figure the lesson loads; one past it is one line naming the field and the value."""
    assert constant is None or getattr(lessons, constant) == figure
    assert words in readme()
    assert lessons.loads(json.dumps(make(figure))).steps
    refused(LessonFormatError, lambda: lessons.loads(json.dumps(make(figure + past))), refusal)


def test_lesson_nested_12_deep_passes_the_depth_check_and_13_is_refused():
    """README, Lesson files: "nesting 12 deep". No field of the format is 12 deep, so 12 levels (lists inside a
    hint) are refused for the hint's type; 13 for the depth."""
    assert lessons.MAX_DEPTH == 12
    assert "nesting 12 deep" in readme()

    def deep(depth: int) -> dict:  # the lesson 1 deep, steps 2, the step 3, hints 4, each list inside one more
        inner: object = "x"
        for _ in range(depth - 4):
            inner = [inner]
        return step(lesson(), hints=[inner])
    msg = refused(LessonFormatError, lambda: lessons.loads(json.dumps(deep(12))), "steps[0].hints[0] must be text")
    assert "nested" not in msg
    refused(LessonFormatError, lambda: lessons.loads(json.dumps(deep(13))),
            "The lesson is nested more than 12 levels deep")


def padded_lesson(size: int) -> str:
    """A valid lesson of exactly ``size`` characters (ASCII: bytes too)."""
    text = json.dumps(lesson())
    return text[:-1] + " " * (size - len(text)) + "}"


def test_lesson_of_1_mb_loads_and_one_byte_more_is_refused(tmp_path, capsys):
    """README, Lesson files: "Limits: 1 MB per file": 1,000,000 characters load, 1,000,001 are refused; as a file,
    `playground lesson check` takes 1,000,000 bytes (exit 0) and refuses 1,000,001 by its size (exit 2)."""
    from playground.cli import main
    assert lessons.MAX_LESSON_BYTES == 1_000_000
    assert "Limits**: 1 MB per file," in readme()
    n = lessons.MAX_LESSON_BYTES
    assert len(padded_lesson(n)) == n and lessons.loads(padded_lesson(n)).id == "t"
    refused(LessonFormatError, lambda: lessons.loads(padded_lesson(n + 1)),
            "The lesson is 1,000,001 characters; a lesson may be at most 1,000,000.")
    at, over = tmp_path / "at.json", tmp_path / "over.json"
    at.write_text(padded_lesson(n), encoding="ascii")
    over.write_text(padded_lesson(n + 1), encoding="ascii")
    assert at.stat().st_size == n and over.stat().st_size == n + 1
    capsys.readouterr()
    assert main(["lesson", "check", str(at)]) == 0
    assert "at.json: lesson 't'" in capsys.readouterr().out
    assert main(["lesson", "check", str(over)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and size_refusal("over.json", n + 1, n, "a lesson file") in err, err


# ------------------------------------------------------------------ an .h5's model_weights: 2 x layers + 16

def weights_group(path: Path, listed: int, pieces: bool = False, weights_of_first: int = 1):
    """An .h5 whose model_weights lists ``listed`` layers (l0, l1 ... each a group; in Keras' pieces
    layer_names0, layer_names1 when ``pieces``), the first listing ``weights_of_first`` weights."""
    names = np.array([f"l{i}".encode() for i in range(listed)])
    with h5py.File(path, "w") as f:
        g = f.create_group("model_weights")
        if pieces:
            g.attrs["layer_names0"], g.attrs["layer_names1"] = names[:listed // 2], names[listed // 2:]
        else:
            g.attrs["layer_names"] = names
        for i in range(listed):
            g.create_group(f"l{i}")
        g["l0"].attrs["weight_names"] = np.array([f"l0/w{k}".encode() for k in range(weights_of_first)])
    return path


def model_of(n: int):
    """What ``check_weight_lists`` reads of a Keras model: its layers' names and weights (l0 ... with one each)."""
    return SimpleNamespace(layers=[SimpleNamespace(name=f"l{i}", weights=[object()]) for i in range(n)])


@pytest.mark.parametrize("pieces", [False, True], ids=["layer_names", "layer_names0+1"])
@pytest.mark.parametrize("layers", [1, 5])
def test_model_weights_may_list_twice_the_models_layers_plus_16(tmp_path, layers, pieces):
    """README, What a file can never do: what an `.h5`'s `model_weights` lists is bounded "at most twice the
    model's layers plus 16" (whole or in Keras' pieces): 2n + 16 names pass that bound, 2n + 17 are refused
    naming the count and the model's."""
    assert "(counted from the attributes' headers: at most twice the model's layers plus 16," in readme()
    most = 2 * layers + 16
    with h5py.File(weights_group(tmp_path / "at.h5", most, pieces), "r") as f:
        assert len(keras2.check_weight_lists(f["model_weights"], "at.h5", model_of(layers))) == most
    with h5py.File(weights_group(tmp_path / "over.h5", most + 1, pieces), "r") as f:
        refused(ModelImportError, lambda: keras2.check_weight_lists(f["model_weights"], "over.h5", model_of(layers)),
                f"over.h5: model_weights lists {most + 1:,} layers; the model has {layers:,}.")


def test_a_layer_may_list_as_many_weights_as_its_namesake_holds(tmp_path):
    """README, What a file can never do: "no layer listing more weights than its namesake in the model holds"."""
    assert "no layer listing more weights than its namesake in the model holds" in readme()
    model = SimpleNamespace(layers=[SimpleNamespace(name="l0", weights=[object(), object()])])
    with h5py.File(weights_group(tmp_path / "at.h5", 1, weights_of_first=2), "r") as f:
        assert keras2.check_weight_lists(f["model_weights"], "at.h5", model) == ["l0"]
    with h5py.File(weights_group(tmp_path / "over.h5", 1, weights_of_first=3), "r") as f:
        refused(ModelImportError, lambda: keras2.check_weight_lists(f["model_weights"], "over.h5", model),
                "over.h5: layer 'l0' lists 3 weights; the model's layer of that name has 2.")


# ------------------------------------------------------------------ HDF5: 64 x its size in data, 64 MiB at least

def declaring(path: Path, declared: int, file_size: int | None = None) -> Path:
    """An .h5 of one chunked dataset of ``declared`` bytes whose chunks were never written (a few KB stored),
    padded with a hole to ``file_size`` bytes when given."""
    with h5py.File(path, "w") as f:
        f.create_dataset("model_weights/d/kernel", shape=(declared,), dtype="u1", chunks=(MiB,))
    if file_size is not None:
        assert path.stat().st_size <= file_size
        os.truncate(path, file_size)
    return path


def open_through_the_gate(path: Path) -> None:
    with hdf5.open_h5(path, ModelImportError):
        pass


@pytest.mark.parametrize("file_size", [None, 2 * MiB], ids=["small file: 64 MiB", "2 MiB file: 64 x 2 MiB"])
def test_an_h5_may_declare_64_times_its_size_or_64_mib_and_one_byte_more_is_refused(tmp_path, file_size):
    """README, What a file can never do: "An HDF5 file may declare at most 64 times its own size in data (64 MiB
    for a small file)": a few-KB file declaring exactly 64 MiB, and a 2 MiB one declaring exactly 128 MiB, pass
    the HDF5 gate; one byte more is refused naming what is declared and the file's size."""
    assert hdf5.DECLARED_PER_STORED == 64 and hdf5.DECLARED_FLOOR == 64 * MiB
    assert "An HDF5 file may declare at most 64 times its own size in data (64 MiB for a small file)" in readme()
    most = 64 * MiB if file_size is None else 64 * file_size
    open_through_the_gate(declaring(tmp_path / "at.h5", most, file_size))
    over = declaring(tmp_path / "over.h5", most + 1, file_size)
    stored = over.stat().st_size
    assert (file_size is None and 64 * stored < most) or stored == file_size
    refused(ModelImportError, lambda: open_through_the_gate(over),
            f"over.h5: its datasets declare over {fmt_bytes(most + 1)} of data in a file of {fmt_bytes(stored)}",
            "never written")


# ------------------------------------------------------------------ settings

@pytest.mark.parametrize("name, good, bad, says", [
    ("batch_size", [1, 65_536], [0, 65_537], "must be a whole number from 1 to 65,536"),
    ("epochs", [1, 100_000], [0, 100_001], "must be a whole number from 1 to 100,000"),
    ("seed", [0, 2 ** 32 - 1], [-1, 2 ** 32], "must be a whole number from 0 to 4,294,967,295"),
    ("momentum", [0.0, 1.0], [-5e-324, 1.0000000000000002], "must be in [0, 1]"),
    ("learning_rate", [5e-324], [0.0], "must be > 0"),
], ids=["batch_size", "epochs", "seed", "momentum", "learning_rate"])
def test_training_settings_hold_at_their_ends_and_refuse_one_past(name, good, bad, says):
    """README, Limits: "settings | batch size 1-65,536, epochs 1-100,000, learning rate > 0, momentum [0, 1], seed
    0 to 2^32 - 1": each end is accepted in a project; the next integer (or float) past it is refused, named."""
    row = limits_row("settings")
    assert "batch size 1-65,536, epochs 1-100,000, learning rate > 0, momentum [0, 1], seed 0 to 2^32 - 1" in row
    spec = settings.TRAINING_BY_NAME[name]
    assert (spec.min, spec.max) == {"batch_size": (1, 65_536), "epochs": (1, 100_000), "seed": (0, 2 ** 32 - 1),
                                    "momentum": (0.0, 1.0), "learning_rate": (0.0, None)}[name]
    base = json.loads(preset_text("mnist-mlp"))
    for value in good:
        base["training"][name] = value
        assert project.from_dict(base).training[name] == value
    for value in bad:
        base["training"][name] = value
        refused(ProjectFormatError, lambda: project.from_dict(base), f"`training.{name}` {says}",
                f"Received training.{name}={value!r}.")

