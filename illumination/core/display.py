"""Display set-up every mode shares: pygame with no screen at all (headless), or a real window."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

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


TITLE = "Neural Illumination"
WINDOW_SHARE = 0.9                   # the first window takes at most this share of the desktop, centred


def first_window_size(desktop: tuple[int, int], share: float = WINDOW_SHARE) -> tuple[int, int]:
    """A window that fits the screen it opens on: at most `share` of each side, 16:9 when the screen is landscape
    (a portrait screen keeps its own proportions: the window then stacks the exhibit above its panels)."""
    width, height = int(desktop[0] * share), int(desktop[1] * share)
    if width >= height:
        width = min(width, int(height * 16 / 9) + 340)   # room for the 340 px panel beside a 16:9 stage
    return max(320, width), max(240, height)


@contextmanager
def _title_locale():
    """While the window is created and titled: Python turns the C locale into C.UTF-8, which Xlib may not know; it
    then tags the title "UTF-8" and `xdotool search --name "Neural Illumination"` misses it. With the plain C
    character type Xlib writes the ASCII title as a STRING. The locale is restored at once (the rest of the program,
    its file encodings included, never sees the change)."""
    import locale
    before = locale.setlocale(locale.LC_CTYPE)
    changed = before.lower().replace("-", "") == "c.utf8"
    if changed:
        locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        if changed:
            locale.setlocale(locale.LC_CTYPE, before)


def window_icon() -> pygame.Surface:
    """The window's icon: one glowing bulb (instead of pygame's snake)."""
    icon = pygame.Surface((64, 64))
    for radius, level in ((30, 40), (24, 80), (18, 150), (12, 230)):
        pygame.draw.circle(icon, (level // 2, int(level * 0.75), level), (32, 32), radius)
    pygame.draw.circle(icon, (250, 252, 255), (32, 32), 7)
    return icon


def open_window(size, fullscreen: bool = False, display: int = 0, render_scale: float = 1.0) -> pygame.Surface:
    """A window (size None: fitted to the desktop it opens on, centred), titled and with its icon.

    render_scale < 1 (full screen only): the returned surface is that share of the screen's size, and SDL scales it
    up to the screen as it presents it (pygame.SCALED): a 4K screen shown from a 1920x1080 picture costs a quarter
    of the drawing and of the copy to the screen, and with a GPU the scaling itself is free."""
    if not display_expected():
        raise NoDisplay("no DISPLAY or WAYLAND_DISPLAY")
    os.environ.setdefault("SDL_VIDEO_CENTERED", "1")
    with _title_locale():
        return _open(size, fullscreen, display, render_scale)


def set_window_mode(size, flags: int) -> pygame.Surface:
    """Change the open window's mode (full screen and back): SDL may make a new window, so it is titled the same way."""
    with _title_locale():
        surface = pygame.display.set_mode(size, flags)
        pygame.display.set_caption(TITLE)
        return surface


def _open(size, fullscreen: bool, display: int, render_scale: float = 1.0) -> pygame.Surface:
    try:
        pygame.display.init()
    except pygame.error as error:
        raise NoDisplay(str(error)) from None
    pygame.display.set_caption(TITLE)
    pygame.display.set_icon(window_icon())
    if size is None:
        desktops = pygame.display.get_desktop_sizes()
        size = first_window_size(desktops[min(display, len(desktops) - 1)] if desktops else (1600, 900))
    # SDL falls back to its offscreen or dummy driver when there is no screen: a window there is invisible.
    driver = pygame.display.get_driver()
    if driver in ("dummy", "offscreen") and not os.environ.get("ILLUMINATION_ALLOW_DUMMY_WINDOW"):
        pygame.display.quit()
        raise NoDisplay(f"SDL video driver {driver!r}")
    pygame.font.init()
    flags = pygame.FULLSCREEN if fullscreen else pygame.RESIZABLE
    if fullscreen and render_scale < 1.0:
        desktops = pygame.display.get_desktop_sizes()
        width, height = desktops[min(display, len(desktops) - 1)] if desktops else size
        size = (max(320, round(width * render_scale)), max(180, round(height * render_scale)))
        flags |= pygame.SCALED            # SDL scales the picture up to the screen (keeping its shape)
    elif fullscreen:
        size = (0, 0)  # the desktop's own resolution: no mode switch
    try:
        return pygame.display.set_mode(size, flags, display=display, vsync=1)
    except pygame.error:
        return pygame.display.set_mode(size, flags, display=display)  # vsync is not available everywhere


def warming_up(screen: pygame.Surface, what: str) -> None:
    """The first frame, shown the moment the window exists: the title and what is being prepared, quiet on the
    theme-less night blue, while exhibits, data and numba's compiled kernels load (seconds on a cold cache, more on
    a loaded machine). The window and the kiosk both open with it: never a black or frozen screen at launch."""
    from illumination.core.draw.text import TextCache
    width, height = screen.get_size()
    screen.fill((6, 8, 16))
    text = TextCache()
    size = max(14, min(width, height) // 28)
    text.blit(screen, TITLE, (width / 2, height / 2 - size), size * 1.6, (228, 235, 247), anchor="center", bold=True)
    text.blit(screen, what, (width / 2, height / 2 + size), size, (127, 140, 168), anchor="center")
    pygame.display.flip()
