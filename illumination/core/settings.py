"""Settings every exhibit shares the shape of: code defaults ← scene file (TOML) ← command-line flags.

Each exhibit declares one frozen dataclass of its own settings (`exhibits/<name>/settings.py`), its fields
marked with the one validator's kinds (`themes.schema`), and mixes in `SettingsMixin`. Every field is a flat
scene-file key (a contract: scripts and saved scenes rely on the names). A scene file may name its exhibit
(`exhibit = "network"`); without one it is the network's, as scene files always were.
Validation reports every problem at once, each with its key, and never half-applies anything.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from themes.schema import Problem, Problems, check_table, fields_of, read_toml

DEFAULT_EXHIBIT = "network"
# Every exhibit draws in two compositions: explain (the window's annotated layout) and gallery (the wall's).
COMPOSITIONS = ("explain", "gallery")


class SettingsError(Problems):
    """Bad settings (or any user input the commands refuse); `.problems` lists each one."""


class SettingsMixin:
    """What every exhibit's settings dataclass can do. The dataclass must be frozen and have `seed` and `theme`."""

    #: the registry name of the exhibit these settings belong to (a class attribute, not a field)
    exhibit: str = ""

    def replace(self, **changes):
        """A validated copy with some values changed (raises SettingsError, leaving self untouched)."""
        return validated(type(self), {**dataclasses.asdict(self), **changes}, given=set(changes))

    def to_toml(self) -> str:
        lines = ["# Neural Illumination scene: load with --scene FILE or the Load scene button",
                 f'exhibit = "{self.exhibit}"']
        fields = fields_of(type(self))
        for key in (f.name for f in dataclasses.fields(self)):
            value = getattr(self, key)
            write = fields[key].metadata.get("write") if key in fields else None
            if write is not None:
                text = write(value)
            elif isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str):
                text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            else:
                text = repr(value)
            lines.append(f"{key} = {text}")
        return "\n".join(lines) + "\n"


def ranges(cls: type) -> dict[str, tuple[type, float | None, float | None]]:
    """key -> (python type, low, high) of a settings class: what controls and playlists build on."""
    kinds = {"whole": int, "number": float, "flag": bool, "text": str, "choice": str, "parsed": object}
    return {name: (kinds[f.metadata["kind"]], f.metadata.get("low"), f.metadata.get("high"))
            for name, f in fields_of(cls).items()}


def validated(cls: type, values: dict, source: str = "", given=None):
    """An instance of the settings class `cls` from plain values, or SettingsError listing every problem. given:
    the keys a person set (the rest are defaults or carried over); a class's `complete(values, given)` may fill
    defaults that follow from them (a surface's own learning rate)."""
    problems: list[Problem] = []
    clean = _checked(cls, {}, values, problems)
    if problems:
        raise SettingsError(problems, source)
    return _made(cls, clean, given)


def _checked(cls: type, base: dict, values: dict, problems: list[Problem], source: str = "") -> dict:
    """`values` (laid over the already checked `base`) checked once: each value against its field, then the
    class's checks across keys (`check_names`: names a registry knows, a noise mode's magnitude) on the table
    they make. Appends the problems, each said to come from `source`; returns the table."""
    found: list[Problem] = []
    clean = check_table("", cls, values, found, required=False)
    table = {**base, **(clean if clean is not None else values)}
    across = getattr(cls, "check_names", None)
    if across is not None:
        # With a bad value among them only the names are checked: a range check across keys would misread it.
        found += across(table if clean is not None else {k: v for k, v in table.items() if isinstance(v, str)})
    problems += [Problem(p.key, p.message, source) if isinstance(p, Problem) else Problem("", p, source)
                 for p in found]
    return table


def _made(cls: type, values: dict, given):
    complete = getattr(cls, "complete", None)
    if complete is not None and given is not None:
        values = complete(values, set(given))
    return cls(**values)


def read_scene(path: str | os.PathLike) -> dict:
    """The raw key/values of a scene TOML file (validated later, together with any flags)."""
    return read_toml(Path(path), "scene", SettingsError)


def scene_exhibit(values: dict, source: str = "") -> str:
    """The exhibit a scene file's values name (the network's when it names none)."""
    name = values.get("exhibit", DEFAULT_EXHIBIT)
    if not isinstance(name, str) or not name:
        raise SettingsError([Problem("exhibit", f"must be an exhibit name, got {name!r}")], source)
    return name


def load_settings(cls: type, scene: str | os.PathLike | dict | None = None, overrides: dict | None = None,
                  source: str = ""):
    """Defaults ← scene file (a path, or its already-read values: then `source` names the file) ← overrides
    (flags; None values are ignored).

    Each value is checked once, where it was given: the file's (a problem of one names the file, even when an
    override replaces the value) and the overrides' (problems without a source: the CLI names the flag).
    Checks across keys run on the scene as the file leaves it and, if overrides change it, on the result."""
    defaults = dataclasses.asdict(cls())
    problems: list[Problem] = []
    values, given = defaults, set()
    if scene is not None:
        from_file = dict(scene) if isinstance(scene, dict) else read_scene(scene)
        source = source if isinstance(scene, dict) else str(scene)
        from_file.pop("exhibit", None)
        problems += [Problem(k, "scene files are flat; tables are not allowed", source)
                     for k, v in from_file.items() if isinstance(v, dict)]
        flat = {k: v for k, v in from_file.items() if not isinstance(v, dict)}
        values = _checked(cls, defaults, flat, problems, source)
        given = set(flat)
    changes = {k: v for k, v in (overrides or {}).items() if v is not None}
    if changes and not problems:
        values = _checked(cls, values, changes, problems)
    elif changes:     # the file's problems come first; the overrides' own values are still checked
        check_table("", cls, changes, problems, required=False)
    if problems:
        raise SettingsError(problems)
    return _made(cls, values, given | set(changes))


def save_scene(settings, path: str | os.PathLike) -> Path:
    """Write the scene atomically (temp file + rename) so a crash never leaves half a file."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(settings.to_toml(), encoding="utf-8")
    os.replace(temporary, path)
    return path
