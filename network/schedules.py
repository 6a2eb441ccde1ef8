"""Temperature (noise) schedules: pure functions of the step t, vectorised, each equal to 1 at t = 0.

The temperature at step t is T(t) = T0 · schedule(t); in the uniform-kick noise mode the kick magnitude is
scaled the same way. From the thermodynamics notebook (its constants):
    exponential     e^(-0.005 t)
    polynomial      1 / (1 + 0.01 t)
    linear          max(1 - 0.002 t, 0.01)   (the notebook floors T0 - 0.002 t at 0.01 in absolute terms; we
                                              floor the factor, so T(t) = T0 · schedule(t) holds for every T0)
    constant        1
From the noise-as-a-resource tool (its shapes; our periods):
    cosine          ½(1 + cos(π · min(t, P) / P)), P = COSINE_PERIOD = 2000: one smooth anneal from 1 to 0 over
                    P steps, then 0 (the tool's version rises again after P; an anneal that reheats is what
                    "cyclical" is for)
    cyclical        ½(1 + cos(2π t / P)), P = CYCLE_PERIOD = 500: hot at t = 0, P, 2P …, cold at P/2, 3P/2 …
                    (the tool's cycle, shifted half a period so that every schedule starts hot)
    inverse_anneal  1 / (1 + 0.001 t)
"""
from __future__ import annotations

from typing import Callable

import numpy as np

COSINE_PERIOD = 2000.0  # steps for the cosine anneal to reach 0: the length of the default escape experiment
CYCLE_PERIOD = 500.0    # steps per heat-cool-heat cycle: the tool's own example period


def exponential(t: np.ndarray) -> np.ndarray:
    return np.exp(-0.005 * t)


def polynomial(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + 0.01 * t)


def linear(t: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - 0.002 * t, 0.01)


def constant(t: np.ndarray) -> np.ndarray:
    return np.ones_like(t)


def cosine(t: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.cos(np.pi * np.minimum(t, COSINE_PERIOD) / COSINE_PERIOD))


def cyclical(t: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.cos(2.0 * np.pi * t / CYCLE_PERIOD))


def inverse_anneal(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + 0.001 * t)


# The one registry: settings, menus, the CLI and both noise kinds (the network's, the balls') read it.
SCHEDULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exponential": exponential,
    "polynomial": polynomial,
    "linear": linear,
    "constant": constant,
    "cosine": cosine,
    "cyclical": cyclical,
    "inverse_anneal": inverse_anneal,
}


def register_schedule(function: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Decorator: make a schedule (vectorised in t, equal to 1 at t = 0) available everywhere by its name."""
    SCHEDULES[function.__name__] = function
    return function


def check_schedule_name(name: str) -> str:
    if not isinstance(name, str) or name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of: {', '.join(SCHEDULES)}")
    return name


def schedule_value(name: str, t):
    """schedule(t) for a step t ≥ 0 or an array of steps: a float for a scalar t, else an array of t's shape."""
    schedule = SCHEDULES[check_schedule_name(name)]
    steps = np.asarray(t, dtype=np.float64)
    bad = ~(np.isfinite(steps) & (steps >= 0))
    if np.any(bad):
        raise ValueError(f"schedule steps must be finite and >= 0, got {float(steps[bad].flat[0])}")
    values = schedule(steps)
    return float(values) if values.ndim == 0 else values


def temperature_at(name: str, initial_temperature: float, t):
    """T(t) = T0 · schedule(t)."""
    return initial_temperature * schedule_value(name, t)
