"""Load and validate colour themes from TOML files.

A theme is a small TOML file (see midnight.toml for the annotated reference). The loader is strict on
purpose: every key is required and unknown keys are rejected, because a typo such as `galss = ...` in
a gallery's custom theme would otherwise be silently ignored and the wall would show a default colour
nobody chose. All problems are collected and reported together, each with its dotted path, so a curator
editing a file can fix everything in one pass instead of one error per restart.

The dataclasses double as the schema: each field's metadata says whether it is a colour or a bounded number,
and the one validator (schema.py) walks them. Pure Python; never imports pygame.

Sections are of two kinds:
- BASE_SECTIONS, here, which every exhibit uses (background, text, chart panels, effects). A base key is one
  field here and one line in every theme file.
- each exhibit's own, declared in its package (e.g. illumination/exhibits/network/colours.py: synapses, neurons,
  particles, the prediction grid) and registered here by the exhibit registry (`register_section`). A theme
  reads them as attributes (`theme.synapse.positive`) like the base ones. An exhibit's section may bring a
  `fallback` that derives it from the base sections, so a theme file written before that exhibit existed still
  loads; without one, every theme file must have the section. An exhibit's view reads the base sections and
  its own, never another exhibit's.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from collections.abc import Callable, Iterator, Mapping
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
class ChartColours:
    loss: RGB = _colour()
    train_accuracy: RGB = _colour()
    test_accuracy: RGB = _colour()
    gradient: RGB = _colour()
    panel: RGB = _colour()
    panel_border: RGB = _colour()


@dataclass(frozen=True)
class Effects:
    glow_strength: float = _number(0, 4, low_exclusive=True)  # 0 would make the network invisible
    bloom: float = _number(0, 2)


@dataclass(frozen=True)
class ThemeSection:
    """A section of theme files that belongs to one exhibit."""
    name: str                # the TOML table ("synapse")
    schema: type             # its frozen dataclass, fields made with schema.colour(), schema.number() …
    exhibit: str             # the exhibit that reads it
    #: (the theme's base sections by name) -> the section, for a theme file that lacks it; None: it is required
    fallback: Callable[[dict[str, Any]], Any] | None = None


BASE_SECTIONS: dict[str, type] = {"background": BackgroundColours, "text": TextColours, "chart": ChartColours,
                                  "effects": Effects}
EXHIBIT_SECTIONS: dict[str, ThemeSection] = {}


def register_section(section: ThemeSection) -> ThemeSection:
    """Make every theme read (and require, unless it has a fallback) an exhibit's section."""
    if section.name in BASE_SECTIONS or section.name in ("name", "description", "mode", "source"):
        raise ValueError(f"theme section {section.name!r} is a base key; an exhibit's section needs its own name")
    EXHIBIT_SECTIONS[section.name] = section
    return section


class _AllSections(Mapping):
    """Every section a theme has, base and registered, by name (read whenever asked)."""

    def __getitem__(self, name: str) -> type:
        return BASE_SECTIONS[name] if name in BASE_SECTIONS else EXHIBIT_SECTIONS[name].schema

    def __iter__(self) -> Iterator[str]:
        return iter([*BASE_SECTIONS, *EXHIBIT_SECTIONS])

    def __len__(self) -> int:
        return len(BASE_SECTIONS) + len(EXHIBIT_SECTIONS)


SECTIONS = _AllSections()


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    mode: str  # "dark" or "light"
    background: BackgroundColours
    text: TextColours
    chart: ChartColours
    effects: Effects
    exhibit_sections: tuple[tuple[str, Any], ...]  # ((name, section), …): the exhibits' own, read as attributes
    source: str  # the file this theme was loaded from

    def __getattr__(self, name: str) -> Any:
        """An exhibit's section as an attribute (theme.synapse), like a base one."""
        for key, section in self.__dict__.get("exhibit_sections", ()):
            if key == name:
                return section
        raise AttributeError(f"theme has no section {name!r}")

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

        def invert(section: Any) -> Any:
            return _map_colours(section, lambda c: (255 - c[0], 255 - c[1], 255 - c[2]))
        return dataclasses.replace(self, **{name: invert(getattr(self, name)) for name in BASE_SECTIONS},
                                   exhibit_sections=tuple((k, invert(v)) for k, v in self.exhibit_sections))


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
    for key in ("name", "description", "mode", *SECTIONS):
        if key in data:
            if key in SECTIONS:
                sections[key] = _check_section(f"theme.{key}", SECTIONS[key], data[key], problems)
            else:
                _check_text(key, data[key], problems)
        elif key not in EXHIBIT_SECTIONS or EXHIBIT_SECTIONS[key].fallback is None:
            problems.append(f"theme.{key}: missing")
    problems += [f"theme.{key}: unknown key" for key in data if key not in ("name", "description", "mode")
                 and key not in SECTIONS]
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise ThemeError(problems, header=f"{source}: {count} in theme:")
    base = {name: sections[name] for name in BASE_SECTIONS}
    own = tuple((name, sections[name] if name in sections else section.fallback(base))
                for name, section in EXHIBIT_SECTIONS.items())
    return Theme(name=data["name"], description=data["description"], mode=data["mode"], source=source,
                 exhibit_sections=own, **base)


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
