"""The Landscape exhibit's settings: every field is a flat scene-file key (`exhibit = "landscape"`)."""
from __future__ import annotations

from dataclasses import dataclass

from data.surfaces import SURFACES
from illumination.core.settings import COMPOSITIONS, SettingsMixin, ranges
from physics.descent import MAX_BALLS, NOISE_MODES, OPTIMIZERS
from network.schedules import SCHEDULES
from themes.schema import choice, number, text, whole

VIEWS = ("3d", "map", "valley", "network")  # see scene.py: the 3D surface, from above, a 1D valley, the real net


@dataclass(frozen=True)
class LandscapeSettings(SettingsMixin):
    exhibit = "landscape"

    seed: int = whole(0, 2**32 - 1, default=42)
    surface: str = choice(*SURFACES, default="complex")
    optimizer: str = choice(*OPTIMIZERS, default="momentum")
    learning_rate: float = number(1e-5, 10.0, default=0.01)
    momentum: float = number(0.0, 0.999, default=0.8)
    noise_mode: str = choice(*NOISE_MODES, default="langevin")
    temperature: float = number(0.0, 100.0, default=0.0)   # T0 of the Langevin step
    noise: float = number(0.0, 100.0, default=0.0)         # the seed's uniform kick, in uniform mode
    schedule: str = choice(*SCHEDULES, default="constant")
    balls: int = whole(1, MAX_BALLS, default=1)
    speed: float = number(0.1, 2000.0, default=60.0)        # steps per second of the clock
    max_steps: int = whole(1, 10_000_000, default=2000)
    view: str = choice(*VIEWS, default="3d")
    composition: str = choice(*COMPOSITIONS, default="explain")   # explain (the window's) or gallery (the wall's)
    glow: float = number(0.1, 3.0, default=1.5)
    theme: str = text(default="midnight")


    @staticmethod
    def complete(values: dict, given: set) -> dict:
        """A surface chosen without a learning rate brings its own (data/surfaces.py: one at which cold balls
        descend without leaving the domain)."""
        if "surface" in given and "learning_rate" not in given and values.get("surface") in SURFACES:
            values = {**values, "learning_rate": SURFACES[values["surface"]].learning_rate}
        return values


RANGES = ranges(LandscapeSettings)
