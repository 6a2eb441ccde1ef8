"""Text drawn over the exhibit: the help and diagnostics boxes, short messages, the recording light.

Boxes are rendered once per (lines, size) and reused, so an open overlay costs one blit a frame.
The monospace face is the Fira Code that pygame-gui ships (no system font lookups, same on every machine).
"""
from __future__ import annotations

from importlib import resources

import pygame

from illumination.modes.desktop.wrapping import wrap_message

BOX_COLOUR = (12, 14, 20, 250)   # nearly opaque: the exhibit's lights must not show through the words
BACKDROP_LEVEL = 0.4             # a box that needs reading (help, diagnostics) dims the exhibit around it to this
BORDER = (90, 96, 112)
TEXT = (232, 230, 220)
DIM = (150, 154, 166)
ERROR = (240, 130, 100)
RECORDING = (230, 60, 50)


def _font_path() -> str | None:
    try:
        path = resources.files("pygame_gui.data") / "FiraCode-Regular.ttf"
        return str(path) if path.is_file() else None
    except (ModuleNotFoundError, OSError):
        return None


class Overlay:
    def __init__(self):
        if not pygame.font.get_init():
            pygame.font.init()
        self._path = _font_path()
        self._fonts: dict[int, pygame.font.Font] = {}
        self._boxes: dict = {}

    def font(self, size: int) -> pygame.font.Font:
        size = max(8, int(size))
        if size not in self._fonts:
            self._fonts[size] = pygame.font.Font(self._path, size)
        return self._fonts[size]

    def box(self, lines: list[str], size: int, colour=TEXT, title_colour=None) -> pygame.Surface:
        key = (tuple(lines), size, colour, title_colour)
        surface = self._boxes.get(key)
        if surface is None:
            if len(self._boxes) > 16:
                self._boxes.clear()
            font = self.font(size)
            pad, step = size, font.get_linesize()
            rendered = [font.render(line, True, (title_colour or colour) if n == 0 else colour) if line else None
                        for n, line in enumerate(lines)]
            width = max((r.get_width() for r in rendered if r), default=0) + 2 * pad
            height = step * len(lines) + 2 * pad
            surface = pygame.Surface((width, height), pygame.SRCALPHA)
            surface.fill(BOX_COLOUR)
            pygame.draw.rect(surface, BORDER, surface.get_rect(), 1)
            for n, r in enumerate(rendered):
                if r:
                    surface.blit(r, (pad, pad + n * step))
            self._boxes[key] = surface
        return surface

    def draw_box(self, target: pygame.Surface, lines: list[str], anchor: str = "center", colour=TEXT,
                 title_colour=None, size: int | None = None, backdrop: bool = False,
                 wrap: bool = False) -> pygame.Rect:
        """Draw a box of lines on target, shrinking the text until it fits. With backdrop the exhibit is dimmed
        first, so the box reads as a layer above it (help and diagnostics); with wrap a long line is broken at
        spaces and path separators (wrapping.py) before the text is shrunk."""
        w, h = target.get_size()
        size = size or max(11, min(20, h // 46))
        def laid_out(size):
            return self.wrapped(lines, size, w - 16) if wrap else lines
        box = self.box(laid_out(size), size, colour, title_colour)
        while (box.get_width() > w - 16 or box.get_height() > h - 16) and size > 8:
            size -= 1
            box = self.box(laid_out(size), size, colour, title_colour)
        rect = box.get_rect()
        margin = 12
        if anchor == "center":
            rect.center = (w // 2, h // 2)
        elif anchor == "bottomleft":
            rect.bottomleft = (margin, h - margin)
        elif anchor == "topright":
            rect.topright = (w - margin, margin)
        if backdrop:
            level = round(255 * BACKDROP_LEVEL)
            target.fill((level, level, level), special_flags=pygame.BLEND_RGB_MULT)
        target.blit(box, rect)
        return rect

    def wrapped(self, lines: list[str], size: int, width: int) -> list[str]:
        """The lines broken to fit a box `width` wide at this size (its padding taken off)."""
        font, room = self.font(size), width - 2 * max(8, int(size))
        return wrap_message("\n".join(lines), lambda text: font.size(text)[0] <= room)

    def draw_recording(self, target: pygame.Surface, seconds: float) -> None:
        size = max(12, target.get_height() // 50)
        font = self.font(size)
        label = font.render(f"REC {int(seconds) // 60:02d}:{int(seconds) % 60:02d}", True, TEXT)
        x = target.get_width() - label.get_width() - 16
        y = 12
        pygame.draw.circle(target, RECORDING, (x - size // 2 - 6, y + label.get_height() // 2), size // 2)
        target.blit(label, (x, y))
