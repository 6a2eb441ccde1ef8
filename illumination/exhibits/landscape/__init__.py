"""The Landscape exhibit: an optimizer is a ball rolling on a loss surface, and noise (temperature) lets it
escape the basins it would otherwise settle in. One ball, or ten thousand at once.

settings.py (its scene-file keys) · scene.py (state: the balls, the first ball's trail and data log, the
histories; the physics is physics/descent.py, the surfaces data/surfaces.py) with camera.py (the 3D view's orbit)
and probe.py (the real network's loss plane) · view.py (drawing, in the explain or gallery composition) with one
module per view: perspective.py (3d), topdown.py (map), valley.py, netslice.py (network), and relief.py, marks.py,
panel.py, gallery.py, story.py · controls.py (the desktop panel) · bench.py (`illumination bench landscape`).
Importing this package is cheap: the scene, view and bench load on first use.
"""
from __future__ import annotations

from illumination.core.scene import Exhibit
from illumination.exhibits.landscape.colours import THEME_SECTIONS
from illumination.exhibits.landscape.settings import LandscapeSettings

ABOUT = ("What you are seeing", (
    "Every point of this map is a loss: how wrong a model would be with the two settings at that spot. "
    "Bright is high, dark is low.",
    "The balls are optimizers. Each one feels the slope under it and steps downhill, again and again: that "
    "is gradient descent, the engine of all machine learning.",
    "Cold balls stop in the first valley they meet. A little heat, random jostling, lets them climb out and "
    "find deeper ones. Too much heat and they never settle.",
    "Nothing here is decoration: every light is a ball's real position, every colour of the trail the "
    "temperature it felt at that step.",
))


def _make_scene(settings):
    from illumination.exhibits.landscape.scene import LandscapeScene
    return LandscapeScene(settings)


def _make_view(scene, size, theme):
    from illumination.exhibits.landscape.view import LandscapeView
    return LandscapeView(scene, size, theme)


def _controls():
    from illumination.exhibits.landscape.controls import landscape_controls
    return landscape_controls()


def _sound(scene):
    from illumination.exhibits.landscape.sonify import frame_sound
    return frame_sound(scene)


def _touch(scene, view, pos):
    """A visitor's touch at pos: ball 1 is dropped on the surface point under it (None: not on the surface)."""
    point = view.surface_point(pos)
    return None if point is None else scene.drop_ball(*point)


def _bench(size, frames, **options):
    from illumination.exhibits.landscape.bench import bench
    return bench(EXHIBIT, size, frames, **options)


EXHIBIT = Exhibit(name="landscape", title="Landscape", settings=LandscapeSettings, make_scene=_make_scene,
                  make_view=_make_view, about=ABOUT, count_unit="steps", count_setting="max_steps",
                  controls=_controls, bench=_bench, sound=_sound, touch=_touch, theme_sections=THEME_SECTIONS,
                  kiosk_settings=(("composition", "gallery"),),   # the wall's layout unless an item says otherwise
                  # an update takes at most MAX_STEPS_PER_UPDATE (400) steps; half of that leaves a margin
                  longest_update=lambda settings: 200.0 / settings.speed)
