"""A kiosk runs for months: no cache in the project may grow without bound.

Every function-level cache (functools.lru_cache) in every module of the six packages has a maxsize, and the kiosk's
own caches stay at their caps after many items of every kind."""
from __future__ import annotations

import dataclasses
import importlib
import logging
import pkgutil

import pygame
import pytest

PACKAGES = ("illumination", "network", "data", "physics", "lab", "themes")


def project_modules():
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def test_every_function_cache_in_the_project_has_a_bound():
    caches = {}
    for module in project_modules():
        for attribute, value in vars(module).items():
            parameters = getattr(value, "cache_parameters", None)
            if callable(parameters) and getattr(value, "__module__", None) == module.__name__:
                caches[f"{module.__name__}.{attribute}"] = parameters()["maxsize"]
    assert len(caches) >= 6, caches                               # the reader found them
    assert {name: size for name, size in caches.items() if size is None} == {}


def test_the_kiosks_caches_stay_at_their_caps_over_many_items_and_visitors():
    """Two rounds of the built-in playlist (every exhibit and view), a visitor on every Network item: the kiosk's
    text caches and the pad's stay within their caps, and only the item playing holds a show."""
    from illumination.core.clock import FixedClock
    from illumination.core.display import init_headless
    from illumination.modes.kiosk.attract import Kiosk
    from illumination.modes.kiosk.playlist import resolve_playlist
    init_headless()
    size = (320, 180)
    playlist = resolve_playlist(None).playlist
    items = tuple(dataclasses.replace(item, seconds=4.0, count=None, floor=None) for item in playlist.items)
    playlist = dataclasses.replace(playlist, hold_seconds=0.5, crossfade_seconds=0.5, draw_seconds=5.0, items=items)
    kiosk = Kiosk(playlist, size, log=logging.getLogger("test.caches"), random_seed=0)
    clock, surface = FixedClock(10), pygame.Surface(size)
    pads = 0
    while kiosk.stats["items_played"] < 2 * len(playlist.items):
        kiosk.update(clock.tick())
        kiosk.draw(surface)
        if kiosk.visitor is None and kiosk.current is not None and kiosk.current.item.exhibit == "network" \
                and not kiosk.current.visited and kiosk.phase == "play":
            kiosk.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(160, 90), touch=False))
            pads += kiosk.visitor is not None
        if kiosk.visitor is not None:
            assert len(kiosk.visitor.text._cache) <= kiosk.visitor.text.max_entries
        assert len(kiosk._text._cache) <= kiosk._text.max_entries
    assert pads >= 4 and kiosk.stats["visitor_sessions"] == pads
    assert kiosk.stats["exceptions_recovered"] == 0
