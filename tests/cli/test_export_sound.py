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


def test_the_landscape_exports_its_drone_at_the_height_it_measures(tmp_path, capsys):
    """The Landscape's sound in the video: its A1 root, and the height voice at 110 · 2^share Hz for the balls'
    mean height measured independently here (the same run, stepped on the same clock)."""
    from illumination.core.show import make_show
    from illumination.exhibits import get_exhibit
    from illumination.exhibits.landscape.sonify import height_scale, height_share
    path = tmp_path / "landscape.mp4"
    args = ["--exhibit", "landscape", "--seed", "5", "--duration", "2", "--size", "320x180", "--balls", "200"]
    assert main(["export", "--sound", "-o", str(path), *args]) == 0
    assert main(["export", "--sound", "-o", str(tmp_path / "again.mp4"), *args]) == 0
    info = streams(path)
    assert info.count("Video: h264") == 1 and info.count("Audio: aac") == 1
    assert np.array_equal(decoded_audio(path), decoded_audio(tmp_path / "again.mp4"))    # bit for bit
    audio = decoded_audio(path)[SAMPLE_RATE:]                  # the second second: the height has moved on
    exhibit = get_exhibit("landscape")
    show = make_show(exhibit, exhibit.settings().replace(seed=5, balls=200), (320, 180))
    heights = []
    for frame in range(120):
        show.update(1 / 30)
        if frame >= 60:
            balls = show.scene.balls
            heights.append(height_share(float(np.mean(balls.losses()[~balls.exploded])),
                                        *height_scale(balls.surface)))
    expected = 110.0 * 2 ** np.mean(heights)
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    frequencies = np.fft.rfftfreq(len(audio), 1 / SAMPLE_RATE)
    band = (frequencies > 100) & (frequencies < 230)
    peak = frequencies[band][np.argmax(spectrum[band])]
    assert abs(peak - expected) < 3.0, (peak, expected)        # 1 s of audio: 1 Hz bins
    assert spectrum[np.abs(frequencies - 55.0) < 2].max() > 20 * np.median(spectrum[band])


def test_without_sound_there_is_no_audio_stream(tmp_path, capsys):
    path = tmp_path / "silent.mp4"
    assert main(["export", "-o", str(path), *ARGS]) == 0
    assert "Audio:" not in streams(path)


@pytest.mark.parametrize("argv, fragment", [
    (["--sound", "-o", "x.gif"], "--sound needs an .mp4 output (a gif has no sound track)"),
    (["--volume", "0.3", "-o", "x.mp4"], "--volume applies only with --sound"),
])
def test_sound_mistakes_are_one_line_and_exit_2(tmp_path, capsys, argv, fragment, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["export", *argv, "--frames", "2"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and not list(tmp_path.iterdir())
