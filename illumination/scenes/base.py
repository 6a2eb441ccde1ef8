"""The interface every exhibit implements, so the window, the kiosk and export can run any of them.

Rules: `update(dt)` changes state (and is the only place random numbers are drawn); `draw(surface)`
only reads state; both must be safe to call at any size after `resize`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod


class Scene(ABC):
    #: registry name of the exhibit ("network", later "landscape", "noise-lab")
    name: str = "scene"

    @abstractmethod
    def update(self, dt: float) -> None:
        """Advance the exhibit by dt seconds of the clock (training, particles, phases)."""

    @abstractmethod
    def draw(self, surface) -> None:
        """Draw the current state onto a pygame Surface. Must not change state."""

    @abstractmethod
    def resize(self, size: tuple[int, int]) -> None:
        """The drawing surface has a new size: recompute the layout and caches."""

    def handle_event(self, event) -> bool:
        """A pygame event from the window; return True if the scene used it."""
        return False

    @property
    def finished(self) -> bool:
        """True when the exhibit has reached its end state (it keeps drawing that state)."""
        return False

    def status(self) -> dict:
        """Plain numbers describing the state (for captions, logs, the kiosk)."""
        return {}
