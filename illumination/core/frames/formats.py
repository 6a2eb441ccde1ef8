"""The per-format writers behind ``illumination.core.frames.open_writer``.

Construct them through open_writer(), which validates the arguments first.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pygame
from PIL import Image

from illumination.core.frames.base import (SEQUENCE_RE, ExportError, FrameWriter, max_frames, surface_rgb_bytes,
                                           write_png_file)

_XRGB_MASKS = (0xFF0000, 0x00FF00, 0x0000FF)

# Ctrl-C in a terminal signals the whole foreground process group. ffmpeg gets its own group
# so it survives the interrupt and can finish the shorter video we then hand back.
_OWN_PROCESS_GROUP = ({"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if sys.platform == "win32"
                      else {"process_group": 0})


def surface_bgrx_bytes(surface: pygame.Surface) -> bytes:
    """The surface as 4-byte B,G,R,X pixels: what ffmpeg reads as ``bgr0``.

    pygame's default 32-bit surfaces (and display surfaces) are XRGB8888: masks R=0xFF0000,
    G=0xFF00, B=0xFF, which on a little-endian machine is B,G,R,X in memory, so one copy of
    the pixel buffer (~0.7 ms at 1080p) does. Anything else (other masks, 24/16-bit, padded
    rows of a subsurface, big-endian) goes through tobytes (~3.5 ms), which is always right.
    The X byte is 0 on surfaces without alpha; bgr0 tells ffmpeg to ignore it.
    """
    w = surface.get_width()
    if (sys.byteorder == "little" and surface.get_bytesize() == 4
            and surface.get_masks()[:3] == _XRGB_MASKS and surface.get_pitch() == w * 4):
        return bytes(surface.get_view("1"))
    return pygame.image.tobytes(surface, "BGRA")


def _pump(frames: queue.Queue, pipe, failures: list, delivered: list) -> None:
    """Writer thread: feed queued frames to ffmpeg's stdin until the None sentinel.

    Only the main thread ever receives KeyboardInterrupt, so a frame is never half-written
    into the pipe, and the render loop keeps running while ffmpeg catches up.
    """
    while (frame := frames.get()) is not None:
        if not failures:
            try:
                pipe.write(frame)
                delivered[0] += 1   # what ffmpeg really got: the count close() reports
            except OSError as err:
                failures.append(err)  # keep draining so write() never blocks on a dead encoder
    try:
        pipe.close()
    except OSError as err:
        if not failures:
            failures.append(err)


def _stop_encoder(proc: subprocess.Popen, frames: queue.Queue, thread: threading.Thread) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    while thread.is_alive():  # the pump drains once the pipe breaks; wake it with a sentinel
        try:
            frames.put(None, timeout=0.1)
        except queue.Full:
            pass
        thread.join(0.1)


class Mp4Writer(FrameWriter):
    """H.264/yuv420p MP4 through the ffmpeg binary shipped with imageio-ffmpeg.

    We start ffmpeg ourselves, with the command line imageio_ffmpeg.write_frames would build,
    because write_frames (0.8.1) ignores ffmpeg's exit status (a disk filling up during the
    final +faststart rewrite would pass silently), sends ffmpeg's errors straight to the
    terminal, and kills ffmpeg when a KeyboardInterrupt lands inside its pipe write, which
    would make a Ctrl-C'd recording unrecoverable. ffmpeg runs in its own process, so
    encoding overlaps rendering; the queue holds at most a few frames (8 MB each at 1080p).
    """

    QUEUED_FRAMES = 3

    def __init__(self, path: Path, size: tuple[int, int], fps: int, *, crf: int, preset: str,
                 overwrite: bool):
        super().__init__(path, size, fps, overwrite=overwrite)
        try:
            exe = imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError as err:
            raise ExportError(1, "can't write mp4: no ffmpeg found (imageio-ffmpeg ships one; "
                                 "reinstall it or set IMAGEIO_FFMPEG_EXE)") from err
        try:
            self._tmp = self._make_temp()
            w, h = size
            # -nostdin: ffmpeg must never treat the terminal as keyboard input; in its own
            # process group, touching the tty would get it stopped (SIGTTIN/SIGTTOU).
            cmd = [exe, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y",
                   "-f", "rawvideo", "-pix_fmt", "bgr0", "-s", f"{w}x{h}", "-r", str(fps), "-i", "-",
                   "-an", "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                   "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(self._tmp)]
            # ffmpeg's messages go to a file, not a pipe nobody reads (which could fill and hang it).
            self._log = tempfile.TemporaryFile()
            self._cleanups.append(self._log.close)
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                          stderr=self._log, **_OWN_PROCESS_GROUP)
            self._frames: queue.Queue = queue.Queue(maxsize=self.QUEUED_FRAMES)
            self._failures: list[OSError] = []
            self._delivered = [0]
            self._thread = threading.Thread(target=_pump, args=(self._frames, self._proc.stdin, self._failures,
                                                                self._delivered),
                                            name="mp4-export", daemon=True)
            self._thread.start()
            proc, frames, thread = self._proc, self._frames, self._thread
            self._cleanups.append(lambda: _stop_encoder(proc, frames, thread))
        except BaseException as err:
            self.abort()
            if isinstance(err, OSError):
                raise ExportError(1, f"could not start ffmpeg: {err.strerror or err}") from err
            raise

    def _write_frame(self, surface: pygame.Surface) -> None:
        if self._failures or self._proc.poll() is not None:
            raise self._encoder_error()
        self._frames.put(surface_bgrx_bytes(surface))

    def write_audio(self, samples, sample_rate: int) -> None:
        """Append mono float32 samples (in [-1, 1]) to the sound track, muxed as AAC when the video is finished.
        Call it once per frame with that frame's samples: the track is as long as the video."""
        if getattr(self, "_audio", None) is None:
            self._audio = tempfile.TemporaryFile()
            self._cleanups.append(self._audio.close)
            self._sample_rate = int(sample_rate)
        self._audio.write(np.asarray(samples, dtype="<f4").tobytes())

    def _finalize(self) -> None:
        self._frames.put(None)
        self._thread.join()
        # A Ctrl-C can land between handing a frame over and counting it: report what the encoder received.
        self.frames_written = self._delivered[0]
        if self._proc.wait() != 0 or self._failures:
            raise self._encoder_error()
        if getattr(self, "_audio", None) is not None:
            self._mux_audio()

    def _mux_audio(self) -> None:
        """The video as it is, plus the sound track as AAC (one more ffmpeg pass, into a second temp file)."""
        self._audio.flush()
        self._audio.seek(0)
        muxed = self._tmp.with_name(self._tmp.name + ".av.mp4")
        self._cleanups.append(lambda: muxed.unlink(missing_ok=True))
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y",
               "-i", str(self._tmp), "-f", "f32le", "-ar", str(self._sample_rate), "-ac", "1", "-i", "-",
               "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "160k", "-threads", "1",
               "-movflags", "+faststart", str(muxed)]
        self._log.seek(0)
        self._log.truncate()
        done = subprocess.run(cmd, stdin=self._audio, stdout=subprocess.DEVNULL, stderr=self._log,
                              **_OWN_PROCESS_GROUP)
        if done.returncode != 0:
            raise self._encoder_error()
        os.replace(muxed, self._tmp)

    def _encoder_error(self) -> ExportError:
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._log.seek(0)
        lines = [line.strip() for line in self._log.read()[-4000:].decode("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line]
        why = lines[-1] if lines else (self._failures[0].strerror if self._failures else None)
        why = why or f"ffmpeg exited with status {code}"
        try:
            if shutil.disk_usage(self.path.parent).free < 16 * 1024 * 1024:
                why += " (the disk looks full)"
        except OSError:
            pass
        return ExportError(1, f"video encoder failed writing {self.path.name}: {why}")


class _AnimatedWriter(FrameWriter):
    """Base for GIF and WebP, which Pillow can only encode once it has every frame.

    Memory: each frame is kept as RGB24 bytes (3 B/pixel; 6 MB at 1080p) until close(), when
    Pillow needs its own copies too (GIF: palette frames at 1-2 B/pixel; WebP: every frame at
    once as RGB, which Pillow stores at 4 B/pixel). Our copy of each frame is dropped as
    Pillow takes its own; measured peak is ~8 MB a 1080p frame for GIF, ~10 MB for WebP.
    write() refuses frames past max_frames(fmt, size), i.e. ANIM_PIXEL_BUDGET pixels in all
    (~123 frames at 1080p, ~1100 at 640x360), with an ExportError; the writer stays usable,
    so close() still saves the frames so far.
    """

    fmt = ""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, *, overwrite: bool):
        super().__init__(path, size, fps, overwrite=overwrite)
        self._frames: list[bytes] = []
        self._cleanups.append(self._frames.clear)
        self._limit = max_frames(self.fmt, size)
        self._tmp = self._make_temp()

    def _write_frame(self, surface: pygame.Surface) -> None:
        if len(self._frames) >= self._limit:
            w, h = self.size
            raise ExportError(2, f"{self.fmt.upper()} export is limited to {self._limit} frames at {w}x{h} "
                                 f"({self._limit / self.fps:.1f} s at {self.fps} fps) to bound memory; "
                                 "use .mp4 or a smaller size for longer recordings")
        self._frames.append(surface_rgb_bytes(surface))

    def _take_images(self):
        """Yield each frame as a Pillow RGB image, releasing our bytes as we go."""
        for i, rgb in enumerate(self._frames):
            self._frames[i] = b""
            yield Image.frombytes("RGB", self.size, rgb)


def gif_durations(count: int, fps: int) -> list[int]:
    """Per-frame GIF delays in ms, all whole centiseconds (what GIF stores).

    30 fps can't be 33.3 ms a frame, and Pillow truncates to 30 ms (33.3 fps). Instead frame i
    starts at round(i * 100 / fps) cs: delays alternate 30/40 ms, the average rate is exact
    and no frame is more than 5 ms off.
    """
    starts = [(i * 200 + fps) // (2 * fps) for i in range(count + 1)]  # round half up, in integers
    return [(b - a) * 10 for a, b in zip(starts, starts[1:])]


def shared_palette(frames: list[bytes], size: tuple[int, int], samples: int = 1 << 18) -> Image.Image:
    """One 256-colour palette for the whole GIF, from pixels sampled across all frames.

    A shared palette keeps colours from flickering between frames (per-frame palettes shift
    as the picture changes) and lets Pillow store only changed regions. Small exports use
    every pixel; the fixed seed keeps exports byte-identical from run to run.
    """
    pixels = [np.frombuffer(f, np.uint8).reshape(-1, 3) for f in frames]
    per_frame = samples // len(frames)
    if per_frame < size[0] * size[1]:
        rng = np.random.default_rng(0)
        pixels = [p[rng.integers(0, len(p), max(1, per_frame))] for p in pixels]
    row = np.concatenate(pixels)[np.newaxis]
    return Image.fromarray(row, "RGB").quantize(256, method=Image.Quantize.MEDIANCUT)


class GifWriter(_AnimatedWriter):
    """Animated GIF, looping forever; Floyd-Steinberg dithering against a shared palette.

    Dithering avoids banding in the glows but its noise changes every frame, which defeats
    GIF's changed-region compression: files are ~3x larger than undithered ones.
    """

    fmt = "gif"

    def _finalize(self) -> None:
        self.frames_written = len(self._frames)   # the frames held, whatever a Ctrl-C interrupted
        palette = shared_palette(self._frames, self.size)
        durations = gif_durations(len(self._frames), self.fps)
        images = (im.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG) for im in self._take_images())
        first = next(images)
        first.save(self._tmp, "GIF", save_all=True, append_images=images, duration=durations, loop=0)


class WebpWriter(_AnimatedWriter):
    """Animated lossy WebP (quality 90), looping forever.

    method=2: at 1080p it encodes twice as fast as method=4 (~100 vs ~220 ms a frame) for
    the same file size on our frames.
    """

    fmt = "webp"

    def _finalize(self) -> None:
        self.frames_written = len(self._frames)
        images = list(self._take_images())  # Pillow's WebP saver makes a list of them anyway
        # A float duration: Pillow accumulates it and rounds each timestamp, so the rate is exact.
        images[0].save(self._tmp, "WEBP", save_all=True, append_images=images[1:], duration=1000 / self.fps,
                       loop=0, quality=90, method=2)


class PngWriter(FrameWriter):
    """A single PNG of the last frame written (so a one-frame export is a still)."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, *, compression: int, overwrite: bool):
        super().__init__(path, size, fps, overwrite=overwrite)
        self._compression = compression
        self._last: pygame.Surface | None = None
        self._tmp = self._make_temp()

    def _write_frame(self, surface: pygame.Surface) -> None:
        self._last = surface.copy()  # cheaper than converting frames that will be replaced

    def _finalize(self) -> None:
        write_png_file(surface_rgb_bytes(self._last), self.size, self._tmp, self._compression)


class PngSequenceWriter(FrameWriter):
    """Numbered PNGs, from 0, named by a printf pattern (``%05d.png`` unless the target gave one).

    - Target directory missing: frames go to a temp directory beside it, which is renamed
      into place in one step on close.
    - Target directory exists (empty, or any content with overwrite): frames go to a hidden
      temp directory inside it (same filesystem even if the target is a mount point such as
      a USB stick) and are moved in one by one with os.replace, each file atomic. With
      overwrite, frames of an earlier export with the same pattern that this one doesn't
      replace are deleted, so two sequences never mix; other files are left alone.
    PNG encoding at 1080p costs 85-210 ms even at low compression, so frames are encoded on
    two worker threads (Pillow releases the GIL while compressing), at most 4 in flight.
    """

    IN_FLIGHT = 4

    def __init__(self, path: Path, size: tuple[int, int], fps: int, *, pattern: str, compression: int,
                 overwrite: bool):
        super().__init__(path, size, fps, overwrite=overwrite)
        self._pattern = pattern
        self._compression = compression
        self._into_existing = path.is_dir()
        self._tmp = self._make_temp(directory=True, where=path if self._into_existing else None)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="png-export")
        self._cleanups.append(lambda pool=self._pool: pool.shutdown(wait=True, cancel_futures=True))
        self._pending: deque[Future] = deque()

    def _write_frame(self, surface: pygame.Surface) -> None:
        while len(self._pending) >= self.IN_FLIGHT:
            self._pending.popleft().result()  # bounds memory, and re-raises a failed write
        dest = self._tmp / (self._pattern % self.frames_written)
        self._pending.append(self._pool.submit(write_png_file, surface_rgb_bytes(surface), self.size, dest,
                                               self._compression))

    def _finalize(self) -> None:
        while self._pending:
            self._pending.popleft().result()
        self._pool.shutdown(wait=True)

    def _publish(self) -> None:
        if not self._into_existing:
            os.rename(self._tmp, self.path)
            return
        names = sorted(os.listdir(self._tmp))
        for name in names:
            os.replace(self._tmp / name, self.path / name)
        os.rmdir(self._tmp)
        if self.overwrite:
            parts = SEQUENCE_RE.match(self._pattern)
            ours = re.compile(re.escape(parts["prefix"]) + r"\d{%s,}" % parts["width"]
                              + re.escape(parts["suffix"]) + r"\.png", re.IGNORECASE)
            keep = set(names)
            for entry in os.scandir(self.path):
                if entry.name not in keep and ours.fullmatch(entry.name) and entry.is_file():
                    os.unlink(entry.path)
