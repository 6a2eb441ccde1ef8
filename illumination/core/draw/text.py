"""Text rendered once and reused: a capped cache keyed by (text, pixel size, colour, bold, alpha).

Sizes are em sizes in pixels, as in CSS: `size=24` draws letters whose em box is 24 px (a capital is ~17 px).
The face is Noto Sans, regular and bold, as shipped inside pygame-gui (a dependency): identical glyphs on every
machine, so golden frames stay golden, and a real bold instead of pygame's smeared synthetic one. SDL places each
glyph on a whole pixel, which at small sizes spaces letters unevenly ("pa ra meters"); so text is rendered at
twice the size and scaled down smoothly: glyphs then sit on half pixels and the spacing reads as even.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache

import pygame

SUPERSAMPLE = 2
DEFAULT_FONT_EM = 0.6875   # pygame.font.Font(None, n) draws an em of 0.6875·n pixels (sizes written for that font)


def face(bold: bool = False, fallback: bool = False) -> str:
    """The path of a bundled face: Noto Sans (regular or bold), or the fallback for the symbols Noto Sans lacks
    (∂ ≥ ≤ → ≈ √ …): Fira Code, also shipped inside pygame-gui."""
    from importlib.resources import files
    name = "FiraCode-Regular.ttf" if fallback else "NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf"
    return str(files("pygame_gui.data") / name)


_MISSING: dict = {}   # character -> True if Noto Sans has no glyph for it (it would draw the .notdef box)


def _missing(char: str) -> bool:
    """Whether the main face lacks this character (checked once per character against its .notdef box)."""
    known = _MISSING.get(char)
    if known is None:
        if char.isascii():
            known = False
        else:
            font = pygame.font.Font(face(), 24)
            tofu = pygame.image.tobytes(font.render("\U000F0000", True, (255, 255, 255)), "RGBA")
            known = pygame.image.tobytes(font.render(char, True, (255, 255, 255)), "RGBA") == tofu
        _MISSING[char] = known
    return known


@lru_cache(maxsize=4096)      # the panels ask for the same strings every frame
def runs(text: str) -> tuple[tuple[str, bool], ...]:
    """text split into (run, needs the fallback face) pieces."""
    pieces: list[tuple[str, bool]] = []
    for char in text:
        missing = _missing(char)
        if pieces and pieces[-1][1] == missing:
            pieces[-1] = (pieces[-1][0] + char, missing)
        else:
            pieces.append((char, missing))
    return tuple(pieces)
ALPHA_LEVELS = 32          # fading text is cached at this many opacities


class TextCache:
    def __init__(self, max_entries: int = 600, em_per_size: float = 1.0):
        """em_per_size: the em, in pixels, of one unit of `size` (1.0: sizes are em pixels)."""
        if not pygame.font.get_init():
            pygame.font.init()
        self._fonts: dict = {}
        self._cache: OrderedDict = OrderedDict()
        self._sizes: dict = {}     # (text, em, bold) -> (w, h)
        self.max_entries = max_entries
        self.em_per_size = em_per_size
        self.record: list | None = None    # tests set a list: every blit appends (text, ink rect, em px)

    def em(self, size: float) -> int:
        """The em, in whole pixels, that `size` draws."""
        return max(6, int(round(size * self.em_per_size)))

    def font(self, size: float, bold: bool = False, fallback: bool = False) -> pygame.font.Font:
        """The font that draws `size` at SUPERSAMPLE times its em (render() scales it back down)."""
        key = (self.em(size), bold, fallback)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = pygame.font.Font(face(bold, fallback), key[0] * SUPERSAMPLE)
        return font

    def size(self, text: str, size: float, bold: bool = False) -> tuple[int, int]:
        """The pixel size text would take, without drawing it (remembered: layouts ask every frame)."""
        key = (text, self.em(size), bold)
        known = self._sizes.get(key)
        if known is None:
            widths, height = 0, 0
            for run, fallback in runs(text):
                w, h = self.font(size, bold, fallback).size(run)
                widths, height = widths + w, max(height, h)
            known = math.ceil(widths / SUPERSAMPLE), math.ceil(height / SUPERSAMPLE)
            if len(self._sizes) >= 4 * self.max_entries:
                self._sizes.clear()
            self._sizes[key] = known
        return known

    def _render_big(self, text: str, size: float, colour, bold: bool) -> pygame.Surface:
        """The text at SUPERSAMPLE times its size, runs of missing symbols in the fallback face, on one baseline."""
        pieces = runs(text)
        if len(pieces) == 1 and not pieces[0][1]:
            return self.font(size, bold).render(text, True, colour)
        fonts = [self.font(size, bold, fallback) for _, fallback in pieces]
        ascent = max(font.get_ascent() for font in fonts)
        descent = max(font.get_height() - font.get_ascent() for font in fonts)
        images = [font.render(run, True, colour) for font, (run, _) in zip(fonts, pieces)]
        surface = pygame.Surface((max(1, sum(image.get_width() for image in images)), ascent + descent),
                                 pygame.SRCALPHA)
        x = 0
        for font, image in zip(fonts, images):
            surface.blit(image, (x, ascent - font.get_ascent()))
            x += image.get_width()
        return surface

    def render(self, text: str, size: float, colour, bold: bool = False, alpha: float = 1.0) -> pygame.Surface:
        if not text:     # nothing to ink: a one-pixel-wide transparent line of the text's height
            return pygame.Surface((1, max(1, int(self.em(size) * 1.4))), pygame.SRCALPHA)
        level = round(min(max(alpha, 0.0), 1.0) * ALPHA_LEVELS)
        key = (text, self.em(size), tuple(colour), bold, level)
        surface = self._cache.get(key)
        if surface is None:
            if level < ALPHA_LEVELS:   # a fading copy of the opaque text (cheap: no glyphs rendered again)
                surface = self.render(text, size, colour, bold).copy()
                surface.set_alpha(round(255 * level / ALPHA_LEVELS))
            else:
                big = self._render_big(text, size, colour, bold)
                surface = pygame.transform.smoothscale(
                    big, (max(1, math.ceil(big.get_width() / SUPERSAMPLE)),
                          max(1, math.ceil(big.get_height() / SUPERSAMPLE))))
            self._cache[key] = surface
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return surface

    def blit(self, target: pygame.Surface, text: str, pos, size: float, colour, anchor: str = "topleft",
             bold: bool = False, alpha: float = 1.0) -> pygame.Rect:
        """Draw text anchored at pos; returns its rectangle (also when fully transparent, so layouts can chain)."""
        surface = self.render(text, size, colour, bold, alpha)
        rect = surface.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
        if alpha > 0.5 / ALPHA_LEVELS:
            target.blit(surface, rect)
            if self.record is not None:   # (text, its inked pixels on the target, em px)
                self.record.append((text, surface.get_bounding_rect(min_alpha=8).move(rect.topleft), self.em(size)))
        return rect
