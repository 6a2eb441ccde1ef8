"""The original page's decorations: drawn from the same numbers, on any theme, and off by default."""
import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.loop import advance_until
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network import decorations
from illumination.exhibits.network.settings import NetworkSettings as Settings
from illumination.exhibits.network.synapses import SynapseLayer
from themes import load_theme


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()


def lit_pixels(weight: float, dots: bool) -> int:
    layer = SynapseLayer(np.array([[10.0, 50.0]]), np.array([[290.0, 50.0]]), pygame.Rect(0, 0, 300, 100),
                         reference=0.5, scale=1.0)
    layer.dots = dots
    layer.update(np.array([weight]), 1.0, (90, 160, 255), (255, 140, 60), immediate=True)
    return int(np.count_nonzero(pygame.surfarray.array3d(layer.front).sum(axis=2)))


def test_flow_dots_bead_strong_synapses_only():
    assert lit_pixels(0.5, dots=True) > lit_pixels(0.5, dots=False)          # beads wider than the line
    assert lit_pixels(0.05, dots=True) == lit_pixels(0.05, dots=False)        # |w| ≤ 0.1: no dots, as on the page


def make_show(**changes):
    settings = Settings(**changes)
    return Show(get_exhibit("network"), settings, (960, 540), load_theme(settings.theme))


def test_a_gradients_arrow_points_back_towards_the_inputs():
    show = make_show(decorations=True)
    view = show.view
    pool = show.scene.particles
    pool.clear()
    c = 64 * 16 + 3                                   # an output-layer connection: hidden 1 → circle
    for backward in (False, True):
        pool.clear()
        pool.spawn(np.array([c]), np.array([0.0]), np.array([3.0]), np.array([1.0]), backward)
        pool.t[np.flatnonzero(pool.active)] = 0.5
        surface = pygame.Surface(show.size)
        idx, positions = pool.positions(view.starts, view.ends)
        decorations.draw_arrows(view, surface, idx, positions, [6.0])
        drawn = np.argwhere(pygame.surfarray.array3d(surface).sum(axis=2) > 0)   # (k, 2) x, y of the arrow
        towards = (view.ends[c] - view.starts[c]) * (-1 if backward else 1)
        offset = drawn.mean(axis=0) - positions[0]
        assert offset @ towards > 0                   # ahead of the particle, the way it travels


@pytest.mark.parametrize("theme", ["midnight", "original"])
def test_decorations_are_off_by_default_and_change_the_picture_when_on(theme):
    frames = {}
    for on in (False, True):
        show = make_show(theme=theme, decorations=on, seed=3)
        advance_until(show.scene, 3)
        surface = pygame.Surface(show.size)
        for _ in range(3):
            show.draw(surface)
        frames[on] = pygame.surfarray.array3d(surface).astype(int)
    assert Settings().decorations is False
    assert np.abs(frames[True] - frames[False]).sum(axis=2).astype(bool).mean() > 0.01
