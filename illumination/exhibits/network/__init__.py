"""The Network exhibit: a 64-16-2 MLP learning circles from squares, live, drawn as light.

settings.py (its scene-file keys) · trainer.py (the run from a seed) · scene.py (state: training, phases,
particles) · view.py (drawing) with layout, synapses, stage, panels, live_math · controls.py and drawpad.py
(the desktop panel) · diagnostics.py. Importing this package is cheap: the scene and view load on first use.
"""
from __future__ import annotations

from illumination.core.scene import Exhibit
from illumination.exhibits.network.colours import THEME_SECTIONS
from illumination.exhibits.network.settings import NetworkSettings

ABOUT = ("What you are seeing", (
    "A small neural network is learning, live, to tell circles from squares in 8×8 pictures.",
    "Each glowing bulb is a neuron: the brighter it glows, the more strongly it fires.",
    "The lines are synapses, its weights: thickness shows strength, colour shows the sign.",
    "Particles flowing right carry the signal to a guess; flowing back they carry the error "
    "that nudges every weight a little. That is learning.",
    "Nothing here is decoration: every light is a number the network is computing right now.",
))


def _make_scene(settings):
    from illumination.exhibits.network.scene import NetworkScene
    return NetworkScene(settings)


def _make_view(scene, size, theme):
    from illumination.exhibits.network.view import NetworkView
    return NetworkView(scene, size, theme)


def _controls():
    from illumination.exhibits.network.controls import network_controls
    return network_controls()


def _sound(scene):
    from illumination.exhibits.network.sonify import frame_sound
    return frame_sound(scene)


def _describe_log(event):
    from network.trainlog import describe
    return describe(event)


EXHIBIT = Exhibit(name="network", title="Network", settings=NetworkSettings, make_scene=_make_scene,
                  make_view=_make_view, about=ABOUT, count_unit="epochs", count_setting="max_epochs",
                  converge_setting="early_stop", controls=_controls, describe_log=_describe_log, sound=_sound,
                  theme_sections=THEME_SECTIONS,
                  kiosk_settings=(("composition", "gallery"),),   # the wall's layout unless an item says otherwise
                  # an update catches up at most ~4 epochs (scene.py); half of that leaves a margin
                  longest_update=lambda settings: 2.0 / settings.speed)
