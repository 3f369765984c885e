"""The command line on hostile input: exit 2 and one clean line on stderr, never a traceback, and bad
arguments refused before any training starts (issue 15, items 4, 6, 11, 13)."""

import json
import os

import pytest

from playground import cli
from playground.core import project
from playground.resources_path import preset_text


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, needle):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert needle in lines[0], lines[0]
    assert "\x1b" not in err


@pytest.fixture
def gate(tmp_path):
    path = tmp_path / "and.json"
    path.write_text(preset_text("and"), encoding="utf-8")
    return path


@pytest.mark.parametrize("extra,needle", [
    (["--seed", "-1"], "seed=-1"),
    (["--seed", str(2 ** 40)], "seed=1099511627776"),
    (["--epochs", "0"], "epochs=0"),
    (["--lr", "inf"], "learning_rate=inf"),
    (["--lr", "nan"], "learning_rate=nan"),
])
def test_bad_training_arguments_exit_2_before_training(gate, capsys, extra, needle):
    assert_one_line_error(*run(["train", str(gate), "--quiet", *extra], capsys)[::2], needle)


def test_sgd_momentum_out_of_range_in_the_project(tmp_path, capsys):
    data = json.loads(preset_text("and"))
    data["training"]["momentum"] = 5
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_one_line_error(*run(["train", str(path), "--optimizer", "sgd"], capsys)[::2], "training.momentum=5")


def test_a_setting_out_of_range_names_its_file_and_both_figures(tmp_path, capsys):
    """The README's Limits: what is refused names the file and both figures. A batch size of 65,537 in a project
    said the field, the limit and the value, not which file (the window's banner did)."""
    data = json.loads(preset_text("and"))
    data["training"]["batch_size"] = 65_537
    path = tmp_path / "big batch.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    for command in ("summary", "train", "export"):
        out = ["--format", "keras", "--out", str(tmp_path / "x.keras")] if command == "export" else []
        args = [command, str(path), *out]
        assert_one_line_error(*run(args, capsys)[::2], "big batch.json: `training.batch_size` must be a whole "
                              "number from 1 to 65,536. Received training.batch_size=65537.")


@pytest.mark.parametrize("option,target,needle", [
    ("--save-project", "missing/out.json", "does not exist"),
    ("--save-project", ".", "is a folder"),
    ("--export", "missing/out.keras", "does not exist"),
])
def test_unwritable_outputs_are_refused_before_training(gate, tmp_path, capsys, option, target, needle):
    code, _, err = run(["train", str(gate), "--quiet", option, str(tmp_path / target)], capsys)
    assert_one_line_error(code, err, needle)


def test_unwritable_tensorboard_folder(gate, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(["train", str(gate), "--quiet", "--tensorboard", str(blocker / "tb")], capsys)
    assert_one_line_error(code, err, "Cannot write the --tensorboard folder")


def test_a_fifo_project_exits_2(tmp_path, capsys):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    assert_one_line_error(*run(["summary", str(fifo)], capsys)[::2], "pipe")


def test_deep_nesting_exits_2(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000, encoding="utf-8")
    assert_one_line_error(*run(["summary", str(path)], capsys)[::2], "nested too deeply")


def test_a_multi_line_error_stays_on_one_line(tmp_path, capsys):
    data = json.loads(preset_text("and"))
    data["training"]["dataset"] = "x\ny"
    path = tmp_path / "nl.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_one_line_error(*run(["summary", str(path)], capsys)[::2], "training.dataset")


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    p = project.loads(preset_text("and"))
    p.name = "evil\x1b]0;owned\x07\x1b[2J\rname"
    path = tmp_path / "evil.json"
    project.save(p, path)
    code, out, err = run(["summary", str(path)], capsys)
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert 'Model: "evil?]0;owned??[2J?name"' in out


def test_save_project_after_training_and_its_failure_is_one_line(gate, tmp_path, capsys, monkeypatch):
    out = tmp_path / "trained.json"
    code, _, err = run(["train", str(gate), "--quiet", "--epochs", "1", "--save-project", str(out)], capsys)
    assert code == 0 and "Traceback" not in err
    assert any(n.weights for n in project.load(out).graph.nodes.values())

    def full_disk(proj, path):
        raise project.ProjectSaveError(f"Not saved: cannot write {path} (No space left on device).")
    monkeypatch.setattr(project, "save", full_disk)
    code, _, err = run(["train", str(gate), "--quiet", "--epochs", "1", "--save-project", str(out)], capsys)
    assert_one_line_error(code, err.splitlines()[-1], "No space left on device")
    assert "Traceback" not in err


def test_a_run_that_ends_in_nan_exports_nothing_and_says_so(tmp_path, capsys):
    """`playground train --export` wrote the model of a run whose loss became NaN: a file of NaN weights."""
    from playground.core.graph import chain
    proj = project.Project(chain(("input", {"shape": [784]}), ("dense", {"units": 10})), "diverges",
                           training={**project.DEFAULT_TRAINING, "epochs": 1, "batch_size": 64, "learning_rate": 1e6,
                                     "optimizer": "sgd", "validation_split": 0.0, "loss": "mse"})
    path = tmp_path / "diverges.json"
    project.save(proj, path)
    code, _, err = run(["train", str(path), "--quiet", "--export", str(tmp_path / "out.h5")], capsys)
    assert code == 1 and not (tmp_path / "out.h5").exists()
    assert "out.h5 not saved: the run ended with weights that are not numbers." in err, err
