"""The window's frame-rate cap: the playlist's `fps` (10-60, default 60), `--fps N` over it, 5 fps in closed
hours. Checked twice: the argument the pygame Clock limiter is given each frame, and the time a real run takes."""
from __future__ import annotations

import textwrap
import time
import tomllib
from datetime import datetime

import pygame
import pytest

from illumination.cli.args import CleanParser
from illumination.cli.kiosk import kiosk_command, register
from illumination.core.clock import FixedClock
from illumination.modes.kiosk.playlist import PlaylistError, load_themes, parse_playlist, resolve_playlist
from illumination.modes.kiosk.runner import run_window


ITEM = '[[item]]\nexhibit = "still"\nseconds = 5\n'


@pytest.fixture(autouse=True)
def still(still_exhibit, monkeypatch):
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)


@pytest.fixture
def ticks(monkeypatch):
    """Every frame-rate cap the window's limiter is given (the real pygame Clock still does the waiting)."""
    caps, real = [], pygame.time.Clock

    class Limiter:
        def __init__(self):
            self.clock = real()

        def tick(self, framerate=0):
            caps.append(framerate)
            return self.clock.tick(framerate)

    monkeypatch.setattr(pygame.time, "Clock", Limiter)
    return caps


def playlist_of(text: str):
    return load_themes(parse_playlist(tomllib.loads(textwrap.dedent(text))))[0]


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_a_playlist_with_fps_20_runs_the_window_at_20(ticks, log):
    playlist = playlist_of("fps = 20\n" + ITEM)
    assert playlist.fps == 20
    started = time.perf_counter()
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=30) == 0
    elapsed = time.perf_counter() - started
    assert ticks == [20] * 30
    # 30 frames at 20 fps: 29 waits of 50 ms after the first (at 60 fps it would be ~0.5 s). Only the floor is
    # checked: a busy machine may take longer, and the cap's value is checked exactly by `ticks` above.
    assert elapsed >= 1.3, elapsed


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_without_fps_the_window_caps_at_60_and_closed_hours_at_5(ticks, log):
    assert playlist_of(ITEM).fps == 60
    assert run_window(playlist_of(ITEM), log=log, clock=FixedClock(60), max_frames=6) == 0
    assert ticks == [60] * 6
    ticks.clear()
    closed = playlist_of('fps = 30\n[schedule]\non = "09:00"\noff = "18:00"\n' + ITEM)
    assert run_window(closed, log=log, clock=FixedClock(60), max_frames=3,
                      wall_time=lambda: datetime(2026, 3, 2, 22, 0)) == 0
    assert ticks == [5] * 3


def parse(argv):
    parser = CleanParser(prog="illumination")
    register(parser.add_subparsers(dest="command", parser_class=CleanParser), None)
    return parser.parse_args(argv)


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_the_fps_flag_overrides_the_playlist(ticks, monkeypatch, tmp_path):
    import illumination.cli.kiosk as cli
    real = cli.run_window
    monkeypatch.setattr(cli, "run_window", lambda *a, **k: real(*a, **k, clock=FixedClock(60), max_frames=4))
    wall = tmp_path / "wall.toml"
    wall.write_text("fps = 20\n" + ITEM.replace("still", "network"))
    base = ["kiosk", "--playlist", str(wall), "--log-file", str(tmp_path / "k.log")]
    assert kiosk_command(parse(base + ["--fps", "30"])) == 0
    assert ticks == [30] * 4
    ticks.clear()
    assert kiosk_command(parse(base)) == 0
    assert ticks == [20] * 4


@pytest.mark.parametrize("argv, message", [
    (["--fps", "0"], "argument --fps: fps must be >= 10, got 0"),
    (["--fps", "61"], "argument --fps: fps must be from 10 to 60, got 61"),
    (["--fps", "24.5"], "argument --fps: fps must be a whole number, got '24.5'"),
])
def test_a_bad_fps_flag_is_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        parse(["kiosk", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith(f"illumination: error: {message}")


def test_fps_with_the_headless_soak_is_one_line_and_exit_2(tmp_path, capsys):
    code = kiosk_command(parse(["kiosk", "--headless", "--simulate-hours", "1", "--fps", "30",
                                "--log-file", str(tmp_path / "k.log")]))
    err = capsys.readouterr().err
    assert code == 2 and err == ("illumination: error: --fps only applies to the window (the soak runs on its "
                                 "fixed clock, as fast as it can)\n")


@pytest.mark.parametrize("value, problem", [
    ("120", "fps: must be between 10 and 60, got 120"),
    ("9", "fps: must be between 10 and 60, got 9"),
    ("24.5", "fps: must be a whole number, got 24.5"),
    ('"fast"', 'fps: must be a number, got "fast"'),
])
def test_a_bad_fps_in_the_playlist_is_one_problem_line(value, problem, tmp_path):
    with pytest.raises(PlaylistError) as caught:
        playlist_of(f"fps = {value}\n" + ITEM)
    assert list(caught.value.problems) == [problem]
    wall = tmp_path / "wall.toml"
    wall.write_text(f"fps = {value}\n" + ITEM.replace("still", "network"))
    report = resolve_playlist(wall)
    assert report.fell_back and report.problems == (problem,) and report.playlist.fps == 60


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_render_scale_draws_a_smaller_picture_that_sdl_scales_to_the_screen(ticks, log, monkeypatch):
    """render_scale 0.5: the kiosk's surface is half the desktop's size each way (SDL's SCALED mode stretches it)."""
    seen = []
    real_open = __import__("illumination.core.display", fromlist=["open_window"]).open_window
    import illumination.core.display as display

    def spy(*args, **kwargs):
        screen = real_open(*args, **kwargs)
        seen.append((screen.get_size(), pygame.display.get_desktop_sizes()[0], kwargs.get("render_scale")))
        return screen
    monkeypatch.setattr(display, "open_window", spy)
    playlist = playlist_of("render_scale = 0.5\n" + ITEM)
    assert playlist.render_scale == 0.5
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=3) == 0
    (surface, desktop, scale), = seen
    assert scale == 0.5 and surface == (round(desktop[0] / 2), round(desktop[1] / 2))
    seen.clear()
    assert run_window(playlist, log=log, clock=FixedClock(60), max_frames=3, render_scale=1.0) == 0
    assert seen[0][0] == seen[0][1]                      # the flag's 1.0 over the playlist's 0.5: full size


@pytest.mark.parametrize("text, fragment", [("render_scale = 0.1", "render_scale"), ("render_scale = 2", "render_scale")])
def test_a_bad_render_scale_is_named(text, fragment):
    with pytest.raises(PlaylistError) as error:
        playlist_of(text + "\n" + ITEM)
    assert fragment in str(error.value)


def test_render_scale_with_the_headless_soak_is_one_line_and_exit_2(tmp_path, capsys):
    code = kiosk_command(parse(["kiosk", "--headless", "--simulate-hours", "1", "--render-scale", "0.5",
                                "--log-file", str(tmp_path / "k.log")]))
    err = capsys.readouterr().err
    assert code == 2 and err == "illumination: error: --render-scale only applies to the window (the soak draws at --size)\n"
