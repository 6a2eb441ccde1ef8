"""One playlist item being played (a Slot: its show and the watchdog's view of it), the questions the kiosk
asks its scene in a way that cannot fail (status, finished, caption): a scene that raises there is not worth a
rebuild, and its next update will raise properly, to be handled by the watchdog (attract.py), and warm_up: every
kind of item built once before the first frame."""
from __future__ import annotations

import gc

import pygame

from illumination.core.show import Show, make_show
from illumination.exhibits import get_exhibit
from illumination.modes.kiosk.playlist import Item, Playlist


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


def warm_up(playlist: Playlist, size: tuple[int, int]) -> None:
    """Build, run and draw each exhibit once (imports, numba's cached kernels, fonts), throw it away, then
    gc.freeze() everything alive: the cycle collector stops re-scanning ~100k long-lived objects per pass.
    Call gc.unfreeze() when the kiosk ends (a test process goes on)."""
    surface = pygame.Surface(size)
    # one item of each exhibit and view: a view may have kernels of its own (the Landscape's network view)
    kinds = {(item.exhibit, getattr(item.settings, "view", None)): item for item in reversed(playlist.items)}
    for item in kinds.values():
        try:
            show = make_show(get_exhibit(item.exhibit), item.settings, size, item.theme)
            show.update(0.25)
            show.draw(surface)
        except Exception:     # the kiosk's own watchdog will meet this failure again, and log it
            pass
        show = None
    gc.collect()
    gc.freeze()
