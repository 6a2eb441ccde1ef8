"""The modes are exhibit-agnostic: a throwaway exhibit defined here, in the test file, runs through snapshot,
export and a headless kiosk playlist without a line of the project changing. It draws a horizontal gradient
whose brightness is its own step count, so every frame says which moment it is."""
from __future__ import annotations

import textwrap
import tomllib
from dataclasses import dataclass

import numpy as np
import pygame
import pytest
from PIL import Image

from illumination.cli import main
from illumination.core.clock import FixedClock
from illumination.core.display import init_headless
from illumination.core.scene import Exhibit, Scene, View
from illumination.core.settings import SettingsMixin
from illumination.exhibits import EXHIBITS
from illumination.modes.kiosk.attract import Kiosk
from illumination.modes.kiosk.playlist import load_themes, parse_playlist
from themes.schema import number, text, whole


@dataclass(frozen=True)
class GradientSettings(SettingsMixin):
    exhibit = "gradient"
    seed: int = whole(0, 2**32 - 1, default=0)
    theme: str = text(default="midnight")
    speed: float = number(1.0, 240.0, default=60.0)     # steps per second
    steps: int = whole(1, 10_000, default=120)


class GradientScene(Scene):
    name = "gradient"

    def __init__(self, settings):
        super().__init__(settings)
        self.steps_done = 0.0

    def update(self, dt):
        if not self.paused:
            self.steps_done = min(self.steps_done + self.settings.speed * dt, self.settings.steps)

    def position(self):
        return int(self.steps_done)

    @property
    def finished(self):
        return self.steps_done >= self.settings.steps

    def run_seconds(self):
        return self.settings.steps / self.settings.speed

    def caption(self):
        return f"seed {self.settings.seed}   ·   step {self.position()}"


def level(step: int) -> int:
    return min(255, 2 * step)


class GradientView(View):
    def draw(self, surface):
        width, height = surface.get_size()
        ramp = np.linspace(0.0, 1.0, width)[:, None]                  # (w, 1): dark left, bright right
        blue = np.broadcast_to(ramp * level(self.scene.position()), (width, height))
        pixels = np.zeros((width, height, 3), dtype=np.uint8)
        pixels[..., 2] = blue.astype(np.uint8)
        pygame.surfarray.blit_array(surface, pixels)


GRADIENT = Exhibit(name="gradient", title="Gradient", settings=GradientSettings, make_scene=GradientScene,
                   make_view=GradientView, about=("A gradient", ("It brightens as it counts.",)),
                   count_unit="steps", count_setting="steps")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    init_headless()
    monkeypatch.setitem(EXHIBITS, "gradient", GRADIENT)


def right_edge_blue(path) -> int:
    image = np.asarray(Image.open(path).convert("RGB"))
    return int(image[image.shape[0] // 2, -1, 2])


def test_snapshot_draws_the_throwaway_exhibit_at_its_default_position(tmp_path, capsys):
    target = tmp_path / "still.png"
    assert main(["snapshot", "--exhibit", "gradient", "-o", str(target), "--size", "64x36"]) == 0
    assert right_edge_blue(target) == level(30)        # snapshot stops at position 30 of the count unit
    assert "step 30" in capsys.readouterr().out


def test_a_flag_the_exhibit_does_not_have_is_refused_in_one_line(tmp_path, capsys):
    code = main(["snapshot", "--exhibit", "gradient", "--lr", "0.1", "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and err == "illumination: error: --lr does not apply to the gradient exhibit\n"


def test_export_writes_png_frames_of_the_throwaway_exhibit(tmp_path):
    assert main(["export", "--exhibit", "gradient", "-o", str(tmp_path / "f" / "%03d.png"), "--frames", "4",
                 "--fps", "30", "--size", "64x36"]) == 0
    frames = sorted((tmp_path / "f").glob("*.png"))
    # 60 steps/s at 30 fps: 2 steps a frame, each frame drawn after its update.
    assert [right_edge_blue(f) for f in frames] == [level(2), level(4), level(6), level(8)]


def test_a_headless_kiosk_plays_the_throwaway_exhibit(tmp_path):
    playlist = load_themes(parse_playlist(tomllib.loads(textwrap.dedent("""
        hold_seconds = 1
        crossfade_seconds = 0.5
        [[item]]
        exhibit = "gradient"
        seed = 3
        steps = 20
        [[item]]
        exhibit = "gradient"
        seconds = 2
        settings = { speed = 10.0 }
    """))))[0]
    assert playlist.items[0].count == 20 and playlist.items[0].settings.steps == 20
    kiosk = Kiosk(playlist, (48, 27))
    surface = pygame.Surface((48, 27))
    clock = FixedClock(10)
    seen = []
    for _ in range(60):
        kiosk.update(clock.tick())
        kiosk.draw(surface)
        seen.append((kiosk.current.item.index, kiosk.phase))
    assert (0, "hold") in seen and (1, "play") in seen
    assert kiosk.stats["items_completed"] >= 1 and kiosk.stats["exceptions_recovered"] == 0
    assert surface.get_at((47, 13))[2] > 0     # the gradient is on the wall


def test_the_kiosk_logs_an_exhibits_training_reports_in_the_exhibits_own_words(monkeypatch):
    """The kiosk knows no exhibit's log format: it writes the lines the exhibit's describe_log gives it."""
    import logging
    from dataclasses import replace

    class Reporting(GradientScene):
        def update(self, dt):
            super().update(dt)
            if self.log_sink is not None and self.position() == 3:
                self.log_sink({"event": "milestone", "step": 3})

    exhibit = replace(GRADIENT, make_scene=Reporting,
                      describe_log=lambda event: [f"reached step {event['step']}", "  and went on"])
    monkeypatch.setitem(EXHIBITS, "gradient", exhibit)
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("illumination.test.any_exhibit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    playlist = load_themes(parse_playlist(tomllib.loads('[[item]]\nexhibit = "gradient"\nseconds = 1\n'
                                                        'settings = { speed = 60.0 }\n')))[0]
    kiosk = Kiosk(playlist, (48, 27), log=logger)
    clock = FixedClock(60)
    for _ in range(10):
        kiosk.update(clock.tick())
    lines = [r.getMessage() for r in records if r.getMessage().startswith("train log")]
    assert lines == ["train log · reached step 3", "train log · and went on"]


def test_bench_landscape_runs_through_the_exhibits_own_bench(monkeypatch, capsys):
    """`bench landscape` hands its flags to the exhibit's bench hook and reports what it returns."""
    import json
    from dataclasses import replace
    calls = []

    def bench(size, frames, **options):
        calls.append((size, frames, options))
        return {"frames": frames, "from": "the hook"}

    monkeypatch.setitem(EXHIBITS, "landscape", replace(EXHIBITS["landscape"], bench=bench))
    assert main(["bench", "landscape", "--json", "--frames", "3", "--balls", "7", "--size", "64x36"]) == 0
    assert json.loads(capsys.readouterr().out) == {"frames": 3, "from": "the hook"}
    assert calls == [((64, 36), 3, {"balls": 7, "view": "3d", "composition": "explain"})]


def test_the_landscapes_bench_reports_its_figures():
    from illumination.exhibits import get_exhibit
    result = get_exhibit("landscape").bench((160, 90), 2, balls=50, view="3d", composition="explain")
    assert list(result) == ["size", "balls", "frames", "view", "composition", "frame_ms_median", "frame_ms_p99",
                            "mesh_ms_median", "drag_frame_ms_median", "slice_ms_median", "slice_resolution",
                            "slice_samples", "finite"]
    assert result["finite"] and result["mesh_ms_median"] is not None and result["slice_samples"] == 240
