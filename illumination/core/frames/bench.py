"""Encoder benchmark helpers: synthetic frames with realistic work for x264, and a timed encode."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import numpy as np
import pygame

from illumination.core.frames import open_writer


def bench_surfaces(size: tuple[int, int], count: int = 8) -> list[pygame.Surface]:
    """A few varied frames (gradient, moving glow and lines) so x264 has realistic work."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    surfaces = []
    for i in range(count):
        phase = i / count * 2 * np.pi
        rgb = np.stack([40 + 30 * np.sin(x / w * 6 + phase), 20 + 20 * np.cos(y / h * 4 - phase),
                        60 + 40 * np.sin((x + y) / (w + h) * 8 + phase)], axis=-1)
        surface = pygame.Surface(size)  # the app's usual 32-bit XRGB layout
        surface.blit(pygame.image.frombytes(rgb.clip(0, 255).astype(np.uint8).tobytes(), size, "RGB"), (0, 0))
        cx, cy = int(w / 2 + w / 4 * np.cos(phase)), int(h / 2 + h / 4 * np.sin(phase))
        pygame.draw.circle(surface, (255, 200, 90), (cx, cy), max(2, h // 8))
        for k in range(24):
            pygame.draw.aaline(surface, (120, 180, 255), (k * w // 24, 0), (cx, cy))
        surfaces.append(surface)
    return surfaces


def bench_encode(size: tuple[int, int], fps: int, frames: int, target_dir: str | os.PathLike) -> dict:
    """Encode ``frames`` synthetic frames to an mp4 in ``target_dir``, timing open to close.

    The file is deleted afterwards. Returns {"encode_fps", "frames", "seconds"}.
    """
    surfaces = bench_surfaces(tuple(size))
    target = Path(target_dir) / f".bench-encode-{secrets.token_hex(4)}.mp4"
    try:
        start = time.perf_counter()
        with open_writer(target, size, fps) as writer:
            for i in range(frames):
                writer.write(surfaces[i % len(surfaces)])
        seconds = time.perf_counter() - start
    finally:
        target.unlink(missing_ok=True)
    return {"encode_fps": frames / seconds, "frames": frames, "seconds": seconds}
