"""Desktop controls an exhibit offers: sliders (a settings key, its friendly range, how a position maps to it),
toggles with their keys, and an optional input pad. The desktop mode turns these into widgets.

Pure Python (no pygame), so the mapping is tested without a window. A slider holds an integer position;
`value_at(position)` is the setting it stands for. Linear sliders step evenly (batch size 4, 8 … 32);
logarithmic ones walk a ladder of round numbers (… 0.01, 0.012, 0.015 … 0.05 …), so every value a
person can pick reads cleanly and is written to a scene file exactly as shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable


# Round mantissas for logarithmic sliders: one decade has 21 rungs, about 12% apart.
MANTISSAS = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2.0, 2.2, 2.5, 2.8, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0)
SEED_MAX = 2**32 - 1


def log_ladder(low: float, high: float) -> tuple[float, ...]:
    rungs = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in MANTISSAS:
            value = round(mantissa * 10.0 ** exponent, 12)
            if low - 1e-12 <= value <= high + 1e-12:
                rungs.append(value)
    return tuple(rungs)


@dataclass(frozen=True)
class SliderSpec:
    key: str                  # the Settings field it edits
    label: str                # what a person reads
    low: float
    high: float
    step: float = 0.0         # linear step; 0 for a logarithmic slider
    unit: str = ""
    resets: bool = False      # changing it restarts the run (applied when the slider is let go)
    percent: bool = False     # shown as a percentage
    integer: bool = False     # the setting is a whole number
    detail: Callable | None = field(default=None, compare=False)  # (settings, value) -> extra caption text
    ladder: tuple = field(default=(), compare=False)

    def __post_init__(self):
        if self.step <= 0:
            ladder = log_ladder(self.low, self.high)
            if self.integer:  # whole numbers: 1, 2, 3 … 10, 11, 12, 13 … 1,000, 1,100 … without repeats
                ladder = tuple(sorted({int(round(v)) for v in ladder}))
            object.__setattr__(self, "ladder", ladder)

    @property
    def logarithmic(self) -> bool:
        return self.step <= 0

    @property
    def is_int(self) -> bool:
        return self.integer

    @property
    def positions(self) -> int:
        """The slider's range is 0 … positions."""
        if self.logarithmic:
            return len(self.ladder) - 1
        return int(round((self.high - self.low) / self.step))

    def value_at(self, position: int):
        position = min(max(int(position), 0), self.positions)
        if self.logarithmic:
            return self.ladder[position]
        value = self.low + position * self.step
        if self.is_int:
            return int(round(value))
        decimals = max(0, -math.floor(math.log10(self.step)) + 1)
        return round(value, decimals)

    def position_of(self, value) -> int:
        """The nearest position (values outside the slider's range sit at its ends)."""
        value = float(value)
        if self.logarithmic:
            target = math.log(max(value, 1e-300))
            return min(range(len(self.ladder)), key=lambda k: abs(math.log(self.ladder[k]) - target))
        return min(max(int(round((value - self.low) / self.step)), 0), self.positions)

    def nudge(self, value, steps: int):
        """The value `steps` positions away (the keyboard's − / +)."""
        return self.value_at(self.position_of(value) + steps)

    def text(self, value) -> str:
        if self.percent:
            return f"{float(value) * 100:.0f}%"
        if self.is_int:
            shown = f"{int(value)}"
        else:
            shown = f"{float(value):.3g}"
        return f"{shown} {self.unit}".strip()


@dataclass(frozen=True)
class Choice:
    """A menu of a setting's values (a surface, an optimizer, a view)."""
    key: str                  # the Settings field it edits
    label: str
    options: tuple            # the values, as the settings hold them
    names: tuple = ()         # what a person reads for each option (default: the values themselves)
    #: (settings, chosen value) -> {key: value}: settings that go with a choice (a noise mode's usual magnitude)
    companions: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "names", tuple(self.names))

    def name_of(self, value) -> str:
        names = self.names or self.options
        return str(names[self.options.index(value)]) if value in self.options else str(value)

    def value_of(self, name: str):
        names = tuple(map(str, self.names or self.options))
        return self.options[names.index(name)]


@dataclass(frozen=True)
class Toggle:
    key: str                  # a bool setting
    label: str
    shortcut: str = ""        # a letter on the keyboard, or ""
    action: str = ""          # the action name keys and buttons use (default: toggle_<key>)

    @property
    def action_name(self) -> str:
        return self.action or f"toggle_{self.key}"


@dataclass(frozen=True)
class Controls:
    """What the desktop panel offers for an exhibit."""
    pages: tuple = ()                  # ((page title, (SliderSpec or Choice, …), (Toggle key, …)), …) in order
    toggles: tuple = ()                # every Toggle, with its key; pages place them
    make_pad: Callable | None = None   # () -> an input pad (handle_event/render/image/empty/clear/version), or None
    pad_apply: Callable | None = None  # (scene, image or None): show the pad's picture (None: the pad is empty)
    pad_verdict: Callable | None = None  # (scene) -> (verdict, detail) about the picture, or None
    pad_teach: Callable | None = None    # (scene, label index, limit) -> (scene-file entry or None, message)
    pad_labels: tuple = ()               # the Teach buttons' words, one per label index (two at most)
    pad_seen: Callable | None = None     # (scene) -> (64,) the picture as the exhibit sees it (normalised), or None
    pad_taught: Callable | None = None   # (scene) -> [(label, (64,) image, confidence or None)], oldest first
    pad_title: str = ""
    pad_hint: str = ""

    @property
    def sliders(self) -> tuple:
        return tuple(spec for _, specs, _ in self.pages for spec in specs if isinstance(spec, SliderSpec))

    @property
    def choices(self) -> tuple:
        return tuple(spec for _, specs, _ in self.pages for spec in specs if isinstance(spec, Choice))

    def slider(self, key: str):
        return next((spec for spec in self.sliders if spec.key == key), None)

    def toggle(self, key: str):
        return next((t for t in self.toggles if t.key == key), None)


def parse_seed(text: str) -> int:
    """A typed seed, or ValueError with a message fit to show as is."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(f"Seed must be a whole number from 0 to {SEED_MAX}, got {text.strip()!r}; "
                         "the seed was not changed.")
    value = int(cleaned)
    if value > SEED_MAX:
        raise ValueError(f"Seed {value} is too large (the largest is {SEED_MAX}); the seed was not changed.")
    return value
