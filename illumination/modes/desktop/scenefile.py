"""The Scene tab's two actions: save the window's settings to the TOML file named in the panel, and load one
back. Every refusal is a visible message (nothing changes); a loaded scene goes through Desktop.commit like
any other change."""
from __future__ import annotations

from pathlib import Path

from illumination.core.settings import SettingsError, load_settings, read_scene, save_scene, scene_exhibit


def scene_path(desktop) -> Path | None:
    """The file named in the panel, or None after saying what is wrong with the name."""
    text = desktop.panel.scene_file().strip()
    if not text:
        desktop.say("Type a scene file name first (for example scene.toml).", error=True)
        return None
    path = Path(text).expanduser()
    if path.suffix.lower() != ".toml":
        desktop.say(f"A scene file name must end in .toml, got {text!r}.", error=True)
        return None
    return path


def save(desktop) -> None:
    path = scene_path(desktop)
    if path is None:
        return
    try:
        save_scene(desktop.scene.settings, path)
    except OSError as error:
        desktop.say(f"Could not save the scene to {path}: {error.strerror or error}", error=True)
        return
    desktop.say(f"Scene saved: {path}", log=True)


def load(desktop) -> None:
    path = scene_path(desktop)
    if path is None:
        return
    shown = desktop.show.name
    try:
        values = read_scene(path)
        if scene_exhibit(values, str(path)) != shown:
            raise SettingsError([f"exhibit: this is a {scene_exhibit(values)!r} scene; the window shows "
                                 f"{shown!r} (open it with: illumination run --scene {path})"], str(path))
        settings = load_settings(type(desktop.scene.settings), values)
    except SettingsError as error:
        problems = "\n".join(f"• {p}" for p in error.problems)
        desktop.say(f"Could not load {path}:\n{problems}", error=True)
        if len(error.problems) > 1:     # the message box holds three lines: the whole list goes over the exhibit
            desktop.diagnostics_lines = [f"Could not load {path}:", *(f"• {p}" for p in error.problems), "",
                                         "(I, Esc or a click closes this)"]
        return
    if desktop.commit(settings):
        desktop.say(f"Scene loaded: {path} (seed {settings.seed})", log=True)
