"""Frame writers: the only code in the app that writes frames to files (export, snapshot, the window's
screenshots and recordings all come here). Every output appears complete or not at all.

Typical use::

    with open_writer("out.mp4", (1920, 1080), 30) as writer:
        for surface in frames:
            writer.write(surface)
"""
from __future__ import annotations

import numbers
import os
from pathlib import Path

import pygame

from illumination.core.frames import formats
from illumination.core.frames.base import (ANIMATION_FPS, DEFAULT_SEQUENCE_PATTERN, GIF_MAX_FPS, MAX_FPS, SEQUENCE_RE,
                                           SUPPORTED_FORMATS, X264_PRESETS, ExportError, FrameWriter, MemoryWriter,
                                           _check_destination, _check_int, _check_size, _reason, _remove_path,
                                           create_temp, max_frames, parse_target, publish_file, surface_rgb_bytes,
                                           write_png_file)

__all__ = ["ExportError", "FrameWriter", "MemoryWriter", "MAX_FPS", "GIF_MAX_FPS", "SUPPORTED_FORMATS",
           "max_frames", "open_writer", "parse_target", "save_png"]


def open_writer(target: str | os.PathLike, size: tuple[int, int], fps: int, *, crf: int | None = None,
                preset: str = "ultrafast", overwrite: bool = False, png_compression: int = 1) -> FrameWriter:
    """Validate every argument, then open the writer for ``target``'s format.

    ``crf`` (0 lossless .. 51, default 18) and ``preset`` apply to mp4 only (validated for
    every format so a typo is caught whatever the target); ``png_compression`` (0..9) to png
    and png sequences.
    """
    fmt, path = parse_target(target)
    size = _check_size(size, fmt)
    if fmt == "gif" and isinstance(fps, numbers.Integral) and not isinstance(fps, bool) and fps > GIF_MAX_FPS:
        raise ExportError(2, f"a GIF plays at most {GIF_MAX_FPS} fps (its frame delays are hundredths of a second), "
                             f"got --fps {fps}; leave --fps out for its default of {ANIMATION_FPS}, or write .mp4")
    fps = _check_int("fps", fps, 1, MAX_FPS)
    if crf is not None:
        crf = _check_int("crf", crf, 0, 51)
    if preset not in X264_PRESETS:
        raise ExportError(2, f"unknown x264 preset {preset!r}; use one of {', '.join(X264_PRESETS)}")
    _check_int("PNG compression", png_compression, 0, 9)
    _check_destination(fmt, path, overwrite)

    if fmt == "mp4":
        return formats.Mp4Writer(path, size, fps, crf=18 if crf is None else crf, preset=preset,
                                 overwrite=overwrite)
    if fmt == "gif":
        return formats.GifWriter(path, size, fps, overwrite=overwrite)
    if fmt == "webp":
        return formats.WebpWriter(path, size, fps, overwrite=overwrite)
    if fmt == "png":
        return formats.PngWriter(path, size, fps, compression=png_compression, overwrite=overwrite)
    name = Path(os.fspath(target)).name
    pattern = name if SEQUENCE_RE.match(name) else DEFAULT_SEQUENCE_PATTERN
    return formats.PngSequenceWriter(path, size, fps, pattern=pattern, compression=png_compression,
                                     overwrite=overwrite)


def save_png(surface: pygame.Surface, path: str | os.PathLike, *, overwrite: bool = True,
             compression: int = 6) -> Path:
    """Write one surface as a PNG atomically (screenshots, ``illumination snapshot``)."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".png":
        raise ExportError(2, f"screenshot name must end in .png, got {path.name!r}")
    _check_int("PNG compression", compression, 0, 9)
    _check_destination("png", path, overwrite)
    tmp = create_temp(path)
    try:
        write_png_file(surface_rgb_bytes(surface), surface.get_size(), tmp, compression)
        publish_file(tmp, path, overwrite)
    except BaseException as err:
        _remove_path(tmp)
        if isinstance(err, OSError):
            raise ExportError(1, f"could not write {path}: {_reason(err)}") from err
        raise
    return path


