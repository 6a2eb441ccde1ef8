"""The one validator for every strict TOML file the project reads: themes, scene files and kiosk playlists.

A schema is a frozen dataclass whose fields carry metadata made by the helpers below (`colour()`,
`number(low, high)`, `whole(low, high)`, `flag()`, `text()`, `choice(...)`). `check_value` checks one value
against one field; `check_table` checks a whole table against a dataclass, collecting *every* problem with
its dotted path (`theme.neuron.glow: expected a colour like "#rrggbb", got "blue"`) instead of stopping at the
first, so a curator fixes a file in one pass. Unknown keys are problems too: a typo is never silently ignored.

It lives here, at the bottom of the house beside the themes that need it, because themes must not import
the app; the app's settings and playlists use it from here. Pure Python, no pygame.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

_COLOUR_RE = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


class Problems(ValueError):
    """Input that cannot be used. `.problems` has one line per problem; `.source` names the file (or "")."""

    def __init__(self, problems: list[str] | str, source: str = ""):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__("\n".join(head + p for p in self.problems))


MAX_FILE_BYTES = 1 << 20   # themes, scenes and playlists are a few kB: anything over 1 MB is not one


def read_toml(path, kind: str, error: type = Problems) -> dict:
    """A small TOML file's table, or `error` with one line: missing, not a regular file (a device, a FIFO, a
    directory: never opened, so /dev/zero cannot fill the memory and a FIFO cannot hang), over MAX_FILE_BYTES,
    not UTF-8, or not TOML. `kind` names the file for the message ("theme", "scene", "playlist")."""
    import os
    import stat
    import tomllib
    path = os.fspath(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise error([f"{path} is not a regular file (a {kind} file is a small TOML file)"])
        if info.st_size > MAX_FILE_BYTES:
            raise error([f"{path} is {info.st_size:,} bytes; a {kind} file is at most 1 MB"])
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)      # a file growing meanwhile is still capped
    except FileNotFoundError:
        raise error([f"{kind} file not found: {path}"]) from None
    except OSError as exc:
        raise error([f"cannot read {kind} file {path}: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error([f"{path} is over 1 MB; a {kind} file is at most 1 MB"])
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error([f"{path}: not a text file ({kind} files are UTF-8 TOML)"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise error([f"{path}: TOML syntax error: {exc}"]) from None



# -- field kinds (dataclass field metadata) --------------------------------------------------------------

def colour(**kw) -> Any:
    return dataclasses.field(metadata={"kind": "colour"}, **kw)


def number(low: float, high: float, *, low_exclusive: bool = False, **kw) -> Any:
    return dataclasses.field(metadata={"kind": "number", "low": low, "high": high, "low_exclusive": low_exclusive},
                             **kw)


def whole(low: int, high: int, **kw) -> Any:
    return dataclasses.field(metadata={"kind": "whole", "low": low, "high": high, "low_exclusive": False}, **kw)


def flag(**kw) -> Any:
    return dataclasses.field(metadata={"kind": "flag"}, **kw)


def text(**kw) -> Any:
    return dataclasses.field(metadata={"kind": "text"}, **kw)


def choice(*options: str, **kw) -> Any:
    """One of the given strings; or, given one registry (a dict keyed by name), one of its names *at check time*,
    so an entry registered after this field was declared is accepted too."""
    live = len(options) == 1 and isinstance(options[0], dict)
    return dataclasses.field(metadata={"kind": "choice", "options": options[0] if live else tuple(options)}, **kw)


def show(value: Any) -> str:
    """A value the way the user wrote it in TOML, so a message quotes their own file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def parse_colour(value: str) -> tuple[int, int, int]:
    """"#rrggbb" or "#rgb" (any case) -> (r, g, b). Raises ValueError for anything else."""
    if not isinstance(value, str) or not _COLOUR_RE.fullmatch(value):
        raise ValueError(f"not a colour: {value!r}")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)  # CSS shorthand: "#abc" == "#aabbcc"
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def check_range(path: str, value: Any, low: float, high: float, *, whole_number: bool = False,
                low_exclusive: bool = False) -> tuple[Any, str | None]:
    """The one range check: (converted value, None) or (value, the problem as one line)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, f"{path}: must be a number, got {show(value)}"
    if whole_number and isinstance(value, float) and not value.is_integer():
        return value, f"{path}: must be a whole number, got {show(value)}"
    if not math.isfinite(value):
        return value, f"{path}: must be finite, got {show(value)}"
    if low_exclusive:
        if not low < value <= high:
            return value, f"{path}: must be greater than {plain(low)} and at most {plain(high)}, got {show(value)}"
    elif not low <= value <= high:
        return value, f"{path}: must be between {plain(low)} and {plain(high)}, got {show(value)}"
    return (int(value) if whole_number else float(value)), None


def plain(number: float) -> str:
    """A limit as people write it: whole numbers in full with thousands separators (1,000,000 and 4,294,967,295,
    never 1e+06), others in their shortest form (0.05, 1e-09)."""
    if float(number).is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:g}"


def check_value(path: str, meta: dict, value: Any) -> tuple[Any, str | None]:
    """(converted value, None) or (value, problem) for one value against one field's metadata."""
    kind = meta["kind"]
    if kind == "colour":
        try:
            return parse_colour(value), None
        except ValueError:
            return value, f'{path}: expected a colour like "#rrggbb", got {show(value)}'
    if kind in ("number", "whole"):
        return check_range(path, value, meta["low"], meta["high"], whole_number=kind == "whole",
                           low_exclusive=meta["low_exclusive"])
    if kind == "flag":
        return value, None if isinstance(value, bool) else f"{path}: must be true or false, got {show(value)}"
    if kind == "text":
        ok = isinstance(value, str) and value.strip()
        return value, None if ok else f"{path}: must be a non-empty string, got {show(value)}"
    if kind == "choice":
        if value in meta["options"]:
            return value, None
        return value, f"{path}: must be one of {', '.join(meta['options'])}, got {show(value)}"
    raise ValueError(f"unknown field kind {kind!r}")


def fields_of(cls: type) -> dict[str, dataclasses.Field]:
    """The validated fields of a schema dataclass (those with a kind), in declaration order."""
    return {f.name: f for f in dataclasses.fields(cls) if "kind" in f.metadata}


def check_table(path: str, cls: type, table: Any, problems: list[str], *, required: bool = True) -> dict | None:
    """Check a table against a schema dataclass, appending every problem (dotted path first) to `problems`.

    required=True: every field must be present (themes). False: absent fields keep their defaults (settings).
    Returns the converted values by key, or None if the table has any problem.
    """
    if not isinstance(table, dict):
        problems.append(f"{path}: expected a table like [{path.split('.')[-1]}], got {show(table)}")
        return None
    prefix = f"{path}." if path else ""
    before = len(problems)
    fields = fields_of(cls)
    values = {}
    for name, f in fields.items():  # schema order, so problems read top to bottom like the file
        if name not in table:
            if required:
                problems.append(f"{prefix}{name}: missing")
            continue
        values[name], problem = check_value(f"{prefix}{name}", f.metadata, table[name])
        if problem:
            problems.append(problem)
    problems += [f"{prefix}{key}: unknown key (known keys: {', '.join(sorted(fields))})"
                 for key in table if key not in fields]
    return None if len(problems) > before else values
