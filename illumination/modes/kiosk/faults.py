"""Fault injection for the kiosk: real divergences and real exceptions, at reproducible points.

`--inject-faults` uses these so the recovery paths are exercised for real, not simulated.
"""
from __future__ import annotations

from dataclasses import dataclass

class InjectedFault(RuntimeError):
    pass


class FaultyShow:
    """A real show whose drawing or updating raises once its own clock passes at_s (in update, or in the next
    draw). The exhibit's state is untouched: only the injector's own bookkeeping changes."""

    def __init__(self, inner, where: str, at_s: float):
        self.inner, self.where, self.at_s = inner, where, at_s
        self.time, self.fired = 0.0, False

    def update(self, dt):
        self.time += dt
        if self.where == "update" and self.time >= self.at_s and not self.fired:
            self.fired = True
            raise InjectedFault(f"injected fault in update at {self.time:.2f} s")
        self.inner.update(dt)

    def draw(self, surface):
        if self.where == "draw" and self.time >= self.at_s and not self.fired:
            self.fired = True
            raise InjectedFault(f"injected fault in draw at {self.time:.2f} s")
        self.inner.draw(surface)

    def __getattr__(self, attribute):      # scene, exhibit, name, resize … of the real show
        return getattr(self.inner, attribute)


@dataclass(frozen=True)
class FaultPlan:
    """Which plays (counted from 1) get which fault; on overlaps the first kind in kind() wins."""
    diverge_every: int = 5     # the exhibit provokes a real divergence (the network: learning rate 1e6), then restarts
    update_every: int = 7      # raises once in update: the scene is rebuilt
    draw_every: int = 11       # raises once in draw: the scene is rebuilt
    broken_every: int = 13     # raises on every attempt: three failures in a minute, then the item is skipped
    at_s: float = 12.0

    def kind(self, play_number: int) -> str | None:
        n = play_number + 1
        for kind, every in (("broken", self.broken_every), ("update", self.update_every),
                            ("draw", self.draw_every), ("diverge", self.diverge_every)):
            if every and n % every == 0:
                return kind
        return None

    def wrap(self, show, play_number: int, attempt: int):
        """(show to play, kind of fault injected or None)."""
        kind = self.kind(play_number)
        if kind == "broken":
            return FaultyShow(show, "update", self.at_s), kind
        if attempt > 0 or kind is None:
            return show, None
        if kind in ("update", "draw"):
            return FaultyShow(show, kind, self.at_s), kind
        if show.scene.provoke_divergence():   # a real divergence, if the exhibit can have one
            return show, kind
        return show, None
