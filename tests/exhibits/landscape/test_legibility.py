"""The Landscape on the shared type scale: in both compositions and every view, at the kiosk's and export's stage
sizes and in the window's share of a 1366x768 screen, no text is under the 13 px floor and no two texts' ink
touch (the same rule as the Network's, tests/exhibits/network/test_compositions.py)."""
import itertools

import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.draw.typescale import TYPE_FLOOR_PX
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape.settings import VIEWS, LandscapeSettings
from themes import load_theme

SIZES = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920), (1366 - 340, 768)]


@pytest.fixture(autouse=True)
def headless():
    init_headless()


@pytest.mark.parametrize("composition", ["explain", "gallery"])
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_text_is_legible_and_never_overlaps(size, view, composition):
    settings = LandscapeSettings(composition=composition, view=view, balls=500, temperature=1.0, schedule="cosine",
                                 speed=60.0)
    show = Show(get_exhibit("landscape"), settings, size, load_theme("midnight"))
    cache = show.view.text
    for moment in (0.0, 2.0, 6.0):
        show.update(moment)
        cache.record = []
        show.draw(pygame.Surface(size))
        drawn = cache.record
        assert len(drawn) >= (5 if composition == "gallery" else 8), (moment, [t for t, _, _ in drawn])
        for text, ink, em in drawn:
            assert em >= TYPE_FLOOR_PX, (moment, text, em)
            assert show.view.design.size == size and pygame.Rect((0, 0), size).contains(ink), (text, ink)
        for em in {em for _, _, em in drawn}:
            assert cache.render("Hg", em, (255, 255, 255)).get_bounding_rect(min_alpha=8).height >= 12
        for (a, ra, _), (b, rb, _) in itertools.combinations(drawn, 2):
            assert not ra.colliderect(rb), f"{moment}: {a!r} {ra} overlaps {b!r} {rb}"
        column = getattr(show.view.stage, "words_right", None)
        if composition == "gallery" and column is not None and not show.view.design.portrait:
            picture = show.view.stage.rect
            for text, ink, _ in drawn:     # the gallery's words keep to their column: none runs onto the map
                assert not ink.colliderect(picture) or picture.contains(ink), (moment, text, ink, picture)
