"""The marks every landscape view shares, drawn at screen positions the view computed: the balls as one
vectorised splat (a count per cell, not a draw call per ball) whose light takes the temperature's colour, the first
ball's trail coloured by the temperature it felt (in the gallery a short comet), and the first ball with its glow."""
from __future__ import annotations

import functools
import math

import numpy as np
import pygame

from illumination.core.draw.colour import mix, scaled
from illumination.exhibits.landscape.story import temperature_heat

SPLAT_SCALE = 2        # the balls are splatted at 1/2 resolution (at 1080p) and scaled up (soft, cheap)
MAX_COUNT = 64         # balls in one cell beyond which its light no longer grows visibly
MERGED_BLOOM_SCALE = 4   # cells this many pixels wide or more (4K): points and bloom summed before one scale
COMET = 160            # steps of the first ball's trail the gallery shows: a comet, not a tangle
TEMPERATURE_TINT = 0.55   # how far the balls' light leans from the theme's ball colour to the temperature's


def ball_light(palette, temperature: float):
    """The balls' light: the theme's ball colour leaning to cold blue or hot orange with the temperature."""
    heat = mix(palette.cold, palette.hot, temperature_heat(temperature))
    return mix(palette.ball, heat, TEMPERATURE_TINT)


def splat(target: pygame.Surface, rect: pygame.Rect, px: np.ndarray, py: np.ndarray, colour, glow: float,
          scale: int = SPLAT_SCALE, soft: bool = True, bloom: tuple | None = None) -> None:
    """Add the light of N points (px, py each (N,), screen pixels) inside rect: brightness grows with how many
    balls share a spot, softly saturating, so a crowd glows and a single ball still shows. Only the cells
    between the outermost balls are built and scaled (a crowd in one basin costs a small patch). scale: screen
    pixels per cell side (larger on big screens, so a ball stays visible from across a room at 4K). soft: smooth
    the cells as they are scaled up (False: crisp points of light, for a splat under a soft bloom). bloom:
    (colour, factor): the same counts summed over factor × factor cells, smoothed, added in that colour."""
    w, h = max(1, rect.width // scale), max(1, rect.height // scale)
    col = np.floor((px - rect.left) / scale)
    row = np.floor((py - rect.top) / scale)
    inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)           # NaN compares False: dropped
    if not inside.any():
        return
    col, row = col[inside].astype(np.intp), row[inside].astype(np.intp)
    # the patch: the points' bounding box plus a cell of margin for the smoothing
    c0, c1 = max(int(col.min()) - 1, 0), min(int(col.max()) + 2, w)
    r0, r1 = max(int(row.min()) - 1, 0), min(int(row.max()) + 2, h)
    pw, ph = c1 - c0, r1 - r0
    counts = np.bincount((col - c0) * ph + (row - r0), minlength=pw * ph).reshape(pw, ph)   # (pw, ph)
    topleft = (rect.left + c0 * scale, rect.top + r0 * scale)
    if soft:
        patch = pygame.transform.smoothscale(pygame.surfarray.make_surface(_light(counts, colour, glow)),
                                             (pw * scale, ph * scale))
    elif bloom is None or scale < MERGED_BLOOM_SCALE:
        # crisp: an 8-bit surface of the counts whose palette is the light table, converted to the target's format
        # before it is scaled (an 8-bit additive blit is ~15x slower)
        cells = pygame.surfarray.make_surface(np.minimum(counts, MAX_COUNT).astype(np.uint8))
        cells.set_palette(_palette(tuple(int(c) for c in colour), round(glow, 3)))
        patch = pygame.transform.scale(cells.convert(target), (pw * scale, ph * scale))
        if bloom is not None:   # the bloom: counts over factor × factor cells, lit, smoothed at half size, doubled
            halo_colour, factor = bloom
            coarse, shape = _coarse(counts, factor)
            size = (shape[0] * scale, shape[1] * scale)
            halo = pygame.transform.smoothscale(pygame.surfarray.make_surface(_light(coarse, halo_colour, glow)),
                                                (size[0] // 2, size[1] // 2))
            target.blit(pygame.transform.scale(halo, size), topleft, special_flags=pygame.BLEND_RGB_ADD)
    else:   # big cells (4K): crisp points plus their bloom summed on the cell grid, then one scale and one blit
        halo_colour, factor = bloom
        coarse, shape = _coarse(counts, factor)
        # the bloom: counts summed over factor × factor cells, lit, and smoothed back to the cell grid
        halo = pygame.transform.smoothscale(pygame.surfarray.make_surface(_light(coarse, halo_colour, glow)), shape)
        light = _light(counts, colour, glow).astype(np.uint16)
        light += pygame.surfarray.array3d(halo)[:pw, :ph]
        patch = pygame.transform.scale(pygame.surfarray.make_surface(np.minimum(light, 255).astype(np.uint8)),
                                       (pw * scale, ph * scale))
    target.blit(patch, topleft, special_flags=pygame.BLEND_RGB_ADD)


def _coarse(counts: np.ndarray, factor: int) -> tuple[np.ndarray, tuple[int, int]]:
    """(counts summed over factor × factor cells, the padded fine grid's shape that they cover)."""
    pw, ph = counts.shape
    padded = np.zeros((-(-pw // factor) * factor, -(-ph // factor) * factor), dtype=counts.dtype)
    padded[:pw, :ph] = counts
    coarse = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).sum(axis=(1, 3))
    return coarse, padded.shape


@functools.lru_cache(maxsize=32)
def _palette(colour: tuple, glow: float) -> list:
    """The light table as a 256-entry palette (counts above MAX_COUNT never occur: they are clipped)."""
    table = _light_table(colour, glow).tolist()
    return table + [table[-1]] * (256 - len(table))


def _light(counts: np.ndarray, colour, glow: float) -> np.ndarray:
    """(…, 3) uint8: the light of a grid of ball counts, 1 − exp(−k·count) of the colour in each channel."""
    table = _light_table(tuple(int(c) for c in colour), round(glow, 3))
    return np.take(table, np.minimum(counts, len(table) - 1), axis=0)     # take: ~4x faster than fancy indexing


@functools.lru_cache(maxsize=32)
def _light_table(colour: tuple, glow: float) -> np.ndarray:
    """(MAX_COUNT + 1, 3) uint8: the light of 0, 1, 2 … balls in one cell (beyond that it is saturated)."""
    counts = np.arange(MAX_COUNT + 1, dtype=np.float64)
    light = 1.0 - np.exp(-counts * (0.9 * glow / 1.5))
    table = (light[:, None] * np.asarray(colour, dtype=np.float64)).astype(np.uint8)
    table.setflags(write=False)
    return table


def splat_scale(unit: float) -> int:
    """Cell side in pixels for a view drawn at `unit` pixels per design unit (1 at 1600x900)."""
    return max(SPLAT_SCALE, int(round(SPLAT_SCALE * unit)))


def trail(target: pygame.Surface, px: np.ndarray, py: np.ndarray, temperature: np.ndarray, cold, hot,
          width: int, jump: float, taper: bool = False) -> None:
    """The path (px, py, temperature each (n,)), oldest first and faintest; colour from cold to hot by the
    temperature relative to the hottest step shown. A jump longer than `jump` pixels (a respawn) is no path.
    taper: a comet, its head 2.5 times as wide as `width` and its tail a hairline."""
    if len(px) < 2:
        return
    hottest = float(np.max(temperature))
    heat = temperature / hottest if hottest > 0 else np.zeros_like(temperature)
    gaps = np.hypot(np.diff(px), np.diff(py)) > jump
    age = np.arange(1, len(px)) / len(px)                                        # (n − 1,) per segment
    cold, hot = np.asarray(cold, float), np.asarray(hot, float)
    colours = ((cold + (hot - cold) * heat[1:, None]) * (0.25 + 0.75 * age)[:, None]).round().clip(0, 255)
    colours = colours.astype(int).tolist()
    thick = np.maximum(1, np.round(width * 2.5 * age)).astype(int).tolist() if taper else [width] * len(age)
    points = np.column_stack([px, py]).tolist()
    for k in np.flatnonzero(~gaps).tolist():
        pygame.draw.line(target, colours[k], points[k], points[k + 1], thick[k])


def ball(target: pygame.Surface, sprites, centre: tuple[float, float], colour, radius: float, glow: float) -> None:
    """The tracked ball: a soft glow and a solid core."""
    halo = sprites.glow(radius * 3.6 * glow / 1.5, colour)
    target.blit(halo, (int(centre[0]) - halo.get_width() // 2, int(centre[1]) - halo.get_height() // 2),
                special_flags=pygame.BLEND_RGB_ADD)
    pygame.draw.circle(target, colour, (int(centre[0]), int(centre[1])), max(3, int(radius)))


def balls_on_plane(target: pygame.Surface, view, rect: pygame.Rect, project, jump: float) -> None:
    """Every ball, the first ball's trail, the first ball and its downhill slope, for a stage that shows the
    (x, z) plane through `project(x, z, loss) -> (px, py, visible)` (each (N,); visible False drops a point).
    The slope line points downhill along the surface, its reach growing with the steepness (log-scaled)."""
    scene, p, unit = view.scene, view.palette.landscape, view.unit
    glow, balls = scene.settings.glow, scene.balls
    light = ball_light(p, float(balls.noise_level))
    if balls.count > 1:
        px, py, visible = project(balls.x, balls.z, balls.losses())
        px = np.where(visible, px, np.nan)
        # the gallery: crisp points under a bloom (the same counts on cells four times as wide, dimmer)
        splat(target, rect, px, py, light, glow, splat_scale(unit), soft=not view.gallery,
              bloom=(scaled(light, 0.4), 4) if view.gallery else None)
    path = balls.trail()
    if view.gallery:
        path = type(path)(path.x[-COMET:], path.z[-COMET:], path.loss[-COMET:], path.temperature[-COMET:])
    if len(path.x) >= 2:
        tx, ty, _ = project(path.x, path.z, path.loss)
        trail(target, tx, ty, path.temperature, p.cold, p.hot, max(1, int(2 * unit)), jump,
              taper=view.gallery)
    x, z = balls.position[:, 0]
    bx, by, visible = project(np.array([x]), np.array([z]), balls.surface.loss(x, z))
    if not visible[0]:
        return
    centre = (float(bx[0]), float(by[0]))
    ball(target, view.sprites, centre, p.ball, 6 * unit, glow)
    gx, gz = (float(g) for g in balls.surface.gradient(x, z))
    norm = math.hypot(gx, gz)
    if norm > 0 and math.isfinite(norm):
        reach = (balls.surface.hi - balls.surface.lo) * (0.015 + 0.02 * math.log1p(norm))
        ex, ez = np.array([x - gx / norm * reach]), np.array([z - gz / norm * reach])
        sx, sy, seen = project(ex, ez, balls.surface.loss(ex, ez))
        if seen[0]:
            pygame.draw.line(target, view.palette.text.accent, centre, (float(sx[0]), float(sy[0])),
                             max(2, int(2.5 * unit)))
