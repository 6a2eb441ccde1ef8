"""Text rendered once and reused: a capped cache keyed by (text, pixel size, colour, bold)."""
from __future__ import annotations

from collections import OrderedDict

import pygame


class TextCache:
    def __init__(self, max_entries: int = 600):
        if not pygame.font.get_init():
            pygame.font.init()
        self._fonts: dict = {}
        self._cache: OrderedDict = OrderedDict()
        self.max_entries = max_entries

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        key = (max(6, int(size)), bold)
        font = self._fonts.get(key)
        if font is None:
            # pygame's bundled font: identical glyphs on every machine, so golden frames stay golden.
            font = pygame.font.Font(None, key[0])
            font.set_bold(bold)
            self._fonts[key] = font
        return font

    def render(self, text: str, size: int, colour, bold: bool = False) -> pygame.Surface:
        key = (text, max(6, int(size)), tuple(colour), bold)
        surface = self._cache.get(key)
        if surface is None:
            surface = self.font(size, bold).render(text, True, colour)
            self._cache[key] = surface
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return surface

    def blit(self, target: pygame.Surface, text: str, pos, size: int, colour, anchor: str = "topleft",
             bold: bool = False) -> pygame.Rect:
        surface = self.render(text, size, colour, bold)
        rect = surface.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
        target.blit(surface, rect)
        return rect
