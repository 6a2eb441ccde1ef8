"""SIGTERM and SIGHUP stop every command like Ctrl-C: a valid shorter file where one is written, nothing partial
left, and the exit code names the signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP)."""
import os
import signal
import subprocess
import sys
import time

import imageio_ffmpeg
import pytest

from illumination.core import signals

ENV = {**os.environ, "SDL_VIDEODRIVER": "dummy", "CI": "true"}


def start(tmp_path, *argv):
    return subprocess.Popen([sys.executable, "-c", "import sys; from illumination.cli import main; "
                             "sys.exit(main(sys.argv[1:]))", *argv], cwd=tmp_path, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_export_stops_with_a_valid_shorter_video_and_no_temp_files(tmp_path, signum, code):
    process = start(tmp_path, "export", "--frames", "20000", "--size", "160x90", "-o", "t.mp4")
    partial = lambda: any(p.name.startswith(".t.partial-") and p.stat().st_size > 20_000 for p in tmp_path.iterdir())
    assert wait_for(partial), "the export never started writing"
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "wrote a valid shorter export" in err
    assert [p.name for p in tmp_path.iterdir()] == ["t.mp4"]          # no .partial file left behind
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "t.mp4"))
    next(reader)
    assert sum(1 for _ in reader) > 0
    reader.close()


@pytest.mark.parametrize("argv", [
    ["snapshot", "--epochs", "1000000", "--speed", "100", "--size", "160x90", "-o", "s.png"],
    ["train", "--epochs", "1000000"],
    ["kiosk", "--headless", "--simulate-hours", "50", "--size", "160x90"],
])
def test_long_commands_stop_on_sigterm_with_143(tmp_path, argv):
    process = start(tmp_path, *argv)
    time.sleep(6)                                   # past the imports, into the work
    assert process.poll() is None, process.communicate()[1]
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "Traceback" not in err and "SIGTERM" in err
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_a_signal_during_a_files_final_step_waits_for_it():
    """Inside deferred() a signal is held; the block finishes, then the signal arrives as its exception."""
    finished = []
    with pytest.raises(signals.Stopped) as caught:
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            finished.append(True)
    assert finished == [True] and caught.value.signum == signal.SIGTERM
    assert signals.exit_code(caught.value) == 143
    with pytest.raises(KeyboardInterrupt):
        with signals.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_gifs_final_encode_still_leaves_the_whole_gif(tmp_path, capsys, monkeypatch, signum, code):
    from PIL import Image

    from illumination.cli import main
    from illumination.core.frames import formats
    encode = formats.GifWriter._finalize

    def interrupted_encode(self):
        os.kill(os.getpid(), signum)      # arrives while the GIF is being encoded
        time.sleep(0.05)
        encode(self)

    monkeypatch.setattr(formats.GifWriter, "_finalize", interrupted_encode)
    signals.install()
    result = main(["export", "--size", "96x54", "--frames", "5", "-o", str(tmp_path / "run.gif")])
    err = capsys.readouterr().err
    assert result == code and "wrote a valid shorter export: 5 frames" in err
    with Image.open(tmp_path / "run.gif") as image:
        assert image.n_frames == 5
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]
