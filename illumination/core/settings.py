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

from themes.schema import Problems, check_table, fields_of, read_toml

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
        for key, value in dataclasses.asdict(self).items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str):
                text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            else:
                text = repr(value)
            lines.append(f"{key} = {text}")
        return "\n".join(lines) + "\n"


def ranges(cls: type) -> dict[str, tuple[type, float | None, float | None]]:
    """key -> (python type, low, high) of a settings class: what controls and playlists build on."""
    kinds = {"whole": int, "number": float, "flag": bool, "text": str, "choice": str}
    return {name: (kinds[f.metadata["kind"]], f.metadata.get("low"), f.metadata.get("high"))
            for name, f in fields_of(cls).items()}


def validated(cls: type, values: dict, source: str = "", given=None):
    """An instance of the settings class `cls` from plain values, or SettingsError listing every problem. given:
    the keys a person set (the rest are defaults or carried over); a class's `complete(values, given)` may fill
    defaults that follow from them (a surface's own learning rate)."""
    problems: list[str] = []
    clean = check_table("", cls, values, problems, required=False)
    check = getattr(cls, "check_names", None)   # names that a registry knows (optimizers …), checked alongside
    if clean is not None and check is not None:
        problems += check(clean)
    elif check is not None:
        problems += check({k: v for k, v in values.items() if isinstance(v, str)})
    if problems:
        raise SettingsError(problems, source)
    complete = getattr(cls, "complete", None)
    if complete is not None and given is not None:
        clean = complete(clean, set(given))
    return cls(**clean)


def read_scene(path: str | os.PathLike) -> dict:
    """The raw key/values of a scene TOML file (validated later, together with any flags)."""
    return read_toml(Path(path), "scene", SettingsError)


def scene_exhibit(values: dict, source: str = "") -> str:
    """The exhibit a scene file's values name (the network's when it names none)."""
    name = values.get("exhibit", DEFAULT_EXHIBIT)
    if not isinstance(name, str) or not name:
        raise SettingsError([f"exhibit: must be an exhibit name, got {name!r}"], source)
    return name


def load_settings(cls: type, scene: str | os.PathLike | dict | None = None, overrides: dict | None = None):
    """Defaults ← scene file (a path, or its already-read values) ← overrides (flags; None values are ignored)."""
    values = dataclasses.asdict(cls())
    source = ""
    if scene is not None:
        from_file = dict(scene) if isinstance(scene, dict) else read_scene(scene)
        source = "" if isinstance(scene, dict) else str(scene)
        from_file.pop("exhibit", None)
        nested = [k for k, v in from_file.items() if isinstance(v, dict)]
        flat = {k: v for k, v in from_file.items() if not isinstance(v, dict)}
        problems = [f"{k}: scene files are flat; tables are not allowed" for k in nested]
        try:
            validated(cls, {**values, **flat})
        except SettingsError as error:
            problems += error.problems
        if problems:
            raise SettingsError(problems, source)
        values.update(flat)
    given = set(flat) if scene is not None else set()
    given |= {k for k, v in (overrides or {}).items() if v is not None}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return validated(cls, values, source, given=given)


def save_scene(settings, path: str | os.PathLike) -> Path:
    """Write the scene atomically (temp file + rename) so a crash never leaves half a file."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(settings.to_toml(), encoding="utf-8")
    os.replace(temporary, path)
    return path
