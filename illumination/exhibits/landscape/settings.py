"""The Landscape exhibit's settings: every field is a flat scene-file key (`exhibit = "landscape"`), and the fields
a command line sets say so (flag, help and parser: the CLI builds its flags from them)."""
from __future__ import annotations

from dataclasses import dataclass

from data.surfaces import SURFACES
from illumination.core.flags import NumberText, WholeText, WrongKind, is_number
from illumination.core.settings import COMPOSITIONS, SettingsMixin, ranges
from network.optim import ROLLING
from physics.descent import MAX_BALLS, NOISE_MODES
from network.schedules import SCHEDULES
from themes.schema import choice, number, text, whole

VIEWS = ("3d", "map", "valley", "network")  # see scene.py: the 3D surface, from above, a 1D valley, the real net


def _kick_text(text: str) -> float:
    """--noise for the Landscape: the uniform kick's size, a number (a noise spec is the network's kind)."""
    if not is_number(text):
        raise WrongKind(f"--noise for the landscape exhibit is a number (the uniform kick), got {text}")
    return NumberText("noise", zero_ok=True)(text)


@dataclass(frozen=True)
class LandscapeSettings(SettingsMixin):
    exhibit = "landscape"

    seed: int = whole(0, 2**32 - 1, default=42, flag="--seed", parse=WholeText("seed", 0, 2**32 - 1),
                      help="run seed (where the balls start and the noise they feel)")
    surface: str = choice(SURFACES, default="complex", flag="--surface", help="the loss surface")
    optimizer: str = choice(ROLLING, default="momentum", flag="--optimizer", help="how the balls step")
    learning_rate: float = number(1e-5, 10.0, default=0.01, flag="--lr", parse=NumberText("learning rate"),
                                  help="learning rate (a surface chosen without one brings its own)")
    momentum: float = number(0.0, 0.999, default=0.8, flag="--momentum", help="momentum β")
    noise_mode: str = choice(*NOISE_MODES, default="langevin", flag="--noise-mode", help="how the noise acts")
    temperature: float = number(0.0, 100.0, default=0.0,     # T0 of the Langevin step
                                flag="--temperature", help="Langevin temperature T")
    noise: float = number(0.0, 100.0, default=0.0,           # the seed's uniform kick, in uniform mode
                          flag="--noise", parse=_kick_text, help="the uniform kick size (with --noise-mode uniform)")
    schedule: str = choice(SCHEDULES, default="constant", flag="--schedule",
                           help="how the temperature changes over the run")
    balls: int = whole(1, MAX_BALLS, default=1, flag="--balls", help="balls rolling at once")
    speed: float = number(0.1, 2000.0, default=60.0, flag="--speed", view=True,   # steps per second of the clock
                          help="steps per second")
    max_steps: int = whole(1, 10_000_000, default=2000, flag="--steps", help="steps of the run")
    view: str = choice(*VIEWS, default="3d", flag="--view", view=True, help="what is shown")
    composition: str = choice(*COMPOSITIONS, default="explain", flag="--composition", view=True,
                              help="the layout, annotated or the wall's (the exhibit large, a few big words)")
    glow: float = number(0.1, 3.0, default=1.5)
    theme: str = text(default="midnight", flag="--theme", view=True, help="theme name or path to a theme .toml")

    @staticmethod
    def complete(values: dict, given: set) -> dict:
        """A surface chosen without a learning rate brings its own (data/surfaces.py: one at which cold balls
        descend without leaving the domain)."""
        if "surface" in given and "learning_rate" not in given and values.get("surface") in SURFACES:
            values = {**values, "learning_rate": SURFACES[values["surface"]].learning_rate}
        return values


RANGES = ranges(LandscapeSettings)
