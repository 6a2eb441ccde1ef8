"""How the window is shared between the exhibit and its control panel, worked out once per window size.

The desktop reads the window's size in one place (when the window opens and when it changes size) and makes a
WindowLayout from it. Everything that follows from the size — the panel's scale (its fonts and widgets), its
width and place, the exhibit's rectangle — is computed here and handed down; nothing reads it back from a widget.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame

from illumination.modes.desktop.panel_theme import PANEL_WIDTH, panel_scale

MIN_EXHIBIT_WIDTH = 160    # a window narrower than this beside the panel gives the exhibit all of it (under the panel)


@dataclass(frozen=True)
class WindowLayout:
    window: tuple[int, int]   # the window's size
    scale: float              # the panel against its 1x design (panel_theme.panel_scale)
    panel_width: int

    @classmethod
    def of(cls, window_size: tuple[int, int]) -> WindowLayout:
        scale = panel_scale(window_size)
        return cls((int(window_size[0]), int(window_size[1])), scale, round(PANEL_WIDTH * scale))

    @property
    def panel_rect(self) -> pygame.Rect:
        """The panel's place: the window's right edge, full height."""
        w, h = self.window
        return pygame.Rect(w - self.panel_width, 0, self.panel_width, h)

    def exhibit_rect(self, panel_shown: bool) -> pygame.Rect:
        """The exhibit's place: the window minus the panel while it is shown, so the panel never covers the art."""
        w, h = self.window
        if panel_shown and w - self.panel_width >= MIN_EXHIBIT_WIDTH:
            return pygame.Rect(0, 0, w - self.panel_width, h)
        return pygame.Rect(0, 0, w, h)
