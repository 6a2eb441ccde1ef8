"""Light themes, done once for every exhibit: the renderer composes light additively on a dark canvas, so a light
("print") theme is drawn in inverted colours (Theme.emission_palette) and the finished frame is inverted here,
which turns additive light into ink on paper."""
from __future__ import annotations

import pygame


class FrameInverter:
    """invert(frame) turns a finished frame to its negative, in place; a no-op for a dark theme."""

    def __init__(self, size: tuple[int, int], theme):
        self._scratch = pygame.Surface(size) if theme.is_light else None

    def invert(self, frame: pygame.Surface) -> None:
        if self._scratch is None:
            return
        self._scratch.fill((255, 255, 255))
        self._scratch.blit(frame, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
        frame.blit(self._scratch, (0, 0))
