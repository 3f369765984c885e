"""A seeded fit of a few batches an epoch (a truth table, a small CSV) is fed one epoch's batches made once: the
weights and every epoch's numbers are plain Keras' to the bit, and Keras no longer starts two input pipelines
every epoch (about 11 ms each: two thirds of an epoch of the Logic lab's *Learn instead*)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.backend import datasets, training
from playground.core.settings import TrainConfig

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


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
