"""The command line builds its settings flags from the exhibits' settings fields: a throwaway exhibit declared
here, in the test file, gets its flags (help with its defaults, its own parsers, problems naming its flags) in
every settings command without a line of the CLI changing. Problems carry their key, and the CLI names a flag
from the key, never from the message's text."""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image

from illumination.cli import build_parser, main
from illumination.cli.args import settings_from
from illumination.core.display import init_headless
from illumination.core.flags import NumberText, WrongKind, is_number
from illumination.core.scene import Exhibit, Scene, View
from illumination.core.settings import SettingsError, SettingsMixin
from illumination.exhibits import EXHIBITS
from network.noise import NoiseSpec
from themes.schema import Problem, choice, flag, number, text, whole


def _swing_text(text: str) -> float:
    """--noise for the pendulum: a push in degrees, a number (a noise spec is the network's kind)."""
    if not is_number(text):
        raise WrongKind(f"--noise for the pendulum is a push in degrees, got {text}")
    return NumberText("push", zero_ok=True)(text)


@dataclass(frozen=True)
class PendulumSettings(SettingsMixin):
    exhibit = "pendulum"
    seed: int = whole(0, 2**32 - 1, default=0)               # no flag: --seed does not apply
    theme: str = text(default="midnight", flag="--theme", view=True, help="theme name")
    swings: int = whole(1, 100, default=12, flag="--swings", help="swings of the run")
    length: float = number(0.1, 5.0, default=1.0, flag="--length", help="the rod, in metres")
    push: float = number(0.0, 90.0, default=0.0, flag="--noise", parse=_swing_text, help="a push, in degrees")
    still: bool = flag(default=False, flag="--still", help="start at rest")
    ratio: str = text(default="16:9", flag="--ratio", help="the frame's shape")
    speed: float = number(1.0, 240.0, default=60.0, flag="--speed", view=True, help="steps per second")
    bob: str = choice("brass", "glass", default="brass", flag="--bob", help="what swings")

    @staticmethod
    def check_names(values: dict) -> list[Problem]:
        """Problems whose messages hold colons, one of a key and one of the settings as a whole."""
        ratio = values.get("ratio")
        if ratio in ("16:9", "4:3"):
            return []
        return [Problem("ratio", f"must look like 16:9 or 4:3, got {ratio}"),
                Problem("", f"ratio: {ratio} would crop the swing: keep 16:9")]


class PendulumScene(Scene):
    name = "pendulum"

    def __init__(self, settings):
        super().__init__(settings)
        self.steps = 0.0

    def update(self, dt):
        self.steps = min(self.steps + self.settings.speed * dt, self.settings.swings)

    def position(self):
        return int(self.steps)

    def caption(self):
        return f"swing {self.position()}"


class PendulumView(View):
    def draw(self, surface):
        surface.fill((0, 0, int(self.scene.settings.length * 50)))   # the rod's length, in blue


PENDULUM = Exhibit(name="pendulum", title="Pendulum", settings=PendulumSettings, make_scene=PendulumScene,
                   make_view=PendulumView, count_unit="swings", count_setting="swings")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    init_headless()
    monkeypatch.setitem(EXHIBITS, "pendulum", PENDULUM)


def flags(*argv):
    return build_parser().parse_args(["run", *argv])


def help_of(command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"])
    return " ".join(out.getvalue().split())


def test_the_throwaway_exhibits_flags_are_in_every_settings_command_with_their_defaults():
    for command in ("run", "snapshot", "export"):
        shown = help_of(command)
        assert "the pendulum exhibit (with --exhibit pendulum): --swings SWINGS swings of the run (default 12)" in shown
        assert "--length LENGTH the rod, in metres (default 1)" in shown
        assert "--bob BOB what swings: brass, glass (default brass)" in shown
        assert "pendulum: a push, in degrees (default 0)" in shown              # beside the others' --noise
        assert "pendulum: draw this swing" in shown or command != "snapshot"   # its count unit's moment flag
    assert "--swings" not in help_of("train")                                   # train is the network's


def test_its_flags_are_read_and_set_its_settings():
    exhibit, settings = settings_from(flags("--exhibit", "pendulum", "--swings", "30", "--length", "2.5",
                                            "--noise", "15", "--still", "--bob", "glass", "--speed", "120"))
    assert exhibit is PENDULUM
    assert (settings.swings, settings.length, settings.push, settings.still, settings.bob, settings.speed) == \
        (30, 2.5, 15.0, True, "glass", 120.0)


def test_a_shared_flag_is_read_by_the_exhibit_the_run_is():
    _, network = settings_from(flags("--noise", "sgld:1e-4", "--schedule", "cosine"))
    assert network.noise_spec == NoiseSpec("sgld", 1e-4, "cosine")
    _, landscape = settings_from(flags("--exhibit", "landscape", "--noise", "0.5"))
    assert landscape.noise == 0.5
    with pytest.raises(SettingsError) as info:
        settings_from(flags("--exhibit", "pendulum", "--noise", "input_jitter:0.1"))
    assert info.value.lines() == ["--noise for the pendulum is a push in degrees, got input_jitter:0.1"]


def test_a_problem_names_the_flag_that_set_the_value_or_the_file_and_its_key(tmp_path):
    with pytest.raises(SettingsError) as info:
        settings_from(flags("--exhibit", "pendulum", "--length", "9"))
    assert info.value.lines() == ["--length: must be between 0.1 and 5, got 9.0"]
    scene = tmp_path / "p.toml"
    scene.write_text('exhibit = "pendulum"\nlength = 7\nswings = 500\n')
    with pytest.raises(SettingsError) as info:       # the file's bad length is reported though a flag replaces it
        settings_from(flags("--scene", str(scene), "--length", "2", "--swings", "200"))
    assert info.value.lines() == ["--swings: must be between 1 and 100, got 200",
                                  f"{scene}: swings: must be between 1 and 100, got 500",
                                  f"{scene}: length: must be between 0.1 and 5, got 7"]
    assert [(p.key, p.source) for p in info.value.problems] == [("--swings", ""), ("swings", str(scene)),
                                                               ("length", str(scene))]


def test_flags_of_another_exhibit_do_not_apply(capsys):
    assert main(["snapshot", "--swings", "3", "-o", "never.png"]) == 2
    assert capsys.readouterr().err == "illumination: error: --swings does not apply to the network exhibit\n"
    assert main(["snapshot", "--exhibit", "pendulum", "--lr", "0.1", "-o", "never.png"]) == 2
    assert capsys.readouterr().err == "illumination: error: --lr does not apply to the pendulum exhibit\n"


def test_messages_with_colons_map_by_their_key_not_their_text():
    """The old CLI split each line at its first ':' to find the key: the whole-settings problem below begins
    with "ratio:" and would have been rewritten as the --ratio flag's. Now the key says whose it is."""
    with pytest.raises(SettingsError) as info:
        settings_from(flags("--exhibit", "pendulum", "--ratio", "5:4:3"))
    assert info.value.lines() == ["--ratio: must look like 16:9 or 4:3, got 5:4:3",
                                  "ratio: 5:4:3 would crop the swing: keep 16:9"]
    assert [p.key for p in info.value.problems] == ["--ratio", ""]


def test_snapshot_draws_the_throwaway_exhibit_as_its_flags_say(tmp_path, capsys):
    target = tmp_path / "p.png"
    assert main(["snapshot", "--exhibit", "pendulum", "--length", "4", "--swings", "7", "--size", "32x18",
                 "-o", str(target)]) == 0
    assert "swing 7" in capsys.readouterr().out          # the run's end: the length the --swings flag set
    assert np.asarray(Image.open(target).convert("RGB"))[9, 16, 2] == 200
    code = main(["snapshot", "--exhibit", "pendulum", "--at-swing", "9", "--swings", "7", "-o", str(target)])
    assert code == 2 and "--at-swing 9 is past the end of the run (--swings 7)" in capsys.readouterr().err
