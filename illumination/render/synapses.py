"""The synapse layer: every connection drawn once into a cached surface, redrawn only when it would look different.

Thickness and brightness grow with |w| (monotone, saturating: m = 1 − exp(−|w|/ref)); colour is the
weight's sign. Each line's look is quantised (brightness levels × pixel widths); when no line's look
changed since the last drawing, nothing is redrawn — that is what "the weights changed visibly" means.
"""
from __future__ import annotations

import numpy as np
import pygame

LEVELS = 32


class SynapseLayer:
    def __init__(self, starts: np.ndarray, ends: np.ndarray, rect: pygame.Rect, reference: float, scale: float):
        """starts, ends: (n, 2) pixel coordinates; rect: the screen area the layer covers."""
        self.rect = pygame.Rect(rect)
        self.starts = np.asarray(starts, dtype=np.float64) - self.rect.topleft
        self.ends = np.asarray(ends, dtype=np.float64) - self.rect.topleft
        self.reference = reference
        self.scale = scale
        self.surface = pygame.Surface(self.rect.size)
        self.pulse = pygame.Surface(self.rect.size)  # the same lines at reduced brightness, added while the flow crosses
        self._look: np.ndarray | None = None
        self.redraws = 0

    def strength(self, weights: np.ndarray) -> np.ndarray:
        """m in [0, 1): how strong each connection looks."""
        return 1.0 - np.exp(-np.abs(weights) / self.reference)

    def look(self, weights: np.ndarray, opacity: float) -> np.ndarray:
        """(n, 3) int: brightness level, pixel width, sign — everything a line's pixels depend on."""
        m = self.strength(weights)
        level = np.round(opacity * (0.16 + 0.84 * m) * LEVELS).astype(np.int64)
        width = np.maximum(1, np.round(self.scale * (0.55 + 2.6 * m))).astype(np.int64)
        sign = (weights >= 0).astype(np.int64)
        return np.stack([level, width, sign], axis=1)

    def refresh(self, weights: np.ndarray, opacity: float, positive, negative) -> bool:
        """Redraw if any line would look different; returns True when it redrew."""
        look = self.look(np.asarray(weights, dtype=np.float64).ravel(), opacity)
        if self._look is not None and np.array_equal(look, self._look):
            return False
        self._look = look
        self.surface.fill((0, 0, 0))
        order = np.argsort(look[:, 0], kind="stable")  # weak lines first, so strong ones lie on top, unbroken
        order = order[look[order, 0] > 0]
        palette = [[tuple(int(round(c * level / LEVELS)) for c in colour) for level in range(LEVELS + 1)]
                   for colour in (negative, positive)]
        draw_line, target = pygame.draw.line, self.surface
        for (level, width, sign), start, end in zip(look[order].tolist(), self.starts[order].tolist(),
                                                   self.ends[order].tolist()):
            draw_line(target, palette[sign][level], start, end, width)
        self.pulse.blit(self.surface, (0, 0))
        self.pulse.fill((96, 96, 96), special_flags=pygame.BLEND_RGB_MULT)  # ≈ 38% of the lines' light
        self.redraws += 1
        return True

    def draw(self, target: pygame.Surface, pulsing: bool) -> None:
        target.blit(self.surface, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
        if pulsing:
            target.blit(self.pulse, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
