"""Dataset loaders on small files made here, the adapter, and the training loop's stops."""

import numpy as np
import pytest

from playground.backend import datasets, session
from playground.backend.training import StopFlag, TrainConfig
from playground.core.errors import DatasetError, SettingsError
from playground.core.graph import chain


def test_registry_lists_everything():
    for key in ["mnist-sample", "mnist", "fashion-mnist", "cifar10", "gate-and", "gate-or", "gate-nand",
                "gate-nor", "gate-xor", "gate-xnor", "gate-not"]:
        assert key in datasets.REGISTRY


def test_mnist_sample_ships_and_is_offline():
    ds = datasets.load("mnist-sample")
    assert ds.x_train.shape == (10000, 28, 28) and ds.x_test.shape == (2000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and set(np.unique(ds.y_train)) == set(range(10))


def test_gate_table():
    ds = datasets.load("gate-xnor")
    assert ds.x_train.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and ds.y_train.ravel().tolist() == [1, 0, 0, 1]


def test_mnist_reads_the_cache_with_numpy(tmp_path, monkeypatch):
    cache = tmp_path / "datasets"
    cache.mkdir()
    rng = np.random.default_rng(0)
    np.savez(cache / "mnist.npz", x_train=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8),
             y_train=np.arange(20) % 10, x_test=np.zeros((5, 28, 28), np.uint8), y_test=np.arange(5))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    ds = datasets.load("mnist")
    assert ds.x_train.shape == (20, 28, 28) and ds.name == "mnist"


def test_mnist_cache_with_wrong_shapes_is_named(tmp_path, monkeypatch):
    (tmp_path / "datasets").mkdir()
    np.savez(tmp_path / "datasets" / "mnist.npz", x_train=np.zeros((3, 27, 28)), y_train=np.zeros(3),
             x_test=np.zeros((1, 28, 28)), y_test=np.zeros(1))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DatasetError, match=r"x_train has shape \(3, 27, 28\)"):
        datasets.load("mnist")


def test_offline_download_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    import keras

    def offline():
        raise ConnectionError("no network")
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DatasetError, match=str(tmp_path / "datasets" / "mnist.npz")):
        datasets.load("mnist")


def test_user_npz(tmp_path):
    p = tmp_path / "mine.npz"
    np.savez(p, x_train=np.ones((6, 4, 4), np.uint8) * 255, y_train=np.array([0, 1, 2, 0, 1, 2]))
    ds = datasets.load(str(p))
    assert ds.num_classes == 3 and ds.x_test is None
    prepared = datasets.prepare(ds, (16,), 3)
    assert prepared.x_train.shape == (6, 16) and prepared.x_train.max() == 1.0


def test_npz_missing_keys(tmp_path):
    p = tmp_path / "bad.npz"
    np.savez(p, images=np.ones(3))
    with pytest.raises(DatasetError, match="x_train and y_train"):
        datasets.load(str(p))


def test_kaggle_csv(tmp_path):
    p = tmp_path / "train.csv"
    header = "label," + ",".join(f"pixel{i}" for i in range(16))
    rows = [f"{i % 3}," + ",".join(str((i * 7 + j) % 256) for j in range(16)) for i in range(9)]
    p.write_text("\n".join([header] + rows) + "\n")
    ds = datasets.load(str(p))
    assert ds.x_train.shape == (9, 4, 4) and ds.y_train.tolist() == [0, 1, 2] * 3
    prepared = datasets.prepare(ds, (4, 4, 1), 3)
    assert prepared.x_train.shape == (9, 4, 4, 1)


def test_csv_with_text_cells(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("label,pixel0\n1,abc\n")
    with pytest.raises(DatasetError, match="bad.csv"):
        datasets.load(str(p))


def test_image_folder(tmp_path):
    import keras
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            img = np.full((5, 5, 1), 40 * i + (100 if cls == "dog" else 0), np.uint8)
            keras.utils.save_img(tmp_path / cls / f"{i}.png", img, scale=False)
    ds = datasets.load(str(tmp_path))
    assert ds.class_names == ("cat", "dog") and ds.x_train.shape == (6, 5, 5)
    assert ds.y_train.tolist() == [0, 1, 0, 1, 0, 1]  # the classes in turn: a validation split holds both
    assert ds.x_test is None  # fewer than 5 images a class: nothing held out


def test_image_folder_holds_out_a_test_split_and_resizes_to_the_input(tmp_path):
    from PIL import Image
    for cls, shade in (("cat", 30), ("dog", 220)):
        (tmp_path / cls).mkdir()
        for i in range(10):
            Image.new("L", (6, 4), shade).save(tmp_path / cls / f"{i}.png")
    ds = datasets.load(str(tmp_path))
    assert ds.x_train.shape == (16, 4, 6) and ds.y_test.tolist() == [0, 0, 1, 1]  # every 5th of each class
    prepared = datasets.prepare(ds, (8, 12, 3), 2)
    assert prepared.x_train.shape == (16, 8, 12, 3) and prepared.x_test.shape == (4, 8, 12, 3)
    assert np.allclose(prepared.x_test[2], 220 / 255)  # grey copied into R, G and B
    assert "(the first is 6x4 grey) is resized (bilinear) from its own size, where it differs, to the Input's 12x8 and made colour" in \
        datasets.resize_note(ds.example_shape, (8, 12, 3))
    classes, size, grey = datasets.folder_summary(tmp_path, per_class=3)
    assert [(c.name, c.count, len(c.examples)) for c in classes] == [("cat", 10, 3), ("dog", 10, 3)]
    assert size == (6, 4) and grey
    classes, _, _ = datasets.folder_summary(tmp_path, per_class=3, max_classes=1)  # the rest only counted
    assert [(c.name, c.count, len(c.examples)) for c in classes] == [("cat", 10, 3), ("dog", 10, 0)]


def test_shape_mismatch_names_both_shapes():
    ds = datasets.load("mnist-sample")
    with pytest.raises(DatasetError, match=r"28x28 but the model's Input expects 32x32x3"):
        datasets.prepare(ds, (32, 32, 3), 10)
    with pytest.raises(DatasetError, match="10 classes"):
        datasets.prepare(ds, (784,), 5)


def test_reshape_to_vector_or_channel():
    ds = datasets.load("mnist-sample")
    assert datasets.prepare(ds, (784,), 10).x_train.shape == (10000, 784)
    assert datasets.prepare(ds, (28, 28, 1), 10).x_train.shape == (10000, 28, 28, 1)
    assert datasets.prepare(ds, (28, 28, 1), 10, "categorical_crossentropy").y_train.shape == (10000, 10)


def tiny_gate_net():
    return chain(("input", {"shape": [2]}), ("dense", {"units": 4, "activation": "tanh"}),
                 ("dense", {"units": 1, "activation": "sigmoid"}))


def test_training_reports_plain_floats_and_learns_xor():
    events = []
    # 25 epochs of one-row batches at 0.2 learn XOR from seeds 1-5 alike (test loss 0.05-0.2, accuracy 1.0) in a
    # quarter of the time of 100 epochs of whole-table batches (Keras' cost is mostly per epoch at this size)
    out = session.run_training(tiny_gate_net(), "gate-xor", {"epochs": 25, "batch_size": 1, "learning_rate": 0.2,
                                                            "validation_split": 0.0, "seed": 1},
                               on_event=lambda k, p: events.append((k, p)))
    kinds = [k for k, _ in events]
    assert kinds[0] == "begin" and kinds[-1] == "end" and kinds.count("epoch") == 25 and kinds.count("batch") == 100
    batch = next(p for k, p in events if k == "batch")
    assert all(type(v) is float for v in batch.values())
    assert out.result.stopped == "finished" and out.result.test_accuracy == 1.0
    assert set(out.weights) == {n.id for n in tiny_gate_net().nodes.values() if n.kind == "dense"}


def test_raw_batch_metrics_are_recovered_from_running_means():
    events = []
    session.run_training(chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "softmax"})),
                         "mnist-sample", {"epochs": 1, "batch_size": 1000, "validation_split": 0.0},
                         on_event=lambda k, p: events.append((k, p)))
    batches = [p for k, p in events if k == "batch"]
    assert [int(p["batch"]) for p in batches] == list(range(10))  # in order despite Keras' worker threads
    raw_mean = np.mean([p["loss"] for p in batches])
    assert raw_mean == pytest.approx(batches[-1]["mean_loss"], rel=1e-4)


def test_stop_flag_ends_training_at_next_batch():
    stop = StopFlag()
    seen = []

    def on_event(kind, p):
        if kind == "batch":
            seen.append(p)
            stop.set()
    out = session.run_training(chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "softmax"})),
                               "mnist-sample", {"epochs": 5, "batch_size": 32, "validation_split": 0.0},
                               on_event=on_event, stop=stop)
    assert out.result.stopped == "stopped"
    assert len(seen) <= 3  # the batch in flight and at most one more


def test_nan_loss_stops_with_a_message():
    g = chain(("input", {"shape": [784]}), ("dense", {"units": 10}))  # linear + mse: diverges for sure
    out = session.run_training(g, "mnist-sample", {"epochs": 3, "batch_size": 64, "learning_rate": 1e6,
                                                  "optimizer": "sgd", "validation_split": 0.0, "loss": "mse"})
    assert out.result.stopped == "nan"
    assert "smaller learning rate" in out.result.message and out.result.epochs_run <= 1


def test_weights_that_became_nan_while_the_loss_was_a_number_end_the_run_as_nan():
    """A drive: a learning rate of 1e9, stopped after a few batches: the loss was 1.7e30 (a number), the weights
    NaN; the run ended "stopped by you", its NaN weights went to the graph, which refused them inside an undo
    step, and the next run's end crashed the window. Such a run ends as a NaN run: no weights kept, and why."""
    from playground.core import project
    from playground.resources_path import preset_text
    losses = []
    g = project.loads(preset_text("mnist-cnn")).graph
    out = session.run_training(g, "mnist-sample", {"epochs": 1, "batch_size": 128, "learning_rate": 1e9,
                                                  "validation_split": 0.0, "seed": 0},
                               on_event=lambda kind, p: kind == "batch" and losses.append(p["loss"]),
                               stop=StopFlag(), stop_after=(2, True))  # Esc in its second batch, as replayed
    assert all(np.isfinite(loss) for loss in losses), losses  # the loss never said so
    assert out.result.stopped == "nan", out.result.message
    assert len(losses) == 2 and ("weights became NaN (not a number) by epoch 1, batch 2, while the loss was still "
                                 f"{losses[-1]:.3g}. Try a smaller learning rate (now 1e+09).") in out.result.message
    assert out.result.test_loss is None and out.predictions is None


def test_early_stopping_and_tensorboard(tmp_path):
    out = session.run_training(tiny_gate_net(), "gate-and", {"epochs": 200, "batch_size": 4, "learning_rate": 1e-9,
                                                            "validation_split": 0.0, "early_stopping": 2,
                                                            "tensorboard_dir": str(tmp_path / "tb")})
    assert out.result.stopped == "early" and out.result.epochs_run < 200
    assert any((tmp_path / "tb").rglob("events.out.tfevents*"))


@pytest.mark.parametrize("settings,needle", [
    ({"optimizer": "adamw"}, "optimizer"), ({"learning_rate": -1}, "learning_rate=-1"),
    ({"batch_size": 0}, "batch_size=0"), ({"validation_split": 1.5}, "validation_split=1.5"),
])
def test_bad_settings_are_named(settings, needle):
    with pytest.raises(SettingsError, match=needle):
        TrainConfig.from_settings(settings)


def test_all_optimizers_build():
    for opt in ("sgd", "adam", "rmsprop", "adagrad"):
        out = session.run_training(tiny_gate_net(), "gate-or", {"epochs": 1, "batch_size": 4, "optimizer": opt,
                                                               "validation_split": 0.0})
        assert out.result.stopped == "finished"


def test_fresh_start_trains_as_if_the_network_held_no_weights():
    from playground.backend.session import run_training
    settings = {"dataset": "gate-xor", "epochs": 2, "batch_size": 4, "validation_split": 0.0, "seed": 1,
                "learning_rate": 0.1}
    blank = tiny_gate_net()
    held = blank.copy()
    for node in held.nodes.values():  # as if an earlier run had left its weights
        if node.kind == "dense":
            units = node.params["units"]
            fan_in = 2 if units == 4 else 4
            held.set_weights(node.id, {"kernel": np.full((fan_in, units), 0.3, np.float32),
                                       "bias": np.full(units, 0.1, np.float32)})
    a = run_training(blank, "gate-xor", settings)
    b = run_training(held, "gate-xor", {**settings, "start_weights": "fresh"})
    c = run_training(held, "gate-xor", settings)  # current: continues from the held weights
    assert a.batches["loss"][0] == b.batches["loss"][0] != c.batches["loss"][0]
    for nid, w in a.weights.items():
        for k, v in w.items():
            assert np.array_equal(v, b.weights[nid][k])


def test_compile_builds_the_optimizer_and_a_run_is_the_same_to_the_bit(monkeypatch):
    """compile_model creates the optimizer's variables before fit (so TensorFlow traces the first step once,
    not again with the variables lifted out of it); a run is bit for bit the run that leaves them to Keras."""
    from playground.backend import builder, training
    model = builder.build_model(tiny_gate_net())
    cfg = TrainConfig.from_settings({"optimizer": "adam"})
    training.compile_model(model, cfg, "binary_crossentropy", 4)
    assert model.optimizer.built and len(model.optimizer.variables) > 1  # the step count and Adam's moments
    settings = {"epochs": 3, "batch_size": 2, "validation_split": 0.0, "seed": 4, "learning_rate": 0.1,
                "lr_schedule": "cosine"}
    early = session.run_training(tiny_gate_net(), "gate-xor", settings)
    monkeypatch.setattr(training, "build_optimizer", lambda model: None)
    lazy = session.run_training(tiny_gate_net(), "gate-xor", settings)
    np.testing.assert_array_equal(early.batches["loss"], lazy.batches["loss"])
    for nid, w in early.weights.items():
        for k, v in w.items():
            assert np.array_equal(v, lazy.weights[nid][k])


def test_until_loss_ends_a_run_at_the_first_epoch_below_it_and_the_same_each_time():
    """The Logic lab's Learn instead stops once the loss is below its target (0.05: every row right by a clear
    margin) instead of running out its 400 epochs; the same seed stops at the same epoch with the same weights."""
    settings = {"epochs": 300, "batch_size": 4, "learning_rate": 0.1, "validation_split": 0.0, "seed": 3,
                "loss": "binary_crossentropy"}
    runs = [session.run_training(tiny_gate_net(), "gate-or", settings, until_loss=0.05) for _ in range(2)]
    first = runs[0].result
    assert first.stopped == "early" and first.epochs_run < 300 and "loss reached its target" in first.message
    assert first.history["loss"][-1] < 0.05 <= min(first.history["loss"][:-1])  # the first epoch below, no later
    assert runs[1].result.epochs_run == first.epochs_run
    assert all(np.array_equal(runs[0].weights[n][v], runs[1].weights[n][v])
               for n in runs[0].weights for v in runs[0].weights[n])
    plain = session.run_training(tiny_gate_net(), "gate-or", {**settings, "epochs": 5})
    assert plain.result.stopped == "finished" and plain.result.epochs_run == 5  # without it: every epoch asked for
