"""Exact replay and pausing in the backend: the same seed repeats bit for bit (in one process and across
two headless CLI runs), another seed differs, and a paused, stepped run equals an unpaused one."""

import json
import os
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

from playground.backend import datasets, session
from playground.core import project
from playground.core.graph import chain


def cnn():
    return chain(("input", {"shape": [28, 28, 1]}), ("conv2d", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
                 ("maxpool2d", {"pool_size": 2}), ("flatten", {}), ("dropout", {"rate": 0.3}),
                 ("dense", {"units": 10, "activation": "softmax"}))


SETTINGS = {"epochs": 2, "batch_size": 64, "validation_split": 0.2, "learning_rate": 0.003}


@pytest.fixture(scope="module")
def digits():
    d = datasets.load("mnist-sample")
    return datasets.Dataset("digits-1000", d.x_train[:1000], d.y_train[:1000], d.x_test[:300], d.y_test[:300],
                            d.class_names)


def train(digits, seed, pause=None, on_event=None):
    return session.run_training(cnn(), digits, {**SETTINGS, "seed": seed}, pause=pause, on_event=on_event)


def same(a, b) -> bool:
    return (np.array_equal(a.batches["loss"], b.batches["loss"]) and a.result.history == b.result.history
            and a.result.test_accuracy == b.result.test_accuracy
            and all(np.array_equal(a.weights[n][v], b.weights[n][v]) for n in a.weights for v in a.weights[n]))


def test_same_seed_repeats_bit_for_bit_and_another_seed_differs(digits):
    a, b, c = train(digits, 5), train(digits, 5), train(digits, 6)
    assert len(a.batches["loss"]) == 2 * 13 and a.steps == 13 and a.seed == 5
    assert same(a, b)
    assert not np.array_equal(a.batches["loss"], c.batches["loss"])
    assert a.result.history["val_loss"] != c.result.history["val_loss"]


def test_no_seed_draws_one_and_records_it(digits):
    a = train(digits, None)
    assert isinstance(a.seed, int)
    assert same(a, train(digits, a.seed))


def test_a_paused_and_stepped_run_equals_an_unpaused_one(digits):
    gate = session.PauseGate()
    gate.pause()  # paused before the first batch
    seen = []

    def on_event(kind, p):
        if kind == "paused":
            seen.append(p["batches_done"])
            assert set(p["weights"]) and p["model"] is not None and p["data"] is not None
            # three single steps, then let it run
            threading.Timer(0.01, gate.step if len(seen) <= 3 else gate.resume).start()

    paused = train(digits, 5, pause=gate, on_event=on_event)
    assert seen == [0, 1, 2, 3]  # exactly one batch per step
    assert same(paused, train(digits, 5))


def test_the_paused_snapshot_holds_the_weights_after_the_last_batch(digits):
    gate = session.PauseGate()
    gate.pause()
    snaps = []

    def on_event(kind, p):
        if kind == "paused":
            snaps.append(p)
            threading.Timer(0.01, gate.step if len(snaps) < 2 else gate.resume).start()

    train(digits, 5, pause=gate, on_event=on_event)
    before, after = snaps[0], snaps[1]
    dense = next(n for n in before["weights"] if before["weights"][n]["kernel"].shape == (676, 10))
    assert not np.array_equal(before["weights"][dense]["kernel"], after["weights"][dense]["kernel"])
    model_kernel = [w for w in after["model"].get_weights() if w.shape == (676, 10)][0]
    np.testing.assert_array_equal(model_kernel, after["weights"][dense]["kernel"])


class TestPauseGate:
    def test_hold_sleeps_until_a_step_then_grants_exactly_one(self):
        gate = session.PauseGate()
        gate.pause()
        announced, passed = [], threading.Event()

        def training_thread():
            gate.hold(lambda: announced.append(1))
            passed.set()

        t = threading.Thread(target=training_thread)
        t.start()
        assert not passed.wait(0.2) and announced == [1]
        gate.step()
        assert passed.wait(5)
        t.join()
        assert gate.is_set()  # still paused: the next batch waits again
        passed.clear()
        t = threading.Thread(target=training_thread)
        t.start()
        assert not passed.wait(0.2) and announced == [1, 1]
        gate.resume()
        assert passed.wait(5) and not gate.is_set()
        t.join()

    def test_a_step_granted_before_the_thread_arrives_is_not_lost(self):
        gate = session.PauseGate()
        gate.pause()
        gate.step()
        announced = []
        gate.hold(lambda: announced.append(1))  # returns at once, without announcing
        assert announced == []

    def test_release_wakes_a_paused_run_for_good(self):
        gate = session.PauseGate()
        gate.pause()
        t = threading.Thread(target=gate.hold, args=(lambda: None,))
        t.start()
        gate.release()
        t.join(5)
        assert not t.is_alive() and gate.released and not gate.is_set()
        assert gate.halted  # stopped while paused: the batch it was about to start must not train

    def test_a_run_stopped_while_stepping_is_halted_and_a_running_one_is_not(self):
        stepping = session.PauseGate()
        stepping.pause()
        stepping.step()  # the stepped batch is training when Stop comes
        stepping.release()
        assert stepping.halted
        running = session.PauseGate()
        running.pause()
        running.resume()
        running.release()  # a running run ends after the batch in progress, as Keras ends it
        assert running.released and not running.halted


def _cli_epochs(stdout: str) -> tuple[list[dict], dict]:
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    drop = ("elapsed", "seconds")
    epochs = [{k: v for k, v in r.items() if k not in drop} for r in records if r.get("event") == "epoch"]
    end = next(r for r in records if r.get("event") == "end")
    return epochs, end


def test_two_headless_cli_runs_with_the_same_seed_print_the_same_numbers(tmp_path, capsys):
    """The suite's one `playground train` in a fresh Python process, run as a user runs it (none of the suite's
    TF_ or KERAS_ settings but the thread counts): its numbers repeat in this process (which has trained other
    models before), it never loads Qt, stdout is JSON lines only and stderr only our own lines (no TensorFlow
    native log lines: absl's "I0000 ... cudart_stub", "E0000 ... cuInit", oneDNN notices). The thread counts are
    this process's (conftest's one per pool, when set): with TensorFlow's default two on this machine against one,
    the validation loss parted in its 7th digit (0.9063334 and 0.9063335), as the README says."""
    path = tmp_path / "cnn.json"
    project.save(project.Project(cnn(), "cnn", training={**project.DEFAULT_TRAINING, "epochs": 2,
                                                          "batch_size": 128}), path)
    args = ["train", str(path), "--json"]
    threads = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")  # this process's, as the numbers depend on them
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_") or k in threads}  # KERAS_BACKEND too
    as_python_m = ("import runpy, sys\n"  # `python -m playground`, then a look at what it imported
                   "try:\n    runpy.run_module('playground', run_name='__main__', alter_sys=True)\n"
                   "finally:\n    assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))], "
                   "'headless training loaded Qt'\n")
    proc = subprocess.Popen([sys.executable, "-c", as_python_m, *args, "--seed", "7"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    args.append("--quiet")
    from playground import cli
    capsys.readouterr()
    assert cli.main([*args, "--seed", "7"]) == 0
    here = capsys.readouterr().out
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-2000:]
    assert all(line.startswith("{") for line in out.splitlines()), out
    ours = re.compile(r"^(epoch \d+/2 loss |Finished 2 epochs in |test accuracy )")
    assert [line for line in err.splitlines() if line.strip() and not ours.match(line)] == []
    (e1, end1), (e2, end2) = _cli_epochs(out), _cli_epochs(here)
    assert len(e1) == 2 and "loss" in e1[0] and "val_loss" in e1[0]
    assert e1 == e2 and end1["test_accuracy"] == end2["test_accuracy"]
    # another seed (in this process: the same code path) differs
    assert cli.main([*args, "--seed", "8"]) == 0
    e3, end3 = _cli_epochs(capsys.readouterr().out)
    assert e1 != e3 and end1["test_accuracy"] != end3["test_accuracy"]


def test_a_seeded_tensorflow_run_takes_the_batches_in_the_same_order_every_epoch():
    """README, "Replay": on TensorFlow a seeded run shuffles the training set once, and every epoch takes its
    batches in that order (TensorFlow starts a seeded shuffle over with each pass over the data), through the
    app's own training call as through plain Keras after ``keras.utils.set_random_seed``. The model records the
    first column of each batch it trains on (each example's number). Shuffling each epoch differently would change
    this test and that paragraph."""
    import keras
    import tensorflow as tf

    from playground.backend import training
    from playground.core.settings import TrainConfig
    seen: list = []

    def record(first_column):
        seen.append(first_column.astype(int).tolist())
        return np.int64(0)

    class Recording(keras.Model):
        def train_step(self, data):
            tf.numpy_function(record, [data[0][:, 0]], tf.int64)
            return super().train_step(data)

    x = np.stack([np.arange(40), np.zeros(40)], axis=1).astype(np.float32)
    data = datasets.Prepared(x, np.arange(40) % 4, x[:8], np.arange(8) % 4, "sparse_categorical_crossentropy",
                             ["accuracy"], ("a", "b", "c", "d"))
    cfg = TrainConfig.from_dict({"epochs": 3, "batch_size": 8, "seed": 3, "validation_split": 0.0})

    def model():
        inp = keras.Input((2,))
        return Recording(inp, keras.layers.Dense(4, activation="softmax")(inp))
    keras.utils.set_random_seed(3)
    training.train(model(), data, cfg)
    keras.utils.set_random_seed(3)  # and plain Keras, seeded as its guide says
    plain = model()
    plain.compile("adam", "sparse_categorical_crossentropy")
    plain.fit(x, data.y_train, batch_size=8, epochs=3, shuffle=True, verbose=0)
    for run in (seen[:15], seen[15:]):
        epochs = [sum(run[i:i + 5], []) for i in (0, 5, 10)]  # 40 examples, 5 batches an epoch
        assert len(run) == 15 and sorted(epochs[0]) == list(range(40))
        assert epochs[0] != list(range(40))  # shuffled
        assert epochs[0] == epochs[1] == epochs[2]  # once: the same order each epoch


JAX_SEEDING = """
import random, sys
import numpy as np
from playground.backend.runtime import get_keras
from playground.backend.session import seed_everything
keras = get_keras()

def draws():
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    return [random.random(), *np.random.rand(2), *np.asarray(keras.random.uniform((2,))),
            *np.asarray(layer.kernel).ravel()]

from keras.src.utils import module_utils, rng_utils
seed_everything(7)
ours, loaded = draws(), "tensorflow" in sys.modules
untouched = rng_utils.tf is module_utils.tensorflow and module_utils.tensorflow._available is None
keras.utils.set_random_seed(7)
print(repr((loaded, untouched, ours == draws(), "tensorflow" in sys.modules)))
"""


def test_a_jax_run_is_seeded_as_keras_seeds_it_without_loading_tensorflow(tmp_path):
    """On JAX, ``keras.utils.set_random_seed`` imports TensorFlow only to seed it; the app's seeding leaves it
    unloaded (runtime.set_random_seed), leaves Keras' stand-in for TensorFlow as it was (everything else still
    finds TensorFlow), and gives the same Python, NumPy, Keras and initial-weight draws. The last check shows
    the oracle did load TensorFlow, so the first could fail."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    env.update(KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", JAX_SEEDING], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "(False, True, True, True)"
