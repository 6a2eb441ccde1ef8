"""The exhibits, one package each, and the registry the modes and commands ask for them by name.

An exhibit is one `Exhibit` record (core/scene.py: its scene, view and settings, its about-text, count unit, kiosk
settings and desktop controls, and optional hooks: how to describe its training log, a bench of its own). The
modes know only that record and the Show (core/show.py); test_house keeps them out of every exhibit's package.

Adding an exhibit is one package here and one `register` line below, and no mode changes (tests/test_any_exhibit.py
runs a throwaway exhibit through snapshot, export and the kiosk). Its theme sections are declared in its package
(`Exhibit.theme_sections`) and registered with the theme loader by `register`.
"""
from __future__ import annotations

from illumination.core.scene import Exhibit
from illumination.core.settings import SettingsError
from illumination.exhibits.landscape import EXHIBIT as LANDSCAPE
from illumination.exhibits.network import EXHIBIT as NETWORK

EXHIBITS: dict[str, Exhibit] = {}


def register(exhibit: Exhibit) -> Exhibit:
    """Make an exhibit available to every command, mode and playlist by its name, and its theme sections to
    every theme."""
    from themes.loader import register_section
    for section in exhibit.theme_sections:
        register_section(section)
    EXHIBITS[exhibit.name] = exhibit
    return exhibit


def get_exhibit(name: str) -> Exhibit:
    """The exhibit of that name, or SettingsError naming the ones there are (a user's typo: one clear line)."""
    try:
        return EXHIBITS[name]
    except KeyError:
        raise SettingsError([f"unknown exhibit {name!r}; choose one of: {', '.join(sorted(EXHIBITS))}"]) from None


register(NETWORK)
register(LANDSCAPE)
