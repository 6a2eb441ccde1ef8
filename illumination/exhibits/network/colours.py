"""The Network exhibit's sections of a theme file: the colours of its synapses, neurons, particles and prediction
grid (every built-in theme has them; the exhibit registry registers them with themes/loader.py). Pure data."""
from __future__ import annotations

from dataclasses import dataclass

from themes.loader import RGB, ThemeSection
from themes.schema import colour


@dataclass(frozen=True)
class SynapseColours:
    positive: RGB = colour()
    negative: RGB = colour()


@dataclass(frozen=True)
class NeuronColours:
    body: RGB = colour()  # core of a fully active bulb
    glow: RGB = colour()  # forward pass: activation glow
    halo: RGB = colour()  # backward pass: gradient halo
    sparkle: RGB = colour()
    rim: RGB = colour()  # faint ring that keeps an inactive neuron visible


@dataclass(frozen=True)
class ParticleColours:
    forward: RGB = colour()
    backward: RGB = colour()


@dataclass(frozen=True)
class GridColours:
    correct: RGB = colour()
    incorrect: RGB = colour()
    uncertain: RGB = colour()
    pixel: RGB = colour()


THEME_SECTIONS = (ThemeSection("synapse", SynapseColours, "network"),
                  ThemeSection("neuron", NeuronColours, "network"),
                  ThemeSection("particle", ParticleColours, "network"),
                  ThemeSection("grid", GridColours, "network"))
