"""The synapse layer: every connection drawn into a cached surface, redrawn only when it would look different.

Thickness and brightness grow with |w| (monotone, saturating: m = 1 − exp(−|w|/ref)); colour is the
weight's sign. Each line's look is quantised (brightness level, pixel width, sign); when no line's look
changed since the last drawing, nothing is redrawn — that is what "the weights changed visibly" means.

A redraw is spread over a few frames (PASS_FRAMES) into a back buffer that is swapped in when complete,
so no single frame pays for all 1,024 lines, and a new redraw starts at most every REST_FRAMES frames, so
most frames of a training run pay for none: the picture lags the weights by at most REST_FRAMES + the pass
(~0.6 s at 60 fps). The work per frame depends only on the frame count, so exported frames stay deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

LEVELS = 32
PASS_FRAMES = 4
REST_FRAMES = 18


class SynapseLayer:
    def __init__(self, starts: np.ndarray, ends: np.ndarray, rect: pygame.Rect, reference: float, scale: float,
                 pass_frames: int = PASS_FRAMES, rest_frames: int = REST_FRAMES, keyed: bool = False):
        """keyed: draw() copies only the lines' own pixels (black is a run-length-encoded colour key) instead of
        adding the whole rectangle: much cheaper for a sparse layer drawn every frame. On a dark background
        adding and copying a line look the same (the background adds a few levels at most)."""
        """starts, ends: (n, 2) pixel coordinates; rect: the screen area the layer covers."""
        self.rect = pygame.Rect(rect)
        self.starts = (np.asarray(starts, dtype=np.float64) - self.rect.topleft).tolist()
        self.ends = (np.asarray(ends, dtype=np.float64) - self.rect.topleft).tolist()
        self.reference = reference
        self.scale = scale
        self.chunk = math.ceil(len(self.starts) / max(1, pass_frames))
        self.front = pygame.Surface(self.rect.size)   # what is shown
        self.pulse = pygame.Surface(self.rect.size)   # the same lines dimmer: added while the flow crosses them
        self._back = pygame.Surface(self.rect.size)   # where the next picture is being drawn
        self._shown_look: np.ndarray | None = None
        self._pass: list | None = None                # remaining [(colour, start, end, width)] of the current redraw
        self._pass_look: np.ndarray | None = None
        self.redraws = 0                              # completed redraws, for tests and the benchmark
        self.rest_frames = rest_frames
        self.keyed = keyed
        self._keyed_plain = self._keyed_bright = None   # the keyed pictures: the lines, and the lines + pulse
        self._resting = 0                             # frames left before the next redraw may start
        self.dots = False                             # the original page's flow dots (decorations.py)

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

    @staticmethod
    def visibly_different(look: np.ndarray, shown: np.ndarray) -> bool:
        """A line changed width or sign, or moved two brightness levels; or many lines moved one level.

        One level is 1/32 of a line's light: alone it cannot be seen, but a drift across many lines can.
        """
        level_change = np.abs(look[:, 0] - shown[:, 0])
        if np.any(level_change >= 2) or np.any(look[:, 1:] != shown[:, 1:]):
            return True
        return np.count_nonzero(level_change) >= max(1, len(look) // 20)

    def forget(self) -> None:
        """Settings changed (opacity, colours): the next update redraws from scratch."""
        self._shown_look = None
        self._pass = None

    def update(self, weights: np.ndarray, opacity: float, positive, negative, immediate: bool = False) -> bool:
        """Start a redraw if the look changed, and do this frame's share of it. Returns True when a new picture
        was swapped in. immediate=True finishes the whole redraw now (the first frame, tests)."""
        if self._pass is None:
            if self._resting > 0 and not immediate and self._shown_look is not None:
                self._resting -= 1
                return False
            self._weights = np.asarray(weights, dtype=np.float64).ravel()
            look = self.look(self._weights, opacity)
            if self._shown_look is not None and not self.visibly_different(look, self._shown_look):
                return False
            self._begin(look, positive, negative)
            immediate = immediate or self._shown_look is None
        draw_line, draw_circle, target = pygame.draw.line, pygame.draw.circle, self._back
        count = len(self._pass) if immediate else self.chunk
        for colour, start, end, width in self._pass[:count]:
            if end is None:                 # a flow dot: centre, radius
                draw_circle(target, colour, start, width)
            else:
                draw_line(target, colour, start, end, width)
        del self._pass[:count]
        if self._pass:
            return False
        self._finish()
        return True

    def _begin(self, look: np.ndarray, positive, negative) -> None:
        order = np.argsort(look[:, 0], kind="stable")  # weak lines first, so strong ones lie on top, unbroken
        order = order[look[order, 0] > 0]
        palette = [[tuple(int(round(c * level / LEVELS)) for c in colour) for level in range(LEVELS + 1)]
                   for colour in (negative, positive)]
        self._pass = [(palette[sign][level], self.starts[k], self.ends[k], width)
                      for k, (level, width, sign) in zip(order.tolist(), look[order].tolist())]
        if self.dots:   # beads on every line with |w| > 0.1, after the lines so they lie on top
            from illumination.exhibits.network.decorations import dot_positions
            strong = [k for k in order.tolist() if abs(self._weights[k]) > 0.1]
            self._pass += [(palette[look[k, 2]][dot_level], centre, None, radius)
                           for k in strong
                           for centre, radius, dot_level in dot_positions(self.starts[k], self.ends[k],
                                                                          int(look[k, 0]), int(look[k, 1]), LEVELS)]
        self._pass_look = look
        self._back.fill((0, 0, 0))

    def _finish(self) -> None:
        self.front, self._back = self._back, self.front
        self.pulse.blit(self.front, (0, 0))
        self.pulse.fill((96, 96, 96), special_flags=pygame.BLEND_RGB_MULT)  # ≈ 38% of the lines' light
        self._shown_look, self._pass = self._pass_look, None
        self.redraws += 1
        if self.keyed:
            self._keyed_plain = self.front.copy()
            self._keyed_bright = self.front.copy()
            self._keyed_bright.blit(self.pulse, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
            for picture in (self._keyed_plain, self._keyed_bright):
                picture.set_colorkey((0, 0, 0), pygame.RLEACCEL)
        self._resting = self.rest_frames

    def draw(self, target: pygame.Surface, pulsing: bool) -> None:
        if self.keyed and self._keyed_plain is not None:
            target.blit(self._keyed_bright if pulsing else self._keyed_plain, self.rect.topleft)
            return
        target.blit(self.front, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
        if pulsing:
            target.blit(self.pulse, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
