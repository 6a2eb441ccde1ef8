"""The synapse layer: every connection drawn into a cached surface, redrawn only when it would look different.

Thickness and brightness grow with |w| (monotone, saturating: m = 1 − exp(−|w|/ref)); colour is the
weight's sign. Each line's look is quantised (brightness level, pixel width, sign); when no line's look
changed since the last drawing, nothing is redrawn — that is what "the weights changed visibly" means.

A redraw is spread over a few frames into a back buffer that is swapped in when complete (one frame clears
it, then PASS_FRAMES frames draw equal shares of the lines' pixels), so no single frame pays for all 1,024
lines, and a new redraw starts at most every REST_FRAMES frames, so most frames of a training run pay for none:
the picture lags the weights by at most the rest + the pass (+ the stage's recomposition for the first layer,
stage.py; under 0.75 s at 60 fps). The work per frame depends only on the frame count and the sizes, so exported
frames stay deterministic.

How a layer reaches the frame (`mode`):
- "add": its picture is added to the frame (BLEND_RGB_ADD), and a dimmer copy of it (the pulse) while the flow
  crosses it;
- "stage": only the picture is kept; the stage (stage.py) composes it with the background, and its pulse;
- "keyed": the picture is copied by a run-length-encoded colour key (black is transparent), for a layer of many
  lines drawn live over the stage (hidden → hidden 2);
- "direct": a layer of few lines (the 32 into the outputs) keeps no picture at all: its shown lines are drawn
  straight onto the frame, every frame. That costs less than copying the picture and leaves nothing to rebuild
  when the weights change (a keyed picture's copy and encoding took ~10 ms at 4K in one frame).
Keyed and direct put the lines' own colours on the frame (the frame under a line does not show through it); on a
dark background adding and copying a line look the same (the background adds a few levels at most), and the
two give the very same pixels.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

LEVELS = 32
PASS_FRAMES = 4
REST_FRAMES = 18
PULSE = (96, 96, 96)     # the pulse: the lines' light times 96/255 (≈ 38%), added while the flow crosses them
MODES = ("add", "stage", "keyed", "direct")


def brightened(colours) -> dict:
    """{colour: colour + its pulse}: pygame's own arithmetic (BLEND_RGB_MULT by PULSE, then BLEND_RGB_ADD), one
    pixel per colour, so a line drawn in the brightened colour is exactly a pulsed picture's pixel."""
    colours = sorted(set(colours))
    if not colours:
        return {}
    row = pygame.Surface((len(colours), 1))
    for x, colour in enumerate(colours):
        row.set_at((x, 0), colour)
    pulse = row.copy()
    pulse.fill(PULSE, special_flags=pygame.BLEND_RGB_MULT)
    row.blit(pulse, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
    return {colour: tuple(row.get_at((x, 0)))[:3] for x, colour in enumerate(colours)}


class SynapseLayer:
    def __init__(self, starts: np.ndarray, ends: np.ndarray, rect: pygame.Rect, reference: float, scale: float,
                 pass_frames: int = PASS_FRAMES, rest_frames: int = REST_FRAMES, keyed: bool = False,
                 mode: str | None = None):
        """starts, ends: (n, 2) pixel coordinates; rect: the screen area the layer covers (every pixel of every
        line lies inside it). mode: how it reaches the frame (see the module's docstring); keyed=True is
        mode="keyed"."""
        mode = mode or ("keyed" if keyed else "add")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.rect = pygame.Rect(rect)
        self.starts = (np.asarray(starts, dtype=np.float64) - self.rect.topleft).tolist()
        self.ends = (np.asarray(ends, dtype=np.float64) - self.rect.topleft).tolist()
        self.reference = reference
        self.scale = scale
        self.pass_frames = max(1, pass_frames)
        surfaces = mode != "direct"
        self.front = pygame.Surface(self.rect.size) if surfaces else None   # what is shown
        self._back = pygame.Surface(self.rect.size) if surfaces else None   # where the next picture is drawn
        # The pulse (the same lines dimmer, added while the flow crosses them): kept only by an "add" layer, and
        # made when first needed after a redraw.
        self.pulse = pygame.Surface(self.rect.size) if mode == "add" else None
        self._pulse_stale = False
        self._shown_look: np.ndarray | None = None
        self._pass: list | None = None                # remaining [(colour, start, end, width)] of the current redraw
        self._pass_look: np.ndarray | None = None
        self._shown: list = []                        # direct: the shown lines and dots, in the layer's coordinates
        self._brighter: dict = {}                     # direct: colour -> colour + pulse (bounded by the palette)
        self.redraws = 0                              # completed redraws, for tests and the benchmark
        self.rest_frames = rest_frames
        self.keyed = mode == "keyed"
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
            if self.mode == "direct":       # nothing to draw ahead: the lines are drawn onto each frame
                self._finish()
                return True
            if not immediate:               # this frame cleared the back buffer; the lines start next frame
                return False
        draw_line, draw_circle, target = pygame.draw.line, pygame.draw.circle, self._back
        count = len(self._pass) if immediate else self._counts.pop(0)
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
        self._counts = self._shares(self._pass)
        if self._back is not None:
            self._back.fill((0, 0, 0))

    def _shares(self, operations: list) -> list[int]:
        """How many of the pass's lines (and dots) each of its frames draws: equal shares of their pixels (a line's
        length × width, a dot's area, plus a little for each call), so the thick strong lines at the end of the
        pass do not pile up in its last frame."""
        if not operations:
            return [0] * self.pass_frames
        costs = np.array([math.pi * width * width if end is None else
                          math.hypot(end[0] - start[0], end[1] - start[1]) * width
                          for _, start, end, width in operations]) + 40.0
        total = np.cumsum(costs)
        ends = np.searchsorted(total, total[-1] * np.arange(1, self.pass_frames + 1) / self.pass_frames) + 1
        ends = np.minimum(ends, len(operations))
        ends[-1] = len(operations)
        return np.diff(np.concatenate([[0], ends])).tolist()

    def _finish(self) -> None:
        if self.mode == "direct":
            self._finish_direct()
        else:
            self.front, self._back = self._back, self.front
            self._pulse_stale = True
        if self.keyed:
            self._keyed_plain = self.front.copy()
            self._keyed_bright = self.front.copy()
            pulse = self.front.copy()
            pulse.fill(PULSE, special_flags=pygame.BLEND_RGB_MULT)
            self._keyed_bright.blit(pulse, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
            for picture in (self._keyed_plain, self._keyed_bright):
                picture.set_colorkey((0, 0, 0), pygame.RLEACCEL)
        self._shown_look, self._pass = self._pass_look, None
        self.redraws += 1
        self._resting = self.rest_frames

    def _finish_direct(self) -> None:
        """The pass's lines and dots, each with its pulsed colour. A colour that is black would be transparent in a
        keyed picture: such a line is left out, as it would leave the frame unchanged there."""
        missing = {colour for colour, *_ in self._pass if colour not in self._brighter}
        if missing:
            if len(self._brighter) > 4 * (LEVELS + 1):    # colours of an old palette (a theme changed): start over
                self._brighter.clear()
            self._brighter.update(brightened(missing))
        self._shown = [(colour, self._brighter[colour], start, end, width)
                       for colour, start, end, width in self._pass if colour != (0, 0, 0)]

    def _make_pulse(self) -> None:
        self.pulse.blit(self.front, (0, 0))
        self.pulse.fill(PULSE, special_flags=pygame.BLEND_RGB_MULT)  # ≈ 38% of the lines' light
        self._pulse_stale = False

    def draw(self, target: pygame.Surface, pulsing: bool) -> None:
        if self.mode == "direct":
            self._draw_direct(target, pulsing)
            return
        if self.keyed:
            if self._keyed_plain is not None:
                target.blit(self._keyed_bright if pulsing else self._keyed_plain, self.rect.topleft)
            return
        if self.mode == "stage":
            raise RuntimeError("a stage layer is drawn by its stage (stage.py)")
        target.blit(self.front, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
        if pulsing:
            if self._pulse_stale:
                self._make_pulse()
            target.blit(self.pulse, self.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)

    def _draw_direct(self, target: pygame.Surface, pulsing: bool) -> None:
        """The shown lines, drawn through a subsurface of the frame at the layer's rectangle: the same coordinates
        (to the last bit of their floats) and the same clipping as drawing its picture, so the same pixels."""
        area = self.rect.clip(target.get_clip())
        if not area.width or not area.height:
            return
        canvas = target.subsurface(area)
        dx, dy = self.rect.x - area.x, self.rect.y - area.y      # 0, 0 unless the frame cuts the layer
        draw_line, draw_circle = pygame.draw.line, pygame.draw.circle
        for plain, bright, start, end, width in self._shown:
            colour = bright if pulsing else plain
            if dx or dy:
                start = (start[0] + dx, start[1] + dy)
                end = None if end is None else (end[0] + dx, end[1] + dy)
            if end is None:
                draw_circle(canvas, colour, start, width)
            else:
                draw_line(canvas, colour, start, end, width)
