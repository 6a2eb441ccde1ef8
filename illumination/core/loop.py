"""The one fixed-clock loop: update on exactly 1/fps, draw, hand the frame on. Export, snapshot, the benches
and the tests all run it, so a frame is the same wherever it is made. (The window and the kiosk run the same
update → draw order on the real clock, with events and presenting in between.)
"""
from __future__ import annotations

import time
from typing import Callable

from illumination.core.clock import FixedClock


def run_frames(show, frames: int, fps: float, sink: Callable | None = None, surface=None,
               clock: FixedClock | None = None, on_frame: Callable | None = None,
               timings: dict | None = None):
    """Update → draw → sink(surface), `frames` times on the fixed clock. Returns the surface drawn last.

    timings: if given, {"update_ms": [...], "draw_ms": [...]} collect per-frame costs (the benches).
    """
    import pygame
    clock = clock or FixedClock(fps)
    surface = surface if surface is not None else pygame.Surface(show.size)
    for _ in range(frames):
        started = time.perf_counter()
        show.update(clock.tick())
        drawn = time.perf_counter()
        show.draw(surface)
        if timings is not None:
            finished = time.perf_counter()
            timings.setdefault("update_ms", []).append((drawn - started) * 1000)
            timings.setdefault("draw_ms", []).append((finished - drawn) * 1000)
        if sink is not None:
            sink(surface)
        if on_frame is not None:
            on_frame()
    return surface


def advance_until(scene, position: float, fps: float = 60.0, limit_s: float = 3600.0,
                  stop_at_divergence: bool = False) -> int:
    """Run the scene (no drawing) on the fixed clock until it reaches `position` in its count unit, ends,
    or limit_s seconds of clock time pass (or it diverges, if asked); returns the number of frames."""
    clock = FixedClock(fps)
    frames = 0
    while scene.position() < position and not scene.ended and clock.now < limit_s:
        if stop_at_divergence and scene.divergences:
            break
        scene.update(clock.tick())
        frames += 1
    return frames


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by nearest rank (benchmarks report medians and tails, never a mean)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100.0 * (len(ordered) - 1)))))]
