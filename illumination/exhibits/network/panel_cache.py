"""The explain panels, drawn when what they show changes and copied in between.

A panel shows numbers that change a few times a second, not sixty: the shown sample's snapshot lasts a whole
forward or backward phase, the charts an epoch, a live-math step 1.6 s. So each panel is painted once per change
of its key, over the plain background of its area, and that area is copied onto the frame until the key changes.
The key must hold everything the panel reads; tests draw every frame of a run with and without the cache and
require the very same pixels. An area that reaches into the network (on a small, crowded stage the grid's legend
does) would freeze the glow under it, so such a panel is painted every frame instead.
"""
from __future__ import annotations

from typing import Callable

import pygame


class PanelCache:
    def __init__(self, background: pygame.Surface, live_area: pygame.Rect):
        """live_area: where the frame changes every frame (the network: neurons, glow, particles)."""
        self.background = background
        self.live_area = live_area
        self.enabled = True        # off: every panel painted every frame (the tests' reference frames)
        self._entries: dict = {}   # name -> (area, pinned objects, values, image)
        self.painted = 0           # panels painted (cache misses), for the benchmarks
        self.copied = 0            # panels copied (hits)

    def draw(self, surface: pygame.Surface, name: str, area: pygame.Rect, same: tuple, values: tuple,
             paint: Callable[[pygame.Surface], None]) -> None:
        """Draw panel `name` within `area`: painted by paint(surface) when its key changed, else copied.
        The key is `same` (objects, compared by identity: a snapshot, the trainer) and `values` (compared by ==)."""
        area = area.clip(surface.get_rect())
        if not area.width or not area.height or area.colliderect(self.live_area):
            paint(surface)
            return
        entry = self._entries.get(name)
        if (self.enabled and entry is not None and entry[0] == area and len(entry[1]) == len(same)
                and all(a is b for a, b in zip(entry[1], same)) and entry[2] == values):
            surface.blit(entry[3], area)
            self.copied += 1
            return
        # Painted the same way whether it will be kept or not: over the plain background of its area, and clipped
        # to it (on a crowded stage a legend may be wider than its panel: it is cut, never left behind).
        surface.blit(self.background, area, area)
        clip = surface.get_clip()
        surface.set_clip(area)
        try:
            paint(surface)
        finally:
            surface.set_clip(clip)
        if self.enabled:
            self._entries[name] = (area.copy(), same, values, surface.subsurface(area).copy())
        self.painted += 1

    def forget(self) -> None:
        self._entries.clear()
