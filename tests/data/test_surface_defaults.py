"""Each surface brings defaults that make sense on it (data/surfaces.py), and they are measured, not guessed: at
its learning rate cold balls descend without leaving the domain, and at its temperature_max at most 1% wander off
in 1,500 steps. A surface chosen without a learning rate brings its own, wherever settings are made."""
import pytest

from data.surfaces import SURFACES
from illumination.core.settings import load_settings
from illumination.exhibits.landscape.settings import LandscapeSettings
from physics.descent import random_starts
from lab.escape import escape_table

BALLS, STEPS = 500, 1500


@pytest.mark.parametrize("name", list(SURFACES))
def test_cold_balls_descend_without_exploding_at_the_surfaces_learning_rate(name):
    surface = SURFACES[name]
    cold, = escape_table(surface=name, balls=BALLS, steps=STEPS, noises=(0.0,), learning_rate=surface.learning_rate)
    assert cold["exploded"] == 0 and cold["mean_final_loss"] < float(surface.loss(surface.lo, surface.lo))


@pytest.mark.parametrize("name", list(SURFACES))
def test_at_most_one_percent_wander_off_at_the_surfaces_hottest_temperature(name):
    surface = SURFACES[name]
    hot, = escape_table(surface=name, balls=BALLS, steps=STEPS, noises=(surface.temperature_max,),
                        learning_rate=surface.learning_rate)
    assert hot["exploded"] <= BALLS // 100, f"{name} at T {surface.temperature_max}: {hot['exploded']} exploded"


@pytest.mark.parametrize("name", list(SURFACES))
def test_balls_are_dropped_inside_the_surfaces_square(name):
    import numpy as np
    surface = SURFACES[name]
    starts = random_starts(surface, 2000, np.random.default_rng(0))
    centre = (surface.lo + surface.hi) / 2
    assert np.abs(starts - centre).max() <= surface.start_half_width
    assert surface.lo <= starts.min() and starts.max() <= surface.hi


def test_a_surface_chosen_without_a_learning_rate_brings_its_own():
    assert load_settings(LandscapeSettings, {"surface": "rosenbrock"}).learning_rate == 1e-4
    assert load_settings(LandscapeSettings, {"surface": "rosenbrock", "learning_rate": 0.002}).learning_rate == 0.002
    chosen = LandscapeSettings(learning_rate=0.05)
    assert chosen.replace(temperature=1.0).learning_rate == 0.05          # other changes keep the chosen rate
    assert chosen.replace(surface="rastrigin").learning_rate == SURFACES["rastrigin"].learning_rate
    assert LandscapeSettings().learning_rate == SURFACES[LandscapeSettings().surface].learning_rate
