"""The training and logic-lab settings: one schema each (names, types, defaults, ranges, help).

The project loader, the CLI, the train panel and the backend all read ``TrainConfig`` and ``LogicConfig``;
no other module re-states a default or a range. Every value is checked on the way in (``from_dict``) and
before it is used (``validate``): numbers must be finite, whole numbers whole, choices known, and a bad
value raises ``SettingsError`` naming the field path and the value received.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import SettingsError
from .logic import GATES
from .registry import ParamSpec
from .words import short as _short  # one cut for every value a message names

OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad")
SCHEDULES = ("constant", "cosine")
STARTS = ("current", "fresh")
LOSSES = ("auto", "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy", "mse")
MAX_SEED = 2 ** 32 - 1  # numpy's and TensorFlow's seeds are unsigned 32-bit


Setting = ParamSpec  # one validator for layer parameters and settings: see ParamSpec.validate




TRAINING: tuple[Setting, ...] = (
    Setting("dataset", "text", "mnist-sample", "A dataset name (see `playground datasets`) or a .npz, .csv or "
            "image-folder path."),
    Setting("optimizer", "choice", "adam", "How the weights move: sgd, adam, rmsprop or adagrad.",
            choices=OPTIMIZERS),
    Setting("learning_rate", "float", 0.001, "Step size of each update (any finite number > 0: a huge one is "
            "how you see a loss turn NaN).", 0.0, None, min_exclusive=True),
    Setting("lr_schedule", "choice", "constant", "constant, or cosine: decays the rate to 0 by the end.",
            choices=SCHEDULES),
    Setting("momentum", "float", 0.9, "SGD only: how much of the previous step carries over.", 0.0, 1.0),
    Setting("loss", "choice", "auto", "auto picks cross-entropy for the dataset's labels.", choices=LOSSES),
    Setting("batch_size", "int", 128, "Examples per update.", 1, 65_536),
    Setting("epochs", "int", 3, "Passes over the training set.", 1, 100_000),
    Setting("validation_split", "float", 0.1, "Fraction of the training set held out to validate.", 0.0, 1.0,
            max_exclusive=True),
    Setting("early_stopping", "int", 0, "Stop after this many epochs without improvement (0 = off).", 0, 10_000),
    Setting("start_weights", "choice", "current", "Where a run starts: current continues from the weights the "
            "network holds (trained, pretrained or hand-set); fresh draws new weights from the seed for every "
            "trainable layer (frozen layers keep theirs), so runs compare fairly.", choices=STARTS),
    Setting("seed", "int", 0, "Random seed for weights and shuffling (none = a new start each run).", 0, MAX_SEED,
            optional=True),
    Setting("devices", "int", 1, "Data-parallel training over this many devices (1 = one device).", 1, 1024),
    Setting("backend", "choice", None, "The Keras backend to train on (none = the app's choice).",
            choices=("tensorflow", "jax", "torch"), optional=True),
    Setting("tensorboard_dir", "text", None, "Write TensorBoard logs to this folder (none = off).",
            optional=True, saved=False),
)
TRAINING_BY_NAME = {s.name: s for s in TRAINING}


def _check_keys(data: Any, table: dict[str, Setting], where: str) -> None:
    if not isinstance(data, dict):
        raise SettingsError(f"`{where or 'settings'}` must be an object of name: value pairs. "
                            f"Received {_short(data)}.")
    for key in data:
        if key not in table:
            shown = key if isinstance(key, str) and key.isprintable() and len(key) <= 60 else _short(key)
            raise SettingsError(f"`{where + '.' if where else ''}{shown}` is not a setting; "
                                f"known: {', '.join(table)}.", str(key))


@dataclass
class TrainConfig:
    """Everything the user sets for one training run. Field docs: ``TRAINING``."""

    dataset: str = "mnist-sample"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    lr_schedule: str = "constant"
    momentum: float = 0.9
    loss: str = "auto"
    batch_size: int = 128
    epochs: int = 3
    validation_split: float = 0.1
    early_stopping: int = 0
    start_weights: str = "current"
    seed: int | None = 0
    devices: int = 1
    backend: str | None = None
    tensorboard_dir: str | None = None

    def validate(self, where: str = "") -> "TrainConfig":
        """Check every field (finite numbers, ranges, choices); returns self, canonicalised."""
        for s in TRAINING:
            setattr(self, s.name, s.validate(getattr(self, s.name), where))
        return self

    check = validate  # the backend's older name

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> "TrainConfig":
        """Defaults for missing keys; SettingsError for an unknown key or a bad value."""
        _check_keys(data, TRAINING_BY_NAME, where)
        cfg = cls()
        for key, value in data.items():
            setattr(cfg, key, TRAINING_BY_NAME[key].validate(value, where))
        return cfg.validate(where)

    from_settings = from_dict

    def to_dict(self, include_run: bool = False) -> dict:
        """The settings a project saves (``include_run`` adds the per-run ones such as tensorboard_dir)."""
        return {s.name: getattr(self, s.name) for s in TRAINING if s.saved or include_run}


def training_rows(n: int, validation_split: float) -> int:
    """How many of ``n`` examples train when ``validation_split`` is held out, by Keras' own rule: the first
    floor(n * (1 - split)) (``train_validation_split`` in Keras' array slicing). ``n - int(n * split)`` kept one
    more whenever n * split is not whole: 569 rows at 0.1 gave 513, Keras 512, and at batch 128 a fifth step
    that does not exist."""
    return int(math.floor(n * (1.0 - validation_split))) if validation_split else n


def default_training() -> dict:
    """The settings of a new project."""
    return TrainConfig().to_dict()


# ------------------------------------------------------------------ logic lab

GATE_NAMES = tuple(GATES)
MAX_TARGET_ROWS = 1024  # the logic lab takes 1 to 10 input bits
LOGIC_TARGET = Setting("target", "choice", None, "A gate name, a list of 0/1 values (one per truth-table row), "
                       "or none.", choices=GATE_NAMES, optional=True)


@dataclass
class LogicConfig:
    """The logic lab's target: a gate name, a custom 0/1 column (one per truth-table row), or none."""

    target: str | list[int] | None = None

    def validate(self, where: str = "logic") -> "LogicConfig":
        t = self.target
        path = f"{where}.target" if where else "target"
        if t is None or (isinstance(t, str) and t in GATE_NAMES):
            return self
        if isinstance(t, list):
            n = len(t)
            if not 2 <= n <= MAX_TARGET_ROWS or n & (n - 1):
                raise SettingsError(f"`{path}` must list one 0/1 value per truth-table row (2, 4, 8 ... "
                                    f"{MAX_TARGET_ROWS} values). Received {n} values.", "target")
            for i, v in enumerate(t):
                if isinstance(v, bool) or v not in (0, 1) or not isinstance(v, int):
                    raise SettingsError(f"`{path}[{i}]` must be 0 or 1. Received {path}[{i}]={_short(v)}.",
                                        "target")
            return self
        raise SettingsError(f"`{path}` must be one of {', '.join(map(repr, GATE_NAMES))} or a list of 0/1 "
                            f"values. Received {path}={_short(t)}.", "target")

    @classmethod
    def from_dict(cls, data: Any, where: str = "logic") -> "LogicConfig":
        _check_keys(data, {"target": LOGIC_TARGET}, where)
        target = data.get("target")
        return cls(list(target) if isinstance(target, list) else target).validate(where)

    def to_dict(self) -> dict:
        return {} if self.target is None else {"target": list(self.target) if isinstance(self.target, list)
                                              else self.target}


__all__ = ["Setting", "TRAINING", "TrainConfig", "LogicConfig", "default_training", "OPTIMIZERS", "SCHEDULES",
           "LOSSES", "MAX_SEED"]
