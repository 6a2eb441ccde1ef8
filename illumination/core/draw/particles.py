"""A pooled, bounded particle store: fixed-size arrays, no allocation per particle, no growth over days.

Particles are spawned and advanced in the scene's update (with the run's "particles" random stream)
and only read in draw. A particle rides one connection, from t=0 to t=1; backward particles ride
their connection the other way.
"""
from __future__ import annotations

import numpy as np


class ParticlePool:
    def __init__(self, capacity: int = 1500):
        self.capacity = capacity
        self.active = np.zeros(capacity, dtype=bool)
        self.connection = np.zeros(capacity, dtype=np.int64)   # index into the scene's connection table
        self.t = np.zeros(capacity)                            # progress along the connection, 0..1
        self.speed = np.zeros(capacity)                        # progress per second
        self.size = np.zeros(capacity)                         # radius in design units
        self.intensity = np.zeros(capacity)                    # 0..1, from the signal it carries
        self.backward = np.zeros(capacity, dtype=bool)
        self.dropped = 0                                       # spawns refused because the pool was full

    @property
    def count(self) -> int:
        return int(self.active.sum())

    def clear(self) -> None:
        self.active[:] = False

    def spawn(self, connections: np.ndarray, speed: np.ndarray, size: np.ndarray, intensity: np.ndarray,
              backward: bool) -> int:
        """Start particles on the given connections (arrays of equal length); returns how many fitted."""
        free = np.flatnonzero(~self.active)
        n = min(len(free), len(connections))
        self.dropped += len(connections) - n
        slots = free[:n]
        self.active[slots] = True
        self.connection[slots] = connections[:n]
        self.t[slots] = 0.0
        self.speed[slots] = speed[:n]
        self.size[slots] = size[:n]
        self.intensity[slots] = intensity[:n]
        self.backward[slots] = backward
        return n

    def advance(self, dt: float) -> None:
        self.t[self.active] += self.speed[self.active] * dt
        self.active &= self.t < 1.0

    def positions(self, starts: np.ndarray, ends: np.ndarray, lag: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """(indices of active particles, (k, 2) pixel positions), `lag` of progress behind the head (for trails)."""
        idx = np.flatnonzero(self.active)
        t = np.clip(self.t[idx] - lag, 0.0, 1.0)
        t = np.where(self.backward[idx], 1.0 - t, t)
        # Ease in and out along the connection: signals leave gently and arrive gently.
        eased = t * t * (3.0 - 2.0 * t)
        c = self.connection[idx]
        return idx, starts[c] + (ends[c] - starts[c]) * eased[:, None]
