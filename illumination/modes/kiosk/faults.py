"""Fault injection for the kiosk: real divergences and real exceptions, at reproducible points, and a hang.

`--inject-faults` uses these so the recovery paths are exercised for real, not simulated. `--inject-faults hang`
makes an item's update block for good, 12 s into its play: nothing inside the process can recover from that; it is
what the systemd watchdog is for (notify.py, docs/kiosk.md). The window only: a headless soak would wait forever.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

HANG_SLEEP_S = 1.0


class InjectedFault(RuntimeError):
    pass


class FaultyShow:
    """A real show whose drawing or updating raises once its own clock passes at_s (in update, or in the next
    draw), or whose update then never returns (where="hang"). The exhibit's state is untouched: only the
    injector's own bookkeeping changes."""

    def __init__(self, inner, where: str, at_s: float):
        self.inner, self.where, self.at_s = inner, where, at_s
        self.time, self.fired = 0.0, False

    def update(self, dt):
        self.time += dt
        if self.where == "hang" and self.time >= self.at_s:
            hang(self.time)
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


def hang(at: float) -> None:
    """Block forever, the way a stuck frame would: sleep in a loop. A signal handler still runs between the
    sleeps, but nothing brings the frame loop back (the kiosk's SIGTERM handler only asks the loop to stop)."""
    logging.getLogger("illumination.kiosk").error("injected fault: hang in update at %.2f s; the frame loop "
                                                  "stops here for good (the systemd watchdog's case)", at)
    while True:
        time.sleep(HANG_SLEEP_S)


@dataclass(frozen=True)
class FaultPlan:
    """Which plays (counted from 1) get which fault; on overlaps the first kind in kind() wins. Every kind can be
    turned off with 0; hang is off unless asked for (hang_every = 1: every play hangs at_s into it, so the first
    play that lasts that long)."""
    diverge_every: int = 5     # the exhibit provokes a real divergence (the network: learning rate 1e6), then restarts
    update_every: int = 7      # raises once in update: the scene is rebuilt
    draw_every: int = 11       # raises once in draw: the scene is rebuilt
    broken_every: int = 13     # raises on every attempt: three failures in a minute, then the item is skipped
    hang_every: int = 0        # its update blocks forever at at_s: only the systemd watchdog can end that
    at_s: float = 12.0

    @classmethod
    def hang_only(cls, at_s: float = 12.0) -> "FaultPlan":
        """`--inject-faults hang`: the first item that plays for at_s seconds hangs there; no other fault."""
        return cls(diverge_every=0, update_every=0, draw_every=0, broken_every=0, hang_every=1, at_s=at_s)

    def kind(self, play_number: int) -> str | None:
        n = play_number + 1
        for kind, every in (("hang", self.hang_every), ("broken", self.broken_every), ("update", self.update_every),
                            ("draw", self.draw_every), ("diverge", self.diverge_every)):
            if every and n % every == 0:
                return kind
        return None

    def wrap(self, show, play_number: int, attempt: int):
        """(show to play, kind of fault injected or None). A hang is planted but reported as None: the Kiosk
        counts the four recoverable kinds (its faults_injected), and a hung kiosk reports nothing anyway; the
        hang writes its own log line when it fires."""
        kind = self.kind(play_number)
        if kind == "hang":
            return FaultyShow(show, "hang", self.at_s), None
        if kind == "broken":
            return FaultyShow(show, "update", self.at_s), kind
        if attempt > 0 or kind is None:
            return show, None
        if kind in ("update", "draw"):
            return FaultyShow(show, kind, self.at_s), kind
        if show.scene.provoke_divergence():   # a real divergence, if the exhibit can have one
            return show, kind
        return show, None
