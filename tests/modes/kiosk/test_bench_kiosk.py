"""`illumination bench kiosk`: each state is what it says (a live item, the dip, closed hours) and its CPU figure
is the process's CPU time over wall time."""
import json

from illumination.cli import main
from illumination.modes.kiosk.bench import measure_state


def test_each_state_is_the_state_it_names():
    network = measure_state("network", (320, 180), 1.0, 60)
    transition = measure_state("transition", (320, 180), 1.0, 60)
    closed = measure_state("closed", (320, 180), 1.0, 60)
    assert (network["phase"], network["closed"]) == ("play", False)
    assert (transition["phase"], closed["closed"]) == ("fade", True)
    assert closed["fps_cap"] == 5 and closed["fps"] <= 6 and network["fps"] > 20
    # A black screen five times a second costs a small fraction of a live item.
    assert 0 <= closed["cpu_percent_of_one_core"] < network["cpu_percent_of_one_core"]


def test_the_command_reports_every_state_for_every_size(capsys):
    code = main(["bench", "kiosk", "--size", "160x90", "--seconds", "1", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and [row["state"] for row in result["states"]] == ["network", "landscape", "transition",
                                                                       "closed"]
    assert all(row["size"] == "160x90" and row["cpu_percent_of_one_core"] >= 0 for row in result["states"])
    assert result["sound"] is True and all(row["sound"] for row in result["states"])


def test_the_sound_is_synthesised_in_the_bench_unless_left_out(monkeypatch):
    from illumination.modes.kiosk import sound
    heard = []
    real = sound.SoakListener.hear
    monkeypatch.setattr(sound.SoakListener, "hear", lambda self, kiosk: heard.append(1) or real(self, kiosk))
    with_sound = measure_state("network", (160, 90), 1.0, 60)
    assert with_sound["sound"] and len(heard) >= with_sound["frames"]
    heard.clear()
    silent = measure_state("network", (160, 90), 1.0, 60, sound=False)
    assert not silent["sound"] and heard == []
