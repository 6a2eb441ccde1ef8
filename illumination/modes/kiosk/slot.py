"""One playlist item being played (a Slot: its show and the watchdog's view of it), and the questions the kiosk
asks its scene in a way that cannot fail (status, finished, caption): a scene that raises there is not worth a
rebuild, and its next update will raise properly, to be handled by the watchdog (attract.py)."""
from __future__ import annotations

from illumination.core.show import Show
from illumination.modes.kiosk.playlist import Item


class Slot:
    """One item being played: its show (scene + view) and the watchdog's view of it."""
    __slots__ = ("item", "seed", "show", "elapsed", "attempt", "play_number", "divergences", "gave_up",
                 "caption", "visited")

    def __init__(self, item: Item, seed: int, show: Show, attempt: int, play_number: int):
        self.item, self.seed, self.show = item, seed, show
        self.attempt, self.play_number = attempt, play_number
        self.elapsed = 0.0
        self.divergences = int(show.scene.divergences or 0)
        self.gave_up = False
        self.caption = ""
        self.visited = False      # a visitor drew on it: it trains on while it holds (what they taught)


def status_of(scene) -> dict:
    try:
        status = scene.status()
        return status if isinstance(status, dict) else {}
    except Exception:     # a status that fails is not worth a rebuild; the next update will tell
        return {}


def is_finished(scene) -> bool:
    try:
        return bool(scene.finished)
    except Exception:     # as with status: the scene's next update will raise properly, and be handled
        return False


def caption_text(scene, seed: int) -> str:
    try:
        return scene.caption()
    except Exception:     # a caption is never worth a rebuild
        return f"seed {seed}"
