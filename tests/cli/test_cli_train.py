import json

import numpy as np
import pytest

from illumination.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_json_reaches_the_goal_and_is_reproducible(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "--seed", "42", "--epochs", "200", "--json", "--save-weights", str(tmp_path / "a.npz"))
    assert code == 0
    result = json.loads(out)
    for key in ("seed", "epochs", "final_loss", "train_accuracy", "test_accuracy", "seconds", "epochs_per_second"):
        assert key in result
    assert result["seed"] == 42 and result["epochs"] == 200
    assert result["train_accuracy"] >= 0.98 and result["test_accuracy"] >= 0.65
    code, out, _ = run(capsys, "train", "--seed", "42", "--epochs", "200", "--json", "--save-weights", str(tmp_path / "b.npz"))
    a, b = np.load(tmp_path / "a.npz", allow_pickle=False), np.load(tmp_path / "b.npz", allow_pickle=False)
    assert sorted(a.files) == ["W1", "W2", "b1", "b2"]
    for name in a.files:
        assert a[name].tobytes() == b[name].tobytes()
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("argv, fragment", [
    (["--epochs", "-3"], "epochs must be >= 0"),
    (["--batch-size", "0"], "batch size must be >= 1"),
    (["--lr", "0"], "learning rate must be a finite number > 0"),
    (["--lr", "-1"], "learning rate"),
    (["--seed", "abc"], "seed must be a whole number"),
    (["--seed", "1.5"], "seed must be a whole number"),
    (["--match-train-loss", "0"], "--match-train-loss must be a finite number > 0"),
    (["--match-train-loss", "inf"], "--match-train-loss must be a finite number > 0"),
])
def test_bad_flags_give_one_line_and_exit_2(capsys, argv, fragment):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", *argv])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_scene_file_lists_every_problem(tmp_path, capsys):
    scene = tmp_path / "bad.toml"
    scene.write_text('seed = "x"\nbatch_size = 0\ncolour = 3\n')
    code, _, err = run(capsys, "train", "--scene", str(scene))
    assert code == 2
    assert "seed" in err and "batch_size" in err and "colour: unknown key" in err


def test_bench_train_json(capsys):
    code, out, _ = run(capsys, "bench", "train", "--seconds", "0.2", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["numba_epochs_per_s"] > 0 and result["numpy_epochs_per_s"] > 0
    assert "torch_epochs_per_s" in result


def test_bench_train_times_the_optimizer_asked_for(capsys):
    code, out, _ = run(capsys, "bench", "train", "--seconds", "0.1", "--optimizer", "adamw", "--json")
    result = json.loads(out)
    assert code == 0 and result["optimizer"] == "adamw" and result["numba_epochs_per_s"] > 0


@pytest.mark.parametrize("command", [["snapshot", "-o", "{tmp}/f.png"], ["export", "-o", "{tmp}/f.mp4", "--frames", "2"]])
def test_unknown_exhibit_or_theme_is_one_line_exit_2(tmp_path, capsys, command):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in command]
    for extra, fragment in ((["--exhibit", "nope"], "unknown exhibit 'nope'"), (["--theme", "nope"], "unknown theme 'nope'")):
        code = main([*argv, *extra])
        err = capsys.readouterr().err
        assert code == 2 and fragment in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("composition", ["explain", "gallery"])
def test_bench_render_reports_the_composition_it_timed(capsys, composition):
    code, out, _ = run(capsys, "bench", "render", "--composition", composition, "--size", "320x180",
                       "--frames", "5", "--warmup", "2", "--json")
    result = json.loads(out)
    assert code == 0 and result["composition"] == composition and result["frames"] == 5
    assert 0 < result["draw_ms_median"] <= result["draw_ms_max"]


def test_train_stops_at_the_matched_loss_and_says_where(capsys):
    code, out, _ = run(capsys, "train", "--seed", "3", "--epochs", "400", "--match-train-loss", "0.2", "--json")
    result = json.loads(out)
    assert code == 0 and result["reached"] and result["matched_epoch"] == result["epochs"] < 400
    assert result["final_loss"] <= 0.2 and result["match_train_loss"] == 0.2
    code, out, _ = run(capsys, "train", "--seed", "3", "--epochs", "5", "--match-train-loss", "0.01", "--json")
    result = json.loads(out)
    assert (result["reached"], result["matched_epoch"], result["epochs"]) == (False, None, 5)
