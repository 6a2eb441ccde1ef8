"""The Landscape exhibit's section of a theme file (registered with themes/loader.py by the exhibit registry):
terrain from its lowest to its highest point, contour lines, balls, and trails from cold to hot. Pure data."""
from __future__ import annotations

from dataclasses import dataclass

from themes.loader import RGB, ThemeSection
from themes.schema import colour


@dataclass(frozen=True)
class LandscapeColours:
    terrain_low: RGB = colour()  # the surface's lowest point ...
    terrain_high: RGB = colour()  # ... and its highest
    contour: RGB = colour()
    ball: RGB = colour()
    cold: RGB = colour()  # a trail point at low temperature ...
    hot: RGB = colour()  # ... and at high temperature


THEME_SECTIONS = (ThemeSection("landscape", LandscapeColours, "landscape"),)
