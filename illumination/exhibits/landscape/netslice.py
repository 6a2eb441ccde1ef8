"""The real network's landscape (view = "network"): the live MLP's training loss on a plane through its current
weights (probe.py), as a lit map with contours, the current weights at the centre. Outside the plane nothing is
invented: each of the 51 x 51 cells is a measured mean cross-entropy, upscaled smoothly for the screen.

Colour = log-loss, scaled between the plane's lowest and highest cell (so the map shows the plane's own shape;
the panel prints the numbers). In the gallery the map fills the frame's height, coloured on a ramp of the theme's
colours whose lightness rises with the loss (dark valley → cold → hot → pale), with its colour scale, and the
slice is the plane of the weights' own path (probe.py), drawn on it as a glowing line ending at the network now.
What draw may change: the map layer and its key (one per measured slice).
"""
from __future__ import annotations

import numpy as np
import pygame

from illumination.core.draw.colour import mix, scaled
from illumination.core.draw.typescale import LABEL

CONTOURS = 12
MAP_WORK_SIDE = 480     # the map's colours are computed at most this wide (the data is 51 x 51; a 4K map is 2,160)
SCALE_BAR = 18          # design units: the width of the gallery's colour scale


def loss_ramp(palette, level: np.ndarray) -> np.ndarray:
    """(..., 3) colours for levels (...,) in [0, 1], lightness rising: terrain_low, a dimmed cold, hot, the ball's
    pale light. Stops at 0, ⅓, ⅔, 1 of the level."""
    stops = np.array([palette.terrain_low, scaled(palette.cold, 0.6), palette.hot, palette.ball], dtype=float)
    t = np.clip(np.asarray(level, dtype=np.float64), 0.0, 1.0) * 3.0
    k = np.minimum(np.floor(t).astype(int), 2)
    f = (t - k)[..., None]
    return np.take(stops, k, axis=0) * (1.0 - f) + np.take(stops, k + 1, axis=0) * f


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
        if view.gallery:          # the frame's full height, to the right of the words (portrait: centred)
            side = min(area.height, area.width)
            left = area.centerx - side // 2 if view.design.portrait else int(area.right - side - view.design.u(40))
            self.rect = pygame.Rect(left, area.top + (area.height - side) // 2, side, side)
            self.words_right = self.rect.left - int(view.design.u(110))   # the name sits left of the colour scale
        else:
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
        work = min(side, MAP_WORK_SIDE)     # colour at most this many pixels a side, then scale smoothly up
        # upscale the measured grid bilinearly (in floats: contours stay smooth), then colour and band it
        spread = _linear_weights(level.shape[0], work)                              # (work, R)
        fine = (spread @ level.T @ spread.T)[:, ::-1]           # (α, β): surfarray order; β grows upward
        gx, gz = (g * (work / side) for g in np.gradient(fine))   # per screen pixel, as the shading expects
        shade = np.clip(0.8 + 20.0 * (-gx + gz), 0.4, 1.25)
        rgb = loss_ramp(p, fine) * np.clip(0.85 + 0.5 * (shade - 0.8), 0.7, 1.1)[..., None]
        bands = np.floor(fine * CONTOURS)
        edge = (np.diff(bands, axis=0, prepend=bands[:1]) != 0) | (np.diff(bands, axis=1, prepend=bands[:, :1]) != 0)
        rgb[edge] = rgb[edge] * 0.45 + np.asarray(p.contour, float) * 0.55
        layer = pygame.surfarray.make_surface(np.clip(rgb, 0, 255).astype(np.uint8))
        if work != side:
            layer = pygame.transform.smoothscale(layer, (side, side))
        if not self.view.gallery:
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
        if view.gallery:
            self._draw_gallery(target, probe)
            return
        self._draw_scale(target, probe, beside="right")
        centre = r.center
        arm = int(12 * unit)
        pygame.draw.line(target, p.landscape.ball, (centre[0] - arm, centre[1]), (centre[0] + arm, centre[1]), 2)
        pygame.draw.line(target, p.landscape.ball, (centre[0], centre[1] - arm), (centre[0], centre[1] + arm), 2)
        marks_size = view.design.type(LABEL)
        text.blit(target, "the network now", (centre[0] + arm + 4, centre[1] - arm - marks_size), marks_size,
                  p.landscape.ball)
        for value, anchor_x in ((-probe.alphas[-1], r.left), (0.0, r.centerx), (probe.alphas[-1], r.right)):
            text.blit(target, f"{value:g}", (anchor_x, r.bottom + int(6 * unit)), marks_size, p.text.secondary,
                      anchor="midtop")
        text.blit(target, "α along direction 1", (r.centerx, r.bottom + 6 * unit + marks_size * 1.3), marks_size,
                  p.text.secondary, anchor="midtop")
        label = pygame.transform.rotate(text.render("β along direction 2", marks_size, p.text.secondary), 90)
        target.blit(label, (r.left - label.get_width() - int(10 * unit), r.centery - label.get_height() // 2))

    def to_pixels(self, probe, alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Screen positions of slice coordinates (α, β): α to the right, β upward, the slice's span edge to edge."""
        r, span = self.rect, float(probe.alphas[-1])
        return (r.left + (alpha / span + 1.0) / 2.0 * (r.width - 1),
                r.bottom - 1 - (beta / span + 1.0) / 2.0 * (r.height - 1))

    def _draw_gallery(self, target: pygame.Surface, probe) -> None:
        """The path glowing on its plane (oldest faint), the network now as a bright point, and the colour scale."""
        view, p = self.view, self.view.palette
        stage = view.design
        if probe.path_on_slice:
            px, py = self.to_pixels(probe, probe.path_coords[:, 0], probe.path_coords[:, 1])
            n = len(px)
            width = max(2, int(stage.u(4)))
            for k in range(n - 1):
                age = (k + 1) / (n - 1)
                pygame.draw.line(target, scaled(p.landscape.ball, 0.3 + 0.7 * age), (px[k], py[k]),
                                 (px[k + 1], py[k + 1]), max(1, int(round(width * (0.4 + 0.6 * age)))))
        halo = view.sprites.glow(stage.u(46), p.landscape.ball)
        cx, cy = self.rect.center
        target.blit(halo, (cx - halo.get_width() // 2, cy - halo.get_height() // 2), special_flags=pygame.BLEND_RGB_ADD)
        pygame.draw.circle(target, p.landscape.ball, (cx, cy), max(3, int(stage.u(7))))
        self._draw_scale(target, probe, beside="under" if view.design.portrait else "left")

    def _draw_scale(self, target: pygame.Surface, probe, beside: str) -> None:
        """The colour scale: the ramp from the plane's lowest loss to its highest, with both numbers, left of the
        map, right of it, or under it (lowest on the left)."""
        view, p = self.view, self.view.palette
        stage = view.design
        low, high = float(probe.losses.min()), float(probe.losses.max())
        size, gap = stage.type(LABEL), stage.u(6)
        if beside == "under":
            bar = pygame.Rect(0, 0, int(self.rect.width * 0.4), int(stage.u(SCALE_BAR)))
            bar.midtop = (self.rect.centerx, self.rect.bottom + int(stage.u(24)))
            ramp = loss_ramp(p.landscape, np.linspace(0.0, 1.0, bar.width))           # (w, 3), left first
            strip = np.repeat(ramp[:, None, :], bar.height, axis=1)                     # (w, h, 3)
            ends = ((f"{low:.3g}", (bar.left - gap, bar.centery), "midright"),
                    (f"{high:.3g}", (bar.right + gap, bar.centery), "midleft"),
                    ("loss", (bar.centerx, bar.bottom + gap), "midtop"))
        else:                       # beside the map, lowest loss at the bottom
            bar = pygame.Rect(0, 0, int(stage.u(SCALE_BAR)), int(self.rect.height * 0.4))
            if beside == "left":
                bar.bottomright = (self.rect.left - int(stage.u(18)), self.rect.bottom - int(stage.u(70)))
            else:
                bar.bottomleft = (self.rect.right + int(stage.u(18)), self.rect.bottom - int(stage.u(70)))
            ramp = loss_ramp(p.landscape, np.linspace(1.0, 0.0, bar.height))          # (h, 3), top first
            strip = np.repeat(ramp[None, :, :], bar.width, axis=0)                      # (w, h, 3)
            ends = ((f"{high:.3g}", (bar.centerx, bar.top - gap), "midbottom"),
                    (f"{low:.3g}", (bar.centerx, bar.bottom + gap), "midtop"),
                    ("loss", (bar.centerx, bar.top - gap - size * 1.4), "midbottom"))
        target.blit(pygame.surfarray.make_surface(np.clip(strip, 0, 255).astype(np.uint8)), bar.topleft)
        for words, at, anchor in ends:
            view.text.blit(target, words, at, size, p.text.secondary, anchor=anchor)

    def handle_event(self, event) -> bool:
        return False
