"""`illumination experiment sweep`: a run, resume, a real Dask cluster on loopback, an unreachable scheduler,
SIGTERM mid-sweep, and every bad input as one line with exit 2."""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import lab.sweep
from illumination.cli import main

ROOT = Path(__file__).resolve().parents[2]


def fake_job(seed, noise, optimizer, epochs, match_train_loss):
    from lab.sweep_results import COLUMNS
    magnitude = 0.0 if noise == "none" else float(noise.split(":")[1])
    row = dict.fromkeys(COLUMNS)
    row.update({"seed": seed, "noise": noise, "noise_mode": noise.split(":")[0], "noise_magnitude": magnitude,
                "schedule": "constant", "optimizer": optimizer, "epochs": epochs, "match_train_loss": match_train_loss,
                "matched_epoch": 2, "measured_at": "match", "train_loss": 0.1, "eval_accuracy": 0.8 + magnitude,
                "eval_loss": 0.5 - magnitude - seed / 100, "eval_samples": 10_000,
                "hessian_top_eigenvalue": 9.0 - 10 * magnitude + seed / 10, "seconds": 0.001, "diverged": False})
    return row


def run(capsys, *argv):
    try:
        code = main(["experiment", "sweep", *argv])
    except SystemExit as stop:    # a flag argparse refuses ends the same way: one line, exit 2
        code = stop.code
    return code, capsys.readouterr()


def rows(directory):
    with open(Path(directory) / "results.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_sweep_writes_its_files_and_a_rerun_skips_what_is_done(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(lab.sweep, "default_job", fake_job)
    argv = ("--seeds", "0-2", "--noise", "none,input_jitter:0.1", "--optimizer", "sgd,adamw", "--epochs", "3",
            "-o", str(tmp_path), "--workers", "2", "--json")
    code, out = run(capsys, *argv)
    result = json.loads(out.out)
    assert code == 0 and (result["combinations"], result["run"], result["skipped"], result["failed"]) == (12, 12, 0, 0)
    assert result["experiment"] == "sweep" and result["plot"] == str(tmp_path / "results.png")
    assert len(rows(tmp_path)) == 12 and (tmp_path / "results.png").stat().st_size > 10_000
    summary = (tmp_path / "summary.md").read_text()
    # 3 seeds pair up: fewer than the 5 a verdict needs, and the summary says so
    assert "prediction 1: 2 inconclusive" in summary and "only 3 seeds pair up" in summary
    code, out = run(capsys, *argv[:-1])                      # readable output this time
    assert code == 0 and "  skipped: 12" in out.out and "      run: 0" in out.out and len(rows(tmp_path)) == 12


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_sweep_runs_on_a_real_dask_cluster(capsys, tmp_path):
    """The real job (lab/sweep_job.py) on a real LocalCluster: [test] includes the [cluster] extra."""
    import distributed
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1",
                                  protocol="tcp://", dashboard_address=None) as cluster:
        code, out = run(capsys, "--seeds", "0,1", "--noise", "none,input_jitter:0.1", "--optimizer", "sgd",
                        "--epochs", "2", "-o", str(tmp_path), "--executor", f"dask:{cluster.scheduler_address}",
                        "--json")
    result = json.loads(out.out)
    assert code == 0 and result["run"] == 4 and result["failed"] == 0, out.err
    assert sorted((r["seed"], r["noise"]) for r in rows(tmp_path)) == [
        ("0", "input_jitter:0.1"), ("0", "none"), ("1", "input_jitter:0.1"), ("1", "none")]
    assert (tmp_path / "summary.md").exists() and (tmp_path / "results.png").exists()
    assert all(int(r["eval_samples"]) >= 10_000 and r["eval_loss"] and r["ece"] for r in rows(tmp_path))


@pytest.mark.parametrize("command", ["sweep", "quantize"])
@pytest.mark.parametrize("argv, fragment", [
    (["--workers", "2", "--executor", "dask:tcp://127.0.0.1:8786"], "--workers applies only with --executor process"),
    (["--timeout", "5"], "--timeout applies only with --executor dask"),
    (["--timeout", "601", "--executor", "dask:tcp://127.0.0.1:8786"], "timeout must be a number from 0.01 to 600"),
    (["--epochs", "1000001"], "epochs must be from 1 to 1,000,000"),
    (["--executor", "dask:tcp://127.0.0.1:70000"], "port 70000 is out of range"),
])
def test_both_lab_commands_refuse_flags_of_the_other_executor_and_endless_runs(capsys, tmp_path, command, argv,
                                                                                fragment):
    try:
        code = main(["experiment", command, "--seeds", "0", *argv] + (["-o", str(tmp_path / "out")]
                                                                      if command == "sweep" else []))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and out.out == ""
    assert not (tmp_path / "out").exists()


class Hostile:
    """A TCP listener on loopback that is no scheduler: it accepts and never says a word ("silent"), or sends junk
    whose first 8 bytes read as a frame count of petabytes ("junk")."""

    def __init__(self, mode):
        import threading
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held = []
        self.mode = mode
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.held.append(connection)
            if self.mode == "junk":
                connection.sendall(b"\x00\x00\x00\x00\x00\x00\x10\x06" + b"\xff" * 56)

    def close(self):
        self.server.close()
        for connection in self.held:
            connection.close()


@pytest.mark.parametrize("mode, fragment", [
    ("silent", "did not answer as a Dask scheduler within 1 s (--timeout)"),
    ("junk", "what listens there is not a Dask scheduler"),
])
def test_a_listener_that_is_no_scheduler_is_one_line_within_the_timeout(capsys, tmp_path, mode, fragment):
    hostile = Hostile(mode)
    started = time.perf_counter()
    try:
        code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", str(tmp_path),
                        "--executor", f"dask:tcp://127.0.0.1:{hostile.port}", "--timeout", "1")
    finally:
        hostile.close()
    assert code == 2 and out.out == "" and out.err.count("\n") == 1 and "Traceback" not in out.err, out.err
    assert fragment in out.err
    assert time.perf_counter() - started < 6


def test_a_refused_connection_is_said_at_once_not_after_the_timeout(capsys, tmp_path):
    started = time.perf_counter()
    code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", str(tmp_path),
                    "--executor", f"dask:tcp://127.0.0.1:{free_port()}", "--timeout", "60")
    assert code == 2 and out.err.count("\n") == 1 and "connection refused" in out.err
    assert time.perf_counter() - started < 10
    assert list(tmp_path.iterdir()) == []          # refused before results.csv was created


def test_a_refused_scheduler_leaves_an_existing_results_file_untouched(capsys, tmp_path):
    results = tmp_path / "results.csv"
    results.write_text("kept as it was\n", encoding="utf-8")
    code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", str(tmp_path),
                    "--executor", f"dask:tcp://127.0.0.1:{free_port()}", "--timeout", "5")
    assert code == 2 and "connection refused" in out.err
    assert results.read_text(encoding="utf-8") == "kept as it was\n" and sorted(tmp_path.iterdir()) == [results]


def test_an_unreachable_scheduler_is_one_line_and_exit_2(capsys, tmp_path):
    started = time.perf_counter()
    code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", str(tmp_path),
                    "--executor", f"dask:tcp://127.0.0.1:{free_port()}", "--timeout", "0.5")
    assert code == 2 and out.out == "" and out.err.count("\n") == 1
    assert out.err.startswith("illumination: error: cannot reach the Dask scheduler at tcp://127.0.0.1:")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("argv, fragment", [
    (["--optimizer", "sgd,sgdd"], "unknown optimizer 'sgdd'"),
    (["--noise", "none,wind:0.1"], "--noise 'wind:0.1'"),
    (["--noise", ","], "--noise needs at least one name"),
    (["--executor", "thread"], "unknown executor 'thread'"),
    (["--executor", "dask:somewhere"], "unknown executor 'dask:somewhere'"),
    (["--seeds", "9-0"], "runs backwards"),
    (["--seeds", "0-x"], "--seeds takes whole numbers"),
    (["--epochs", "0"], "epochs must be >= 1"),
    (["--workers", "0"], "workers must be >= 1"),
    (["--match-train-loss", "-1"], "--match-train-loss must be a finite number > 0"),
    (["--match-train-loss", "soon"], "--match-train-loss must be a number"),
    (["--noise", "sgld:1e-3@"], "a schedule name must follow @"),
    (["--noise", "sgld:1e-3@warm"], "unknown schedule 'warm'"),
    (["--epochs", "100000000000000000000"], "epochs must be from 1 to 1,000,000"),
    (["--noise", "none:1"], "none takes no magnitude: write none, got 'none:1'"),
    (["--noise", "none,none:0"], "none takes no magnitude"),
    (["--executor", "dask:tcp://127.0.0.1:99999"], "port 99999 is out of range 1..65535"),
    (["--executor", "dask:tcp://127.0.0.1:0"], "port 0 is out of range 1..65535"),
    (["--executor", "dask:tcp://127.0.0.1"], "needs a port: dask:tcp://HOST:PORT"),
    (["--executor", "dask:tcp://127.0.0.1:"], "needs a port"),
    (["--executor", "dask:tcp://127.0.0.1:x"], "the port must be a number, got 'x'"),
    (["--executor", "dask:foo://x:1"], "not foo://"),
    (["--executor", "dask:inproc://x:1"], "not inproc://"),
    (["--executor", "dask:tcp://::1:8786"], "put an IPv6 host in brackets"),
    (["--executor", "dask:tcp://:8786"], "malformed host ''"),
    (["--timeout", "1e9", "--executor", "dask:tcp://127.0.0.1:8786"], "timeout must be a number from 0.01 to 600"),
    (["--timeout", "0", "--executor", "dask:tcp://127.0.0.1:8786"], "timeout must be a number from 0.01 to 600"),
    (["--workers", "2", "--executor", "dask:tcp://127.0.0.1:8786"], "--workers applies only with --executor process"),
    (["--timeout", "5"], "--timeout applies only with --executor dask"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, fragment):
    code, out = run(capsys, *argv, "-o", str(tmp_path / "out"))
    assert code == 2 and fragment in out.err and out.err.count("\n") == 1 and out.out == ""
    assert not (tmp_path / "out").exists()       # nothing ran, nothing written


@pytest.mark.parametrize("where", ["a file", "/proc", "/dev/null", "a 300-byte name"])
def test_an_unusable_output_is_one_line_and_exit_2_before_any_run(capsys, tmp_path, monkeypatch, where):
    ran = []
    monkeypatch.setattr(lab.sweep, "default_job", lambda *a: ran.append(a) or fake_job(*a))
    (tmp_path / "file").write_text("")
    target = {"a file": str(tmp_path / "file"), "a 300-byte name": str(tmp_path / ("d" * 300))}.get(where, where)
    code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", target)
    assert code == 2 and out.err.startswith("illumination: error: cannot write the sweep's files in ")
    assert out.err.count("\n") == 1 and ran == []


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "binary"])
def test_a_results_csv_that_is_not_one_is_refused_by_name(capsys, tmp_path, monkeypatch, kind):
    monkeypatch.setattr(lab.sweep, "default_job", fake_job)
    results = tmp_path / "results.csv"
    if kind == "fifo":
        os.mkfifo(results)
    elif kind == "dev-zero":
        results.symlink_to("/dev/zero")
    else:
        results.write_bytes(b"seed,noise\n\xff\xfe\n")
    code, out = run(capsys, "--seeds", "0", "--noise", "none", "--optimizer", "sgd", "-o", str(tmp_path))
    assert code == 2 and str(results) in out.err and out.err.count("\n") == 1


def test_one_spelling_per_condition(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(lab.sweep, "default_job", fake_job)
    code, out = run(capsys, "--seeds", "0", "--noise", "sgld:1e-4,sgld:0.0001,sgld:1e-4@constant", "--optimizer",
                    "sgd", "-o", str(tmp_path), "--json")
    assert code == 0 and json.loads(out.out)["combinations"] == 1
    code, out = run(capsys, "--seeds", "0", "--noise", "sgld:0.0001", "--optimizer", "sgd", "-o", str(tmp_path),
                    "--json")
    assert json.loads(out.out)["skipped"] == 1 and [r["noise"] for r in rows(tmp_path)] == ["sgld:0.0001"]


SLOW_SWEEP = """
import sys, time
import lab.sweep as sweep
from illumination.cli import main

def job(seed, noise, optimizer, epochs, match):   # seeds 0 and 1 finish at once, the rest would take a minute
    from lab.sweep_results import COLUMNS
    if seed >= 2:
        time.sleep(60)
    row = dict.fromkeys(COLUMNS)
    row.update({"seed": seed, "noise": noise, "noise_mode": "none", "noise_magnitude": 0.0, "optimizer": optimizer,
                "epochs": epochs, "match_train_loss": match, "measured_at": "end", "seconds": 0.0,
                "diverged": False})
    return row

if __name__ == "__main__":
    sweep.default_job, sweep.validate = job, lambda noises, optimizers: None
    raise SystemExit(main(["experiment", "sweep", "--seeds", "0-5", "--noise", "none", "--optimizer", "sgd",
                           "--epochs", "1", "-o", sys.argv[1], "--workers", "2"]))
"""


def test_sigterm_mid_sweep_keeps_every_finished_row(tmp_path):
    script = tmp_path / "slow_sweep.py"
    script.write_text(textwrap.dedent(SLOW_SWEEP))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1", "SDL_VIDEODRIVER": "dummy"}
    process = subprocess.Popen([sys.executable, str(script), str(tmp_path / "out")], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = tmp_path / "out" / "results.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (results.exists() and results.read_text().count("\n") == 3):
        time.sleep(0.05)
    time.sleep(0.3)                                  # the slow jobs are running now
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1] == "illumination: interrupted (SIGTERM)"
    assert sorted(r["seed"] for r in rows(tmp_path / "out")) == ["0", "1"]
    assert "interrupted: True" in out and (tmp_path / "out" / "summary.md").exists()
