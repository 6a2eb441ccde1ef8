"""The explain composition as a window beside its panel shows it: the live math is never cut, it always explains
the pass the title names, and the last hidden neuron's gradient light stays off the layer label under it."""
import itertools
import math

import numpy as np
import pygame
import pytest

from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.loop import advance_until
from illumination.core.show import Show
from illumination.exhibits import get_exhibit
from illumination.exhibits.network.live_math import MATH_HOLD_SECONDS, pass_steps
from illumination.exhibits.network.settings import NetworkSettings as Settings
from themes import load_theme

PANEL = 340
# The exhibit's share of common windows: 1280x720 and 1366x768 windows (and the default window, 90% of those
# screens) with the panel beside them, then a 1080p one.
WINDOW_STAGES = [(1280 - PANEL, 720), (1366 - PANEL, 768), (1229 - PANEL, 691), (1152 - PANEL, 648),
                 (1920 - PANEL, 1080)]


@pytest.fixture(scope="module", autouse=True)
def headless():
    init_headless()
    yield


def make_show(size=(640, 360), **changes):
    settings = Settings(**changes)
    return Show(get_exhibit("network"), settings, size, load_theme(settings.theme))


def drawn_texts(show) -> list[tuple]:
    show.view.text.record = []
    show.draw(pygame.Surface(show.size))
    drawn, show.view.text.record = show.view.text.record, None
    return drawn


@pytest.mark.parametrize("size", WINDOW_STAGES)
@pytest.mark.parametrize("hidden_layers, optimizer", [(1, "sgd"), (1, "adamw"), (2, "sgd")])
def test_every_live_math_line_is_shown_whole(size, hidden_layers, optimizer):
    """Every step of both passes: no line ends in "…", every word of the step is drawn, inside the math box,
    and no two of its texts overlap."""
    show = make_show(size=size, hidden_layers=hidden_layers, optimizer=optimizer)
    scene, box = show.scene, show.view.layout.math_rect
    advance_until(scene, 3)
    scene.paused = True
    for phase in ("forward", "backward"):
        steps = pass_steps(scene.snapshot, phase, scene.trainer.batch_size, scene.trainer.lr,
                           optimizer=scene.trainer.optimizer.name)
        for index, step in enumerate(steps):
            scene.phase, scene.math_steps[phase] = phase, index
            drawn = [(text, ink) for text, ink, _ in drawn_texts(show) if box.colliderect(ink)]
            assert not [text for text, _ in drawn if "…" in text], (phase, step.title)
            words = " ".join(text for text, _ in drawn).split()
            for line in step.lines:
                for word in line.split():
                    assert word in words, (phase, step.title, line, word)
            for text, ink in drawn:
                assert box.contains(ink), (text, ink, box)
            for (a, ra), (b, rb) in itertools.combinations(drawn, 2):
                assert not ra.colliderect(rb), f"{a!r} {ra} overlaps {b!r} {rb}"


def test_the_live_math_explains_the_pass_the_title_names():
    """Twelve seconds of training, drawn every tenth frame: whenever the title says FORWARD PASS or BACKWARD PASS,
    the live math's heading names the same pass, and its step is that pass's."""
    show = make_show(size=(1280, 720))
    scene, clock = show.scene, FixedClock(60)
    seen = set()
    for n in range(60 * 12):
        scene.update(clock.tick())
        if n % 10:
            continue
        texts = [text for text, _, _ in drawn_texts(show)]
        title = next(text for text in texts if text in ("FORWARD PASS", "BACKWARD PASS", "TRAINED", "PAUSED"))
        heading = next(text for text in texts if text.startswith("LIVE MATH"))   # its first line, at least
        if title.endswith("PASS"):
            other = "BACKWARD" if title == "FORWARD PASS" else "FORWARD"
            assert title.split()[0] in heading and other not in heading, (n, title, heading)
            assert scene.math_phase == scene.phase
            seen.add(title)
    assert seen == {"FORWARD PASS", "BACKWARD PASS"}


def test_live_math_steps_are_on_screen_long_enough_to_be_read():
    """A step moves on only after MATH_HOLD_SECONDS on screen in all (a phase shorter than that shows it again the
    next time its pass comes round); both passes get their turn and go through their steps."""
    show = make_show()
    scene, clock = show.scene, FixedClock(60)
    on_screen = {"forward": 0.0, "backward": 0.0}
    shown = dict(scene.math_steps)
    moves = {"forward": 0, "backward": 0}
    for _ in range(60 * 12):
        phase = scene.phase
        scene.update(clock.tick())
        on_screen[phase] += 1 / 60
        for name in ("forward", "backward"):
            if scene.math_steps[name] != shown[name]:
                assert on_screen[name] >= MATH_HOLD_SECONDS - 1e-6, name
                assert scene.math_steps[name] == shown[name] + 1
                shown[name], on_screen[name] = scene.math_steps[name], 0.0
                moves[name] += 1
    assert moves["forward"] >= 2 and moves["backward"] >= 2


@pytest.mark.parametrize("size", WINDOW_STAGES + [(1280, 720), (3840, 2160)])
def test_the_last_hidden_neurons_gradient_light_stays_off_its_layer_label(size):
    """The last hidden neuron lit and ringed at full gradient (halo, ring and rotating spokes at six angles),
    against the same neuron dark: the pixels of the "hidden · 16 ReLU" label do not change."""
    show = make_show(size=size, show_particles=False)
    scene, view = show.scene, show.view
    advance_until(scene, 2)
    scene.paused = True
    label = next(ink for text, ink, _ in drawn_texts(show) if text.startswith("hidden ·"))
    real_layers = view.neuron_layers

    def with_last_hidden(level):
        def layers(snapshot):
            result = real_layers(snapshot)
            positions, radius, brightness, halo = result[1]
            brightness, halo = brightness.copy(), halo.copy()
            brightness[-1], halo[-1] = level, level
            result[1] = (positions, radius, brightness, halo)
            return result
        return layers

    def label_pixels(level):
        view.neuron_layers = with_last_hidden(level)
        surface = pygame.Surface(show.size)
        show.draw(surface)
        return pygame.surfarray.array3d(surface)[label.left:label.right, label.top:label.bottom].astype(int)

    for k in range(6):                        # the spokes turn with the scene's time: six angles, 10° apart
        scene.time = k * math.radians(10) / 2.2
        change = np.abs(label_pixels(1.0) - label_pixels(0.0)).max()
        assert change <= 24, (k, change)
