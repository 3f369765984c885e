"""Headless, multi-device training: `playground train --devices all` on JAX with 4 host devices, the .h5 it
exports loaded by plain Keras on TensorFlow, and the one-line errors."""

import json
import os
import subprocess
import sys

import numpy as np

from in_process import plain_keras_load  # tests/ is on sys.path (its conftest)
from playground.core import project
from playground.core.graph import chain


def run_cli(args, env_extra, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS", "JAX_PLATFORMS")}
    env.update(env_extra)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run([sys.executable, "-m", "playground", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def small_project(tmp_path):
    g = chain(("input", {"shape": [784]}), ("dense", {"units": 32, "activation": "relu"}),
              ("dense", {"units": 10, "activation": "softmax"}))
    p = project.Project(g, "small", training={**project.DEFAULT_TRAINING, "epochs": 1, "batch_size": 64,
                                               "validation_split": 0.0})
    path = tmp_path / "small.json"
    project.save(p, path)
    return path


def test_data_parallel_on_four_jax_devices(tmp_path):
    proj = small_project(tmp_path)
    env = {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    out = run_cli(["train", str(proj), "--dataset", "mnist-sample", "--devices", "all", "--json", "--quiet",
                   "--export", "m.h5", "--save-project", "trained.json"], env, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    # more virtual devices than cores: said in one line before the run (which a supervising parent watches,
    # so an XLA abort under load would be one line too, never a C++ stack)
    cores = len(os.sched_getaffinity(0))
    warning = (f"playground train: warning: 4 virtual devices on {cores} cores: XLA's CPU all-reduce can time out "
               f"under load (the run then stops); use --devices {cores} or fewer.")
    assert (out.stderr.splitlines()[0] == warning) == (cores < 4), out.stderr[-2000:]
    assert "Check failure" not in out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [l["event"] for l in lines] == ["epoch", "end"]
    end = lines[-1]
    assert end["devices"] == 4  # the trained model's weights live on a 4-device mesh
    assert end["test_accuracy"] > 0.8
    # the trained weights the project saved (gathered from the 4-device mesh), rebuilt here, and the .h5 the run
    # exported, in plain Keras on TensorFlow (this process), agree, and they are the trained ones: they score what
    # the run scored on the test split
    from playground.backend import datasets
    from playground.backend.builder import build_model
    x = np.random.default_rng(0).random((16, 784)).astype("float32")
    trained = project.load(tmp_path / "trained.json").graph
    assert all(n.weights for n in trained.nodes.values() if n.kind == "dense")
    rebuilt = build_model(trained)
    test = datasets.prepare(datasets.load("mnist-sample"), (784,), 10)
    accuracy = float(np.mean(rebuilt.predict(test.x_test, verbose=0).argmax(1) == test.y_test))
    assert abs(accuracy - end["test_accuracy"]) < 0.01
    ours = np.asarray(rebuilt.predict(x, verbose=0))
    theirs = plain_keras_load(tmp_path / "m.h5").predict(x, verbose=0)
    np.testing.assert_allclose(theirs, ours, atol=1e-5)


def test_bad_devices_value_is_one_line(tmp_path):
    out = run_cli(["train", str(small_project(tmp_path)), "--devices", "zero"], {}, tmp_path)
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0
    assert "--devices must be 'all' or a whole number" in out.stderr


def test_batch_that_does_not_divide_is_one_line(tmp_path):
    env = {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    out = run_cli(["train", str(small_project(tmp_path)), "--devices", "all", "--batch-size", "30", "--quiet"], env,
                  tmp_path)
    assert out.returncode == 2, out.stderr[-2000:]
    last = out.stderr.strip().splitlines()[-1]
    assert "batch size 30 does not divide across 4 devices" in last and "28, 32" in last


def test_missing_backend_is_one_line(tmp_path):
    out = run_cli(["train", str(small_project(tmp_path)), "--backend", "torch"], {}, tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "playground train: error: The torch backend is not installed: pip install torch"
