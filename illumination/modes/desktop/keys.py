"""The window's keyboard map: which key presses which action (actions.py, the one table of actions the panel's
buttons name too), and the help overlay (? or H) that lists the keys with what each action does.

`HELP_KEYS` gives the window's own keys as a person reads them, in the help's order; an exhibit adds its toggles'
letters (its controls). The help overlay, the buttons' tool tips and docs/desktop.md name keys from it (a test
checks the docs name every key and that every key presses an action of the table). `action_for(event, toggles)`
turns a KEYDOWN into the name of an action.
"""
from __future__ import annotations

import pygame

from illumination.modes.desktop.actions import ACTIONS, table

# (keys as the help shows them, the action they press). A pair's row (↑ ↓, − +) names the action it describes.
HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("Space", "pause"),
    ("→", "step"),
    ("R", "reset"),
    ("N", "seed_next"),
    ("P", "seed_prev"),
    ("X", "seed_random"),
    ("Enter", "seed_type"),
    ("↑ ↓", "select_next"),
    ("− +", "increase"),
    ("T", "next_theme"),
    ("I", "diagnostics"),
    ("C", "screenshot"),
    ("V", "record"),
    ("M", "mute"),
    ("Backspace", "clear_drawing"),
    ("1", "teach_first"),
    ("2", "teach_second"),
    ("Ctrl+S", "save_scene"),
    ("Ctrl+O", "load_scene"),
    ("Tab", "toggle_panel"),
    ("? H", "help"),
    ("F11", "fullscreen"),
    ("Esc", "escape"),
    ("Q", "quit"),
)

PLAIN = {
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
    pygame.K_m: "mute",
    pygame.K_BACKSPACE: "clear_drawing",
    pygame.K_DELETE: "clear_drawing",
    pygame.K_1: "teach_first",
    pygame.K_KP1: "teach_first",
    pygame.K_2: "teach_second",
    pygame.K_KP2: "teach_second",
    pygame.K_TAB: "toggle_panel",
    pygame.K_h: "help",
    pygame.K_QUESTION: "help",
    pygame.K_F1: "help",
    pygame.K_F11: "fullscreen",
    pygame.K_ESCAPE: "escape",
    pygame.K_q: "quit",
}
WITH_CTRL = {pygame.K_s: "save_scene", pygame.K_o: "load_scene", pygame.K_q: "quit"}


def action_for(event, toggles=()) -> str | None:
    """The action a KEYDOWN asks for, or None. toggles: the exhibit's (core.controls.Toggle, with shortcuts)."""
    mods = getattr(event, "mod", 0)
    if mods & (pygame.KMOD_CTRL | pygame.KMOD_META):
        return WITH_CTRL.get(event.key)
    if getattr(event, "unicode", "") == "?" or (event.key == pygame.K_SLASH and mods & pygame.KMOD_SHIFT):
        return "help"
    if getattr(event, "unicode", "") == "+":
        return "increase"
    for toggle in toggles:
        if toggle.shortcut and event.key == ord(toggle.shortcut.lower()):  # letter keys are their ASCII codes
            return toggle.action_name
    return PLAIN.get(event.key)


def key_table(toggles=()) -> tuple[tuple[str, str, str], ...]:
    """Every key of the window for an exhibit, as (keys, action, what it does): the exhibit's toggles after the
    seed and slider keys."""
    actions = table(toggles)
    own = tuple((t.shortcut.upper(), t.action_name) for t in toggles if t.shortcut)
    split = next(n for n, (_, action) in enumerate(HELP_KEYS) if action == "next_theme")
    rows = HELP_KEYS[:split] + own + HELP_KEYS[split:]
    return tuple((keys, action, actions[action].does) for keys, action in rows)


def tool_tip(action: str) -> str:
    """A button's tool tip: what its action does, and its key (the panel's welcome says hovering shows it)."""
    keys = next((keys for keys, name in HELP_KEYS if name == action), None)
    does = ACTIONS[action].does
    return f"{does} ({keys})" if keys else does


def help_lines(toggles=()) -> list[str]:
    rows = key_table(toggles)
    width = max(len(keys) for keys, _, _ in rows)
    lines = ["KEYS", ""]
    lines += [f"{keys:<{width}}   {does}" for keys, _, does in rows]
    lines += ["", "Every control is also in the panel (Tab). Sliders: drag, or ↑ ↓ then − +."]
    return lines
