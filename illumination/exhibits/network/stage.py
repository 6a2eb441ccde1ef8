"""The frame's static base: background + the first synapse layer, pre-composed, plain and pulsed.

Blitting one pre-composed surface costs the same as blitting the background alone, so the 1,024
input synapses (and their pulse) are free on every frame that does not change them. When the layer
swaps in a new picture, the two bases are rebuilt over the next frames (one operation per frame), so
no frame pays for all of it; until then the previous bases stay on screen.
"""
from __future__ import annotations

import pygame

from illumination.exhibits.network.synapses import SynapseLayer


class StageCache:
    def __init__(self, background: pygame.Surface, layer: SynapseLayer):
        self.background = background
        self.layer = layer
        self.plain = background.copy()
        self.pulsed = background.copy()
        self._plain_next = background.copy()
        self._pulsed_next = background.copy()
        self._jobs: list = []
        self.ready = False

    def rebuild_soon(self) -> None:
        """The layer has a new picture: queue the rebuild, one operation per frame."""
        layer, rect = self.layer, self.layer.rect
        # Outside the layer's rectangle both bases are the background already: only that area is recomposed.
        self._jobs = [
            lambda: self._plain_next.blit(self.background, rect.topleft, area=rect),
            lambda: self._plain_next.blit(layer.front, rect.topleft, special_flags=pygame.BLEND_RGB_ADD),
            lambda: self._pulsed_next.blit(self._plain_next, rect.topleft, area=rect),
            lambda: self._pulsed_next.blit(layer.pulse, rect.topleft, special_flags=pygame.BLEND_RGB_ADD),
            self._swap,
        ]

    def rebuild_now(self) -> None:
        self.rebuild_soon()
        while self._jobs:
            self._jobs.pop(0)()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def work(self, operations: int = 1) -> None:
        for _ in range(min(operations, len(self._jobs))):
            self._jobs.pop(0)()

    def _swap(self) -> None:
        self.plain, self._plain_next = self._plain_next, self.plain
        self.pulsed, self._pulsed_next = self._pulsed_next, self.pulsed
        self.ready = True

    def draw(self, target: pygame.Surface, pulsing: bool) -> None:
        target.blit(self.pulsed if pulsing else self.plain, (0, 0))
