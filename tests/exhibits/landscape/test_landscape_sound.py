"""The Landscape's sound, heard through an FFT (landscape/sonify.py): the height voice's pitch is the balls' mean
height, the rush is the heat, a pluck is balls crossing the deepest basin's rim (counted independently here, and
never more often than PLUCK_SPACING_S) — and the calm chords when a run ends or restarts, in both exhibits."""
import math

import numpy as np
import pytest

from illumination.core.clock import FixedClock
from illumination.core.show import make_show
from illumination.core.sound import CHIME_SECONDS, SAMPLE_RATE, Synth
from illumination.exhibits import get_exhibit
from illumination.exhibits.landscape import scene as landscape_scene
from illumination.exhibits.landscape.sonify import (HEIGHT_BASE_HZ, PLUCK_HZ, TRAINED_HZ, RESTARTED_HZ, frame_sound,
                                                    height_scale, height_share, landscape_sound)
from illumination.exhibits.network import sonify as network_sonify

FRAME = SAMPLE_RATE // 60


def render(sound_at, frames=60) -> np.ndarray:
    synth = Synth(seed=0, volume=1.0)
    return np.concatenate([synth.render(*sound_at(n), FRAME) for n in range(frames)])


def spectrum(samples, skip=10 * FRAME):
    x = samples[skip:].astype(np.float64)
    window = np.hanning(len(x))
    return np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE), np.abs(np.fft.rfft(x * window)) * 2 / window.sum()


def level_at(samples, frequency, skip=10 * FRAME) -> float:
    frequencies, amplitude = spectrum(samples, skip)
    return float(amplitude[np.abs(frequencies - frequency) <= 3.0].max())


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_the_height_voice_sings_at_110_times_two_to_the_height(share):
    samples = render(lambda n: landscape_sound(share, 0.0, (), 0.0, {}))
    frequencies, amplitude = spectrum(samples)
    band = (frequencies > 100) & (frequencies < 240)
    assert abs(frequencies[band][np.argmax(amplitude[band])] - HEIGHT_BASE_HZ * 2 ** share) < 1.5


def test_height_share_is_clipped_and_safe():
    assert height_share(5.0, 5.0, 10.0) == 0.0 and height_share(10.0, 5.0, 10.0) == 1.0
    assert height_share(7.5, 5.0, 10.0) == 0.5 and height_share(99.0, 5.0, 10.0) == 1.0
    assert height_share(float("nan"), 5.0, 10.0) == 0.0 and height_share(3.0, 1.0, 1.0) == 0.0


def test_the_rush_grows_with_the_heat_and_is_silent_when_cold():
    def noise_rms(heat):
        samples = render(lambda n: ([], landscape_sound(0.0, heat, (), 0.0, {})[1]))
        return float(np.sqrt(np.mean(samples[10 * FRAME:].astype(np.float64) ** 2)))
    levels = [noise_rms(h) for h in (0.0, 0.25, 0.5, 1.0)]
    assert levels[0] == 0.0
    assert levels[1] < levels[2] < levels[3]
    assert landscape_sound(0.0, 7.0, (), 0.0, {})[1] == landscape_sound(0.0, 1.0, (), 0.0, {})[1]   # clipped
    assert landscape_sound(0.0, float("nan"), (), 0.0, {})[1] == 0.0


@pytest.mark.parametrize("kind", ["out", "in"])
def test_a_pluck_is_heard_at_its_pitch_only_after_balls_crossed(kind):
    other = PLUCK_HZ["in" if kind == "out" else "out"]
    plucked = render(lambda n: landscape_sound(0.0, 0.0, [(1, 0.0, kind, 20)], n / 60, {}), frames=30)
    quiet = render(lambda n: landscape_sound(0.0, 0.0, [], n / 60, {}), frames=30)
    heard = level_at(plucked, PLUCK_HZ[kind], skip=0)
    assert heard > 0.004                                            # 80 ms of it within the half second
    assert level_at(quiet, PLUCK_HZ[kind], skip=0) < heard / 20 and level_at(plucked, other, skip=0) < heard / 20


def test_more_balls_crossing_pluck_louder_and_a_pluck_dies_away():
    def loudness(balls, age):
        tones, _ = landscape_sound(0.0, 0.0, [(1, 0.0, "out", balls)], age, {})
        return next(t.amplitude for t in tones if t.voice == "pluck1")
    assert loudness(1, 0.0) < loudness(5, 0.0) < loudness(50, 0.0)
    assert loudness(20, 0.2) < loudness(20, 0.05) < loudness(20, 0.0)
    tones, _ = landscape_sound(0.0, 0.0, [(1, 0.0, "out", 20)], 5.0, {})
    assert not any(t.voice.startswith("pluck") for t in tones)


def test_crossings_are_counted_as_an_independent_basin_test_counts_them(monkeypatch):
    monkeypatch.setattr(landscape_scene, "PLUCK_SPACING_S", 0.0)       # one pluck per update: each one checkable
    exhibit = get_exhibit("landscape")
    settings = exhibit.settings().replace(seed=3, surface="complex", balls=2000, temperature=1.5, speed=30.0)
    show = make_show(exhibit, settings, (160, 90))
    scene = show.scene
    surface = scene.balls.surface
    checked = 0
    for _ in range(120):
        before = surface.in_global_basin(scene.balls.x, scene.balls.z) & ~scene.balls.exploded
        plucks = scene.pluck_count
        scene.update(1 / 30)
        after = surface.in_global_basin(scene.balls.x, scene.balls.z) & ~scene.balls.exploded
        out, came_in = int(np.sum(before & ~after)), int(np.sum(~before & after))
        if scene.pluck_count > plucks:
            _, _, kind, balls = scene.plucks[-1]
            assert balls == out + came_in and kind == ("out" if out >= came_in else "in")
            checked += 1
        else:
            assert out + came_in == 0
        counts = scene.basin_counts()
        assert counts == scene.balls.basin_counts()                    # the one basin test gives the counts too
    assert checked > 20


def test_plucks_are_bounded_in_rate_however_many_balls_cross():
    exhibit = get_exhibit("landscape")
    settings = exhibit.settings().replace(seed=4, surface="complex", balls=10_000, temperature=3.0, speed=60.0)
    scene = make_show(exhibit, settings, (160, 90)).scene
    clock, times = FixedClock(60), []
    for _ in range(60 * 10):
        count = scene.pluck_count
        scene.update(clock.tick())
        if scene.pluck_count > count:
            times.append(scene.plucks[-1][1])
    gaps = np.diff(times)
    assert len(times) >= 10 and gaps.min() >= landscape_scene.PLUCK_SPACING_S - 1e-9
    assert len(times) <= 10 / landscape_scene.PLUCK_SPACING_S + 1


def test_the_landscape_frame_sound_reads_its_balls():
    exhibit = get_exhibit("landscape")
    show = make_show(exhibit, exhibit.settings().replace(seed=2, balls=500), (160, 90))
    for _ in range(30):
        show.update(1 / 30)
    tones, noise = frame_sound(show.scene)
    balls = show.scene.balls
    share = height_share(float(np.mean(balls.losses())), *height_scale(balls.surface))
    height = next(t for t in tones if t.voice == "height")
    assert height.frequency == pytest.approx(HEIGHT_BASE_HZ * 2 ** share)
    assert noise == 0.0                                                # the default run is cold


def chime_roots(sound) -> set:
    tones, _ = sound
    return {round(t.frequency, 2) for t in tones if t.voice.startswith(("trained", "restarted")) and t.amplitude > 0}


def test_a_finished_run_rings_its_calm_chord_once():
    exhibit = get_exhibit("network")
    show = make_show(exhibit, exhibit.settings().replace(max_epochs=3, speed=10.0, seed=1), (320, 180))
    scene, clock = show.scene, FixedClock(60)
    while not scene.finished:
        assert not chime_roots(network_sonify.frame_sound(scene))       # nothing before it is trained
        scene.update(clock.tick())
    marked = scene.moments["trained"]
    heard = []
    for _ in range(int(60 * (CHIME_SECONDS + 1))):
        scene.update(clock.tick())
        heard.append(chime_roots(network_sonify.frame_sound(scene)))
    assert {TRAINED_HZ, TRAINED_HZ * 1.25, TRAINED_HZ * 1.5} <= set().union(*heard)
    assert heard[-1] == set() and scene.moments["trained"] == marked   # it dies away; marked once


def test_a_restart_after_divergence_rings_the_restart_chord():
    exhibit = get_exhibit("network")
    show = make_show(exhibit, exhibit.settings().replace(learning_rate=1e4, seed=7), (320, 180))
    scene, clock = show.scene, FixedClock(60)
    for _ in range(60 * 12):
        scene.update(clock.tick())
        if "restarted" in scene.moments:
            break
    assert scene.settings.seed == 8
    for _ in range(60):
        scene.update(clock.tick())
    assert round(RESTARTED_HZ, 2) in chime_roots(network_sonify.frame_sound(scene))
    assert math.isclose(network_sonify.MOMENT_HZ["restarted"], RESTARTED_HZ)
