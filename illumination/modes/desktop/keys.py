"""The window's keyboard map: every action of the panel has a key, and the help overlay (? or H) lists them.

`KEYS` is the one table of the window's own keys; an exhibit adds its toggles' letters (its controls). The help
overlay and docs/desktop.md are written from them (a test checks the docs name every key). `action_for(event,
toggles)` turns a KEYDOWN into an action name that `Desktop.perform` understands — the same names the panel's
buttons use.
"""
from __future__ import annotations

import pygame

# (keys as shown, action, what it does). Grouped as the help overlay shows them.
KEYS: tuple[tuple[str, str, str], ...] = (
    ("Space", "pause", "pause / resume training"),
    ("→", "step", "one minibatch (pauses first)"),
    ("R", "reset", "restart the run with the same settings"),
    ("N", "seed_next", "next seed (new data, weights, order)"),
    ("P", "seed_prev", "previous seed"),
    ("X", "seed_random", "a random seed"),
    ("Enter", "seed_type", "type a seed in the panel, Enter applies"),
    ("↑ ↓", "select_next", "choose a slider (marked » in the panel)"),
    ("− +", "increase", "move the chosen slider one step"),
    ("T", "next_theme", "next colour theme"),
    ("I", "diagnostics", "print full diagnostics (console + overlay)"),
    ("C", "screenshot", "save a PNG screenshot of the exhibit"),
    ("V", "record", "start / stop recording an MP4"),
    ("Backspace", "clear_drawing", "clear the drawing pad (exhibits with a pad)"),
    ("Ctrl+S", "save_scene", "save the scene to the file named in the panel"),
    ("Ctrl+O", "load_scene", "load the scene from that file"),
    ("Tab", "toggle_panel", "hide / show the control panel"),
    ("? H", "help", "this help"),
    ("F11", "fullscreen", "full screen on / off"),
    ("Esc", "escape", "close help or diagnostics, otherwise quit"),
    ("Q", "quit", "quit"),
)

_PLAIN = {
    pygame.K_SPACE: "pause",
    pygame.K_RIGHT: "step",
    pygame.K_r: "reset",
    pygame.K_n: "seed_next",
    pygame.K_p: "seed_prev",
    pygame.K_x: "seed_random",
    pygame.K_RETURN: "seed_type",
    pygame.K_KP_ENTER: "seed_type",
    pygame.K_UP: "select_previous",
    pygame.K_DOWN: "select_next",
    pygame.K_MINUS: "decrease",
    pygame.K_KP_MINUS: "decrease",
    pygame.K_EQUALS: "increase",
    pygame.K_PLUS: "increase",
    pygame.K_KP_PLUS: "increase",
    pygame.K_t: "next_theme",
    pygame.K_i: "diagnostics",
    pygame.K_c: "screenshot",
    pygame.K_v: "record",
    pygame.K_BACKSPACE: "clear_drawing",
    pygame.K_DELETE: "clear_drawing",
    pygame.K_TAB: "toggle_panel",
    pygame.K_h: "help",
    pygame.K_QUESTION: "help",
    pygame.K_F1: "help",
    pygame.K_F11: "fullscreen",
    pygame.K_ESCAPE: "escape",
    pygame.K_q: "quit",
}
_CTRL = {pygame.K_s: "save_scene", pygame.K_o: "load_scene", pygame.K_q: "quit"}


def action_for(event, toggles=()) -> str | None:
    """The action a KEYDOWN asks for, or None. toggles: the exhibit's (core.controls.Toggle, with shortcuts)."""
    mods = getattr(event, "mod", 0)
    if mods & (pygame.KMOD_CTRL | pygame.KMOD_META):
        return _CTRL.get(event.key)
    if getattr(event, "unicode", "") == "?" or (event.key == pygame.K_SLASH and mods & pygame.KMOD_SHIFT):
        return "help"
    if getattr(event, "unicode", "") == "+":
        return "increase"
    for toggle in toggles:
        if toggle.shortcut and event.key == ord(toggle.shortcut.lower()):  # letter keys are their ASCII codes
            return toggle.action_name
    return _PLAIN.get(event.key)


def key_table(toggles=()) -> tuple[tuple[str, str, str], ...]:
    """Every key of the window for an exhibit: the exhibit's toggles after the seed and slider keys."""
    own = tuple((t.shortcut.upper(), t.action_name, f"{t.label[0].lower()}{t.label[1:]} on / off")
                for t in toggles if t.shortcut)
    split = next(n for n, (_, action, _) in enumerate(KEYS) if action == "next_theme")
    return KEYS[:split] + own + KEYS[split:]


def help_lines(toggles=()) -> list[str]:
    table = key_table(toggles)
    width = max(len(keys) for keys, _, _ in table)
    lines = ["KEYS", ""]
    lines += [f"{keys:<{width}}   {text}" for keys, _, text in table]
    lines += ["", "Every control is also in the panel (Tab). Sliders: drag, or ↑ ↓ then − +."]
    return lines
