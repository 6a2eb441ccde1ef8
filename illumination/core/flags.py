"""Flag text → setting values: how a command line's words become what a settings field holds.

A settings field that a flag sets may name its parser (`parse=` in its metadata, themes/schema.py); the parsers
here are the common ones, and `parser_of` gives a field without one the parser of its kind. A parser takes the
text as typed and returns the value, or raises ValueError in the user's words ("learning rate must be a finite
number > 0, got '0'"); the command line shows that line as it is. Parsers are frozen records, so two exhibits
that read a shared flag the same way compare equal.

`WrongKind` is the one exception with a meaning of its own: the text is not this field's kind of value at all
(a number where the network's noise spec goes). A flag several exhibits declare may be meant for another of
them, so the command line reports it only once it knows which exhibit the run is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable


class WrongKind(ValueError):
    """The text is another kind of value than the field takes (the message says which kind it takes)."""


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class WholeText:
    """A whole number of at least `low` (and at most `high`, if given)."""
    name: str
    low: int | None = None
    high: int | None = None

    def __call__(self, text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise ValueError(f"{self.name} must be a whole number, got {text!r}") from None
        if self.low is not None and value < self.low:
            raise ValueError(f"{self.name} must be >= {self.low}, got {value}")
        if self.high is not None and value > self.high:
            raise ValueError(f"{self.name} must be from {self.low or 0:,} to {self.high:,}, got {value}")
        return value


@dataclass(frozen=True)
class NumberText:
    """A finite number > 0 (or >= 0 with zero_ok)."""
    name: str
    zero_ok: bool = False

    def __call__(self, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{self.name} must be a number, got {text!r}") from None
        if not (math.isfinite(value) and (value >= 0 if self.zero_ok else value > 0)):
            raise ValueError(f"{self.name} must be a finite number {'>=' if self.zero_ok else '>'} 0, got {text!r}")
        return value


@dataclass(frozen=True)
class HiddenText:
    """16 (one hidden layer of 16) or 16,16 (two, the original page's network) → (size, layers)."""

    def __call__(self, text: str) -> tuple[int, int]:
        parts = [part.strip() for part in text.split(",")]
        if len(parts) > 2:
            raise ValueError(f"--hidden takes one or two layers (16 or 16,16), got {text!r}")
        sizes = [WholeText("hidden size", 1)(part) for part in parts]
        if len(set(sizes)) > 1:
            raise ValueError(f"both hidden layers have one size, as on the original page (16,16), got {text!r}")
        return sizes[0], len(sizes)


def as_text(text: str) -> str:
    """Names (a theme, a view, a schedule): the text as typed; the validator checks it with the rest."""
    return text


def words(flag: str) -> str:
    """How a message names a flag's value: --batch-size → "batch size"."""
    return flag.lstrip("-").replace("-", " ")


def parser_of(field) -> Callable[[str], Any]:
    """The parser a flag uses for this field: its own (`parse=`), else its kind's. A whole number keeps the
    field's lower bound (the upper is the validator's, which names the flag); a number is > 0, or >= 0 where the
    field allows 0."""
    meta = field.metadata
    if "parse" in meta:
        return meta["parse"]
    if meta["kind"] == "whole":
        return WholeText(words(meta["flag"]), meta["low"])
    if meta["kind"] == "number":
        return NumberText(words(meta["flag"]), zero_ok=meta["low"] <= 0 and not meta["low_exclusive"])
    return as_text


def spread(field, value) -> dict[str, Any]:
    """The settings keys a flag's value sets: its field's, or several by the field's `into` (--hidden 16,16)."""
    into = field.metadata.get("into")
    return into(value) if into is not None else {field.name: value}
