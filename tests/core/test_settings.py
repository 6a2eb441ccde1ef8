"""Scene files and the one validator: one format for every exhibit, every problem reported at once."""
from __future__ import annotations

import pytest

from illumination.cli import build_parser
from illumination.cli.args import settings_from
from illumination.core.settings import SettingsError, load_settings, read_scene, save_scene, scene_exhibit
from illumination.exhibits.network.settings import NetworkSettings
from themes.schema import check_range


def write(tmp_path, text, name="scene.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def args(*argv):
    """A command's flags as the command line reads them (settings flags carry their text and its readings)."""
    return build_parser().parse_args(["run", *argv])


def test_an_older_scene_file_without_an_exhibit_loads_as_the_network(tmp_path):
    path = write(tmp_path, "seed = 7\nlearning_rate = 0.1\nhidden_size = 12\n")
    assert scene_exhibit(read_scene(path)) == "network"
    exhibit, settings = settings_from(args("--scene", str(path)))
    assert exhibit.name == "network" and (settings.seed, settings.learning_rate, settings.hidden_size) == (7, 0.1, 12)


def test_a_saved_scene_names_its_exhibit_and_round_trips(tmp_path):
    chosen = NetworkSettings(seed=9, glow=2.5, optimizer="momentum")
    path = save_scene(chosen, tmp_path / "s.toml")
    assert read_scene(path)["exhibit"] == "network"
    assert load_settings(NetworkSettings, path) == chosen


def test_flags_win_over_the_scene_file(tmp_path):
    path = write(tmp_path, 'exhibit = "network"\nseed = 7\nbatch_size = 8\n')
    _, settings = settings_from(args("--scene", str(path), "--seed", "11"))
    assert settings.seed == 11 and settings.batch_size == 8


def test_every_problem_at_once_with_the_file_named(tmp_path):
    path = write(tmp_path, 'seed = -1\nglow = "bright"\ncolour = 3\n[extra]\nx = 1\n')
    with pytest.raises(SettingsError) as info:
        settings_from(args("--scene", str(path)))
    problems = info.value.problems
    assert "extra: scene files are flat; tables are not allowed" in problems
    assert any(p.startswith("seed: must be between 0 and") for p in problems)
    assert 'glow: must be a number, got "bright"' in problems
    assert any(p.startswith("colour: unknown key (known keys: ") for p in problems)
    assert str(info.value).startswith(f"{path}: ")


def test_a_scene_of_an_unknown_exhibit_or_a_clashing_flag_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="unknown exhibit 'aquarium'"):
        settings_from(args("--scene", str(write(tmp_path, 'exhibit = "aquarium"\n'))))
    with pytest.raises(SettingsError, match="the scene file .* is a 'network' scene"):
        settings_from(args("--scene", str(write(tmp_path, 'exhibit = "network"\n', "n.toml")), "--exhibit", "other"))


def test_the_one_range_check():
    assert check_range("x", 3, 1, 5) == (3.0, None)
    assert check_range("x", 3.0, 1, 5, whole_number=True) == (3, None)
    assert check_range("x", 2.5, 1, 5, whole_number=True)[1] == "x: must be a whole number, got 2.5"
    assert check_range("x", True, 1, 5)[1] == "x: must be a number, got true"
    assert check_range("x", float("nan"), 1, 5)[1] == "x: must be finite, got nan"
    assert check_range("x", 0, 0, 5, low_exclusive=True)[1] == "x: must be greater than 0 and at most 5, got 0"
    assert check_range("x", 9, 1, 5)[1] == "x: must be between 1 and 5, got 9"


def test_load_settings_checks_each_given_value_once(tmp_path, monkeypatch):
    """Each value is checked where it was given, once: the file's three, the flags' two; no default again."""
    import themes.schema as schema
    checked = []
    real = schema.check_value

    def counting(path, meta, value):
        checked.append(path)
        return real(path, meta, value)

    monkeypatch.setattr(schema, "check_value", counting)
    path = write(tmp_path, "seed = 7\nlearning_rate = 0.1\nglow = 2.0\n")
    settings = load_settings(NetworkSettings, path, {"seed": 8, "batch_size": 4, "samples": None})
    assert sorted(checked) == ["batch_size", "glow", "learning_rate", "seed", "seed"]
    assert (settings.seed, settings.learning_rate, settings.batch_size) == (8, 0.1, 4)


def test_an_overridden_bad_file_value_is_still_the_files_problem(tmp_path):
    path = write(tmp_path, "seed = -1\n")
    with pytest.raises(SettingsError) as info:
        load_settings(NetworkSettings, path, {"seed": 3})
    assert [(p.key, p.source) for p in info.value.problems] == [("seed", str(path))]
    assert str(info.value) == f"{path}: seed: must be between 0 and 4,294,967,295, got -1"
