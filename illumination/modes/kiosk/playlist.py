"""The kiosk playlist: a strict TOML file, validated at the door, every problem reported at once.

    interactive = true            # a touch shows what the visitor is looking at
    crossfade_seconds = 2.5       # fade to black, then into the next item (text never overlaps)
    hold_seconds = 8              # the final state holds, with a quiet caption (seed, accuracy)
    random_seed = 7               # optional: makes seed = "random" reproducible
    fps = 30                      # optional: the window's frame-rate cap, a whole number 10-60 (default 60)
    draw = true                   # optional: a touch on a Network item opens a pad to draw and teach it
    draw_seconds = 30             # optional: the pad closes after this long without a touch (5-600)
    teach_limit = 8               # optional: taught shapes an item keeps at once (1-64; the oldest leaves)
    render_scale = 0.5            # optional: draw at this share of the screen's size, SDL scales it up (0.25-1)
    sound = true                  # optional: play the exhibits' sound (README, Sound); silent in closed hours
    volume = 0.6                  # optional: its master volume, 0-1 (default 0.6)

    [schedule]                    # optional: the screen is black outside opening hours
    on = "09:00"
    off = "18:00"

    [[item]]
    exhibit = "network"
    seed = 42                     # or "next" (the previous item's seed + 1) or "random"
    theme = "midnight"            # a built-in theme name or a path to a theme .toml
    epochs = 200                  # exactly one of: seconds = S, until = "converged", or N of the exhibit's
                                  # count unit (the network counts epochs: epochs = N)
    # until = "converged"         # with, optionally, min_epochs = N: a floor under the early stop (a run that
    # min_epochs = 120            # converges sooner trains on to it; the exhibit's count default caps it)
    settings = { learning_rate = 0.05, hidden_size = 16 }   # any of the exhibit's scene-file keys (flat)

Problems carry their dotted path (`item[2].seconds: must be > 0, got -1`; items count from 0). A bad
playlist is replaced as a whole by the built-in default; a theme that cannot be loaded is replaced by the
default theme for that item only (the curator's order and timing still hold).
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import numpy as np

from illumination.core.settings import SettingsError, ranges, validated
from illumination.exhibits import EXHIBITS
from themes import DEFAULT_THEME
from themes.schema import check_range, read_toml, show

DEFAULT_PLAYLIST = Path(__file__).resolve().parent / "playlists" / "default.toml"
SEED_WORDS = ("next", "random")
FIRST_NEXT_SEED = 42          # what "next" means for the very first item
MAX_SEED = 2**32 - 1

# top-level key -> (low, high, low_exclusive) for the numbers
TOP_NUMBERS = {
    "crossfade_seconds": (0.0, 60.0, False),
    "hold_seconds": (0.0, 600.0, False),
    "idle_timeout_seconds": (1.0, 600.0, False),
    "max_item_seconds": (10.0, 86400.0, False),
    "draw_seconds": (5.0, 600.0, False),     # the visitor's pad closes after this long without a touch
    "render_scale": (0.25, 1.0, False),      # draw at this share of the screen's size; SDL scales it up
    "volume": (0.0, 1.0, False),             # the sound's master volume
}
TEACH_LIMIT_RANGE = (1, 64)   # taught shapes a Network item keeps at once (key teach_limit); the oldest leaves
FPS_RANGE = (10, 60)          # the window's frame-rate cap (key fps, flag --fps; closed hours run at 5); from 10 up
                              # the real clock's 0.1 s clamp never bites, so training keeps to real time
DEFAULT_FPS = 60
TOP_KEYS = {"item", "interactive", "random_seed", "schedule", "fps", "draw", "teach_limit", "sound", *TOP_NUMBERS}
ITEM_KEYS = {"exhibit", "seed", "theme", "settings", "seconds", "until"}   # + each exhibit's count unit
_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class PlaylistError(SettingsError):
    """A playlist could not be used; `.problems` lists every problem, one line each."""

    def __init__(self, problems: list[str], source: str = ""):
        super().__init__(problems)
        self.source = source


@dataclass(frozen=True)
class Schedule:
    on: time
    off: time

    def is_open(self, when: datetime) -> bool:
        now = when.time()
        if self.on < self.off:
            return self.on <= now < self.off
        return now >= self.on or now < self.off       # open across midnight, e.g. 18:00 → 02:00


@dataclass(frozen=True)
class Item:
    index: int
    exhibit: str
    seed: int | str                 # an int, "next" or "random"
    theme_name: str
    settings: object                # the exhibit's validated settings; its count / converge settings follow the duration
    count: int | None = None        # run for this many of the exhibit's count unit (epochs …)
    seconds: float | None = None
    until: str | None = None        # "converged"
    theme: object = None            # the loaded Theme (filled in by load_themes)
    count_unit: str = ""
    floor: int | None = None        # until converged, but no sooner than this many of the count unit (min_epochs)

    @property
    def label(self) -> str:
        return f"item[{self.index}]"

    def describe(self) -> str:
        duration = (f"{self.count} {self.count_unit}" if self.count is not None else
                    f"{self.seconds:g} s" if self.seconds is not None else
                    f"until converged, at least {self.floor} {self.count_unit}" if self.floor else "until converged")
        return f"{self.label} {self.exhibit} seed={self.seed} theme={self.theme_name} ({duration})"


@dataclass(frozen=True)
class Playlist:
    items: tuple[Item, ...]
    interactive: bool = True
    crossfade_seconds: float = 2.0
    hold_seconds: float = 8.0
    idle_timeout_seconds: float = 20.0
    max_item_seconds: float = 1800.0     # watchdog: no item runs longer than this, whatever it asked for
    random_seed: int | None = None
    schedule: Schedule | None = None
    source: str = "built-in default"
    fps: int = DEFAULT_FPS               # the window's frame-rate cap (the soak's fixed clock ignores it)
    draw: bool = False                   # interactive too: a touch on a Network item opens the visitor's pad
    draw_seconds: float = 30.0           # the pad closes after this long without a touch
    teach_limit: int = 8                 # taught shapes kept at once per item
    render_scale: float = 1.0            # the window draws at this share of the screen's size (SDL scales it up)
    sound: bool = False                  # the window plays the exhibits' sound (not in closed hours)
    volume: float = 0.6                  # its master volume


@dataclass(frozen=True)
class PlaylistReport:
    """What will run, and what was wrong with what was asked for."""
    playlist: Playlist
    problems: tuple[str, ...] = ()       # the requested playlist was rejected for these (default runs)
    warnings: tuple[str, ...] = ()       # kept the playlist, but replaced something (a theme)
    requested: str = ""

    @property
    def fell_back(self) -> bool:
        return bool(self.problems)


def _number(path: str, value, low: float, high: float, problems: list[str], low_exclusive=False,
            whole=False) -> float | int | None:
    value, problem = check_range(path, value, low, high, whole_number=whole, low_exclusive=low_exclusive)
    if problem:
        problems.append(problem)
        return None
    return value


def _clock_time(path: str, value, problems: list[str]) -> time | None:
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if not match:
        problems.append(f'{path}: must be a time like "09:00", got {value!r}')
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _schedule(table, problems: list[str]) -> Schedule | None:
    if not isinstance(table, dict):
        problems.append(f"schedule: must be a table with on and off, got {table!r}")
        return None
    for key in sorted(set(table) - {"on", "off"}):
        problems.append(f"schedule.{key}: unknown key (known keys: off, on)")
    times = {}
    for key in ("on", "off"):
        if key not in table:
            problems.append(f'schedule.{key}: missing (e.g. {key} = "{"09:00" if key == "on" else "18:00"}")')
        else:
            times[key] = _clock_time(f"schedule.{key}", table[key], problems)
    if times.get("on") is not None and times.get("on") == times.get("off"):
        problems.append("schedule: on and off must differ (leave [schedule] out to stay open all day)")
    if None in times.values() or len(times) < 2:
        return None
    return Schedule(times["on"], times["off"])


def _item(index: int, table, exhibits, problems: list[str]) -> Item | None:
    path = f"item[{index}]"
    if not isinstance(table, dict):
        problems.append(f"{path}: must be a table ([[item]]), got {table!r}")
        return None
    before = len(problems)
    exhibit = table.get("exhibit")
    if exhibit is None:
        problems.append(f"{path}.exhibit: missing (one of: {', '.join(sorted(exhibits))})")
    elif exhibit not in exhibits:
        problems.append(f"{path}.exhibit: must be one of {', '.join(sorted(exhibits))}, got {exhibit!r}")
    spec = exhibits.get(exhibit) if isinstance(exhibit, str) else None
    unit = spec.count_unit if spec is not None else ""
    # An exhibit's duration keys belong to the item, not to its settings: the item says how long it plays.
    durations = (spec.count_setting, spec.converge_setting) if spec is not None else ()
    owned = {"seed": "seed", **{k: f"{unit or 'count'} / until" for k in durations if k}}
    units = {unit} if spec is not None else {e.count_unit for e in exhibits.values()}
    floors = {f"min_{u}" for u in units if u} if spec is None else \
        ({f"min_{unit}"} if unit and spec.count_setting and spec.converge_setting else set())
    known = ITEM_KEYS | {u for u in units if u} | floors
    for key in sorted(set(table) - known):
        problems.append(f"{path}.{key}: unknown key (known keys: {', '.join(sorted(known))})")
    seed = table.get("seed", "next")
    if isinstance(seed, str):
        if seed not in SEED_WORDS:
            problems.append(f'{path}.seed: must be a whole number, "next" or "random", got {show(seed)}')
    else:
        seed = _number(f"{path}.seed", seed, 0, MAX_SEED, problems, whole=True)
    raw = table.get("settings", {})
    if not isinstance(raw, dict):
        problems.append(f"{path}.settings: must be a table of scene-file keys, got {raw!r}")
        raw = {}
    for key, owner in owned.items():
        if key in raw:
            problems.append(f"{path}.settings.{key}: set it with the item's {owner} instead")
    theme = table.get("theme", raw.get("theme", DEFAULT_THEME))
    if "theme" in table and "theme" in raw:
        problems.append(f"{path}.settings.theme: give the theme once, as {path}.theme")
    if not isinstance(theme, str) or not theme:
        problems.append(f"{path}.theme: must be a theme name or a path to a theme .toml, got {theme!r}")
    kinds = [k for k in (*sorted(known - ITEM_KEYS - floors), "seconds", "until") if k in table]
    if len(kinds) != 1:
        count_text = f"{unit} = N, " if unit else ""
        problems.append(f'{path}: needs exactly one duration: {count_text}seconds = S or until = "converged"'
                        + (f" (got {', '.join(kinds)})" if kinds else ""))
    count = seconds = until = None
    if unit and unit in table:
        high = ranges(spec.settings)[spec.count_setting][2] if spec.count_setting else 10**9
        count = _number(f"{path}.{unit}", table[unit], 1, high, problems, whole=True)
    if "seconds" in table:
        seconds = _number(f"{path}.seconds", table["seconds"], 0, 86400, problems, low_exclusive=True)
    if "until" in table:
        until = table["until"]
        if until != "converged":
            problems.append(f'{path}.until: must be "converged", got {show(until)}')
    floor = _floor(path, table, unit, until, spec, problems) if spec is not None and f"min_{unit}" in table else None
    if spec is None:
        return None
    values = {**dict(spec.kiosk_settings), **{k: v for k, v in raw.items() if k not in owned and k != "theme"}}
    if count is not None and spec.count_setting:
        values[spec.count_setting] = count
    if until == "converged" and spec.converge_setting:
        values[spec.converge_setting] = True
    try:
        settings = validated(spec.settings, {**dataclasses.asdict(spec.settings()), **values,
                                             "theme": theme if isinstance(theme, str) and theme else DEFAULT_THEME},
                             given=set(values))
    except SettingsError as error:
        problems.extend(f"{path}.settings.{p}" for p in error.problems)
        settings = None
    if len(problems) > before:
        return None
    return Item(index, exhibit, seed, theme, settings, count, seconds, until, count_unit=unit, floor=floor)


def _floor(path: str, table: dict, unit: str, until, spec, problems: list[str]) -> int | None:
    """min_<unit>: only under until = "converged", and within the exhibit's count default (which caps the run)."""
    key = f"min_{unit}"
    if until != "converged":
        problems.append(f'{path}.{key}: only with until = "converged" (a floor under the early stop)')
        return None
    cap = getattr(spec.settings(), spec.count_setting)
    return _number(f"{path}.{key}", table[key], 1, cap, problems, whole=True)


def parse_playlist(data: dict, source: str = "<memory>", exhibits=None) -> Playlist:
    """A validated Playlist from parsed TOML, or PlaylistError listing every problem."""
    if exhibits is None:
        exhibits = EXHIBITS
    problems: list[str] = []
    for key in sorted(set(data) - TOP_KEYS):
        problems.append(f"{key}: unknown key (known keys: {', '.join(sorted(TOP_KEYS))})")
    options: dict = {"source": source}
    interactive = data.get("interactive", True)
    if not isinstance(interactive, bool):
        problems.append(f"interactive: must be true or false, got {interactive!r}")
    options["interactive"] = interactive
    draw = data.get("draw", False)
    if not isinstance(draw, bool):
        problems.append(f"draw: must be true or false, got {draw!r}")
    elif draw and not interactive:
        problems.append("draw: needs interactive = true (drawing is a visitor's touch)")
    options["draw"] = draw
    sound = data.get("sound", False)
    if not isinstance(sound, bool):
        problems.append(f"sound: must be true or false, got {sound!r}")
    options["sound"] = sound
    if "volume" in data and sound is False:
        problems.append("volume: needs sound = true (a silent kiosk has no volume)")
    if "teach_limit" in data:
        options["teach_limit"] = _number("teach_limit", data["teach_limit"], *TEACH_LIMIT_RANGE, problems, whole=True)
    for key, (low, high, exclusive) in TOP_NUMBERS.items():
        if key in data:
            options[key] = _number(key, data[key], low, high, problems, low_exclusive=exclusive)
    if "random_seed" in data:
        options["random_seed"] = _number("random_seed", data["random_seed"], 0, MAX_SEED, problems, whole=True)
    if "fps" in data:
        options["fps"] = _number("fps", data["fps"], *FPS_RANGE, problems, whole=True)
    if "schedule" in data:
        options["schedule"] = _schedule(data["schedule"], problems)
    tables = data.get("item")
    if not isinstance(tables, list) or not tables:
        problems.append('item: the playlist needs at least one [[item]] (with exhibit and a duration)')
        tables = tables if isinstance(tables, list) else []
    items = [_item(i, table, exhibits, problems) for i, table in enumerate(tables)]
    if problems:
        raise PlaylistError(problems, source)
    return Playlist(items=tuple(items), **options)


def read_playlist(path: str | os.PathLike, exhibits=None) -> Playlist:
    path = Path(path)
    try:
        data = read_toml(path, "playlist", PlaylistError)
    except PlaylistError as error:      # the message names the file once; `source` says which file it was
        error.source = str(path)
        raise
    return parse_playlist(data, str(path), exhibits)


def load_themes(playlist: Playlist) -> tuple[Playlist, list[str]]:
    """Load each item's theme (once per name); an unloadable theme becomes the default theme, with a warning."""
    from themes import ThemeError, load_theme
    loaded, warnings, items = {}, [], []
    for item in playlist.items:
        name = item.theme_name
        if name not in loaded:
            try:
                loaded[name] = (load_theme(name), None)
            except ThemeError as error:
                loaded[name] = (None, error.problems)
        theme, trouble = loaded[name]
        if theme is None:
            warnings.extend(f"{item.label}.theme: {p}" for p in trouble)
            warnings.append(f"{item.label}.theme: using the default theme {DEFAULT_THEME!r} instead")
            if DEFAULT_THEME not in loaded:
                loaded[DEFAULT_THEME] = (load_theme(DEFAULT_THEME), None)
            theme = loaded[DEFAULT_THEME][0]
            item = dataclasses.replace(item, theme_name=DEFAULT_THEME,
                                       settings=dataclasses.replace(item.settings, theme=DEFAULT_THEME))
        items.append(dataclasses.replace(item, theme=theme))
    return dataclasses.replace(playlist, items=tuple(items)), warnings


def default_playlist() -> Playlist:
    playlist, warnings = load_themes(read_playlist(DEFAULT_PLAYLIST))
    assert not warnings, warnings
    return playlist


def resolve_playlist(path: str | os.PathLike | None, exhibits=None) -> PlaylistReport:
    """The playlist to run: the requested one if it is valid, else the built-in default (with the reasons)."""
    if path is None:
        return PlaylistReport(default_playlist(), requested="built-in default")
    try:
        playlist, warnings = load_themes(read_playlist(path, exhibits))
    except PlaylistError as error:
        return PlaylistReport(default_playlist(), tuple(error.problems), (), str(path))
    return PlaylistReport(playlist, (), tuple(warnings), str(path))


class SeedPlan:
    """Turns "next" and "random" into seeds. "random" comes from one kiosk-level SeedSequence, so a soak
    (or a gallery that sets random_seed) replays the same seeds; nothing is ever seeded globally."""

    def __init__(self, random_seed: int | None = None):
        self.sequence = np.random.SeedSequence(random_seed)
        self._rng = np.random.Generator(np.random.PCG64(self.sequence))
        self.last: int | None = None

    @property
    def entropy(self) -> int:
        return int(self.sequence.entropy)

    def resolve(self, spec: int | str) -> int:
        if spec == "random":
            seed = int(self._rng.integers(0, MAX_SEED, endpoint=True))
        elif spec == "next":
            seed = FIRST_NEXT_SEED if self.last is None else (self.last + 1) % (MAX_SEED + 1)
        else:
            seed = int(spec)
        self.last = seed
        return seed
