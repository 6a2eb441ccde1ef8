"""What the Landscape is doing now, in a visitor's words: a pure function of the scene's numbers.

The gallery composition shows a few large words that follow the physics, like the Network's phases. Each
sentence is read off the run: the temperature the balls feel now (the schedule at work), the temperature the
run started from, and the share of balls in the deepest basin. Nothing here draws; the tests change the
temperature and watch the words change.
"""
from __future__ import annotations

from dataclasses import dataclass

COOLING_BELOW = 0.8     # the temperature has fallen under this share of where it started: the run is cooling
COLD_BELOW = 0.01       # … under this share (or zero): cold again, the balls stay where they are


@dataclass(frozen=True)
class Story:
    word: str            # the large word: what is happening
    line: str            # one sentence under it
    colour: str          # "cold", "hot" or "accent": which of the theme's colours says it
    figure: str          # the one number that matters, large ("39%")
    figure_line: str     # what that number is
    detail: str          # a quiet line of the numbers behind the words


def temperature_heat(temperature: float) -> float:
    """Where a temperature sits between the theme's cold and hot colours: T / (1 + T), 0 at T = 0, ½ at T = 1."""
    return max(temperature, 0.0) / (1.0 + max(temperature, 0.0))


def landscape_story(scene) -> Story:
    s = scene.settings
    if scene.probe is not None:
        trainer = scene.probe.trainer
        where = ("its loss on the plane of its own path, measured every epoch" if scene.probe.path_on_slice else
                 "its loss on a plane through its weights, measured every epoch")
        return Story("its own landscape", where, "accent", f"{scene.probe.centre_loss:.3f}", "its loss now",
                     f"epoch {trainer.epoch} · {trainer.test_accuracy * 100:.0f}% right on unseen shapes")
    balls = scene.balls
    temperature = float(balls.noise_level)
    start = s.temperature if s.noise_mode == "langevin" else s.noise
    counts = scene.basin_counts()
    share = counts.in_global_basin / max(balls.count, 1)
    symbol = "T" if s.noise_mode == "langevin" else "kick"
    # no step count here: a line that changes every frame costs a text render every frame, and the wall needs none
    detail = f"{symbol} = {temperature:.2f} · {s.optimizer}, η {s.learning_rate:g}"
    if s.view == "valley":
        return Story("one valley", "each step goes downhill by the slope times the learning rate", "accent",
                     f"{scene.surface.loss(*balls.position[:, 0]):.3f}", "the ball's loss", detail)
    many = balls.count > 1
    figure = f"{share * 100:.0f}%" if many else ("deepest" if counts.in_global_basin else "a side valley")
    figure_line = "in the deepest valley" if many else "where the ball rests"
    if start <= 0 or temperature <= COLD_BELOW * start:
        if start > 0:
            return Story("cooled", f"{share * 100:.0f}% found the deepest valley" if many else
                         ("the ball found the deepest valley" if counts.in_global_basin else
                          "the ball froze in a side valley"), "cold", figure, figure_line, detail)
        return Story("cold", "every ball stays in the first pit it finds" if many else
                     "the ball stays in the first pit it finds", "cold", figure, figure_line, detail)
    if temperature < COOLING_BELOW * start:
        return Story("cooling", "the balls settle: only the deepest valleys hold them", "cold", figure, figure_line,
                     detail)
    return Story("warm", "balls leap out of their pits" if many else "the ball leaps out of its pits", "hot", figure,
                 figure_line, detail)
