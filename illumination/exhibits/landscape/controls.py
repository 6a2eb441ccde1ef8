"""The Landscape exhibit's desktop controls: menus for the surface, optimizer, noise, schedule and view, and
sliders (friendly ranges inside the settings' own) for the physics and the look. No toggles, no pad."""
from __future__ import annotations

from data.surfaces import SURFACES
from illumination.core.controls import Choice, Controls, SliderSpec
from illumination.core.settings import COMPOSITIONS
from illumination.exhibits.landscape.settings import RANGES, VIEWS
from network.optim import ROLLING
from network.schedules import SCHEDULES
from physics.descent import NOISE_MODES


def _slider(key: str, *args, **kw) -> SliderSpec:
    return SliderSpec(key, *args, integer=RANGES[key][0] is int, **kw)


def physics() -> tuple:
    """The Physics page, its menus read from the registries when the panel is built (a surface or an optimizer
    registered by then is on them)."""
    return (Choice("surface", "Surface", tuple(SURFACES), tuple(s.display_name for s in SURFACES.values())),
            Choice("optimizer", "Optimizer", tuple(ROLLING), tuple(o.menu for o in ROLLING.values())),
            *PHYSICS_SLIDERS[:2],
            Choice("noise_mode", "Noise", NOISE_MODES, ("Langevin (T)", "Uniform kick")),
            *PHYSICS_SLIDERS[2:],
            Choice("schedule", "Cooling", tuple(SCHEDULES)))


PHYSICS_SLIDERS = (
    # the 2D simulator calls the learning rate "Speed": how far one step goes; raise it to watch the ball overshoot
    _slider("learning_rate", "Learning rate (step size)", 0.001, 10.0),
    _slider("momentum", "Momentum β", 0.0, 0.99, 0.01),
    _slider("temperature", "Temperature T (Langevin)", 0.0, 10.0, 0.05,
            detail=lambda settings, value: f" · this surface: up to {SURFACES[settings.surface].temperature_max:g}"),
    _slider("noise", "Kick n (uniform noise)", 0.0, 10.0, 0.1),
)
RUN = (
    Choice("view", "View", VIEWS, ("3D surface", "Map from above", "Valley (1D)", "Real network")),
    Choice("composition", "Composition", COMPOSITIONS, ("Explain (annotated)", "Gallery (for the wall)")),
    _slider("balls", "Balls", 1, 100_000),
    _slider("speed", "Speed", 1.0, 2000.0, unit="steps/s"),
    _slider("max_steps", "Max steps", 100, 1_000_000),
    _slider("glow", "Glow", 0.1, 3.0, 0.1),
)


def landscape_controls() -> Controls:
    return Controls(pages=(("Physics", physics(), ()), ("Run", RUN, ())))
