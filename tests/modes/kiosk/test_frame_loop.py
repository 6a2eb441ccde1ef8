"""The kiosk's soak and its window run the one frame loop (core/loop.run_loop): the soak draws every Nth update,
the window draws and presents every frame. A stub exhibit fills the frame; nothing here trains."""
from __future__ import annotations

import tomllib

import pytest

import illumination.core.loop as loop
from illumination.core.clock import FixedClock
from illumination.modes.kiosk.playlist import load_themes, parse_playlist
from illumination.modes.kiosk.runner import run_window, setup_logging, soak


@pytest.fixture(autouse=True)
def still(still_exhibit):
    yield


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_the_soak_and_the_window_run_the_one_frame_loop(monkeypatch, tmp_path):
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    calls, real = [], loop.run_loop

    def spy(show, clock, frames=None, **options):
        result = real(show, clock, frames, **options)
        calls.append((frames, options.get("draw_every", 1), options.get("sink") is not None, result))
        return result

    monkeypatch.setattr(loop, "run_loop", spy)
    log, _ = setup_logging(tmp_path / "kiosk.log")
    playlist = load_themes(parse_playlist(tomllib.loads('[[item]]\nexhibit = "still"\nseconds = 5\n')))[0]
    result = soak(playlist, 0.01, (32, 18), log=log, updates_per_second=4, draw_every_s=2)
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=6, fps=1000) == 0
    # the soak: 36 simulated s at 4 updates a second, a frame drawn every 8; the window: 6 frames, each presented
    assert calls == [(144, 8, False, (144, 18)), (6, 1, True, (6, 6))] and result["frames"] == 18
