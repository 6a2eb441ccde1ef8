"""Drawing the Landscape exhibit from above: the loss surface as a lit relief map with contour lines, every ball
as a point of light (a vectorised splat, not a draw call per ball), the first ball's trail coloured by the
temperature it felt, its slope, the counts, and plots of loss and temperature over the steps.

Every pixel is a number: terrain brightness = L(x, z) (its rank among the map's heights: monotone, so
higher is brighter), a ball's light = where it is, the trail's colour = T at that step, the slope line = −∇L at the ball.
What draw may change, all of it the view's own: the terrain layer (built once per size, theme and surface),
the splat buffers and the text cache. A light theme draws in inverted colours and inverts the frame.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.core.draw.background import make_background
from illumination.core.draw.colour import mix, scaled
from illumination.core.draw.sprites import SpriteCache
from illumination.core.draw.text import TextCache
from illumination.core.scene import View

CONTOURS = 14          # contour lines between the lowest and highest point (log-height)
SPLAT_SCALE = 2        # the balls are splatted at 1/2 resolution and scaled up (soft, cheap)
NOISE_TEXT = {"langevin": "Langevin step: new θ = θ − η·grad L + √(2ηT)·ξ,  ξ ~ N(0, 1)",
              "uniform": "uniform kick: g = grad L + n·U(−1, 1), then the optimizer's step"}


def height_levels(heights: np.ndarray) -> np.ndarray:
    """Heights mapped to 0..1 by their rank among all heights of the map (an equalised, still monotone scale:
    higher is always brighter, and the deep centre and the wide slopes both get their share of the tones)."""
    order = np.argsort(heights, axis=None, kind="stable")
    ranks = np.empty(order.size)
    ranks[order] = np.linspace(0.0, 1.0, order.size)
    return ranks.reshape(heights.shape)


class LandscapeView(View):
    def __init__(self, scene, size, theme):
        super().__init__(scene, size, theme)
        self.palette = theme.emission_palette()
        p = self.palette
        w, h = self.size
        self.unit = min(w / 1600.0, h / 900.0)                     # pixels per design unit
        self.background = make_background(self.size, p.background.top, p.background.bottom, p.background.vignette)
        side = int(min(h * 0.84, w * 0.58))
        self.map_rect = pygame.Rect(int(w * 0.04), (h - side) // 2 + int(14 * self.unit), side, side)
        self.panel_x = self.map_rect.right + int(40 * self.unit)
        self.text = TextCache()
        self.sprites = SpriteCache()
        self._inverter = pygame.Surface(self.size) if theme.is_light else None
        self._terrain_key = None
        self.base = self.background.copy()

    def font(self, units: float) -> int:
        return max(12, int(round(units * self.unit)))

    # -- the terrain: once per surface ----------------------------------------------------------------
    def _terrain(self) -> None:
        surface = self.scene.surface
        key = surface.name
        if key == self._terrain_key:
            return
        self._terrain_key = key
        p = self.palette.landscape
        side = self.map_rect.width
        axis = np.linspace(surface.lo, surface.hi, side)
        heights = surface.loss(axis[:, None], axis[None, :])               # (x, z): surfarray's (w, h) order
        level = height_levels(heights)                                     # (side, side) in 0..1
        # Light from the upper left on the slope of the log-height: relief you can read without a legend.
        gx, gz = np.gradient(level)
        shade = np.clip(0.75 + 18.0 * (-gx - gz), 0.35, 1.25)
        low, high = np.asarray(p.terrain_low, float), np.asarray(p.terrain_high, float)
        rgb = (low + (high - low) * level[..., None]) * shade[..., None]
        bands = np.floor(level * CONTOURS)
        edge = (np.diff(bands, axis=0, prepend=bands[:1]) != 0) | (np.diff(bands, axis=1, prepend=bands[:, :1]) != 0)
        rgb[edge] = rgb[edge] * 0.45 + np.asarray(p.contour, float) * 0.55
        terrain = pygame.surfarray.make_surface(np.clip(rgb, 0, 255).astype(np.uint8))
        # z grows upward on the map, like a mathematician's plot
        terrain = pygame.transform.flip(terrain, False, True)
        self.base = self.background.copy()
        self.base.blit(terrain, self.map_rect.topleft)
        pygame.draw.rect(self.base, scaled(p.contour, 0.8), self.map_rect, max(1, int(self.unit)))
        for x_star, z_star in surface.global_minima:
            cx, cy = self.to_pixels(np.array([x_star]), np.array([z_star]))
            pygame.draw.circle(self.base, p.contour, (int(cx[0]), int(cy[0])), int(9 * self.unit),
                               max(1, int(1.5 * self.unit)))

    def to_pixels(self, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        surface, r = self.scene.surface, self.map_rect
        span = surface.hi - surface.lo
        px = r.left + (x - surface.lo) / span * (r.width - 1)
        py = r.bottom - 1 - (z - surface.lo) / span * (r.height - 1)
        return px, py

    # -- the frame --------------------------------------------------------------------------------
    def draw(self, target: pygame.Surface) -> None:
        self._terrain()
        target.blit(self.base, (0, 0))
        self._draw_balls(target)
        self._draw_trail(target)
        self._draw_tracked(target)
        self._draw_panel(target)
        if self._inverter is not None:
            self._inverter.fill((255, 255, 255))
            self._inverter.blit(target, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
            target.blit(self._inverter, (0, 0))

    def _draw_balls(self, target) -> None:
        balls = self.scene.balls
        if balls.count <= 1:
            return
        r = self.map_rect
        w, h = r.width // SPLAT_SCALE, r.height // SPLAT_SCALE
        px, py = self.to_pixels(balls.x, balls.z)
        col = np.clip(((px - r.left) / SPLAT_SCALE).astype(np.intp), 0, w - 1)
        row = np.clip(((py - r.top) / SPLAT_SCALE).astype(np.intp), 0, h - 1)
        counts = np.bincount(col * h + row, minlength=w * h).reshape(w, h).astype(np.float64)  # (w, h)
        # Brightness grows with how many balls share a spot, softly saturating: a crowd glows, one ball shows.
        light = 1.0 - np.exp(-counts * (0.9 * self.scene.settings.glow / 1.5))
        colour = np.asarray(self.palette.landscape.ball, float)
        rgb = (light[..., None] * colour).astype(np.uint8)
        splat = pygame.transform.smoothscale(pygame.surfarray.make_surface(rgb), r.size)
        target.blit(splat, r.topleft, special_flags=pygame.BLEND_RGB_ADD)

    def _draw_trail(self, target) -> None:
        trail = self.scene.balls.trail()
        if len(trail.x) < 2:
            return
        p = self.palette.landscape
        px, py = self.to_pixels(trail.x, trail.z)
        hottest = max(float(np.max(trail.temperature)), 1e-12)
        heat = trail.temperature / hottest if np.max(trail.temperature) > 0 else np.zeros_like(trail.temperature)
        # a jump (a respawn after an explosion) is not a path: break the line there
        jump = np.hypot(np.diff(px), np.diff(py)) > self.map_rect.width * 0.25
        width = max(1, int(2 * self.unit))
        for k in range(len(px) - 1):
            if jump[k]:
                continue
            age = (k + 1) / len(px)
            colour = scaled(mix(p.cold, p.hot, float(heat[k + 1])), 0.25 + 0.75 * age)
            pygame.draw.line(target, colour, (px[k], py[k]), (px[k + 1], py[k + 1]), width)

    def _draw_tracked(self, target) -> None:
        balls, p = self.scene.balls, self.palette.landscape
        x, z = balls.position[:, 0]
        px, py = self.to_pixels(np.array([x]), np.array([z]))
        centre = (int(px[0]), int(py[0]))
        glow = self.sprites.glow(22 * self.unit * self.scene.settings.glow / 1.5, p.ball)
        target.blit(glow, (centre[0] - glow.get_width() // 2, centre[1] - glow.get_height() // 2),
                    special_flags=pygame.BLEND_RGB_ADD)
        pygame.draw.circle(target, p.ball, centre, max(3, int(6 * self.unit)))
        gx, gz = balls.surface.gradient(x, z)
        norm = math.hypot(float(gx), float(gz))
        if norm > 0 and math.isfinite(norm):
            # the slope, drawn downhill from the ball: longer where it is steeper (log-scaled)
            length = (10 + 14 * math.log1p(norm)) * self.unit
            end = (centre[0] - float(gx) / norm * length, centre[1] + float(gz) / norm * length)
            pygame.draw.line(target, self.palette.text.accent, centre, end, max(1, int(2 * self.unit)))

    def _draw_panel(self, target) -> None:
        scene, s, p, text = self.scene, self.scene.settings, self.palette, self.text
        balls, surface = scene.balls, scene.surface
        x, y = self.panel_x, self.map_rect.top
        right = self.size[0] - int(40 * self.unit)
        text.blit(target, "THE LOSS LANDSCAPE", (x, y), self.font(24), p.text.primary, bold=True)
        y += self.font(24) + int(6 * self.unit)
        text.blit(target, f"{surface.display_name}:  L = {surface.formula}", (x, y), self.font(15), p.text.secondary)
        y += self.font(15) + int(18 * self.unit)
        level = balls.noise_level
        noise = (f"temperature T = {level:.3g}" if s.noise_mode == "langevin" else f"kick n = {level:.3g}") + \
            (f"  ({s.schedule} schedule)" if s.schedule != "constant" else "")
        lines = [(f"step {balls.step_count:,} / {s.max_steps:,}", p.text.primary, 20),
                 (f"{s.optimizer} · η {s.learning_rate:g}" + (f" · β {s.momentum:g}" if s.optimizer in
                                                               ("momentum", "adam") else ""), p.text.primary, 17),
                 (noise, p.landscape.hot if level > 0 else p.text.secondary, 17),
                 (NOISE_TEXT[s.noise_mode], p.text.secondary, 14)]
        counts = scene.basin_counts()
        if balls.count > 1:
            lines.append((f"{counts.in_global_basin:,} of {balls.count:,} balls in the deepest basin "
                          f"({counts.in_global_basin / balls.count:.0%})", p.text.accent, 18))
        log = balls.last_log
        if log is not None:
            lines.append((f"ball 1 at ({log.x:.3f}, {log.z:.3f})  L = {log.loss:.4g}", p.text.primary, 15))
            lines.append((f"gradient [{log.gx:.3g}, {log.gz:.3g}]", p.text.secondary, 15))
        if scene.message:
            lines.append((scene.message, p.landscape.hot, 16))
        for line, colour, size in lines:
            text.blit(target, line, (x, y), self.font(size), colour)
            y += self.font(size) + int(8 * self.unit)
        y += int(12 * self.unit)
        plot_height = int(120 * self.unit)
        steps, losses, temperatures = scene.history()
        self._plot(target, pygame.Rect(x, y, right - x, plot_height), "LOSS OF BALL 1", losses, p.chart.loss)
        y += plot_height + int(16 * self.unit)
        if np.nanmax(temperatures, initial=0.0) > 0:
            self._plot(target, pygame.Rect(x, y, right - x, plot_height),
                       "TEMPERATURE" if s.noise_mode == "langevin" else "KICK SIZE", temperatures, p.landscape.hot)

    def _plot(self, target, rect: pygame.Rect, title: str, values: np.ndarray, colour) -> None:
        p = self.palette
        pygame.draw.rect(target, p.chart.panel, rect, border_radius=int(6 * self.unit))
        pygame.draw.rect(target, p.chart.panel_border, rect, 1, border_radius=int(6 * self.unit))
        self.text.blit(target, title, (rect.x + 10 * self.unit, rect.y + 6 * self.unit), self.font(12),
                       p.text.secondary, bold=True)
        finite = values[np.isfinite(values)]
        if len(finite) < 2:
            return
        low, high = float(finite.min()), float(finite.max())
        span = high - low if high > low else 1.0
        self.text.blit(target, f"{finite[-1]:.4g}", (rect.right - 10 * self.unit, rect.y + 6 * self.unit),
                       self.font(12), p.text.primary, anchor="topright")
        inner = rect.inflate(-int(20 * self.unit), -int(36 * self.unit)).move(0, int(8 * self.unit))
        xs = inner.x + np.linspace(0, inner.width, len(finite))
        ys = inner.bottom - (finite - low) / span * inner.height
        pygame.draw.lines(target, colour, False, np.column_stack([xs, ys]).tolist(), max(1, int(1.5 * self.unit)))
