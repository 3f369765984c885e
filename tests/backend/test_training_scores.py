"""One pass over the test set gives the same loss and accuracy as Keras' evaluate, and the confusion
matrix's classes; a repeated run on the same data reuses the prepared arrays."""

import numpy as np
import pytest

from playground.backend import builder, session, training
from playground.backend.datasets import load, prepare
from playground.core.graph import chain


@pytest.mark.parametrize("loss,units,activation,dataset", [
    ("sparse_categorical_crossentropy", 10, "softmax", "mnist-sample"),
    ("categorical_crossentropy", 10, "softmax", "mnist-sample"),
    ("mse", 10, "softmax", "mnist-sample"),
    ("binary_crossentropy", 1, "sigmoid", "gate-xor"),
])
def test_scores_from_outputs_match_evaluate(loss, units, activation, dataset):
    ds = load(dataset)
    shape = [784] if dataset == "mnist-sample" else [2]
    g = chain(("input", {"shape": shape}), ("dense", {"units": 8, "activation": "relu"}),
              ("dense", {"units": units, "activation": activation}))
    data = prepare(ds, tuple(shape), units, loss)
    model = builder.build_model(g)
    cfg = training.TrainConfig(epochs=1, batch_size=256, validation_split=0.0)
    training.compile_model(model, cfg, data.loss)
    model.fit(data.x_train[:512], data.y_train[:512], epochs=1, verbose=0)
    x, y = data.x_test[:500], data.y_test[:500]
    expected = model.evaluate(x, y, batch_size=128, verbose=0, return_dict=True)
    got_loss, got_acc = training.scores_from_outputs(data.loss, y, training.predict(model, x))
    assert got_loss == pytest.approx(expected["loss"], rel=1e-4)
    assert got_acc == pytest.approx(expected.get("accuracy", expected.get("mae")), rel=1e-5, abs=1e-6)


def test_run_with_predictions_scores_and_classifies_in_one_pass():
    g = chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "softmax"}))
    out = session.run_training(g, "mnist-sample", {"epochs": 1, "batch_size": 500, "validation_split": 0.0},
                               predictions=True)
    pred, true = out.predictions
    assert len(pred) == len(true) == 2000
    assert out.result.test_accuracy == pytest.approx(np.mean(pred == true))
    again = out.model.evaluate(out.data.x_test, out.data.y_test, verbose=0, return_dict=True)
    assert out.result.test_loss == pytest.approx(again["loss"], rel=1e-4)


def test_prepared_data_is_reused_only_for_the_same_data_and_model_shape(tmp_path, monkeypatch):
    monkeypatch.setattr(session, "_PREPARED", {})
    calls = []
    real_load = session.load
    monkeypatch.setattr(session, "load", lambda name, *shape: calls.append(name) or real_load(name, *shape))
    flat = chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "softmax"}))
    image = chain(("input", {"shape": [28, 28, 1]}), ("flatten", {}), ("dense", {"units": 10,
                                                                               "activation": "softmax"}))
    first = session.prepare_for(flat, "mnist-sample")
    assert session.prepare_for(flat, "mnist-sample") is first and calls == ["mnist-sample"]
    ds, data = session.prepare_for(image, "mnist-sample")  # another Input shape: prepared anew
    assert data.x_train.shape == (10000, 28, 28, 1) and len(calls) == 2
    path = tmp_path / "d.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 255, (20, 784), dtype=np.uint8), y_train=np.arange(20) % 10)
    session.prepare_for(flat, str(path))
    session.prepare_for(flat, str(path))
    assert len(calls) == 3
    np.savez(path, x_train=rng.integers(0, 255, (30, 784), dtype=np.uint8), y_train=np.arange(30) % 10)
    _, data = session.prepare_for(flat, str(path))  # the file changed: read again
    assert len(calls) == 4 and len(data.x_train) == 30
