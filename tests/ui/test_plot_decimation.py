"""The per-batch curves are drawn from at most MAX_POINTS points that keep the envelope of the data."""

import numpy as np

from playground.ui.plots import MAX_POINTS, TrainingPlots, peak_decimate


def test_short_series_are_drawn_as_they_are():
    x, y = np.arange(10.0), np.random.default_rng(0).random(10)
    dx, dy = peak_decimate(x, y)
    assert dx is x and dy is y


def test_long_series_keep_every_peak_and_trough_within_the_budget():
    rng = np.random.default_rng(1)
    n = 50_001
    x, y = np.arange(n) / 1000.0, rng.normal(size=n)
    y[12_345], y[40_000] = 99.0, -99.0  # spikes a stride-based thinning would lose
    dx, dy = peak_decimate(x, y)
    assert len(dx) == len(dy) <= MAX_POINTS + n // (MAX_POINTS // 2)
    assert dy.max() == 99.0 and dy.min() == -99.0
    assert np.all(np.diff(dx) >= 0) and dx[0] == x[0] and dx[-1] == x[-1]


def test_a_long_run_is_drawn_decimated(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.show()
    plots.begin(10)
    for i in range(20_000):
        plots.add_batch(i / 2000, 1.0 / (1 + i), i / 20_000)
    plots.redraw()
    drawn_x, drawn_y = plots.curves["batch_loss"].getData()
    assert len(drawn_x) <= MAX_POINTS + 20
    assert drawn_y.max() == 1.0 and plots.buffers["batch_loss"].n == 20_000


def test_smoothing_averages_over_a_quarter_of_an_epoch_at_most():
    from playground.ui.plots import smoothing_for
    assert smoothing_for(None, 0.9) == 0.9  # steps not known yet
    assert smoothing_for(1, 0.9) == 0.0  # each batch is its epoch: drawn as it is
    assert smoothing_for(8, 0.9) == 0.5  # about 2 batches averaged, a quarter of 8
    assert smoothing_for(40, 0.9) == 0.9  # 10 batches: the usual
    assert smoothing_for(938, 0.9) == 0.9
