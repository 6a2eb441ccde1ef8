"""Pre-rendered glow sprites for additive blending (BLEND_RGB_ADD): soft light that is cheap to draw.

A sprite is black outside and the colour at its centre, falling off smoothly, so adding it to the frame
brightens exactly like light does. Sprites are keyed by (radius, colour) after quantising both, and the
cache is capped, so a kiosk running for days never grows.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pygame

INTENSITY_LEVELS = 48


def quantise_colour(colour, intensity: float) -> tuple[int, int, int]:
    """colour scaled by intensity in [0, 1], in INTENSITY_LEVELS steps (so the sprite cache stays small)."""
    level = round(min(max(intensity, 0.0), 1.0) * INTENSITY_LEVELS) / INTENSITY_LEVELS
    return tuple(int(round(c * level)) for c in colour)


def quantise_radius(radius: float) -> int:
    """Integer radii up to 24 px, then steps of ~4%: differences below that are invisible in a glow."""
    r = max(1.0, float(radius))
    if r <= 24:
        return int(round(r))
    step = max(1, int(r * 0.04))
    return int(round(r / step) * step)


def radial_profile(size: int, falloff: float) -> np.ndarray:
    """(size, size) weights in [0, 1]: 1 at the centre, 0 at the rim, smooth in between."""
    centre = (size - 1) / 2.0
    ys, xs = np.mgrid[0:size, 0:size]
    d = np.hypot(xs - centre, ys - centre) / max(centre, 0.5)
    inside = np.clip(1.0 - d, 0.0, 1.0)
    return inside ** falloff


class SpriteCache:
    def __init__(self, max_entries: int = 3000, falloff: float = 2.4):
        self.max_entries = max_entries
        self.falloff = falloff
        self._cache: OrderedDict = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def glow(self, radius: float, colour) -> pygame.Surface:
        key = ("glow", quantise_radius(radius), tuple(colour))
        sprite = self._cache.get(key)
        if sprite is None:
            sprite = self.make(key[1], key[2], self.falloff, core=0.0)
            self._store(key, sprite)
        else:
            self._cache.move_to_end(key)
        return sprite

    def spark(self, radius: float, colour, core: float = 0.6) -> pygame.Surface:
        """A glow with a hot, nearly white centre: particles and sparkles."""
        key = ("spark", quantise_radius(radius), tuple(colour), round(core, 2))
        sprite = self._cache.get(key)
        if sprite is None:
            sprite = self.make(key[1], key[2], 3.0, core=key[3])
            self._store(key, sprite)
        else:
            self._cache.move_to_end(key)
        return sprite

    def _store(self, key, sprite) -> None:
        self._cache[key] = sprite
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)

    @staticmethod
    def make(radius: int, colour, falloff: float, core: float) -> pygame.Surface:
        """A new, uncached sprite (for callers keeping their own bounded cache). A white master (computed once) is
        scaled to size and tinted: ~20x cheaper than computing each sprite."""
        size = 2 * radius + 1
        master = _master(falloff, core)
        sprite = pygame.transform.smoothscale(master, (size, size)) if size > 2 else pygame.Surface((size, size))
        if size <= 2:
            sprite.fill((255, 255, 255))
        sprite.fill(tuple(colour), special_flags=pygame.BLEND_RGB_MULT)
        if core > 0:
            hot = pygame.transform.smoothscale(_master(6.0, 0.0), (size, size)) if size > 2 else sprite.copy()
            level = int(round(255 * core * max(colour) / 255.0))
            hot.fill((level, level, level), special_flags=pygame.BLEND_RGB_MULT)
            sprite.blit(hot, (0, 0), special_flags=pygame.BLEND_RGB_ADD)  # a white-hot centre
        return sprite


PIECE_ROWS = 16     # light_pieces: a sprite's bands are this many rows tall
PIECE_MIN_SIDE = 48  # smaller sprites are added whole (a band's blit has its own overhead)


def light_pieces(sprite: pygame.Surface) -> list[tuple[pygame.Surface, tuple[int, int]]]:
    """The sprite as [(piece, (dx, dy))]: bands of PIECE_ROWS rows, each cut to the columns where it has light.

    Adding a glow (BLEND_RGB_ADD) adds nothing where the sprite is black, and a round glow is black in its
    corners (about a third of its square): adding the pieces at their offsets gives the very same pixels as
    adding the whole sprite, for about two thirds of the work."""
    width, height = sprite.get_size()
    if min(width, height) < PIECE_MIN_SIDE:
        return [(sprite, (0, 0))]
    r, g, b, _ = sprite.get_masks()
    colour = np.uint32(r | g | b)                       # the pixel's colour bits (not the unused or alpha byte)
    pixels = pygame.surfarray.pixels2d(sprite)          # (w, h) view; the sprite is locked while it lives
    try:
        pieces = []
        for top in range(0, height, PIECE_ROWS):
            rows = min(PIECE_ROWS, height - top)
            columns = np.flatnonzero((pixels[:, top:top + rows] & colour).any(axis=1))
            if len(columns):
                left, right = int(columns[0]), int(columns[-1]) + 1
                pieces.append(((left, top, right - left, rows), (left, top)))
    finally:
        del pixels
    return [(sprite.subsurface(rect), offset) for rect, offset in pieces]


_MASTERS: dict = {}
MASTER_SIZE = 257


def _master(falloff: float, core: float) -> pygame.Surface:
    """A large white radial profile (1 at the centre, 0 at the rim) from which every sprite is scaled."""
    key = (falloff, core)
    if key not in _MASTERS:
        weight = radial_profile(MASTER_SIZE, falloff)
        grey = (weight * 255.0).clip(0, 255).astype(np.uint8)
        surface = pygame.Surface((MASTER_SIZE, MASTER_SIZE))
        pygame.surfarray.blit_array(surface, np.repeat(grey[:, :, None], 3, axis=2))
        _MASTERS[key] = surface
    return _MASTERS[key]
