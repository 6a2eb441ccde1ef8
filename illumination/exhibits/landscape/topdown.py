"""The surface from above (view = "map"): a lit relief map with contour lines, the global minima ringed, the
balls as a splat, the first ball's trail and its slope.

Terrain brightness = the relief level of L(x, z) (relief.py: monotone, higher is brighter); z grows upward on
the map, like a mathematician's plot. The terrain layer is built once per surface and size.
"""
from __future__ import annotations


import numpy as np
import pygame

from illumination.core.draw.colour import scaled
from illumination.exhibits.landscape import marks
from illumination.exhibits.landscape.relief import relief_of, terrain_ramp

CONTOURS = 14          # contour lines between the lowest and highest level


class MapStage:
    def __init__(self, view, area: pygame.Rect):
        self.view = view
        if view.gallery:       # the whole height (or width), right of the words (portrait: centred)
            side = min(area.height, area.width)
            left = area.centerx - side // 2 if view.design.portrait else int(area.right - side - view.design.u(40))
            self.rect = pygame.Rect(left, area.top + (area.height - side) // 2, side, side)
            if not view.design.portrait:
                self.words_right = self.rect.left     # the words keep the column on the left
        else:
            side = int(min(area.height * 0.86, area.width * 0.9))
            self.rect = pygame.Rect(area.left + (area.width - side) // 2, area.top + (area.height - side) // 2 +
                                    int(10 * view.unit), side, side)
        self._key = None
        self.paints = None
        self._layer: pygame.Surface | None = None

    def to_pixels(self, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        surface, r = self.view.scene.surface, self.rect
        span = surface.hi - surface.lo
        return (r.left + (x - surface.lo) / span * (r.width - 1),
                r.bottom - 1 - (z - surface.lo) / span * (r.height - 1))

    def _terrain(self) -> pygame.Surface:
        surface = self.view.scene.surface
        if self._key == surface.name:
            return self._layer
        self._key = surface.name
        p, unit = self.view.palette.landscape, self.view.unit
        side = self.rect.width
        axis = np.linspace(surface.lo, surface.hi, side)
        level = relief_of(surface).level(surface.loss(axis[:, None], axis[None, :]))  # (x, z): surfarray order
        # Light from the upper left on the slope of the level: relief you can read without a legend.
        gx, gz = np.gradient(level)
        shade = np.clip(0.75 + 18.0 * (-gx - gz), 0.35, 1.25)
        rgb = terrain_ramp(p, level) * shade[..., None]
        bands = np.floor(level * CONTOURS)
        edge = (np.diff(bands, axis=0, prepend=bands[:1]) != 0) | (np.diff(bands, axis=1, prepend=bands[:, :1]) != 0)
        rgb[edge] = rgb[edge] * 0.45 + np.asarray(p.contour, float) * 0.55
        terrain = pygame.transform.flip(pygame.surfarray.make_surface(np.clip(rgb, 0, 255).astype(np.uint8)),
                                        False, True)
        layer = pygame.Surface(self.rect.size)
        layer.blit(terrain, (0, 0))
        if not self.view.gallery:
            pygame.draw.rect(layer, scaled(p.contour, 0.8), layer.get_rect(), max(1, int(unit)))
        for x_star, z_star in surface.global_minima:
            cx, cy = self.to_pixels(np.array([x_star]), np.array([z_star]))
            pygame.draw.circle(layer, p.contour, (int(cx[0]) - self.rect.left, int(cy[0]) - self.rect.top),
                               int(9 * unit), max(1, int(1.5 * unit)))
        self._layer = layer
        return layer

    def draw(self, target: pygame.Surface) -> None:
        target.blit(self._terrain(), self.rect.topleft)
        marks.balls_on_plane(target, self.view, self.rect, self._project, self.rect.width * 0.25)

    def surface_point(self, pos) -> tuple[float, float] | None:
        """The surface point (x, z) under the screen position pos (to_pixels undone), or None off the map."""
        if not self.rect.collidepoint(pos):
            return None
        surface, r = self.view.scene.surface, self.rect
        span = surface.hi - surface.lo
        x = surface.lo + (pos[0] - r.left) / (r.width - 1) * span
        z = surface.lo + (r.bottom - 1 - pos[1]) / (r.height - 1) * span
        return min(max(x, surface.lo), surface.hi), min(max(z, surface.lo), surface.hi)

    def _project(self, x, z, loss):
        px, py = self.to_pixels(np.asarray(x), np.asarray(z))
        return px, py, np.ones(np.shape(px), dtype=bool)

    def handle_event(self, event) -> bool:
        """A click on the map drops ball 1 there."""
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            point = self.surface_point(event.pos)
            if point is not None:
                self.view.scene.drop_ball(*point)
                return True
        return False
