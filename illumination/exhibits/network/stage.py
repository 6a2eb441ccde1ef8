"""The frame's static base: background + the first synapse layer, pre-composed, plain and pulsed.

Blitting one pre-composed surface costs the same as blitting the background alone, so the 1,024
input synapses (and their pulse) are free on every frame that does not change them. When the layer
swaps in a new picture, the two bases are recomposed over the next frames, band by band of the layer's
rectangle (at most PIXELS_PER_FRAME pixels of surface operations per frame), so no frame pays for all of
it; until the new bases are complete the previous ones stay on screen. The work per frame depends only on
the sizes, so exported frames stay deterministic.

The pulsed base is the plain one plus the lines' light times 96/255 (synapses.PULSE), computed per band in a
scratch surface: the same pixels as adding the layer's own pulse picture, which this layer no longer keeps.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from illumination.exhibits.network.synapses import PULSE, SynapseLayer

BAND_PIXELS = 300_000        # one band of the layer's rectangle: about 0.2-0.4 ms per surface operation
PIXELS_PER_FRAME = 3_000_000  # ten band operations per frame at most (~1.5-2 ms at 4K; a 1080p layer in one frame)


class StageCache:
    def __init__(self, background: pygame.Surface, layer: SynapseLayer):
        self.background = background
        self.layer = layer
        self.plain = background.copy()
        self.pulsed = background.copy()
        self._plain_next = background.copy()
        self._pulsed_next = background.copy()
        self._scratch = pygame.Surface(layer.rect.size)     # a band of the lines' pulse
        self._jobs: list = []                               # [(pixels, operation)]
        self.ready = False

    def bands(self) -> list[pygame.Rect]:
        """The layer's rectangle (clipped to the frame) cut into horizontal bands of about BAND_PIXELS."""
        rect = self.layer.rect.clip(self.background.get_rect())
        if not rect.width or not rect.height:
            return []
        count = max(1, math.ceil(rect.width * rect.height / BAND_PIXELS))
        height = math.ceil(rect.height / count)
        return [pygame.Rect(rect.x, y, rect.width, min(height, rect.bottom - y))
                for y in range(rect.y, rect.bottom, height)]

    def rebuild_soon(self) -> None:
        """The layer has a new picture: queue the recomposition, a few band operations per frame."""
        layer = self.layer
        plain, pulsed, scratch, background = self._plain_next, self._pulsed_next, self._scratch, self.background
        jobs = []
        # Outside the layer's rectangle both bases are the background already: only that area is recomposed.
        for band in self.bands():
            local = band.move(-layer.rect.x, -layer.rect.y)        # the band in the layer's own coordinates
            pixels = band.width * band.height
            jobs += [
                (pixels, lambda band=band: plain.blit(background, band.topleft, area=band)),
                (pixels, lambda band=band, local=local: plain.blit(layer.front, band.topleft, area=local,
                                                                   special_flags=pygame.BLEND_RGB_ADD)),
                (pixels, lambda band=band: pulsed.blit(plain, band.topleft, area=band)),
                (pixels, lambda local=local: scratch.blit(layer.front, local.topleft, area=local)),
                (pixels, lambda local=local: scratch.fill(PULSE, local, special_flags=pygame.BLEND_RGB_MULT)),
                (pixels, lambda band=band, local=local: pulsed.blit(scratch, band.topleft, area=local,
                                                                    special_flags=pygame.BLEND_RGB_ADD)),
            ]
        jobs.append((0, self._swap))
        self._jobs = jobs

    def rebuild_now(self) -> None:
        self.rebuild_soon()
        self.work(pixels=None)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def work(self, pixels: int | None = PIXELS_PER_FRAME) -> None:
        """This frame's share: operations in order until `pixels` are spent (at least one; None: all of them)."""
        spent = 0
        while self._jobs and (pixels is None or spent == 0 or spent + self._jobs[0][0] <= pixels):
            cost, operation = self._jobs.pop(0)
            operation()
            spent += cost

    def _swap(self) -> None:
        self.plain, self._plain_next = self._plain_next, self.plain
        self.pulsed, self._pulsed_next = self._pulsed_next, self.pulsed
        self.ready = True

    def draw(self, target: pygame.Surface, pulsing: bool) -> None:
        copy_whole(self.pulsed if pulsing else self.plain, target)


def copy_whole(source: pygame.Surface, target: pygame.Surface) -> None:
    """target.blit(source, (0, 0)) for a source that covers the whole target: when both have the very same pixel
    format (the usual case: a 32-bit frame), the bytes are copied by NumPy, which at 4K is ~15% faster than SDL's
    blit (2.3 vs 2.8 ms for 33 MB) and writes the same bytes; anything else is blitted."""
    if (source.get_size() == target.get_size() and source.get_bitsize() == target.get_bitsize() == 32
            and source.get_masks() == target.get_masks() and source.get_colorkey() is None
            and source.get_alpha() is None and target.get_clip() == target.get_rect()):
        try:
            destination = pygame.surfarray.pixels2d(target)
        except (pygame.error, ValueError):     # a surface whose pixels cannot be viewed (a hardware display)
            destination = None
        if destination is not None:
            pixels = pygame.surfarray.pixels2d(source)
            np.copyto(destination, pixels)
            del destination, pixels          # unlock both surfaces
            return
    target.blit(source, (0, 0))
