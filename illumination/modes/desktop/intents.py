"""What the panel asks the desktop for: one small record per kind of request.

The panel makes them from pygame-gui's events and never touches the scene; `Desktop.apply` looks each record's
type up in its table of handlers, which validate and apply it through the settings like any other change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True)
class Press:
    """A button: the action of that name (actions.py), as its key would."""
    action: str


@dataclass(frozen=True)
class SetValue:
    """A slider moved, a check box ticked or a menu's option chosen: this setting to this value."""
    key: str
    value: Any


@dataclass(frozen=True)
class LetGo:
    """Restarting sliders let go after a drag: their values, applied together (one restart, not one a pixel)."""
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class SetVolume:
    """The volume slider: the sound's master volume, 0-1 (the window's, not a setting of the scene)."""
    value: float


@dataclass(frozen=True)
class ChooseTheme:
    name: str


@dataclass(frozen=True)
class ChooseExhibit:
    name: str


Intent = Union[Press, SetValue, SetVolume, LetGo, ChooseTheme, ChooseExhibit]
