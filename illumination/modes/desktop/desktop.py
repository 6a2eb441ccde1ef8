"""The desktop window's controller: the panel, the keys, the input pad and the actions, around one exhibit.

It knows no exhibit: it asks the exhibit for its controls (sliders, toggles, an optional pad) and talks to the
scene only through core's Scene interface. Each frame: `process_event` for every pygame event → `update(dt)`
→ `draw()` → the caller presents. Every change of a setting goes one way: a control or key asks →
`settings.replace` validates (a refusal is a visible message; the run goes on) → `scene.apply_settings` →
the panel shows the new settings.

Its contract with the panel (panel.py): the panel owns its widgets; the desktop calls its methods and takes the
intents it makes (intents.py), each dispatched by its type through INTENT_HANDLERS. Keys and buttons both name
actions of one table (actions.py), which `perform` runs.

The window's size is read here only (on opening and on a resize) into a WindowLayout (layout.py) that gives the
panel its scale and place and the exhibit the rest: while the panel is shown the exhibit is drawn into a
subsurface beside it, with a view built for that size, so the panel never covers the art. Screenshots and
recordings go through core's frame writers and capture the exhibit alone, before any overlay is drawn.
"""
from __future__ import annotations

import logging
import os
import sys

import numpy as np
import pygame

from illumination.core.controls import Controls
from illumination.core.draw.colour import smoothstep
from illumination.core.settings import SettingsError
from illumination.core.show import Show
from illumination.modes.desktop import actions, keys, switching
from illumination.modes.desktop.capture import Capture
from illumination.modes.desktop.intents import ChooseExhibit, ChooseTheme, LetGo, Press, SetValue, SetVolume
from illumination.modes.desktop.layout import WindowLayout
from illumination.modes.desktop.overlay import ERROR, Overlay
from illumination.modes.desktop.panel import ControlPanel

_POINTER_EVENTS = (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION,
                   pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION)
_TEXT_EVENTS = (pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT, pygame.TEXTEDITING)
RISE_SECONDS = 0.45      # a new theme or composition rises from black this long
_QUIET = logging.getLogger("illumination.window.sound")     # the speaker's own log lines: the window says its own
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class Desktop:
    def __init__(self, screen: pygame.Surface, show: Show, fps: int = 60, *, themes: list[str] | None = None,
                 output_dir: str | os.PathLike | None = None, random: np.random.Generator | None = None,
                 scene_path: str = "scene.toml", console=None, sound: bool = False, volume: float = 0.6,
                 open_speaker=None):
        from themes import list_themes
        self.screen = screen
        self.layout = WindowLayout.of(screen.get_size())
        self.fps = int(fps)
        self.themes = list(themes) if themes is not None else list_themes()
        # "Random" is a wish for novelty, so it draws from the OS; the seed it picks is then shown and
        # reproducible like any other. Its own generator: nothing is ever seeded globally.
        self.random = random if random is not None else np.random.default_rng()
        self.console = console if console is not None else sys.stdout
        self.overlay = Overlay()
        self.running = True
        self.help_open = False
        self.diagnostics_lines: list[str] | None = None
        self.message = ""
        self.message_is_error = False
        self._toast_left = 0.0
        self._rise_left = 0.0
        self.clock_time = 0.0
        self.frame_dt = 0.0      # the frame time, smoothed over ~half a second (diagnostics show the frame rate)
        self.windowed_size: tuple[int, int] | None = None   # the window's size before full screen
        self.capture = Capture(fps, self.say, output_dir)
        self.carried_look: dict = {}     # the theme and composition chosen: kept across exhibit switches
        switching.remember_look(self.carried_look, show.scene.settings)
        self.panel: ControlPanel | None = None
        # Sound (core/speaker.py): the window's, not the scene's. The device opens the first time sound is on.
        self.speaker = None
        self.sound_on = False
        self.volume = min(max(float(volume), 0.0), 1.0)
        self._open_speaker = open_speaker
        self.mount(show, scene_path)
        if sound:
            self.set_sound(True, quiet=True)

    @property
    def scene(self):
        return self.show.scene

    def mount(self, show: Show, scene_path: str | None = None) -> None:
        """Put an exhibit on stage with its own controls (a fresh panel: sliders, menus, toggles, pad) and its
        actions (the window's and one for each of its toggles); the scene file's name carries over."""
        self.show = show
        self.controls: Controls = show.exhibit.controls() if show.exhibit.controls else Controls()
        self.actions = actions.table(self.controls.toggles)
        self.pad = self.controls.make_pad() if self.controls.make_pad else None
        self._build_panel(scene_path)
        self.relayout()

    def _build_panel(self, scene_path: str | None = None) -> None:
        """A fresh panel for the exhibit's controls at the layout's scale (keeping whether it was shown, its tab,
        the scene file's name and the message)."""
        from illumination.exhibits import EXHIBITS
        old = self.panel
        if old is not None:
            scene_path = scene_path or old.scene_file()
            old.kill()
        self.panel = ControlPanel(self.layout, self.scene.settings, self.themes, scene_path or "scene.toml",
                                  self.controls, exhibits=tuple((e.name, e.title) for e in EXHIBITS.values()),
                                  exhibit=self.show.name, shown=old.visible if old else True,
                                  tab=old.tab if old else None)
        if old is not None and self.message:
            self.panel.show_message(self.message, self.message_is_error)

    def switch_exhibit(self, name: str) -> None:
        """Show another exhibit from its defaults, in the theme and composition chosen so far (switching.py)."""
        switching.switch_exhibit(self, name)

    # -- layout ------------------------------------------------------------------------------------
    def relayout(self) -> None:
        """The exhibit gets the window minus the panel while it is shown; the scene recomposes for that size."""
        rect = self.layout.exhibit_rect(self.panel.visible)
        self.exhibit_rect = rect
        self.exhibit = self.screen if rect.size == self.layout.window else self.screen.subsurface(rect)
        if tuple(self.show.size) != rect.size:
            self.show.resize(rect.size)
        self.capture.check_size(self.exhibit)

    def resize_window(self) -> None:
        """The window has a new size (a resize, full screen): one new layout, handed to the panel and the exhibit."""
        surface = pygame.display.get_surface()
        if surface is not None:
            self.screen = surface
        layout, old = WindowLayout.of(self.screen.get_size()), self.layout
        self.layout = layout
        if layout.scale != old.scale:     # text and controls at the new screen's scale: a new panel
            self._build_panel()
        else:
            self.panel.place(layout)
        self.relayout()

    def show_panel(self, visible: bool) -> None:
        if visible != self.panel.visible:
            self.panel.set_visible(visible)
            self.relayout()

    # -- messages and overlays ---------------------------------------------------------------------
    def say(self, text: str, error: bool = False, log: bool = False) -> None:
        """A visible message: in the panel's message box, or over the exhibit when the panel is hidden."""
        self.message, self.message_is_error = text, error
        self._toast_left = 8.0 if error else 4.0
        self.panel.show_message(text, error)
        if log or error:
            print(("illumination: error: " if error else "illumination: ") + text.replace("\n", "\n  "),
                  file=self.console, flush=True)

    @property
    def overlay_open(self) -> bool:
        """Is the help or the diagnostics over the exhibit?"""
        return self.help_open or self.diagnostics_lines is not None

    def close_overlays(self) -> None:
        self.help_open, self.diagnostics_lines = False, None

    # -- settings: the one way in ------------------------------------------------------------------
    def change(self, **changes) -> bool:
        """Validate changes to the settings and apply them; a refusal is a message and nothing changes."""
        try:
            new = self.scene.settings.replace(**changes)
        except SettingsError as error:
            self.say("Refused: " + "\n".join(error.problems), error=True)
            return False
        return self.commit(new)

    def commit(self, new) -> bool:
        from themes import ThemeError, load_theme
        old = self.scene.settings
        if new == old:
            return True
        theme = None
        if new.theme != old.theme:
            try:
                theme = load_theme(new.theme)
            except ThemeError as error:
                self.say("Refused: " + str(error), error=True)
                return False
        self.scene.apply_settings(new)
        if theme is not None:
            self.show.set_theme(theme)
        if theme is not None or getattr(new, "composition", None) != getattr(old, "composition", None):
            self._rise_left = RISE_SECONDS   # the new look rises from black: never two looks' text at once
        return True

    # -- sound ----------------------------------------------------------------------------------------
    def set_sound(self, on: bool, quiet: bool = False) -> None:
        """Sound on or off (M, the panel's Sound button, --sound). On opens the audio device the first time; with
        no device the window stays silent and says so once."""
        from illumination.core.speaker import Speaker
        if on and self.speaker is None:
            # the window says it once, in its own words (below): the speaker's log line would be a second one
            opener = self._open_speaker or (lambda volume: Speaker.open(volume, log=_QUIET))
            self.speaker = opener(self.volume)
            if self.speaker.problem:
                self.say(f"Sound: {self.speaker.problem}; the window stays silent.", log=True)
                quiet = True
        self.sound_on = bool(on) and self.speaker is not None and not self.speaker.problem
        if self.speaker is not None:
            self.speaker.enabled = self.sound_on
        if self.show.exhibit.sound is None and self.sound_on and not quiet:
            self.say(f"Sound: on (the {self.show.exhibit.title} exhibit makes no sound)")
        elif not quiet:
            self.say(f"Sound: {'on' if self.sound_on else 'off'} (M)")

    def set_volume(self, volume: float) -> None:
        self.volume = min(max(float(volume), 0.0), 1.0)
        if self.speaker is not None:
            self.speaker.volume = self.volume

    def set_seed(self, seed: int) -> None:
        """One rule for every new run (Reset, N, P, X, a typed seed): it starts playing; only Space pauses."""
        if self.change(seed=seed):
            self.scene.paused = False
            self.say(f"Seed {seed}: new data, new initial weights, training from the start.")

    # -- actions and intents -----------------------------------------------------------------------
    def perform(self, name: str) -> None:
        """Run an action by its name (a key, a button, the window's --no-panel): the table in actions.py."""
        action = self.actions.get(name)
        if action is None:
            raise ValueError(f"unknown action {name!r}")
        action.run(self)

    def apply(self, intent) -> None:
        """Do what the panel asked (intents.py): the intent's type picks its handler."""
        handler = self.INTENT_HANDLERS.get(type(intent))
        if handler is None:
            raise TypeError(f"the desktop has no handler for the intent {intent!r}")
        handler(self, intent)

    def _press(self, intent: Press) -> None:
        self.perform(intent.action)

    def _set_value(self, intent: SetValue) -> None:
        key, value = intent.key, intent.value
        before, run = self.scene.settings, self.scene.run
        changes = {key: value}
        choice = next((c for c in self.controls.choices if c.key == key), None)
        if choice is not None and choice.companions is not None:
            changes.update(choice.companions(before, value))     # a noise mode brings its usual magnitude
        if not self.change(**changes) or self.scene.settings == before:
            return
        spec = self.controls.slider(key)
        if spec is not None and spec.resets:
            self.say(f"{spec.label} {spec.text(value)}: the run restarts with seed {self.scene.settings.seed}.")
        elif spec is None and choice is not None:
            restarted = " (the run starts again)" if self.scene.run != run else ""
            self.say(f"{choice.label}: {choice.name_of(value)}{restarted}")

    def _let_go(self, intent: LetGo) -> None:
        if self.change(**dict(intent.values)):
            self.say("The run restarts with " + ", ".join(
                f"{self.controls.slider(k).label.lower()} {self.controls.slider(k).text(v)}"
                for k, v in intent.values) + ".")

    def _set_volume(self, intent: SetVolume) -> None:
        self.set_volume(intent.value)

    def _choose_theme(self, intent: ChooseTheme) -> None:
        if intent.name != self.scene.settings.theme and self.change(theme=intent.name):
            self.say(f"Theme: {intent.name}")

    def _choose_exhibit(self, intent: ChooseExhibit) -> None:
        self.switch_exhibit(intent.name)

    # Each kind of intent and the method that applies it (functions of the class body: called with the desktop).
    INTENT_HANDLERS = {Press: _press, SetValue: _set_value, SetVolume: _set_volume, LetGo: _let_go,
                       ChooseTheme: _choose_theme, ChooseExhibit: _choose_exhibit}

    # -- the draw pad --------------------------------------------------------------------------------
    def _pad_event(self, event) -> bool:
        """Mouse and touch on the pad; True if the pad took the event."""
        if self.pad is None:
            return False
        taken, changed = self.pad.handle_event(event, self.panel.pad_rect, self.layout.window)
        if changed:
            self.drawing_changed()
        return taken

    def drawing_changed(self) -> None:
        if self.controls.pad_apply is not None:
            self.controls.pad_apply(self.scene, None if self.pad.empty else self.pad.image)

    # -- the frame -----------------------------------------------------------------------------------
    def process_event(self, event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.running = False
            return
        if t in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self.resize_window()
            return
        if t in _POINTER_EVENTS and self.panel.visible and self._pad_event(event):
            return
        if t in _TEXT_EVENTS:
            if not self.panel.type_text(event) and t == pygame.KEYDOWN:
                action = keys.action_for(event, self.controls.toggles)
                if action is not None:
                    self.perform(action)
            return
        if t == pygame.MOUSEBUTTONDOWN and self.overlay_open and self.exhibit_rect.collidepoint(event.pos):
            self.close_overlays()
            return
        if self.panel.process_event(event):
            for intent in self.panel.take_intents():
                self.apply(intent)
            return
        self.show.view.handle_event(event)

    def update(self, dt: float) -> None:
        self.clock_time += dt     # the one clock's time, as the window's loop gives it (recordings keep to it)
        if dt > 0:
            self.frame_dt = dt if self.frame_dt == 0 else 0.95 * self.frame_dt + 0.05 * dt
        released = self.panel.released_sliders()
        if released is not None:
            self.apply(released)
        self.show.update(dt)
        if self.speaker is not None:
            from illumination.core.speaker import sound_of
            self.speaker.play(sound_of(self.show))
        self._toast_left = max(0.0, self._toast_left - dt)
        self._rise_left = max(0.0, self._rise_left - dt)
        if self.panel.visible:
            self.panel.sync(self.scene.settings, self.scene.paused, self.capture.recording,
                            sound=(self.sound_on, self.volume))
            if self.pad is not None:
                self.panel.show_pad(self.pad)
            if self.controls.pad_seen is not None:
                self.panel.show_seen(self.controls.pad_seen(self.scene))
            if self.controls.pad_verdict is not None:
                self.panel.show_verdict(self.controls.pad_verdict(self.scene))
            self.panel.update(dt)

    def draw(self) -> None:
        self.show.draw(self.exhibit)
        if self._rise_left > 0:
            level = smoothstep(0.0, 1.0, 1.0 - self._rise_left / RISE_SECONDS)
            self.exhibit.fill((round(255 * level),) * 3, special_flags=pygame.BLEND_RGB_MULT)
        # Captures first: the art alone, without the help, messages or the recording light.
        self.capture.after_draw(self.exhibit, self.scene.settings.seed, self.clock_time)
        if self.capture.recording:
            self.overlay.draw_recording(self.exhibit, self.capture.seconds)
        if self.help_open:
            self.overlay.draw_box(self.exhibit, keys.help_lines(self.controls.toggles), backdrop=True)
        elif self.diagnostics_lines is not None:
            self.overlay.draw_box(self.exhibit, self.diagnostics_lines, backdrop=True)
        if not self.panel.visible and self._toast_left > 0 and self.message:
            self.overlay.draw_box(self.exhibit, self.message.splitlines(), anchor="bottomleft",
                                  colour=ERROR if self.message_is_error else (232, 230, 220),
                                  size=max(11, min(16, self.exhibit.get_height() // 60)), wrap=True)
        if self.panel.visible:
            self.panel.draw(self.screen)

    def close(self) -> None:
        """Finish any recording (an unclosed one would be discarded); let the sound device go."""
        self.capture.stop()
        if self.speaker is not None:
            self.speaker.close()
