import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import gc
import stat
import sys

import imageio_ffmpeg
import numpy as np
import pygame
import pytest
from PIL import Image, ImageSequence

from illumination.core import frames as export
from illumination.core.frames import (ExportError, MemoryWriter, open_writer, parse_target, save_png,
                                      surface_rgb_bytes)
from illumination.core.frames import base as frames_base
from illumination.core.frames.bench import bench_encode
from illumination.core.frames.formats import gif_durations, surface_bgrx_bytes

SIZE = (96, 64)
FPS = 30
COLOURS = [(230, 30, 30), (30, 200, 40), (40, 60, 220), (240, 220, 30), (200, 40, 200), (30, 210, 210),
           (250, 140, 20), (120, 120, 120), (250, 250, 250), (10, 10, 10), (120, 40, 10), (60, 140, 250)]


def make_frames(n=12, size=SIZE):
    """Distinct frames: left half one colour, right half another."""
    w, h = size
    frames = []
    for i in range(n):
        s = pygame.Surface(size)
        s.fill(COLOURS[i % len(COLOURS)])
        s.fill(COLOURS[(i + 5) % len(COLOURS)], pygame.Rect(w // 2, 0, w - w // 2, h))
        frames.append(s)
    return frames


def rgb_array(data, size=SIZE):
    return np.frombuffer(data, np.uint8).reshape(size[1], size[0], 3).astype(int)


def half_means(arr, margin=8):
    """Mean colour of the interior of the left and right halves (away from chroma-blurred edges)."""
    h, w, _ = arr.shape
    left = arr[margin:h - margin, margin:w // 2 - margin].reshape(-1, 3).mean(axis=0)
    right = arr[margin:h - margin, w // 2 + margin:w - margin].reshape(-1, 3).mean(axis=0)
    return left, right


def expected(frames):
    return [rgb_array(surface_rgb_bytes(s), s.get_size()) for s in frames]


def export_all(target, frames, fps=FPS, **kwargs):
    size = frames[0].get_size()
    with open_writer(target, size, fps, **kwargs) as w:
        for s in frames:
            w.write(s)
    return w


def read_mp4(path):
    gen = imageio_ffmpeg.read_frames(str(path))
    meta = next(gen)
    return meta, [rgb_array(f, meta["size"]) for f in gen]


def read_pillow(path):
    with Image.open(path) as im:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(im):
            frames.append(np.asarray(frame.convert("RGB")).astype(int))
            durations.append(frame.info.get("duration"))
        return im.size, frames, durations, im.info.get("loop")


def leftovers(directory):
    return sorted(p for p in os.listdir(directory) if ".partial-" in p)


# ---------------------------------------------------------------- formats round-trip

def test_mp4_roundtrip(tmp_path):
    frames = make_frames()
    w = export_all(tmp_path / "run.mp4", frames)
    assert w.path == tmp_path / "run.mp4" and w.frames_written == 12 and w.finalized
    meta, got = read_mp4(w.path)
    assert meta["size"] == SIZE and meta["fps"] == FPS and meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    assert len(got) == 12
    for want, have in zip(expected(frames), got):
        for a, b in zip(half_means(want), half_means(have)):
            assert np.abs(a - b).max() < 10
    assert os.listdir(tmp_path) == ["run.mp4"]


def kinds_of_surface(colour, size=(64, 48)):
    """The same picture in every pixel layout the app might hand us."""
    default = pygame.Surface(size)
    alpha = pygame.Surface(size, pygame.SRCALPHA)
    rgbx = pygame.Surface(size, 0, 32, (0xFF, 0xFF00, 0xFF0000, 0))  # R,G,B,X in memory: not BGRX
    deep24 = pygame.Surface(size, 0, 24)
    parent = pygame.Surface((size[0] + 10, size[1] + 10))
    sub = parent.subsurface(pygame.Rect(5, 5, *size))  # rows padded: pitch != width * 4
    for s in (default, alpha, rgbx, deep24, parent):
        s.fill(colour)
    return {"default": default, "srcalpha": alpha, "rgbx": rgbx, "24bit": deep24, "subsurface": sub}


@pytest.mark.parametrize("kind", ["default", "srcalpha", "rgbx", "24bit", "subsurface"])
def test_bgrx_bytes_match_pygame_for_every_layout(kind):
    s = kinds_of_surface((250, 120, 10))[kind]
    s.set_at((3, 2), (1, 2, 3))
    fast = np.frombuffer(surface_bgrx_bytes(s), np.uint8).reshape(-1, 4)[:, :3]
    slow = np.frombuffer(pygame.image.tobytes(s, "BGRA"), np.uint8).reshape(-1, 4)[:, :3]
    assert fast.shape[0] == 64 * 48
    assert (fast == slow).all()
    assert tuple(fast[0]) == (10, 120, 250)  # B, G, R


def test_default_surface_uses_the_raw_buffer(monkeypatch):
    if sys.byteorder != "little":
        pytest.skip("raw buffer path is little-endian only")

    def boom(*a, **k):
        raise AssertionError("slow path taken")

    monkeypatch.setattr(pygame.image, "tobytes", boom)
    assert len(surface_bgrx_bytes(pygame.Surface((8, 4)))) == 8 * 4 * 4


@pytest.mark.parametrize("kind", ["default", "rgbx", "subsurface"])
def test_mp4_channel_order(tmp_path, kind):
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [kinds_of_surface(c)[kind] for c in colours]
    _, got = read_mp4(export_all(tmp_path / "rgb.mp4", frames).path)
    assert len(got) == 3
    for colour, frame in zip(colours, got):
        mean = frame.reshape(-1, 3).mean(axis=0)
        assert np.argmax(mean) == np.argmax(colour), (kind, colour, mean)
        assert np.abs(mean - colour).max() < 20, (kind, colour, mean)


def test_mp4_1080p_keeps_its_size(tmp_path):
    _, got = read_mp4(export_all(tmp_path / "hd.mp4", make_frames(2, (1920, 1080))).path)
    assert got[0].shape == (1080, 1920, 3)


def test_gif_roundtrip(tmp_path):
    frames = make_frames()
    w = export_all(tmp_path / "run.gif", frames)
    size, got, durations, loop = read_pillow(w.path)
    assert size == SIZE and len(got) == 12 and loop == 0
    assert sum(durations) == 400  # 12 frames at 30 fps, exactly
    for want, have in zip(expected(frames), got):
        assert np.abs(want - have).max() <= 8


@pytest.mark.parametrize("fps", [1, 7, 24, 25, 30, 50])
def test_gif_durations_are_whole_centiseconds_with_exact_average(fps):
    durations = gif_durations(300, fps)
    assert len(durations) == 300
    assert all(d % 10 == 0 and d >= 20 for d in durations)
    assert abs(sum(durations) - 300 * 1000 / fps) <= 5
    starts = np.cumsum([0] + durations[:-1])
    assert np.abs(starts - np.arange(300) * 1000 / fps).max() <= 5


def test_webp_roundtrip(tmp_path):
    frames = make_frames()
    w = export_all(tmp_path / "run.webp", frames)
    size, got, durations, loop = read_pillow(w.path)
    assert size == SIZE and len(got) == 12 and loop == 0
    assert abs(sum(durations) - 400) <= 2
    for want, have in zip(expected(frames), got):
        for a, b in zip(half_means(want), half_means(have)):
            assert np.abs(a - b).max() < 12


def test_png_holds_the_last_frame(tmp_path):
    frames = make_frames(3)
    w = export_all(tmp_path / "still.png", frames)
    loaded = pygame.image.load(str(w.path))
    assert loaded.get_size() == SIZE
    assert surface_rgb_bytes(loaded) == surface_rgb_bytes(frames[-1])
    export_all(tmp_path / "one.png", frames[:1])
    assert surface_rgb_bytes(pygame.image.load(str(tmp_path / "one.png"))) == surface_rgb_bytes(frames[0])


@pytest.mark.parametrize("target, names", [("seq/", ["%05d.png" % i for i in range(12)]),
                                           ("seq/f_%03d.png", ["f_%03d.png" % i for i in range(12)])])
def test_png_sequence(tmp_path, target, names):
    frames = make_frames()
    w = export_all(f"{tmp_path}/{target}", frames)
    assert w.path == tmp_path / "seq"
    assert sorted(os.listdir(w.path)) == names
    for name, frame in zip(names, frames):
        with Image.open(w.path / name) as im:
            assert im.size == SIZE
            assert im.convert("RGB").tobytes() == surface_rgb_bytes(frame)
    assert os.listdir(tmp_path) == ["seq"]


def test_png_sequence_into_existing_dirs(tmp_path):
    out = tmp_path / "frames"
    out.mkdir()
    export_all(out, make_frames(5))  # an existing empty directory needs no --overwrite
    assert sorted(os.listdir(out)) == ["%05d.png" % i for i in range(5)]
    with pytest.raises(ExportError) as err:
        open_writer(out, SIZE, FPS)
    assert err.value.exit_code == 2 and "not empty" in str(err.value)
    (out / "notes.txt").write_text("keep me")
    export_all(out, make_frames(3), overwrite=True)
    # frames 3 and 4 of the older, longer export are gone; unrelated files stay
    assert sorted(os.listdir(out)) == ["%05d.png" % i for i in range(3)] + ["notes.txt"]


# ---------------------------------------------------------------- atomicity

TARGETS = ["out.mp4", "out.gif", "out.webp", "out.png", "seq/"]


@pytest.mark.parametrize("target", TARGETS)
def test_exception_mid_export_leaves_nothing(tmp_path, target):
    with pytest.raises(RuntimeError):
        with open_writer(f"{tmp_path}/{target}", SIZE, FPS) as w:
            for i, s in enumerate(make_frames()):
                if i == 6:
                    raise RuntimeError("render crashed")
                w.write(s)
    assert os.listdir(tmp_path) == []
    assert not w.finalized


@pytest.mark.parametrize("target", TARGETS)
def test_exception_keeps_an_existing_file(tmp_path, target):
    final = tmp_path / target.rstrip("/")
    if target.endswith("/"):
        final.mkdir()
        (final / "00000.png").write_bytes(b"old")
        old = final / "00000.png"
    else:
        final.write_bytes(b"old")
        old = final
    with pytest.raises(RuntimeError):
        with open_writer(f"{tmp_path}/{target}", SIZE, FPS, overwrite=True) as w:
            w.write(make_frames(1)[0])
            raise RuntimeError
    assert old.read_bytes() == b"old"
    assert leftovers(tmp_path) == [] and leftovers(final.parent if final.is_file() else final) == []


@pytest.mark.parametrize("target", ["out.mp4", "out.gif", "seq/"])
def test_ctrl_c_keeps_a_shorter_valid_file(tmp_path, target):
    with pytest.raises(KeyboardInterrupt):
        with open_writer(f"{tmp_path}/{target}", SIZE, FPS) as w:
            for i, s in enumerate(make_frames()):
                if i == 5:
                    raise KeyboardInterrupt
                w.write(s)
    assert w.finalized and w.frames_written == 5
    if target == "out.mp4":
        assert len(read_mp4(w.path)[1]) == 5
    elif target == "out.gif":
        assert len(read_pillow(w.path)[1]) == 5
    else:
        assert len(os.listdir(w.path)) == 5
    assert leftovers(tmp_path) == []


def test_ctrl_c_before_any_frame_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with open_writer(tmp_path / "out.mp4", SIZE, FPS):
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_close_without_frames_is_refused(tmp_path):
    w = open_writer(tmp_path / "out.gif", SIZE, FPS)
    with pytest.raises(ExportError) as err:
        w.close()
    assert err.value.exit_code == 2
    assert os.listdir(tmp_path) == []


def test_unclosed_writer_cleans_up_when_collected(tmp_path):
    w = open_writer(tmp_path / "out.mp4", SIZE, FPS)
    w.write(make_frames(1)[0])
    assert leftovers(tmp_path) != []
    del w
    gc.collect()
    assert os.listdir(tmp_path) == []


def test_frame_size_change_is_refused(tmp_path):
    with pytest.raises(ExportError) as err:
        with open_writer(tmp_path / "out.gif", SIZE, FPS) as w:
            w.write(pygame.Surface((64, 64)))
    assert err.value.exit_code == 2 and "64x64" in str(err.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("script", ["exit 1", "cat > /dev/null; exit 1"], ids=["dies-at-once", "dies-at-end"])
def test_ffmpeg_failure_is_an_io_error(tmp_path, monkeypatch, script):
    if sys.platform == "win32":
        pytest.skip("shell-script stand-in for ffmpeg")
    fake = tmp_path / "fake-ffmpeg"
    fake.write_text(f"#!/bin/sh\necho 'fake ffmpeg: No space left on device' >&2\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(fake))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportError) as err:
        export_all(out / "run.mp4", make_frames())
    assert err.value.exit_code == 1
    assert "No space left on device" in str(err.value) and "\n" not in str(err.value)
    assert os.listdir(out) == []


def test_animation_frame_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(frames_base, "ANIM_PIXEL_BUDGET", SIZE[0] * SIZE[1] * 5)
    assert export.max_frames("gif", SIZE) == 5 and export.max_frames("mp4", SIZE) is None
    w = open_writer(tmp_path / "out.gif", SIZE, FPS)
    frames = make_frames(6)
    for s in frames[:5]:
        w.write(s)
    with pytest.raises(ExportError) as err:
        w.write(frames[5])
    assert err.value.exit_code == 2 and "limited to 5 frames" in str(err.value)
    w.close()  # the frames so far are still saved
    assert len(read_pillow(w.path)[1]) == 5


def test_exported_files_get_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        export_all(tmp_path / "a.png", make_frames(1))
        export_all(f"{tmp_path}/seq/", make_frames(1))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a.png").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "seq").st_mode) == 0o755


# ---------------------------------------------------------------- validation

def test_existing_target_needs_overwrite(tmp_path):
    target = tmp_path / "run.mp4"
    target.write_bytes(b"precious")
    with pytest.raises(ExportError) as err:
        open_writer(target, SIZE, FPS)
    assert err.value.exit_code == 2 and "--overwrite" in str(err.value)
    assert target.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["run.mp4"]
    export_all(target, make_frames(2), overwrite=True)
    assert len(read_mp4(target)[1]) == 2


@pytest.mark.parametrize("args, kwargs, needle", [
    (("out.mp4", (97, 64), 30), {}, "even"),
    (("out.mp4", (96, 63), 30), {}, "even"),
    (("out.mp4", (0, 64), 30), {}, "width"),
    (("out.gif", (96, -1), 30), {}, "height"),
    (("out.gif", (96.0, 64), 30), {}, "width"),
    (("out.gif", 96, 30), {}, "size"),
    (("out.mp4", SIZE, 0), {}, "fps"),
    (("out.mp4", SIZE, 241), {}, "fps"),
    (("out.mp4", SIZE, 29.97), {}, "fps"),
    (("out.gif", SIZE, 60), {}, "fps"),
    (("out.mp4", SIZE, 30), {"crf": 52}, "crf"),
    (("out.mp4", SIZE, 30), {"crf": -1}, "crf"),
    (("out.mp4", SIZE, 30), {"preset": "turbo"}, "preset"),
    (("seq/", SIZE, 30), {"png_compression": 10}, "compression"),
    (("out.avi", SIZE, 30), {}, ".mp4, .gif"),
    (("out", SIZE, 30), {}, "no extension"),
])
def test_bad_arguments_are_user_errors(tmp_path, args, kwargs, needle):
    target, *rest = args
    with pytest.raises(ExportError) as err:
        open_writer(f"{tmp_path}/{target}", *rest, **kwargs)
    assert err.value.exit_code == 2
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert os.listdir(tmp_path) == []  # validated before any work


def test_bad_directories_are_user_errors(tmp_path, monkeypatch):
    with pytest.raises(ExportError) as err:
        open_writer(tmp_path / "missing" / "out.mp4", SIZE, FPS)
    assert err.value.exit_code == 2 and "does not exist" in str(err.value)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError) as err:
        open_writer(tmp_path / "file" / "out.gif", SIZE, FPS)
    assert err.value.exit_code == 2 and "not a directory" in str(err.value)
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == str(locked) else real_access(p, mode))
    with pytest.raises(ExportError) as err:
        open_writer(locked / "out.mp4", SIZE, FPS)
    assert err.value.exit_code == 2 and "not writable" in str(err.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere")
def test_really_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(ExportError) as err:
            open_writer(locked / "out.mp4", SIZE, FPS)
        assert err.value.exit_code == 2
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("target, fmt, rel", [
    ("a.mp4", "mp4", "a.mp4"), ("A.MP4", "mp4", "A.MP4"), ("x/a.gif", "gif", "x/a.gif"),
    ("a.webp", "webp", "a.webp"), ("a.png", "png", "a.png"), ("frames/", "png-sequence", "frames"),
    ("out/%05d.png", "png-sequence", "out"), ("out/f_%03d.png", "png-sequence", "out"),
])
def test_parse_target(tmp_path, target, fmt, rel):
    assert parse_target(f"{tmp_path}/{target}") == (fmt, tmp_path / rel)


def test_parse_target_existing_dir_and_errors(tmp_path):
    (tmp_path / "d.mp4").mkdir()
    assert parse_target(tmp_path / "d.mp4") == ("png-sequence", tmp_path / "d.mp4")
    for bad in ["", "a.avi", "a", "out/%d.png", "out/%05d.jpg"]:
        with pytest.raises(ExportError) as err:
            parse_target(bad)
        assert err.value.exit_code == 2


# ---------------------------------------------------------------- determinism and stills

def test_memory_writer_is_deterministic():
    runs = []
    for _ in range(2):
        with MemoryWriter(SIZE, FPS) as w:
            for s in make_frames():
                w.write(s)
        runs.append(w.frames)
    assert runs[0] == runs[1] and len(runs[0]) == 12
    assert runs[0][0] == surface_rgb_bytes(make_frames(1)[0])
    assert len(set(runs[0])) == 12


@pytest.mark.parametrize("target", ["seq/", "a.gif"])
def test_identical_frames_give_identical_files(tmp_path, target):
    paths = []
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
        paths.append(export_all(f"{tmp_path}/{run}/{target}", make_frames()).path)
    if target == "seq/":
        names = sorted(os.listdir(paths[0]))
        assert names == sorted(os.listdir(paths[1]))
        assert all((paths[0] / n).read_bytes() == (paths[1] / n).read_bytes() for n in names)
    else:
        assert paths[0].read_bytes() == paths[1].read_bytes()


def test_save_png(tmp_path):
    s = make_frames(1)[0]
    path = save_png(s, tmp_path / "shot.png")
    assert surface_rgb_bytes(pygame.image.load(str(path))) == surface_rgb_bytes(s)
    save_png(make_frames(2)[1], path)  # overwrites by default
    assert surface_rgb_bytes(pygame.image.load(str(path))) == surface_rgb_bytes(make_frames(2)[1])
    with pytest.raises(ExportError) as err:
        save_png(s, path, overwrite=False)
    assert err.value.exit_code == 2
    with pytest.raises(ExportError):
        save_png(s, tmp_path / "shot.jpg")
    assert os.listdir(tmp_path) == ["shot.png"]


def test_bench_encode(tmp_path):
    result = bench_encode((128, 96), 30, 20, tmp_path)
    assert result["frames"] == 20 and result["seconds"] > 0
    assert result["encode_fps"] == pytest.approx(20 / result["seconds"])
    assert os.listdir(tmp_path) == []


def test_publish_never_clobbers_a_file_that_appeared_during_export(tmp_path):
    # open_writer checked that the target was free; something created it while we encoded.
    tmp, final = tmp_path / ".x.partial", tmp_path / "x.gif"
    tmp.write_bytes(b"new")
    final.write_bytes(b"appeared meanwhile")
    with pytest.raises(ExportError) as err:
        export.publish_file(tmp, final, overwrite=False)
    assert err.value.exit_code == 2 and final.read_bytes() == b"appeared meanwhile"
    export.publish_file(tmp, final, overwrite=True)
    assert final.read_bytes() == b"new" and not tmp.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_real_ctrl_c_in_a_terminal_keeps_the_recording(tmp_path):
    """Ctrl-C signals the whole foreground process group; ffmpeg must survive it."""
    import signal
    import subprocess
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal, sys
        # A terminal job hears Ctrl-C; a child of a background job inherits SIGINT ignored. Be the terminal job.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        import pygame
        from illumination.core.frames import open_writer
        surface = pygame.Surface((64, 48))
        try:
            with open_writer({str(tmp_path / "rec.mp4")!r}, (64, 48), 30) as w:
                i = 0
                while True:
                    surface.fill((i * 7 % 256, 90, 160))
                    w.write(surface)
                    i += 1
                    if i == 10:
                        print("recording", flush=True)
        except KeyboardInterrupt:
            print(w.frames_written, w.finalized, flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                             start_new_session=True)  # its own group, like a shell job
    try:
        assert child.stdout.readline().strip() == "recording"
        os.killpg(child.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        frames, finalized = child.stdout.readline().split()
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            child.kill()
    assert finalized == "True" and int(frames) >= 10
    assert len(read_mp4(tmp_path / "rec.mp4")[1]) == int(frames)
    assert os.listdir(tmp_path) == ["rec.mp4"]


def test_png_sequence_into_a_writable_dir_under_a_read_only_parent(tmp_path, monkeypatch):
    # e.g. the root of a USB stick mounted under a directory we can't write to
    stick = tmp_path / "stick"
    stick.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == str(tmp_path) else real_access(p, mode))
    export_all(stick, make_frames(2))
    assert sorted(os.listdir(stick)) == ["00000.png", "00001.png"]
    with pytest.raises(ExportError) as err:
        open_writer(f"{tmp_path}/new-dir/", SIZE, FPS)
    assert err.value.exit_code == 2 and "not writable" in str(err.value)
