"""The desktop window: events → update(dt) → draw → present, on the real clock (one clock; nothing else keeps time)."""
from __future__ import annotations

import json
import os
import sys
import time

import pygame

from illumination.core.clock import RealClock
from illumination.core.display import NO_DISPLAY_MESSAGE, NoDisplay, open_window, warming_up
from illumination.core.show import make_show
from illumination.core.collector import release_collector


PROBE_ENV = "ILLUMINATION_STARTUP_PROBE"   # `bench startup`: a file to note when the first frames appear, then quit


def _probe(event: str) -> None:
    path = os.environ.get(PROBE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event": event, "t": time.time()}) + "\n")


def run_window(exhibit, settings, size, fps: int = 60, panel: bool = True, log=None, metrics=None,
               sound: bool = False, volume: float = 0.6) -> int:
    """The exhibit, the control panel (Tab hides it) and the keyboard map (keys.py; ? or H shows it)."""
    try:
        screen = open_window(size)
    except NoDisplay:
        sys.stderr.write(f"illumination: error: {NO_DISPLAY_MESSAGE}\n")
        return 2
    _probe("window")
    warming_up(screen, "warming up: building the network and its training data …")
    _probe("first_frame")
    pygame.key.set_repeat(400, 60)   # holding − / + or → keeps stepping
    # Everything below is one thread on purpose: loading numba's kernels on a worker thread while the panel
    # was built measured no faster (both are Python work under one GIL) and delayed the first frame by 0.1 s.
    show = make_show(exhibit, settings, screen.get_size())
    show.scene.attach_log(log)     # --log / --json-log: the training reports, run after run
    show.scene.attach_metrics(metrics)   # --metrics-out / --serve-metrics: step_metrics events, run after run
    from illumination.modes.desktop.desktop import Desktop
    desktop = Desktop(screen, show, fps, sound=sound, volume=volume)
    if not panel:
        desktop.perform("toggle_panel")
    clock = RealClock(max_dt=0.1)
    limiter = pygame.time.Clock()  # only sleeps to cap the frame rate; time comes from `clock`
    probing = bool(os.environ.get(PROBE_ENV))
    started = False
    try:
        while desktop.running:
            for event in pygame.event.get():
                desktop.process_event(event)
            desktop.update(clock.tick())
            desktop.draw()
            pygame.display.flip()
            if not started and (show.scene.status().get("step") or show.scene.position()) > 0:
                started = True     # the first frame showing a trained step: the launch is over
                release_collector()
                if probing:
                    _probe("live_frame")
                    break
            limiter.tick(fps)
    finally:
        release_collector()
        desktop.close()  # a recording in progress is finished, not discarded
        pygame.quit()
    return 0
