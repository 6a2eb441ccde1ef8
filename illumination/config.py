"""The one validated settings object: code defaults ← scene file (TOML) ← command-line flags.

Every key here is a flat scene-file key (a contract: scripts and saved scenes rely on the names).
Validation reports every problem at once, each with its key, and never half-applies anything.
"""
from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


class SettingsError(ValueError):
    """Bad settings; `.problems` lists each one, str() joins them one per line."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__("\n".join(head + p for p in self.problems))


@dataclass(frozen=True)
class Settings:
    seed: int = 42
    learning_rate: float = 0.05
    batch_size: int = 16
    speed: float = 3.0              # training epochs per second of (simulated) time
    max_epochs: int = 200
    samples: int = 240
    hidden_size: int = 16
    confidence_threshold: float = 0.80
    early_stop: bool = False
    glow: float = 1.5
    flow_speed: float = 1.5
    synapse_opacity: float = 0.4
    show_synapses: bool = True
    show_particles: bool = True
    show_math: bool = True
    theme: str = "midnight"
    optimizer: str = "sgd"

    def replace(self, **changes) -> "Settings":
        """A validated copy with some values changed (raises SettingsError, leaving self untouched)."""
        return validated({**dataclasses.asdict(self), **changes})

    def to_toml(self) -> str:
        lines = ["# Neural Illumination scene: load with --scene FILE or the Load scene button"]
        for key, value in dataclasses.asdict(self).items():
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, str):
                text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            else:
                text = repr(value)
            lines.append(f"{key} = {text}")
        return "\n".join(lines) + "\n"


# key -> (type, low, high): the ranges a person may set; the desktop sliders use narrower, friendlier ones.
RANGES: dict[str, tuple[type, float | None, float | None]] = {
    "seed": (int, 0, 2**32 - 1),
    "learning_rate": (float, 1e-9, 1e9),  # huge values are allowed on purpose: divergence is part of the show
    "batch_size": (int, 1, 1000),
    "speed": (float, 0.01, 100.0),
    "max_epochs": (int, 1, 1_000_000),
    "samples": (int, 10, 5000),
    "hidden_size": (int, 1, 256),
    "confidence_threshold": (float, 0.5, 1.0),
    "early_stop": (bool, None, None),
    "glow": (float, 0.1, 3.0),
    "flow_speed": (float, 0.1, 3.0),
    "synapse_opacity": (float, 0.0, 1.0),
    "show_synapses": (bool, None, None),
    "show_particles": (bool, None, None),
    "show_math": (bool, None, None),
    "theme": (str, None, None),
    "optimizer": (str, None, None),
}
assert set(RANGES) == {f.name for f in dataclasses.fields(Settings)}


def check_value(key: str, value) -> tuple[object, str | None]:
    """(converted value, problem or None) for one key."""
    kind, low, high = RANGES[key]
    if kind is bool:
        return (value, None) if isinstance(value, bool) else (value, f"{key}: must be true or false, got {value!r}")
    if kind is str:
        return (value, None) if isinstance(value, str) and value else (value, f"{key}: must be a non-empty string, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, f"{key}: must be a number, got {value!r}"
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            return value, f"{key}: must be a whole number, got {value!r}"
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            return value, f"{key}: must be finite, got {value!r}"
    if not low <= value <= high:
        return value, f"{key}: must be between {low:g} and {high:g}, got {value!r}"
    return value, None


def validated(values: dict, source: str = "") -> Settings:
    problems, clean = [], {}
    known = {f.name for f in dataclasses.fields(Settings)}
    for key, value in values.items():
        if key not in known:
            problems.append(f"{key}: unknown key (known keys: {', '.join(sorted(known))})")
            continue
        clean[key], problem = check_value(key, value)
        if problem:
            problems.append(problem)
    if isinstance(clean.get("optimizer"), str):
        from network.optim import OPTIMIZERS
        if clean["optimizer"] not in OPTIMIZERS:
            problems.append(f"optimizer: must be one of {', '.join(sorted(OPTIMIZERS))}, got {clean['optimizer']!r}")
    if problems:
        raise SettingsError(problems, source)
    return Settings(**clean)


def read_scene(path: str | os.PathLike) -> dict:
    """The raw key/values of a scene TOML file (validated later, together with any flags)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError([f"scene file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError([f"cannot read scene file {path}: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError([f"{path}: not valid TOML ({error})"]) from None


def load_settings(scene: str | os.PathLike | None = None, overrides: dict | None = None) -> Settings:
    """Defaults ← scene file ← overrides (flags given on the command line; None values are ignored)."""
    values = dataclasses.asdict(Settings())
    source = ""
    if scene is not None:
        from_file = read_scene(scene)
        nested = [k for k, v in from_file.items() if isinstance(v, dict)]
        if nested:
            raise SettingsError([f"{k}: scene files are flat; tables are not allowed" for k in nested], str(scene))
        try:
            validated({**values, **from_file})
        except SettingsError as error:
            raise SettingsError(error.problems, str(scene)) from None
        values.update(from_file)
        source = str(scene)
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return validated(values, source)


def save_scene(settings: Settings, path: str | os.PathLike) -> Path:
    """Write the scene atomically (temp file + rename) so a crash never leaves half a file."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(settings.to_toml(), encoding="utf-8")
    os.replace(temporary, path)
    return path
