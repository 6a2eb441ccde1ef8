"""F11 / the fullscreen key: desktop-size full screen and back, for the desktop mode."""
from __future__ import annotations

import pygame

from illumination.core.display import set_window_mode


def toggle_fullscreen(desktop) -> None:
    """Desktop-size full screen and back, by setting the mode itself: with or without a window manager the
    surface, the panel and the layout then always agree on one size (pygame's toggle_fullscreen() could leave the
    window at its old size while reporting the screen's)."""
    flags = pygame.display.get_surface().get_flags() if pygame.display.get_surface() else 0
    try:
        if flags & pygame.FULLSCREEN:
            set_window_mode(desktop.windowed_size or (1280, 720), pygame.RESIZABLE)
        else:
            desktop.windowed_size = desktop.layout.window
            set_window_mode((0, 0), pygame.FULLSCREEN)
    except pygame.error as error:
        desktop.say(f"Full screen is not available here ({error}).", error=True)
    desktop.resize_window()
