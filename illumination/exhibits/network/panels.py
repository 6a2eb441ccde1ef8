"""The Network exhibit's panels: header, prediction grid, receptive fields, metrics, live math, caption.

Functions of (view, surface): they read the scene through the view and draw; nothing here changes state.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from data.shapes import CLASS_NAMES
from illumination.core.draw.colour import scaled as _scaled
from illumination.exhibits.network.live_math import current_step, fmt


def sample_tiles(X: np.ndarray, tile: int, pixel_colour) -> list[pygame.Surface]:
    """One crisp tile per sample: its 8x8 pixels as small squares (on pixels lit, off pixels a faint dot)."""
    tiles = []
    cell = max(tile / 8.0, 1.0)
    for x in X:
        surface = pygame.Surface((tile, tile))
        for index in range(64):
            r, c = divmod(index, 8)
            rect = pygame.Rect(int(c * cell) + 1, int(r * cell) + 1, max(1, int(cell) - 1), max(1, int(cell) - 1))
            surface.fill(_scaled(pixel_colour, 0.85 if x[index] else 0.07), rect)
        tiles.append(surface)
    return tiles


def field_tiles(W1: np.ndarray, tile: int, positive, negative) -> list[pygame.Surface]:
    """Each hidden neuron's 64 incoming weights as an 8x8 image: colour = sign, brightness = |w| (as the synapses)."""
    tile = max(tile, 8)
    strength = 1.0 - np.exp(-np.abs(W1) / 0.5)                                      # (64, H)
    colours = np.where((W1 >= 0)[..., None], np.asarray(positive, float), np.asarray(negative, float))
    rgb = (colours * (0.08 + 0.92 * strength)[..., None]).clip(0, 255).astype(np.uint8)  # (64, H, 3)
    tiles = []
    for j in range(W1.shape[1]):
        image = rgb[:, j, :].reshape(8, 8, 3).transpose(1, 0, 2)                    # surfarray wants (x, y, 3)
        small = pygame.surfarray.make_surface(np.ascontiguousarray(image))
        tiles.append(pygame.transform.scale(small, (tile, tile)))
    return tiles


def draw_header(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    left, top = L.px(40, 34)
    text.blit(surface, "NEURAL ILLUMINATION", (left, top), L.font(24), p.text.primary, bold=True)
    text.blit(surface, f"a 64·{scene.trainer.net.hidden}·2 network learning circles "
              f"from squares, live", (left, top + L.u(28)), L.font(14), p.text.secondary)
    cx, cy = L.px(800, 40)
    if scene.diverged_for is not None:
        title, colour, subtitle = "RESTARTING", p.text.accent, scene.message
    elif scene.finished:
        reason = "stopped early: test accuracy plateaued" if scene.trainer.stopped_early else "training complete"
        title, colour = "TRAINED", p.text.accent
        subtitle = f"{reason} · now showing what it learned, sample by sample"
    elif scene.paused:
        title, colour, subtitle = "PAUSED", p.text.accent, "space resumes · the right arrow key steps one minibatch"
    elif scene.phase == "forward":
        title, colour = "FORWARD PASS", p.neuron.glow
        subtitle = ("your drawing flows through the live network (never trained on)" if scene.drawing is not None
                    else "activations flow toward an answer")
    else:
        title, colour, subtitle = "BACKWARD PASS", p.neuron.halo, "gradients flow back; every weight moves a little"
    text.blit(surface, title, (cx, cy), L.font(22), colour, anchor="center", bold=True)
    text.blit(surface, subtitle, (cx, cy + L.u(24)), L.font(13), p.text.secondary, anchor="center")
    bar = L.rect(650, 84, 300, 2)
    pygame.draw.rect(surface, _scaled(colour, 0.25), bar)
    if not scene.paused and scene.diverged_for is None:
        done = bar.copy()
        done.width = int(bar.width * scene.progress)
        pygame.draw.rect(surface, colour, done)


def grid_looks(view) -> list[tuple]:
    """(border colour, predicted class, confidence %) of each grid tile: everything its pixels depend on."""
    p, threshold = view.palette, view.scene.settings.confidence_threshold
    looks = []
    for prob, label in zip(view.scene.grid_probs, view.scene.data.y_test):
        predicted = int(np.argmax(prob))
        confidence = float(prob[predicted])
        if predicted != label:
            colour = p.grid.incorrect
        elif confidence >= threshold:
            colour = p.grid.correct
        else:
            colour = p.grid.uncertain
        looks.append((colour, predicted, round(confidence * 100)))
    return looks


def draw_grid(view, surface) -> None:
    """The prediction grid, re-rendered only when a tile's look (colour, class, percentage) or the highlight changed."""
    scene, L = view.scene, view.layout
    area = L.rect(28, 86, 352, 348).clip(surface.get_rect())
    highlighted = scene.shown_index if scene.drawing is None else -1
    key = (tuple(grid_looks(view)), highlighted, scene.settings.confidence_threshold, area.size)
    cached = getattr(view, "_grid_cache", None)
    if cached is None or cached[0] != key:
        panel = view.background.subsurface(area).copy()
        _render_grid(view, panel, area.topleft, key[0], highlighted)
        view._grid_cache = cached = (key, panel)
    surface.blit(cached[1], area.topleft)


def _render_grid(view, surface, offset, looks, highlighted) -> None:
    L, p, text = view.layout, view.palette, view.text
    x0, y0 = L.grid_origin[0] - offset[0], L.grid_origin[1] - offset[1]
    text.blit(surface, "TEST SAMPLES", (x0, y0 - L.u(26)), L.font(13), p.text.secondary, bold=True)
    threshold = view.scene.settings.confidence_threshold
    tile = int(L.grid_tile)
    border = max(1, int(L.u(2)))
    for n, (tile_surface, (colour, predicted, percent)) in enumerate(zip(view.grid_tiles, looks)):
        row, col = divmod(n, 5)
        x, y = x0 + col * L.grid_pitch[0], y0 + row * L.grid_pitch[1]
        surface.blit(tile_surface, (int(x), int(y)))
        rect = pygame.Rect(int(x) - border, int(y) - border, tile + 2 * border, tile + 2 * border)
        pygame.draw.rect(surface, colour, rect, border, border_radius=border * 2)
        if n == highlighted:
            pygame.draw.rect(surface, p.text.accent, rect.inflate(border * 4, border * 4), max(1, border // 2),
                             border_radius=border * 3)
        icon = (int(x + L.u(5)), int(y + tile + L.u(11)))
        size = int(L.u(4))
        if predicted == 0:
            pygame.draw.circle(surface, colour, icon, size, max(1, int(L.u(1.4))))
        else:
            pygame.draw.rect(surface, colour, pygame.Rect(icon[0] - size, icon[1] - size, 2 * size, 2 * size),
                             max(1, int(L.u(1.4))))
        text.blit(surface, f"{percent}%", (x + L.u(13), y + tile + L.u(11)), L.font(12), colour, anchor="midleft")
    legend_y = y0 + 4 * L.grid_pitch[1] - L.u(4)
    text.blit(surface, f"border: right and ≥{threshold * 100:.0f}% sure · right but unsure · wrong",
              (x0, legend_y), L.font(11), p.text.secondary)


def _chart(view, surface, rect, title, series, low, high, log=False, value_text=""):
    L, p, text = view.layout, view.palette, view.text
    pygame.draw.rect(surface, p.chart.panel, rect, border_radius=int(L.u(6)))
    pygame.draw.rect(surface, p.chart.panel_border, rect, 1, border_radius=int(L.u(6)))
    text.blit(surface, title, (rect.x + L.u(10), rect.y + L.u(8)), L.font(12), p.text.secondary, bold=True)
    if value_text:
        text.blit(surface, value_text, (rect.right - L.u(10), rect.y + L.u(8)), L.font(12), p.text.primary,
                  anchor="topright")
    plot = pygame.Rect(rect.x + L.u(10), rect.y + L.u(28), rect.width - L.u(20), rect.height - L.u(38))
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
            xs = plot.x + plot.width * np.arange(len(finite)) / (total - 1)
            points = np.column_stack([xs, to_y(finite)]).tolist()
            pygame.draw.aalines(surface, colour, False, points)
            pygame.draw.lines(surface, colour, False, points, max(1, int(L.u(1.5))))
    return plot, to_y


def draw_metrics(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    history, t = scene.trainer.history, scene.trainer
    m = L.metrics_rect
    gap = L.u(14)
    loss_rect = pygame.Rect(m.x, m.y, m.width, int(L.u(160)))
    latest_loss = history.loss[-1] if history.loss else t.last_loss
    _chart(view, surface, loss_rect, "LOSS · log scale", [(history.loss, p.chart.loss)], 0.003, 2.0, log=True,
           value_text="—" if not math.isfinite(latest_loss) else fmt(latest_loss))
    acc_rect = pygame.Rect(m.x, loss_rect.bottom + gap, m.width, int(L.u(170)))
    plot, to_y = _chart(view, surface, acc_rect, "ACCURACY",
                        [(history.train_accuracy, p.chart.train_accuracy), (history.test_accuracy, p.chart.test_accuracy)],
                        0.4, 1.0)
    chance = int(to_y(0.5))
    for x in range(plot.x, plot.right, max(2, int(L.u(6)))):
        pygame.draw.line(surface, p.chart.panel_border, (x, chance), (x + max(1, int(L.u(3))), chance))
    text.blit(surface, "chance", (plot.right, chance - L.u(2)), L.font(10), p.text.secondary, anchor="bottomright")
    legend_y = acc_rect.y + L.u(8)
    right = acc_rect.right - L.u(10)
    r2 = text.blit(surface, f"test {t.test_accuracy * 100:.1f}%", (right, legend_y), L.font(12), p.chart.test_accuracy,
                   anchor="topright")
    text.blit(surface, f"train {t.train_accuracy * 100:.1f}%", (r2.x - L.u(12), legend_y), L.font(12),
              p.chart.train_accuracy, anchor="topright")

    bars_y = acc_rect.bottom + gap
    text.blit(surface, "GRADIENT NORM · last batch", (m.x, bars_y), L.font(12), p.text.secondary, bold=True)
    norms = scene.snapshot.grad_norms
    for n, (name, label) in enumerate((("hidden", "W1, b1"), ("output", "W2, b2"))):
        y = bars_y + L.u(22 + 24 * n)
        value = norms.get(name, 0.0)
        fraction = min(max((math.log10(value) + 4.0) / 5.0, 0.0), 1.0) if value > 0 else 0.0  # 1e-4 … 10
        _bar(view, surface, pygame.Rect(m.x + L.u(70), y, m.width - L.u(150), L.u(10)), fraction, p.chart.gradient)
        text.blit(surface, label, (m.x, y + L.u(5)), L.font(12), p.text.secondary, anchor="midleft")
        text.blit(surface, fmt(value), (m.right, y + L.u(5)), L.font(12), p.text.primary, anchor="midright")

    out_y = bars_y + L.u(84)
    sample = scene.snapshot.sample
    verdict = int(np.argmax(sample.probs))
    drawing = scene.drawing is not None
    title = f"YOUR DRAWING · the network says {CLASS_NAMES[verdict]}" if drawing else \
        f"THIS SAMPLE · a {CLASS_NAMES[sample.label]}"
    text.blit(surface, title, (m.x, out_y), L.font(12), p.text.secondary, bold=True)
    for k in range(2):
        y = out_y + L.u(22 + 24 * k)
        colour = p.neuron.glow if k == (verdict if drawing else sample.label) else p.text.secondary
        _bar(view, surface, pygame.Rect(m.x + L.u(70), y, m.width - L.u(150), L.u(10)), float(sample.probs[k]), colour)
        text.blit(surface, CLASS_NAMES[k], (m.x, y + L.u(5)), L.font(12), p.text.secondary, anchor="midleft")
        text.blit(surface, fmt(sample.probs[k]), (m.right, y + L.u(5)), L.font(12), p.text.primary, anchor="midright")


def _bar(view, surface, rect, fraction, colour) -> None:
    radius = int(rect.height / 2)
    pygame.draw.rect(surface, view.palette.chart.panel_border, rect, border_radius=radius)
    if fraction > 0:
        filled = pygame.Rect(rect.x, rect.y, max(int(rect.width * fraction), rect.height), rect.height)
        pygame.draw.rect(surface, colour, filled, border_radius=radius)


def draw_math(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    r = L.math_rect
    pygame.draw.rect(surface, p.chart.panel, r, border_radius=int(L.u(6)))
    pygame.draw.rect(surface, p.chart.panel_border, r, 1, border_radius=int(L.u(6)))
    forward = scene.phase == "forward"
    drawing = scene.drawing is not None
    step = current_step(scene.snapshot, scene.phase, scene.progress, scene.trainer.batch_size, scene.trainer.lr, drawing)
    colour = p.neuron.glow if forward else p.neuron.halo
    text.blit(surface, f"LIVE MATH · {'FORWARD' if forward else 'BACKWARD'}", (r.x + L.u(14), r.y + L.u(12)),
              L.font(12), p.text.secondary, bold=True)
    text.blit(surface, step.title, (r.x + L.u(14), r.y + L.u(34)), L.font(17), colour, bold=True)
    for n, line in enumerate(step.lines):
        text.blit(surface, line, (r.x + L.u(14), r.y + L.u(66 + 26 * n)), L.font(16), p.text.primary)
    # The whole sample, small: the focus of these numbers.
    note_y = r.y + L.u(160)
    sample = scene.snapshot.sample
    note = (f"your drawing · verdict {CLASS_NAMES[int(np.argmax(sample.probs))]} · never trained on" if drawing
            else f"sample #{scene.shown_index} · label {CLASS_NAMES[sample.label]} · loss {fmt(sample.loss)}")
    text.blit(surface, note, (r.x + L.u(14), note_y), L.font(12), p.text.secondary)
    legend = [
        (p.synapse.positive, "positive weight"), (p.synapse.negative, "negative weight"),
        (p.particle.forward, "activation × weight, flowing forward"),
        (p.particle.backward, "gradient, flowing back"),
        (p.neuron.glow, "bulb brightness = activation"), (p.neuron.halo, "halo = |gradient|"),
    ]
    for n, (colour, label) in enumerate(legend):
        y = note_y + L.u(34 + 22 * n)
        pygame.draw.circle(surface, colour, (int(r.x + L.u(20)), int(y)), max(2, int(L.u(4))))
        text.blit(surface, label, (r.x + L.u(32), y), L.font(12), p.text.secondary, anchor="midleft")


def draw_caption(view, surface) -> None:
    scene, L, p, text = view.scene, view.layout, view.palette, view.text
    t, s = scene.trainer, scene.settings
    caption = (f"epoch {t.epoch} / {t.config.max_epochs}   ·   step {t.step_count}   ·   seed {s.seed}   ·   "
               f"η {fmt(t.lr)}   ·   batch {t.batch_size} ({t.steps_per_epoch} updates / epoch)   ·   "
               f"{t.net.n_parameters:,} parameters")
    text.blit(surface, caption, L.px(800, 872), L.font(13), p.text.secondary, anchor="center")
    labels = ((L.inputs[:, 0].mean(), "input · 8×8 pixels"), (L.hiddens[0, 0], f"hidden · {t.net.hidden} ReLU"),
              (L.outputs[0, 0], "output · softmax"))
    y = L.px(0, 842)[1]
    for x, label in labels:
        text.blit(surface, label, (x, y), L.font(12), p.text.secondary, anchor="center")
    for k, (x, y) in enumerate(L.outputs.tolist()):
        prob = scene.snapshot.sample.probs[k]
        text.blit(surface, CLASS_NAMES[k], (x + L.output_radius + L.u(10), y - L.u(8)), L.font(15), p.text.primary,
                  anchor="midleft", bold=True)
        text.blit(surface, f"p = {fmt(prob)}", (x + L.output_radius + L.u(10), y + L.u(10)), L.font(12),
                  p.text.secondary, anchor="midleft")
