"""The backdrop: a vertical gradient with a soft vignette, computed once per size."""
from __future__ import annotations

import numpy as np
import pygame


def make_background(size: tuple[int, int], top, bottom, vignette: float) -> pygame.Surface:
    width, height = size
    y = np.linspace(0.0, 1.0, height)[None, :, None]                       # (1, h, 1)
    colour = np.asarray(top, float) * (1 - y) + np.asarray(bottom, float) * y  # (1, h, 3)
    xs = np.linspace(-1.0, 1.0, width)[:, None]
    ys = np.linspace(-1.0, 1.0, height)[None, :]
    # An elliptical falloff that reaches `vignette` darkening in the far corners.
    falloff = 1.0 - vignette * np.clip((xs ** 2 + ys ** 2) / 2.0, 0.0, 1.0) ** 1.5   # (w, h)
    rgb = colour * falloff[:, :, None]
    # A whisper of ordered dither hides 8-bit banding in the dark gradient.
    dither = (np.indices((width, height)).sum(axis=0) % 2 - 0.5)[:, :, None] * 0.6
    surface = pygame.Surface(size)
    pygame.surfarray.blit_array(surface, np.clip(rgb + dither, 0, 255).astype(np.uint8))
    return surface
