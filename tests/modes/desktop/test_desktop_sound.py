"""The window's sound: M and the panel's Sound button turn it on and off, the volume slider sets it, what plays each
frame is the exhibit's own sound of the scene on screen, and a machine with no audio device stays silent with one
message."""
import numpy as np
import pygame
import pygame_gui
import pytest

from illumination.core.speaker import Speaker
from illumination.exhibits.network.sonify import frame_sound
from tests.modes.desktop.test_desktop import click, display, frame, make_desktop, press, tab  # noqa: F401


class Channel:
    """Stands in for the mixer's channel: keeps the blocks it is given."""

    def __init__(self):
        self.blocks = []

    def get_busy(self):
        return bool(self.blocks)

    def get_queue(self):
        return self.blocks[-1] if len(self.blocks) > 1 else None

    def queue(self, block):
        self.blocks.append(block)


class Recording(Speaker):
    """A speaker on a recording channel that keeps what each frame asked it to play."""

    def __init__(self, volume):
        super().__init__(volume, channel=Channel())
        self.asked = []
        self.closed = False

    def play(self, sound):
        self.asked.append(sound)
        super().play(sound)

    def close(self):
        self.closed = True


@pytest.fixture
def speakers():
    made = []

    def open_speaker(volume):
        made.append(Recording(volume))
        return made[-1]
    return made, open_speaker


def test_m_turns_the_sound_on_and_each_frame_plays_the_scenes_own_numbers(speakers):
    made, open_speaker = speakers
    desk = make_desktop(open_speaker=open_speaker)
    assert desk.speaker is None and not desk.sound_on          # off until asked: no device is opened
    press(desk, pygame.K_m, "m")
    assert desk.sound_on and len(made) == 1 and "Sound: on" in desk.message
    speaker = made[0]
    frame(desk)
    tones, noise = speaker.asked[-1]
    expected_tones, expected_noise = frame_sound(desk.scene)
    assert [(t.voice, t.frequency, t.amplitude) for t in tones] == \
        [(t.voice, t.frequency, t.amplitude) for t in expected_tones] and noise == expected_noise
    assert speaker.channel.blocks                              # it was synthesised for the device
    press(desk, pygame.K_m, "m")
    assert not desk.sound_on and not speaker.enabled and "Sound: off" in desk.message
    for _ in range(3):
        frame(desk)
    assert len(made) == 1                                      # the device is opened once
    desk.close()
    assert speaker.closed


def test_the_panel_sound_button_and_volume_slider(speakers):
    made, open_speaker = speakers
    desk = make_desktop(open_speaker=open_speaker)
    tab(desk, "Scene")
    click(desk, desk.panel.sound_button)
    frame(desk)
    assert desk.sound_on and desk.panel.sound_button.text == "Sound: on"
    slider = desk.panel.volume_slider
    desk.process_event(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, ui_element=slider, value=25))
    frame(desk)
    assert desk.volume == 0.25 and made[0].volume == 0.25 and desk.panel.volume_label.text == "volume 25%"
    click(desk, desk.panel.sound_button)
    frame(desk)
    assert not desk.sound_on and desk.panel.sound_button.text == "Sound: off"


def test_sound_flag_starts_with_sound_and_its_volume(speakers):
    made, open_speaker = speakers
    desk = make_desktop(open_speaker=open_speaker, sound=True, volume=0.3)
    assert desk.sound_on and made[0].volume == 0.3


def test_no_audio_device_is_one_message_and_the_window_stays_silent(speakers):
    def no_device(volume):
        speaker = Speaker(volume)
        speaker.problem = "no audio device (Audio target 'x' not available)"
        return speaker

    desk = make_desktop(open_speaker=no_device)
    press(desk, pygame.K_m, "m")
    assert not desk.sound_on and "the window stays silent" in desk.message
    assert desk.console.getvalue().count("no audio device") == 1
    for _ in range(3):
        frame(desk)
    assert desk.speaker.channel is None


def test_live_math_moved_to_l_and_m_is_the_sounds():
    from illumination.exhibits.network.controls import network_controls
    from illumination.modes.desktop.keys import PLAIN
    assert PLAIN[pygame.K_m] == "mute"
    shortcuts = {t.shortcut.lower() for t in network_controls().toggles if t.shortcut}
    assert "m" not in shortcuts and "l" in shortcuts
    # no exhibit toggle may take a key of the window's own
    window_letters = {chr(key) for key in PLAIN if 97 <= key <= 122}
    assert not shortcuts & window_letters


def test_the_window_sound_is_the_landscapes_on_a_landscape(speakers):
    from illumination.exhibits.landscape.sonify import ROOT_HZ
    made, open_speaker = speakers
    desk = make_desktop(open_speaker=open_speaker, sound=True)
    desk.switch_exhibit("landscape")
    frame(desk)
    tones, _ = made[0].asked[-1]
    assert any(t.voice == "root" and t.frequency == ROOT_HZ for t in tones)
    assert np.all([np.isfinite(t.amplitude) for t in tones])


@pytest.mark.parametrize("argv, fragment", [
    (["--volume", "0.3"], "--volume applies only with --sound"),
    (["--sound", "--volume", "2"], "--volume"),
    (["--sound", "--volume", "nan"], "--volume"),
])
def test_sound_flag_mistakes_are_one_line_and_exit_2(capsys, argv, fragment):
    from illumination.cli import main
    try:
        code = main(["run", *argv])
    except SystemExit as exit:          # argparse's own refusals (a value out of range) exit from the parser
        code = exit.code
    assert code == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_no_audio_device_from_sdl_is_said_once_in_all(tmp_path):
    """The real window (`illumination --sound`, the dummy video driver), SDL refusing audio: one line says so, no
    traceback, and the window runs on (it stops itself after its first live frame: the start-up probe)."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "ILLUMINATION_ALLOW_DUMMY_WINDOW": "1",
           "SDL_AUDIODRIVER": "nosuch", "ILLUMINATION_STARTUP_PROBE": str(tmp_path / "probe.jsonl")}
    result = subprocess.run([sys.executable, "-m", "illumination", "--sound", "--size", "800x450"], env=env,
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    everything = result.stdout + result.stderr
    assert result.returncode == 0, everything
    assert everything.count("no audio device") == 1 and "the window stays silent" in everything
    assert "Traceback" not in everything and "live_frame" in (tmp_path / "probe.jsonl").read_text()
