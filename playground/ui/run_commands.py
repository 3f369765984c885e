"""Undo commands for training runs and the run history (model methods only, like commands.py).

A training run is one undo step however often it was paused: the weights shown after each pause and
the final weights with the run's history entry merge into one ``TrainingRunCommand`` while nothing else
was done in between. Undo puts back the weights from before the run and drops its entry.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from ..core import runs as runs_core
from ..core.runs import Run, RunHistory

MERGE_RUN = 1101
CHANGED_NOTE = (" The network was changed during the run: its layers are as you left them, and the run's weights "
                "are kept with it (Restore them on the Runs tab where they fit).")


def finite(weights: dict) -> bool:
    """Whether every value of a layer's weights is a finite number (a run whose weights became NaN while its loss
    was still a number: the graph refuses them, and a command that raised in redo crashed the window later)."""
    return all(np.all(np.isfinite(v)) for v in weights.values())


def _runs(doc) -> RunHistory:
    return doc.project.runs


class TrainingRunCommand(QUndoCommand):
    """Weights a run leaves in the graph (None: none) and, at its end, its entry in the history."""

    def __init__(self, doc, token: object, weights: dict | None, text: str, run: Run | None = None,
                 start: dict | None = None, end: dict | None = None, discard_paused: bool = False):
        super().__init__(text)
        self.doc, self.token, self.discard = doc, token, discard_paused
        graph = doc.graph
        self.new_weights = {nid: w for nid, w in (weights or {}).items() if nid in graph.nodes and finite(w)}
        self.old_weights = {nid: dict(graph.nodes[nid].weights) for nid in self.new_weights}
        self.old_history = _runs(doc).copy()
        self.new_history = self.old_history.added(run, start, end) if run is not None else None

    def id(self):
        return MERGE_RUN

    def mergeWith(self, other) -> bool:
        if not isinstance(other, TrainingRunCommand) or other.token is not self.token:
            return False
        for nid, w in other.new_weights.items():
            self.old_weights.setdefault(nid, other.old_weights[nid])
            self.new_weights[nid] = w
        if other.discard:  # a run that ended in NaN keeps none of the weights it showed while paused (the next
            self.new_weights = dict(self.old_weights)  # run went on from them and ended in NaN at once, a drive)
            for nid, w in self.old_weights.items():
                self.doc.graph.set_weights(nid, w)
        if other.new_history is not None:
            self.new_history = other.new_history
        self.setText(other.text())
        return True

    def redo(self):
        for nid, w in self.new_weights.items():
            self.doc.graph.set_weights(nid, w)
        if self.new_history is not None:
            _runs(self.doc).assign(self.new_history)

    def undo(self):
        for nid, w in self.old_weights.items():
            self.doc.graph.set_weights(nid, w)
        if self.new_history is not None:
            _runs(self.doc).assign(self.old_history)


class RunHistoryCommand(QUndoCommand):
    """Replace the run history (delete runs, change the limits); undo brings the old one back whole."""

    def __init__(self, doc, new: RunHistory, text: str):
        super().__init__(text)
        self.doc = doc
        self.old, self.new = _runs(doc).copy(), new

    def redo(self):
        _runs(self.doc).assign(self.new)

    def undo(self):
        _runs(self.doc).assign(self.old)


def record_run(doc, info: dict, outcome) -> Run:
    """Push a finished run's history entry and final weights (one undo step with any weights shown while it
    was paused: ``info["token"]`` ties them); returns the run as stored. ``info`` is what the panel noted
    at the start: settings, start weights and digest, fingerprint, start time, replay_of."""
    res = outcome.result
    nan = res.stopped == "nan"
    end = None if nan else outcome.weights
    cm = None
    if getattr(outcome, "predictions", None) is not None:
        pred, true = outcome.predictions
        cm = runs_core.confusion(pred, true, 2 if outcome.dataset.binary else outcome.dataset.num_classes)
    epochs = {k: v for k, v in res.history.items() if k in runs_core.EPOCH_KEYS}
    run = runs_core.make_run(0, info["started"], res.seconds, {**info["settings"], "seed": outcome.seed},
                             outcome.seed, info["fingerprint"], info["start_digest"],
                             None if nan else runs_core.weights_digest(end), outcome.steps,
                             outcome.batches.get("loss", []), outcome.batches.get("accuracy", []), epochs,
                             res.test_loss, res.test_accuracy, cm, res.stopped, info["replay_of"])
    number = _runs(doc).next_number
    text = f"Training run #{number}" + (f" (replay of #{info['replay_of']})" if info["replay_of"] else "")
    # a network changed during the run (a drive typed 16 filters into a 32-filter layer while it trained) is left
    # as the user made it: the run's weights go to its history entry only, never into layers of another shape
    kept = None if network_changed(doc, info) else end
    doc.push(TrainingRunCommand(doc, info["token"], kept, text, run, info["start"], end, discard_paused=nan))
    return _runs(doc).get(number) or run


def network_changed(doc, info: dict) -> bool:
    """Whether the network is no longer the one the run started with (its layers, parameters or wiring)."""
    return runs_core.fingerprint(doc.graph) != info["fingerprint"]


def paused_outcome(p: dict, epoch: int, where: str):
    """What See inside shows of a paused run (``p``: the worker's pause report): its model after the last batch."""
    from ..backend.session import Outcome  # plain Python: no Keras import
    from ..backend.training import TrainResult
    return Outcome(p["model"], TrainResult(epoch, "paused", f"Paused {where}."), p["weights"], p["data"],
                   p["dataset"])
