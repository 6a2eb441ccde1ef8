"""Seed 002's lesson (view = "valley"): one valley as a curve, L(x) along the line z = z* through the deepest
point, and the ball rolling on it. Press Step (→) to take one downhill step, Roll (Space) to watch it go; the
short line on the ball is the slope — steep on the sides, flat at the bottom. Raise the learning rate ("Speed"
in the seed) and roll again to see it overshoot. The panel's table peeks at the data: L at a few settings.

The curve's height is the relief level of L (relief.py), the same monotone scale as the other views; the slope
line is the tangent of the drawn curve at the ball. What draw may change: the curve layer and its key.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.core.draw.colour import mix, scaled
from illumination.exhibits.landscape import marks
from illumination.core.draw.typescale import LABEL
from illumination.exhibits.landscape.relief import relief_of, terrain_ramp

SAMPLES = 600          # points along the curve
PEEK = 7               # settings in the "peek at the data" table


class ValleyStage:
    def __init__(self, view, area: pygame.Rect):
        self.view = view
        unit = view.unit
        if view.gallery:       # the valley spans the frame; its ground, lit by height, is most of the picture
            top = area.top + int(area.height * (0.24 if view.design.portrait else 0.2))
            self.rect = pygame.Rect(area.left, top, area.width, area.bottom - top - int(area.height * 0.06))
        else:
            self.rect = area.inflate(-int(110 * unit), -int(220 * unit)).move(int(20 * unit), int(30 * unit))
        self._key = None
        # the curve layer is a whole frame (background included): it paints everything left of the panel
        self.paints = pygame.Rect(0, 0, view.stage_area.width, view.size[1])
        self._layer: pygame.Surface | None = None

    @property
    def line_z(self) -> float:
        return self.view.scene.surface.global_minimum[1]

    def to_screen(self, x, loss=None):
        surface = self.view.scene.surface
        x = np.asarray(x, dtype=np.float64)
        if loss is None:
            loss = surface.loss(x, np.full_like(x, self.line_z))
        r = self.rect
        px = r.left + (x - surface.lo) / (surface.hi - surface.lo) * r.width
        level = relief_of(surface).level(loss)
        if self.view.gallery:   # √level: still monotone (higher is higher), the valley floor lifted into the frame
            level = np.sqrt(level)
        py = r.bottom - level * r.height
        return px, py

    def _curve(self) -> pygame.Surface:
        surface, p, unit = self.view.scene.surface, self.view.palette, self.view.unit
        if self._key == surface.name:
            return self._layer
        self._key = surface.name
        layer = self.view.background.copy()
        xs = np.linspace(surface.lo, surface.hi, SAMPLES)
        px, py = self.to_screen(xs)
        points = np.column_stack([px, py]).tolist()
        ground = points + [[self.rect.right, self.rect.bottom + 4 * unit], [self.rect.left, self.rect.bottom + 4 * unit]]
        if self.view.gallery:
            self._lit_ground(layer, ground)
            pygame.draw.lines(layer, p.landscape.contour, False, points, max(2, int(3 * unit)))
            self._layer = layer
            return layer
        pygame.draw.polygon(layer, scaled(p.landscape.terrain_low, 1.6), ground)
        pygame.draw.lines(layer, p.landscape.terrain_high, False, points, max(2, int(3 * unit)))
        for x_star, _ in surface.global_minima[:1]:
            mx, my = self.to_screen(np.array([x_star]))
            pygame.draw.line(layer, p.landscape.contour, (mx[0], my[0] + 8 * unit), (mx[0], self.rect.bottom),
                             max(1, int(unit)))
        text = self.view.text
        size = self.view.design.type(LABEL)
        text.blit(layer, f"setting x  (z held at {self.line_z:.3g})", (self.rect.centerx, self.rect.bottom +
                                                                     int(14 * unit)), size, p.text.secondary,
                  anchor="midtop")
        text.blit(layer, "loss", (self.rect.left - int(12 * unit), self.rect.top), size, p.text.secondary,
                  anchor="topright")
        self._layer = layer
        return layer

    def _lit_ground(self, layer: pygame.Surface, ground: list) -> None:
        """The ground under the curve, each row coloured by its height's relief level on the theme's ramp (high
        ground pale, the valley floor dark) and reaching the frame's bottom."""
        w, h = layer.get_size()
        rows = np.arange(h)
        level = np.clip((self.rect.bottom - rows) / max(self.rect.height, 1), 0.0, 1.0) ** 2  # (h,) per row (√ undone)
        colours = terrain_ramp(self.view.palette.landscape, level)                         # (h, 3)
        gradient = pygame.surfarray.make_surface(np.repeat(colours[None, :, :], w, axis=0).astype(np.uint8))
        mask = pygame.Surface((w, h))
        ground = ground[:-2] + [[self.rect.right, h], [self.rect.left, h]]
        pygame.draw.polygon(mask, (255, 255, 255), ground)
        gradient.blit(mask, (0, 0), special_flags=pygame.BLEND_RGB_MULT)
        layer.blit(gradient, (0, 0), special_flags=pygame.BLEND_RGB_MAX)

    def draw(self, target: pygame.Surface) -> None:
        view, scene = self.view, self.view.scene
        p, unit, glow = view.palette.landscape, view.unit, scene.settings.glow
        target.blit(self._curve(), (0, 0), self.paints)
        balls = scene.balls
        if balls.count > 1:
            px, py = self.to_screen(balls.x)
            marks.splat(target, self.rect.inflate(0, int(40 * unit)), px, py, p.ball, glow, marks.splat_scale(unit))
        path = balls.trail()
        if len(path.x) >= 2:  # the last steps as fading dots: where the ball has been
            px, py = self.to_screen(path.x[-40:], path.loss[-40:])
            hottest = max(float(np.max(path.temperature)), 1e-300)
            for k in range(len(px) - 1):
                fade = (k + 1) / len(px)
                colour = scaled(mix(p.cold, p.hot, float(path.temperature[-40:][k]) / hottest), 0.2 + 0.6 * fade)
                pygame.draw.circle(target, colour, (int(px[k]), int(py[k])), max(2, int(3 * unit)))
        x = float(balls.position[0, 0])
        bx, by = self.to_screen(np.array([x]))
        centre = (float(bx[0]), float(by[0]) - 7 * unit)
        marks.ball(target, view.sprites, centre, p.ball, 7 * unit, glow)
        # the slope as a short line on the ball: the drawn curve's tangent there
        h = (scene.surface.hi - scene.surface.lo) * 1e-4
        (x0, x1), (y0, y1) = self.to_screen(np.array([x - h, x + h]))
        angle = math.atan2(y1 - y0, x1 - x0)
        half = 34 * unit
        pygame.draw.line(target, view.palette.text.accent,
                         (centre[0] - half * math.cos(angle), centre[1] - half * math.sin(angle)),
                         (centre[0] + half * math.cos(angle), centre[1] + half * math.sin(angle)), max(2, int(3 * unit)))

    def peek(self) -> list[tuple[float, float]]:
        """(x, L) at PEEK evenly spaced settings across the valley: the data the lesson rolls on."""
        surface = self.view.scene.surface
        xs = np.linspace(surface.lo, surface.hi, PEEK)
        return [(float(x), float(surface.loss(x, self.line_z))) for x in xs]

    def handle_event(self, event) -> bool:
        return False
