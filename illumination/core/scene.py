"""What every exhibit provides, so the window, the kiosk and export can run any of them without knowing which.

An exhibit is three things, described by one `Exhibit` record (registered in `illumination/exhibits/`):
- a **Scene**: the state. `update(dt)` changes it (and is the only place random numbers are drawn);
  everything a mode asks (settings, pause, reset, step, status, caption, durations) goes through it;
- a **View**: the drawing, built by the mode from the scene for one size and theme. `draw(surface)` reads the
  scene and never changes it; a view may keep caches of its own, and says in its docstring which;
- its **settings** dataclass (one flat scene-file format for all exhibits, see core/settings.py), an about-text
  for visitors, and the desktop controls it offers.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable


class Scene(ABC):
    #: registry name of the exhibit ("network", "landscape" …)
    name: str = "scene"
    #: clock seconds since the run started; the view reads it for gentle motion (rotations, pulses)
    time: float = 0.0

    def __init__(self, settings):
        self.settings = settings
        self.paused = False
        self.divergences = 0   # how many times the run ran away and restarted itself
        self.message = ""      # a calm one-line caption about the run's state ("" when there is nothing to say)
        self.run = 0           # incremented by every reset: a view rebuilds what depends on the run's data
        #: moments the sound marks with a calm sign, by name ("trained", "restarted"): the scene time each happened
        self.moments: dict[str, float] = {}

    @abstractmethod
    def update(self, dt: float) -> None:
        """Advance the exhibit by dt seconds of the clock."""

    def apply_settings(self, settings) -> None:
        """Live changes of the settings (a new seed may restart the run: the exhibit decides)."""
        self.settings = settings

    def reset(self, seed: int | None = None) -> None:
        """Start the run again (optionally with another seed)."""
        if seed is not None:
            self.settings = self.settings.replace(seed=seed)
        self.run += 1
        self.moments.pop("trained", None)     # a new run has not been trained yet

    def mark(self, moment: str) -> None:
        """Note that a moment happened now (the sound's calm signs read `moments`)."""
        self.moments[moment] = self.time

    def note_trained(self) -> None:
        """Call after advancing the run: the first time it is finished, mark the moment "trained"."""
        if self.finished and "trained" not in self.moments:
            self.mark("trained")

    #: where the exhibit's training log goes (a callable taking one event dict), or None
    log_sink = None

    def attach_log(self, sink) -> None:
        """Send this exhibit's training reports (network/trainlog.py) to sink, run after run; most have none."""
        self.log_sink = sink

    #: where the exhibit's step_metrics events go (--metrics-out / --serve-metrics in the window), or None
    metrics_sink = None

    def attach_metrics(self, publish) -> None:
        """Send this exhibit's metric events to publish(event), run after run; most exhibits have none."""
        self.metrics_sink = publish

    def step_once(self) -> str | None:
        """One step while paused (the Step action); returns a message when it cannot step, else None."""
        return "This exhibit has no single step."

    @property
    def finished(self) -> bool:
        """True once the run has reached its end state (it keeps showing that state)."""
        return False

    @property
    def ended(self) -> bool:
        """True when advancing the clock changes nothing more about the run (finished, or stopped for good)."""
        return self.finished

    def position(self) -> float:
        """How far the run has come, in the exhibit's count unit (`Exhibit.count_unit`: epochs, steps …)."""
        return 0.0

    def run_seconds(self) -> float | None:
        """Clock seconds the whole run takes at the current settings (export's default length), if it ends."""
        return None

    def status(self) -> dict:
        """Plain numbers describing the state (for logs, JSON output and the kiosk)."""
        return {"seed": self.settings.seed}

    def caption(self) -> str:
        """A quiet one-line summary of the run, shown while the kiosk holds its end state."""
        return f"seed {self.settings.seed}"

    def diagnostics(self) -> list[str] | None:
        """The run's health as monospace lines (the window's diagnostics), or None if it has none."""
        return None

    def provoke_divergence(self) -> bool:
        """Make the live run diverge for real (the kiosk's fault drill); False if this exhibit cannot."""
        return False

    def benchmark_figures(self) -> dict:
        """Extra numbers `bench render` reports (JSON keys are contracts: name them once, keep them)."""
        return {}


class View(ABC):
    """Draws one scene at one size in one theme. Built by the mode: `exhibit.make_view(scene, size, theme)`."""

    def __init__(self, scene: Scene, size: tuple[int, int], theme):
        self.scene = scene
        self.size = (int(size[0]), int(size[1]))
        self.theme = theme

    @abstractmethod
    def draw(self, surface) -> None:
        """Draw the scene's current state onto a pygame Surface of `size`. Never changes the scene."""

    def handle_event(self, event) -> bool:
        """A pointer or key event over the exhibit (orbit a camera …); True if it was used."""
        return False

    def benchmark_figures(self) -> dict:
        return {}


@dataclass(frozen=True)
class Exhibit:
    name: str
    title: str
    settings: type                                      # its frozen settings dataclass (SettingsMixin)
    make_scene: Callable                                 # (settings) -> Scene
    make_view: Callable                                  # (scene, size, theme) -> View
    about: tuple = ("What you are seeing", ())           # (title, paragraphs): the kiosk's visitor overlay
    count_unit: str = ""                                 # a playlist item may run for N of these ("epochs")
    count_setting: str = ""                              # … which sets this setting to N ("max_epochs")
    converge_setting: str = ""                           # until = "converged" turns this bool setting on
    kiosk_settings: tuple = ()                           # ((key, value), …) the kiosk uses unless an item sets
    #                                                      the key (the network's wall composition: "gallery")
    controls: Callable | None = None                     # () -> core.controls.Controls: the desktop panel's
    #                                                      controls, built lazily (None: settings-free panel)
    #: (settings) -> the longest clock step one update may take without the run losing work to its catch-up
    #: cap: the headless kiosk soak updates at least this often
    longest_update: Callable = lambda settings: 0.5
    #: (event) -> the readable lines of one of its training-log events (Scene.attach_log): how the kiosk writes
    #: them in its log without knowing what they say; by default the event as it is
    describe_log: Callable = lambda event: (str(event),)
    #: (size, frames, **options) -> dict: the figures of `illumination bench <name>` for an exhibit that has a
    #: bench of its own (the Landscape's camera and stage), or None
    bench: Callable | None = None
    #: its own sections of a theme file (themes.loader.ThemeSection, declared in its package), which the exhibit
    #: registry registers with the theme loader
    theme_sections: tuple = ()
    #: (scene) -> (tones, noise loudness): what this frame sounds like (core/sound.py plays it), or None: silent
    sound: Callable | None = None
    #: (scene, view, (x, y)) -> a line saying what a visitor's touch at that screen position did (the Landscape
    #: drops a ball there), or None when a touch there means nothing (the kiosk then explains the lights instead)
    touch: Callable | None = None
