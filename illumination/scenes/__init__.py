"""The one place the window, the kiosk and export choose an exhibit."""
from __future__ import annotations

from illumination.scenes.base import Scene


def _network(settings, size, theme):
    from illumination.scenes.network import NetworkScene
    return NetworkScene(settings, size, theme)


# name -> factory(settings, size, theme) -> Scene. Later exhibits (landscape, noise lab) add themselves here.
EXHIBITS = {"network": _network}


def create_scene(name: str, settings, size: tuple[int, int], theme) -> Scene:
    try:
        factory = EXHIBITS[name]
    except KeyError:
        raise ValueError(f"unknown exhibit {name!r}; choose one of: {', '.join(sorted(EXHIBITS))}") from None
    return factory(settings, size, theme)


__all__ = ["EXHIBITS", "Scene", "create_scene"]
