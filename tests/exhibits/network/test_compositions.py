"""The two compositions: both true (the truth tests), both legible (type floor, no overlapping text), both golden."""
import itertools
from pathlib import Path

import numpy as np
import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.loop import advance_until
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network.layout import TYPE_FLOOR_PX
from illumination.exhibits.network.settings import NetworkSettings as Settings
from themes import load_theme

GOLDEN = Path(__file__).parent / "golden"
COMPOSITIONS = ("explain", "gallery")


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()
    yield


def make_show(size=(640, 360), **changes):
    settings = Settings(**changes)
    return Show(get_exhibit("network"), settings, size, load_theme(settings.theme))


def pixels(show):
    surface = pygame.Surface(show.size)
    show.draw(surface)
    return pygame.surfarray.array3d(surface).astype(int)        # (w, h, 3)


def moments(show):
    """Yield at a forward pass, a backward pass, paused, and the trained state (each drawn by the caller)."""
    scene, clock = show.scene, FixedClock(60)
    advance_until(scene, 2)
    for phase in ("forward", "backward"):
        for _ in range(600):
            if scene.phase == phase and 0.4 < scene.progress < 0.6:
                break
            scene.update(clock.tick())
        assert scene.phase == phase
        yield phase
    scene.paused = True
    yield "paused"
    scene.paused = False
    advance_until(scene, scene.settings.max_epochs)
    yield "trained"


# Whole stages (the kiosk, export) at 720p, 1080p, 4K and a portrait screen, and the exhibit's share of the window
# (the window minus its 340 px panel) at 800x1000, 1280x720, 1366x768, 1920x1080, 2560x1440 and 3840x2160.
WINDOWS = [(800, 1000), (1280, 720), (1366, 768), (1920, 1080), (2560, 1440), (3840, 2160),
           (1152, 648), (1229, 691)]     # the default window (90% of the screen) on 1280x720 and 1366x768 screens
STAGES = [(1280, 720), (1920, 1080), (3840, 2160), (1080, 1920)] + [(w - 340, h) for w, h in WINDOWS]


@pytest.mark.parametrize("composition", COMPOSITIONS)
@pytest.mark.parametrize("size, hidden_layers", [(size, 1) for size in STAGES] +
                         [(size, 2) for size in ((1280, 720), (1920, 1080), (1080, 1920), (460, 1000))])
def test_text_is_legible_and_never_overlaps(composition, size, hidden_layers):
    """No text under the floor (its capitals-to-descenders ink at least 12 px), and no two texts' ink touching."""
    show = make_show(size=size, composition=composition, max_epochs=6, speed=1.0, hidden_layers=hidden_layers)
    cache = show.view.text
    for moment in moments(show):
        cache.record = []
        pixels(show)
        drawn = cache.record
        assert len(drawn) >= (6 if composition == "gallery" else 30), moment
        for text, ink, em in drawn:
            assert em >= TYPE_FLOOR_PX, (moment, text, em)
        for em in {em for _, _, em in drawn}:
            assert cache.render("Hg", em, (255, 255, 255)).get_bounding_rect(min_alpha=8).height >= 12
        for (a, ra, _), (b, rb, _) in itertools.combinations(drawn, 2):
            assert not ra.colliderect(rb), f"{moment}: {a!r} {ra} overlaps {b!r} {rb}"


def synapse_hits(show, name: str, index: tuple, value: float, start, end, span: tuple) -> int:
    """Paused and settled, set one weight and let the synapse layers catch up: how many of 9 points along the
    line between `start` and `end` (within `span` of it) changed pixels."""
    scene = show.scene
    advance_until(scene, 2)
    scene.paused = True
    scene.apply_settings(scene.settings.replace(show_particles=False))
    for _ in range(40):
        before = pixels(show)
    getattr(scene.trainer.net, name)[index] = value
    scene._take(scene.trainer.snapshot())
    for _ in range(40):
        after = pixels(show)
    changed = np.abs(after - before).sum(axis=2) > 0
    points = (start + (end - start) * np.linspace(*span, 9)[:, None]).astype(int)   # (9, 2) along the line
    return sum(changed[x - 1:x + 2, y - 1:y + 2].any() for x, y in points)


@pytest.mark.parametrize("composition", COMPOSITIONS)
def test_one_weight_changes_its_synapse_in_both_compositions(composition):
    show = make_show(composition=composition)
    i, j = 27, 5
    L = show.view.layout
    assert synapse_hits(show, "W1", (i, j), 2.5, L.inputs[i], L.hiddens[j], (0.3, 0.7)) >= 7


@pytest.mark.parametrize("composition", COMPOSITIONS)
def test_one_hidden_to_hidden_weight_changes_its_synapse(composition):
    """64-16-16-2: W2[j, k] is the line from hidden 1's unit j to hidden 2's unit k."""
    show = make_show(composition=composition, hidden_layers=2)
    j, k = 2, 12
    L = show.view.layout
    assert synapse_hits(show, "W2", (j, k), 3.0, L.hiddens[j], L.hiddens2[k], (0.35, 0.65)) >= 7


@pytest.mark.parametrize("composition", COMPOSITIONS)
def test_a_silent_hidden_2_unit_is_dark_and_a_firing_one_bright(composition):
    show = make_show(size=(960, 540), composition=composition, hidden_layers=2)
    scene = show.scene
    scene.paused = True
    scene.apply_settings(scene.settings.replace(show_particles=False))
    net = scene.trainer.net
    net.b2[4] = -100.0                   # hidden 2's unit 4: silent for every input
    net.b2[9] = 6.0                      # unit 9: firing strongly
    net.W2[:, 9] = 0.0
    scene._take(scene.trainer.snapshot())
    scene.phase, scene.phase_t = "backward", 0.0
    h2 = scene.snapshot.sample.h2
    assert h2[4] == 0 and h2[9] >= 6.0
    image = pixels(show)
    column = show.view.layout.hiddens2

    def centre(k):
        x, y = column[k].astype(int)
        return image[x - 1:x + 2, y - 1:y + 2].mean()

    assert centre(4) < 40 < centre(9)


@pytest.mark.parametrize("composition", COMPOSITIONS)
def test_bulbs_are_dark_when_silent_and_brighter_with_activation(composition):
    """Monotone and true in every layer: a silent ReLU is dark; a stronger activation is a brighter bulb."""
    show = make_show(size=(960, 540), composition=composition)
    scene = show.scene
    scene.paused = True
    scene.apply_settings(scene.settings.replace(show_particles=False))
    net = scene.trainer.net
    net.b1[3] = -100.0                   # silent for every input
    net.b1[6], net.b1[10] = 0.4, 6.0     # weakly and strongly firing (after ReLU: about 0.4+ and 6+)
    net.W1[:, [6, 10]] = 0.0             # so the input does not reorder them
    scene._take(scene.trainer.snapshot())
    scene.phase, scene.phase_t = "backward", 0.0
    h1 = scene.snapshot.sample.h1
    assert h1[3] == 0 and 0 < h1[6] < h1[10]
    image = pixels(show)
    hiddens = show.view.layout.hiddens

    def centre(j):
        x, y = hiddens[j].astype(int)
        return image[x - 1:x + 2, y - 1:y + 2].mean()

    assert centre(3) < 40 < centre(6) < centre(10)

    def bloom(j):   # the light around the bulb (a ring outside its body): grows with the activation
        x, y = hiddens[j].astype(int)
        r = int(show.view.layout.hidden_radius * 1.6)
        return image[x + r - 1:x + r + 2, y - 1:y + 2].mean()

    assert bloom(6) < bloom(10)


@pytest.mark.parametrize("composition", COMPOSITIONS)
def test_golden_frame(request, composition):
    """One frame mid-training per composition, against its stored image (tolerance for font/rounding drift)."""
    show = make_show(size=(480, 270), seed=42, composition=composition)
    advance_until(show.scene, 20)
    surface = pygame.Surface(show.size)
    show.draw(surface)
    path = GOLDEN / f"network_{composition}_480x270_seed42_epoch20.png"
    if request.config.getoption("--update-golden"):
        pygame.image.save(surface, str(path))
    expected = pygame.surfarray.array3d(pygame.image.load(str(path))).astype(int)
    actual = pygame.surfarray.array3d(surface).astype(int)
    difference = np.abs(actual - expected)
    assert difference.mean() < 1.5, f"mean difference {difference.mean():.2f}"
    assert (difference.max(axis=2) > 48).mean() < 0.01


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_proof_readout_shows_the_weight_that_moved_furthest(size):
    show = make_show(size=size, composition="explain")
    advance_until(show.scene, 5)
    from network.proof import tracked_weight
    tracked = tracked_weight(show.scene.snapshot.weights, show.scene.trainer.initial_weights)
    show.view.text.record = []
    pixels(show)
    texts = [text for text, _, _ in show.view.text.record]
    assert "PROOF · the weights move" in texts
    assert any(text.startswith(tracked.label + "  ") for text in texts)
    assert tracked.change > 0


@pytest.mark.parametrize("composition", COMPOSITIONS)
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (1080, 1920)])
def test_training_under_noise_shows_its_mode_level_and_sharpness_legibly(composition, size):
    show = make_show(size=size, composition=composition, noise_mode="sgld", noise_magnitude=1e-4,
                     schedule="cosine", max_epochs=30)
    scene, clock = show.scene, FixedClock(60)
    for _ in range(90):                               # 1.5 s: the sharpness meter has been measured
        scene.update(clock.tick())
    assert scene.sharpness is not None and scene.sharpness.probes == 20
    cache = show.view.text
    cache.record = []
    pixels(show)
    texts = [text for text, _, _ in cache.record]
    level = scene.trainer.noise_level
    assert 0 < level <= 1e-4                          # the cosine schedule at work
    if composition == "explain":                       # a portrait column too (its charts are shorter)
        assert "NOISE · Langevin (SGLD) · cosine" in texts
        assert any(t.startswith("λ ") and " · tr " in t for t in texts)
    if composition == "gallery":
        assert any(t.startswith("learning under Langevin (SGLD)") for t in texts)
    for (a, ra, _), (b, rb, _) in itertools.combinations(cache.record, 2):
        assert not ra.colliderect(rb), f"{a!r} {ra} overlaps {b!r} {rb}"


@pytest.mark.parametrize("size", [(889, 691), (1580, 900), (812, 648)])
def test_the_grid_percentages_stay_clear_of_the_next_tiles_class_mark(size):
    """Even the widest label, 100 (with its % where there is room), leaves a gap before the next tile's mark."""
    from illumination.exhibits.network.layout import LABEL
    from illumination.exhibits.network.panels import tile_position
    show = make_show(size=size, composition="explain")
    advance_until(show.scene, 2)
    cache, L = show.view.text, show.view.layout
    cache.record = []
    pixels(show)
    labels = [(text, ink) for text, ink, _ in cache.record if text.rstrip("%").isdigit()]
    assert len(labels) == 20
    widest = "100%" if labels[0][0].endswith("%") else "100"
    width = cache.size(widest, L.type(LABEL))[0]
    for n, (_, ink) in enumerate(labels[:L.grid_columns - 1]):          # each tile with a neighbour on its right
        mark_left = tile_position(L, n + 1)[0] + L.u(6) - L.u(5)
        assert ink.x + width + 2 <= mark_left, (n, ink, width, mark_left)
