"""The window's actions, in one table: what each does (the help overlay and the buttons' tool tips read it) and
the function that does it. The keys (keys.py) and the panel's buttons name actions from this table;
`Desktop.perform(name)` runs one.

Every function takes the desktop (desktop.py) and works through what it offers everyone — `change` for the settings, `say`
for messages, the panel's methods — so an action does exactly what its key and its button do, from wherever.
An exhibit's toggles add one action each (`table`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

from illumination.core.controls import SEED_MAX, parse_seed
from illumination.modes.desktop import scenefile
from illumination.modes.desktop.fullscreen import toggle_fullscreen


@dataclass(frozen=True)
class Action:
    name: str                            # what keys, buttons and Desktop.perform call it
    does: str                            # one line, for the help overlay and the button's tool tip
    run: Callable[..., None]             # run(desktop) does it


# -- the run --------------------------------------------------------------------------------------------
def _pause(desk) -> None:
    desk.scene.paused = not desk.scene.paused


def _step(desk) -> None:
    desk.scene.paused = True
    refusal = desk.scene.step_once()
    if refusal:
        desk.say(refusal)


def _reset(desk) -> None:
    desk.scene.reset()
    desk.scene.paused = False
    desk.say(f"Reset: seed {desk.scene.settings.seed} starts again from its initial weights.")


# -- seeds ----------------------------------------------------------------------------------------------
def _seed_next(desk) -> None:
    desk.set_seed((desk.scene.settings.seed + 1) % (SEED_MAX + 1))


def _seed_prev(desk) -> None:
    seed = desk.scene.settings.seed
    if seed == 0:
        desk.say("Seed 0 is the first seed.")
    else:
        desk.set_seed(seed - 1)


def _seed_random(desk) -> None:
    desk.set_seed(int(desk.random.integers(1, 1_000_000)))


def _seed_type(desk) -> None:
    desk.show_panel(True)
    desk.panel.focus_seed_entry()


def _seed_apply(desk) -> None:
    try:
        seed = parse_seed(desk.panel.typed_seed())
    except ValueError as error:
        desk.say(str(error), error=True)
        desk.panel.clear_typed_seed(leave_field=False)    # the refused text goes; the message says why
        return
    desk.set_seed(seed)
    desk.panel.clear_typed_seed(leave_field=True)


# -- sliders, toggles, themes -----------------------------------------------------------------------------
def _select(desk, step: int) -> None:
    spec = desk.panel.select_slider(step)
    if spec is not None:
        desk.say(f"{spec.label}: {spec.text(getattr(desk.scene.settings, spec.key))} (− / + to change)")


def _nudge(desk, steps: int) -> None:
    spec = desk.panel.selected_slider()
    if spec is None:
        return
    value = spec.nudge(getattr(desk.scene.settings, spec.key), steps)
    if desk.change(**{spec.key: value}):
        desk.say(f"{spec.label}: {spec.text(value)}")


def _flip(desk, toggle) -> None:
    """An exhibit's toggle (core.controls.Toggle): its setting on or off."""
    if desk.change(**{toggle.key: not getattr(desk.scene.settings, toggle.key)}):
        desk.say(f"{toggle.label}: {'on' if getattr(desk.scene.settings, toggle.key) else 'off'}")


def _next_theme(desk) -> None:
    themes, current = desk.themes, desk.scene.settings.theme
    if not themes:
        return
    name = themes[(themes.index(current) + 1) % len(themes)] if current in themes else themes[0]
    if desk.change(theme=name):
        desk.say(f"Theme: {name}")


# -- what the window shows and keeps ---------------------------------------------------------------------
def _diagnostics(desk) -> None:
    if desk.diagnostics_lines is not None:
        desk.diagnostics_lines = None
        return
    lines = desk.scene.diagnostics()
    if lines is None:
        desk.say("This exhibit has no diagnostics.")
        return
    dt = desk.frame_dt
    fps = 1.0 / dt if dt > 0 else 0.0
    lines = [f"window: {fps:.1f} frames/s ({dt * 1000:.1f} ms a frame)", *lines]
    desk.diagnostics_lines = lines + ["", "(I, Esc or a click closes this)"]
    print("\n".join(lines), file=desk.console, flush=True)


def _screenshot(desk) -> None:
    desk.capture.screenshot_wanted = True     # taken after the next draw, of the exhibit alone


def _record(desk) -> None:
    desk.capture.toggle_recording(desk.exhibit, desk.scene.settings.seed)


def _mute(desk) -> None:
    desk.set_sound(not desk.sound_on)


def _clear_drawing(desk) -> None:
    if desk.pad is not None:
        desk.pad.clear()
        desk.drawing_changed()


def _teach(desk, label: int) -> None:
    pad_teach = desk.controls.pad_teach
    if desk.pad is not None and pad_teach is not None and label < len(desk.controls.pad_labels):
        desk.say(pad_teach(desk.scene, label)[1])


def _toggle_panel(desk) -> None:
    desk.show_panel(not desk.panel.visible)


def _help(desk) -> None:
    desk.help_open = not desk.help_open


def _escape(desk) -> None:
    if desk.overlay_open:
        desk.close_overlays()
    else:
        desk.running = False


def _quit(desk) -> None:
    desk.running = False


ACTIONS: dict[str, Action] = {action.name: action for action in (
    Action("pause", "pause / resume training", _pause),
    Action("step", "one minibatch, then pause", _step),
    Action("reset", "restart the run with the same settings", _reset),
    Action("seed_next", "next seed: new data, weights and order", _seed_next),
    Action("seed_prev", "previous seed", _seed_prev),
    Action("seed_random", "a random seed", _seed_random),
    Action("seed_type", "type a seed in the panel, Enter applies", _seed_type),
    Action("seed_apply", "use the typed seed (Enter in the seed field)", _seed_apply),
    Action("select_next", "choose a slider (marked » in the panel)", partial(_select, step=1)),
    Action("select_previous", "choose the previous slider", partial(_select, step=-1)),
    Action("increase", "move the chosen slider one step", partial(_nudge, steps=1)),
    Action("decrease", "move the chosen slider one step back", partial(_nudge, steps=-1)),
    Action("next_theme", "next colour theme", _next_theme),
    Action("diagnostics", "full diagnostics, in the console and over the exhibit", _diagnostics),
    Action("screenshot", "save a PNG screenshot of the exhibit", _screenshot),
    Action("record", "start / stop recording an MP4", _record),
    Action("mute", "sound on / off: the exhibit's numbers as tones (README, Sound)", _mute),
    Action("clear_drawing", "clear the drawing pad, in exhibits that have one", _clear_drawing),
    Action("teach_first", "teach the exhibit the pad's picture with its first label (a circle)", partial(_teach, label=0)),
    Action("teach_second", "teach the exhibit the pad's picture with its second label (a square)",
           partial(_teach, label=1)),
    Action("save_scene", "save the scene to the file named in the panel", scenefile.save),
    Action("load_scene", "load the scene from the file named in the panel", scenefile.load),
    Action("toggle_panel", "hide / show the control panel", _toggle_panel),
    Action("help", "this help", _help),
    Action("fullscreen", "full screen on / off", toggle_fullscreen),
    Action("escape", "close help or diagnostics, otherwise quit", _escape),
    Action("quit", "quit", _quit),
)}


def toggle_action(toggle) -> Action:
    """The action of an exhibit's toggle (core.controls.Toggle): flip its setting."""
    return Action(toggle.action_name, f"{toggle.label[0].lower()}{toggle.label[1:]} on / off",
                  partial(_flip, toggle=toggle))


def table(toggles=()) -> dict[str, Action]:
    """The window's actions with an exhibit's toggles."""
    own = {toggle.action_name: toggle_action(toggle) for toggle in toggles}
    clash = set(own) & set(ACTIONS)
    if clash:
        raise ValueError(f"an exhibit's toggle may not reuse the window's action name(s) {sorted(clash)}")
    return {**ACTIONS, **own}
