"""The Train workspace's Run box: Start, Stop, Pause/Resume, Step one batch, the batch counter, the progress bar,
the run's status (Ready, or why Start is off, kept current while nothing else is said) and the device."""

from __future__ import annotations

from html import escape as esc

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout

from . import progress_text
from .theme import LinesLabel

READY = "Ready. Training runs in the background; the window stays responsive."
RED = "#D64541"


class RunBox(QGroupBox):
    """The run's buttons and what the run is doing; the panel drives them."""

    def __init__(self):
        super().__init__("Run")
        self.start_btn = QPushButton("\u25b6  Start (F5)")
        self.start_btn.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        self.stop_btn = QPushButton("\u25a0  Stop (Esc)")
        self.pause_btn = QPushButton("\u275a\u275a  Pause (Space)")
        self.pause_btn.setToolTip("Pause after the batch in progress (Space or F6); the plots, weights and See "
                                  "inside then show the state after that batch.")
        self.step_btn = QPushButton("Step one batch (F7)")
        self.step_btn.setToolTip("While paused: train exactly one more batch, then pause again.")
        for idle in (self.stop_btn, self.pause_btn, self.step_btn):  # until a run starts
            idle.setEnabled(False)
        self.counter = LinesLabel("", lines=1)  # batches trained in this run: stops while paused
        self.counter.setStyleSheet("color: gray;")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        # room for the run's messages (up to 3 lines) and the counter, always: the curves below keep their place
        self.status = LinesLabel(READY, lines=3)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)  # every message is escaped: "run #1's", never "run #1&#x27;s"
        self.idle_text = READY  # the status while nothing else is said
        self.device = QLabel("Device: chosen when training starts (Keras loads then).")
        self.device.setStyleSheet("color: gray;")
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)  # buttons whole: the data box gives
        rl = QVBoxLayout(self)
        bl = QGridLayout()  # two rows: the panel stays narrow enough to share the window with the canvas
        for i, button in enumerate((self.start_btn, self.stop_btn, self.pause_btn, self.step_btn)):
            bl.addWidget(button, i // 2, i % 2)
        bl.setColumnStretch(2, 1)
        rl.addLayout(bl)
        for widget in (self.counter, self.progress, self.status, self.device):
            rl.addWidget(widget)

    def say(self, html: str, red: bool = False) -> None:
        """A message about the run (escaped by the caller), in red for a refusal or a failure."""
        self.status.setText(f"<span style='color:{RED}'>{html}</span>" if red else html)

    def show_idle(self, problem: str | None, red: bool = False) -> None:
        """Ready, or why Start is off (red once F5 was refused); ``refresh`` keeps it current."""
        text = READY if problem is None else f"Start is off. {esc(problem)}"
        self.say(text, red and problem is not None)
        self.idle_text = self.status.text()

    def refresh(self, problem: str | None) -> None:
        """The network or the data changed: an idle status follows (a run's own message stays)."""
        if self.status.text() == self.idle_text:
            self.show_idle(problem, red=RED in self.idle_text)

    def clear_bar(self) -> None:
        self.counter.setText("")
        self.progress.setValue(0)
        self.progress.setFormat("%p%")

    def show_end(self, run) -> None:
        """The count and the bar where ``run`` ended (after Stop, not "20%"; after Ctrl+Y brought it back, not 0)."""
        n, steps, epochs = len(run.batch_loss), max(run.steps, 1), int(run.settings.get("epochs", 1))
        self.counter.setText(progress_text.counter(n, steps, epochs))
        if n:
            (e, b), end = divmod(n - 1, steps), progress_text.ENDS.get(run.stopped, run.stopped)
            self.progress.setValue(1000 if run.stopped == "finished" else int(1000 * (e + (b + 1) / steps) / epochs))
            self.progress.setFormat(progress_text.bar(e, b, steps, epochs, float(run.batch_loss[-1]), end))
