"""The exhibits, one package each, and the registry the modes ask for them by name.

Adding an exhibit is one package here and one `register` line below; no mode changes.
"""
from __future__ import annotations

from illumination.core.scene import Exhibit
from illumination.core.settings import SettingsError
from illumination.exhibits.landscape import EXHIBIT as LANDSCAPE
from illumination.exhibits.network import EXHIBIT as NETWORK

EXHIBITS: dict[str, Exhibit] = {}


def register(exhibit: Exhibit) -> Exhibit:
    """Make an exhibit available to every command, mode and playlist by its name."""
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
