"""The Network's sound, heard through an FFT: every tone one of its numbers (sonify.py, core/sound.py)."""
import numpy as np
import pytest

from illumination.core.sound import CEILING, SAMPLE_RATE, Synth, Tone
from illumination.exhibits.network.sonify import HIDDEN_NOTES_HZ, OUTPUT_HZ, hidden_loudness, network_sound

FRAME = SAMPLE_RATE // 60          # 735 samples: one 60 fps frame
FRAMES = 60                        # one second


def render(frame_sound, frames=FRAMES, seed=0, volume=1.0) -> np.ndarray:
    synth = Synth(seed=seed, volume=volume)
    return np.concatenate([synth.render(*frame_sound(n), FRAME) for n in range(frames)])


def level_at(samples: np.ndarray, frequency: float, skip: int = 10 * FRAME) -> float:
    """The amplitude of the component at `frequency` (Hz) after the first frames' glide (Hann window)."""
    x = samples[skip:].astype(np.float64)
    window = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * window)) * 2 / window.sum()
    frequencies = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    near = np.abs(frequencies - frequency) <= 3.0
    return float(spectrum[near].max())


def hidden(values: dict) -> np.ndarray:
    h = np.zeros(16)
    for j, v in values.items():
        h[j] = v
    return h


PROBS = np.array([0.2, 0.8])


def test_a_neuron_is_heard_at_its_own_pitch_when_it_fires_and_not_when_its_relu_is_silent():
    samples = render(lambda n: network_sound(hidden({3: 2.0, 11: 1.0}), PROBS, 0.2, 0.9))
    for j in (3, 11):
        assert level_at(samples, HIDDEN_NOTES_HZ[j]) > 0.02
    for j in (0, 5, 8, 14):                                    # silent ReLUs: nothing at their pitches
        assert level_at(samples, HIDDEN_NOTES_HZ[j]) < 0.002


def test_louder_means_a_larger_activation():
    levels = [level_at(render(lambda n, a=a: network_sound(hidden({6: a}), PROBS, 0.2, 0.9)), HIDDEN_NOTES_HZ[6])
              for a in (0.1, 0.5, 1.0, 2.0, 4.0)]
    assert all(a < b for a, b in zip(levels, levels[1:])), levels
    assert levels[-1] == pytest.approx(hidden_loudness(4.0), rel=0.05)     # the FFT hears the amplitude it was given


def test_the_winning_answer_rings_brighter_the_surer_it_is():
    unsure = render(lambda n: network_sound(hidden({}), np.array([0.45, 0.55]), 0.6, 0.9))
    sure = render(lambda n: network_sound(hidden({}), np.array([0.02, 0.98]), 0.02, 0.9))
    assert level_at(sure, OUTPUT_HZ[1]) == pytest.approx(level_at(unsure, OUTPUT_HZ[1]), rel=0.05)
    assert level_at(sure, 2 * OUTPUT_HZ[1]) > 5 * level_at(unsure, 2 * OUTPUT_HZ[1])
    circle = render(lambda n: network_sound(hidden({}), np.array([0.9, 0.1]), 0.1, 0.9))
    assert level_at(circle, OUTPUT_HZ[0]) > 0.05 and level_at(circle, OUTPUT_HZ[1]) < 0.002


def test_the_loss_texture_grows_with_the_loss():
    def band_rms(samples):                 # 200-900 Hz: above the drone, where the noise lives in a backward pass
        spectrum = np.abs(np.fft.rfft(samples[10 * FRAME:].astype(np.float64)))
        frequencies = np.fft.rfftfreq(len(samples) - 10 * FRAME, 1 / SAMPLE_RATE)
        return float(np.sqrt(np.mean(spectrum[(frequencies > 200) & (frequencies < 900)] ** 2)))
    levels = [band_rms(render(lambda n, loss=loss: network_sound(hidden({2: 1.0}), PROBS, loss, 0.9,
                                                                 forward=False)))
              for loss in (0.0, 0.1, 0.7, 3.0)]
    assert levels[0] < 0.01 * levels[-1] and all(a < b for a, b in zip(levels, levels[1:])), levels


def test_the_same_numbers_give_the_same_samples_and_nothing_clicks_or_clips():
    def script(n):   # neurons switching on and off, a loud crowd, forward and backward in turn
        h = hidden({j: 8.0 for j in range(16)}) if n % 20 < 10 else hidden({1: 0.3})
        return network_sound(h, PROBS, 5.0, 0.6, forward=n % 30 < 15)
    one, two = render(script, frames=120), render(script, frames=120)
    assert one.dtype == np.float32 and np.array_equal(one, two)
    assert np.all(np.isfinite(one)) and np.max(np.abs(one)) <= CEILING
    assert not np.array_equal(render(script, frames=30, seed=1), render(script, frames=30, seed=0))   # noise seed


def test_a_tone_switched_on_and_off_never_clicks():
    """Without the ramps a 0.5 tone switched on would jump by up to 0.5 between two samples; with them, no step is
    larger than the sine's own steepest slope plus the ramp's share."""
    synth = Synth(volume=1.0)
    samples = np.concatenate([synth.render([Tone("a", 440.0, 0.5)] if (n // 12) % 2 else [], 0.0, FRAME)
                              for n in range(72)])
    bound = 2 * np.pi * 440.0 * 0.5 / SAMPLE_RATE + 0.5 / FRAME
    assert np.max(np.abs(np.diff(samples))) <= bound * 1.01
    assert np.max(np.abs(samples)) > 0.3                         # and it did sound


def test_a_voice_that_stops_fades_out_in_a_few_frames_and_is_then_gone():
    synth = Synth(volume=1.0)
    for _ in range(30):
        synth.render([Tone("a", 440.0, 0.5)], 0.0, FRAME)
    fading = [np.max(np.abs(synth.render([], 0.0, FRAME))) for _ in range(30)]
    assert fading[0] > 0.2 and all(a >= b for a, b in zip(fading, fading[1:]))    # it swells down, never jumps
    assert fading[-1] == 0.0                                                        # and is gone


def test_non_finite_numbers_make_no_sound_and_no_nan():
    tones, noise = network_sound(np.array([np.nan, np.inf, -1.0] + [0.0] * 13), np.array([np.nan, np.nan]),
                                 float("nan"), float("nan"))
    assert all(np.isfinite(t.amplitude) and np.isfinite(t.frequency) for t in tones) and noise == 0.0
    assert np.all(np.isfinite(Synth().render(tones, noise, FRAME)))


def test_bench_sound_reports_the_synthesis_cost_per_frame(capsys):
    import json
    from illumination.cli import main
    assert main(["bench", "sound", "--frames", "60", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["samples_per_frame"] == 735 and result["frames"] == 60
    assert 0 < result["synth_ms_per_frame_median"] <= result["synth_ms_per_frame_p99"]
    assert result["landscape_balls"] == 10_000
    assert 0 < result["landscape_ms_per_frame_median"] <= result["landscape_ms_per_frame_p99"]
