"""The Landscape's gallery composition: the surface is the picture, its words say what the numbers say, and the
wall never stands still over any Landscape item of the built-in playlist."""
import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape.settings import VIEWS, LandscapeSettings
from illumination.exhibits.landscape.story import landscape_story
from illumination.modes.kiosk.playlist import default_playlist
from themes import load_theme

STILL_LIMIT_S = 10.0     # no stretch of a Landscape item may look still for longer than this …
STILL_BELOW = 1.0        # … where "still" is a mean |difference| (0–255) under this between frames …
APART_S = 2.0            # … this far apart


@pytest.fixture(autouse=True)
def headless():
    init_headless()


def make_show(size=(960, 540), theme=None, **changes):
    settings = LandscapeSettings(composition="gallery", **changes)
    return Show(get_exhibit("landscape"), settings, size, load_theme(theme or settings.theme))


def frame(show) -> np.ndarray:
    surface = pygame.Surface(show.size)
    show.draw(surface)
    return pygame.surfarray.array3d(surface).astype(np.int16)     # (w, h, 3)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("view", VIEWS)
def test_the_surface_fills_at_least_half_the_frame(view, size):
    """The surface or its light covers at least half of the frame's pixels (pixels unlike the bare background)."""
    show = make_show(size, view=view, balls=2000, temperature=1.0)
    show.update(5.0)
    pixels = frame(show)
    background = pygame.surfarray.array3d(show.view.background).astype(np.int16)
    covered = np.abs(pixels - background).max(axis=2) > 6
    # the valley is a cross-section: its ground lies under a U-shaped curve, so it is held to a third of the frame
    least = 0.35 if view == "valley" else 0.5
    assert covered.mean() >= least, f"{view}: the surface covers {covered.mean():.0%} of the frame"


def test_the_words_follow_the_temperature():
    """A run that starts hot and cools: the words go warm → cooling → cooled; a cold run says cold. The words
    the frame draws are the story's."""
    show = make_show(balls=500, temperature=2.0, schedule="exponential", speed=60.0, max_steps=10_000)
    scene, seen = show.scene, []
    for _ in range(40):
        seen.append(landscape_story(scene).word)
        scene.update(0.5)
    assert seen[0] == "warm" and "cooling" in seen and seen[-1] == "cooled"
    assert seen.index("warm") < seen.index("cooling") < seen.index("cooled")
    temperature = float(scene.balls.noise_level)
    assert temperature < 0.01 * 2.0 and landscape_story(scene).figure.endswith("%")
    cold = make_show(balls=500, temperature=0.0)
    assert landscape_story(cold.scene).word == "cold"
    show.view.text.record = []
    frame(show)
    drawn = [entry[0] for entry in show.view.text.record]
    assert "cooled" in drawn and landscape_story(scene).figure in drawn


def test_the_share_in_the_deepest_valley_is_the_counted_one():
    show = make_show(balls=1000, temperature=0.5)
    show.update(4.0)
    counts = show.scene.basin_counts()
    assert landscape_story(show.scene).figure == f"{counts.in_global_basin / 1000 * 100:.0f}%"


def test_a_lone_ball_lights_the_frame_where_it_is_projected_even_at_4k():
    show = make_show((3840, 2160), balls=1, temperature=0.0)
    stage, balls = show.view.stage, show.scene.balls
    x, z = balls.position[:, 0]
    px, py, _ = stage.to_screen(np.array([x]), np.array([z]), lift=0.012)
    lit = frame(show)
    balls.position[:, 0] = (balls.surface.lo + 1.0, balls.surface.lo + 1.0)   # move it to a far corner
    dark = frame(show)
    r = 12
    window = (slice(int(px[0]) - r, int(px[0]) + r), slice(int(py[0]) - r, int(py[0]) + r))
    assert lit[window].mean() > dark[window].mean() + 40          # the ball is a visible light where it is


def test_higher_ground_is_brighter_on_the_map():
    """The relief's truth: on the map, the terrain's lightness rises with the height (rank correlation)."""
    show = make_show(view="map", balls=1)
    stage = show.view.stage
    terrain = pygame.surfarray.array3d(stage._terrain()).astype(float).sum(axis=2)     # (w, h)
    side = terrain.shape[0]
    surface = show.scene.surface
    axis = np.linspace(surface.lo, surface.hi, side)
    heights = surface.loss(axis[:, None], axis[None, ::-1])                           # (x, z) with z upward
    rank = lambda a: np.argsort(np.argsort(a.ravel()))
    assert np.corrcoef(rank(heights), rank(terrain))[0, 1] > 0.8


def test_the_network_view_draws_its_path_on_the_plane_of_that_path():
    show = make_show(view="network", speed=60.0)
    show.update(3.0)
    probe = show.scene.probe
    assert probe.plane == "path" and probe.path_on_slice
    span = probe.alphas[-1]
    assert np.abs(probe.path_coords).max() <= span                 # the whole path lies inside the slice
    assert probe.path_coords[-1].tolist() == [0.0, 0.0]           # it ends at the network now, the centre
    explain = Show(get_exhibit("landscape"), LandscapeSettings(view="network"), (960, 540), load_theme("midnight"))
    assert explain.scene.probe.plane == "random"


def _landscape_items():
    playlist = default_playlist()
    return [item for item in playlist.items if item.exhibit == "landscape"]


@pytest.mark.parametrize("item", _landscape_items(), ids=lambda item: item.describe())
def test_every_landscape_item_of_the_builtin_playlist_never_stands_still(item):
    """Headless, the item's whole run in steps of 0.25 s: the mean |difference| between frames 2 s apart never stays
    under 1.0 for more than 10 s."""
    settings = item.settings if isinstance(item.seed, str) is False else item.settings.replace(seed=7)
    assert settings.composition == "gallery"                      # the kiosk's default for the wall
    show = Show(get_exhibit("landscape"), settings, (640, 360), load_theme(settings.theme))
    seconds = item.seconds if item.seconds is not None else settings.max_steps / settings.speed
    dt, lag = 0.25, int(APART_S / 0.25)
    frames, still_for, longest = [], 0.0, 0.0
    for _ in range(int(seconds / dt)):
        show.update(dt)
        frames.append(frame(show))
        if len(frames) > lag:
            change = float(np.abs(frames[-1] - frames[-1 - lag]).mean())
            frames.pop(0)
            still_for = still_for + dt if change < STILL_BELOW else 0.0
            longest = max(longest, still_for)
    assert longest <= STILL_LIMIT_S, f"{item.describe()} looked still for {longest:.1f} s"
