"""The Train workspace's settings form: optimizer, learning rate, schedule, batch size, epochs, validation
split, early stopping, the seed and where a run starts (current or fresh weights). Every accepted change is one
document setting (one undo step; typing in one field merges); a value the backend's rules refuse stays in its
field with a red message."""

from __future__ import annotations

import secrets

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton

from ..core.errors import PlaygroundError
from .escape_keys import PutBackOnEscape
from .number_box import FloatBox, IntBox, NumberLine, number_problem, whole_number, whole_number_problem

OPTIMIZERS = (("adam", "Adam"), ("sgd", "SGD with momentum 0.9"), ("rmsprop", "RMSprop"), ("adagrad", "Adagrad"))
MAX_SEED_BOX = 2 ** 31 - 1  # a QSpinBox holds a signed 32-bit int


class TrainSettingsForm(QGroupBox):
    def __init__(self, doc, parent=None):
        super().__init__("Settings", parent)
        self.doc = doc
        self.extra: dict = {}  # settings without a field here (loss; a seed the box cannot show)
        self.optimizer = QComboBox()
        for key, label in OPTIMIZERS:
            self.optimizer.addItem(label, key)
        self.lr = NumberLine()
        self.lr.setToolTip("Step size of each update; 0.001 suits Adam, 0.01-0.1 suits SGD.")
        self.schedule = QComboBox()
        self.schedule.addItem("constant", "constant")
        self.schedule.addItem("cosine decay to 0", "cosine")
        self.schedule.setToolTip("Cosine lowers the learning rate smoothly to 0 by the last batch; it often "
                                 "gains a little accuracy in short runs.")
        # boxes that keep what is typed and say why it is refused (a QSpinBox dropped the keystrokes it could not
        # use: 2.5 typed as epochs became 25, 99999999999 was cut to 7 digits, a split of 0.123 became 0.12)
        self.batch = IntBox()
        self.epochs_box = IntBox()
        self.val_split = FloatBox()
        self.val_split.setRange(-10, 10)
        self.val_split.setSingleStep(0.05)
        self.patience = IntBox()
        for box in (self.batch, self.epochs_box, self.patience):
            box.setRange(-(2 ** 31 - 1), 2 ** 31 - 1)  # the setting's rule decides, nothing is clamped
        self.patience.setSpecialValueText("off")
        self.patience.setToolTip("Stop when validation loss has not improved for this many epochs (0 = off).")
        self.seed = IntBox()
        self.seed.setRange(0, MAX_SEED_BOX)
        self.seed.setToolTip("The same network, starting weights, data, settings and seed train the same way, bit "
                             "for bit (see Replay in the runs table). Change it to see how much a run owes to "
                             "chance.")
        self.start_from = QComboBox()
        self.start_from.addItem("current weights (continue)", "current")
        self.start_from.addItem("fresh weights (from the seed)", "fresh")
        self.start_from.setToolTip("Where the next run starts. Current: from the weights the network holds now, so "
                                   "a second run continues the first. Fresh: new random weights from the seed for "
                                   "every trainable layer (frozen layers keep theirs), so two runs that differ in "
                                   "one setting compare fairly.")
        self.new_seed_btn = QPushButton("New")
        self.new_seed_btn.setToolTip("Draw a new random seed (one undo step).")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_seed_btn)
        self.settings_msg = QLabel()
        self.settings_msg.setStyleSheet("color: #D64541;")
        self.settings_msg.setWordWrap(True)
        self.settings_msg.hide()
        form = QFormLayout(self)
        form.addRow("optimizer", self.optimizer)
        form.addRow("learning rate", self.lr)
        form.addRow("rate schedule", self.schedule)
        form.addRow("batch size", self.batch)
        form.addRow("epochs", self.epochs_box)
        form.addRow("validation split", self.val_split)
        form.addRow("early stopping", self.patience)
        form.addRow("seed", seed_row)
        form.addRow("start from", self.start_from)
        self.devices = IntBox()
        self.devices.setRange(-(2 ** 31 - 1), 2 ** 31 - 1)  # the rule decides, nothing is clamped
        self.devices.setToolTip("Data-parallel training over this many devices (GPUs); each batch is split "
                                "between them. 1 = one device. The batch size must divide evenly.")
        form.addRow("devices", self.devices)
        form.addRow(self.settings_msg)

        # view -> document: each accepted change is one undo step (typing in one field merges)
        self.optimizer.currentIndexChanged.connect(lambda _: self.edit("optimizer", self.optimizer.currentData()))
        self.schedule.currentIndexChanged.connect(lambda _: self.edit("lr_schedule", self.schedule.currentData()))
        self.lr.textEdited.connect(self._on_lr_typed)
        self.lr.editingFinished.connect(self._on_lr_done)
        self._before: dict[str, object] = {}  # a field's setting when its typing began: back to it if refused
        self._visit = 0  # one undo step per visit to a field (two visits to epochs were one step)
        for box, key, label in ((self.batch, "batch_size", "batch size"), (self.epochs_box, "epochs", "epochs"),
                                (self.patience, "early_stopping", "early stopping"), (self.seed, "seed", "seed"),
                                (self.devices, "devices", "devices"), (self.val_split, "validation_split",
                                                                       "validation split")):
            box.valueChanged.connect(lambda v, key=key, box=box: self.edit(key, v, box))
            box.refused.connect(lambda text, key=key, label=label, box=box: self._refused(key, label, box, text))
            box.editingFinished.connect(lambda key=key: self._end_visit(key))
        self._keys = {self.batch: "batch_size", self.epochs_box: "epochs", self.patience: "early_stopping",
                      self.seed: "seed", self.devices: "devices", self.val_split: "validation_split",
                      self.lr: "learning_rate"}
        self._escape = PutBackOnEscape(self, self._keys.get, lambda key: key in self._before or getattr(
            self._field(key), "refusing", False) or (key == "learning_rate" and self.settings_msg.isVisible()),
            lambda key: self._put_back(self._field(key), key))
        for field in self._keys:
            field.installEventFilter(self._escape)
        self.start_from.currentIndexChanged.connect(lambda _: self.edit("start_weights", self.start_from.currentData()))
        self.new_seed_btn.clicked.connect(self._new_seed)

    def _field(self, key: str):
        return next(f for f, k in self._keys.items() if k == key)

    def _put_back(self, field, key: str) -> None:
        if key in self._before:  # merged into the typing's step, which then goes from the undo stack
            self.doc.set_setting("training", key, self._before.pop(key), self._visit)
        self.settings_msg.hide()
        if field is self.lr:
            self.lr.setText(f"{self.doc.training.get('learning_rate', 0.001):g}")
            return
        field.refusing = False
        self.load(self.doc.training)
        field.show_value(field.value())

    def edit(self, key: str, value, box=None) -> bool:
        """Push one setting as typed; an invalid value stays in its field, red, and the setting is what it was when
        the field's typing began (the last valid prefix stayed: 99999999999 typed as epochs left 99,999)."""
        from .document import SettingError
        before = self.doc.training.get(key)
        try:
            self.doc.set_setting("training", key, value, self._visit)
        except SettingError as exc:
            self._refuse(key, box, str(exc))
            return False
        if self.doc.training.get(key) != before:
            self._before.setdefault(key, before)
        self.settings_msg.hide()
        return True

    def _end_visit(self, key: str) -> None:
        self._before.pop(key, None)
        self._visit += 1

    def _refused(self, key: str, label: str, box, text: str) -> None:
        value = whole_number(text) if isinstance(box, IntBox) else None  # past the box: the rule names it
        if value is not None:
            self.edit(key, value, box)
        else:
            self._refuse(key, box, (whole_number_problem if isinstance(box, IntBox) else number_problem)(label, text))

    def _refuse(self, key: str, box, message: str) -> None:
        """``message`` under the form; ``box`` keeps its entry, red, until a valid one or Ctrl+Z takes it back."""
        if box is not None:  # (also a number the box holds but the rule refuses: 999999 epochs)
            box.refusing = True
            box.setProperty("discard", lambda: (box.show_value(self.doc.training.get(key, box.value())),
                                                self.settings_msg.hide()))
        self._say_refused(key, message)

    def _say_refused(self, key: str, message: str) -> None:
        from .field_text import plain_message  # noqa: PLC0415
        self.settings_msg.setText(plain_message(message))
        self.settings_msg.show()
        if key in self._before and self.doc.training.get(key) != self._before[key]:
            self.doc.set_setting("training", key, self._before[key], self._visit)  # (merges back into nothing)

    def _new_seed(self) -> None:
        # a step of its own: not merged with typing in the seed box just before
        from .document import SettingError
        try:
            self.doc.set_settings("training", {"seed": secrets.randbelow(MAX_SEED_BOX + 1)}, "New seed")
        except SettingError as exc:
            self.settings_msg.setText(str(exc))
            self.settings_msg.show()

    def _on_lr_typed(self, text: str) -> None:
        try:
            value = float(text)
        except ValueError:
            value = text
        self.edit("learning_rate", value)

    def _on_lr_done(self) -> None:
        self._end_visit("learning_rate")
        if not self.settings_msg.isVisible():
            self.lr.setText(f"{self.doc.training.get('learning_rate', 0.001):g}")

    def load(self, s: dict) -> None:
        """Show the document's settings (model -> view: signals blocked, nothing echoes as an edit)."""
        widgets = (self.optimizer, self.lr, self.schedule, self.batch, self.epochs_box, self.val_split,
                   self.patience, self.seed, self.devices, self.start_from)
        for w in widgets:
            w.blockSignals(True)
        try:
            self._load(s)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _load(self, s: dict) -> None:
        self.optimizer.setCurrentIndex(max(self.optimizer.findData(s.get("optimizer", "adam")), 0))
        lr = s.get("learning_rate", 0.001)
        if not (self.lr.hasFocus() and self.settings_msg.isVisible()):  # keep what the user is fixing
            try:
                current = float(self.lr.text())
            except ValueError:
                current = None
            if current != lr:
                self.lr.setText(f"{lr:g}")
        self.schedule.setCurrentIndex(max(self.schedule.findData(s.get("lr_schedule", "constant")), 0))
        for box, value in ((self.batch, int(s.get("batch_size", 128))), (self.epochs_box, int(s.get("epochs", 3))),
                           (self.val_split, float(s.get("validation_split", 0.1))),
                           (self.patience, int(s.get("early_stopping", 0))),
                           (self.devices, int(s.get("devices", 1) or 1)),
                           (self.seed, 0 if s.get("seed") is None else min(int(s["seed"]), MAX_SEED_BOX))):
            # only a value that differs: setValue rewrites the text, so a box the user is typing in would turn
            # "0." into "0.00" with the cursor after the 0, and "0.25" typed would end as 0.00
            if box.value() != value and not box.refusing:  # (a refused entry stays, red)
                box.setValue(value)
        self.start_from.setCurrentIndex(max(self.start_from.findData(s.get("start_weights", "current")), 0))
        seed = s.get("seed", 0)
        self.extra = {k: v for k, v in s.items() if k in ("loss",)}
        if seed is None or seed > MAX_SEED_BOX:  # none (a new seed each run) or beyond the box: kept as it is
            self.extra["seed"] = seed

    def values(self, dataset, strict: bool = True) -> dict | None:
        """The settings as typed; with ``strict``, validated by the backend's rules (a red message if not)."""
        try:
            lr = float(self.lr.text())
        except ValueError:
            lr = self.lr.text()
        s = {"dataset": dataset, "optimizer": self.optimizer.currentData(), "learning_rate": lr,
             "lr_schedule": self.schedule.currentData(), "batch_size": self.batch.value(),
             "epochs": self.epochs_box.value(), "validation_split": self.val_split.value(),
             "early_stopping": self.patience.value(), "seed": self.seed.value(), "devices": self.devices.value(),
             "start_weights": self.start_from.currentData(),
             **self.extra}
        if not strict:
            if not isinstance(s["learning_rate"], float):
                s["learning_rate"] = self.doc.training.get("learning_rate", 0.001)
            return s
        from ..backend.training import TrainConfig  # plain Python until train() runs
        for key, label, box in (("batch_size", "batch size", self.batch), ("epochs", "epochs", self.epochs_box),
                                ("validation_split", "validation split", self.val_split),
                                ("early_stopping", "early stopping", self.patience), ("seed", "seed", self.seed),
                                ("devices", "devices", self.devices)):
            text = box.lineEdit().text()
            if not box.refusing:
                continue
            if not _a_number(text):  # red, no value: the old one must not train (a drive typed "abc")
                self.settings_msg.setText((whole_number_problem if isinstance(box, IntBox) else number_problem)(
                    label, text))
                self.settings_msg.show()
                return None
            s[key] = whole_number(text) if whole_number(text) is not None else float(text)  # the rules name it
        try:
            TrainConfig.from_settings(s)
        except PlaygroundError as exc:
            from .field_text import plain_message  # noqa: PLC0415 - (Start put the backquotes back: a drive)
            self.settings_msg.setText(plain_message(str(exc)))
            self.settings_msg.show()
            return None
        self.settings_msg.hide()
        return s


def _a_number(text: str) -> bool:
    try:
        float(text.strip())
        return True
    except ValueError:
        return False
