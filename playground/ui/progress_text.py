"""The Train panel's batch counter and progress-bar texts: plain functions of a run's numbers."""

from __future__ import annotations

import math

from ..core.words import count


def eta(seconds: float) -> str:
    """m:ss, or a dash for a time not known yet."""
    return f"{int(seconds + 0.5) // 60}:{int(seconds + 0.5) % 60:02d}" if math.isfinite(seconds) and seconds >= 0 \
        else "\u2013"


def counter(done: int, steps: int, epochs: int) -> str:
    """Where a run is: "batch 12 of 71 · epoch 1 of 3 · 12 batches trained"."""
    steps = max(steps, 1)
    epoch = min((done - 1) // steps + 1, epochs) if done else 1
    return (f"batch {done - (epoch - 1) * steps if done else 0} of {steps} \u00b7 epoch {epoch} of {epochs} \u00b7 "
            f"{count(done, 'batch', 'batches')} trained")


# how a run ended, as the bar's last word (TrainResult.stopped)
ENDS = {"finished": "finished", "stopped": "stopped", "early": "stopped early", "nan": "stopped: NaN (not a number)"}


def bar(epoch: int, batch: int, steps: int, epochs: int, loss: float, state: str | None,
        seconds_left: float = math.nan) -> str:
    """The progress bar's text after a batch (0-based ``epoch`` and ``batch``): the time left while it runs, else
    its ``state`` ("paused", "stepping", "stopped", "finished"): a paused or stepped run's time left says nothing."""
    shown = f"{loss:.4f}" if abs(loss) < 1e4 else f"{loss:.3g}"  # (3e30 in 35 digits ran past the bar)
    return (f"epoch {epoch + 1}/{epochs} \u00b7 batch {batch + 1}/{steps} \u00b7 loss {shown} \u00b7 " +
            (state or f"ETA {eta(seconds_left)}"))


def paused_at(epoch: int, batch: int, steps: int) -> str:
    """Where a paused run stands: 'after batch 3 of 50 in epoch 2', 'after epoch 1', 'before the first batch'."""
    return (f"after batch {batch} of {steps} in epoch {epoch + 1}" if batch else
            f"after epoch {epoch}" if epoch else "before the first batch")
