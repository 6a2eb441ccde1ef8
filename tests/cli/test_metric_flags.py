"""The metric stream's flags on train and run, the output streams themselves, and train's failure line: every
mistake one line on stderr with exit 2 before any work, nothing overwritten, nothing left waiting."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.sync.client import connect

from illumination.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line(err):
    return err.count("\n") == 1 and "Traceback" not in err


def test_an_existing_metrics_file_needs_overwrite(tmp_path, capsys):
    target = tmp_path / "run.jsonl"
    target.write_text("keep me\n")
    code, out, err = run(capsys, "train", "--epochs", "2", "--metrics-out", str(target))
    assert code == 2 and one_line(err) and "exists; pass --overwrite" in err and out == ""
    assert target.read_text() == "keep me\n"
    code, _, _ = run(capsys, "train", "--epochs", "2", "--metrics-out", str(target), "--overwrite")
    assert code == 0 and [json.loads(line)["epoch"] for line in target.read_text().splitlines()] == [1, 2]


@pytest.mark.parametrize("metrics, weights", [("w.npz", "w.npz"), ("./w.npz", "w.npz"), ("link.npz", "w.npz")])
def test_the_same_file_for_two_outputs_is_refused(tmp_path, capsys, monkeypatch, metrics, weights):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.npz").symlink_to(tmp_path / "w.npz")
    code, _, err = run(capsys, "train", "--epochs", "1", "--metrics-out", metrics, "--save-weights", weights)
    assert code == 2 and one_line(err) and "is also the --save-weights file: each output needs its own file" in err
    assert not (tmp_path / "w.npz").exists()


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_a_metrics_target_that_is_not_a_regular_file_is_refused_even_with_overwrite(tmp_path, capsys, kind):
    target = tmp_path / "run.jsonl"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        target = Path("/dev/null")
    code, _, err = run(capsys, "train", "--epochs", "1", "--metrics-out", str(target), "--overwrite")
    assert code == 2 and one_line(err) and f"--metrics-out: {target} is " in err


@pytest.mark.parametrize("argv, fragment", [
    (["--serve-metrics", ""], "--serve-metrics needs [HOST:]PORT"),
    (["--serve-metrics", "  "], "--serve-metrics needs [HOST:]PORT"),
    (["--serve-metrics", "127.0.0.1:99999"], "--serve-metrics: port 99999 is out of range"),
    (["--metrics-origin", "https://lab.example"], "--metrics-origin applies only with --serve-metrics"),
    (["--sharpness-every", "5"], "--sharpness-every applies only with --metrics-out or --serve-metrics"),
    (["--overwrite"], "--overwrite applies only with --save-weights or --metrics-out"),
])
def test_metric_flags_that_cannot_be_used_are_one_line_exit_2(capsys, argv, fragment):
    code, out, err = run(capsys, "train", "--epochs", "1", *argv)
    assert code == 2 and one_line(err) and fragment in err and out == ""


def test_the_window_refuses_what_it_would_ignore(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--serve-metrics", "0", "--sharpness-every", "5")
    assert code == 2 and one_line(err) and "--sharpness-every applies only to train" in err
    code, _, err = run(capsys, "run", "--overwrite")
    assert code == 2 and one_line(err) and "--overwrite applies only with --metrics-out" in err
    (tmp_path / "m.jsonl").write_text("keep\n")
    code, _, err = run(capsys, "run", "--metrics-out", str(tmp_path / "m.jsonl"))
    assert code == 2 and one_line(err) and "exists; pass --overwrite" in err


def test_port_0_says_which_port_it_got_and_serves_there(capsys):
    code, out, err = run(capsys, "train", "--epochs", "2", "--json", "--serve-metrics", "127.0.0.1:0")
    assert code == 0 and json.loads(out)["epochs"] == 2
    assert one_line(err) and err.startswith("illumination: note: serving metrics on ws://127.0.0.1:")
    port = int(err.split("ws://127.0.0.1:")[1].split(":")[0])
    assert 0 < port < 65536 and "chosen by the system" in err and "other machines" not in err


def test_a_fixed_loopback_port_needs_no_note(capsys):
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run(capsys, "train", "--epochs", "1", "--serve-metrics", str(port))
    assert code == 0 and err == ""


def test_serving_on_every_interface_says_it_is_reachable_from_other_machines(capsys):
    code, _, err = run(capsys, "train", "--epochs", "1", "--serve-metrics", "0.0.0.0:0")
    assert code == 0 and one_line(err) and "ws://0.0.0.0:" in err and "reachable from other machines" in err


def test_a_served_run_is_readable_by_a_local_page_and_a_named_origin_only(capsys):
    """Served in a subprocess (a real `illumination train`), read by clients with different Origin headers."""
    from websockets.exceptions import InvalidStatus
    process = subprocess.Popen([sys.executable, "-m", "illumination", "train", "--epochs", "1000000", "--serve-metrics",
                                "127.0.0.1:0", "--metrics-origin", "https://lab.example"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "CI": "1", "SDL_VIDEODRIVER": "dummy"})
    try:
        note = process.stderr.readline()
        url = "ws://" + note.split("ws://")[1].split(":")[0] + ":" + note.split("ws://")[1].split(":")[1]
        for origin in ("http://localhost:8080", "https://lab.example"):
            with connect(url, origin=origin, open_timeout=10) as ws:
                assert json.loads(ws.recv(timeout=10))["type"] == "step_metrics"
        with pytest.raises(InvalidStatus) as refusal:
            connect(url, origin="https://evil.example", open_timeout=10)
        assert refusal.value.response.status_code == 403
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _cli(*argv, **streams):
    return subprocess.run([sys.executable, "-c", "import sys; from illumination.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", *argv], cwd=ROOT, text=True, timeout=120,
                          env={**os.environ, "CI": "1", "SDL_VIDEODRIVER": "dummy"}, **streams)


@pytest.mark.parametrize("argv", [["train", "--epochs", "1", "--json"], ["experiment", "escape", "--balls", "2",
                                                                          "--steps", "2"]])
def test_a_closed_stdout_is_one_line_exit_1_before_any_work(argv):
    done = _cli(*argv, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(),
                preexec_fn=lambda: os.close(1))
    assert done.returncode == 1 and one_line(done.stderr), done.stderr
    assert done.stderr == "illumination: error: cannot write the output: standard output is closed\n"


def test_a_closed_stderr_does_not_stop_a_command():
    done = _cli("train", "--epochs", "1", "--json", stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2))
    assert done.returncode == 0 and json.loads(done.stdout)["epochs"] == 1


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_diverged_train_says_so_on_stderr_with_exit_3(capsys, json_flag):
    code, out, err = run(capsys, "train", "--lr", "1000", *json_flag)
    assert code == 3 and one_line(err) and "training diverged at epoch" in err and "(try a smaller --lr)" in err
    assert err.startswith("illumination: error: seed 42: ")
    if json_flag:
        assert json.loads(out)["diverged"] is True
    else:
        assert out == ""
