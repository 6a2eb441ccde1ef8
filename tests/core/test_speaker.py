"""Live sound (core/speaker.py): what the device plays is exactly what was synthesised, kept ~70 ms ahead; a stall
fades to silence and back without a click; muting fades out and then costs nothing; no device is one log line."""
import logging
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from illumination.core.sound import Tone
from illumination.core.speaker import DEVICE_CHUNK, FADE_SAMPLES, TARGET_SAMPLES, Speaker, sound_of

A4 = ([Tone("a", 440.0, 0.3)], 0.0)


def drain(speaker: Speaker, blocks: int) -> np.ndarray:
    """What the device would play next: `blocks` of DEVICE_CHUNK samples pulled through the audio callback."""
    out = []
    for _ in range(blocks):
        block = np.zeros(DEVICE_CHUNK, dtype=np.float32)
        speaker.fill(block)
        out.append(block)
    return np.concatenate(out)


def test_the_queue_is_topped_up_to_its_target_and_played_sample_for_sample():
    speaker = Speaker(keep_played=True)
    rendered = []
    original = speaker.synth.render

    def render(*args):
        block = original(*args)
        rendered.append(block)
        return block

    speaker.synth.render = render
    speaker.play(A4)
    assert speaker.queued == TARGET_SAMPLES
    speaker.play(A4)                                   # already full: nothing more is synthesised
    assert len(rendered) == 1
    played = []
    for _ in range(20):                                # a 60 fps loop against a device pulling 1024 at a time
        played.append(drain(speaker, 1))
        speaker.play(A4)
        assert 0 < speaker.queued <= TARGET_SAMPLES
    played = np.concatenate(played)
    assert np.array_equal(played, np.concatenate(rendered)[:len(played)])   # nothing lost, nothing repeated
    assert speaker.underruns == 0


def test_a_stall_fades_to_silence_and_back_without_a_click():
    speaker = Speaker()
    speaker.play(A4)
    first = drain(speaker, 3)                              # 3,072 queued samples: all played
    stalled = drain(speaker, 2)                            # the loop stalled: nothing queued
    assert np.max(np.abs(np.diff(np.concatenate([first, stalled])))) < 0.05
    assert np.all(stalled[FADE_SAMPLES:] == 0.0) and speaker.underruns == 1
    speaker.play(A4)
    again = drain(speaker, 1)
    assert np.max(np.abs(np.diff(again))) < 0.05           # fades back in: no step from 0 to the tone
    assert np.max(np.abs(again[FADE_SAMPLES:])) > 0.03            # and the tone is back


def test_muting_fades_out_then_synthesises_nothing():
    speaker = Speaker()
    for _ in range(10):
        speaker.play(A4)
        drain(speaker, 1)
    speaker.enabled = False
    tail = []
    for _ in range(40):
        speaker.play(A4)
        tail.append(drain(speaker, 1))
    tail = np.concatenate(tail)
    assert np.max(np.abs(np.diff(tail))) < 0.05
    assert speaker.synth.silent and speaker.queued == 0
    assert np.all(tail[-DEVICE_CHUNK:] == 0.0)


def test_a_volume_change_is_a_ramp_not_a_step():
    speaker = Speaker(volume=0.0)
    speaker.play(A4)
    drain(speaker, 3)
    speaker.volume = 1.0
    speaker.play(A4)
    louder = drain(speaker, 3)
    assert np.max(np.abs(np.diff(louder))) < 0.07         # 440 Hz at 0.3 moves at most 0.019 a sample
    speaker.volume = 7                                     # clamped to 0-1
    assert speaker.volume == 1.0


def test_a_nan_never_reaches_the_device():
    speaker = Speaker()
    speaker.play(([Tone("bad", 440.0, float("nan"))], 0.0))
    assert np.all(np.isfinite(drain(speaker, 3)))


def test_a_failing_sound_mapping_is_silence_and_a_bounded_log(caplog):
    class Broken:
        class exhibit:
            name = "broken"

            @staticmethod
            def sound(scene):
                raise ZeroDivisionError("oops")
        scene = None

    with caplog.at_level(logging.WARNING, logger="illumination.sound"):
        results = [sound_of(Broken) for _ in range(20)]
    assert results == [None] * 20
    assert 1 <= len(caplog.records) <= 5 and "oops" in caplog.records[0].getMessage()


def test_the_dummy_audio_device_drains_what_the_loop_synthesises(caplog):
    """The real SDL device (the dummy driver, as the suite runs): it pulls in real time from its own thread."""
    assert os.environ["SDL_AUDIODRIVER"] == "dummy"
    with caplog.at_level(logging.INFO, logger="illumination.sound"):
        speaker = Speaker.open(0.6, keep_played=True)
    try:
        assert speaker.device is not None, speaker.problem
        assert "playing on the default audio device" in caplog.text
        started = time.perf_counter()
        while time.perf_counter() - started < 0.5:        # a 60 fps loop for half a second
            speaker.play(A4)
            time.sleep(1 / 60)
    finally:
        speaker.close()
    played = np.concatenate(speaker.played)
    assert len(played) >= 0.3 * 44_100                     # it pulled about half a second of sound
    assert np.max(np.abs(played)) > 0.1 and np.all(np.isfinite(played))


def test_no_audio_device_is_one_log_line_and_silence():
    code = ("import logging, sys; logging.basicConfig(stream=sys.stdout, format='%(levelname)s %(message)s'); "
            "from illumination.core.speaker import Speaker; from illumination.core.sound import Tone; "
            "s = Speaker.open(0.6); s.play(([Tone('a', 440.0, 0.3)], 0.0)); "
            "print('device', s.device, 'queued', s.queued)")
    env = {**os.environ, "SDL_AUDIODRIVER": "no-such-driver"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "device None queued 0"
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert len(warnings) == 1 and "no audio device" in warnings[0] and "playing silently" in warnings[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("level", [0.0, 0.5, 1.0])
def test_sound_of_scales_every_loudness(level):
    class Show:
        class exhibit:
            name = "test"

            @staticmethod
            def sound(scene):
                return [Tone("a", 440.0, 0.2)], 0.04
        scene = None

    result = sound_of(Show, level)
    if level == 0.0:
        assert result is None
    else:
        tones, noise = result
        assert tones[0].amplitude == pytest.approx(0.2 * level) and noise == pytest.approx(0.04 * level)
