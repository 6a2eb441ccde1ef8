"""Live sound (core/speaker.py): what the device plays is exactly what was synthesised, block after block with no
gap (checked through SDL's disk audio driver, sample for sample), and it closes with a fade; a stall fades back in;
muting fades out and then costs nothing; no device is one log line."""
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from illumination.core.sound import Synth, Tone
from illumination.core.speaker import CHUNK, DEVICE_BUFFER, FADE_SAMPLES, Speaker, sound_of

A4 = ([Tone("a", 440.0, 0.3)], 0.0)


class Channel:
    """A mixer channel's contract, recorded: the block playing, one queued; `finish()` ends the playing block."""

    def __init__(self):
        self.playing = self.queued = None
        self.played: list[np.ndarray] = []

    def get_busy(self):
        return self.playing is not None

    def get_queue(self):
        return self.queued

    def queue(self, block):                  # pygame's: an idle channel starts the block at once
        if self.playing is None:
            self.playing = block
            self.played.append(block)
        else:
            assert self.queued is None, "a waiting block would be dropped"
            self.queued = block

    def finish(self):
        self.playing, self.queued = self.queued, None
        if self.playing is not None:
            self.played.append(self.playing)


def speaker(**options) -> tuple[Speaker, Channel]:
    channel = Channel()
    return Speaker(channel=channel, **options), channel


def test_blocks_follow_one_another_as_the_synth_made_them():
    live, channel = speaker()
    for _ in range(12):                      # a 60 fps loop; the device ends a block every ~3 frames
        live.play(A4)
        live.play(A4)
        channel.finish()
    reference = Synth(seed=0, volume=0.6)
    expected = [reference.render(*A4, CHUNK) for _ in range(len(channel.played))]
    assert len(channel.played) >= 12 and live.restarts == 1
    assert channel.played[0][0] == 0.0 and np.max(np.abs(channel.played[0][:64])) < 0.01    # it rises from silence
    for played, wanted in zip(channel.played, expected):
        assert np.array_equal(played, wanted)


def test_a_late_frame_lets_it_run_dry_and_the_next_block_goes_on_where_the_sound_was():
    """A block is whole mixer buffers, so a channel that just ran dry starts the next block on the next buffer: the
    block goes on from the synth's state (a fade from zero there would be a click of its own)."""
    assert CHUNK % DEVICE_BUFFER == 0
    live, channel = speaker()
    live.play(A4)
    channel.finish()
    channel.finish()                         # the loop was late: both blocks played, nothing queued
    assert not channel.get_busy()
    live.play(A4)
    assert live.restarts == 2
    stream = np.concatenate(channel.played)
    assert np.max(np.abs(np.diff(stream))) < 0.03         # no step where the third block begins


def test_only_a_stall_longer_than_everything_queued_fades_the_next_block_in():
    now = [0.0]
    live, channel = Speaker(channel=Channel(), clock=lambda: now[0]), None
    channel = live.channel
    live.play(A4)
    for late in (0.15, 0.6):                 # a frame 150 ms late (the queue bridged it), then a 600 ms stall
        channel.finish()
        channel.finish()
        now[0] += late
        live.play(A4)
    bridged, faded = channel.played[2], channel.played[4]
    assert live.restarts == 3 and live.gaps == 1
    assert abs(bridged[0]) > 0.01                                     # went on where the sound was
    assert faded[0] == 0.0 and np.max(np.abs(np.diff(faded[:FADE_SAMPLES]))) < 0.03   # faded in after silence


def test_muting_fades_out_then_synthesises_nothing():
    live, channel = speaker()
    for _ in range(5):
        live.play(A4)
        channel.finish()
    live.enabled = False
    for _ in range(40):
        live.play(A4)
        channel.finish()
    tail = np.concatenate(channel.played[5:])
    assert np.max(np.abs(np.diff(tail))) < 0.05 and live.synth.silent
    count = len(channel.played)
    live.play(A4)
    channel.finish()
    assert len(channel.played) == count      # silent and muted: no block is made at all


def test_a_volume_change_is_a_ramp_not_a_step():
    live, channel = speaker(volume=0.0)
    live.play(A4)
    channel.finish()
    live.volume = 1.0
    live.play(A4)
    channel.finish()
    louder = np.concatenate(channel.played)
    assert np.max(np.abs(np.diff(louder))) < 0.07         # 440 Hz at 0.3 moves at most 0.019 a sample
    live.volume = 7
    assert live.volume == 1.0                             # clamped to 0-1


def test_a_nan_never_reaches_the_device():
    live, channel = speaker()
    live.play(([Tone("bad", 440.0, float("nan"))], 0.0))
    assert channel.played and all(np.all(np.isfinite(block)) for block in channel.played)


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


PLAY_A_SECOND = textwrap.dedent("""
    import logging, sys, time
    import numpy as np
    logging.basicConfig(stream=sys.stdout, format="%(levelname)s %(message)s")
    from illumination.core.sound import Tone
    from illumination.core.speaker import Speaker
    speaker = Speaker.open(0.6)
    made = []
    block = speaker._block
    speaker._block = lambda *a, **k: made.append(block(*a, **k)) or made[-1]
    started = time.perf_counter()
    while time.perf_counter() - started < 1.0:           # a 60 fps loop for a second
        speaker.play(([Tone("a", 440.0, 0.3)], 0.0))
        time.sleep(1 / 60)
    speaker.close()
    np.save(sys.argv[1], np.concatenate(made) if made else np.zeros(0, np.float32))
    print("problem", repr(speaker.problem), "restarts", speaker.restarts)
""")


def play_a_second(tmp_path, driver: str, **env) -> tuple[subprocess.CompletedProcess, np.ndarray]:
    script = tmp_path / "play.py"
    script.write_text(PLAY_A_SECOND)
    made = tmp_path / "made.npy"
    result = subprocess.run([sys.executable, str(script), str(made)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "SDL_AUDIODRIVER": driver, **env}, cwd=os.getcwd())
    assert result.returncode == 0, result.stderr
    return result, np.load(made)


def test_the_device_plays_exactly_the_synthesised_blocks_with_no_gap(tmp_path):
    """SDL's disk driver writes what the device is given: after the mixer's first buffer of silence, the file is
    the synthesised blocks, sample for sample, for the whole second (no gap between blocks, none repeated)."""
    played_file = tmp_path / "played.raw"
    result, made = play_a_second(tmp_path, "disk", SDL_DISKAUDIOFILE=str(played_file))
    assert "restarts 1" in result.stdout                   # started once, never ran dry
    played = np.fromfile(played_file, dtype="<f4")
    start = int(np.flatnonzero(played)[0]) - 1             # the first block fades in from exactly 0
    assert np.all(played[:start] == 0.0) and start % 1024 == 0
    heard = played[start:start + len(made)]
    assert len(heard) > 0.8 * 44_100
    assert np.array_equal(heard, made[:len(heard)])
    # and it closes by fading out: no step anywhere, the last samples silent
    assert np.max(np.abs(np.diff(played))) < 0.05 and np.max(np.abs(played[-64:])) < 1e-3


def test_no_audio_device_is_one_log_line_and_silence(tmp_path):
    result, made = play_a_second(tmp_path, "no-such-driver")
    lines = result.stdout.strip().splitlines()
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert len(warnings) == 1 and "no audio device" in warnings[0] and "playing silently" in warnings[0]
    assert len(made) == 0 and "Traceback" not in result.stderr


def test_the_dummy_device_opens_plays_and_closes(tmp_path):
    result, made = play_a_second(tmp_path, "dummy")
    assert "problem ''" in result.stdout and len(made) >= 0.8 * 44_100
