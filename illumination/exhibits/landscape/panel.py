"""The Landscape exhibit's side panel (the explain composition): the words and small plots beside the stage.
Drawing only; every line is read from the scene (the balls' log, counts and histories, the probe's measurements).
Type comes from the shared scale (core/draw/typescale.py), so nothing is drawn under its 13 px floor; a line too
wide for the panel steps down the scale, then loses its end to "…". A chart with nothing to show (the temperature
when it is constant) is not drawn, and the charts that are share the space.
"""
from __future__ import annotations

import numpy as np
import pygame

from illumination.core.draw.charts import chart_frame, polyline
from illumination.core.draw.typescale import BODY, LABEL, TITLE

HISTOGRAM_BINS = 24
NOISE_TEXT = {"langevin": "Langevin step: new θ = θ − η·grad L + √(2ηT)·ξ,  ξ ~ N(0, 1)",
              "uniform": "uniform kick: g = grad L + n·U(−1, 1), then the optimizer's step"}
VIEW_NAMES = {"3d": "the surface in 3D (drag to orbit, wheel to zoom)", "map": "the surface from above",
              "valley": "one valley: Step (right arrow key) or Roll (Space)", "network": "the real network"}


def draw_panel(view, target: pygame.Surface) -> None:
    if view.scene.settings.view == "network":
        _network_panel(view, target)
    else:
        _balls_panel(view, target)


def fitted(view, text: str, step: int, width: float) -> tuple[str, int]:
    """(text, em) that fits `width` pixels: the step's size, else a smaller step down to LABEL, else elided."""
    cache, stage = view.text, view.design
    for size_step in range(step, LABEL - 1, -1):
        em = stage.type(size_step)
        if cache.render(text, em, (255, 255, 255)).get_width() <= width:
            return text, em
    em = stage.type(LABEL)
    while len(text) > 1 and cache.render(text + "…", em, (255, 255, 255)).get_width() > width:
        text = text[:-1]
    return text.rstrip() + "…", em


def _lines(view, target, lines, x, y) -> int:
    for line, colour, step in lines:
        text, em = fitted(view, line, step, view.panel_rect.width)
        rect = view.text.blit(target, text, (x, y), em, colour)
        y = rect.bottom + int(view.design.u(6))
    return y


def _balls_panel(view, target) -> None:
    scene, s, p, u = view.scene, view.scene.settings, view.palette, view.unit
    balls, surface, r = scene.balls, scene.surface, view.panel_rect
    x, y = r.x, r.y
    title = view.text.blit(target, "THE LOSS LANDSCAPE", (x, y), view.design.type(TITLE), p.text.primary, bold=True)
    y = _lines(view, target, [(f"{surface.display_name}:  L = {surface.formula}", p.text.secondary, LABEL),
                              (VIEW_NAMES[s.view], p.text.secondary, LABEL)],
               x, title.bottom + int(view.design.u(8))) + int(view.design.u(8))
    level = balls.noise_level
    noise = (f"temperature T = {level:.3g}" if s.noise_mode == "langevin" else f"kick n = {level:.3g}") + \
        (f"  ({s.schedule} schedule)" if s.schedule != "constant" else "")
    beta = f" · β {s.momentum:g}" if s.optimizer in ("momentum", "adam") else ""
    lines = [(f"step {balls.step_count:,} / {s.max_steps:,}", p.text.primary, BODY),
             (f"{s.optimizer} · η {s.learning_rate:g}{beta}", p.text.primary, BODY),
             (noise, p.landscape.hot if level > 0 else p.text.secondary, BODY),
             (NOISE_TEXT[s.noise_mode], p.text.secondary, LABEL)]
    if balls.count > 1:
        counts = scene.basin_counts()
        lines.append((f"{counts.in_global_basin:,} of {balls.count:,} in the deepest basin "
                      f"({counts.in_global_basin / balls.count:.0%})", p.text.accent, BODY))
    log = balls.last_log
    if log is not None:
        lines.append((f"ball 1 · step {log.step:,} · at ({log.x:.3f}, {log.z:.3f}) · L = {log.loss:.4g}",
                      p.text.primary, LABEL))
        lines.append((f"gradient [{log.gx:.3g}, {log.gz:.3g}] · temperature {log.temperature:.3g}",
                      p.text.secondary, LABEL))
    if scene.message:
        lines.append((scene.message, p.landscape.hot, LABEL))
    y = _lines(view, target, lines, x, y) + int(view.design.u(10))

    steps, losses, temperatures = scene.history()
    heat_name = "TEMPERATURE" if s.noise_mode == "langevin" else "KICK SIZE"
    charts = [lambda cell: _plot(view, target, cell, "LOSS OF BALL 1", losses, p.chart.loss)]
    finite = temperatures[np.isfinite(temperatures)]
    if finite.size >= 2 and float(finite.max()) > float(finite.min()):    # a constant temperature says nothing
        charts.append(lambda cell: _plot(view, target, cell, heat_name, temperatures, p.landscape.hot))
        charts.append(lambda cell: _scatter(view, target, cell, f"{heat_name} VS LOSS", losses, temperatures))
    if s.view == "valley":
        charts.append(lambda cell: _peek(view, target, cell))
    elif balls.count > 1:
        charts.append(lambda cell: _histogram(view, target, cell))
    for chart, cell in zip(charts, _grid(view, pygame.Rect(x, y, r.width, r.bottom - y), len(charts))):
        chart(cell)


def _grid(view, area: pygame.Rect, count: int) -> list[pygame.Rect]:
    """count cells filling area: two columns (one when the area is narrow or there is one chart), rows sharing the
    height, each row at most 480 design units tall."""
    if count == 0 or area.height <= 0:
        return []
    gap = int(view.design.u(14))
    columns = 1 if count == 1 or area.width < view.design.u(420) else 2
    rows = -(-count // columns)
    width = (area.width - gap * (columns - 1)) // columns
    height = min((area.height - gap * (rows - 1)) // rows, int(view.design.u(480)))
    return [pygame.Rect(area.x + (k % columns) * (width + gap), area.y + (k // columns) * (height + gap), width, height)
            for k in range(count)]


def _frame(view, target, rect, title, value: str = "") -> pygame.Rect:
    """A chart's frame (core's, as the Network's charts) with its title fitted to it and its latest value; returns
    the plot area inside."""
    title, _ = fitted(view, title, LABEL, rect.width - view.design.u(20))
    legend = [(value, view.palette.text.primary)] if value else []
    return chart_frame(target, view.design, view.palette, view.text, rect, title, legend)


def _plot(view, target, rect, title, values, colour) -> None:
    finite = values[np.isfinite(values)]
    inner = _frame(view, target, rect, title, f"{finite[-1]:.4g}" if len(finite) else "")
    if len(finite) < 2 or inner.height < 4:
        return
    low, high = float(finite.min()), float(finite.max())
    if high <= low:                    # a constant: a level line through the middle
        low, high = low - 1.0, high + 1.0
    span = high - low
    xs = inner.x + np.linspace(0, inner.width, len(finite))
    ys = inner.bottom - (finite - low) / span * inner.height
    polyline(target, colour, np.column_stack([xs, ys]).tolist(), view.design.u(1.5))


def _scatter(view, target, rect, title, losses, temperatures) -> None:
    """Temperature (up) against loss (across): where a warm ball wanders and a cold one settles."""
    inner = _frame(view, target, rect, title)
    keep = np.isfinite(losses) & np.isfinite(temperatures)
    loss, heat = losses[keep], temperatures[keep]
    if len(loss) < 2:
        return
    span_l = float(loss.max() - loss.min()) or 1.0
    span_t = float(heat.max() - heat.min()) or 1.0
    px = inner.x + (loss - loss.min()) / span_l * inner.width
    py = inner.bottom - (heat - heat.min()) / span_t * inner.height
    colour = view.palette.landscape.hot
    for k in range(0, len(px), max(1, len(px) // 300)):     # at most ~300 dots: a cloud, not a smear
        target.set_at((int(px[k]), int(py[k])), colour)
    pygame.draw.circle(target, view.palette.landscape.ball, (int(px[-1]), int(py[-1])), max(2, int(3 * view.unit)))


def _histogram(view, target, rect) -> None:
    """The balls' heights (bars) against the Boltzmann density of heights at the current T (line)."""
    scene, p = view.scene, view.palette
    balls = scene.balls
    temperature = balls.noise_level if scene.settings.noise_mode == "langevin" else 0.0
    title = "HEIGHTS VS exp(−L/T)" if temperature > 0 else "HEIGHTS OF THE BALLS"
    measured = view.histogram(temperature)
    inner = _frame(view, target, rect, title)
    if measured is None or inner.height < 4:
        return
    edges, ensemble, boltzmann = measured
    top = max(float(ensemble.max()), float(boltzmann.max()) if temperature > 0 else 0.0, 1e-300)
    width = inner.width / len(ensemble)
    for k, density in enumerate(ensemble):
        bar = int(density / top * inner.height)
        if bar > 0:
            pygame.draw.rect(target, p.landscape.ball, pygame.Rect(int(inner.x + k * width) + 1,
                                                                   inner.bottom - bar, max(1, int(width) - 2), bar))
    if temperature > 0:
        xs = inner.x + (np.arange(len(boltzmann)) + 0.5) * width
        ys = inner.bottom - boltzmann / top * inner.height
        polyline(target, p.landscape.hot, np.column_stack([xs, ys]).tolist(), max(2, int(2 * view.unit)))


def _peek(view, target, rect) -> None:
    """Seed 002's "peek at the data": the loss at a few settings of the valley, before rolling into it."""
    inner = _frame(view, target, rect, "PEEK AT THE DATA: LOSS AT A FEW SETTINGS")
    rows = view.stage.peek()
    size = view.design.type(LABEL)
    row_height = max(int(size * 1.25), inner.height // (len(rows) + 1))
    rows = rows[:max(0, inner.height // row_height - 1)]          # as many as fit: never over each other
    p = view.palette
    view.text.blit(target, "x", (inner.x + inner.width * 0.3, inner.y), size, p.text.secondary, anchor="topright")
    view.text.blit(target, "loss", (inner.x + inner.width * 0.8, inner.y), size, p.text.secondary, anchor="topright")
    for n, (x, loss) in enumerate(rows, start=1):
        y = inner.y + n * row_height
        view.text.blit(target, f"{x:+.3g}", (inner.x + inner.width * 0.3, y), size, p.text.primary, anchor="topright")
        view.text.blit(target, f"{loss:.4g}", (inner.x + inner.width * 0.8, y), size, p.text.primary, anchor="topright")


def _network_panel(view, target) -> None:
    scene, s, p, u = view.scene, view.scene.settings, view.palette, view.unit
    probe, r = scene.probe, view.panel_rect
    x, y = r.x, r.y
    trainer = probe.trainer
    title, em = fitted(view, "THE REAL NETWORK'S LANDSCAPE", TITLE, r.width)
    y = view.text.blit(target, title, (x, y), em, p.text.primary, bold=True).bottom + int(view.design.u(8))
    low = np.unravel_index(np.argmin(probe.losses), probe.losses.shape)
    lines = [("the 64-16-2 network learning circles and squares, its loss measured around it", p.text.secondary,
              LABEL),
             (f"epoch {trainer.epoch:,} · step {trainer.step_count:,} / {s.max_steps:,} · SGD η {s.learning_rate:g}",
              p.text.primary, BODY),
             (f"training loss here {probe.centre_loss:.4f} · train {trainer.train_accuracy:.0%} · "
              f"test {trainer.test_accuracy:.0%}", p.text.accent, BODY),
             ("the plane: θ + α·d1 + β·d2, d1 and d2 random, rescaled neuron by neuron", p.text.secondary, LABEL),
             ("to the net's own weights (filter-normalised, Li et al. 2018)", p.text.secondary, LABEL),
             (f"lowest on the plane {probe.losses[low]:.4f} at α {probe.alphas[low[1]]:+.2f}, "
              f"β {probe.betas[low[0]]:+.2f}; highest {float(probe.losses.max()):.3g}", p.text.primary, LABEL)]
    if scene.message:
        lines.append((scene.message, p.landscape.hot, LABEL))
    y = _lines(view, target, lines, x, y) + int(12 * u)
    gap = int(14 * u)
    path_rect = pygame.Rect(x, y, r.width, max(int(120 * u), (r.bottom - y) - int(150 * u) - gap))
    _path(view, target, path_rect, probe)
    losses = np.array(trainer.history.loss, dtype=float)
    _plot(view, target, pygame.Rect(x, path_rect.bottom + gap, r.width, int(150 * u)), "TRAINING LOSS PER EPOCH",
          losses, p.chart.loss)


def _path(view, target, rect, probe) -> None:
    """The weights' path, every epoch, on the top-2 principal directions of that path (now at the origin)."""
    explained = probe.path_explained
    title = (f"PATH OF THE WEIGHTS ON ITS TOP-2 PCA PLANE ({explained[0]:.0%} + {explained[1]:.0%} of it)"
             if len(probe.path) >= 3 else "PATH OF THE WEIGHTS (after 2 epochs)")
    inner = _frame(view, target, rect, title)
    coords = probe.path_coords
    if len(coords) < 3:
        return
    p = view.palette
    span = float(np.max(np.abs(coords))) or 1.0
    scale = 0.48 * min(inner.width, inner.height) / span          # one scale for both axes: angles are true
    cx, cy = inner.center
    pts = np.column_stack([cx + coords[:, 0] * scale, cy - coords[:, 1] * scale])
    polyline(target, p.chart.loss, pts.tolist(), max(2, int(2 * view.unit)))
    pygame.draw.circle(target, p.text.secondary, pts[0].astype(int), max(3, int(4 * view.unit)))
    pygame.draw.circle(target, p.landscape.ball, pts[-1].astype(int), max(4, int(5 * view.unit)))
    em = view.design.type(LABEL)
    view.text.blit(target, "start", (pts[0][0] + 8 * view.unit, pts[0][1]), em, p.text.secondary)
    view.text.blit(target, "now", (pts[-1][0] + 8 * view.unit, pts[-1][1]), em, p.landscape.ball)
