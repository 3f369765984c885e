"""A seeded fit of a few batches an epoch (a truth table, a small CSV) is fed one epoch's batches made once: the
weights and every epoch's numbers are plain Keras' to the bit, and Keras no longer starts two input pipelines
every epoch (about 11 ms each: two thirds of an epoch of the Logic lab's *Learn instead*)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import datasets, training
from playground.core.settings import TrainConfig

pytestmark = pytest.mark.filterwarnings("error:.*ran out of data")


@pytest.fixture
def pipeline_starts(monkeypatch):
    from tensorflow.python.data.ops import iterator_ops
    made = []
    original = iterator_ops.OwnedIterator._create_iterator

    def counting(self, dataset):
        made.append(1)
        return original(self, dataset)
    monkeypatch.setattr(iterator_ops.OwnedIterator, "_create_iterator", counting)
    return made


def _model(hidden: int, dropout: bool):
    import keras
    inp = keras.Input((2,))
    h = keras.layers.Dense(hidden, activation="sigmoid")(inp)
    if dropout:
        h = keras.layers.Dropout(0.3)(h)
    return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(h))


@pytest.mark.parametrize("rows,batch,dropout,split", [(4, 4, False, 0.0), (10, 4, True, 0.0), (40, 8, False, 0.25)])
def test_a_small_seeded_fit_is_plain_keras_to_the_bit_with_no_pipeline_per_epoch(pipeline_starts, rows, batch,
                                                                                  dropout, split):
    import keras
    rng = np.random.default_rng(rows)
    x = rng.integers(0, 2, size=(rows, 2)).astype(np.float32)
    y = (x[:, :1] != x[:, 1:]).astype(np.float32)  # XOR of the two columns
    epochs = 8
    cfg = TrainConfig.from_dict({"optimizer": "adam", "learning_rate": 0.1, "batch_size": batch, "epochs": epochs,
                                 "validation_split": split, "seed": 5})
    data = datasets.Prepared(x, y, None, None, "binary_crossentropy", ["accuracy"], ("0", "1"))
    keras.utils.set_random_seed(5)
    app = _model(3, dropout)
    result = training.train(app, data, cfg)
    app_starts = len(pipeline_starts)

    keras.utils.set_random_seed(5)  # plain Keras, seeded as its guide says
    plain = _model(3, dropout)
    plain.compile(keras.optimizers.Adam(0.1), "binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    history = plain.fit(x, y, batch_size=batch, epochs=epochs, validation_split=split, shuffle=True, verbose=0)
    plain_starts = len(pipeline_starts) - app_starts

    assert result.epochs_run == epochs
    assert result.history == {k: [float(v) for v in vals] for k, vals in history.history.items()}
    for mine, theirs in zip(app.get_weights(), plain.get_weights(), strict=True):
        assert np.array_equal(mine, theirs)
    assert plain_starts >= 2 * epochs  # plain Keras: two new pipelines every epoch
    if split:  # validation data: Keras starts its own two each epoch; the training one an epoch, not two
        assert app_starts <= plain_starts - epochs + 1
    else:  # one epoch's batches drawn once, then one pipeline for the whole run
        assert app_starts <= 2


def test_a_stop_keeps_the_weights_it_names_with_early_stopping_on():
    """Early stopping restores the best epoch's weights when a run ends; a run stopped by the user says "the
    weights are those after batch n" and keeps them (Keras' EarlyStopping restored epoch 1's over them)."""
    import keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    y[160:] = 1 - y[160:]  # the validation rows (Keras holds out the last 40) say the opposite: epoch 1 is best
    stop = training.StopFlag()
    at_epoch_end = []

    class StopInEpochThree(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            at_epoch_end.append([w.copy() for w in self.model.get_weights()])

        def on_train_batch_end(self, batch, logs=None):
            if len(at_epoch_end) == 2 and batch == 3:
                stop.set()

    cfg = TrainConfig.from_dict({"optimizer": "adam", "learning_rate": 0.05, "batch_size": 16, "epochs": 10,
                                 "validation_split": 0.2, "early_stopping": 5, "seed": 1})
    data = datasets.Prepared(x, y, None, None, "binary_crossentropy", ["accuracy"], ("0", "1"))
    model = _model(3, False)
    result = training.train(model, data, cfg, stop=stop, extra_callbacks=[StopInEpochThree()])
    assert result.stopped == "stopped" and result.stopped_at == {"epoch": 3, "batch": 5, "steps": 10}
    assert "the weights are those after batch 5" in result.message
    kept = model.get_weights()
    assert len(at_epoch_end) == 3  # epochs 1 and 2, and 3 as far as it went (Keras ends a stopped epoch)
    for a, b in zip(kept, at_epoch_end[2], strict=True):
        np.testing.assert_array_equal(a, b)
    for epoch_end in at_epoch_end[:2]:  # not the best epoch's (1), which EarlyStopping would restore
        assert not all(np.array_equal(a, b) for a, b in zip(kept, epoch_end, strict=True))


def test_the_steps_an_epoch_are_keras_own_when_the_split_is_not_whole():
    """569 rows at a 0.1 split: Keras trains on 512 (4 batches of 128); counted as 569 - int(56.9) = 513 the app
    told fit 5 steps, and Keras warned "Your input ran out of data" every epoch."""
    import warnings

    import keras
    rng = np.random.default_rng(2)
    x = rng.normal(size=(569, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    cfg = TrainConfig.from_dict({"batch_size": 128, "epochs": 2, "validation_split": 0.1, "seed": 4})
    data = datasets.Prepared(x, y, None, None, "binary_crossentropy", ["accuracy"], ("0", "1"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*ran out of data.*")
        keras.utils.set_random_seed(4)
        result = training.train(_model(3, False), data, cfg)
    assert result.stopped_at == {"epoch": 2, "batch": 4, "steps": 4}
    assert training.total_steps(cfg, 569) == 8


def test_a_run_halted_before_a_batch_without_a_stop_flag_says_it_was_stopped():
    import keras

    class HaltAtThird(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 2:
                raise training.StopBeforeBatch

    x = np.zeros((40, 2), np.float32)
    data = datasets.Prepared(x, np.zeros((40, 1), np.float32), None, None, "binary_crossentropy", ["accuracy"],
                             ("0", "1"))
    cfg = TrainConfig.from_dict({"batch_size": 8, "epochs": 3, "validation_split": 0.0, "seed": 0})
    result = training.train(_model(2, False), data, cfg, extra_callbacks=[HaltAtThird()])
    assert result.stopped == "stopped" and result.stopped_at == {"epoch": 1, "batch": 2, "steps": 5}
    assert result.epochs_run == 0 and "the weights are those after batch 2" in result.message


def test_a_replay_of_a_run_stopped_in_its_last_batch_says_stopped_too():
    """Stop pressed in the last batch: the run ends as a finished one would, stored as stopped; its replay, told
    to stop after every batch, has no next batch to stop before, so it says stopped at the end."""
    from playground.backend import session
    from playground.backend.training import StopFlag
    from playground.core.graph import chain as layers
    g = layers(("input", {"shape": [2]}), ("dense", {"units": 1, "activation": "sigmoid"}))
    settings = {"dataset": "gate-or", "epochs": 3, "batch_size": 2, "validation_split": 0.0, "seed": 1}
    stop = StopFlag()
    out = session.run_training(g, "gate-or", settings, stop=stop, stop_after=(6, False))
    assert out.result.stopped == "stopped" and out.result.epochs_run == 3
    assert out.result.stopped_at == {"epoch": 3, "batch": 2, "steps": 2}
