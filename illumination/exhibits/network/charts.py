"""The explain composition's charts: the loss (log scale) and the train and test accuracies over the run's
epochs, at the top of the metrics column. They change once an epoch, so the view copies them in between
(panel_cache.py; charts_key says what they read). Nothing here changes state."""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.core.draw.charts import chart_frame, polyline
from illumination.exhibits.network.layout import LABEL
from illumination.exhibits.network.live_math import fmt


def _chart(view, surface, rect, title, series, low, high, log=False, legend=()):
    """A panel with a title, a legend of (text, colour) right-aligned on the title's line (or below it when the
    line is too narrow), and the series plotted over the run's epochs. Returns (plot rect, value -> y)."""
    L = view.layout
    plot = chart_frame(surface, L, view.palette, view.text, rect, title, legend)
    total = max(view.scene.trainer.config.max_epochs, max((len(v) for v, _ in series), default=0), 2)

    lo, hi = (math.log10(low), math.log10(high)) if log else (low, high)

    def to_y(values):
        """Chart y pixel of a value or an array of values (clamped to the chart)."""
        v = np.asarray(values, dtype=np.float64)
        if log:
            v = np.log10(np.maximum(v, low))
        return plot.bottom - np.clip((v - lo) / (hi - lo), 0.0, 1.0) * plot.height

    for values, colour in series:
        finite = np.asarray(values, dtype=np.float64)
        finite = finite[np.isfinite(finite)]
        if len(finite) >= 2:
            epochs = np.arange(len(finite), dtype=np.float64)
            columns = max(2, int(plot.width * (len(finite) - 1) / (total - 1)) + 1)   # pixel columns it spans
            if len(finite) > 2 * columns:
                # More epochs than pixels (a fast run): one point per column, the mean of its epochs — all the
                # line could show, at a fraction of the cost.
                edges = np.linspace(0, len(finite), columns + 1).astype(np.int64)
                finite = np.add.reduceat(finite, edges[:-1]) / np.diff(edges)
                epochs = (edges[:-1] + edges[1:] - 1) / 2.0
            xs = plot.x + plot.width * epochs / (total - 1)
            polyline(surface, colour, np.column_stack([xs, to_y(finite)]).tolist(), L.u(1.5))
    return plot, to_y


def chart_rects(view) -> tuple[pygame.Rect, pygame.Rect]:
    """The loss and the accuracy charts, at the top of the metrics column (shorter on a portrait screen, whose
    column must also hold the noise gauges or the proof below the bars)."""
    L, m = view.layout, view.layout.metrics_rect
    loss_height, accuracy_height = (110, 150) if L.portrait else (150, 190)
    loss_rect = pygame.Rect(m.x, m.y, m.width, int(L.u(loss_height)))
    return loss_rect, pygame.Rect(m.x, loss_rect.bottom + L.u(14), m.width, int(L.u(accuracy_height)))


def charts_key(view) -> tuple[tuple, tuple]:
    """(objects compared by identity, values) that draw_charts reads: they change once an epoch."""
    t = view.scene.trainer
    return ((t, t.history), (len(t.history.loss), t.last_loss if not t.history.loss else None, t.train_accuracy,
                             t.test_accuracy, t.config.max_epochs))


def draw_charts(view, surface) -> None:
    """The loss (log scale) and the accuracies over the run's epochs, with their latest values and chance."""
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    history, t = scene.trainer.history, scene.trainer
    loss_rect, acc_rect = chart_rects(view)
    latest_loss = history.loss[-1] if history.loss else t.last_loss
    _chart(view, surface, loss_rect, "LOSS · log", [(history.loss, p.chart.loss)], 0.003, 2.0, log=True,
           legend=[("—" if not math.isfinite(latest_loss) else fmt(latest_loss), p.text.primary)])
    plot, to_y = _chart(view, surface, acc_rect, "ACCURACY",
                        [(history.train_accuracy, p.chart.train_accuracy), (history.test_accuracy, p.chart.test_accuracy)],
                        0.4, 1.0, legend=[(f"train {t.train_accuracy * 100:.1f}%", p.chart.train_accuracy),
                                          (f"test {t.test_accuracy * 100:.1f}%", p.chart.test_accuracy)])
    chance = int(to_y(0.5))
    for x in range(plot.x, plot.right, max(2, int(L.u(6)))):
        pygame.draw.line(surface, p.chart.panel_border, (x, chance), (x + max(1, int(L.u(3))), chance))
    text.blit(surface, "50% = chance", (plot.right, chance - L.u(3)), L.type(LABEL), p.text.secondary,
              anchor="bottomright")
