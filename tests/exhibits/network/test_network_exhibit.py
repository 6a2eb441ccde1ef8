"""Truth tests for the Network exhibit: every pixel mapping is checked by changing the number."""
import re
from pathlib import Path

import numpy as np
import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.loop import advance_until
from illumination.core.settings import SettingsError
from illumination.core.show import Show
from illumination.exhibits import EXHIBITS, get_exhibit
from illumination.exhibits.network.layout import network_layout
from illumination.exhibits.network.live_math import backward_steps, forward_steps
from illumination.exhibits.network.settings import NetworkSettings as Settings
from network import MLP
from themes import list_themes, load_theme

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()
    yield


def make_show(size=(640, 360), **changes):
    settings = Settings(**changes)
    return Show(get_exhibit("network"), settings, size, load_theme(settings.theme))


def frame(show, size=None):
    surface = pygame.Surface(size or show.size)
    show.draw(surface)
    return pygame.surfarray.array3d(surface).astype(int)  # (w, h, 3)


def settled_frame(show):
    """The synapse picture catches up over a few frames (a rest, then a redraw spread out); draw until it has."""
    for _ in range(40):
        pixels = frame(show)
    return pixels


def freeze(scene):
    """Pause and hide particles so only the mapping under test can change pixels."""
    scene.paused = True
    scene.apply_settings(scene.settings.replace(show_particles=False))


def refresh_view(scene):
    scene._take(scene.trainer.snapshot())


def test_registry_names_the_network_exhibit():
    assert "network" in EXHIBITS
    with pytest.raises(SettingsError, match="unknown exhibit"):
        get_exhibit("nope")


def test_changing_one_weight_changes_its_synapse_pixels():
    show = make_show()
    scene = show.scene
    advance_until(scene, 2)
    freeze(scene)
    before = settled_frame(show)
    i, j = 27, 5
    scene.trainer.net.W1[i, j] = 2.5   # from ~0.1 to a strong positive weight
    refresh_view(scene)
    after = settled_frame(show)
    view = show.view
    start, end = view.layout.inputs[i], view.layout.hiddens[j]
    changed = np.abs(after - before).sum(axis=2) > 0        # (w, h)
    # Sample points along the middle of that synapse: most of them must have changed.
    hits = 0
    for t in np.linspace(0.3, 0.7, 9):
        x, y = (start + (end - start) * t).astype(int)
        hits += changed[x - 1:x + 2, y - 1:y + 2].any()
    assert hits >= 7
    # And far from it (the metrics panel is another story: it shows the changed weights' effects) nothing
    # in the left-top header moved.
    assert not changed[: int(view.layout.px(300, 0)[0]), : int(view.layout.px(0, 60)[1])].any()


def test_silent_hidden_unit_is_dark_and_firing_one_is_bright():
    show = make_show()
    scene = show.scene
    freeze(scene)
    net = scene.trainer.net
    net.b1[3] = -100.0   # ReLU(z) = 0 for every input: silent
    net.b1[4] = 8.0      # strongly firing
    refresh_view(scene)
    assert scene.snapshot.sample.h1[3] == 0.0 and scene.snapshot.sample.h1[4] > 3.0
    scene.phase, scene.phase_t = "backward", 0.0  # fully revealed activations
    pixels = frame(show)
    hiddens = show.view.layout.hiddens
    def centre_luminance(j):
        x, y = hiddens[j].astype(int)
        return pixels[x - 1:x + 2, y - 1:y + 2].mean()
    assert centre_luminance(3) < 40
    assert centre_luminance(4) > 150


def numbers(lines):
    """The numbers written after the last '=' of each line (what the line claims the value is)."""
    found = []
    for line in lines:
        found += [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", line.rsplit("=", 1)[-1])]
    return found


def close4(a, b):
    return abs(a - b) <= 5e-4 * max(abs(b), 1e-12) + 1e-12


@pytest.mark.parametrize("hidden_layers", [1, 2])
def test_live_math_numbers_are_the_networks_own(hidden_layers):
    show = make_show(hidden_layers=hidden_layers)
    scene = show.scene
    advance_until(scene, 3)
    snapshot = scene.snapshot
    net = MLP(*snapshot.weights.values())
    assert net.hidden_layers == hidden_layers
    trace = net.forward(snapshot.sample.x[None, :])
    fwd = forward_steps(snapshot)
    j = fwd[0].values["j"]
    assert j == int(np.argmax(trace.h1[0]))
    assert close4(numbers(fwd[0].lines[2:])[0], trace.z1[0, j])
    assert close4(numbers(fwd[1].lines[1:2])[0], trace.h1[0, j])
    if hidden_layers == 1:
        z = numbers(fwd[2].lines[1:])
    else:
        m = fwd[2].values["m"]
        assert m == int(np.argmax(trace.h2[0])) and close4(numbers(fwd[2].lines[1:2])[0], trace.h2[0, m])
        z = numbers(fwd[2].lines[2:])
    assert close4(z[0], trace.logits[0, 0]) and close4(z[1], trace.logits[0, 1])
    p = numbers(fwd[3].lines[1:])
    assert close4(p[0], trace.probs[0, 0]) and close4(p[1], trace.probs[0, 1])
    label = snapshot.sample.label
    assert close4(numbers(fwd[4].lines[2:])[0], -np.log(trace.probs[0, label]))
    grads, dlogits, deltas = net.backward(trace, np.array([label]))
    bwd = backward_steps(snapshot, batch_size=16, lr=0.05)
    d = numbers(bwd[0].lines[1:2])
    assert close4(d[0], dlogits[0, 0]) and close4(d[1], dlogits[0, 1])
    assert close4(numbers(bwd[1].lines[2:])[0], deltas[0][0, j])
    if hidden_layers == 2:
        m = bwd[1].values["m"]
        assert close4(numbers(bwd[1].lines[:1])[-1], deltas[1][0, m])
    i = bwd[2].values["i"]
    assert close4(numbers(bwd[2].lines[2:])[0], grads["W1"][i, j])
    norms = numbers(bwd[4].lines[1:])
    assert close4(norms[0], snapshot.grad_norms["hidden"]) and close4(norms[1], snapshot.grad_norms["output"])
    # Another optimizer's update is not SGD's: the step shows this sample's share of g and that optimizer's rule.
    adamw = backward_steps(snapshot, batch_size=16, lr=0.003, optimizer="adamw")[3]
    assert adamw.title == "4 · update · adamw" and "m̂" in adamw.lines[2]
    assert close4(float(adamw.lines[1].split()[1]), grads["W1"][i, j] / 16)


def epoch_step_counts(scene, epochs=2):
    counts, clock = [], FixedClock(60)
    last_epoch, last_step = scene.trainer.epoch, scene.trainer.step_count
    while len(counts) < epochs:
        scene.update(clock.tick())
        if scene.trainer.epoch != last_epoch:
            counts.append(scene.trainer.step_count - last_step)
            last_epoch, last_step = scene.trainer.epoch, scene.trainer.step_count
    return counts


def test_batch_size_changes_updates_per_epoch_in_the_scene():
    show = make_show(speed=10.0)
    scene = show.scene
    assert epoch_step_counts(scene, 1) == [15]
    scene.apply_settings(scene.settings.replace(batch_size=4))
    counts = epoch_step_counts(scene, 3)
    assert counts[-1] == 60   # from the next epoch on, batch 4 means 60 updates over 240 samples


def test_same_seed_same_frame_other_seed_other_frame():
    frames = []
    for seed in (42, 42, 43):
        show = make_show(seed=seed)
        scene = show.scene
        clock = FixedClock(60)
        surface = pygame.Surface(show.size)
        for _ in range(90):
            scene.update(clock.tick())
            show.draw(surface)
        frames.append(pygame.image.tobytes(surface, "RGB"))
    assert frames[0] == frames[1]
    assert frames[0] != frames[2]


def test_draw_does_not_change_state():
    show = make_show()
    scene = show.scene
    advance_until(scene, 1)
    before = (scene.trainer.step_count, scene.phase, scene.phase_t, scene.particles.t.copy(),
              scene.particles.active.copy(), scene.rng.bit_generator.state, scene.trainer.net.W1.copy())
    for _ in range(3):
        frame(show)
    after = (scene.trainer.step_count, scene.phase, scene.phase_t, scene.particles.t.copy(),
             scene.particles.active.copy(), scene.rng.bit_generator.state, scene.trainer.net.W1.copy())
    assert before[:3] == after[:3] and before[5] == after[5]
    for b, a in zip(before[3:5] + before[6:], after[3:5] + after[6:]):
        np.testing.assert_array_equal(b, a)


def test_divergence_shows_a_calm_message_and_restarts_without_nan():
    show = make_show(learning_rate=1e4, seed=7)
    scene = show.scene
    clock = FixedClock(60)
    surface = pygame.Surface(show.size)
    seen_message = False
    for _ in range(60 * 12):
        scene.update(clock.tick())
        show.draw(surface)
        assert all(np.isfinite(w).all() for w in scene.snapshot.weights.values())
        seen_message |= scene.diverged_for is not None and "Starting again" in scene.message
        if scene.settings.seed != 7:
            break
    assert seen_message and scene.divergences >= 1
    assert scene.settings.seed == 8   # restarted with the next seed


def test_finished_run_holds_its_final_state():
    show = make_show(max_epochs=3, speed=10.0)
    scene = show.scene
    advance_until(scene, 10)
    assert scene.finished and scene.trainer.epoch == 3
    weights = scene.trainer.net.W1.copy()
    clock = FixedClock(60)
    for _ in range(120):
        scene.update(clock.tick())
    frame(show)
    np.testing.assert_array_equal(weights, scene.trainer.net.W1)
    assert scene.status()["finished"]


def test_particle_pool_stays_bounded_at_full_speed():
    show = make_show(speed=10.0, flow_speed=3.0)
    scene = show.scene
    clock = FixedClock(60)
    for _ in range(600):
        scene.update(clock.tick())
    assert 0 < scene.particles.count <= scene.particles.capacity


@pytest.mark.parametrize("size", [(1280, 720), (1000, 1000), (2560, 1080)])
@pytest.mark.parametrize("theme", list_themes())
def test_every_theme_at_three_sizes(theme, size):
    show = make_show(size=size, theme=theme)
    scene = show.scene
    advance_until(scene, 1)
    pixels = frame(show)
    assert pixels.shape[:2] == size
    assert pixels.std() > 10  # something was drawn
    layout = show.view.layout
    for points in (layout.inputs, layout.hiddens, layout.outputs):
        assert (points >= 0).all() and (points[:, 0] < size[0]).all() and (points[:, 1] < size[1]).all()
    background_luminance = pixels[:4, :4].mean()
    assert (background_luminance > 180) == load_theme(theme).is_light


@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160), (1000, 1000), (2560, 1080), (720, 1280)])
def test_layout_keeps_the_stage_inside_any_screen(size):
    layout = network_layout(size, 16)
    for rect in (layout.math_rect, layout.metrics_rect, layout.network_rect):
        assert pygame.Rect(0, 0, *size).contains(rect)
    assert layout.scale > 0


def test_restart_after_divergence_shows_the_new_seeds_test_samples():
    show = make_show(learning_rate=1e4, seed=7)
    scene = show.scene
    old_tiles = [pygame.image.tobytes(t, "RGB") for t in show.view.grid_tiles]
    clock = FixedClock(60)
    while scene.settings.seed == 7:
        scene.update(clock.tick())
    frame(show)   # the view notices the new run when it next draws, and rebuilds what depends on the data
    fresh = Show(get_exhibit("network"), scene.settings, show.size, load_theme("midnight"))
    assert [pygame.image.tobytes(t, "RGB") for t in show.view.grid_tiles] == \
        [pygame.image.tobytes(t, "RGB") for t in fresh.view.grid_tiles] != old_tiles


def test_the_pad_verdict_names_the_nearest_learned_shape_or_says_the_drawing_is_unlike_them():
    """The network sees the drawing centred and 4 px across: the verdict names the training shape nearest to that
    picture (checked brute force), unless what the visitor drew is farther from every training shape than 95% of
    the test shapes are: then it says so, in words."""
    from data.drawing import familiar_distance, nearest_distance, normalise_drawing
    show = make_show()
    scene = show.scene
    familiar = familiar_distance(scene.data.X_train, scene.data.X_test)
    small = np.zeros((8, 8))
    small[2:6, 3:7] = 1.0                            # a filled 4x4 square, like the ones it learned
    scene.show_drawing(small.reshape(64))
    assert np.array_equal(scene.drawn, small.reshape(64)) and np.array_equal(scene.drawing, normalise_drawing(small))
    assert nearest_distance(small, scene.data.X_train) <= familiar
    index, distance = scene.nearest_training_shape()
    brute = [int(np.sum((x > 0.5) != (scene.drawing > 0.5))) for x in scene.data.X_train]
    assert distance == min(brute) and brute[index] == distance
    label = ("circle", "square")[int(scene.data.y_train[index])]
    assert scene.drawing_verdict()[1] == f"nearest learned shape: a {label}, {distance} pixel" + \
        ("s" if distance != 1 else "") + " away"
    outline = np.zeros((8, 8))
    outline[1, 1:7] = outline[6, 1:7] = outline[1:7, 1] = outline[1:7, 6] = 1.0
    scene.show_drawing(outline.reshape(64))
    far = nearest_distance(outline, scene.data.X_train)
    assert far > familiar
    assert scene.drawing_verdict()[1] == (f"unlike anything it learned ({far} pixels from the nearest shape): "
                                          "it judges it centred and 4 pixels across")


def test_the_window_streams_step_metrics_run_after_run():
    show = make_show(noise_mode="input_jitter", noise_magnitude=0.1)
    scene = show.scene
    events = []
    scene.attach_metrics(events.append)
    advance_until(scene, 3)
    assert [e["epoch"] for e in events][:3] == [1, 2, 3]
    assert all(e["type"] == "step_metrics" and e["noise"] == "input_jitter:0.1" for e in events)
    scene.apply_settings(scene.settings.replace(seed=7))        # a new run: its events follow
    count = len(events)
    advance_until(scene, 1)
    assert events[count]["epoch"] == 1 and scene.trainer.epoch >= 1
