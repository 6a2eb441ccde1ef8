"""The desktop window's controller: the panel, the keys, the input pad and the actions, around one exhibit.

It knows no exhibit: it asks the exhibit for its controls (sliders, toggles, an optional pad) and talks to the
scene only through core's Scene interface. Each frame: `process_event` for every pygame event → `update(dt)`
→ `draw()` → the caller presents. Every change of a setting goes one way: a control or key asks →
`settings.replace` validates (a refusal is a visible message; the run goes on) → `scene.apply_settings` →
the panel shows the new settings. When the panel is shown the exhibit is drawn into the rest of the window
(a subsurface, with a view built for that size), so the panel never covers the art. Screenshots and
recordings go through core's frame writers and capture the exhibit alone, before any overlay is drawn.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import pygame

from illumination.core.draw.colour import smoothstep
from illumination.core.controls import SEED_MAX, Controls, parse_seed
from illumination.core.settings import SettingsError
from illumination.core.show import Show
from illumination.modes.desktop import keys, scenefile, switching
from illumination.modes.desktop.capture import Capture
from illumination.modes.desktop.fullscreen import toggle_fullscreen
from illumination.modes.desktop.overlay import ERROR, Overlay
from illumination.modes.desktop.panel import WELCOME, ControlPanel, make_manager, panel_scale
_POINTER_EVENTS = (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION,
                   pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION)
_TEXT_EVENTS = (pygame.KEYDOWN, pygame.KEYUP, pygame.TEXTINPUT, pygame.TEXTEDITING)
MIN_EXHIBIT_WIDTH = 160
RISE_SECONDS = 0.45      # a new theme or composition rises from black this long


class Desktop:
    def __init__(self, screen: pygame.Surface, show: Show, fps: int = 60, *, themes: list[str] | None = None,
                 output_dir: str | os.PathLike | None = None, random: np.random.Generator | None = None,
                 scene_path: str = "scene.toml", console=None):
        from themes import list_themes
        self.screen = screen
        self.fps = int(fps)
        self.themes = list(themes) if themes is not None else list_themes()
        # "Random" is a wish for novelty, so it draws from the OS; the seed it picks is then shown and
        # reproducible like any other. Its own generator: nothing is ever seeded globally.
        self.random = random if random is not None else np.random.default_rng()
        self.console = console if console is not None else sys.stdout
        self.manager = make_manager(screen.get_size())
        self.panel = None
        self.carried_look: dict = {}     # the theme and composition chosen: kept across exhibit switches
        switching.remember_look(self.carried_look, show.scene.settings)
        self.mount(show, scene_path)
        self.overlay = Overlay()
        self.running = True
        self.help_open = False
        self.diagnostics_lines: list[str] | None = None
        self.message = ""
        self.message_is_error = False
        self._toast_left = 0.0
        self._rise_left = 0.0
        self.clock_time = 0.0
        self.windowed_size: tuple[int, int] | None = None   # the window's size before full screen
        self._frame_dt = 0.0
        self.capture = Capture(fps, self.say, output_dir)
        self.exhibit_rect = pygame.Rect(0, 0, *screen.get_size())
        self.exhibit = screen
        self.relayout()

    @property
    def scene(self):
        return self.show.scene

    def mount(self, show: Show, scene_path: str) -> None:
        """Put an exhibit on stage with its own controls (a fresh panel: sliders, menus, toggles, pad)."""
        self.show = show
        self.controls: Controls = show.exhibit.controls() if show.exhibit.controls else Controls()
        self._toggle_actions = {t.action_name: t.key for t in self.controls.toggles}
        self._build_panel(scene_path)
        self.pad = self.controls.make_pad() if self.controls.make_pad else None
        self._pad_version = -1

    def _build_panel(self, scene_path: str) -> None:
        """A fresh panel for the exhibit's controls (keeping whether it was shown, and its tab)."""
        from illumination.exhibits import EXHIBITS
        visible, tab = True, None
        if self.panel is not None:
            visible, tab = self.panel.visible, self.panel.tab
            self.panel.kill()
        self.panel = ControlPanel(self.manager, self.screen.get_size(), self.scene.settings, self.themes, scene_path,
                                  self.controls, exhibits=tuple((e.name, e.title) for e in EXHIBITS.values()),
                                  exhibit=self.show.name)
        if tab in self.panel.tabs:
            self.panel.select_tab(tab)
        if not visible:
            self.panel.set_visible(False)
        self._pad_version = -1       # the new pad image shows the drawing again

    def switch_exhibit(self, name: str) -> None:
        """Show another exhibit from its defaults, in the theme and composition chosen so far (switching.py)."""
        switching.switch_exhibit(self, name)

    # -- layout ------------------------------------------------------------------------------------
    def relayout(self) -> None:
        """The exhibit gets the window minus the panel; the scene recomposes for that size."""
        w, h = self.screen.get_size()
        if self.panel.visible and w - self.panel.width >= MIN_EXHIBIT_WIDTH:
            rect = pygame.Rect(0, 0, w - self.panel.width, h)
        else:
            rect = pygame.Rect(0, 0, w, h)
        self.exhibit_rect = rect
        self.exhibit = self.screen if rect.size == (w, h) else self.screen.subsurface(rect)
        if tuple(self.show.size) != rect.size:
            self.show.resize(rect.size)
        self.capture.check_size(self.exhibit)

    def resize_window(self) -> None:
        surface = pygame.display.get_surface()
        if surface is not None:
            self.screen = surface
        size = self.screen.get_size()
        if panel_scale(size) != self.panel.scale:     # text and controls at the new screen's scale: rebuilt
            self.manager = make_manager(size)
            self._build_panel(self.panel.scene_entry.get_text())
            self.panel.show_message(self.message or WELCOME, self.message_is_error)
        else:
            self.manager.set_window_resolution(size)
            self.panel.relayout(size)
        self.relayout()

    # -- messages ----------------------------------------------------------------------------------
    def say(self, text: str, error: bool = False, log: bool = False) -> None:
        """A visible message: in the panel's message box, or over the exhibit when the panel is hidden."""
        self.message, self.message_is_error = text, error
        self._toast_left = 8.0 if error else 4.0
        self.panel.show_message(text, error)
        if log or error:
            print(("illumination: error: " if error else "illumination: ") + text.replace("\n", "\n  "),
                  file=self.console, flush=True)

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

    def _apply_intent(self, intent: tuple) -> None:
        kind = intent[0]
        if kind == "action":
            self.perform(intent[1])
        elif kind == "set":
            key, value = intent[1], intent[2]
            spec = self.controls.slider(key)
            if spec is not None and spec.resets and pygame.mouse.get_pressed()[0]:
                # Restarting the run on every pixel of a drag would stutter: apply when the slider is let go.
                self.panel.pending[key] = value
                self.panel.refresh_captions()
                return
            self.panel.pending.pop(key, None)
            before, run = self.scene.settings, self.scene.run
            changes = {key: value}
            choice = self.panel.menus.get(key, (None,))[0]
            if choice is not None and choice.companions is not None:
                changes.update(choice.companions(before, value))
            if not self.change(**changes) or self.scene.settings == before:
                return
            if spec is not None and spec.resets:
                self.say(f"{spec.label} {spec.text(value)}: the run restarts with seed {self.scene.settings.seed}.")
            elif spec is None and (choice := next((c for c in self.controls.choices if c.key == key), None)):
                restarted = " (the run starts again)" if self.scene.run != run else ""
                self.say(f"{choice.label}: {choice.name_of(value)}{restarted}")
        elif kind == "seed":
            self._type_seed(intent[1])
        elif kind == "exhibit":
            self.switch_exhibit(intent[1])
        elif kind == "theme" and intent[1] != self.scene.settings.theme:
            if self.change(theme=intent[1]):
                self.say(f"Theme: {intent[1]}")

    def _apply_pending(self) -> None:
        if self.panel.pending and not pygame.mouse.get_pressed()[0]:
            pending, self.panel.pending = dict(self.panel.pending), {}
            self.panel.refresh_captions()
            if self.change(**pending):
                self.say("The run restarts with " + ", ".join(
                    f"{self.controls.slider(k).label.lower()} {self.controls.slider(k).text(v)}"
                    for k, v in pending.items()) + ".")

    def _type_seed(self, text: str) -> None:
        try:
            seed = parse_seed(text)
        except ValueError as error:
            self.say(str(error), error=True)
            self.panel.seed_entry.set_text("")    # the refused text goes; the message says why
            return
        self._set_seed(seed)
        self.panel.seed_entry.set_text("")
        self.panel.seed_entry.unfocus()

    def _set_seed(self, seed: int) -> None:
        """One rule for every new run (Reset, N, P, X, a typed seed): it starts playing; only Space pauses."""
        if self.change(seed=seed):
            self.scene.paused = False
            self.say(f"Seed {seed}: new data, new initial weights, training from the start.")

    # -- actions (the panel's buttons and the keys share these names) -----------------------------
    def perform(self, action: str) -> None:
        scene, s = self.scene, self.scene.settings
        if action == "pause":
            scene.paused = not scene.paused
        elif action == "step":
            scene.paused = True
            refusal = scene.step_once()
            if refusal:
                self.say(refusal)
        elif action == "reset":
            scene.reset()
            scene.paused = False
            self.say(f"Reset: seed {s.seed} starts again from its initial weights.")
        elif action == "seed_next":
            self._set_seed((s.seed + 1) % (SEED_MAX + 1))
        elif action == "seed_prev":
            if s.seed == 0:
                self.say("Seed 0 is the first seed.")
            else:
                self._set_seed(s.seed - 1)
        elif action == "seed_random":
            self._set_seed(int(self.random.integers(1, 1_000_000)))
        elif action == "seed_type":
            self._show_panel(True)
            self.manager.set_focus_set(self.panel.seed_entry)
        elif action in ("select_next", "select_previous"):
            sliders = self.controls.sliders
            if not sliders:
                return
            step = 1 if action == "select_next" else -1
            self.panel.selected = (self.panel.selected + step) % len(sliders)
            spec = sliders[self.panel.selected]
            self.panel.select_tab(next(title for title, specs, _ in self.controls.pages if spec in specs))
            self.panel.refresh_captions()
            self.say(f"{spec.label}: {spec.text(getattr(s, spec.key))} (− / + to change)")
        elif action in ("increase", "decrease"):
            if not self.controls.sliders:
                return
            spec = self.controls.sliders[self.panel.selected]
            value = spec.nudge(getattr(s, spec.key), 1 if action == "increase" else -1)
            if self.change(**{spec.key: value}):
                self.say(f"{spec.label}: {spec.text(value)}")
        elif action in self._toggle_actions:
            key = self._toggle_actions[action]
            if self.change(**{key: not getattr(s, key)}):
                self.say(f"{self.controls.toggle(key).label}: {'on' if getattr(scene.settings, key) else 'off'}")
        elif action == "next_theme" and self.themes:
            name = self.themes[(self.themes.index(s.theme) + 1) % len(self.themes)] if s.theme in self.themes \
                else self.themes[0]
            if self.change(theme=name):
                self.say(f"Theme: {name}")
        elif action == "diagnostics":
            self._diagnostics()
        elif action == "screenshot":
            self.capture.screenshot_wanted = True
        elif action == "record":
            self.capture.toggle_recording(self.exhibit, s.seed)
        elif action == "clear_drawing":
            if self.pad is not None:
                self.pad.clear()
                self._drawing_changed()
        elif action == "save_scene":
            scenefile.save(self)
        elif action == "load_scene":
            scenefile.load(self)
        elif action == "toggle_panel":
            self._show_panel(not self.panel.visible)
        elif action == "help":
            self.help_open = not self.help_open
        elif action == "fullscreen":
            toggle_fullscreen(self)
        elif action == "escape":
            if self.help_open or self.diagnostics_lines is not None:
                self.help_open, self.diagnostics_lines = False, None
            else:
                self.running = False
        elif action == "quit":
            self.running = False
        else:
            raise ValueError(f"unknown action {action!r}")

    def _show_panel(self, visible: bool) -> None:
        if visible != self.panel.visible:
            self.panel.set_visible(visible)
            self.relayout()

    # -- diagnostics (scene files: scenefile.py) ------------------------------------------------
    def _diagnostics(self) -> None:
        if self.diagnostics_lines is not None:
            self.diagnostics_lines = None
            return
        lines = self.scene.diagnostics()
        if lines is None:
            self.say("This exhibit has no diagnostics.")
            return
        fps = 1.0 / self._frame_dt if self._frame_dt > 0 else 0.0
        lines = [f"window: {fps:.1f} frames/s ({self._frame_dt * 1000:.1f} ms a frame)", *lines]
        self.diagnostics_lines = lines + ["", "(I, Esc or a click closes this)"]
        print("\n".join(lines), file=self.console, flush=True)

    # -- the draw pad --------------------------------------------------------------------------------
    def _pad_event(self, event) -> bool:
        """Mouse and touch on the pad; True if the pad took the event."""
        if self.pad is None:
            return False
        taken, changed = self.pad.handle_event(event, self.panel.pad_rect, self.screen.get_size())
        if changed:
            self._drawing_changed()
        return taken

    def _drawing_changed(self) -> None:
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
            if self.panel.visible and self.panel.text_focused():
                if t == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
                    self.manager.set_focus_set(None)
                else:
                    self.manager.process_events(event)
            elif t == pygame.KEYDOWN:
                action = keys.action_for(event, self.controls.toggles)
                if action is not None:
                    self.perform(action)
            return
        if (t == pygame.MOUSEBUTTONDOWN and (self.help_open or self.diagnostics_lines is not None)
                and self.exhibit_rect.collidepoint(event.pos)):
            self.help_open, self.diagnostics_lines = False, None
            return
        if self.panel.visible:
            consumed = self.manager.process_events(event)
            intent = self.panel.intent(event)
            if intent is not None:
                self._apply_intent(intent)
                return
            if consumed:
                return
        self.show.view.handle_event(event)

    def update(self, dt: float) -> None:
        self.clock_time += dt     # the one clock's time, as the window's loop gives it (recordings keep to it)
        if dt > 0:                # the frame time, smoothed over ~half a second (diagnostics show the frame rate)
            self._frame_dt = dt if self._frame_dt == 0 else 0.95 * self._frame_dt + 0.05 * dt
        self._apply_pending()
        self.show.update(dt)
        self._toast_left = max(0.0, self._toast_left - dt)
        self._rise_left = max(0.0, self._rise_left - dt)
        if self.panel.visible:
            self.panel.sync(self.scene.settings, self.scene.paused, self.capture.recording)
            if self.pad is not None and self.pad.version != self._pad_version:
                self._pad_version = self.pad.version
                self.panel.set_pad_picture(self.pad.render(self.panel.pad_size))
            if self.controls.pad_verdict is not None:
                self.panel.show_verdict(self.controls.pad_verdict(self.scene))
            self.manager.update(dt)

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
            self.manager.draw_ui(self.screen)

    def close(self) -> None:
        """Finish any recording (an unclosed one would be discarded)."""
        self.capture.stop()
