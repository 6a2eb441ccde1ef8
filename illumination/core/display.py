"""Display set-up every mode shares: pygame with no screen at all (headless), or a real window."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # an art piece with no sound: never open an audio device

import pygame  # noqa: E402


NO_DISPLAY_MESSAGE = ("no display available to open a window; render headless instead with "
                      "`illumination export -o run.mp4` or `illumination snapshot -o frame.png`")


class NoDisplay(RuntimeError):
    pass


def init_headless() -> None:
    """pygame with the dummy video driver: surfaces, fonts and drawing work with no screen at all."""
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    pygame.display.init()
    pygame.font.init()


def display_expected() -> bool:
    """Is there a screen to open a window on? (Linux: an X11 or Wayland session, or a driver chosen by hand.)"""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("SDL_VIDEODRIVER"))


def open_window(size, fullscreen: bool = False, display: int = 0) -> pygame.Surface:
    if not display_expected():
        raise NoDisplay("no DISPLAY or WAYLAND_DISPLAY")
    try:
        pygame.display.init()
    except pygame.error as error:
        raise NoDisplay(str(error)) from None
    # SDL falls back to its offscreen or dummy driver when there is no screen: a window there is invisible.
    driver = pygame.display.get_driver()
    if driver in ("dummy", "offscreen") and not os.environ.get("ILLUMINATION_ALLOW_DUMMY_WINDOW"):
        pygame.display.quit()
        raise NoDisplay(f"SDL video driver {driver!r}")
    pygame.font.init()
    flags = pygame.FULLSCREEN if fullscreen else pygame.RESIZABLE
    if fullscreen:
        size = (0, 0)  # the desktop's own resolution: no mode switch
    try:
        return pygame.display.set_mode(size, flags, display=display, vsync=1)
    except pygame.error:
        return pygame.display.set_mode(size, flags, display=display)  # vsync is not available everywhere


