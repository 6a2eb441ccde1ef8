"""The one frame loop (core/loop.py) as its three users drive it: every frame drawn and handed on (export), a frame
drawn every Nth update with errors handed to a supervisor (the kiosk's soak), events first and a stop on request
(the kiosk's window)."""
from __future__ import annotations

import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.loop import run_frames, run_loop


class Recorder:
    """A show that notes what the loop asked of it, and raises where told to."""

    def __init__(self, size=(4, 3), fail_update_at=(), fail_draw_at=()):
        self.size = size
        self.calls: list = []
        self.updates = 0
        self.fail_update_at, self.fail_draw_at = set(fail_update_at), set(fail_draw_at)

    def update(self, dt):
        self.updates += 1
        self.calls.append(("update", round(dt, 6)))
        if self.updates in self.fail_update_at:
            raise RuntimeError(f"update {self.updates}")

    def draw(self, surface):
        self.calls.append(("draw", self.updates, surface.get_size()))
        if self.updates in self.fail_draw_at:
            raise RuntimeError(f"draw {self.updates}")


def test_run_frames_updates_draws_and_sinks_every_frame_on_the_fixed_clock():
    show, sunk, ticks = Recorder(), [], []
    surface = run_frames(show, 3, 30, sink=sunk.append, on_frame=lambda: ticks.append(show.updates))
    assert show.calls == [("update", round(1 / 30, 6)), ("draw", 1, (4, 3)), ("update", round(1 / 30, 6)),
                          ("draw", 2, (4, 3)), ("update", round(1 / 30, 6)), ("draw", 3, (4, 3))]
    assert sunk == [surface] * 3 and ticks == [1, 2, 3]


def test_timings_are_collected_per_drawn_frame():
    timings: dict = {}
    run_frames(Recorder(), 5, 60, timings=timings)
    assert len(timings["update_ms"]) == len(timings["draw_ms"]) == 5 and min(timings["draw_ms"]) >= 0


def test_draw_every_nth_update_and_errors_go_to_the_handler():
    show = Recorder(fail_update_at={3}, fail_draw_at={8})
    errors, after = [], []
    clock = FixedClock(2)
    count, drawn = run_loop(show, clock, 10, surface=pygame.Surface((4, 3)), draw_every=4,
                            on_error=lambda error, now: errors.append((str(error), now)), after=after.append)
    assert count == 10 and after == list(range(1, 11))
    assert [call[1] for call in show.calls if call[0] == "draw"] == [4, 8]   # the 8th raised: not counted
    assert drawn == 1 and errors == [("update 3", 1.5), ("draw 8", 4.0)]


def test_an_error_without_a_handler_propagates():
    with pytest.raises(RuntimeError, match="update 2"):
        run_loop(Recorder(fail_update_at={2}), FixedClock(60), 5, surface=pygame.Surface((4, 3)))


def test_before_runs_first_and_stops_the_loop_before_the_frame_counts():
    show, screens = Recorder(), [pygame.Surface((4, 3)), pygame.Surface((8, 6))]
    seen = []

    def before():
        seen.append(show.updates)
        if show.updates == 2:
            screens.pop(0)          # a resize: the window's screen is replaced
        return show.updates < 4

    count, drawn = run_loop(show, FixedClock(60), None, surface=lambda: screens[0], before=before)
    assert (count, drawn) == (4, 4) and seen == [0, 1, 2, 3, 4]
    assert [call[2] for call in show.calls if call[0] == "draw"] == [(4, 3), (4, 3), (8, 6), (8, 6)]
