"""What `playground train` prints: pure JSON lines on stdout with --json, and no TensorFlow native log lines
(absl's "I0000 ... cudart_stub", "E0000 ... cuInit", oneDNN notices) on a normal run. The fresh process a user
starts is in test_replay (the suite's one `playground train` in a new Python process); here, in this one."""

import json

import pytest

from playground import cli
from playground.backend import datasets, runtime, session
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


def test_json_stdout_is_json_lines_with_whole_1_based_epochs(tmp_path, capfd):
    # in this process (test_replay starts a fresh one); capfd sees what native code writes to fd 1 too
    rc = cli.main(["train", str(gate_project(tmp_path)), "--json"])
    out = capfd.readouterr()
    assert rc == 0, out.err[-2000:]
    records = [json.loads(line) for line in out.out.splitlines()]  # every line, or this raises
    epochs = [r for r in records if r["event"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2] and all(type(r["epoch"]) is int for r in epochs)
    assert records[-1]["event"] == "end" and records[-1]["epochs_run"] == 2
    assert records[-1]["stopped_at"] == {"epoch": 2, "batch": 1, "steps": 1}


def test_json_keeps_dataset_messages_off_stdout(tmp_path, monkeypatch, capsys):
    def load_with_a_download_message(name, image_shape=None):
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


@pytest.mark.parametrize("line,notice", [
    ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", True),
    ("I0000 00:00:1795623304.763379   10086 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU "
     "will not be used.", True),
    ("E0000 00:00:1795623308.984492   10086 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error", True),
    ("2024-05-01 10:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.", True),
    ("W0000 00:00:1795623308.984492   10086 cpu_feature_guard.cc:210] This TensorFlow binary is optimized", True),
    ("E0000 00:00:1795623308.984492   10086 file_io.cc:12] could not open /data/x: permission denied", False),
    ("F0000 00:00:1795623308.984492   10086 check.cc:9] Check failed: gpu", False),
    ("Traceback (most recent call last):", False),
    ("epoch 1/2 loss 0.6478 acc 0.8227", False),
])
def test_which_native_lines_are_held_back(line, notice):
    assert runtime.is_native_notice(line) is notice
