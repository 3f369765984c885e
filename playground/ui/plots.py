"""Live training curves: pyqtgraph curves over growing numpy buffers, redrawn at most 5 times a second
(when the worker's chunk of batches arrives: ``TrainPanel._on_batches``; the timer serves other callers).

Why 5 and not 30: every frame repaints both plots and has Qt flush the window, 2-3 ms of the GUI thread in the
app's window on the 2-core development machine even with the cheap curves below; that CPU is taken from
training (benchmarks/training_overhead.py: the GUI thread's CPU in a short fit went from about 0.21 s to 0.14 s,
measured in the thread), and a curve growing 5 times a second still reads as live.

Each curve is drawn from a preallocated buffer that doubles when full; a redraw calls ``setData`` only for
buffers that changed. The four per-batch curves are bare PlotCurveItems: the raw ones fed through
``peak_decimate`` (at most MAX_POINTS points, keeping each bin's low and high), the smoothed ones through
every k-th point (SMOOTH_POINTS). PlotDataItem's own downsampling and clip-to-view machinery cost about 1 ms per
curve per frame, three times the drawing itself, and with the x axis fixed to the run every point is in view
anyway.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView, QHBoxLayout, QWidget

REDRAW_MS = 200
# Points per drawn batch curve: about two per horizontal pixel of a plot (each of the two gets ~500 px of a
# 1480-pixel-wide window). Drawing costs grow with points: 2,000 points in four curves took ~10 ms a frame,
# a third of a core at 10 frames a second late in a 3-epoch MNIST run (benchmarks/training_overhead.py --mnist).
MAX_POINTS = 1000
VALIDATION_LABEL = "epoch (validation)"  # its legend entry: listed only while the run shown has validation points
SMOOTH_POINTS = 400  # the smoothed curves are smooth: fewer points draw the same line (their 2-px pen costs more)


def peak_decimate(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` points that keep the curve's envelope: for each bin of consecutive points,
    its lowest and highest value (what the eye sees of a noisy per-batch loss), plus the unbinned tail."""
    n = len(x)
    if n <= max_points:
        return x, y
    k = -(-n // (max_points // 2))  # points per bin
    m = n // k
    bins = y[:m * k].reshape(m, k)
    xs = np.repeat(x[:m * k:k], 2)
    ys = np.empty(2 * m)
    ys[0::2] = bins.min(axis=1)
    ys[1::2] = bins.max(axis=1)
    return np.concatenate([xs, x[m * k:]]), np.concatenate([ys, y[m * k:]])


# Earlier runs' colours: none close to the live curves' (loss orange, accuracy blue, epoch green, validation
# purple); each has a contrast of at least 2.1:1 on the light card and on the dark one (the old navy had 1.2:1 there)
OVERLAY_COLOURS = ("#C0392B", "#D4AC0D", "#E84393", "#00ACC1", "#8D6E63", "#7F8C8D", "#1ABC9C", "#F06292")


class Buffer:
    """An append-only (x, y) series in a numpy array that doubles when full."""

    def __init__(self, capacity: int = 1024):
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0
        self.dirty = False

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.concatenate([self.x, np.empty(len(self.x))])
            self.y = np.concatenate([self.y, np.empty(len(self.y))])
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1
        self.dirty = True

    def clear(self) -> None:
        self.n = 0
        self.dirty = True


LEGEND_ONE_COLUMN_FROM = 320  # px of plot height: below it the legend takes two entries a row


class TrainingPlots(QWidget):
    """Loss and accuracy: per batch (raw, faint), smoothed, and per epoch (train and validation)."""

    SERIES = ("batch_loss", "smooth_loss", "epoch_loss", "val_loss",
              "batch_acc", "smooth_acc", "epoch_acc", "val_acc")

    def __init__(self, parent=None, smoothing: float = 0.9):
        super().__init__(parent)
        self.smoothing = smoothing
        self.live_smoothing = smoothing  # this run's (begin)
        self.buffers = {k: Buffer() for k in self.SERIES}
        self._ema = {"loss": None, "acc": None}
        self.curves: dict = {}
        self.loss_top = 0.0
        self.epochs = None  # set by begin(): axes fixed for the run
        self.loss_plot = self.acc_plot = None  # built on first show: start-up never pays for them
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.redraws = 0
        self.overlays: list = []  # curves of earlier runs (show_runs)
        self.overlaid: list[int] = []  # their run numbers
        self.live_run: int | None = None  # the finished run the live curves show (the panel sets it)
        self._pending_runs: list = []  # runs to overlay once the plots exist (show_runs before the first show)
        self.running = False  # a run in progress owns the axes
        self._frame = None  # (right, top) of the runs overlaid: the axes between runs

    def showEvent(self, event):
        self.ensure_widgets()
        super().showEvent(event)
        self.fit_legends()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_legends()

    def fit_legends(self) -> None:
        """Two entries a row where a plot is short: one a row took 106 of a 127 px plot at 1280x720."""
        if self.loss_plot is None:
            return
        for plot in (self.loss_plot, self.acc_plot):
            legend = plot.getPlotItem().legend
            legend.setColumnCount(2 if plot.height() < LEGEND_ONE_COLUMN_FROM else 1)
            # but one column where two would be wider than the plot (two runs overlaid at 1280x720: its left
            # column was cut off at the plot's edge)
            if legend.columnCount > 1 and legend.layout.preferredWidth() > plot.getPlotItem().getViewBox().width() - 12:
                legend.setColumnCount(1)
        self.place_legends()

    def place_legends(self) -> None:
        """Each legend in the corner of its plot where it covers the fewest points of the curves drawn: the loss's
        top right and the accuracy's bottom right while they tie (a falling loss, a rising accuracy), another
        corner where the curves are there (two runs overlaid whose loss stayed high covered the top right)."""
        if self.loss_plot is None:
            return
        for plot, first in ((self.loss_plot, (1, 0)), (self.acc_plot, (1, 1))):
            item = plot.getPlotItem()
            vb, legend = item.getViewBox(), item.legend
            (x0, x1), (y0, y1) = vb.viewRange()
            w, h = vb.width(), vb.height()
            if w <= 0 or h <= 0 or x1 <= x0 or y1 <= y0:
                continue
            xs, ys = [], []
            for data in item.listDataItems():
                if data.isVisible():
                    x, y = data.getData()
                    if x is not None and len(x):
                        xs.append((np.asarray(x, float) - x0) / (x1 - x0) * w)
                        ys.append((y1 - np.asarray(y, float)) / (y1 - y0) * h)
            px, py = (np.concatenate(xs), np.concatenate(ys)) if xs else (np.empty(0), np.empty(0))
            lw, lh = legend.boundingRect().width(), legend.boundingRect().height()

            def covered(corner) -> int:
                left = w - lw - 10 if corner[0] else 10
                top = h - lh - 10 if corner[1] else 10
                return int(np.count_nonzero((px >= left) & (px <= left + lw) & (py >= top) & (py <= top + lh)))
            corners = [first] + [c for c in ((1, 0), (1, 1), (0, 1), (0, 0)) if c != first]
            cx, cy = min(corners, key=covered)  # (min keeps the first of a tie)
            legend.anchor(itemPos=(cx, cy), parentPos=(cx, cy), offset=(-10 if cx else 10, -10 if cy else 10))

    def ensure_widgets(self) -> None:
        if self.loss_plot is not None:
            return
        from .theme import card_colours, legend_brush
        colours = card_colours()
        self.loss_plot = pg.PlotWidget(title="Loss", background=colours["card"])
        self.acc_plot = pg.PlotWidget(title="Accuracy", background=colours["card"])
        for plot in (self.loss_plot, self.acc_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(colours["text"])
                plot.getAxis(axis).setPen(colours["muted"])
        def faint(r, g, b, alpha=70):
            """The colour at ``alpha`` over the plot's background, as an opaque colour: an opaque thin curve
            is drawn as line segments, several times cheaper than a translucent path."""
            bg = colours["card"]
            a = alpha / 255
            return tuple(round(c * a + o * (1 - a)) for c, o in zip((r, g, b), (bg.red(), bg.green(), bg.blue())))

        styles = {
            "batch_loss": pg.mkPen(faint(231, 131, 58), width=1), "smooth_loss": pg.mkPen("#E8833A", width=2),
            "batch_acc": pg.mkPen(faint(61, 123, 242), width=1), "smooth_acc": pg.mkPen("#3D7BF2", width=2),
        }
        for plot, kind in ((self.loss_plot, "loss"), (self.acc_plot, "acc")):
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", "loss" if kind == "loss" else "accuracy")
            # the loss as it is printed everywhere else (0.002), never pyqtgraph's "loss (x0.001)" over 2; epochs as
            # epochs (a run stopped early in its first epoch read "epoch (x0.001)" under ticks 0-200)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).enableAutoSIPrefix(False)
            # a fixed width: tick labels from "3" to "0.0005" would otherwise resize the plot (and redraw both
            # axes) whenever the loss axis moves
            plot.getAxis("left").setWidth(62)
            # no grid: pyqtgraph draws it from the axis items across the whole plot, so every new point
            # would repaint both axes and their tick labels (most of the redraw cost)
            # clear of the rising curve; on the card's colour, so a curve that runs under it leaves it readable
            # (the loss falls and the accuracy rises: the loss's legend sits top right, the accuracy's bottom right)
            plot.addLegend(offset=(-10, 10) if kind == "loss" else (-10, -10), brush=legend_brush(colours),
                           verSpacing=-6)
            for key, label in ((f"batch_{kind}", "batch"), (f"smooth_{kind}", "smoothed")):
                # the long per-batch curves are drawn without antialiasing: far cheaper, and thin anyway
                self.curves[key] = pg.PlotCurveItem(pen=styles[key], name=label, antialias=False,
                                                    skipFiniteCheck=True)
                self.curves[key].setSegmentedLineMode("on")  # line segments, not a path (see faint())
                plot.addItem(self.curves[key])
            self.curves[f"epoch_{kind}"] = plot.plot(pen=pg.mkPen("#2EAF62", width=2), symbol="o", symbolSize=7,
                                                     symbolBrush="#2EAF62", name="epoch (train)", antialias=True)
            self.curves[f"val_{kind}"] = plot.plot(pen=pg.mkPen("#9B59B6", width=2, style=pg.QtCore.Qt.DashLine),
                                                   symbol="s", symbolSize=7, symbolBrush="#9B59B6",
                                                   name=VALIDATION_LABEL, antialias=True)
        self.acc_plot.setYRange(0, 1.02)
        # What does not change while the curves grow is drawn from pixmaps: the legend, the axes (both
        # redrawn only when their content or range changes) and the view's background. A frame then costs
        # about a third less (benchmarks/training_overhead.py: the GUI thread's CPU is taken from training).
        for plot in (self.loss_plot, self.acc_plot):
            item = plot.getPlotItem()
            item.legend.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            for axis in ("left", "bottom"):
                item.getAxis(axis).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            plot.setCacheMode(QGraphicsView.CacheBackground)
        self.layout_.addWidget(self.loss_plot)
        self.layout_.addWidget(self.acc_plot)
        for buf in self.buffers.values():
            buf.dirty = True
        self.redraw()
        if self._pending_runs:
            runs, self._pending_runs = self._pending_runs, []
            self.show_runs(runs, getattr(self, "_pending_differs", None))

    def clear(self) -> None:
        for b in self.buffers.values():
            b.clear()
        self._ema = {"loss": None, "acc": None}
        self.loss_top = 0.0
        self.live_run = None
        self._show_live_smoothed(True)
        self.redraw()

    def begin(self, epochs: int, validation: bool = True, steps: int | None = None) -> None:
        """Fix the axes for a run of ``epochs``: a moving auto-range would regenerate and repaint the
        tick labels on every redraw, which costs more than the curves (and slows training on 2 cores).
        The legend lists the validation points only for a run that has them (``validation``); the smoothing
        follows the run's ``steps`` (batches an epoch: ``smoothing_for``)."""
        self.epochs = max(int(epochs), 1)
        self.live_smoothing = smoothing_for(steps, self.smoothing)
        self.loss_top = 0.0
        self.running = True
        self.ensure_widgets()
        self.live_run = None
        self._show_live_smoothed(True)
        for kind, plot in (("loss", self.loss_plot), ("acc", self.acc_plot)):
            legend, curve = plot.plotItem.legend, self.curves[f"val_{kind}"]
            listed = any(sample.item is curve for sample, _label in legend.items)
            if validation and not listed:
                legend.addItem(curve, VALIDATION_LABEL)
            elif listed and not validation:
                legend.removeItem(curve)
            plot.disableAutoRange()
            plot.setXRange(0, self.epochs, padding=0.02)
        self.acc_plot.setYRange(0, 1.02, padding=0)
        # the loss axis keeps its range until the first batches say how high this run's loss starts

    def _fit_loss_axis(self, tighten: bool = False) -> None:
        """Raise the loss axis only when the smoothed curve outgrows it; tighten it at epoch ends."""
        buf = self.buffers["smooth_loss"]
        if not buf.n or self.loss_plot is None:
            return
        recent = buf.y[max(0, buf.n - 200):buf.n]
        peak = float(recent.max()) if tighten else float(buf.y[buf.n - 1])
        if peak != peak or peak == float("inf"):
            return
        if peak > self.loss_top or (tighten and peak * 1.3 < self.loss_top):
            self.loss_top = peak * 1.25 if peak > 0 else 1.0
            self.loss_plot.setYRange(0, self.loss_top, padding=0)

    def frame_whole_loss(self, whole: bool) -> None:
        """Paused (``whole``): the loss axis as tall as the whole run's smoothed loss, its start included (a drive
        paused to study the curves and found them cut at 0.25: the epoch ends had tightened the axis to the last
        200 batches); resumed: tightened again, to follow the run."""
        buf = self.buffers["smooth_loss"]
        if self.loss_plot is None or not buf.n:
            return
        if not whole:
            self._fit_loss_axis(tighten=True)
            return
        y = buf.y[:buf.n]
        y = y[np.isfinite(y)]
        if len(y) and float(y.max()) > 0:
            self.loss_top = float(y.max()) * 1.1
            self.loss_plot.setYRange(0, self.loss_top, padding=0)
            self.place_legends()

    def add_batch(self, x: float, loss: float, acc: float) -> None:
        """Cheap: append only. The timer draws."""
        self.buffers["batch_loss"].append(x, loss)
        self.buffers["batch_acc"].append(x, acc)
        w = self.live_smoothing
        for key, v in (("loss", loss), ("acc", acc)):
            total, n = self._ema[key] or (0.0, 0)
            total, n = w * total + (1 - w) * v, n + 1  # debiased, as ema()
            self._ema[key] = (total, n)
            self.buffers[f"smooth_{key}"].append(x, total / (1 - w ** n) if w else total)

    def add_epoch(self, x: float, logs: dict) -> None:
        for key, name in (("epoch_loss", "loss"), ("val_loss", "val_loss"), ("epoch_acc", "accuracy"),
                          ("val_acc", "val_accuracy")):
            if name in logs:
                self.buffers[key].append(x, logs[name])
        self._fit_loss_axis(tighten=True)
        self.place_legends()

    def redraw(self) -> None:
        if self.loss_plot is None:
            return  # not shown yet: the buffers keep everything for the first draw
        drew = False
        if getattr(self, "epochs", None):
            self._fit_loss_axis()
        for key, buf in self.buffers.items():
            if buf.dirty:
                x, y = buf.x[:buf.n], buf.y[:buf.n]
                if key.startswith("batch_"):
                    x, y = peak_decimate(x, y)
                elif key.startswith("smooth_") and len(x) > SMOOTH_POINTS:  # every k-th point, and the last
                    k = -(-len(x) // SMOOTH_POINTS)
                    x, y = np.append(x[:-1:k], x[-1]), np.append(y[:-1:k], y[-1])
                if key.startswith(("batch_", "smooth_")):
                    if np.isfinite(y).all():
                        self.curves[key].setData(x, y)
                    else:  # a NaN loss ends the run: draw what is finite, leave out the rest
                        self.curves[key].setData(x, y, connect="finite", skipFiniteCheck=False)
                else:
                    self.curves[key].setData(x, y)
                buf.dirty = False
                drew = True
        self.redraws += drew

    # ------------------------------------------------------------ earlier runs
    def show_runs(self, runs: list, differs: dict | None = None) -> None:
        """Overlay earlier runs (``core.runs.Run``): each one's smoothed per-batch loss and accuracy in its own
        colour, labelled "run N" and what set it apart (``differs``: number -> "lr 0.02"). Static curves: drawn
        once here, never by the redraw timer. Before the plots were ever shown, the runs are only noted: the
        first show draws them (opening a project does not build the plots)."""
        if self.loss_plot is None:
            self._pending_runs = list(runs)
            self._pending_differs = dict(differs or {})
            self.overlaid = [r.number for r in runs]
            return
        for item in self.overlays:
            for plot in (self.loss_plot, self.acc_plot):
                if item in plot.listDataItems():
                    plot.removeItem(item)
        self.overlays = []
        top, right = 0.0, 0.0
        for i, run in enumerate(runs):
            colour = OVERLAY_COLOURS[i % len(OVERLAY_COLOURS)]
            x = run.batch_x
            if not len(x):
                continue
            for plot, y in ((self.loss_plot, run.batch_loss), (self.acc_plot, run.batch_accuracy)):
                smooth = ema(y, smoothing_for(run.steps, self.smoothing))
                # (escaped: pyqtgraph's legend writes its labels as HTML, and a stored run's dataset is a file's text)
                label = f"run {run.number}" + (f" ({escape(differs[run.number])})" if (differs or {}).get(run.number)
                                               else "")
                item = plot.plot(x, smooth, pen=pg.mkPen(colour, width=2), name=label, antialias=False,
                                 skipFiniteCheck=False)
                self.overlays.append(item)
                if plot is self.loss_plot and np.isfinite(smooth).any():
                    top = max(top, float(np.nanmax(smooth[np.isfinite(smooth)])))
            right = max(right, float(x[-1]))
        self.overlaid = [r.number for r in runs]
        # the finished run's own overlay is its smoothed curve: the live one would lie under it, named twice
        self._show_live_smoothed(self.live_run not in self.overlaid)
        self._frame = (right, top) if runs else None
        self.frame_runs()
        self.fit_legends()  # the runs' labels are longer

    def end_run(self) -> None:
        """The run's thread is done: the axes are free again, and frame the runs shown, the one that just ended
        whole (its epoch ends had tightened the loss axis to its last 200 batches, cutting off its start)."""
        self.running = False
        self.frame_runs()
        self.place_legends()

    def frame_runs(self) -> None:
        """Between runs, frame the overlaid runs (a run in progress keeps its axes)."""
        if self._frame is None or self.running or self.loss_plot is None:
            return
        right, top = self._frame
        self.loss_plot.setXRange(0, max(right, 1e-9), padding=0.02)
        self.acc_plot.setXRange(0, max(right, 1e-9), padding=0.02)
        self.loss_plot.setYRange(0, top * 1.1 if top > 0 else 1, padding=0)


    def _show_live_smoothed(self, shown: bool) -> None:
        """Show or hide the live smoothed curves, and their legend entries with them (pyqtgraph would mark a
        hidden one with a closed eye, which reads as a broken icon); shown again, "smoothed" is second, under
        "batch", where it was."""
        for key, plot in (("smooth_loss", self.loss_plot), ("smooth_acc", self.acc_plot)):
            if key not in self.curves or plot is None:
                continue
            curve = self.curves[key]
            curve.setVisible(shown)
            legend = plot.plotItem.legend
            entries = [(sample.item, label.text) for sample, label in legend.items]
            if any(item is curve for item, _text in entries) == shown:
                continue
            for item, _text in entries:
                legend.removeItem(item)
            if shown:
                entries.insert(1, (curve, "smoothed"))
            for item, text in entries:
                if shown or item is not curve:
                    legend.addItem(item, text)


def smoothing_for(steps: int | None, smoothing: float) -> float:
    """The smoothing of a run of ``steps`` batches an epoch: ``smoothing`` (about 1 / (1 - smoothing) batches
    averaged), but never over more than a quarter of an epoch, so the curve does not trail its epoch points (one
    batch an epoch, a gate's truth table: no smoothing at all). Unknown steps: ``smoothing``."""
    if not steps:
        return smoothing
    return min(smoothing, max(0.0, 1.0 - 4.0 / steps))


def ema(y: np.ndarray, smoothing: float) -> np.ndarray:
    """Exponential moving average, the same smoothing as the live curves (NaN passes through), debiased as
    TensorBoard's: the average starts from 0 and is divided by the weight it has gathered (1 - smoothing^n). Started
    from the first value instead, that one batch kept smoothing^(n-1) of the weight: half of it seven batches on,
    the curve far above a falling loss."""
    out = np.empty(len(y), dtype=np.float64)
    total = 0.0
    for i, v in enumerate(np.asarray(y, dtype=np.float64)):
        total = smoothing * total + (1 - smoothing) * v
        out[i] = total / (1 - smoothing ** (i + 1)) if smoothing else total
    return out
