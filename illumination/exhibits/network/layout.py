"""Where everything goes, in relative units: a 1600x900 design stage fitted to any window.

The stage keeps its 16:9 proportions and is centred (with the background filling the rest), so
1280x720, 3840x2160, 4:3 and ultra-wide screens all look composed and nothing is ever clipped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

DESIGN_W, DESIGN_H = 1600.0, 900.0


@dataclass(frozen=True)
class NetworkLayout:
    size: tuple[int, int]
    hidden: int
    scale: float                 # pixels per design unit
    origin: tuple[float, float]  # pixel position of the stage's top-left corner
    inputs: np.ndarray           # (64, 2) pixel centres of the input bulbs (row-major 8x8)
    hiddens: np.ndarray          # (H, 2)
    outputs: np.ndarray          # (2, 2)
    input_radius: float
    hidden_radius: float
    output_radius: float
    tile_size: float             # side of a receptive-field tile
    grid_origin: tuple[float, float]
    grid_tile: float
    grid_pitch: tuple[float, float]
    math_rect: pygame.Rect
    metrics_rect: pygame.Rect
    network_rect: pygame.Rect    # the area the synapses and particles live in

    def px(self, x: float, y: float) -> tuple[float, float]:
        return self.origin[0] + x * self.scale, self.origin[1] + y * self.scale

    def u(self, units: float) -> float:
        """A length in design units, in pixels."""
        return units * self.scale

    def font(self, units: float) -> int:
        return max(9, int(round(units * self.scale)))

    def rect(self, x: float, y: float, w: float, h: float) -> pygame.Rect:
        left, top = self.px(x, y)
        return pygame.Rect(int(round(left)), int(round(top)), int(round(w * self.scale)), int(round(h * self.scale)))


def network_layout(size: tuple[int, int], hidden: int) -> NetworkLayout:
    width, height = size
    scale = min(width / DESIGN_W, height / DESIGN_H)
    origin = ((width - DESIGN_W * scale) / 2.0, (height - DESIGN_H * scale) / 2.0)

    def px(x, y):
        return origin[0] + x * scale, origin[1] + y * scale

    pitch_in = 25.0
    cx, cy = 560.0, 470.0
    rows, cols = np.divmod(np.arange(64), 8)
    inputs = np.array([px(cx + (c - 3.5) * pitch_in, cy + (r - 3.5) * pitch_in) for r, c in zip(rows, cols)])

    top, bottom = 130.0, 810.0
    pitch_h = (bottom - top) / max(hidden - 1, 1)
    hidden_x = 925.0
    ys = [top + k * pitch_h for k in range(hidden)] if hidden > 1 else [cy]
    hiddens = np.array([px(hidden_x, y) for y in ys])
    outputs = np.array([px(1105.0, cy - 70.0), px(1105.0, cy + 70.0)])

    hidden_radius = min(11.0, pitch_h * 0.28)
    tile = min(34.0, pitch_h * 0.78)
    left, top_px = px(430, 110)
    right, bottom_px = px(1150, 840)
    return NetworkLayout(
        size=size, hidden=hidden, scale=scale, origin=origin,
        inputs=inputs, hiddens=hiddens, outputs=outputs,
        input_radius=7.0 * scale, hidden_radius=hidden_radius * scale, output_radius=19.0 * scale,
        tile_size=tile * scale,
        grid_origin=px(40, 120), grid_tile=50.0 * scale, grid_pitch=(64.0 * scale, 74.0 * scale),
        math_rect=pygame.Rect(*map(int, px(40, 430)), int(350 * scale), int(345 * scale)),
        metrics_rect=pygame.Rect(*map(int, px(1205, 110)), int(355 * scale), int(750 * scale)),
        network_rect=pygame.Rect(int(left), int(top_px), int(right - left), int(bottom_px - top_px)),
    )
