"""Visitors for the headless soak (`--visitors`): every few simulated minutes someone touches the wall, draws a
filled square or disc of a random size at a random place on the pad, teaches it (with the right label three times
in four), and walks away. Real pygame touch events, on the soak's fixed clock, from their own seeded generator:
the same soak sees the same visitors."""
from __future__ import annotations

import numpy as np
import pygame

from illumination.modes.kiosk.visitor_pad import PadLayout

VISIT_EVERY_S = 300.0     # a visitor every five simulated minutes


def shape(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A filled square or disc, 3-8 px, somewhere on the 8x8 pad: (8, 8) of 0/1, and its label (0 circle, 1 square)."""
    size = int(rng.integers(3, 9))
    top, left = (int(v) for v in rng.integers(0, 9 - size, size=2))
    label = int(rng.integers(2))
    image = np.zeros((8, 8))
    if label == 1:
        image[top:top + size, left:left + size] = 1
    else:
        ys, xs = np.mgrid[0:8, 0:8]
        middle = (size - 1) / 2
        image = (np.hypot(ys - top - middle, xs - left - middle) < size / 2 - 0.25).astype(float)
    return image, label


class SimulatedVisitors:
    def __init__(self, rng: np.random.Generator, size: tuple[int, int], every_s: float = VISIT_EVERY_S):
        self.rng, self.size, self.every_s = rng, tuple(size), float(every_s)
        self.layout = PadLayout(self.size)
        self.next_visit = self.every_s
        self.script: list[tuple[float, list]] = []     # (when, events), in time order
        self.visits = 0

    def events(self, now: float) -> list:
        """Every event due by `now` (simulated seconds)."""
        if now >= self.next_visit:
            self._plan(self.next_visit)
            self.next_visit += self.every_s
        due = [events for when, events in self.script if when <= now]
        self.script = [(when, events) for when, events in self.script if when > now]
        return [event for events in due for event in events]

    def _plan(self, start: float) -> None:
        self.visits += 1
        image, label = shape(self.rng)
        if self.rng.random() < 0.25:
            label = 1 - label                          # visitors get it wrong too, or test the network
        centre = (self.size[0] / 2, self.size[1] / 2)
        self.script.append((start, [self._finger(pygame.FINGERDOWN, centre, 1), self._finger(pygame.FINGERUP, centre, 1)]))
        strokes = []
        for row in range(8):
            cols = np.flatnonzero(image[row])
            if cols.size:
                first, last = self._cell(row, cols[0]), self._cell(row, cols[-1])
                strokes += [self._finger(pygame.FINGERDOWN, first, 2), self._finger(pygame.FINGERMOTION, last, 2),
                            self._finger(pygame.FINGERUP, last, 2)]
        self.script.append((start + 2.0, strokes))
        button = self.layout.buttons[label].center
        self.script.append((start + 5.0, [self._finger(pygame.FINGERDOWN, button, 3),
                                          self._finger(pygame.FINGERUP, button, 3)]))

    def _cell(self, row: int, col: int) -> tuple[float, float]:
        pad, cell = self.layout.pad, self.layout.cell
        return pad.x + (col + 0.5) * cell, pad.y + (row + 0.5) * cell

    def _finger(self, kind, position, finger_id: int):
        return pygame.event.Event(kind, x=position[0] / self.size[0], y=position[1] / self.size[1],
                                  finger_id=finger_id, touch_id=1, dx=0.0, dy=0.0, pressure=1.0)
