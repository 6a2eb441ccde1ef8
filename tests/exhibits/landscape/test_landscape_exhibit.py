"""The Landscape exhibit: its pixels are the balls' real positions and the surface's real heights; it runs in
every mode through core's interface; an exploding ball never stops it."""
import numpy as np
import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.loop import advance_until
from illumination.core.settings import SettingsError, load_settings
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape.settings import LandscapeSettings
from themes import load_theme

SIZE = (640, 360)


@pytest.fixture(autouse=True)
def headless():
    init_headless()


def make_show(size=SIZE, **changes):
    settings = LandscapeSettings(**changes)
    return Show(get_exhibit("landscape"), settings, size, load_theme(settings.theme))


def frame(show):
    surface = pygame.Surface(show.size)
    show.draw(surface)
    return pygame.surfarray.array3d(surface).astype(int)   # (w, h, 3)


def test_same_seed_same_frames_other_seed_other_frames():
    frames = []
    for seed in (5, 5, 6):
        show = make_show(seed=seed, balls=500, temperature=1.0)
        clock = FixedClock(30)
        for _ in range(20):
            show.update(clock.tick())
        frames.append(frame(show).tobytes())
    assert frames[0] == frames[1] != frames[2]


def test_a_ball_lights_the_map_where_it_is():
    show = make_show(surface="bowl", balls=2, view="map")
    scene = show.scene
    scene.paused = True
    view = show.view
    scene.balls.position[:, 1] = (-15.0, -15.0)        # the second ball, far from the first
    before = frame(show)
    scene.balls.position[:, 1] = (12.0, 12.0)
    after = frame(show)
    (x_old,), (y_old,) = view.stage.to_pixels(np.array([-15.0]), np.array([-15.0]))
    (x_new,), (y_new,) = view.stage.to_pixels(np.array([12.0]), np.array([12.0]))
    brightness = lambda pixels, x, y: pixels[int(x) - 2:int(x) + 3, int(y) - 2:int(y) + 3].sum()
    assert brightness(after, x_new, y_new) > brightness(before, x_new, y_new) + 100
    assert brightness(after, x_old, y_old) < brightness(before, x_old, y_old) - 100


def test_higher_ground_is_brighter():
    show = make_show(surface="bowl", view="map")
    show.scene.balls.position[:, 0] = (-18.0, 18.0)    # keep the ball out of the way
    pixels = frame(show)
    xs, ys = show.view.stage.to_pixels(np.array([0.0, 8.0, 16.0]), np.array([0.0, 0.0, 0.0]))
    levels = [pixels[int(x) - 1:int(x) + 2, int(y) + 6:int(y) + 9].sum() for x, y in zip(xs, ys)]
    assert levels[0] < levels[1] < levels[2]


def test_an_exploding_ball_is_counted_shown_and_restarted_without_nan():
    show = make_show(surface="rosenbrock", learning_rate=5.0, optimizer="sgd", balls=50)
    scene = show.scene
    clock = FixedClock(30)
    for _ in range(10):
        show.update(clock.tick())
        pixels = frame(show)
    assert scene.explosions > 0 and "exploded" in scene.message
    assert np.isfinite(scene.balls.position).all() and not scene.balls.exploded.any()
    assert np.isfinite(pixels).all()


def test_draw_does_not_change_state():
    show = make_show(balls=300, temperature=1.0)
    scene = show.scene
    advance_until(scene, 10)
    before = (scene.balls.position.copy(), scene.rng.bit_generator.state, scene.balls.step_count)
    frame(show)
    frame(show)
    assert np.array_equal(before[0], scene.balls.position)
    assert before[1] == scene.rng.bit_generator.state and before[2] == scene.balls.step_count


def test_settings_are_checked_at_the_door(tmp_path):
    path = tmp_path / "scene.toml"
    path.write_text('exhibit = "landscape"\nsurface = "moon"\nballs = 0\ntemperature = -1\n')
    with pytest.raises(SettingsError) as info:
        load_settings(LandscapeSettings, path)
    problems = "\n".join(info.value.problems)
    assert 'surface: must be one of bowl, complex' in problems and "balls: must be between 1 and" in problems
    assert "temperature: must be between 0 and" in problems


def test_position_counts_steps_and_the_run_ends_at_max_steps():
    show = make_show(max_steps=40, speed=120.0)
    scene = show.scene
    frames = advance_until(scene, 10_000, fps=60)
    assert scene.position() == 40 and scene.finished and scene.ended and frames == 20
    assert scene.step_once() is not None           # nothing more to step: a message, not a step
    assert scene.run_seconds() == pytest.approx(40 / 120)


def test_the_real_network_view_restarts_with_the_next_seed_when_its_training_fails():
    """At lr 10 the real network fails at once (its ReLUs die, or its loss runs away) and takes no more steps: the
    scene counts the divergence, says so, and starts again with the next seed, as the Network exhibit does, so a
    run with an end (a snapshot, a kiosk item) always reaches one."""
    from illumination.exhibits.landscape.scene import LandscapeScene, RESTART_AFTER_DIVERGENCE_S
    scene = LandscapeScene(LandscapeSettings(view="network", learning_rate=10.0, max_steps=20, seed=42))
    clock = FixedClock(60)
    for _ in range(120):
        scene.update(clock.tick())
        if scene.divergences:
            break
    assert scene.divergences == 1 and scene.probe.diverged and "seed 43" in scene.message
    assert advance_until(scene, 20, limit_s=60, stop_at_divergence=True) == 0      # stops, does not spin
    for _ in range(int(RESTART_AFTER_DIVERGENCE_S * 60) + 1):
        scene.update(clock.tick())
    assert scene.settings.seed == 43 and scene.divergences >= 1 and scene.position() < 20


def test_a_healthy_real_network_view_reaches_its_last_step():
    from illumination.exhibits.landscape.scene import LandscapeScene
    scene = LandscapeScene(LandscapeSettings(view="network", learning_rate=0.05, max_steps=40, seed=42))
    advance_until(scene, 40, limit_s=60)
    assert scene.position() == 40 and scene.divergences == 0 and scene.finished
