"""The real network's landscape (view = "network"): the live MLP's training loss on a plane through its current
weights (probe.py), as a lit map with contours, the current weights at the centre. Outside the plane nothing is
invented: each of the 51 x 51 cells is a measured mean cross-entropy, upscaled smoothly for the screen.

Colour = log-loss, scaled between the plane's lowest and highest cell (so the map shows the plane's own shape;
the panel prints the numbers). What draw may change: the map layer and its key (one per measured slice).
"""
from __future__ import annotations

import numpy as np
import pygame

from illumination.core.draw.colour import scaled

CONTOURS = 12


def _linear_weights(size: int, side: int) -> np.ndarray:
    """(side, size): row k holds the linear-interpolation weights of output pixel k over the input samples."""
    position = np.linspace(0.0, size - 1, side)
    left = np.minimum(np.floor(position).astype(int), size - 2)
    fraction = position - left
    weights = np.zeros((side, size))
    weights[np.arange(side), left] = 1.0 - fraction
    weights[np.arange(side), left + 1] = fraction
    return weights


class NetworkStage:
    def __init__(self, view, area: pygame.Rect):
        self.view = view
        unit = view.unit
        side = int(min(area.height * 0.8, area.width * 0.86))
        self.rect = pygame.Rect(area.left + (area.width - side) // 2 + int(16 * unit),
                                area.top + (area.height - side) // 2, side, side)
        self._key = None
        self.paints = None
        self._layer: pygame.Surface | None = None

    def _map(self, probe) -> pygame.Surface:
        key = (self.view.scene.run, probe.version)
        if key == self._key:
            return self._layer
        self._key = key
        p = self.view.palette.landscape
        logs = np.log(np.maximum(probe.losses, 1e-12))                       # (R, R): rows β, columns α
        low, high = float(logs.min()), float(logs.max())
        level = (logs - low) / (high - low) if high > low else np.zeros_like(logs)
        side = self.rect.width
        # upscale the measured grid bilinearly (in floats: contours stay smooth), then colour and band it
        spread = _linear_weights(level.shape[0], side)                              # (side, R)
        fine = (spread @ level.T @ spread.T)[:, ::-1]           # (α, β): surfarray order; β grows upward
        gx, gz = np.gradient(fine)
        shade = np.clip(0.8 + 20.0 * (-gx + gz), 0.4, 1.25)
        lo_c, hi_c = np.asarray(p.terrain_low, float), np.asarray(p.terrain_high, float)
        rgb = (lo_c + (hi_c - lo_c) * (0.15 + 0.85 * fine[..., None])) * shade[..., None]
        bands = np.floor(fine * CONTOURS)
        edge = (np.diff(bands, axis=0, prepend=bands[:1]) != 0) | (np.diff(bands, axis=1, prepend=bands[:, :1]) != 0)
        rgb[edge] = rgb[edge] * 0.45 + np.asarray(p.contour, float) * 0.55
        layer = pygame.surfarray.make_surface(np.clip(rgb, 0, 255).astype(np.uint8))
        pygame.draw.rect(layer, scaled(p.contour, 0.8), layer.get_rect(), max(1, int(self.view.unit)))
        self._layer = layer
        return layer

    def draw(self, target: pygame.Surface) -> None:
        view, probe = self.view, self.view.scene.probe
        if probe is None:
            return
        p, unit, text = view.palette, view.unit, view.text
        r = self.rect
        target.blit(self._map(probe), r.topleft)
        centre = r.center
        arm = int(12 * unit)
        pygame.draw.line(target, p.landscape.ball, (centre[0] - arm, centre[1]), (centre[0] + arm, centre[1]), 2)
        pygame.draw.line(target, p.landscape.ball, (centre[0], centre[1] - arm), (centre[0], centre[1] + arm), 2)
        marks_size = view.font(13)
        text.blit(target, "the network now", (centre[0] + arm + 4, centre[1] - arm - marks_size), marks_size,
                  p.landscape.ball)
        for value, anchor_x in ((-probe.alphas[-1], r.left), (0.0, r.centerx), (probe.alphas[-1], r.right)):
            text.blit(target, f"{value:g}", (anchor_x, r.bottom + int(6 * unit)), marks_size, p.text.secondary,
                      anchor="midtop")
        text.blit(target, "α along direction 1", (r.centerx, r.bottom + int(26 * unit)), view.font(14),
                  p.text.secondary, anchor="midtop")
        label = pygame.transform.rotate(text.render("β along direction 2", view.font(14), p.text.secondary), 90)
        target.blit(label, (r.left - label.get_width() - int(10 * unit), r.centery - label.get_height() // 2))

    def handle_event(self, event) -> bool:
        return False
