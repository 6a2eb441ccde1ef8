"""`export --sound`: an MP4 with one video and one AAC stream of the same length, the same samples every time."""
import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from illumination.cli import main
from illumination.core.sound import SAMPLE_RATE
from illumination.exhibits.network.sonify import HIDDEN_NOTES_HZ

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
ARGS = ["--seed", "3", "--duration", "2", "--size", "320x180", "--speed", "30"]


def decoded_audio(path) -> np.ndarray:
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE),
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4")


def streams(path) -> str:
    return subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def test_export_with_sound_is_one_video_and_one_aac_track_of_the_same_length_and_repeats_exactly(tmp_path, capsys):
    first, second = tmp_path / "a.mp4", tmp_path / "b.mp4"
    assert main(["export", "--sound", "-o", str(first), *ARGS]) == 0
    assert main(["export", "--sound", "-o", str(second), *ARGS]) == 0
    info = streams(first)
    assert info.count("Video: h264") == 1 and info.count("Audio: aac") == 1
    one, two = decoded_audio(first), decoded_audio(second)
    assert np.array_equal(one, two)                                    # the same seed, the same samples
    assert abs(len(one) - 2 * SAMPLE_RATE) <= SAMPLE_RATE // 60         # as long as the 120 frames, within a frame
    assert np.all(np.isfinite(one)) and 0.01 < np.max(np.abs(one)) <= 1.0
    # what plays is the network's: its drone (A1, 55 Hz) and its hidden neurons' pentatonic notes
    spectrum = np.abs(np.fft.rfft(one * np.hanning(len(one))))
    frequencies = np.fft.rfftfreq(len(one), 1 / SAMPLE_RATE)
    def level(f):
        return spectrum[np.abs(frequencies - f) < 2].max()
    floor = np.median(spectrum[(frequencies > 40) & (frequencies < 2000)])
    assert level(55.0) > 50 * floor
    assert sum(level(f) > 20 * floor for f in HIDDEN_NOTES_HZ[:16]) >= 3


def test_without_sound_there_is_no_audio_stream(tmp_path, capsys):
    path = tmp_path / "silent.mp4"
    assert main(["export", "-o", str(path), *ARGS]) == 0
    assert "Audio:" not in streams(path)


@pytest.mark.parametrize("argv, fragment", [
    (["--sound", "-o", "x.gif"], "--sound needs an .mp4 output (a gif has no sound track)"),
    (["--sound", "--exhibit", "landscape", "-o", "x.mp4"], "the landscape exhibit makes no sound yet"),
    (["--volume", "0.3", "-o", "x.mp4"], "--volume applies only with --sound"),
])
def test_sound_mistakes_are_one_line_and_exit_2(tmp_path, capsys, argv, fragment, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *argv, "--frames", "2"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and not list(tmp_path.iterdir())
