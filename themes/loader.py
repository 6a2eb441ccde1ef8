"""Load and validate colour themes from TOML files.

A theme is a small TOML file (see midnight.toml for the annotated reference). The loader is strict on
purpose: every key is required and unknown keys are rejected, because a typo such as `galss = ...` in
a gallery's custom theme would otherwise be silently ignored and the wall would show a default colour
nobody chose. All problems are collected and reported together, each with its dotted path, so a curator
editing a file can fix everything in one pass instead of one error per restart.

The dataclasses below double as the schema: each field's metadata says whether it is a colour or a
bounded number, and the one validator (schema.py) walks them. Adding a key means adding one field here and one
line to every theme file. Pure Python; never imports pygame.

Sections are of two kinds: BASE_SECTIONS every exhibit uses (background, text, chart panels, effects), and
each exhibit's own (EXHIBIT_SECTIONS: the network's synapses, neurons, particles and prediction grid). An
exhibit's view reads the base sections and its own, never another exhibit's; a new exhibit adds its section
here and to every theme file.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from themes import schema
from themes.schema import parse_colour  # noqa: F401  (part of the themes API)

RGB = tuple[int, int, int]

THEMES_DIR = Path(__file__).resolve().parent
DEFAULT_THEME = "midnight"
MODES = ("dark", "light")



class ThemeError(schema.Problems):
    """A theme could not be loaded. `problems` holds one human-readable line per problem."""

    def __init__(self, problems: list[str] | str, header: str | None = None):
        super().__init__(problems)
        self.header = header
        lines = [header] if header else []
        lines += [f"  {p}" if header else p for p in self.problems]
        ValueError.__init__(self, "\n".join(lines))


# --- schema helpers: field kinds from the one validator; every key of a theme is required ---------------

def _colour() -> Any:
    return schema.colour()


def _number(low: float, high: float, *, low_exclusive: bool = False) -> Any:
    return schema.number(low, high, low_exclusive=low_exclusive)


# --- the theme model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackgroundColours:
    top: RGB = _colour()  # vertical gradient, top edge
    bottom: RGB = _colour()  # vertical gradient, bottom edge
    vignette: float = _number(0, 1)  # 0 = none, 1 = edges fully darkened


@dataclass(frozen=True)
class TextColours:
    primary: RGB = _colour()
    secondary: RGB = _colour()
    accent: RGB = _colour()


@dataclass(frozen=True)
class SynapseColours:
    positive: RGB = _colour()
    negative: RGB = _colour()


@dataclass(frozen=True)
class NeuronColours:
    body: RGB = _colour()  # core of a fully active bulb
    glow: RGB = _colour()  # forward pass: activation glow
    halo: RGB = _colour()  # backward pass: gradient halo
    sparkle: RGB = _colour()
    rim: RGB = _colour()  # faint ring that keeps an inactive neuron visible


@dataclass(frozen=True)
class ParticleColours:
    forward: RGB = _colour()
    backward: RGB = _colour()


@dataclass(frozen=True)
class GridColours:
    correct: RGB = _colour()
    incorrect: RGB = _colour()
    uncertain: RGB = _colour()
    pixel: RGB = _colour()


@dataclass(frozen=True)
class ChartColours:
    loss: RGB = _colour()
    train_accuracy: RGB = _colour()
    test_accuracy: RGB = _colour()
    gradient: RGB = _colour()
    panel: RGB = _colour()
    panel_border: RGB = _colour()


@dataclass(frozen=True)
class LandscapeColours:
    terrain_low: RGB = _colour()  # the surface's lowest point ...
    terrain_high: RGB = _colour()  # ... and its highest
    contour: RGB = _colour()
    ball: RGB = _colour()
    cold: RGB = _colour()  # a trail point at low temperature ...
    hot: RGB = _colour()  # ... and at high temperature


@dataclass(frozen=True)
class Effects:
    glow_strength: float = _number(0, 4, low_exclusive=True)  # 0 would make the network invisible
    bloom: float = _number(0, 2)


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    mode: str  # "dark" or "light"
    background: BackgroundColours
    text: TextColours
    synapse: SynapseColours
    neuron: NeuronColours
    particle: ParticleColours
    grid: GridColours
    chart: ChartColours
    effects: Effects
    landscape: LandscapeColours
    source: str  # the file this theme was loaded from

    @property
    def is_light(self) -> bool:
        return self.mode == "light"

    def emission_palette(self) -> Theme:
        """The colours to draw *light* with.

        The renderer composes light additively on a dark canvas. A light ("print") theme is rendered
        in inverted colours and the finished frame is inverted, which turns additive light into
        subtractive ink on paper; so here every colour of a light theme is inverted. Numbers stay.
        """
        if not self.is_light:
            return self
        inverted = {
            name: _map_colours(getattr(self, name), lambda c: (255 - c[0], 255 - c[1], 255 - c[2]))
            for name in SECTIONS
        }
        return dataclasses.replace(self, **inverted)


SECTIONS: dict[str, type] = {
    "background": BackgroundColours,
    "text": TextColours,
    "synapse": SynapseColours,
    "neuron": NeuronColours,
    "particle": ParticleColours,
    "grid": GridColours,
    "chart": ChartColours,
    "effects": Effects,
    "landscape": LandscapeColours,
}
BASE_SECTIONS = ("background", "text", "chart", "effects")
EXHIBIT_SECTIONS: dict[str, tuple[str, ...]] = {"network": ("synapse", "neuron", "particle", "grid"),
                                                 "landscape": ("landscape",)}
assert set(SECTIONS) == set(BASE_SECTIONS).union(*EXHIBIT_SECTIONS.values())
_TOP_LEVEL_KEYS = ("name", "description", "mode", *SECTIONS)


def _map_colours(section: Any, fn) -> Any:
    changes = {f.name: fn(getattr(section, f.name))
               for f in dataclasses.fields(section) if f.metadata.get("kind") == "colour"}
    return dataclasses.replace(section, **changes)


# --- parsing --------------------------------------------------------------------------------------

def _check_section(path: str, cls: type, table: Any, problems: list[str]) -> Any:
    values = schema.check_table(path, cls, table, problems, required=True)
    return None if values is None else cls(**values)


def _check_text(key: str, value: Any, problems: list[str]) -> None:
    if key == "name" and not (isinstance(value, str) and value.strip()):
        problems.append(f"theme.name: expected a non-empty string, got {schema.show(value)}")
    elif key == "description" and not isinstance(value, str):
        problems.append(f"theme.description: expected a string, got {schema.show(value)}")
    elif key == "mode" and value not in MODES:
        problems.append(f'theme.mode: must be "dark" or "light", got {schema.show(value)}')


def theme_from_dict(data: dict[str, Any], source: str = "<memory>") -> Theme:
    """Validate an already-parsed TOML document. Raises ThemeError listing every problem."""
    problems: list[str] = []
    sections = {}
    for key in _TOP_LEVEL_KEYS:
        if key not in data:
            problems.append(f"theme.{key}: missing")
        elif key in SECTIONS:
            sections[key] = _check_section(f"theme.{key}", SECTIONS[key], data[key], problems)
        else:
            _check_text(key, data[key], problems)
    problems += [f"theme.{key}: unknown key" for key in data if key not in _TOP_LEVEL_KEYS]
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise ThemeError(problems, header=f"{source}: {count} in theme:")
    return Theme(name=data["name"], description=data["description"], mode=data["mode"],
                 source=source, **sections)


# --- finding and reading files --------------------------------------------------------------------

def list_themes() -> list[str]:
    """Names of the built-in themes (the *.toml files shipped inside this package), sorted."""
    return sorted(p.stem for p in THEMES_DIR.glob("*.toml"))


def _resolve(name_or_path: str | os.PathLike) -> Path:
    text = os.fspath(name_or_path)
    separators = [s for s in (os.sep, os.altsep, "/") if s]
    is_path = (not isinstance(name_or_path, str) or text.lower().endswith(".toml")
               or any(s in text for s in separators))
    if is_path:
        return Path(text)
    available = list_themes()
    if text not in available:
        raise ThemeError(f"unknown theme {text!r}; available themes: {', '.join(available)} "
                         f"(or give a path to a .toml file)")
    return THEMES_DIR / f"{text}.toml"


def load_theme(name_or_path: str | os.PathLike) -> Theme:
    """Load a built-in theme by name ("midnight") or a theme file by path ("my/wall.toml")."""
    path = _resolve(name_or_path)
    data = schema.read_toml(path, "theme", ThemeError)
    return theme_from_dict(data, source=str(path))
