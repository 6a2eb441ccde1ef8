"""A frame covers every pixel: whatever the surface held before (the last frame, garbage), drawing the same state
gives the same picture. (The Landscape's explain view in portrait once left its panel uncleared, so each frame's
numbers were written over the last ones.)"""
import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit

CASES = [("network", {}), ("landscape", {"view": "3d"}), ("landscape", {"view": "map"}),
         ("landscape", {"view": "valley"}), ("landscape", {"view": "network"})]


@pytest.fixture(autouse=True)
def headless():
    init_headless()


@pytest.mark.parametrize("size", [(800, 450), (450, 800)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("composition", ["explain", "gallery"])
@pytest.mark.parametrize("name, settings", CASES, ids=[f"{n}-{s.get('view', '')}" for n, s in CASES])
def test_drawing_over_anything_gives_the_same_frame(name, settings, composition, size):
    exhibit = get_exhibit(name)
    show = make_show(exhibit, exhibit.settings().replace(composition=composition, **settings), size)
    for _ in range(10):
        show.update(1 / 30)
    warm = pygame.Surface(size)
    show.draw(warm)                                  # the view's caches are built now
    frames = []
    for fill in ((255, 0, 255), (0, 0, 0)):
        surface = pygame.Surface(size)
        surface.fill(fill)
        show.draw(surface)
        frames.append(pygame.surfarray.array3d(surface))
    different = np.any(frames[0] != frames[1], axis=2)
    assert not different.any(), f"{different.sum()} pixels keep what was under them, e.g. at {np.argwhere(different)[0]}"
