"""The Landscape exhibit's measurable claim: noise lets descent escape local minima — counted, not shown.

An ensemble of balls starts at random points and rolls for a fixed number of steps at each noise level; a row
reports the fraction that end in the global minimum's basin (data/surfaces.py: the region from which T = 0
gradient flow reaches a global minimum), their mean final loss, and how many exploded.

"noise" means what the noise mode makes it mean (physics/descent.py):
  * langevin: the initial temperature T0; the temperature at step t is T0 · schedule(t), and noise enters
    as √(2ηT)·ξ (friction-matched for momentum, preconditioned for rmsprop and adam);
  * uniform:  the simulator's kick magnitude n; each step adds n · schedule(t) · U(-1, 1) per component to
    the gradient before the optimizer sees it.
An exploded ball (left the domain or went non-finite) counts as not in the basin of global_basin_fraction (over
all balls); global_basin_fraction_of_survivors is the same count over the balls that did not explode, and so is
mean_final_loss (both NaN if all did). Where balls explode, read the two fractions side by side.

Reproducibility. One SeedSequence(seed) gives every stream: the start positions are child (0,) and are the same
for every row, so rows are paired comparisons; the noise of a row is a child keyed by the row's own noise value
(or schedule name), never by its position in the request, so adding or removing a level changes no other row.
The same arguments give a bit-identical table.
"""
from __future__ import annotations

import math
import zlib

import numpy as np

from data.surfaces import get_surface
from physics.descent import Balls, BallSettings, check_ball_count, count_basins, random_starts
from network.schedules import check_schedule_name

MAX_STEPS = 1_000_000
STARTS_STREAM, NOISE_STREAM, SCHEDULE_STREAM = 0, 1, 2


def _generator(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def _noise_key(noise: float) -> tuple[int, int]:
    """Two 32-bit words of the float64 bit pattern of the level (-0.0 folded into 0.0)."""
    bits = int(np.float64(float(noise) + 0.0).view(np.uint64))
    return bits >> 32, bits & 0xFFFFFFFF


def _check_common(seed, balls, steps) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    check_ball_count(balls)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer from 0 to {MAX_STEPS:,}, got {steps!r}")


def run_ensemble(settings: BallSettings, starts: np.ndarray, steps: int, rng: np.random.Generator) -> dict:
    """Roll balls from starts (2, N) for `steps` steps; the summary a table row is made of."""
    balls = Balls.at(settings, starts[0], starts[1], tracked=None)
    for _ in range(steps):
        balls.step(rng)
    counts = count_basins(balls.surface, balls.x, balls.z, balls.exploded)
    survivors = balls.losses()[~balls.exploded]
    return {
        "global_basin_fraction": counts.in_global_basin / balls.count,
        "global_basin_fraction_of_survivors": counts.in_global_basin / survivors.size if survivors.size else math.nan,
        "mean_final_loss": float(survivors.mean()) if survivors.size else math.nan,
        "exploded": counts.exploded,
    }


BOLTZMANN_CELLS = 1601    # per side: the basin's Boltzmann mass changes by < 1e-4 from 801 to 1601 on complex


def boltzmann_basin_mass(surface_name: str, temperature: float) -> float:
    """The equilibrium answer: the mass of the global basin under the density ∝ exp(−L/T) on the domain (a midpoint
    sum over BOLTZMANN_CELLS² cells), which Langevin balls at a constant T approach as the steps grow. At T = 0 the
    limit, 1 (all the mass at the global minimum)."""
    if temperature <= 0:
        return 1.0
    surface = get_surface(surface_name)
    centres = surface.lo + (np.arange(BOLTZMANN_CELLS) + 0.5) * (surface.hi - surface.lo) / BOLTZMANN_CELLS
    x, z = np.broadcast_arrays(centres[None, :], centres[:, None])
    heights = surface.loss(x, z)                                                   # (C, C)
    weights = np.exp(-(heights - heights.min()) / temperature)
    return float(weights[surface.in_global_basin(x, z)].sum() / weights.sum())


def _settings(surface, optimizer, learning_rate, momentum, noise_mode, schedule, level) -> BallSettings:
    level_field = "temperature" if noise_mode == "langevin" else "noise"
    return BallSettings(surface=surface, optimizer=optimizer, learning_rate=learning_rate, momentum=momentum,
                        noise_mode=noise_mode, schedule=schedule, **{level_field: level})


def escape_table(surface: str = "complex", balls: int = 1000, steps: int = 2000,
                 noises=(0, 0.5, 1, 2, 4), seed: int = 0, schedule: str = "constant",
                 noise_mode: str = "langevin", optimizer: str = "momentum", learning_rate: float = 0.01,
                 momentum: float = 0.8) -> list[dict]:
    """One row per noise level: {"noise", "global_basin_fraction", "global_basin_fraction_of_survivors",
    "mean_final_loss", "exploded", "boltzmann_basin_mass"} (the last is the equilibrium fraction at a constant
    Langevin temperature, NaN for other noise: see boltzmann_basin_mass).

    See the module docstring for what "noise" means in each mode. Balls: 1 to MAX_BALLS (100,000).
    Bad names or values raise ValueError with a one-line message.
    """
    _check_common(seed, balls, steps)
    levels = [float(level) + 0.0 for level in noises]  # + 0.0 folds -0.0 into 0.0
    for level in levels:
        _settings(surface, optimizer, learning_rate, momentum, noise_mode, schedule, level)  # validates all first
    starts = random_starts(get_surface(surface), balls, _generator(seed, STARTS_STREAM))  # (2, balls)
    rows = []
    for level in levels:
        settings = _settings(surface, optimizer, learning_rate, momentum, noise_mode, schedule, level)
        summary = run_ensemble(settings, starts, steps, _generator(seed, NOISE_STREAM, *_noise_key(level)))
        equilibrium = (boltzmann_basin_mass(surface, level) if noise_mode == "langevin" and schedule == "constant"
                       else math.nan)
        rows.append({"noise": level, **summary, "boltzmann_basin_mass": equilibrium})
    return rows


def schedule_table(surface: str = "complex", balls: int = 1000, steps: int = 2000, temperature: float = 2.0,
                   schedules=("exponential", "polynomial", "linear", "constant"), seed: int = 0,
                   noise_mode: str = "langevin", optimizer: str = "momentum", learning_rate: float = 0.01,
                   momentum: float = 0.8) -> list[dict]:
    """One row per schedule at one starting noise level (T0, or the kick magnitude in uniform mode):
    {"schedule", "global_basin_fraction", "global_basin_fraction_of_survivors", "mean_final_loss", "exploded"},
    same starts for every row."""
    _check_common(seed, balls, steps)
    for name in schedules:
        check_schedule_name(name)
        _settings(surface, optimizer, learning_rate, momentum, noise_mode, name, temperature)
    starts = random_starts(get_surface(surface), balls, _generator(seed, STARTS_STREAM))  # (2, balls)
    rows = []
    for name in schedules:
        settings = _settings(surface, optimizer, learning_rate, momentum, noise_mode, name, temperature)
        rng = _generator(seed, SCHEDULE_STREAM, zlib.crc32(name.encode()))
        rows.append({"schedule": name, **run_ensemble(settings, starts, steps, rng)})
    return rows


def format_table(rows: list[dict]) -> str:
    """A fixed-width text table of escape_table / schedule_table rows."""
    if not rows:
        return ""
    keys = list(rows[0])
    cells = [[f"{row[k]:.4f}" if isinstance(row[k], float) else str(row[k]) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.rjust(w) for k, w in zip(keys, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_table(escape_table()))
    print()
    print(format_table(schedule_table()))
