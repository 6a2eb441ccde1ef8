"""Fault injection for the kiosk: real divergences and real exceptions, at reproducible points.

`--inject-faults` uses these so the recovery paths are exercised for real, not simulated.
"""
from __future__ import annotations

from dataclasses import dataclass

class InjectedFault(RuntimeError):
    pass


def _faulty_scene(inner, where: str, at_s: float):
    from illumination.scenes.base import Scene

    class FaultyScene(Scene):
        """A real scene that raises once its own clock passes at_s (in update, or in the next draw)."""
        name = inner.name

        def __init__(self):
            self.inner, self.time, self.fired = inner, 0.0, False

        def update(self, dt):
            self.time += dt
            if where == "update" and self.time >= at_s and not self.fired:
                self.fired = True
                raise InjectedFault(f"injected fault in update at {self.time:.2f} s")
            inner.update(dt)

        def draw(self, surface):
            if where == "draw" and self.time >= at_s and not self.fired:
                self.fired = True    # the injector's own bookkeeping; the exhibit's state is untouched
                raise InjectedFault(f"injected fault in draw at {self.time:.2f} s")
            inner.draw(surface)

        def resize(self, size):
            inner.resize(size)

        @property
        def finished(self):
            return inner.finished

        def status(self):
            return inner.status()

        def __getattr__(self, attribute):      # trainer, divergences, message … of the real scene
            return getattr(inner, attribute)

    return FaultyScene()


@dataclass(frozen=True)
class FaultPlan:
    """Which plays (counted from 1) get which fault; on overlaps the first kind in kind() wins."""
    diverge_every: int = 5     # learning rate 1e6 on the live trainer: a real divergence, then the restart
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

    def wrap(self, scene, play_number: int, attempt: int):
        """(scene to play, kind of fault injected or None)."""
        kind = self.kind(play_number)
        if kind == "broken":
            return _faulty_scene(scene, "update", self.at_s), kind
        if attempt > 0 or kind is None:
            return scene, None
        if kind in ("update", "draw"):
            return _faulty_scene(scene, kind, self.at_s), kind
        if hasattr(scene, "trainer"):
            scene.trainer.set_lr(1e6)
            return scene, kind
        return scene, None
