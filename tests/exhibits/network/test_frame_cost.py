"""The cheaper ways of drawing a frame give the very same pixels as the plain ways they replace, and every cache
they keep stays bounded (a kiosk runs for months). Timings are the bench's business (`illumination bench render`);
these tests check only the pictures and the sizes of the caches."""
import random

import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.draw.sprites import SpriteCache, light_pieces
from illumination.core.loop import advance_until
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network import panels
from illumination.exhibits.network.settings import NetworkSettings as Settings
from illumination.exhibits.network.synapses import PULSE, SynapseLayer
from themes import load_theme


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()


def make_show(size, **changes):
    settings = Settings(**changes)
    return Show(get_exhibit("network"), settings, size, load_theme(settings.theme))


def same(a: pygame.Surface, b: pygame.Surface) -> bool:
    return pygame.image.tobytes(a, "RGB") == pygame.image.tobytes(b, "RGB")


@pytest.mark.parametrize("size,composition,decorations", [((3840, 2160), "gallery", False),
                                                          ((1280, 720), "explain", True),
                                                          ((480, 270), "gallery", True)])
def test_the_output_synapses_drawn_straight_onto_the_frame_are_the_keyed_picture(size, composition, decorations):
    """The output layer's lines, drawn onto the frame each frame, give exactly the pixels of copying its picture
    by colour key (the way it was drawn before), plain and pulsed, with and without flow dots."""
    show = make_show(size, composition=composition, decorations=decorations)
    advance_until(show.scene, 3)
    show.draw(pygame.Surface(size))
    view, weights = show.view, show.scene.snapshot.weights
    direct = view.second_layer
    assert direct.mode == "direct" and direct.front is None          # no picture kept
    keyed = SynapseLayer(np.array(direct.starts) + direct.rect.topleft, np.array(direct.ends) + direct.rect.topleft,
                         direct.rect, direct.reference, direct.scale, pass_frames=1, keyed=True)
    colours = view.palette.synapse.positive, view.palette.synapse.negative
    for layer in (direct, keyed):
        layer.dots = decorations
        layer.forget()
        layer.update(weights["W2"], 1.0, *colours, immediate=True)
    for pulsing in (False, True):
        a, b = view.background.copy(), view.background.copy()
        direct.draw(a, pulsing)
        keyed.draw(b, pulsing)
        assert same(a, b)


@pytest.mark.parametrize("size", [(3840, 2160), (1280, 720)])
def test_the_stage_recomposed_band_by_band_is_background_plus_lines_plus_pulse(size):
    """The stage's two bases, recomposed a few bands per frame, are exactly background + the first layer's lines
    (plain) and that + the lines times PULSE (pulsed); no single frame does more than its share."""
    show = make_show(size, composition="gallery")
    advance_until(show.scene, 3)
    show.draw(pygame.Surface(size))
    view = show.view
    layer, stage = view.first_layer, view.stage
    plain = view.background.copy()
    plain.blit(layer.front, layer.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
    pulse = layer.front.copy()
    pulse.fill(PULSE, special_flags=pygame.BLEND_RGB_MULT)
    pulsed = plain.copy()
    pulsed.blit(pulse, layer.rect.topleft, special_flags=pygame.BLEND_RGB_ADD)
    stage.plain.fill((0, 0, 0))
    stage.pulsed.fill((0, 0, 0))
    stage.rebuild_soon()
    frames = 0
    while stage.busy:
        stage.work()
        frames += 1
    assert same(stage.plain, plain) and same(stage.pulsed, pulsed)
    assert frames >= (2 if size[0] > 2000 else 1)


def test_light_pieces_add_exactly_the_sprite():
    """A glow added as its lit pieces is the glow added whole, over any picture."""
    rng = np.random.default_rng(3)
    for radius, colour, falloff, core in ((300, (200, 120, 60), 2.4, 0.0), (60, (90, 160, 255), 3.0, 0.9),
                                          (10, (255, 255, 255), 2.4, 0.0)):
        sprite = SpriteCache.make(radius, colour, falloff, core)
        pieces = light_pieces(sprite)
        if radius >= 60:
            area = sum(piece.get_width() * piece.get_height() for piece, _ in pieces)
            assert area < 0.8 * sprite.get_width() * sprite.get_height()
        base = pygame.surfarray.make_surface(rng.integers(0, 256, (700, 700, 3), dtype=np.uint8))
        whole, cut = base.copy(), base.copy()
        whole.blit(sprite, (7, -3), special_flags=pygame.BLEND_RGB_ADD)
        cut.fblits([(piece, (7 + dx, -3 + dy)) for piece, (dx, dy) in pieces], pygame.BLEND_RGB_ADD)
        assert same(whole, cut)


@pytest.mark.parametrize("size,composition", [((1920, 1080), "explain"), ((3840, 2160), "gallery"),
                                              ((812, 648), "explain"), ((1080, 1920), "gallery")])
def test_the_grid_painted_tile_by_tile_is_the_grid_painted_whole(size, composition):
    """The test-sample grid repaints only the tiles whose border, class mark or highlight changed: after any
    sequence of changes it is the grid painted from scratch."""
    show = make_show(size, composition=composition)
    view = show.view
    show.draw(pygame.Surface(size))
    p, rng = view.palette, random.Random(7)
    colours = [p.grid.correct, p.grid.uncertain, p.grid.incorrect]
    looks = [(colours[0], 0, 90)] * 20
    dim = 0.55 if composition == "gallery" else 1.0
    for _ in range(25):
        looks = [(rng.choice(colours), rng.randrange(2), 50) if rng.random() < 0.3 else look for look in looks]
        show.scene.shown_index = rng.randrange(20)
        incremental = pygame.Surface(size)
        panels.draw_grid(view, incremental, looks, dim=dim)
        kept, view._grid_cache = view._grid_cache, None
        whole = pygame.Surface(size)
        panels.draw_grid(view, whole, looks, dim=dim)
        view._grid_cache = kept
        assert same(incremental, whole)


def test_the_views_caches_stay_bounded_over_many_runs_and_seeds():
    """A kiosk draws for months: fast runs of many seeds (each a new run: the view rebuilds its caches) and a long
    trained tail, and no cache grows past its bound. The bounds are the caches' own caps or what their keys can
    take (levels × bulbs), checked against numbers that do not depend on how long the run was."""
    from illumination.core.clock import FixedClock
    from illumination.exhibits.network import lights
    from illumination.exhibits.network.synapses import LEVELS
    show = make_show((480, 270), composition="gallery", speed=300.0, max_epochs=40, decorations=True)
    scene, clock, surface = show.scene, FixedClock(60), pygame.Surface((480, 270))
    sizes = []
    for seed in range(6):
        scene.reset(seed=seed)
        for frame in range(240):          # 40 epochs at 300 epochs/s, then the trained network cycling samples
            scene.update(clock.tick())
            show.draw(surface)
        view = show.view
        hidden, outputs = view.layout.hiddens.shape[0], 2
        keys = 3 * 3 * (lights.LIGHT_LEVELS + 1) * 2          # kinds × layers × levels × winner
        assert len(view.lights.sprites) <= keys and len(view.lights._pieces) <= keys
        assert len(view.lights._placed) <= lights.PLACED_CAP
        assert len(view.lights._placed) <= (64 + hidden + outputs) * keys
        assert len(view.text._cache) <= view.text.max_entries
        assert len(view.sprites) <= view.sprites.max_entries
        assert len(view.second_layer._brighter) <= 4 * (LEVELS + 1) + 2 * (LEVELS + 1)
        assert view._grid_cache is not None and len(view._grid_cache[2]) == 20     # one panel, its 20 tiles
        sizes.append((len(view.lights.sprites), len(view.lights._placed), len(view._particle_sprites)))
    # The particle sprite table is keyed by quantised radius and brightness: it saturates, it does not creep.
    assert max(s[2] for s in sizes) <= 2 * 64 * 49 * 2


def test_light_made_ahead_is_the_light_made_when_needed_and_outlives_a_run():
    """At 4K the big blooms and halos are made when the view is built; each has the pixels of the same sprite made
    on the frame that needs it, and a new run of the same network keeps them (nothing they depend on changed)."""
    from illumination.exhibits.network.lights import AHEAD_SIDE, LIGHT_LEVELS, OUTPUT_LIGHT_LEVELS, BulbLights
    show = make_show((3840, 2160), composition="gallery")
    view = show.view
    ahead = dict(view.lights.sprites)
    assert ahead and all(sprite.get_width() >= AHEAD_SIDE for sprite in ahead.values())
    fresh = BulbLights()
    fresh.key = view.lights.key                                  # configured, but nothing made yet
    L = view.layout
    for (kind, layer, level, winner), sprite in ahead.items():
        output = layer == len(view.layout_columns) - 1
        radius = L.output_radius if output else L.hidden_radius
        levels = OUTPUT_LIGHT_LEVELS if output else LIGHT_LEVELS
        value = round(level / 1000 * levels) / levels                 # the level as the frame computes it
        assert same(sprite, fresh.sprite(view, kind, layer, radius, value, winner, output))
    show.scene.reset(seed=7)
    show.draw(pygame.Surface((3840, 2160)))
    assert all(show.view.lights.sprites.get(key) is sprite for key, sprite in ahead.items())
    show.scene.settings = show.scene.settings.replace(glow=show.scene.settings.glow * 0.5)
    show.draw(pygame.Surface((3840, 2160)))
    assert not any(show.view.lights.sprites.get(key) is sprite for key, sprite in ahead.items())
