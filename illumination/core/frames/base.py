"""Writing frames to files: the base writer, validation and the shared temp-file logic. This package
(core/frames) is the only place in the app that writes frames.

Every writer puts its output under a temporary name beside the target
(``.NAME.partial-<random>.ext``) and renames it into place only once the output is
complete, so the final name always holds either nothing, the untouched old file, or a
complete export. Formats: mp4 (H.264 through ffmpeg), animated gif/webp (Pillow), a
single png (the last frame), and a png sequence. The format writers live in
``formats``; the public API (open_writer, save_png) in the package's ``__init__``.

Typical use::

    with open_writer("out.mp4", (1920, 1080), 30) as writer:
        for surface in frames:
            writer.write(surface)
"""

from __future__ import annotations

import errno
import numbers
import os
import re
import secrets
import shutil
import weakref
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable

import pygame
from PIL import Image

from illumination.core import signals

SUPPORTED_FORMATS = ".mp4, .gif, .webp, .png, or a directory / 'dir/%05d.png' pattern for a PNG sequence"
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium",
                "slow", "slower", "veryslow", "placebo")
MAX_FPS = 240
GIF_MAX_FPS = 50  # GIF delays are centiseconds, and browsers slow delays under 2 cs down to 10 cs
VIDEO_FPS = 60      # the default frame rate of an export: MP4 and PNG frames
ANIMATION_FPS = 30  # … and of an animated GIF or WebP (a GIF cannot play 60; both stay small)
MAX_SIDE = 16383  # WebP's limit; also far beyond any sensible export
# gif/webp can only be encoded once every frame is known, so frames are held in RAM (RGB24,
# plus Pillow's copies at close). This caps the total pixels held: ~123 frames at 1080p,
# ~1100 at 640x360; peak memory at the limit is ~1-1.3 GB. mp4 and png exports stream to
# disk and have no limit.
ANIM_PIXEL_BUDGET = 256 * 1024 * 1024
DEFAULT_SEQUENCE_PATTERN = "%05d.png"
SEQUENCE_RE = re.compile(r"^(?P<prefix>[^%]*)%0(?P<width>[1-9])d(?P<suffix>[^%]*)\.png$", re.IGNORECASE)
_EXTENSIONS = {".mp4": "mp4", ".gif": "gif", ".webp": "webp", ".png": "png"}


class ExportError(Exception):
    """A failed export, with a one-line message fit to show the user as is.

    ``exit_code`` is 2 for a user mistake (bad path, format, size, fps, existing file
    without overwrite) and 1 for an I/O failure (disk full, ffmpeg died).
    """

    def __init__(self, exit_code: int, message: str):
        super().__init__(re.sub(r"\s*\n\s*", " ", str(message)).strip())
        self.exit_code = exit_code


def parse_target(target: str | os.PathLike) -> tuple[str, Path]:
    """Return (format, path) for an export target; for "png-sequence" the path is the directory."""
    text = os.fspath(target)
    if not text.strip():
        raise ExportError(2, f"no export target given; use {SUPPORTED_FORMATS}")
    path = Path(text).expanduser()
    check_names(path)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return "png-sequence", path
    if SEQUENCE_RE.match(path.name):
        return "png-sequence", path.parent
    if "%" in path.name:
        raise ExportError(2, f"bad frame-number pattern in {text!r}; use e.g. 'frames/%05d.png'")
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(2, f"can't export to {text!r}: unsupported format "
                             f"{path.suffix or '(no extension)'}; use {SUPPORTED_FORMATS}")
    return fmt, path


def surface_rgb_bytes(surface: pygame.Surface) -> bytes:
    """Canonical RGB24 bytes of a surface, row by row (alpha dropped)."""
    return pygame.image.tobytes(surface, "RGB")


def max_frames(fmt: str, size: tuple[int, int]) -> int | None:
    """How many frames an export of this format and size may hold; None means unlimited.

    Lets the CLI refuse e.g. a 60 s 1080p GIF before rendering anything.
    """
    if fmt in ("gif", "webp"):
        return max(1, ANIM_PIXEL_BUDGET // (size[0] * size[1]))
    return None


def _check_int(name: str, value, lo: int, hi: int) -> int:
    # Integral admits numpy integers; bool is Integral too but never meant as a number here.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= value <= hi:
        raise ExportError(2, f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return int(value)


def _check_size(size, fmt: str) -> tuple[int, int]:
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ExportError(2, f"size must be (width, height), got {size!r}")
    w = _check_int("width", size[0], 1, MAX_SIDE)
    h = _check_int("height", size[1], 1, MAX_SIDE)
    if fmt == "mp4" and (w % 2 or h % 2):
        # yuv420p stores colour at half resolution, so x264 needs even dimensions.
        raise ExportError(2, f"mp4 needs an even width and height, got {w}x{h}; "
                             f"try {w + w % 2}x{h + h % 2}")
    return w, h


NAME_MAX = 255   # bytes in one file or directory name, on every common file system


def check_names(path: Path) -> None:
    """ExportError (2) if a name in the path is longer than file systems allow (before anything touches it)."""
    for part in Path(path).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise ExportError(2, f"a name in the path is {size} bytes long ({part[:24]}…); file systems allow at "
                                 f"most {NAME_MAX}")


def _check_destination(fmt: str, path: Path, overwrite: bool) -> None:
    check_names(path)
    if fmt == "png-sequence" and path.is_dir():
        # Frames are staged inside the directory itself (see PngSequenceWriter), so only it
        # must be writable: exporting to the root of a mounted USB stick works.
        if not os.access(path, os.W_OK | os.X_OK):
            raise ExportError(2, f"can't write frames into {path}: directory is not writable")
        if not overwrite and any(path.iterdir()):
            raise ExportError(2, f"{path} exists and is not empty; pass --overwrite to replace its frames")
        return
    parent = path.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise ExportError(2, f"can't write {path}: {parent} {what}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(2, f"can't write {path}: directory {parent} is not writable")
    if path.exists() or path.is_symlink():
        if fmt == "png-sequence":
            raise ExportError(2, f"{path} exists and is not a directory")
        if path.is_dir():
            raise ExportError(2, f"{path} is a directory; give a file name ending in .{fmt}")
        if not overwrite:
            raise ExportError(2, f"{path} exists; pass --overwrite to replace it")


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return (str(err).splitlines() or [type(err).__name__])[0]


def _remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def create_temp(final: Path, *, directory: bool = False, where: Path | None = None) -> Path:
    """Create a unique hidden temp file (or directory) named after ``final``, beside it by default.

    Created with mode 0o666/0o777 so the umask applies and the published file gets the same
    permissions a plain open() would give it (mkstemp's 0o600 would leak into the result).
    """
    where = final.parent if where is None else where
    suffix = "" if directory else final.suffix  # ffmpeg picks its muxer from the extension
    while True:   # short whatever the target's name (a 250-byte name must still have a temp name that fits)
        tmp = where / f".{final.stem[:40]}.partial-{secrets.token_hex(4)}{suffix}"
        try:
            if directory:
                os.mkdir(tmp, 0o777)
            else:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
        except OSError as err:   # a place that cannot hold files (read-only, /proc, no permission) is the user's to change
            code = 2 if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR) else 1
            raise ExportError(code, f"can't create a file in {where}: {_reason(err)}") from err


def publish_file(tmp: Path, final: Path, overwrite: bool) -> None:
    """Atomically move a finished temp file to its final name."""
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        # link() fails instead of clobbering, closing the race with a file created meanwhile.
        os.link(tmp, final)
    except FileExistsError:
        raise ExportError(2, f"{final} exists; pass --overwrite to replace it") from None
    except OSError:  # no hard links here (FAT/exFAT USB sticks, some network shares)
        if final.exists():
            raise ExportError(2, f"{final} exists; pass --overwrite to replace it") from None
        os.replace(tmp, final)
        return
    os.unlink(tmp)


def write_png_file(rgb: bytes, size: tuple[int, int], dest: Path, compression: int) -> None:
    # Pillow rather than pygame.image.save: it takes a compression level, and writes no
    # timestamp, so identical frames give byte-identical files.
    Image.frombytes("RGB", size, rgb).save(dest, "PNG", compress_level=compression)


def _run_cleanups(cleanups: list[Callable[[], None]]) -> None:
    while cleanups:  # last registered first: stop the encoder before deleting its output
        try:
            cleanups.pop()()
        except Exception:
            pass


class FrameWriter(ABC):
    """Base writer: size checks, temp-file bookkeeping, close/abort and the context manager.

    Subclasses implement ``_write_frame``, ``_finalize`` (complete the temp output) and
    optionally ``_publish`` (move it to ``path``), and register anything to undo on abort
    (temp paths, encoder processes) in ``_cleanups``. The cleanups also run if a writer is
    garbage-collected or the interpreter exits without close(), so no temp file is orphaned.
    ``finalized`` tells whether close() produced the output (useful after Ctrl-C).
    """

    _requires_frames = True

    def __init__(self, path: Path, size: tuple[int, int], fps: int, *, overwrite: bool = False):
        self.path = Path(path)
        self.size = (size[0], size[1])
        self.fps = fps
        self.overwrite = overwrite
        self.frames_written = 0
        self.finalized = False
        self._state = "open"
        self._tmp: Path | None = None
        self._cleanups: list[Callable[[], None]] = []
        self._finalizer = weakref.finalize(self, _run_cleanups, self._cleanups)

    def _make_temp(self, **kwargs) -> Path:
        tmp = create_temp(self.path, **kwargs)
        self._cleanups.append(lambda: _remove_path(tmp))
        return tmp

    def write(self, surface: pygame.Surface) -> None:
        if self._state != "open":
            raise ValueError(f"write() on a {self._state} FrameWriter")
        if surface.get_size() != self.size:
            (w, h), (W, H) = surface.get_size(), self.size
            raise ExportError(2, f"frame is {w}x{h} but the export is {W}x{H}; "
                                 "the size can't change during an export")
        try:
            self._write_frame(surface)
        except OSError as err:
            raise ExportError(1, f"writing {self.path} failed: {_reason(err)}") from err
        self.frames_written += 1

    def close(self) -> Path:
        """Finish the output and move it to ``path``; on any failure nothing is left behind."""
        if self._state == "closed":
            return self.path
        if self._state == "aborted":
            raise ValueError("close() on an aborted FrameWriter")
        if self._requires_frames and self.frames_written == 0:
            self.abort()
            raise ExportError(2, f"no frames were written; {self.path} was not created")
        with signals.deferred():   # a signal now waits until the file is whole, in place and recorded as such
            try:
                self._finalize()
                self._publish()
            except BaseException as err:
                self.abort()
                if isinstance(err, OSError):
                    raise ExportError(1, f"could not finish {self.path}: {_reason(err)}") from err
                raise
            self._state = "closed"
            self.finalized = True
            self._finalizer()  # stops helper threads/processes; temp names are gone already
        return self.path

    def abort(self) -> None:
        """Stop and delete the temp output; the final name is never touched."""
        if self._state == "open":
            self._state = "aborted"
            self._finalizer()

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.close()
        elif issubclass(exc_type, KeyboardInterrupt) and self.frames_written:
            # Ctrl-C during a recording keeps what was recorded: finish the shorter output
            # and let the interrupt go on to the caller, which reports ``path``.
            try:
                self.close()
            except ExportError:
                pass  # close() removed the temp output; ``finalized`` stays False
        else:
            self.abort()
        return False

    # -- for subclasses
    @abstractmethod
    def _write_frame(self, surface: pygame.Surface) -> None:
        """Hand one frame to the format (every writer implements this)."""

    def _finalize(self) -> None:
        pass

    def _publish(self) -> None:
        publish_file(self._tmp, self.path, self.overwrite)


class MemoryWriter(FrameWriter):
    """Keeps each frame's RGB24 bytes in ``frames``; writes no file (tests, determinism checks)."""

    _requires_frames = False

    def __init__(self, size: tuple[int, int], fps: int = 30):
        super().__init__(Path("<memory>"), _check_size(size, "memory"), fps)
        self.frames: list[bytes] = []

    def _write_frame(self, surface: pygame.Surface) -> None:
        self.frames.append(surface_rgb_bytes(surface))

    def _publish(self) -> None:
        pass


