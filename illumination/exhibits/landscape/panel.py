"""The Landscape exhibit's side panel: the words and small plots beside the stage. Drawing only; every line
is read from the scene (the balls' log, counts and histories, the probe's measurements)."""
from __future__ import annotations

import numpy as np
import pygame

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


def _lines(view, target, lines, x, y) -> int:
    for line, colour, size in lines:
        view.text.blit(target, line, (x, y), view.font(size), colour)
        y += view.font(size) + int(7 * view.unit)
    return y


def _balls_panel(view, target) -> None:
    scene, s, p, u = view.scene, view.scene.settings, view.palette, view.unit
    balls, surface, r = scene.balls, scene.surface, view.panel_rect
    x, y = r.x, r.y
    view.text.blit(target, "THE LOSS LANDSCAPE", (x, y), view.font(26), p.text.primary, bold=True)
    y += view.font(26) + int(6 * u)
    y = _lines(view, target, [(f"{surface.display_name}:  L = {surface.formula}", p.text.secondary, 15),
                              (VIEW_NAMES[s.view], p.text.secondary, 14)], x, y) + int(10 * u)
    level = balls.noise_level
    noise = (f"temperature T = {level:.3g}" if s.noise_mode == "langevin" else f"kick n = {level:.3g}") + \
        (f"  ({s.schedule} schedule)" if s.schedule != "constant" else "")
    beta = f" · β {s.momentum:g}" if s.optimizer in ("momentum", "adam") else ""
    lines = [(f"step {balls.step_count:,} / {s.max_steps:,}", p.text.primary, 20),
             (f"{s.optimizer} · η {s.learning_rate:g}{beta}", p.text.primary, 17),
             (noise, p.landscape.hot if level > 0 else p.text.secondary, 17),
             (NOISE_TEXT[s.noise_mode], p.text.secondary, 14)]
    if balls.count > 1:
        counts = scene.basin_counts()
        lines.append((f"{counts.in_global_basin:,} of {balls.count:,} balls in the deepest basin "
                      f"({counts.in_global_basin / balls.count:.0%}), {counts.elsewhere:,} elsewhere",
                      p.text.accent, 17))
    log = balls.last_log
    if log is not None:
        lines.append((f"ball 1 · step {log.step:,}  at ({log.x:.3f}, {log.z:.3f})  L = {log.loss:.4g}",
                      p.text.primary, 15))
        lines.append((f"gradient [{log.gx:.3g}, {log.gz:.3g}]   temperature {log.temperature:.3g}",
                      p.text.secondary, 15))
    if scene.message:
        lines.append((scene.message, p.landscape.hot, 15))
    y = _lines(view, target, lines, x, y) + int(10 * u)

    gap = int(14 * u)
    half = (r.width - gap) // 2
    height = max(int(120 * u), (r.bottom - y - gap) // 2)
    height = min(height, int(170 * u))
    steps, losses, temperatures = scene.history()
    cells = [pygame.Rect(x, y, half, height), pygame.Rect(x + half + gap, y, half, height),
             pygame.Rect(x, y + height + gap, half, height), pygame.Rect(x + half + gap, y + height + gap, half, height)]
    _plot(view, target, cells[0], "LOSS OF BALL 1", losses, p.chart.loss)
    heat_name = "TEMPERATURE" if s.noise_mode == "langevin" else "KICK SIZE"
    _plot(view, target, cells[1], heat_name, temperatures, p.landscape.hot)
    _scatter(view, target, cells[2], f"{heat_name} VS LOSS", losses, temperatures)
    if s.view == "valley":
        _peek(view, target, cells[3])
    elif balls.count > 1:
        _histogram(view, target, cells[3])


def _frame(view, target, rect, title) -> pygame.Rect:
    p, u = view.palette, view.unit
    pygame.draw.rect(target, p.chart.panel, rect, border_radius=int(6 * u))
    pygame.draw.rect(target, p.chart.panel_border, rect, 1, border_radius=int(6 * u))
    view.text.blit(target, title, (rect.x + 10 * u, rect.y + 6 * u), view.font(12), p.text.secondary, bold=True)
    return rect.inflate(-int(20 * u), -int(24 * u) - view.font(12)).move(0, int(6 * u) + view.font(12) // 2)


def _plot(view, target, rect, title, values, colour) -> None:
    inner = _frame(view, target, rect, title)
    finite = values[np.isfinite(values)]
    if len(finite) < 2:
        return
    low, high = float(finite.min()), float(finite.max())
    if high <= low:                    # a constant: a level line through the middle
        low, high = low - 1.0, high + 1.0
    span = high - low
    view.text.blit(target, f"{finite[-1]:.4g}", (rect.right - 10 * view.unit, rect.y + 6 * view.unit),
                   view.font(12), view.palette.text.primary, anchor="topright")
    xs = inner.x + np.linspace(0, inner.width, len(finite))
    ys = inner.bottom - (finite - low) / span * inner.height
    pygame.draw.lines(target, colour, False, np.column_stack([xs, ys]).tolist(), max(1, int(1.5 * view.unit)))


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
    title = f"HEIGHTS VS exp(−L/T), T = {temperature:.3g}" if temperature > 0 else "HEIGHTS OF THE BALLS"
    inner = _frame(view, target, rect, title)
    measured = view.histogram(temperature)
    if measured is None:
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
        pygame.draw.lines(target, p.landscape.hot, False, np.column_stack([xs, ys]).tolist(), max(2, int(2 * view.unit)))
    view.text.blit(target, f"L {edges[0]:.3g} … {edges[-1]:.3g}", (inner.right, inner.top), view.font(12),
                   p.text.secondary, anchor="topright")


def _peek(view, target, rect) -> None:
    """Seed 002's "peek at the data": the loss at a few settings of the valley, before rolling into it."""
    inner = _frame(view, target, rect, "PEEK AT THE DATA: LOSS AT A FEW SETTINGS")
    rows = view.stage.peek()
    size = view.font(13)
    row_height = min(size + int(4 * view.unit), inner.height // (len(rows) + 1))
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
    view.text.blit(target, "THE REAL NETWORK'S LANDSCAPE", (x, y), view.font(26), p.text.primary, bold=True)
    y += view.font(26) + int(6 * u)
    low = np.unravel_index(np.argmin(probe.losses), probe.losses.shape)
    lines = [("the 64-16-2 network learning circles and squares, its loss measured around it", p.text.secondary, 15),
             (f"epoch {trainer.epoch:,} · step {trainer.step_count:,} / {s.max_steps:,} · SGD η {s.learning_rate:g}",
              p.text.primary, 20),
             (f"training loss here {probe.centre_loss:.4f} · train {trainer.train_accuracy:.0%} · "
              f"test {trainer.test_accuracy:.0%}", p.text.accent, 17),
             ("the plane: θ + α·d1 + β·d2, d1 and d2 random, rescaled neuron by neuron", p.text.secondary, 14),
             ("to the net's own weights (filter-normalised, Li et al. 2018)", p.text.secondary, 14),
             (f"lowest on the plane {probe.losses[low]:.4f} at α {probe.alphas[low[1]]:+.2f}, "
              f"β {probe.betas[low[0]]:+.2f}; highest {float(probe.losses.max()):.3g}", p.text.primary, 15)]
    if scene.message:
        lines.append((scene.message, p.landscape.hot, 15))
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
    pygame.draw.lines(target, p.chart.loss, False, pts.tolist(), max(2, int(2 * view.unit)))
    pygame.draw.circle(target, p.text.secondary, pts[0].astype(int), max(3, int(4 * view.unit)))
    pygame.draw.circle(target, p.landscape.ball, pts[-1].astype(int), max(4, int(5 * view.unit)))
    view.text.blit(target, "start", (pts[0][0] + 8 * view.unit, pts[0][1]), view.font(12), p.text.secondary)
    view.text.blit(target, "now", (pts[-1][0] + 8 * view.unit, pts[-1][1]), view.font(12), p.landscape.ball)
