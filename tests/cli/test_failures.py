"""Every failure is one line and the documented exit code, including failures inside the error paths themselves:
a target that cannot be written after training (the result is kept elsewhere), output to a full disk, names longer
than a file system allows, and benchmark arguments the writer refuses."""
import os
import subprocess
import sys

import numpy as np
import pytest

from illumination.cli import main
from illumination.cli import train as train_cli

LONG = "n" * 300


def one_line(err):
    return err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["snapshot", "--size", "160x90", "-o", "{tmp}/" + LONG + ".png"],
    ["export", "--frames", "2", "--size", "160x90", "-o", "{tmp}/" + LONG + ".mp4"],
    ["train", "--epochs", "1", "--save-weights", "{tmp}/" + LONG + ".npz"],
    ["train", "--epochs", "1", "--save-weights", ""],
    ["bench", "export", "--fps", "1000", "--frames", "2"],
    ["bench", "export", "--size", "99x99", "--frames", "2"],
    ["export", "--frames", "2", "--size", "160x90", "-o", "/proc/x.mp4"],
])
def test_refused_targets_and_arguments_are_one_line_exit_2(tmp_path, capsys, argv):
    try:
        code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2 and one_line(err), err
    assert list(tmp_path.iterdir()) == []


def test_save_weights_never_overwrites_without_overwrite(tmp_path, capsys):
    target = tmp_path / "w.npz"
    target.write_bytes(b"keep me")
    with pytest.raises(SystemExit) as stop:
        main(["train", "--epochs", "1", "--save-weights", str(target)])
    assert stop.value.code == 2 and target.read_bytes() == b"keep me"
    assert main(["train", "--epochs", "1", "--save-weights", str(target), "--overwrite"]) == 0
    assert set(np.load(target, allow_pickle=False).files) == {"W1", "b1", "W2", "b2"}


def test_weights_that_cannot_be_written_after_training_are_kept_and_the_line_says_where(tmp_path, capsys, monkeypatch):
    real = train_cli._write_npz

    def failing(net, target):
        if target.parent == tmp_path:
            raise OSError(28, "No space left on device")
        real(net, target)

    monkeypatch.setattr(train_cli, "_write_npz", failing)
    with pytest.raises(SystemExit) as stop:
        main(["train", "--epochs", "2", "--save-weights", str(tmp_path / "w.npz")])
    err = capsys.readouterr().err
    assert stop.value.code == 1 and one_line(err) and "No space left on device" in err
    rescued = err.rsplit("safe in ", 1)[1].strip()
    assert set(np.load(rescued, allow_pickle=False).files) == {"W1", "b1", "W2", "b2"}
    os.unlink(rescued)
    assert list(tmp_path.iterdir()) == []                      # no temp file left in the target's directory


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("argv", [["train", "--epochs", "1", "--json"], ["bench", "train", "--seconds", "0.1"]])
def test_output_to_a_full_disk_is_one_line_exit_1(argv):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", "import sys; from illumination.cli import main; "
                               "sys.exit(main(sys.argv[1:]))", *argv], stdout=full, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "SDL_VIDEODRIVER": "dummy"}, timeout=120)
    assert done.returncode == 1 and one_line(done.stderr) and "No space left on device" in done.stderr


def test_a_250_byte_name_can_be_written_because_temp_names_stay_short(tmp_path, capsys):
    name = "m" * 246
    assert main(["export", "--frames", "2", "--size", "160x90", "-o", str(tmp_path / f"{name}.mp4")]) == 0
    assert main(["snapshot", "--epochs", "1", "--size", "160x90", "-o", str(tmp_path / f"{name}.png")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.mp4", f"{name}.png"]
