"""A stop says where it happened, and the model holds exactly the updates up to that batch."""

import math

from playground.backend import session
from playground.backend.training import StopFlag
from playground.core.graph import chain


def _net():
    return chain(("input", {"shape": [784]}), ("dense", {"units": 10, "activation": "softmax"}))


def test_stop_reports_epoch_and_batch_and_the_weights_match():
    stop = StopFlag()

    def on_event(kind, p):
        if kind == "batch" and int(p["batch"]) == 13:  # the 14th batch of the first epoch has finished
            stop.set()
    out = session.run_training(_net(), "mnist-sample", {"epochs": 3, "batch_size": 64, "validation_split": 0.0},
                               on_event=on_event, stop=stop)
    res = out.result
    at = res.stopped_at
    steps = math.ceil(10_000 / 64)
    assert res.stopped == "stopped"
    assert at["epoch"] == 1 and at["steps"] == steps and 14 <= at["batch"] <= 17  # the batch in flight, at most
    # the optimizer counts the updates it applied: exactly the batches the message names
    assert int(out.model.optimizer.iterations.numpy()) == at["batch"]
    assert res.message == (f"Stopped by you at epoch 1 of 3, batch {at['batch']} of {steps}; the weights are "
                           f"those after batch {at['batch']}.")


def test_a_finished_run_reports_its_last_batch():
    out = session.run_training(_net(), "mnist-sample", {"epochs": 2, "batch_size": 1000, "validation_split": 0.0})
    assert out.result.stopped == "finished"
    assert out.result.stopped_at == {"epoch": 2, "batch": 10, "steps": 10}
    assert int(out.model.optimizer.iterations.numpy()) == 20


def test_the_stop_message_counts_an_epoch_of_one_batch_in_words():
    """A gate's truth table is one batch an epoch: "(all 1 batches)" read wrong (a new-user drive)."""
    from playground.backend.training import _stop_message
    assert _stop_message((6, 0), 1, 300) == ("Stopped by you after epoch 7 of 300 (its one batch); the weights are "
                                             "those after epoch 7.")
    assert _stop_message((0, 49), 50, 3) == ("Stopped by you after epoch 1 of 3 (all 50 batches); the weights are "
                                             "those after epoch 1.")
