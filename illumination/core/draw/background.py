"""The backdrop: a vertical gradient with a soft vignette, computed once per size."""
from __future__ import annotations

import numpy as np
import pygame


def make_background(size: tuple[int, int], top, bottom, vignette: float) -> pygame.Surface:
    """(In float32 and with broadcasting: a 4K backdrop costs ~0.1 s, not a second, so a window opens quickly.)"""
    width, height = size
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[None, :, None]                      # (1, h, 1)
    colour = (np.asarray(top, np.float32) * (1 - y) + np.asarray(bottom, np.float32) * y)    # (1, h, 3)
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[:, None]
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[None, :]
    # An elliptical falloff that reaches `vignette` darkening in the far corners.
    d = np.minimum((xs * xs + ys * ys) * np.float32(0.5), np.float32(1.0))                  # (w, h)
    falloff = np.float32(1.0) - np.float32(vignette) * d * np.sqrt(d)
    # A whisper of ordered dither (a checkerboard of ±0.3) hides 8-bit banding in the dark gradient.
    dither = ((np.arange(width)[:, None] + np.arange(height)[None, :]) & 1).astype(np.float32) * np.float32(0.6) \
        - np.float32(0.3)                                                                 # (w, h)
    rgb = colour * falloff[:, :, None] + dither[:, :, None]
    surface = pygame.Surface(size)
    pygame.surfarray.blit_array(surface, np.clip(rgb, 0, 255).astype(np.uint8))
    return surface
