"""The one validator for every strict TOML file the project reads: themes, scene files and kiosk playlists.

A schema is a frozen dataclass whose fields carry metadata made by the helpers below (`colour()`,
`number(low, high)`, `whole(low, high)`, `flag()`, `text()`, `choice(...)`). `check_value` checks one value
against one field; `check_table` checks a whole table against a dataclass, collecting *every* problem with
its dotted path (`theme.neuron.glow: expected a colour like "#rrggbb", got "blue"`) instead of stopping at the
first, so a curator fixes a file in one pass. Unknown keys are problems too: a typo is never silently ignored.
A problem is a `Problem`: the key it concerns and what is wrong, kept apart, so nobody parses the line back.

A field a command line can set also says how (the CLI builds its flags from these; the validator ignores them):
`flag` its name ("--lr"), `help` a phrase for --help (or a callable returning one, called when the help is
built, for names read from a registry), `parse` text → value (raising ValueError in the user's words; without
it the CLI reads the text by the field's kind), `into` value → {key: value} for a flag that sets several keys
(--hidden 16,16), and `view=True` for how a run is drawn rather than what it computes (headless commands leave
those out).

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


class Problem(str):
    """One thing wrong with some input: `key`, the dotted path of the value it concerns ("learning_rate",
    "theme.neuron.glow"; "" for the input as a whole), `message`, what is wrong in the user's words, and `source`,
    the file the value came from ("" when it did not come from a file).

    It reads as the line people see, "key: message" (the file is named by whoever prints it), so code that shows
    or joins problems needs nothing more; code that needs the key reads `.key`, never the text."""

    def __new__(cls, key: str, message: str, source: str = ""):
        line = super().__new__(cls, f"{key}: {message}" if key else message)
        line.key, line.message, line.source = key, message, source
        return line

    def __getnewargs__(self):   # pickled (a sweep's worker process) as its parts, not as its line
        return self.key, self.message, self.source

    def __repr__(self) -> str:
        return f"Problem({self.key!r}, {self.message!r}" + (f", {self.source!r})" if self.source else ")")


class Problems(ValueError):
    """Input that cannot be used. `.problems` lists each `Problem`; `.source` names the file (or ""); a `header`
    (a theme's "FILE: 3 problems in theme:") stands over the problems, which are then indented under it.

    A plain string given as a problem is a problem of the input as a whole (its key is "")."""

    header: str | None = None

    def __init__(self, problems: list[Problem | str] | str, source: str = "", header: str | None = None):
        given = [problems] if isinstance(problems, str) else list(problems)
        self.problems = [_from(source, p) for p in given]
        self.source = source
        if header is not None:
            self.header = header
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """What a person reads, one line each: every problem after the file it came from, or under the header."""
        if self.header:
            return [self.header, *(f"  {p}" for p in self.problems)]
        return [f"{p.source}: {p}" if p.source else str(p) for p in self.problems]


def _from(source: str, problem: Problem | str) -> Problem:
    """The problem, said to come from `source` unless it names its own."""
    if not isinstance(problem, Problem):
        return Problem("", problem, source)
    return problem if problem.source or not source else Problem(problem.key, problem.message, source)


MAX_FILE_BYTES = 1 << 20   # themes, scenes and playlists are a few kB: anything over 1 MB is not one
# Themes, scenes and playlists nest 3 or 4 levels. Python's TOML parser recurses once per level of [ and { (a few
# thousand levels: RecursionError), and a dotted key costs it time and memory quadratic in its parts (50,000
# parts: 12 s, 3.9 GB): both are refused by a scan of the text before it is parsed.
MAX_TOML_DEPTH = 32        # arrays and inline tables open at once
MAX_KEY_PARTS = 32         # parts of one dotted key or table header (a.b.c is 3)

# One token of TOML's surface: comments and strings are skipped whole (their brackets and dots are text), brackets
# change the depth, a dot joins key parts, bare words and blanks keep a dotted run going; anything else ends it.
_TOML_TOKEN = re.compile(r"""
      (?P<skip>\#[^\n]*
         | \"\"\"(?:[^"\\]|\\.?|"(?!""))*(?:\"\"\""{0,2}|\Z)
         | '''(?:[^']|'(?!''))*(?:''''{0,2}|\Z)
         | "(?:[^"\\\n]|\\.?)*(?:"|(?=\n)|\Z)
         | '[^'\n]*(?:'|(?=\n)|\Z))
    | (?P<open>[\[{])
    | (?P<close>[\]}])
    | (?P<dot>\.)
    | (?P<word>[A-Za-z0-9_+:\-]+|[ \t]+)
    | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def toml_shape_problem(text: str) -> str | None:
    """What makes this TOML text too deep to parse safely (nesting over MAX_TOML_DEPTH, a dotted key of more than
    MAX_KEY_PARTS parts), with its line; None if it is fine. Linear in the text; a float (1.5) or a date's
    fraction is one dot, never a long run, so valid small files always pass."""
    depth = dots = 0
    for token in _TOML_TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            dots = 0
            if depth > MAX_TOML_DEPTH:
                return (f"nested more than {MAX_TOML_DEPTH} levels deep (line "
                        f"{text.count(chr(10), 0, token.start()) + 1})")
        elif kind == "close":
            depth = max(0, depth - 1)
            dots = 0
        elif kind == "dot":
            dots += 1
            if dots >= MAX_KEY_PARTS:
                return (f"a dotted key of more than {MAX_KEY_PARTS} parts (line "
                        f"{text.count(chr(10), 0, token.start()) + 1})")
        elif kind == "other" or kind == "skip" and token.group().startswith("#"):
            dots = 0
    return None


def read_toml(path, kind: str, error: type = Problems) -> dict:
    """A small TOML file's table, or `error` with one line: missing, not a regular file (a device, a FIFO, a
    directory: never opened, so /dev/zero cannot fill the memory and a FIFO cannot hang), over MAX_FILE_BYTES,
    not UTF-8, nested deeper than MAX_TOML_DEPTH or with a dotted key of over MAX_KEY_PARTS parts (found by a
    scan before parsing), or not TOML. `kind` names the file for the message ("theme", "scene", "playlist")."""
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
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error([f"{path}: not a text file ({kind} files are UTF-8 TOML)"]) from None
    too_deep = toml_shape_problem(text)
    if too_deep:
        raise error([f"{path}: {too_deep}; a {kind} file is a few flat tables"])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error([f"{path}: TOML syntax error: {exc}"]) from None
    except RecursionError:      # the scan's limits keep this away; should the parser still recurse too far
        raise error([f"{path}: nested too deeply; a {kind} file is a few flat tables"]) from None



# -- field kinds (dataclass field metadata) --------------------------------------------------------------

# How a command line sets a field (see the module's docstring); passed to dataclasses.field as metadata.
CLI_METADATA = ("flag", "help", "parse", "into", "view")


def _field(meta: dict, kw: dict) -> Any:
    cli = {name: kw.pop(name) for name in CLI_METADATA if name in kw}
    return dataclasses.field(metadata={**meta, **cli}, **kw)


def colour(**kw) -> Any:
    return _field({"kind": "colour"}, kw)


def number(low: float, high: float, *, low_exclusive: bool = False, **kw) -> Any:
    return _field({"kind": "number", "low": low, "high": high, "low_exclusive": low_exclusive}, kw)


def whole(low: int, high: int, **kw) -> Any:
    return _field({"kind": "whole", "low": low, "high": high, "low_exclusive": False}, kw)


def flag(**kw) -> Any:
    return _field({"kind": "flag"}, kw)


def text(**kw) -> Any:
    return _field({"kind": "text"}, kw)


def choice(*options: str, **kw) -> Any:
    """One of the given strings; or, given one registry (a mapping keyed by name), one of its names *at check
    time*, so an entry registered after this field was declared is accepted too."""
    from collections.abc import Mapping
    live = len(options) == 1 and isinstance(options[0], Mapping)
    return _field({"kind": "choice", "options": options[0] if live else tuple(options)}, kw)


def parsed(convert, **kw) -> Any:
    """A structured value (a list, a table) that `convert(value)` checks and converts, raising ValueError with one
    line; `write(value)` (in kw) gives its TOML text for saved scenes."""
    write = kw.pop("write")
    return _field({"kind": "parsed", "convert": convert, "write": write}, kw)


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
                low_exclusive: bool = False) -> tuple[Any, Problem | None]:
    """The one range check: (converted value, None) or (value, the problem)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, Problem(path, f"must be a number, got {show(value)}")
    if whole_number and isinstance(value, float) and not value.is_integer():
        return value, Problem(path, f"must be a whole number, got {show(value)}")
    if not math.isfinite(value):
        return value, Problem(path, f"must be finite, got {show(value)}")
    if low_exclusive:
        if not low < value <= high:
            return value, Problem(path, f"must be greater than {plain(low)} and at most {plain(high)}, "
                                        f"got {show(value)}")
    elif not low <= value <= high:
        return value, Problem(path, f"must be between {plain(low)} and {plain(high)}, got {show(value)}")
    return (int(value) if whole_number else float(value)), None


def plain(number: float) -> str:
    """A limit as people write it: whole numbers in full with thousands separators (1,000,000 and 4,294,967,295,
    never 1e+06), others in their shortest form (0.05, 1e-09)."""
    if float(number).is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:g}"


def check_value(path: str, meta: dict, value: Any) -> tuple[Any, Problem | None]:
    """(converted value, None) or (value, problem) for one value against one field's metadata."""
    kind = meta["kind"]
    if kind == "colour":
        try:
            return parse_colour(value), None
        except ValueError:
            return value, Problem(path, f'expected a colour like "#rrggbb", got {show(value)}')
    if kind in ("number", "whole"):
        return check_range(path, value, meta["low"], meta["high"], whole_number=kind == "whole",
                           low_exclusive=meta["low_exclusive"])
    if kind == "flag":
        return value, None if isinstance(value, bool) else Problem(path, f"must be true or false, got {show(value)}")
    if kind == "text":
        ok = isinstance(value, str) and value.strip()
        return value, None if ok else Problem(path, f"must be a non-empty string, got {show(value)}")
    if kind == "parsed":
        try:
            return meta["convert"](value), None
        except ValueError as error:
            return value, Problem(path, str(error))
    if kind == "choice":
        if value in meta["options"]:
            return value, None
        return value, Problem(path, f"must be one of {', '.join(meta['options'])}, got {show(value)}")
    raise ValueError(f"unknown field kind {kind!r}")


def fields_of(cls: type) -> dict[str, dataclasses.Field]:
    """The validated fields of a schema dataclass (those with a kind), in declaration order."""
    return {f.name: f for f in dataclasses.fields(cls) if "kind" in f.metadata}


def check_table(path: str, cls: type, table: Any, problems: list[Problem], *, required: bool = True) -> dict | None:
    """Check a table against a schema dataclass, appending every problem (keyed by its dotted path) to `problems`.

    required=True: every field must be present (themes). False: absent fields keep their defaults (settings).
    Returns the converted values by key, or None if the table has any problem.
    """
    if not isinstance(table, dict):
        problems.append(Problem(path, f"expected a table like [{path.split('.')[-1]}], got {show(table)}"))
        return None
    prefix = f"{path}." if path else ""
    before = len(problems)
    fields = fields_of(cls)
    values = {}
    for name, f in fields.items():  # schema order, so problems read top to bottom like the file
        if name not in table:
            if required:
                problems.append(Problem(f"{prefix}{name}", "missing"))
            continue
        values[name], problem = check_value(f"{prefix}{name}", f.metadata, table[name])
        if problem:
            problems.append(problem)
    problems += [Problem(f"{prefix}{key}", f"unknown key (known keys: {', '.join(sorted(fields))})")
                 for key in table if key not in fields]
    return None if len(problems) > before else values
