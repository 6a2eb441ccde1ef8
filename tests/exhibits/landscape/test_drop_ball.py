"""The Landscape's turn (issue 26, part 5): a touch on the surface drops ball 1 there. The point under a touch is
found by undoing the stage's own projection (checked against points projected forward), the ball starts at rest
there with its trail, and in the kiosk a touch off the surface still explains the lights."""
import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.show import make_show
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape.sonify import DROPPED_HZ, landscape_sound
from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.playlist import parse_playlist

SIZE = (960, 540)


@pytest.fixture(autouse=True)
def headless():
    init_headless()


def landscape(view="3d", composition="gallery", size=SIZE, **settings):
    exhibit = get_exhibit("landscape")
    show = make_show(exhibit, exhibit.settings().replace(view=view, composition=composition, balls=300, **settings),
                     size)
    show.draw(pygame.Surface(size))          # the stage exists, as on screen
    return show


@pytest.mark.parametrize("composition", ["gallery", "explain"])
@pytest.mark.parametrize("point", [(0.0, 0.0), (1.3, -2.1), (-3.0, 2.5)])
def test_a_touch_on_the_3d_surface_finds_the_point_drawn_there(composition, point):
    show = landscape("3d", composition)
    stage = show.view.stage
    px, py, depth = stage.to_screen(np.array(point[0]), np.array(point[1]))
    assert depth > 0
    found = show.view.surface_point((float(px), float(py)))
    surface = show.scene.surface
    grid = (surface.hi - surface.lo) / 160
    assert found is not None
    # the point found draws within two grid spacings' pixels of the touch, and lies near the asked point
    fx, fy, _ = stage.to_screen(np.array(found[0]), np.array(found[1]))
    assert np.hypot(fx - px, fy - py) <= 12
    assert np.hypot(found[0] - point[0], found[1] - point[1]) <= 6 * grid


@pytest.mark.parametrize("point", [(0.0, 0.0), (4.9, -4.9), (-2.2, 3.7)])
def test_a_touch_on_the_map_is_the_inverse_of_its_projection(point):
    show = landscape("map")
    stage = show.view.stage
    px, py = stage.to_pixels(np.array(point[0]), np.array(point[1]))
    found = show.view.surface_point((float(px), float(py)))
    span = show.scene.surface.hi - show.scene.surface.lo
    assert found == pytest.approx(point, abs=span / stage.rect.width)


def test_off_the_surface_and_in_views_without_one_there_is_no_point():
    assert landscape("3d").view.surface_point((2, 2)) is None              # the sky in the corner
    assert landscape("map").view.surface_point((2, 2)) is None             # left of the map
    assert landscape("network").view.surface_point((SIZE[0] // 2, SIZE[1] // 2)) is None


def test_the_dropped_ball_starts_at_rest_there_and_rolls_downhill():
    show = landscape("map", temperature=0.0)
    scene = show.scene
    for _ in range(30):
        show.update(1 / 30)
    said = get_exhibit("landscape").touch(scene, show.view, show.view.stage.to_pixels(np.array(2.0), np.array(-1.5)))
    x, z = scene.balls.position[:, 0]
    assert said.startswith("ball 1 dropped at") and abs(x - 2.0) < 0.05 and abs(z + 1.5) < 0.05
    assert np.all(scene.balls.velocity[:, 0] == 0) and not scene.balls.exploded[0]
    trail = scene.balls.trail()
    assert len(trail.x) == 1 and (trail.x[0], trail.z[0]) == (x, z)   # the trail starts where it landed
    start = float(scene.surface.loss(x, z))
    for _ in range(60):
        show.update(1 / 30)
    assert float(scene.surface.loss(*scene.balls.position[:, 0])) < start       # cold: it only goes down
    assert "dropped" in scene.moments
    tones, _ = landscape_sound(0.0, 0.0, (), scene.moments["dropped"] + 0.05, scene.moments)
    assert any(t.frequency == DROPPED_HZ and t.amplitude > 0 for t in tones)


def test_a_ball_cannot_be_dropped_off_the_domain():
    show = landscape("map")
    with pytest.raises(ValueError, match="inside the domain"):
        show.scene.drop_ball(1e6, 0.0)


def kiosk_on_a_landscape(log=None):
    playlist = parse_playlist({"interactive": True, "draw": True, "item": [
        {"exhibit": "landscape", "seed": 1, "seconds": 60, "settings": {"view": "map", "balls": 200}}]})
    return Kiosk(playlist, SIZE, log=log) if log else Kiosk(playlist, SIZE)


def test_a_touch_on_the_kiosks_landscape_drops_the_ball_and_a_touch_off_it_explains(caplog):
    kiosk = kiosk_on_a_landscape()
    kiosk.update(0.5)
    kiosk.draw(pygame.Surface(SIZE))
    stage = kiosk.current.show.view.stage
    target = stage.to_pixels(np.array(-1.0), np.array(2.0))
    touch = pygame.event.Event(pygame.FINGERDOWN, x=float(target[0]) / SIZE[0], y=float(target[1]) / SIZE[1],
                               finger_id=0, touch_id=0)
    assert kiosk.handle_event(touch)
    x, z = kiosk.current.show.scene.balls.position[:, 0]
    assert abs(x + 1.0) < 0.1 and abs(z - 2.0) < 0.1
    assert kiosk.stats["balls_dropped"] == 1 and kiosk.overlay_left == 0 and kiosk.visitor is None
    assert kiosk.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(3, 3), button=1))
    assert kiosk.overlay_left > 0 and kiosk.stats["balls_dropped"] == 1     # off the map: the explanation


def test_in_the_window_a_click_drops_the_ball_and_a_drag_only_orbits():
    show = landscape("3d", "explain")
    scene, stage = show.scene, show.view.stage
    px, py, _ = stage.to_screen(np.array(1.0), np.array(1.0))
    at = (int(px), int(py))
    yaw = scene.camera.yaw
    show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=at, button=1))
    show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=at, button=1))
    x, z = scene.balls.position[:, 0]
    assert np.hypot(x - 1.0, z - 1.0) < 0.3 and scene.camera.yaw == yaw
    dropped = scene.moments["dropped"]
    show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=at, button=1))
    show.view.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=(at[0] + 40, at[1]), rel=(40, 0), buttons=(1, 0, 0)))
    show.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(at[0] + 40, at[1]), button=1))
    assert scene.camera.yaw != yaw and scene.moments["dropped"] == dropped     # a drag orbits, drops nothing
    flat = landscape("map", "explain")
    target = flat.view.stage.to_pixels(np.array(-2.0), np.array(-2.0))
    assert flat.view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(int(target[0]), int(target[1])),
                                                     button=1))
    assert np.hypot(*(flat.scene.balls.position[:, 0] - (-2.0, -2.0))) < 0.1
