"""`illumination experiment escape`: the table from the command line, deterministic, bad input in one line."""
import json

import pytest

from illumination.cli import main
from lab.escape import escape_table


def run(capsys, *argv):
    try:
        code = main(["experiment", "escape", *argv])
    except SystemExit as stop:   # a flag argparse refuses ends the same way: one line, exit 2
        code = stop.code
    return code, capsys.readouterr()


def test_json_rows_are_the_libraries_own_and_bit_identical_per_seed(capsys):
    argv = ("--balls", "150", "--steps", "300", "--noise", "0,1", "--seed", "3", "--json")
    code, first = run(capsys, *argv)
    assert code == 0
    result = json.loads(first.out)
    assert [set(r) for r in result["rows"]] == [{"noise", "global_basin_fraction", "global_basin_fraction_of_survivors",
                                                   "mean_final_loss", "exploded", "boltzmann_basin_mass"}] * 2
    assert result["rows"] == escape_table(balls=150, steps=300, noises=(0, 1), seed=3)
    _, again = run(capsys, *argv)
    assert again.out == first.out


def test_noise_helps_escape_on_the_complex_surface(capsys):
    code, out = run(capsys, "--balls", "400", "--steps", "800", "--noise", "0,0.5", "--json")
    cold, warm = json.loads(out.out)["rows"]
    assert code == 0 and warm["global_basin_fraction"] > 2 * cold["global_basin_fraction"]


def test_schedules_are_compared_the_same_way(capsys):
    code, out = run(capsys, "--balls", "100", "--steps", "200", "--schedule", "exponential,constant")
    assert code == 0
    lines = out.out.splitlines()
    assert lines[1].split()[0] == "schedule" and [l.split()[0] for l in lines[2:]] == ["exponential", "constant"]


@pytest.mark.parametrize("argv, fragment", [
    (["--surface", "moon"], "unknown 'moon'"),
    (["--schedule", "sometimes"], "sometimes"),
    (["--optimizer", "sgdd"], "unknown 'sgdd'"),
    (["--noise", "-1"], "noise levels must be finite numbers from 0 to 100"),
    (["--noise", "0,1e300"], "noise levels must be finite numbers from 0 to 100, got '0,1e300'"),
    (["--balls", "0"], "balls must be >= 1, got 0"),
    (["--balls", "-5"], "balls must be >= 1, got -5"),
    (["--balls", "100001"], "must be between 1 and 100,000"),
    (["--lr", "1e300"], "argument --lr: must be between 1e-05 and 10, got 1e+300"),
    (["--lr", "0"], "learning rate must be a finite number > 0"),
    (["--momentum", "1"], "argument --momentum: must be between 0 and 0.999"),
    (["--schedule", "constant", "--temperature", "1e300"], "argument --temperature: must be between 0 and 100"),
    (["--temperature", "5"], "--temperature applies only with --schedule"),
    (["--schedule", "constant", "--noise", "1"], "--noise does not apply with --schedule"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    code, out = run(capsys, *argv, "--steps", "1")
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and out.out == ""


@pytest.mark.parametrize("flag, value", [("--lr", "1e300"), ("--temperature", "1e300"), ("--balls", "100001"),
                                         ("--momentum", "1"), ("--lr", "0")])
def test_escape_and_the_landscape_snapshot_refuse_a_flag_by_one_rule(capsys, tmp_path, flag, value):
    """One flag, one check: the escape experiment reads --lr, --temperature, --balls and --momentum by the
    Landscape settings' own parsers and ranges, so both commands refuse the same values with the same words."""
    extra = ["--schedule", "constant"] if flag == "--temperature" else []
    code, out = run(capsys, flag, value, *extra, "--steps", "1")
    escape_words = out.err.split(f"argument {flag}: ", 1)[1].split(" (see:")[0]
    code2, out2, target = snap(capsys, tmp_path, "--exhibit", "landscape", flag, value)
    assert code == code2 == 2 and not target.exists()
    assert escape_words in out2.err and out2.err.count("\n") == 1


def test_bench_landscape_reports_its_keys(capsys):
    code = main(["bench", "landscape", "--balls", "500", "--size", "320x180", "--frames", "3", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["balls"] == 500 and result["finite"] is True
    assert result["frame_ms_median"] > 0 and result["slice_ms_median"] > 0 and result["slice_resolution"] == 51
    assert result["view"] == "3d" and result["mesh_ms_median"] > 0       # the 3D view, and its mesh redraw
    assert result["drag_frame_ms_median"] > 0


def test_bench_landscape_refuses_the_network_view(capsys):
    assert main(["bench", "landscape", "--view", "network", "--frames", "1"]) == 2
    assert "--view must be 3d, map or valley" in capsys.readouterr().err


def test_bench_landscape_refuses_too_many_balls(capsys):
    assert main(["bench", "landscape", "--balls", "100001"]) == 2
    assert "from 1 to 100,000" in capsys.readouterr().err


# -- the landscape from run, snapshot and export -------------------------------------------------------
def snap(capsys, tmp_path, *argv):
    target = tmp_path / "s.png"
    try:
        code = main(["snapshot", *argv, "--size", "320x180", "-o", str(target)])
    except SystemExit as stop:
        code = stop.code
    return code, capsys.readouterr(), target


def test_snapshot_takes_the_landscape_flags_and_steps(capsys, tmp_path):
    code, out, target = snap(capsys, tmp_path, "--exhibit", "landscape", "--surface", "bowl", "--balls", "300",
                             "--temperature", "0.5", "--view", "map", "--steps", "12")
    assert code == 0 and target.exists()
    assert "step 12" in out.out and "Simple bowl" in out.out and "of 300 balls" in out.out


@pytest.mark.parametrize("argv, fragment", [
    (["--surface", "bowl"], "--surface does not apply to the network exhibit"),
    (["--exhibit", "landscape", "--epochs", "5"], "--epochs does not apply to the landscape exhibit"),
    (["--exhibit", "landscape", "--view", "side"], 'view: must be one of 3d, map, valley, network, got "side"'),
    (["--exhibit", "landscape", "--temperature", "-1"], "temperature must be a finite number >= 0"),
    (["--exhibit", "landscape", "--balls", "100001"], "--balls: must be between 1 and 100,000"),
])
def test_landscape_flags_refuse_in_one_line(capsys, tmp_path, argv, fragment):
    code, out, target = snap(capsys, tmp_path, *argv)
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and not target.exists()


def test_a_scene_files_length_is_where_the_snapshot_is_taken(capsys, tmp_path):
    scene = tmp_path / "short.toml"
    scene.write_text('exhibit = "landscape"\nmax_steps = 7\n')
    code, out, _ = snap(capsys, tmp_path, "--scene", str(scene))
    assert code == 0 and "step 7" in out.out


def test_a_landscape_snapshot_of_a_failing_real_network_ends_with_exit_3(capsys, tmp_path):
    """lr 10 kills the real network's training at once; the snapshot used to wait for ever for step 20."""
    import time
    started = time.perf_counter()
    code, out, target = snap(capsys, tmp_path, "--exhibit", "landscape", "--view", "network", "--steps", "20",
                             "--lr", "10")
    assert code == 3 and target.exists() and time.perf_counter() - started < 60
    assert out.err.count("\n") == 1 and "the run diverged before step 20" in out.err
