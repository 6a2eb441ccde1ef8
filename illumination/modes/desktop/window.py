"""The desktop window: events → update(dt) → draw → present, on the real clock (one clock; nothing else keeps time)."""
from __future__ import annotations

import sys

import pygame

from illumination.core.clock import RealClock
from illumination.core.display import NO_DISPLAY_MESSAGE, NoDisplay, open_window
from illumination.core.show import make_show


def run_window(exhibit, settings, size, fps: int = 60, panel: bool = True) -> int:
    """The exhibit, the control panel (Tab hides it) and the keyboard map (keys.py; ? or H shows it)."""
    try:
        screen = open_window(size)
    except NoDisplay:
        sys.stderr.write(f"illumination: error: {NO_DISPLAY_MESSAGE}\n")
        return 2
    pygame.key.set_repeat(400, 60)   # holding − / + or → keeps stepping
    show = make_show(exhibit, settings, screen.get_size())
    from illumination.modes.desktop.desktop import Desktop
    desktop = Desktop(screen, show, fps)
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
