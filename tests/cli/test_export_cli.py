"""`illumination export` end to end: formats read back, frames equal the in-memory run, determinism, errors."""
import hashlib

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from illumination.cli import main
from illumination.core.frames import MemoryWriter
from illumination.exhibits import get_exhibit
from illumination.exhibits.network.settings import NetworkSettings as Settings
from illumination.modes.export import render as export_render

SIZE = (96, 54)


def in_memory_frames(frames, fps=30, seed=42):
    show = export_render.start(get_exhibit("network"), Settings(seed=seed), SIZE)
    writer = MemoryWriter(SIZE, fps)
    export_render.export_frames(show, writer, frames, fps)
    return [np.frombuffer(f, dtype=np.uint8).reshape(SIZE[1], SIZE[0], 3) for f in writer.frames]


def export(capsys, *argv):
    code = main(["export", "--size", f"{SIZE[0]}x{SIZE[1]}", *argv])
    return code, capsys.readouterr()


def test_mp4_reads_back_with_the_same_frames(tmp_path, capsys):
    target = tmp_path / "run.mp4"
    code, out = export(capsys, "-o", str(target), "--frames", "12", "--fps", "30", "--crf", "0")
    assert code == 0 and "12 frames" in out.out
    reader = imageio_ffmpeg.read_frames(str(target))
    meta = next(reader)
    decoded = [np.frombuffer(f, dtype=np.uint8).reshape(SIZE[1], SIZE[0], 3) for f in reader]
    reader.close()
    assert meta["size"] == SIZE and meta["fps"] == 30 and len(decoded) == 12
    expected = in_memory_frames(12)
    # crf 0 is lossless in luma, but yuv420p halves chroma resolution (harsh on a 96x54 frame full of fine
    # lines): compare with a tolerance, and check each decoded frame is closest to its own in-memory frame.
    for k, got in enumerate(decoded):
        errors = [np.abs(got.astype(int) - want.astype(int)).mean() for want in expected]
        assert errors[k] < 10 and errors[k] == min(errors)


def test_gif_and_webp_and_png_sequence(tmp_path, capsys):
    expected = in_memory_frames(6, fps=20)
    for name in ("run.gif", "run.webp"):
        code, _ = export(capsys, "-o", str(tmp_path / name), "--frames", "6", "--fps", "20")
        assert code == 0
        with Image.open(tmp_path / name) as image:
            assert image.size == SIZE and image.n_frames == 6
            image.seek(5)
            last = np.asarray(image.convert("RGB")).astype(int)
        assert np.abs(last - expected[5].astype(int)).mean() < 12
    code, _ = export(capsys, "-o", str(tmp_path / "frames" / "%05d.png"), "--frames", "6", "--fps", "20")
    assert code == 0
    files = sorted((tmp_path / "frames").glob("*.png"))
    assert [f.name for f in files] == [f"{k:05d}.png" for k in range(6)]
    np.testing.assert_array_equal(np.asarray(Image.open(files[5]).convert("RGB")), expected[5])


def test_same_arguments_same_frames_bit_for_bit(tmp_path, capsys):
    digests = []
    for run in ("a", "b"):
        export(capsys, "-o", str(tmp_path / run / "%05d.png"), "--frames", "8", "--seed", "3")
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp_path / run).glob("*.png"))])
    assert digests[0] == digests[1] and len(digests[0]) == 8
    export(capsys, "-o", str(tmp_path / "c" / "%05d.png"), "--frames", "8", "--seed", "4")
    other = [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp_path / "c").glob("*.png"))]
    assert other != digests[0]


def test_interrupt_finalizes_a_shorter_valid_video(tmp_path, capsys, monkeypatch):
    original = export_render.export_frames

    def interrupted(scene, writer, frames, fps, progress=None):
        original(scene, writer, 5, fps, progress)
        raise KeyboardInterrupt

    monkeypatch.setattr(export_render, "export_frames", interrupted)
    target = tmp_path / "run.mp4"
    code, out = export(capsys, "-o", str(target), "--frames", "100")
    assert code == 130 and "shorter" in out.err
    reader = imageio_ffmpeg.read_frames(str(target))
    next(reader)
    assert sum(1 for _ in reader) == 5
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.mp4"]  # no temp files left


def test_failure_mid_export_leaves_nothing_under_the_final_name(tmp_path, capsys, monkeypatch):
    original = export_render.export_frames

    def failing(scene, writer, frames, fps, progress=None):
        original(scene, writer, 3, fps, progress)
        raise RuntimeError("boom")

    monkeypatch.setattr(export_render, "export_frames", failing)
    with pytest.raises(RuntimeError):
        export(capsys, "-o", str(tmp_path / "run.mp4"), "--frames", "10")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, fragment, code", [
    (["-o", "{tmp}/run.avi"], "unsupported format", 2),
    (["-o", "{tmp}/missing/run.mp4"], "does not exist", 2),
    (["-o", "{tmp}/run.gif", "--size", "1920x1080", "--frames", "3600"], "more than a gif can hold", 2),
    (["-o", "{tmp}/run.mp4", "--preset", "warp"], "preset", 2),
    (["-o", "{tmp}/run.mp4", "--crf", "70"], "crf", 2),
    (["-o", "{tmp}/run.mp4", "--size", "95x55"], "even", 2),
])
def test_bad_arguments_one_line_exit_2(tmp_path, capsys, argv, fragment, code):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--frames" not in argv:
        argv += ["--frames", "2"]
    result, out = export(capsys, *argv)
    assert result == code and fragment in out.err and out.err.count("\n") == 1
    assert not list(tmp_path.glob("*.*"))


def test_existing_file_needs_overwrite(tmp_path, capsys):
    target = tmp_path / "run.mp4"
    target.write_bytes(b"keep me")
    code, out = export(capsys, "-o", str(target), "--frames", "2")
    assert code == 2 and "--overwrite" in out.err and target.read_bytes() == b"keep me"
    code, _ = export(capsys, "-o", str(target), "--frames", "2", "--overwrite")
    assert code == 0 and target.read_bytes() != b"keep me"


def test_default_length_trains_to_the_end_then_holds():
    show = export_render.start(get_exhibit("network"), Settings(max_epochs=30, speed=3.0), SIZE)
    assert export_render.frame_count(show.scene, 30) == (10 + 3) * 30
    assert export_render.frame_count(show.scene, 30, frames=7) == 7
    assert export_render.frame_count(show.scene, 30, duration=2.0) == 60


# -- compositions and moments inside a run ------------------------------------------------------------------------

def snapshot(capsys, tmp_path, name, *argv):
    target = tmp_path / name
    code = main(["snapshot", "--size", "320x180", "-o", str(target), *argv])
    out = capsys.readouterr()
    return code, out, (np.asarray(Image.open(target).convert("RGB")).astype(int) if target.exists() else None)


def test_snapshot_at_epoch_is_mid_training_of_the_longer_run(tmp_path, capsys):
    code, out, mid = snapshot(capsys, tmp_path, "mid.png", "--at-epoch", "5", "--epochs", "200")
    assert code == 0 and "epoch 5," in out.out
    code, out, end = snapshot(capsys, tmp_path, "end.png", "--epochs", "5")
    assert code == 0 and "epoch 5," in out.out
    # The same weights (epoch 5, same seed), but one run is mid-training and the other has finished (TRAINED):
    # the pictures differ, and a run's length never changes its first epochs.
    assert np.abs(mid - end).mean() > 1.0
    code, out, _ = snapshot(capsys, tmp_path, "past.png", "--at-epoch", "300", "--epochs", "200")
    assert code == 2 and "--at-epoch 300 is past the end of the run (--epochs 200)" in out.err
    code, out, _ = snapshot(capsys, tmp_path, "wrong.png", "--at-step", "3")
    assert code == 2 and "--at-step does not apply to the network exhibit" in out.err


def test_composition_flag_draws_the_other_layout_and_rejects_unknown_names(tmp_path, capsys):
    _, _, explain = snapshot(capsys, tmp_path, "e.png", "--at-epoch", "3")
    code, _, gallery = snapshot(capsys, tmp_path, "g.png", "--at-epoch", "3", "--composition", "gallery")
    assert code == 0 and np.abs(explain - gallery).mean() > 3.0
    code, out, _ = snapshot(capsys, tmp_path, "x.png", "--composition", "wall")
    assert code == 2 and "composition" in out.err and "gallery" in out.err and "\n" == out.err[-1] \
        and out.err.count("\n") == 1


def test_export_from_epoch_starts_there_and_runs_to_the_end(tmp_path, capsys):
    target = tmp_path / "late.gif"
    code, out = export(capsys, "-o", str(target), "--epochs", "4", "--from-epoch", "3", "--fps", "10",
                       "--speed", "2")
    assert code == 0
    # The rest of a 4-epoch run at 2 epochs/s from epoch 3 (~0.5 s) plus the 3 s hold, at 10 fps: ~35 frames,
    # where the whole run would be 2 s + 3 s = 50.
    frames = int(out.out.split(": ")[1].split(" frames")[0])
    assert 33 <= frames <= 38
    code, out = export(capsys, "-o", str(tmp_path / "bad.gif"), "--epochs", "4", "--from-epoch", "9")
    assert code == 2 and "--from-epoch 9 is past the end of the run (--epochs 4)" in out.err
