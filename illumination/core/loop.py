"""The frame loop: tick the clock, update, draw, hand the frame on. One loop, `run_loop`, parameterised by
whatever differs between its users:

- export, snapshot, `bench render` and the tests: `run_frames`, the loop on the fixed clock (exactly 1/fps a
  frame), every frame drawn and given to a sink (a video writer …), so a frame is the same wherever it is made;
- the kiosk's soak (modes/kiosk/runner.py): the fixed clock, a frame drawn every Nth update, an error in a frame
  handed to the kiosk's supervisor, a per-frame hook for its progress bar and memory readings;
- the kiosk's window: the real clock, events before each update, `display.flip` as the sink, the frame-rate
  limiter as the per-frame hook.

The desktop window (modes/desktop/window.py) still runs its own events → update → draw → flip loop on the real
clock, in the same order; `bench landscape` and `bench ui` time single steps and draws of their own.
"""
from __future__ import annotations

import time
from typing import Callable

from illumination.core.clock import FixedClock


def run_loop(show, clock, frames: int | None = None, *, surface=None, sink: Callable | None = None,
             draw_every: int = 1, before: Callable | None = None, after: Callable | None = None,
             on_error: Callable | None = None, timings: dict | None = None) -> tuple[int, int]:
    """Tick → update → draw (every draw_every-th frame) → sink(surface), until `frames` frames (None: until
    `before` says stop). Returns (frames run, frames drawn).

    show: anything with update(dt) and draw(surface). clock: anything with tick() -> dt and now (core/clock.py).
    surface: the surface drawn on, or a callable returning it (a window's screen, which a resize replaces).
    before(): run first in each frame (events); False stops the loop there, before the frame counts.
    after(n): run after each frame, n counted from 1, outside the error handling (progress, the frame limiter).
    on_error(error, now): an exception raised in a frame (before, update, draw or sink) ends that frame and is
    handed here; without it the exception propagates.
    timings: if given, {"update_ms": [...], "draw_ms": [...]} collect per-frame costs (the benches).
    """
    target = surface if callable(surface) else (lambda: surface)
    count = drawn = 0
    while frames is None or count < frames:
        try:
            if before is not None and before() is False:
                break
            started = time.perf_counter()
            show.update(clock.tick())
            if (count + 1) % draw_every == 0:
                updated = time.perf_counter()
                picture = target()
                show.draw(picture)
                if timings is not None:
                    finished = time.perf_counter()
                    timings.setdefault("update_ms", []).append((updated - started) * 1000)
                    timings.setdefault("draw_ms", []).append((finished - updated) * 1000)
                if sink is not None:
                    sink(picture)
                drawn += 1
        except Exception as error:
            if on_error is None:
                raise
            on_error(error, clock.now)
        count += 1
        if after is not None:
            after(count)
    return count, drawn


def run_frames(show, frames: int, fps: float, sink: Callable | None = None, surface=None,
               clock: FixedClock | None = None, on_frame: Callable | None = None,
               timings: dict | None = None):
    """Update → draw → sink(surface), `frames` times on the fixed clock. Returns the surface drawn last.

    timings: if given, {"update_ms": [...], "draw_ms": [...]} collect per-frame costs (the benches).
    """
    import pygame
    surface = surface if surface is not None else pygame.Surface(show.size)
    run_loop(show, clock or FixedClock(fps), frames, surface=surface, sink=sink, timings=timings,
             after=None if on_frame is None else lambda _n: on_frame())
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
