"""`illumination experiment escape`: the table from the command line, deterministic, bad input in one line."""
import json

import pytest

from illumination.cli import main
from network.escape import escape_table


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
    assert [set(r) for r in result["rows"]] == [{"noise", "global_basin_fraction", "mean_final_loss", "exploded"}] * 2
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
    (["--noise", "-1"], "noise levels must be finite numbers >= 0"),
    (["--balls", "0"], "from 1 to 100,000"),
    (["--balls", "100001"], "from 1 to 100,000"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, fragment):
    code, out = run(capsys, *argv, "--steps", "1")
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and out.out == ""


def test_bench_landscape_reports_its_keys(capsys):
    code = main(["bench", "landscape", "--balls", "500", "--size", "320x180", "--frames", "3", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["balls"] == 500 and result["finite"] is True
    assert result["frame_ms_median"] > 0 and result["slice_ms_median"] > 0 and result["slice_resolution"] == 51


def test_bench_landscape_refuses_too_many_balls(capsys):
    assert main(["bench", "landscape", "--balls", "100001"]) == 2
    assert "from 1 to 100,000" in capsys.readouterr().err
