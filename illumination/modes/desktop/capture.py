"""Screenshots (PNG) and recordings (MP4) of the exhibit, written only through export.py.

Both capture the exhibit alone, right after the scene drew it and before any overlay (help, messages,
the recording light). A recording is in true time: against the desktop's clock, each displayed frame is written as
many times as the video's fps asks for by then (twice when the window runs slower than the video, not at all when
it runs faster), so six seconds recorded play for six seconds. `close()`
(on stop, on quit, or when the exhibit changes size) finishes the file — an unclosed one is discarded
by the writer, never left half-written.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import pygame

from illumination.core.frames import ExportError, open_writer, save_png


def default_output_dir(kind: str) -> Path:
    """~/Pictures (or ~/Videos) when it exists and is writable, else the current directory."""
    folder = Path.home() / kind
    if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
        return folder
    return Path.cwd()


def even_size(surface: pygame.Surface) -> tuple[int, int]:
    w, h = surface.get_size()
    return w - w % 2, h - h % 2     # H.264 (yuv420p) needs even sides


class Capture:
    def __init__(self, fps: int, say: Callable[..., None], output_dir: str | os.PathLike | None = None):
        self.fps = int(fps)
        self.say = say                      # say(text, error=False, log=False): the desktop's messages
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.writer = None
        self.screenshot_wanted = False
        self.last_screenshot: Path | None = None
        self.last_recording: Path | None = None
        self._started: float | None = None   # the clock time of the recording's first frame

    @property
    def recording(self) -> bool:
        return self.writer is not None

    @property
    def seconds(self) -> float:
        return self.writer.frames_written / self.fps if self.writer is not None else 0.0

    def output_path(self, kind: str, extension: str, seed: int) -> Path:
        folder = self.output_dir or default_output_dir(kind)
        stem = f"illumination-{time.strftime('%Y%m%d-%H%M%S')}-seed{seed}"
        path, n = folder / f"{stem}.{extension}", 2
        while path.exists():
            path, n = folder / f"{stem}-{n}.{extension}", n + 1
        return path

    def toggle_recording(self, exhibit: pygame.Surface, seed: int) -> None:
        if self.writer is not None:
            self.stop()
            return
        path = self.output_path("Videos", "mp4", seed)
        try:
            self.writer = open_writer(path, even_size(exhibit), self.fps)
        except ExportError as error:
            self.say(f"Recording failed to start: {error}", error=True)
            return
        self._started = None
        self.say(f"Recording to {path} … (V or Record again stops)")

    def after_draw(self, exhibit: pygame.Surface, seed: int, now: float) -> None:
        """The exhibit has just been drawn at clock time `now`: take the frame(s) and/or the screenshot."""
        if self.writer is not None:
            size = even_size(exhibit)
            frame = exhibit if size == exhibit.get_size() else exhibit.subsurface((0, 0, *size))
            if self._started is None:
                self._started = now
            due = int((now - self._started) * self.fps + 1e-6) + 1     # frames the video should hold by now
            try:
                while self.writer.frames_written < due:
                    self.writer.write(frame)
            except ExportError as error:
                self.writer.abort()
                self.writer = None
                self.say(f"Recording failed: {error}", error=True)
        if self.screenshot_wanted:
            self.screenshot_wanted = False
            path = self.output_path("Pictures", "png", seed)
            try:
                self.last_screenshot = save_png(exhibit, path, overwrite=False)
            except ExportError as error:
                self.say(f"Screenshot failed: {error}", error=True)
                return
            self.say(f"Screenshot saved: {path}", log=True)

    def check_size(self, exhibit: pygame.Surface) -> None:
        if self.writer is not None and even_size(exhibit) != self.writer.size:
            self.stop("The exhibit changed size, so the recording stopped. ")

    def stop(self, why: str = "") -> None:
        writer, self.writer = self.writer, None
        if writer is None:
            return
        try:
            path = writer.close()
        except ExportError as error:
            self.say(f"{why}Recording failed: {error}", error=True)
            return
        self.last_recording = path
        self.say(f"{why}Recording saved: {path} ({writer.frames_written} frames, "
                 f"{writer.frames_written / writer.fps:.1f} s)", log=True)
