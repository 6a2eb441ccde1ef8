"""Training under noise: every mode, on the NumPy reference and the numba fast path, drawing the same noise."""
import math

import numpy as np
import pytest

from data import make_dataset
from network import MLP, TrainConfig, Trainer
from network.noise import NOISE_MODES, NoiseInjector, gaussians, parse_noise
from network.schedules import SCHEDULES


@pytest.fixture(scope="module")
def data():
    return make_dataset(8)


def trained(data, noise, backend="numba", epochs=3, listen=False, schedule="constant", optimizer="sgd", layers=1):
    trainer = Trainer(MLP.create(8, hidden_layers=layers), data,
                      TrainConfig(max_epochs=epochs, backend=backend, noise=parse_noise(noise, schedule),
                                  optimizer=optimizer), seed=8)
    if listen:
        trainer.subscribe("step", lambda snapshot: None)      # the per-batch path
    trainer.train()
    return trainer


def test_specs_parse_and_refuse_clearly():
    assert parse_noise("input_jitter:0.1").label == "input_jitter:0.1"
    assert parse_noise("sgld:1e-4").magnitude == 1e-4 and parse_noise("none").active is False
    for text, message in (("jitter:0.1", "unknown noise mode 'jitter'"), ("sgld", "none or MODE:MAGNITUDE"),
                          ("sgld:x", "must be a number"), ("label_noise:0.9", "at most 0.5"),
                          ("input_jitter:-1", ">= 0")):
        with pytest.raises(ValueError, match=message):
            parse_noise(text)
    with pytest.raises(ValueError, match="unknown schedule 'warm'"):
        parse_noise("sgld:1e-4", schedule="warm")
    with pytest.raises(ValueError, match="noise must be a NoiseSpec"):
        TrainConfig(noise="sgld:1e-4")


def test_the_counter_generator_is_standard_normal_and_addressable():
    g = gaussians(99, 0, 200_000)
    assert abs(g.mean()) < 0.01 and abs(g.std() - 1) < 0.01
    # Kolmogorov–Smirnov against the normal CDF (critical value at 1%: 1.63/√n), and the ziggurat's tail beyond
    # r = 3.654 (its own code path) as often as the normal law says (2.58e-4 of draws, ±4 sd of a binomial).
    ordered = np.sort(g)
    cdf = 0.5 * (1.0 + np.vectorize(math.erf)(ordered / math.sqrt(2.0)))
    n = len(g)
    distance = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert distance < 1.63 / math.sqrt(n)
    tail = 2.0 * (1.0 - 0.5 * (1.0 + math.erf(3.6541528853610088 / math.sqrt(2.0))))
    assert abs(np.mean(np.abs(g) > 3.6541528853610088) - tail) < 4 * math.sqrt(tail / n)
    np.testing.assert_array_equal(gaussians(99, 500, 10), g[500:510])     # number i is a function of i alone
    assert not np.array_equal(gaussians(98, 0, 10), g[:10])
    from network import kernels
    numba_drawn = np.zeros(n)
    kernels._add_noise(numba_drawn, 1.0, np.uint64(99), 0)
    np.testing.assert_array_equal(numba_drawn, g)                          # numba draws the very same numbers
    for first in (7, 1074, (1 << 40) + 12_345):
        out = np.zeros(999)
        kernels._add_noise(out, 1.0, np.uint64(12_345_678_901), first)
        np.testing.assert_array_equal(out, gaussians(12_345_678_901, first, 999))


@pytest.mark.parametrize("noise", ["input_jitter:0.3", "label_noise:0.2", "gradient_gaussian:0.5", "sgld:1e-3",
                                   "parameter_jitter:0.005"])
def test_numba_fused_numba_stepped_and_numpy_draw_the_same_noise(data, noise):
    fused = trained(data, noise)
    stepped = trained(data, noise, listen=True)
    reference = trained(data, noise, backend="numpy")
    clean = trained(data, "none")
    for name in fused.net.names:
        np.testing.assert_allclose(fused.net.parameters()[name], stepped.net.parameters()[name], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fused.net.parameters()[name], reference.net.parameters()[name], rtol=1e-7, atol=1e-9)
    assert not np.allclose(fused.net.W1, clean.net.W1, atol=1e-6)          # the noise did something


def test_same_seed_same_noisy_weights_bit_for_bit(data):
    a, b = trained(data, "sgld:1e-3"), trained(data, "sgld:1e-3")
    assert all(a.net.parameters()[k].tobytes() == b.net.parameters()[k].tobytes() for k in a.net.names)


def test_label_noise_flips_the_asked_fraction_and_input_jitter_has_the_asked_spread(data):
    injector = NoiseInjector(parse_noise("label_noise:0.25"), key=7, n_parameters=1074)
    X, y = injector.epoch_data(data.X_train, data.y_train, epoch=0, step=0)
    assert X is data.X_train and abs(np.mean(y != data.y_train) - 0.25) < 0.07
    _, y2 = injector.epoch_data(data.X_train, data.y_train, epoch=1, step=15)
    assert not np.array_equal(y, y2)                                        # fresh every epoch
    jitter = NoiseInjector(parse_noise("input_jitter:0.3"), key=7, n_parameters=1074)
    X, _ = jitter.epoch_data(data.X_train, data.y_train, epoch=0, step=0)
    assert abs(np.std(X - data.X_train) - 0.3) < 0.01


def test_sgld_kick_is_sqrt_2_eta_T_and_gradient_noise_is_minus_eta_sigma():
    injector = NoiseInjector(parse_noise("sgld:0.02"), key=1, n_parameters=10)
    assert injector.step_scale(0, lr=0.05) == pytest.approx(np.sqrt(2 * 0.05 * 0.02))
    assert NoiseInjector(parse_noise("gradient_gaussian:0.5"), 1, 10).step_scale(0, lr=0.05) == pytest.approx(-0.025)


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_every_schedule_scales_the_level(schedule):
    injector = NoiseInjector(parse_noise("parameter_jitter:0.01", schedule), key=1, n_parameters=10)
    assert injector.spec.level(0) == pytest.approx(0.01)
    level = injector.spec.level(1100)
    assert 0 <= level <= 0.01 and (schedule == "constant") == (level == pytest.approx(0.01))


@pytest.mark.parametrize("mode", [m for m in NOISE_MODES if m != "none"])
def test_each_mode_runs_with_adam_and_with_two_hidden_layers(data, mode):
    magnitude = {"label_noise": 0.1, "sgld": 1e-4, "parameter_jitter": 1e-3}.get(mode, 0.1)
    for trainer in (trained(data, f"{mode}:{magnitude}", optimizer="adam", epochs=2),
                    trained(data, f"{mode}:{magnitude}", layers=2, epochs=2)):
        assert trainer.epoch == 2 and not trainer.diverged and np.isfinite(trainer.last_loss)
