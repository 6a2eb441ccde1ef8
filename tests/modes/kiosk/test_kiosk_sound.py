"""The kiosk's sound: the playlist's `sound` and `volume`, the item on screen heard (fading with the picture
through black between items), silence in closed hours, and a window that runs silently when no device opens."""
from __future__ import annotations

import dataclasses
import logging
import textwrap
import tomllib
from datetime import datetime

import pytest

from illumination.core.clock import FixedClock
from illumination.core.sound import Tone
from illumination.exhibits import EXHIBITS
from illumination.modes.kiosk.attract import Kiosk, dip_level
from illumination.modes.kiosk.playlist import PlaylistError, load_themes, parse_playlist, resolve_playlist
from illumination.modes.kiosk.runner import run_window
from illumination.modes.kiosk.sound import kiosk_sound

ITEMS = '[[item]]\nexhibit = "still"\nseconds = 3\n[[item]]\nexhibit = "still"\nseconds = 3\n'
LOUDNESS = 0.1


@pytest.fixture(autouse=True)
def sounding_still(still_exhibit, monkeypatch):
    """The still exhibit, singing one tone whose pitch is its seed (so the two items are told apart by ear)."""
    def sound(scene):
        return [Tone("still", 200.0 + scene.settings.seed, LOUDNESS)], 0.01
    monkeypatch.setitem(EXHIBITS, "still", dataclasses.replace(EXHIBITS["still"], sound=sound))
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)


def playlist_of(text: str):
    return load_themes(parse_playlist(tomllib.loads(textwrap.dedent(text))))[0]


def test_the_playlist_keys_sound_and_volume():
    playlist = playlist_of("sound = true\nvolume = 0.4\n" + ITEMS)
    assert playlist.sound is True and playlist.volume == 0.4
    quiet = playlist_of(ITEMS)
    assert quiet.sound is False and quiet.volume == 0.6
    builtin = resolve_playlist(None).playlist
    assert builtin.sound is True and builtin.volume == 0.6


@pytest.mark.parametrize("text, fragment", [
    ('sound = "yes"\n', "sound: must be true or false, got 'yes'"),
    ("sound = true\nvolume = 1.5\n", "volume"),
    ("volume = 0.3\n", "volume: needs sound = true"),
])
def test_bad_sound_keys_are_reported(text, fragment):
    with pytest.raises(PlaylistError) as error:
        parse_playlist(tomllib.loads(text + ITEMS))
    assert fragment in str(error.value)


def test_the_item_on_screen_is_heard_and_fades_with_the_picture_between_items(log):
    playlist = playlist_of("sound = true\ncrossfade_seconds = 2\nhold_seconds = 1\n" + ITEMS)
    kiosk = Kiosk(playlist, (64, 48), log=log)
    first_seed = kiosk.current.show.scene.settings.seed
    tones, _ = kiosk_sound(kiosk)
    assert tones == [Tone("still", 200.0 + first_seed, LOUDNESS)]
    for _ in range(60):                           # play 3 s, hold 1 s: the fade begins
        kiosk.update(0.1)
        if kiosk.phase == "fade":
            break
    assert kiosk.phase == "fade"
    heard = []
    while kiosk.phase == "fade":
        t = min(kiosk.phase_t / 2.0, 1.0)
        sound = kiosk_sound(kiosk)
        loudness = 0.0 if sound is None else sound[0][0].amplitude
        assert loudness == pytest.approx(LOUDNESS * dip_level(t))
        heard.append((t, sound[0][0].frequency if sound else None))
        kiosk.update(0.1)
    second_seed = kiosk.current.show.scene.settings.seed
    assert second_seed != first_seed
    assert {f for t, f in heard if t < 0.5} - {None} == {200.0 + first_seed}       # the old item fades out ...
    assert {f for t, f in heard if t > 0.5} - {None} == {200.0 + second_seed}       # ... the new one rises


def test_closed_hours_are_silent(log):
    now = [datetime(2026, 3, 2, 20, 0)]
    playlist = playlist_of('sound = true\n[schedule]\non = "09:00"\noff = "18:00"\n' + ITEMS)
    kiosk = Kiosk(playlist, (64, 48), log=log, wall_time=lambda: now[0])
    kiosk.update(0.1)
    assert kiosk.closed and kiosk_sound(kiosk) is None
    now[0] = datetime(2026, 3, 3, 9, 30)
    kiosk.update(0.1)
    assert not kiosk.closed and kiosk_sound(kiosk) is not None


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_the_window_plays_on_the_dummy_device(log, tmp_path):
    assert run_window(playlist_of("sound = true\n" + ITEMS), log=log, clock=FixedClock(60), max_frames=20) == 0
    for handler in log.handlers:
        handler.flush()
    text = (tmp_path / "kiosk.log").read_text()
    assert text.count("sound: playing on the default audio device") == 1


@pytest.mark.filterwarnings("ignore:no fast renderer available")
def test_a_kiosk_with_no_audio_device_runs_silently_with_one_log_line(log, tmp_path, monkeypatch):
    import pygame
    import illumination.core.speaker as speaker_module

    def no_device(*_args, **_kwargs):
        raise pygame.error("Audio target 'none' not available")
    monkeypatch.setattr(pygame.mixer, "init", no_device)
    assert run_window(playlist_of("sound = true\n" + ITEMS), log=log, clock=FixedClock(60), max_frames=20) == 0
    for handler in log.handlers:
        handler.flush()
    text = (tmp_path / "kiosk.log").read_text()
    assert text.count("no audio device") == 1 and "playing silently" in text
    assert "Traceback" not in text and speaker_module.Speaker      # and the kiosk ran its 20 frames


def test_no_sound_flag_silences_a_sounding_playlist(tmp_path, monkeypatch):
    from illumination.cli.args import CleanParser
    from illumination.cli.kiosk import kiosk_command, register
    import illumination.cli.kiosk as kiosk_cli
    playlist = tmp_path / "wall.toml"
    playlist.write_text("sound = true\n" + ITEMS)
    seen = {}
    monkeypatch.setattr(kiosk_cli, "run_window", lambda playlist, *a, **k: seen.setdefault("sound", playlist.sound)
                        or 0)
    parser = CleanParser(prog="illumination")
    register(parser.add_subparsers(dest="command", parser_class=CleanParser), None)
    for extra, expected in (([], True), (["--no-sound"], False)):
        seen.clear()
        args = parser.parse_args(["kiosk", "--playlist", str(playlist), "--log-file", str(tmp_path / "k.log"),
                                  *extra])
        kiosk_command(args)
        assert seen["sound"] is expected
