"""The one clock. A window uses real time (clamped, so a stall never makes training leap); export,
snapshots, tests and the kiosk soak use exactly 1/fps per frame, so their frames are reproducible."""
from __future__ import annotations

import time


class FixedClock:
    """Exactly 1/fps seconds per tick: the same frames on every machine."""

    def __init__(self, fps: float = 60.0):
        if not fps > 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.fps = float(fps)
        self.frame = 0

    @property
    def now(self) -> float:
        return self.frame / self.fps

    def tick(self) -> float:
        self.frame += 1
        return 1.0 / self.fps


class RealClock:
    """Wall-clock seconds since the last tick, clamped to max_dt (a dragged window or a hiccup stays calm)."""

    def __init__(self, max_dt: float = 0.1, timer=time.perf_counter):
        self.max_dt = max_dt
        self._timer = timer
        self._last = timer()
        self._start = self._last
        self.frame = 0

    @property
    def now(self) -> float:
        return self._last - self._start

    def tick(self) -> float:
        current = self._timer()
        dt = min(max(current - self._last, 0.0), self.max_dt)
        self._last = current
        self.frame += 1
        return dt
