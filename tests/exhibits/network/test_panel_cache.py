"""The explain panels are copied between changes (panel_cache.py): every frame must equal a frame drawn fresh."""
import numpy as np
import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network.settings import NetworkSettings as Settings
from themes import load_theme


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()
    yield


def frames_match(size, frames=420, events=(), **changes):
    """Draw every frame of a run twice, with the panel cache and without it (a second view of the same scene),
    and compare the pixels. events: (frame, callable(scene)) applied before that frame's update."""
    settings = Settings(composition="explain", **changes)
    exhibit = get_exhibit("network")
    show = Show(exhibit, settings, size, load_theme(settings.theme))
    fresh = exhibit.make_view(show.scene, size, show.theme)
    fresh.panel_cache.enabled = False
    cached, reference = pygame.Surface(size), pygame.Surface(size)
    clock, todo = FixedClock(60), dict(events)
    for frame in range(frames):
        if frame in todo:
            todo[frame](show.scene)
        show.update(clock.tick())
        show.draw(cached)
        fresh.draw(reference)
        assert pygame.image.tobytes(cached, "RGB") == pygame.image.tobytes(reference, "RGB"), f"frame {frame}"
    return show.view.panel_cache


def test_cached_panels_equal_fresh_ones_through_phases_and_epochs():
    cache = frames_match((640, 360), speed=6.0)
    assert cache.copied > 3 * cache.painted      # the cache does its job: most frames copy the panels


@pytest.mark.parametrize("changes", [
    dict(noise_mode="sgld", noise_magnitude=1e-3, schedule="cosine", speed=20.0),   # gauges move every step
    dict(hidden_layers=2, theme="original", decorations=True, speed=10.0),
    dict(theme="print", speed=30.0, max_epochs=40),                                 # light theme; runs to the end
])
def test_cached_panels_equal_fresh_ones_in_other_settings(changes):
    frames_match((960, 540), frames=300, **changes)


def test_cached_panels_follow_a_drawing_a_pause_and_a_step():
    outline = np.zeros((8, 8))
    outline[2:6, 2] = outline[2:6, 5] = outline[2, 2:6] = outline[5, 2:6] = 1.0

    def pause(scene):
        scene.paused = True

    def draw(scene):
        scene.show_drawing(outline.reshape(64))

    def step(scene):
        scene.step_once()

    def resume(scene):
        scene.paused = False

    frames_match((1080, 1920), frames=240, events=((40, pause), (60, draw), (80, step), (120, resume)), speed=4.0)
