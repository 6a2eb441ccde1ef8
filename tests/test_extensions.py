"""Every extension point is one registration in one place: a throwaway optimizer, noise mode, schedule, surface and
exhibit theme section, defined here in the test file, reach the window's menus, the settings' validation, the
command line and a real run, with no line of the project changing (as tests/test_any_exhibit.py does for
exhibits)."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from data import make_dataset
from data.surfaces import SURFACES, Surface, register_surface
from illumination.cli import main
from illumination.exhibits.landscape.controls import landscape_controls
from illumination.exhibits.landscape.settings import LandscapeSettings
from illumination.exhibits.network.controls import network_controls
from illumination.exhibits.network.settings import NetworkSettings
from illumination.core.settings import SettingsError, load_settings
from network import MLP, TrainConfig, Trainer
from network.noise import NOISE_MODES, PER_EPOCH, NoiseMode, parse_noise, register_noise_mode, uniforms
from network.optim import OPTIMIZERS, ROLLING, Optimizer, register
from network.schedules import SCHEDULES, register_schedule
from physics.descent import Balls, BallSettings
from themes import load_theme
from themes.loader import EXHIBIT_SECTIONS, ThemeError, ThemeSection, register_section, theme_from_dict
from themes.schema import colour


class SignDescent(Optimizer):
    """w ← w − lr·sign(g): a throwaway optimizer, with a Langevin form for the balls too."""
    name, menu, learning_rate, rolls = "toy_sign", "Sign descent", 0.01, True

    def step(self, params, grads):
        for key, grad in grads.items():
            params[key] -= self.lr * np.sign(grad)

    @classmethod
    def roll(cls, g, lr, beta, temperature, kick, velocity, square_average, first_power, second_power):
        displacement = -lr * np.sign(g)
        if kick is not None:
            displacement += np.sqrt(2 * lr * temperature) * kick
        return displacement, velocity, square_average


def _blank_pixels(X, y, level, key, first):
    """A throwaway per-epoch mode: each input pixel blanked with probability `level`, fresh every epoch."""
    keep = uniforms(key, first, X.size).reshape(X.shape) >= level
    return X * keep, y


BLANKING = NoiseMode("toy_blanking", PER_EPOCH, 0.9, 0.2, "pixel blanking", "p", "Pixel blanking",
                     "each input pixel blanked with probability p", epoch_data=_blank_pixels)


def toy_halving(t):
    """A throwaway schedule: the level halves every 100 steps."""
    return 0.5 ** (np.asarray(t, dtype=np.float64) / 100.0)


TILTED = Surface("toy_tilted", "Tilted bowl", "0.2((x − 1)² + z²)", "A bowl whose bottom is at (1, 0).",
                 -5.0, 5.0, lambda x, z: 0.2 * ((x - 1) ** 2 + z ** 2), lambda x, z: (0.4 * (x - 1), 0.4 * z),
                 ((1.0, 0.0),), unique_stationary_point=True, learning_rate=0.05, temperature_max=1.0,
                 start_half_width=4.0)


@dataclasses.dataclass(frozen=True)
class MoonColours:
    face: tuple = colour()


MOON = ThemeSection("toy_moon", MoonColours, "toy_exhibit", fallback=lambda base: MoonColours(base["text"].accent))


@pytest.fixture
def extensions():
    """Register every throwaway extension; afterwards the registries are as they were."""
    saved = [(registry, dict(registry)) for registry in (OPTIMIZERS, NOISE_MODES, SCHEDULES, SURFACES,
                                                         EXHIBIT_SECTIONS)]
    register(SignDescent)
    register_noise_mode(BLANKING)
    register_schedule(toy_halving)
    register_surface(TILTED)
    register_section(MOON)
    yield
    for registry, before in saved:
        registry.clear()
        registry.update(before)


def _menu(controls, key):
    return next(item for _, items, _ in controls.pages for item in items if getattr(item, "key", None) == key
                and hasattr(item, "options"))


def test_the_windows_menus_read_the_registries(extensions):
    network, landscape = network_controls(), landscape_controls()
    assert "toy_sign" in _menu(network, "optimizer").options
    assert _menu(network, "optimizer").name_of("toy_sign") == "Sign descent"
    assert _menu(network, "noise_mode").name_of("toy_blanking") == "Pixel blanking"
    assert "toy_halving" in _menu(network, "schedule").options
    assert "toy_sign" in _menu(landscape, "optimizer").options          # it rolls, so the balls offer it
    assert _menu(landscape, "surface").name_of("toy_tilted") == "Tilted bowl"
    assert "toy_halving" in _menu(landscape, "schedule").options
    # choosing the new noise mode in the window brings its usual magnitude with it
    companions = _menu(network, "noise_mode").companions(NetworkSettings(), "toy_blanking")
    assert companions == {"noise_magnitude": 0.2}


def test_an_optimizer_without_a_langevin_form_is_not_offered_to_the_balls(extensions):
    assert "adamw" in OPTIMIZERS and "adamw" not in ROLLING and "muon" not in _menu(landscape_controls(),
                                                                                     "optimizer").options
    with pytest.raises(SettingsError, match="optimizer"):
        load_settings(LandscapeSettings, {"optimizer": "muon"})


def test_the_settings_accept_them_and_still_refuse_a_typo(extensions):
    settings = load_settings(NetworkSettings, {"optimizer": "toy_sign", "noise_mode": "toy_blanking",
                                               "noise_magnitude": 0.3, "schedule": "toy_halving"})
    assert (settings.optimizer, settings.noise_mode, settings.schedule) == ("toy_sign", "toy_blanking",
                                                                            "toy_halving")
    balls = load_settings(LandscapeSettings, {"optimizer": "toy_sign", "surface": "toy_tilted",
                                             "schedule": "toy_halving"})
    assert balls.surface == "toy_tilted"
    with pytest.raises(SettingsError, match="toy_blanking"):        # the message lists the new one too
        load_settings(NetworkSettings, {"noise_mode": "toy_blankin"})
    with pytest.raises(ValueError, match="at most 0.9"):              # and its own limit
        parse_noise("toy_blanking:0.95")


def test_a_training_run_uses_them_reproducibly(extensions):
    data = make_dataset(5)

    def run(noise):
        trainer = Trainer(MLP.create(5), data, TrainConfig(max_epochs=4, optimizer="toy_sign", lr=0.01,
                                                           noise=parse_noise(noise, "toy_halving")), seed=5)
        trainer.train()
        return trainer
    blanked, again, clean = run("toy_blanking:0.3"), run("toy_blanking:0.3"), run("none")
    np.testing.assert_array_equal(blanked.net.W1, again.net.W1)                 # same seed, same weights
    assert not np.allclose(blanked.net.W1, clean.net.W1)                        # the noise did something
    assert blanked.noise_level == pytest.approx(0.3 * 0.5 ** (blanked.step_count / 100))
    # every step moved each weight by exactly lr (sign descent), so the weights sit on a grid of lr from the start
    moved = (blanked.net.W1 - MLP.create(5).W1) / 0.01
    np.testing.assert_allclose(moved, np.round(moved), atol=1e-6)


def test_the_balls_roll_with_the_new_optimizer_on_the_new_surface(extensions):
    rng = np.random.default_rng(1)
    balls = Balls(BallSettings(surface="toy_tilted", optimizer="toy_sign", learning_rate=0.01), 50, rng)
    start = np.abs(balls.x - 1.0)
    for _ in range(100):
        balls.step(rng)
    # sign descent moves 0.01 per step toward the bottom (1, 0) until it overshoots by at most one step
    assert np.all(np.abs(balls.x - 1.0) <= np.maximum(start - 1.0, 0.0) + 0.01 + 1e-12)
    assert balls.basin_counts().in_global_basin == 50


def test_the_command_line_takes_them(extensions, capsys):
    assert main(["train", "--optimizer", "toy_sign", "--noise", "toy_blanking:0.2", "--schedule",
                 "toy_halving", "--epochs", "2", "--lr", "0.01", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["optimizer"], result["noise"], result["schedule"]) == ("toy_sign", "toy_blanking:0.2",
                                                                          "toy_halving")
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = capsys.readouterr().out
    for name in ("toy_sign", "toy_blanking", "toy_halving"):
        assert name in help_text


def test_an_exhibits_theme_section_is_read_by_every_theme(extensions, tmp_path):
    theme = load_theme("midnight")                          # written before this section existed: the fallback
    assert theme.toy_moon.face == theme.text.accent
    data = json.loads(json.dumps(_plain(theme)))
    data["toy_moon"] = {"face": "#ff0000"}                 # a theme that sets it is read strictly
    assert theme_from_dict(data).toy_moon.face == (255, 0, 0)
    data["toy_moon"] = {"face": "red"}
    with pytest.raises(ThemeError, match="theme.toy_moon.face"):
        theme_from_dict(data)
    register_section(dataclasses.replace(MOON, fallback=None))   # without a fallback every theme needs it
    with pytest.raises(ThemeError, match="theme.toy_moon: missing"):
        load_theme("midnight")


def _plain(theme) -> dict:
    """A loaded theme back as the TOML table it came from (colours as #rrggbb)."""
    def section(value):
        return {f.name: ("#%02x%02x%02x" % getattr(value, f.name)) if f.metadata.get("kind") == "colour"
                else getattr(value, f.name) for f in dataclasses.fields(value)}
    table = {"name": theme.name, "description": theme.description, "mode": theme.mode}
    for name in ("background", "text", "chart", "effects"):
        table[name] = section(getattr(theme, name))
    for name, value in theme.exhibit_sections:
        if name != "toy_moon":
            table[name] = section(value)
    return table
