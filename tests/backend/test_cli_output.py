"""What `playground train` prints: pure JSON lines on stdout with --json, and no TensorFlow native log lines
(absl's "I0000 ... cudart_stub", "E0000 ... cuInit", oneDNN notices) on a normal run."""

import json
import os
import re
import subprocess
import sys

from playground import cli
from playground.backend import datasets, session
from playground.core import project
from playground.core.graph import chain


def gate_project(tmp_path):
    g = chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
              ("dense", {"units": 1, "activation": "sigmoid"}))
    p = project.Project(g, "gate", training={**project.DEFAULT_TRAINING, "dataset": "gate-xnor", "epochs": 2,
                                              "batch_size": 4, "validation_split": 0.0})
    path = tmp_path / "gate.json"
    project.save(p, path)
    return path


def run_as_a_user(args, cwd):
    """`python -m playground ...` with none of the test suite's TensorFlow settings in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "KERAS_"))}
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def test_json_stdout_is_json_lines_with_whole_1_based_epochs(tmp_path):
    out = run_as_a_user(["train", str(gate_project(tmp_path)), "--json"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    records = [json.loads(line) for line in out.stdout.splitlines()]  # every line, or this raises
    epochs = [r for r in records if r["event"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2] and all(type(r["epoch"]) is int for r in epochs)
    assert records[-1]["event"] == "end" and records[-1]["epochs_run"] == 2
    assert records[-1]["stopped_at"] == {"epoch": 2, "batch": 1, "steps": 1}


def test_a_normal_run_prints_only_our_own_lines(tmp_path):
    out = run_as_a_user(["train", str(gate_project(tmp_path))], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    ours = re.compile(r"^(epoch \d+/2 loss |Finished 2 epoch\(s\) in |test accuracy )")
    strangers = [line for line in out.stderr.splitlines() if line.strip() and not ours.match(line)]
    assert strangers == []
    assert out.stdout == ""


def test_json_keeps_dataset_messages_off_stdout(tmp_path, monkeypatch, capsys):
    def load_with_a_download_message(name):
        print("Downloading data from https://storage.googleapis.com/example/data.npz")  # as keras.utils.get_file
        return datasets.load(name)
    monkeypatch.setattr(session, "_PREPARED", {})  # no reuse of an earlier test's arrays: load for real
    monkeypatch.setattr(session, "load", load_with_a_download_message)
    assert cli.main(["train", str(gate_project(tmp_path)), "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "Downloading data from" in captured.err
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["event"] for r in records] == ["epoch", "epoch", "end"]


def test_json_line_turns_nan_into_null():
    line = cli.json_line({"event": "epoch", "loss": float("nan"), "nested": {"x": float("inf")}})
    assert json.loads(line) == {"event": "epoch", "loss": None, "nested": {"x": None}}
