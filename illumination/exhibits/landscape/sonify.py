"""What the Landscape sounds like: every tone one of its numbers (core/sound.py plays them).

- Height: a low A1 and, above it, a voice whose pitch follows the balls' mean height: A2 when every ball rests
  at the deepest point, gliding up towards A3 as the mean height rises to the surface's upper heights
  (pitch = 110 · 2^share Hz, share = (mean L − L*) / (L₉₅ − L*), clipped to [0, 1]; L₉₅: the 95th percentile of
  the surface's heights). In the real network's view the share is the training loss over ln 2 (chance).
- Temperature: a soft low rush, as loud as the heat the balls feel (HEAT_GAIN · T / the surface's hottest
  useful temperature, at most HEAT_GAIN): silence when they are cold.
- Escapes: balls crossing the deepest basin's rim are plucks, at most one every PLUCK_SPACING_S
  (scene.py): E5 when balls left it, A4 when balls found it, louder the more balls crossed
  (PLUCK_GAIN · (1 − e^(−balls/3))), dying away within a tenth of a second.
- A visitor's ball: a touch that drops ball 1 on the surface (the kiosk) sounds one bright A5 pluck.
- A calm chord (core/sound.chime) when the run reaches its end, and when the network view restarts after its
  loss ran away.
Pure numbers to tones: no pygame.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from illumination.core.sound import Tone, chime

ROOT_HZ = 55.0               # A1
HEIGHT_BASE_HZ = 110.0       # A2: the height voice at the deepest point; an octave higher at the top
ROOT_GAIN = 0.05
HEIGHT_GAIN = 0.04
HEAT_GAIN = 0.05
PLUCK_HZ = {"out": 659.26, "in": 440.0}   # E5: balls left the deepest basin; A4: balls found it
PLUCK_GAIN = 0.07
PLUCK_DECAY_S = 0.08         # a short pluck: with the plucks' spacing (scene.py) each one is heard on its own
PLUCK_SECONDS = 0.5          # a pluck is silent (< 0.2%) after this long
DROPPED_HZ = 880.0           # A5: a visitor dropped ball 1
TRAINED_HZ = 220.0           # the end-of-run chord on A3; the restart's on D3
RESTARTED_HZ = 146.83


@functools.lru_cache(maxsize=16)
def height_scale(surface) -> tuple[float, float]:
    """(L*, L₉₅) of a surface: its lowest height and the 95th percentile of its heights over the domain."""
    _, _, heights = surface.height_grid(101)
    return float(surface.global_minimum[2]), float(np.percentile(heights, 95))


def height_share(mean_height: float, floor: float, top: float) -> float:
    """Where the mean height sits between the floor (0) and the top (1), clipped; 0 if it is not a number."""
    if not math.isfinite(mean_height) or top <= floor:
        return 0.0
    return min(max((mean_height - floor) / (top - floor), 0.0), 1.0)


def landscape_sound(share: float, heat: float, plucks, now: float, moments: dict) -> tuple[list[Tone], float]:
    """(tones, noise loudness) for one frame. share: the height in [0, 1]; heat: the temperature's share of the
    surface's hottest in [0, 1]; plucks: (number, time, "out"/"in", balls) of recent rim crossings; now: the
    scene's time; moments: the scene's marked moments (scene time each)."""
    tones = [Tone("root", ROOT_HZ, ROOT_GAIN), Tone("height", HEIGHT_BASE_HZ * 2.0 ** share, HEIGHT_GAIN)]
    for number, when, kind, balls in plucks:
        age = now - when
        if 0.0 <= age < PLUCK_SECONDS:
            loudness = PLUCK_GAIN * (1.0 - math.exp(-balls / 3.0)) * math.exp(-age / PLUCK_DECAY_S)
            voice = f"pluck{number % 8}"
            tones.append(Tone(voice, PLUCK_HZ[kind], loudness))
            tones.append(Tone(voice + "h", 2 * PLUCK_HZ[kind], loudness * 0.3))
    dropped = now - moments["dropped"] if "dropped" in moments else None
    if dropped is not None and 0.0 <= dropped < PLUCK_SECONDS:
        tones.append(Tone("dropped", DROPPED_HZ, PLUCK_GAIN * math.exp(-dropped / PLUCK_DECAY_S)))
    for moment, root in (("trained", TRAINED_HZ), ("restarted", RESTARTED_HZ)):
        if moment in moments:
            tones += chime(moment, now - moments[moment], root)
    return tones, HEAT_GAIN * min(max(float(heat), 0.0), 1.0) if math.isfinite(heat) else 0.0


def frame_sound(scene) -> tuple[list[Tone], float]:
    """The scene's numbers as this frame's sound (reads the scene, never changes it)."""
    if scene.probe is not None:
        loss = float(scene.probe.centre_loss)
        share = min(max(loss / math.log(2.0), 0.0), 1.0) if math.isfinite(loss) else 0.0
        return landscape_sound(share, 0.0, (), scene.time, scene.moments)
    balls = scene.balls
    live = ~balls.exploded
    mean_height = float(np.mean(balls.losses()[live])) if live.any() else float("nan")
    floor, top = height_scale(balls.surface)
    heat = balls.noise_level / balls.surface.temperature_max if balls.surface.temperature_max > 0 else 0.0
    return landscape_sound(height_share(mean_height, floor, top), heat, scene.plucks, scene.time, scene.moments)
