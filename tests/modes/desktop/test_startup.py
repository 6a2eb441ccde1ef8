"""The window's launch: its first frames (bench startup) and the collector held until the first live frame."""
import gc
import json

import pytest

from illumination.cli import main
from illumination.core import collector
from illumination.core.display import init_headless
from illumination.exhibits import get_exhibit
from illumination.modes.desktop import window


@pytest.fixture(autouse=True)
def collector_back_on():
    yield
    collector.release_collector()
    gc.unfreeze()          # the test process's objects go back to the collector


def test_hold_and_release_are_idempotent_and_release_freezes_only_after_a_hold():
    collector.release_collector()
    frozen = gc.get_freeze_count()
    collector.release_collector()             # never held: nothing frozen
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    collector.hold_collector()
    assert not gc.isenabled()
    collector.release_collector()
    assert gc.isenabled() and gc.get_freeze_count() >= frozen


def test_the_window_releases_the_collector_at_its_first_live_frame(tmp_path, monkeypatch):
    """Held at launch, released by the first frame that shows a trained step (not before, not at exit)."""
    init_headless()
    monkeypatch.setenv("ILLUMINATION_ALLOW_DUMMY_WINDOW", "1")
    probe = tmp_path / "probe.jsonl"
    monkeypatch.setenv(window.PROBE_ENV, str(probe))      # the loop stops after the first live frame
    seen = []
    real_release = window.release_collector

    def release():
        if not seen:
            seen.append(gc.isenabled())
        real_release()

    monkeypatch.setattr(window, "release_collector", release)
    exhibit = get_exhibit("network")
    collector.hold_collector()
    assert window.run_window(exhibit, exhibit.settings(), (640, 360)) == 0
    events = [json.loads(line)["event"] for line in probe.read_text().splitlines()]
    assert events == ["window", "first_frame", "live_frame"]
    assert seen == [False] and gc.isenabled()       # it was still held when the live frame released it


def test_other_commands_release_the_collector_before_their_work(tmp_path, monkeypatch, capsys):
    import illumination.cli.train as train_module
    states = []
    real = train_module.train_command

    def spy(args):
        states.append(gc.isenabled())
        return real(args)

    monkeypatch.setattr(train_module, "train_command", spy)
    collector.hold_collector()
    assert main(["train", "--epochs", "1", "--samples", "20", "--json"]) == 0
    assert states == [True]


def test_bench_startup_reports_both_moments(capsys):
    assert main(["bench", "startup", "--runs", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["runs"] == 1
    assert 0 < result["window_to_first_frame_s_median"] <= result["first_frame_s_median"] \
        <= result["live_frame_s_median"] < 60
