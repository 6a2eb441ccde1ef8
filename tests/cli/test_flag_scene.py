"""A scene file and the same flags mean the same thing on every command, and flags say what they mean."""
import hashlib
import json

import pytest

from illumination.cli import main

SCENE = 'max_epochs = 12\nseed = 5\nlearning_rate = 0.08\nbatch_size = 8\n'
FLAGS = ["--epochs", "12", "--seed", "5", "--lr", "0.08", "--batch-size", "8"]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command, name", [(["snapshot", "--size", "160x90"], "s.png"),
                                           (["export", "--size", "160x90", "--frames", "4"], "e.gif")])
def test_scene_file_equals_the_same_flags(tmp_path, capsys, command, name):
    scene = tmp_path / "scene.toml"
    scene.write_text(SCENE)
    assert main([*command, "--scene", str(scene), "-o", str(tmp_path / f"a-{name}")]) == 0
    assert main([*command, *FLAGS, "-o", str(tmp_path / f"b-{name}")]) == 0
    assert digest(tmp_path / f"a-{name}") == digest(tmp_path / f"b-{name}")


def test_train_scene_equals_flags(tmp_path, capsys):
    scene = tmp_path / "scene.toml"
    scene.write_text(SCENE)
    results = []
    for argv in (["--scene", str(scene)], FLAGS):
        assert main(["train", "--json", *argv]) == 0
        result = json.loads(capsys.readouterr().out)
        results.append({k: v for k, v in result.items() if k not in ("seconds", "epochs_per_second")})
    assert results[0] == results[1] and results[0]["epochs"] == 12


def test_snapshot_of_a_diverging_run_says_so_with_exit_3(tmp_path, capsys):
    code = main(["snapshot", "--lr", "1000", "--epochs", "5", "--size", "160x90", "-o", str(tmp_path / "d.png")])
    err = capsys.readouterr().err
    assert code == 3 and "diverged" in err and (tmp_path / "d.png").exists()


def test_gif_default_fps_works_and_a_too_fast_gif_names_the_format_and_flag(tmp_path, capsys):
    assert main(["export", "--size", "160x90", "--frames", "3", "-o", str(tmp_path / "r.gif")]) == 0
    assert "at 30 fps" in capsys.readouterr().out
    code = main(["export", "--size", "160x90", "--frames", "3", "--fps", "60", "-o", str(tmp_path / "s.gif")])
    err = capsys.readouterr().err
    assert code == 2 and "GIF" in err and "--fps 60" in err and not (tmp_path / "s.gif").exists()


def test_epochs_zero_means_no_training_everywhere(tmp_path, capsys):
    assert main(["train", "--epochs", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] == 0
    assert main(["snapshot", "--epochs", "0", "--size", "160x90", "-o", str(tmp_path / "z.png")]) == 0
    assert "epoch 0" in capsys.readouterr().out
    code = main(["export", "--epochs", "0", "--size", "160x90", "-o", str(tmp_path / "z.mp4")])
    assert code == 2 and "--epochs 0 trains nothing" in capsys.readouterr().err


def test_a_single_png_export_says_it_kept_the_last_frame(tmp_path, capsys):
    assert main(["export", "--size", "160x90", "--frames", "3", "-o", str(tmp_path / "one.png")]) == 0
    assert "the last of 3 frames" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["one.png"]


@pytest.mark.parametrize("argv, says", [
    (["train", "--epochs", "1000000000"], "--epochs: must be between 1 and 1,000,000, got 1000000000"),
    (["train", "--seed", "5000000000"], "seed must be from 0 to 4,294,967,295"),
    (["train", "--lr", "-inf"], "learning rate must be a finite number > 0, got '-inf'"),
    (["train", "--lr", "-nan"], "learning rate must be a finite number > 0"),
    (["train", "--samples", "100000"], "--samples: must be between 10 and 5,000"),
    (["bench", "train", "--batch-size", "100000"], "batch size must be from 1 to 1,000"),
    (["bench", "train", "--seconds", "1e300"], "seconds must be a number from 0.01 to 600"),
    (["bench", "train", "--optimizer", "lion"], "unknown optimizer 'lion'; choose one of: adam, adamw"),
    (["kiosk", "--log-file", "", "--headless", "--simulate-hours", "0.001"], "--log-file needs a file name"),
    (["snapshot", "--fps", "1e9", "-o", "x.png"], "fps must be a number from 1 to 240"),
])
def test_flags_are_checked_in_the_words_the_user_typed(capsys, argv, says):
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2 and says in err and err.count("\n") == 1 and "e+" not in err, err


def test_a_scene_files_problems_name_its_keys_and_the_file(tmp_path, capsys):
    scene = tmp_path / "bad.toml"
    scene.write_text("max_epochs = 0\ncolour = 3\n[noise]\nx = 1\n")
    code = main(["train", "--scene", str(scene)])
    err = capsys.readouterr().err
    assert code == 2 and f"{scene}: max_epochs" in err and "colour: unknown key" in err and "noise:" in err
