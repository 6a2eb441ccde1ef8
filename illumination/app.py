"""The loop: events → update(dt) → draw(surface) → present. One clock drives it; nothing else keeps time.

Also the headless helpers every command shares: start pygame without a display, build a scene from
settings, advance it on the fixed clock.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # an art piece with no sound: never open an audio device

import pygame  # noqa: E402

from illumination.clock import FixedClock, RealClock  # noqa: E402
from illumination.scenes import create_scene  # noqa: E402

NO_DISPLAY_MESSAGE = ("no display available to open a window; render headless instead with "
                      "`illumination export -o run.mp4` or `illumination snapshot -o frame.png`")


class NoDisplay(RuntimeError):
    pass


def init_headless() -> None:
    """pygame with the dummy video driver: surfaces, fonts and drawing work with no screen at all."""
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    pygame.display.init()
    pygame.font.init()


def load_theme_or_exit(name: str):
    from themes import ThemeError, load_theme
    try:
        return load_theme(name)
    except ThemeError as error:
        from illumination.config import SettingsError
        raise SettingsError(str(error).splitlines()) from None


def build_scene(settings, size, exhibit: str = "network", theme=None):
    from illumination.config import SettingsError
    from illumination.scenes import EXHIBITS
    if exhibit not in EXHIBITS:  # a user's typo: one clear line, not a traceback
        raise SettingsError([f"unknown exhibit {exhibit!r}; choose one of: {', '.join(sorted(EXHIBITS))}"])
    theme = theme or load_theme_or_exit(settings.theme)
    return create_scene(exhibit, settings, size, theme)


def advance_to_epoch(scene, epochs: int, fps: float = 60.0, limit_s: float = 3600.0) -> int:
    """Run the scene on the fixed clock until its trainer has done `epochs` epochs (or ended); returns frames."""
    clock = FixedClock(fps)
    frames = 0
    while scene.trainer.epoch < epochs and not scene.trainer.finished and clock.now < limit_s:
        scene.update(clock.tick())
        frames += 1
    return frames


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


def run_window(settings, size, exhibit: str = "network", fps: int = 60, panel: bool = True) -> int:
    """The desktop window: the exhibit, the control panel (Tab hides it) and the keyboard map
    (illumination/ui/keys.py; ? or H shows it in the window)."""
    try:
        screen = open_window(size)
    except NoDisplay:
        sys.stderr.write(f"illumination: error: {NO_DISPLAY_MESSAGE}\n")
        return 2
    pygame.display.set_caption("Neural Illumination")
    pygame.key.set_repeat(400, 60)   # holding − / + or → keeps stepping
    scene = build_scene(settings, screen.get_size(), exhibit)
    from illumination.ui.desktop import Desktop
    desktop = Desktop(screen, scene, fps)
    if not panel:
        desktop.perform("toggle_panel")
    clock = RealClock(max_dt=0.1)
    limiter = pygame.time.Clock()  # only sleeps to cap the frame rate; time comes from `clock`
    try:
        while desktop.running:
            for event in pygame.event.get():
                desktop.process_event(event)
            desktop.update(clock.tick())
            desktop.draw()
            pygame.display.flip()
            limiter.tick(fps)
    finally:
        desktop.close()  # a recording in progress is finished, not discarded
        pygame.quit()
    return 0
