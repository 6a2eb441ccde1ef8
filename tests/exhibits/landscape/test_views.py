"""The Landscape exhibit's four views: the 3D surface (camera, cached mesh, orbit and zoom), the valley lesson,
the ensemble's histogram against Boltzmann, the real network's loss plane. Each truth is checked against the
numbers that drew it."""
import math

import numpy as np
import pygame
import pytest

from illumination.core.display import init_headless
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape.camera import Camera
from illumination.exhibits.landscape.settings import VIEWS, LandscapeSettings
from physics.descent import height_histogram
from network.landscape import flatten_parameters
from themes import list_themes, load_theme

SIZE = (800, 450)


@pytest.fixture(autouse=True)
def headless():
    init_headless()


def make_show(size=SIZE, theme=None, **changes):
    settings = LandscapeSettings(**changes)
    return Show(get_exhibit("landscape"), settings, size, load_theme(theme or settings.theme))


def frame(show):
    surface = pygame.Surface(show.size)
    show.draw(surface)
    return pygame.surfarray.array3d(surface).astype(int)   # (w, h, 3)


def brightness(pixels, x, y, r=3):
    return pixels[int(x) - r:int(x) + r + 1, int(y) - r:int(y) + r + 1].sum()


# -- the camera ---------------------------------------------------------------------------------------
def test_the_camera_looks_at_its_target_and_higher_points_are_higher_on_screen():
    camera = Camera()
    centre = (400.0, 300.0)
    x, y, depth = camera.project(0.0, 0.25 / 0.8, 0.0, centre, 500.0)   # the target (height scaled back)
    assert (float(x), float(y)) == pytest.approx(centre) and float(depth) == pytest.approx(camera.distance)
    _, y_low, _ = camera.project(0.3, 0.0, -0.2, centre, 500.0)
    _, y_high, _ = camera.project(0.3, 0.9, -0.2, centre, 500.0)
    assert y_high < y_low


def test_orbit_and_zoom_are_clamped_and_counted():
    camera = Camera()
    camera.orbit(0.0, 10.0)
    assert camera.pitch == pytest.approx(1.45) and camera.version == 1
    camera.zoom(100.0)
    camera.zoom(1e-6)
    assert camera.distance == pytest.approx(1.6) and camera.version == 3


# -- the 3D view ----------------------------------------------------------------------------------------
def test_the_3d_view_lights_a_ball_where_it_is_projected():
    show = make_show(surface="bowl", balls=2, view="3d")
    scene, stage = show.scene, show.view.stage
    scene.paused = True
    scene.balls.position[:, 0] = (18.0, 18.0)          # ball 1 (with its glow) far away
    scene.balls.position[:, 1] = (-6.0, -6.0)
    before = frame(show)
    scene.balls.position[:, 1] = (6.0, 4.0)
    after = frame(show)
    (x_new,), (y_new,), _ = stage.to_screen(np.array([6.0]), np.array([4.0]), lift=0.012)
    (x_old,), (y_old,), _ = stage.to_screen(np.array([-6.0]), np.array([-6.0]), lift=0.012)
    assert brightness(after, x_new, y_new) > brightness(before, x_new, y_new) + 100
    assert brightness(after, x_old, y_old) < brightness(before, x_old, y_old) - 100


def test_the_mesh_is_drawn_once_and_again_only_when_the_camera_moves():
    show = make_show(view="3d")
    stage = show.view.stage
    frame(show)
    layer = stage._layer
    frame(show)
    assert stage._layer is layer                        # cached: the same layer blitted again
    down = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=stage.rect.center)
    move = pygame.event.Event(pygame.MOUSEMOTION, pos=(stage.rect.centerx + 40, stage.rect.centery + 10),
                              buttons=(1, 0, 0), rel=(40, 10))
    up = pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=move.pos)
    yaw = show.scene.camera.yaw
    assert show.view.handle_event(down) and show.view.handle_event(move) and show.view.handle_event(up)
    assert show.scene.camera.yaw != yaw
    frame(show)
    assert stage._layer is not layer


def test_the_camera_survives_a_new_view_and_a_reset():
    show = make_show(view="3d")
    show.scene.camera.orbit(0.5, 0.1)
    kept = (show.scene.camera.yaw, show.scene.camera.pitch)
    show.resize((640, 360))
    show.scene.reset()
    assert (show.scene.camera.yaw, show.scene.camera.pitch) == kept


# -- the valley lesson ------------------------------------------------------------------------------
def test_the_valley_holds_the_ball_on_its_line_and_steps_by_hand():
    lr = 2.0
    show = make_show(view="valley", surface="bowl", optimizer="sgd", learning_rate=lr, temperature=0.5)
    scene = show.scene
    x0, z0 = scene.balls.position[:, 0]
    assert z0 == 0.0
    scene.settings = scene.settings.replace(temperature=0.0)   # cold, for a hand-computed step
    scene.balls.settings = scene.ball_settings()
    assert scene.step_once() is None
    # bowl 0.1(x² + z²): dL/dx = 0.2x, so new x = x − η·0.2x
    assert scene.balls.position[0, 0] == pytest.approx(x0 * (1 - 0.2 * lr))
    assert scene.balls.position[1, 0] == 0.0


def test_a_warm_valley_never_leaves_its_line():
    show = make_show(view="valley", surface="complex", temperature=3.0, balls=200)
    for _ in range(50):
        show.scene.step_once()
    assert np.all(show.scene.balls.z == show.scene.surface.global_minimum[1])


def test_the_valley_peeks_at_the_real_losses():
    show = make_show(view="valley", surface="bowl")
    frame(show)
    rows = show.view.stage.peek()
    assert rows[0] == (-20.0, pytest.approx(40.0)) and rows[3] == (0.0, 0.0)
    assert all(loss == pytest.approx(0.1 * x * x) for x, loss in rows)


# -- the ensemble's histogram -------------------------------------------------------------------------
def test_the_histogram_shows_the_live_balls_and_boltzmann_at_the_current_temperature():
    show = make_show(balls=2000, temperature=1.5, surface="complex")
    for _ in range(30):
        show.scene.step_once()
    frame(show)
    edges, ensemble, boltzmann = show.view.histogram(1.5)
    balls = show.scene.balls
    expected = height_histogram(balls.surface, balls.losses()[~balls.exploded], 1.5, edges)
    assert np.array_equal(ensemble, expected[0]) and np.array_equal(boltzmann, expected[1])
    assert edges[0] == pytest.approx(balls.surface.global_minimum[2])


# -- switching views ---------------------------------------------------------------------------------
def test_3d_and_map_share_one_run_and_the_valley_starts_its_own():
    show = make_show(balls=50, temperature=1.0)
    scene = show.scene
    for _ in range(5):
        scene.step_once()
    run = scene.run
    scene.apply_settings(scene.settings.replace(view="map"))
    assert scene.run == run and scene.balls.step_count == 5
    scene.apply_settings(scene.settings.replace(view="valley"))
    assert scene.run == run + 1 and scene.balls.step_count == 0


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("theme", ["midnight", "print"])
def test_every_view_draws_finite_pixels_in_dark_and_light_themes(view, theme):
    assert theme in list_themes()
    show = make_show(view=view, balls=300, temperature=1.0, learning_rate=0.1, theme=theme)
    for _ in range(20):
        show.scene.step_once()
    pixels = frame(show)
    assert pixels.std() > 5                                         # a picture, not a blank
    show.resize((1920, 1080))
    assert frame(show).std() > 5


# -- the real network's landscape ----------------------------------------------------------------------
def test_the_network_view_trains_the_real_net_and_its_plane_is_centred_on_it():
    show = make_show(view="network", learning_rate=0.1, max_steps=200)
    scene = show.scene
    probe = scene.probe
    for _ in range(31):                               # two epochs of 15 minibatches, and one step more
        scene.step_once()
    assert scene.position() == 31 and probe.trainer.epoch == 2 and len(probe.path) == 3
    probe.measure()                                   # the plane through the weights as they are now
    # its centre (0, 0) is the live network's own loss on the training set
    assert probe.centre_loss == pytest.approx(_training_loss(probe.net, probe.data), rel=1e-12)
    assert probe.path_coords.shape == (3, 2) and np.allclose(probe.path_coords[-1], 0.0)


def _training_loss(net, data) -> float:
    loss, _ = net.loss_and_grads(data.X_train, data.y_train)
    return float(loss)


def test_the_network_view_reports_its_training_and_never_draws_nan():
    show = make_show(view="network", learning_rate=0.1)
    for _ in range(20):
        show.scene.step_once()
    status = show.scene.status()
    assert status["view"] == "network" and status["step"] == 20 and math.isfinite(status["loss"])
    assert np.isfinite(frame(show)).all()


def test_a_fast_network_view_measures_its_plane_once_a_frame_and_matches_the_slow_one():
    fast = make_show(view="network", learning_rate=0.1, speed=1950.0, max_steps=300)
    fast.scene.update(0.1)                             # 195 minibatches, 13 epochs of 15, in one frame
    probe = fast.scene.probe
    assert fast.scene.position() == 195 and probe.version == 2      # measured at the start and once now
    slow = make_show(view="network", learning_rate=0.1, max_steps=300)
    for _ in range(195):
        slow.scene.step_once()                         # measured after every epoch
    assert np.array_equal(slow.scene.probe.losses, probe.losses)   # same weights, same plane
    assert len(slow.scene.probe.path) == len(probe.path) == 14


def test_a_measurement_read_later_is_the_measurement_of_the_weights_when_it_was_taken():
    """measure() takes the weights; the slice is computed on first read. Steps in between change nothing."""
    early = make_show(view="network", learning_rate=0.1, max_steps=300)
    for _ in range(30):
        early.scene.step_once()                        # two epochs: measured at the end of each
    eager_losses, eager_path = early.scene.probe.losses.copy(), early.scene.probe.path_coords.copy()
    late = make_show(view="network", learning_rate=0.1, max_steps=300)
    for _ in range(30):
        late.scene.step_once()
    version = late.scene.probe.version
    for _ in range(7):                                 # half an epoch more: no new measurement taken
        late.scene.probe.step()
    assert late.scene.probe.version == version
    assert np.array_equal(late.scene.probe.losses, eager_losses)
    assert np.array_equal(late.scene.probe.path_coords, eager_path)
    assert not np.array_equal(flatten_parameters(late.scene.probe.net), flatten_parameters(early.scene.probe.net))
