"""Draw your own shape: an 8x8 pad a visitor paints with the mouse or a finger.

The pad is only a picture: its 64 pixels go through the live network's forward pass
(`NetworkScene.show_drawing`), never into the training data. A stroke paints if it starts on an
empty pixel and erases if it starts on a lit one (so a finger alone can both draw and rub out);
the right mouse button always erases. Fast strokes are joined cell by cell, so a line has no gaps.
"""
from __future__ import annotations

import numpy as np
import pygame

SIDE = 8


def cells_between(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The cells on the straight line from a to b, both ends included (Bresenham on (row, col))."""
    (r0, c0), (r1, c1) = a, b
    dr, dc = abs(r1 - r0), abs(c1 - c0)
    sr, sc = (1 if r1 > r0 else -1), (1 if c1 > c0 else -1)
    err = dc - dr
    cells = []
    while True:
        cells.append((r0, c0))
        if (r0, c0) == (r1, c1):
            return cells
        e2 = 2 * err
        if e2 > -dr:
            err -= dr
            c0 += sc
        if e2 < dc:
            err += dc
            r0 += sr


class DrawPad:
    """The pad's state: pixels (8, 8) of 0/1, row-major like the data (row = y, column = x)."""

    def __init__(self):
        self.pixels = np.zeros((SIDE, SIDE), dtype=np.float64)
        self._strokes: dict = {}   # pointer id -> (value painted, last cell)
        self.version = 0           # bumped on every change (the panel redraws its picture then)

    @property
    def image(self) -> np.ndarray:
        """The drawing as the network reads it: (64,) float64, a copy."""
        return self.pixels.reshape(SIDE * SIDE).copy()

    @property
    def empty(self) -> bool:
        return not self.pixels.any()

    @property
    def drawing(self) -> bool:
        """Is a stroke in progress?"""
        return bool(self._strokes)

    @staticmethod
    def cell_at(rect: pygame.Rect, pos) -> tuple[int, int] | None:
        """The (row, col) under a screen position, or None outside the pad."""
        x, y = pos
        if not rect.collidepoint(int(x), int(y)) or rect.width <= 0 or rect.height <= 0:
            return None
        col = min(int((x - rect.x) * SIDE / rect.width), SIDE - 1)
        row = min(int((y - rect.y) * SIDE / rect.height), SIDE - 1)
        return row, col

    def press(self, pointer, cell: tuple[int, int], erase: bool = False) -> bool:
        """Start a stroke at a cell; returns True if a pixel changed."""
        value = 0.0 if erase or self.pixels[cell] > 0 else 1.0
        self._strokes[pointer] = (value, cell)
        return self._set([cell], value)

    def drag(self, pointer, cell: tuple[int, int] | None) -> bool:
        """Continue a stroke to a cell (None: the pointer left the pad; the stroke waits for it)."""
        stroke = self._strokes.get(pointer)
        if stroke is None or cell is None:
            return False
        value, last = stroke
        self._strokes[pointer] = (value, cell)
        return self._set(cells_between(last, cell), value)

    def release(self, pointer) -> None:
        self._strokes.pop(pointer, None)

    def stroking(self, pointer) -> bool:
        return pointer in self._strokes

    def end_strokes(self) -> None:
        self._strokes.clear()

    def clear(self) -> bool:
        self._strokes.clear()
        if self.empty:
            return False
        self.pixels[:] = 0.0
        self.version += 1
        return True

    def load(self, image) -> None:
        """Set the whole picture (64 values, thresholded at 0.5)."""
        self.pixels[:] = (np.asarray(image, dtype=np.float64).reshape(SIDE, SIDE) >= 0.5)
        self.version += 1

    def handle_event(self, event, rect: pygame.Rect | None, window_size: tuple[int, int]) -> tuple[bool, bool]:
        """A pygame mouse or touch event over the pad at `rect` (None: the pad is not on screen).
        Returns (taken, changed). Mouse events SDL makes up from a finger are left alone: the FINGER
        events draw, each finger its own stroke."""
        if rect is None:
            self.end_strokes()
            return False, False
        t = event.type
        if t in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION):
            if getattr(event, "touch", False):
                return False, False
            pointer, cell = "mouse", self.cell_at(rect, event.pos)
            down, up = t == pygame.MOUSEBUTTONDOWN, t == pygame.MOUSEBUTTONUP
            erase = down and event.button == 3
            if down and event.button not in (1, 3):
                return False, False
        elif t in (pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION):
            pointer = ("finger", event.finger_id)
            cell = self.cell_at(rect, (event.x * window_size[0], event.y * window_size[1]))
            down, up, erase = t == pygame.FINGERDOWN, t == pygame.FINGERUP, False
        else:
            return False, False
        if down:
            return (False, False) if cell is None else (True, self.press(pointer, cell, erase))
        if not self.stroking(pointer):
            return False, False
        if up:
            self.release(pointer)
            return True, False
        return True, self.drag(pointer, cell)

    def _set(self, cells, value: float) -> bool:
        changed = False
        for cell in cells:
            if self.pixels[cell] != value:
                self.pixels[cell] = value
                changed = True
        if changed:
            self.version += 1
        return changed

    def render(self, size: int, on=(232, 230, 220), off=(38, 40, 48), grid=(70, 74, 86)) -> pygame.Surface:
        """The pad as a picture: lit cells bright, empty ones dark, a thin grid between them."""
        surface = pygame.Surface((size, size))
        surface.fill(grid)
        cell = size / SIDE
        for row in range(SIDE):
            for col in range(SIDE):
                rect = pygame.Rect(round(col * cell) + 1, round(row * cell) + 1,
                                   round((col + 1) * cell) - round(col * cell) - 2,
                                   round((row + 1) * cell) - round(row * cell) - 2)
                surface.fill(on if self.pixels[row, col] > 0 else off, rect)
        return surface
