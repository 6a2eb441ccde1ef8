"""Colour themes for Neural Illumination: strict TOML files loaded into frozen dataclasses.

Never imports pygame, so tools and tests can load and check themes without a display.
"""
from themes.loader import (
    DEFAULT_THEME,
    RGB,
    BackgroundColours,
    ChartColours,
    Effects,
    TextColours,
    Theme,
    ThemeSection,
    ThemeError,
    list_themes,
    load_theme,
    register_section,
    parse_colour,
)

__all__ = [
    "DEFAULT_THEME",
    "RGB",
    "BackgroundColours",
    "ChartColours",
    "Effects",
    "TextColours",
    "Theme",
    "ThemeSection",
    "ThemeError",
    "list_themes",
    "load_theme",
    "register_section",
    "parse_colour",
]
